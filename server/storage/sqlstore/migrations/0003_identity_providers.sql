-- Identity providers of a pool (CreateIdentityProvider): a name is unique in
-- its pool, and so is each of the provider's IdpIdentifiers, which route a
-- user's email domain or an idp_identifier to the provider.
CREATE TABLE identity_providers (
    pool_id TEXT NOT NULL,
    name    TEXT NOT NULL,
    data    TEXT NOT NULL,
    PRIMARY KEY (pool_id, name)
);

CREATE TABLE idp_identifiers (
    pool_id    TEXT NOT NULL,
    identifier TEXT NOT NULL,
    name       TEXT NOT NULL,
    PRIMARY KEY (pool_id, identifier)
);
CREATE INDEX idp_identifiers_provider ON idp_identifiers (pool_id, name);
