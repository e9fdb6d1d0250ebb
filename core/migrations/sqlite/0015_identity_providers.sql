-- Federation (issue 15): a pool's identity providers, the identifiers
-- that pick one (idp_identifier), and the upstream identities linked to
-- a user by AdminLinkProviderForUser. Everything goes with its pool; an
-- identifier goes with its provider, a link with its user.

-- Cognito API: IdentityProviderType; the document is the whole type, its
-- secrets (client_secret, private_key) sealed under the master key.
CREATE TABLE identity_providers (
    pool_id       TEXT NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
    provider_name TEXT NOT NULL,
    doc           TEXT NOT NULL,
    PRIMARY KEY (pool_id, provider_name)
) WITHOUT ROWID;

-- An identifier names one provider of its pool (the primary key).
CREATE TABLE idp_identifiers (
    pool_id       TEXT NOT NULL,
    identifier    TEXT NOT NULL,
    provider_name TEXT NOT NULL,
    PRIMARY KEY (pool_id, identifier),
    FOREIGN KEY (pool_id, provider_name)
        REFERENCES identity_providers (pool_id, provider_name) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX idp_identifiers_by_provider ON idp_identifiers (pool_id, provider_name);

-- An upstream identity (provider, attribute, value) signs in as one user.
CREATE TABLE provider_links (
    pool_id         TEXT NOT NULL,
    provider_name   TEXT NOT NULL,
    attribute_name  TEXT NOT NULL,
    attribute_value TEXT NOT NULL,
    sub             TEXT NOT NULL,
    created         INTEGER NOT NULL,
    PRIMARY KEY (pool_id, provider_name, attribute_name, attribute_value),
    FOREIGN KEY (pool_id, sub) REFERENCES users (pool_id, sub) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX provider_links_by_user ON provider_links (pool_id, sub);

-- Cognito API: GetSigningCertificate — the pool's SAML signing
-- certificate (DER), made once; its private key sealed under the master key.
CREATE TABLE saml_signing_certificates (
    pool_id     TEXT NOT NULL PRIMARY KEY REFERENCES pools (id) ON DELETE CASCADE,
    sealed      BLOB NOT NULL,
    certificate BLOB NOT NULL,
    created     INTEGER NOT NULL
) WITHOUT ROWID;
