-- Refresh tokens, kept only as SHA-256 hashes of the opaque token. One row
-- per sign-in (origin_jti): refreshing reuses it, so revoking the row also
-- revokes every access and ID token issued from that sign-in. Rows go with
-- their user (and pool) and with their app client.
CREATE TABLE refresh_tokens (
    token_hash BLOB NOT NULL PRIMARY KEY,
    pool_id    TEXT NOT NULL,
    client_id  TEXT NOT NULL REFERENCES clients (client_id) ON DELETE CASCADE,
    sub        TEXT NOT NULL,
    origin_jti TEXT NOT NULL UNIQUE,
    auth_time  INTEGER NOT NULL,
    created    INTEGER NOT NULL,
    expires    INTEGER NOT NULL,
    revoked    INTEGER,
    scopes     TEXT NOT NULL,
    FOREIGN KEY (pool_id, sub) REFERENCES users (pool_id, sub) ON DELETE CASCADE
);
CREATE INDEX refresh_tokens_by_user ON refresh_tokens (pool_id, sub);
CREATE INDEX refresh_tokens_by_client ON refresh_tokens (client_id);
CREATE INDEX refresh_tokens_by_expiry ON refresh_tokens (expires);
