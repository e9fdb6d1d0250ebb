-- Identity pools (the cognito-identity API), their identities and the
-- logins linked to them: one identity per login, kept so by the primary key.
CREATE TABLE identity_pools (
    id      TEXT PRIMARY KEY,
    name    TEXT NOT NULL,
    doc     TEXT NOT NULL,
    created BIGINT NOT NULL
);
CREATE TABLE identities (
    id      TEXT PRIMARY KEY,
    pool_id TEXT NOT NULL REFERENCES identity_pools (id) ON DELETE CASCADE,
    doc     TEXT NOT NULL,
    created BIGINT NOT NULL
);
CREATE INDEX identities_by_pool ON identities (pool_id, id);
CREATE TABLE identity_logins (
    pool_id     TEXT NOT NULL REFERENCES identity_pools (id) ON DELETE CASCADE,
    provider    TEXT NOT NULL,
    subject     TEXT NOT NULL,
    identity_id TEXT NOT NULL REFERENCES identities (id) ON DELETE CASCADE,
    PRIMARY KEY (pool_id, provider, subject)
);
CREATE INDEX identity_logins_by_identity ON identity_logins (identity_id);
-- The identity issuer's RS256 keys, private halves sealed.
CREATE TABLE issuer_keys (
    issuer     TEXT NOT NULL,
    kid        TEXT NOT NULL,
    sealed     BYTEA NOT NULL,
    public_jwk TEXT NOT NULL,
    created    BIGINT NOT NULL,
    retired    BIGINT,
    PRIMARY KEY (issuer, kid)
);
-- Credentials minted by Cognate's own STS: secret sealed, session token as a MAC.
CREATE TABLE sts_credentials (
    access_key_id TEXT PRIMARY KEY,
    sealed        BYTEA NOT NULL,
    token_mac     BYTEA NOT NULL,
    doc           TEXT NOT NULL,
    expires       BIGINT NOT NULL
);
CREATE INDEX sts_credentials_by_expiry ON sts_credentials (expires);
