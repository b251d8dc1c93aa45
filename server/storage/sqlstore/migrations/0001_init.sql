-- Every row belongs to a pool; the pool id is in every key. Entities are
-- stored as JSON documents beside the columns that are looked up, so that a
-- new setting needs no migration.
CREATE TABLE pools (
    id         TEXT PRIMARY KEY,
    data       TEXT NOT NULL
);

CREATE TABLE clients (
    id         TEXT PRIMARY KEY,
    pool_id    TEXT NOT NULL,
    data       TEXT NOT NULL
);
CREATE INDEX clients_pool ON clients (pool_id, id);

CREATE TABLE users (
    pool_id      TEXT NOT NULL,
    sub          TEXT NOT NULL,
    username_key TEXT NOT NULL,
    email_key    TEXT,
    phone_key    TEXT,
    version      INTEGER NOT NULL,
    data         TEXT NOT NULL,
    PRIMARY KEY (pool_id, sub)
);
CREATE UNIQUE INDEX users_username ON users (pool_id, username_key);
CREATE UNIQUE INDEX users_email ON users (pool_id, email_key);
CREATE UNIQUE INDEX users_phone ON users (pool_id, phone_key);

CREATE TABLE groups (
    pool_id TEXT NOT NULL,
    name    TEXT NOT NULL,
    data    TEXT NOT NULL,
    PRIMARY KEY (pool_id, name)
);

CREATE TABLE group_members (
    pool_id    TEXT NOT NULL,
    group_name TEXT NOT NULL,
    sub        TEXT NOT NULL,
    PRIMARY KEY (pool_id, group_name, sub)
);
CREATE INDEX group_members_user ON group_members (pool_id, sub);

CREATE TABLE resource_servers (
    pool_id    TEXT NOT NULL,
    identifier TEXT NOT NULL,
    data       TEXT NOT NULL,
    PRIMARY KEY (pool_id, identifier)
);

CREATE TABLE signing_keys (
    pool_id    TEXT NOT NULL,
    kid        TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    data       TEXT NOT NULL,
    PRIMARY KEY (pool_id, kid)
);

CREATE TABLE auth_requests (
    pool_id    TEXT NOT NULL,
    id         TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    data       TEXT NOT NULL,
    PRIMARY KEY (pool_id, id)
);

CREATE TABLE sessions (
    pool_id    TEXT NOT NULL,
    id         TEXT NOT NULL,
    sub        TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    data       TEXT NOT NULL,
    PRIMARY KEY (pool_id, id)
);
CREATE INDEX sessions_user ON sessions (pool_id, sub);

CREATE TABLE oauth_records (
    kind       TEXT NOT NULL,
    signature  TEXT NOT NULL,
    pool_id    TEXT NOT NULL,
    request_id TEXT NOT NULL,
    active     INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    data       TEXT NOT NULL,
    PRIMARY KEY (kind, signature)
);
CREATE INDEX oauth_records_request ON oauth_records (kind, request_id);

CREATE TABLE families (
    pool_id    TEXT NOT NULL,
    id         TEXT NOT NULL,
    sub        TEXT NOT NULL,
    revoked_at INTEGER NOT NULL DEFAULT 0,
    data       TEXT NOT NULL,
    PRIMARY KEY (pool_id, id)
);
CREATE INDEX families_user ON families (pool_id, sub);

CREATE TABLE auth_events (
    pool_id    TEXT NOT NULL,
    id         TEXT NOT NULL,
    sub        TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    data       TEXT NOT NULL,
    PRIMARY KEY (pool_id, id)
);
CREATE INDEX auth_events_user ON auth_events (pool_id, sub, created_at);
