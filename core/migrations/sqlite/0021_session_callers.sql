-- User sessions (Cognito API: SessionDescriptionType, DeviceType and
-- LastIPAddress): the caller of a token session's sign-in, refresh or
-- rotation, overwritten each time. Written only while the pool tracks
-- sessions. LastLocation needs a GeoIP database and is not kept.
ALTER TABLE refresh_tokens ADD COLUMN last_ip TEXT;
ALTER TABLE refresh_tokens ADD COLUMN device_type TEXT;
