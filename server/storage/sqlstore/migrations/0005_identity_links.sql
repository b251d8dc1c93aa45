-- Upstream identities linked to native users (AdminLinkProviderForUser): a
-- federated sign-in whose provider attribute (Cognito_Subject, or a SAML
-- attribute) has the linked value signs the native user in.
CREATE TABLE identity_links (
    pool_id       TEXT NOT NULL,
    provider_name TEXT NOT NULL,
    attr_name     TEXT NOT NULL,
    attr_value    TEXT NOT NULL,
    sub           TEXT NOT NULL,
    data          TEXT NOT NULL,
    PRIMARY KEY (pool_id, provider_name, attr_name, attr_value)
);
CREATE INDEX identity_links_user ON identity_links (pool_id, sub);
