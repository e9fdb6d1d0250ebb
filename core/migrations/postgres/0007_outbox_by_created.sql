-- The outbox keeps messages for a week (their codes and temporary passwords
-- are secrets); housekeeping deletes older ones by this index.
CREATE INDEX outbox_by_created ON outbox (created);
