-- User pool domains (CreateUserPoolDomain): a name is global, as host names
-- are; a pool has at most one prefix domain (custom = 0) and one custom
-- domain (custom = 1).
CREATE TABLE domains (
    name    TEXT PRIMARY KEY,
    pool_id TEXT NOT NULL,
    custom  INTEGER NOT NULL,
    data    TEXT NOT NULL
);
CREATE UNIQUE INDEX domains_pool_kind ON domains (pool_id, custom);
