-- Refresh-token rotation (Cognito API: RefreshTokenRotationType): a
-- sign-in's row keeps the hash of its newest refresh token; each one it
-- replaced is kept here, so a retry within the client's grace period still
-- works and a replay after it is recognised and revokes the whole sign-in
-- (RFC 9700 §4.14.2). Rows go with their sign-in.
CREATE TABLE refresh_token_retired (
    token_hash BYTEA NOT NULL PRIMARY KEY,
    origin_jti TEXT COLLATE "C" NOT NULL REFERENCES refresh_tokens (origin_jti) ON DELETE CASCADE,
    retired    BIGINT NOT NULL
);
CREATE INDEX refresh_token_retired_by_sign_in ON refresh_token_retired (origin_jti);
