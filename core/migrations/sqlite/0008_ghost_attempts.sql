-- Failed attempts on names no user has (sign-in lockouts, code attempts),
-- kept like a real user's so that under PreventUserExistenceErrors an
-- unknown name answers as a known one does, across restarts and nodes.
CREATE TABLE ghost_attempts (
    pool_id TEXT NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
    name    TEXT NOT NULL,
    purpose TEXT NOT NULL,
    -- The counts (service::lockout::Lockout, code failures) as JSON.
    doc     TEXT NOT NULL,
    -- After this the row says nothing any more and housekeeping drops it.
    expires INTEGER NOT NULL,
    PRIMARY KEY (pool_id, name, purpose)
);
CREATE INDEX ghost_attempts_by_expiry ON ghost_attempts (expires);
