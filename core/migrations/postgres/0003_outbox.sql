-- The local outbox: codes and invitations that were not handed to an SMTP
-- server or SMS gateway land here, for the CLI (`cognate outbox`) and the
-- development page to show. Messages go with their pool.
CREATE TABLE outbox (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pool_id     TEXT COLLATE "C" NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
    channel     TEXT NOT NULL,
    destination TEXT NOT NULL,
    subject     TEXT,
    body        TEXT NOT NULL,
    created     BIGINT NOT NULL
);
CREATE INDEX outbox_by_pool ON outbox (pool_id, id);
