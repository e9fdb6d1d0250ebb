-- Cognate's store, SQLite dialect. Timestamps are epoch milliseconds;
-- documents (pools, clients, groups) are JSON text the database never queries.

CREATE TABLE pools (
    id      TEXT NOT NULL PRIMARY KEY,
    name    TEXT NOT NULL,
    created INTEGER NOT NULL,
    doc     TEXT NOT NULL
);

-- EstimatedNumberOfUsers, kept in the same transaction as user writes so
-- reading it stays cheap. Sharded in PostgreSQL to avoid a hot row; SQLite
-- has one writer and uses shard 0.
CREATE TABLE user_counts (
    pool_id TEXT NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
    shard   INTEGER NOT NULL,
    n       INTEGER NOT NULL,
    PRIMARY KEY (pool_id, shard)
) WITHOUT ROWID;

CREATE TABLE clients (
    client_id TEXT NOT NULL PRIMARY KEY,
    pool_id   TEXT NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
    created   INTEGER NOT NULL,
    doc       TEXT NOT NULL
);
CREATE INDEX clients_by_pool ON clients (pool_id, client_id);

CREATE TABLE users (
    pool_id          TEXT NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
    sub              TEXT NOT NULL,
    username         TEXT NOT NULL,
    status           TEXT NOT NULL,
    enabled          INTEGER NOT NULL,
    created          INTEGER NOT NULL,
    modified         INTEGER NOT NULL,
    attributes       TEXT NOT NULL,
    credential       BLOB,
    password_expires INTEGER,
    settings         TEXT NOT NULL,
    PRIMARY KEY (pool_id, sub)
);

-- Usernames and aliases: the primary key is what makes them unique, under
-- concurrent writers too.
CREATE TABLE user_keys (
    pool_id TEXT NOT NULL,
    kind    TEXT NOT NULL,
    value   TEXT NOT NULL,
    sub     TEXT NOT NULL,
    PRIMARY KEY (pool_id, kind, value),
    FOREIGN KEY (pool_id, sub) REFERENCES users (pool_id, sub) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX user_keys_by_user ON user_keys (pool_id, sub);

-- ListUsers filters: exact and prefix matches are range scans of the key.
CREATE TABLE user_index (
    pool_id TEXT NOT NULL,
    attr    TEXT NOT NULL,
    value   TEXT NOT NULL,
    sub     TEXT NOT NULL,
    PRIMARY KEY (pool_id, attr, value, sub),
    FOREIGN KEY (pool_id, sub) REFERENCES users (pool_id, sub) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX user_index_by_user ON user_index (pool_id, sub);

CREATE TABLE user_groups (
    pool_id TEXT NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
    name    TEXT NOT NULL,
    doc     TEXT NOT NULL,
    PRIMARY KEY (pool_id, name)
);

CREATE TABLE group_members (
    pool_id    TEXT NOT NULL,
    group_name TEXT NOT NULL,
    sub        TEXT NOT NULL,
    PRIMARY KEY (pool_id, group_name, sub),
    FOREIGN KEY (pool_id, group_name) REFERENCES user_groups (pool_id, name) ON DELETE CASCADE,
    FOREIGN KEY (pool_id, sub) REFERENCES users (pool_id, sub) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX group_members_by_user ON group_members (pool_id, sub, group_name);

CREATE TABLE signing_keys (
    pool_id    TEXT NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
    kid        TEXT NOT NULL,
    sealed     BLOB NOT NULL,
    public_jwk TEXT NOT NULL,
    created    INTEGER NOT NULL,
    retired    INTEGER,
    PRIMARY KEY (pool_id, kid)
);
