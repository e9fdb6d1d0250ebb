-- User sessions (Cognito API: SessionDescriptionType, SessionType SSO): a
-- hosted-UI sign-in of a browser, recorded while the pool tracks sessions,
-- so ListUserSessions names it and RevokeUserSession ends it (the browser's
-- session is resumed only while its record is here). Rows go with their
-- user (and pool) and with their app client.
CREATE TABLE sso_sessions (
    session_id  TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    pool_id     TEXT COLLATE "C" NOT NULL,
    sub         UUID NOT NULL,
    client_id   TEXT COLLATE "C" NOT NULL REFERENCES clients (client_id) ON DELETE CASCADE,
    created     BIGINT NOT NULL,
    last_active BIGINT NOT NULL,
    last_ip     TEXT,
    device_type TEXT,
    FOREIGN KEY (pool_id, sub) REFERENCES users (pool_id, sub) ON DELETE CASCADE
);
CREATE INDEX sso_sessions_by_user ON sso_sessions (pool_id, sub);
CREATE INDEX sso_sessions_by_client ON sso_sessions (client_id);
CREATE INDEX sso_sessions_by_age ON sso_sessions (created);
