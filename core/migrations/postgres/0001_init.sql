-- Cognate's store, PostgreSQL dialect. Timestamps are epoch milliseconds.
-- Key columns use COLLATE "C" so that ordering matches SQLite's byte-wise
-- BINARY collation and prefix ranges (value >= p AND value < p') use the btree.

CREATE TABLE pools (
    id      TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    name    TEXT NOT NULL,
    created BIGINT NOT NULL,
    doc     JSONB NOT NULL
);

-- EstimatedNumberOfUsers, kept in the same transaction as user writes so
-- reading it stays cheap; sharded so concurrent sign-ups in one pool do not
-- queue on a single row lock.
CREATE TABLE user_counts (
    pool_id TEXT COLLATE "C" NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
    shard   SMALLINT NOT NULL,
    n       BIGINT NOT NULL,
    PRIMARY KEY (pool_id, shard)
);

CREATE TABLE clients (
    client_id TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    pool_id   TEXT COLLATE "C" NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
    created   BIGINT NOT NULL,
    doc       JSONB NOT NULL
);
CREATE INDEX clients_by_pool ON clients (pool_id, client_id);

CREATE TABLE users (
    pool_id          TEXT COLLATE "C" NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
    sub              UUID NOT NULL,
    username         TEXT NOT NULL,
    status           TEXT NOT NULL,
    enabled          BOOLEAN NOT NULL,
    created          BIGINT NOT NULL,
    modified         BIGINT NOT NULL,
    attributes       JSONB NOT NULL,
    credential       BYTEA,
    password_expires BIGINT,
    settings         JSONB NOT NULL,
    PRIMARY KEY (pool_id, sub)
);

-- Usernames and aliases: the primary key is what makes them unique, across
-- concurrent writers and nodes.
CREATE TABLE user_keys (
    pool_id TEXT COLLATE "C" NOT NULL,
    kind    TEXT COLLATE "C" NOT NULL,
    value   TEXT COLLATE "C" NOT NULL,
    sub     UUID NOT NULL,
    PRIMARY KEY (pool_id, kind, value),
    FOREIGN KEY (pool_id, sub) REFERENCES users (pool_id, sub) ON DELETE CASCADE
);
CREATE INDEX user_keys_by_user ON user_keys (pool_id, sub);

-- ListUsers filters: exact and prefix matches are range scans of the key.
CREATE TABLE user_index (
    pool_id TEXT COLLATE "C" NOT NULL,
    attr    TEXT COLLATE "C" NOT NULL,
    value   TEXT COLLATE "C" NOT NULL,
    sub     UUID NOT NULL,
    PRIMARY KEY (pool_id, attr, value, sub),
    FOREIGN KEY (pool_id, sub) REFERENCES users (pool_id, sub) ON DELETE CASCADE
);
CREATE INDEX user_index_by_user ON user_index (pool_id, sub);

CREATE TABLE user_groups (
    pool_id TEXT COLLATE "C" NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
    name    TEXT COLLATE "C" NOT NULL,
    doc     JSONB NOT NULL,
    PRIMARY KEY (pool_id, name)
);

CREATE TABLE group_members (
    pool_id    TEXT COLLATE "C" NOT NULL,
    group_name TEXT COLLATE "C" NOT NULL,
    sub        UUID NOT NULL,
    PRIMARY KEY (pool_id, group_name, sub),
    FOREIGN KEY (pool_id, group_name) REFERENCES user_groups (pool_id, name) ON DELETE CASCADE,
    FOREIGN KEY (pool_id, sub) REFERENCES users (pool_id, sub) ON DELETE CASCADE
);
CREATE INDEX group_members_by_user ON group_members (pool_id, sub, group_name);

CREATE TABLE signing_keys (
    pool_id    TEXT COLLATE "C" NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
    kid        TEXT COLLATE "C" NOT NULL,
    sealed     BYTEA NOT NULL,
    public_jwk TEXT NOT NULL,
    created    BIGINT NOT NULL,
    retired    BIGINT,
    PRIMARY KEY (pool_id, kid)
);
