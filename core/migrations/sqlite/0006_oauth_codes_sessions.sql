-- Authorization codes (RFC 6749 §4.1), kept only as SHA-256 hashes, single
-- use: `used` is set by the one redemption that wins; a replay finds it set
-- and revokes the sign-in the code produced (RFC 6749 §4.1.2).
CREATE TABLE oauth_codes (
    code_hash  BLOB NOT NULL PRIMARY KEY,
    pool_id    TEXT NOT NULL,
    client_id  TEXT NOT NULL REFERENCES clients (client_id) ON DELETE CASCADE,
    sub        TEXT NOT NULL,
    expires    INTEGER NOT NULL,
    used       INTEGER,
    -- The rest of the grant (redirect URI, scopes, PKCE challenge, nonce,
    -- auth_time, origin_jti once redeemed) as JSON.
    doc        TEXT NOT NULL,
    FOREIGN KEY (pool_id, sub) REFERENCES users (pool_id, sub) ON DELETE CASCADE
);
CREATE INDEX oauth_codes_by_expiry ON oauth_codes (expires);

-- Hosted-UI browser sessions (tower-sessions records), sealed with
-- AES-256-GCM under the master key before they reach this table.
CREATE TABLE web_sessions (
    id      TEXT NOT NULL PRIMARY KEY,
    expires INTEGER NOT NULL,
    sealed  BLOB NOT NULL
);
CREATE INDEX web_sessions_by_expiry ON web_sessions (expires);
