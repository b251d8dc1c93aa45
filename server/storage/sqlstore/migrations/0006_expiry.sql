-- Indexes for the sweep of expired rows (Store.DeleteExpired).
CREATE INDEX auth_requests_expiry ON auth_requests (expires_at);
CREATE INDEX sessions_expiry ON sessions (expires_at);
CREATE INDEX oauth_records_expiry ON oauth_records (expires_at);
