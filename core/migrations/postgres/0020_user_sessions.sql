-- User sessions (Cognito API: ListUserSessions, SessionDescriptionType):
-- a token session is one sign-in's refresh-token row; its LastActiveDate
-- is the last refresh or rotation of it. Pools and clients keep their
-- session configuration in their documents.
ALTER TABLE refresh_tokens ADD COLUMN last_active BIGINT;
