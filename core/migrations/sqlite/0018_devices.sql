-- Remembered devices (Cognito API: DeviceType). A device belongs to one
-- user and goes with it; its key is unique across pools. The document
-- holds the device's name, status, dates and its SRP verifier, sealed.
CREATE TABLE devices (
    device_key TEXT NOT NULL PRIMARY KEY,
    pool_id    TEXT NOT NULL,
    sub        TEXT NOT NULL,
    doc        TEXT NOT NULL,
    FOREIGN KEY (pool_id, sub) REFERENCES users (pool_id, sub) ON DELETE CASCADE
);
CREATE INDEX devices_by_user ON devices (pool_id, sub, device_key);
