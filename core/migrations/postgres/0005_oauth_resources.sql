-- The OAuth face of a pool: resource servers (custom scopes), domains
-- (where the hosted UI answers) and hosted-UI customizations. Everything
-- goes with its pool; a client's customization goes with its client.

-- Cognito API: ResourceServerType; the document is the whole type.
CREATE TABLE resource_servers (
    pool_id    TEXT COLLATE "C" NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
    identifier TEXT COLLATE "C" NOT NULL,
    doc        JSONB NOT NULL,
    PRIMARY KEY (pool_id, identifier)
);

-- A domain is unique across all pools (the primary key); a pool has at most
-- one domain of each kind ('prefix', 'custom').
CREATE TABLE domains (
    domain                TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    pool_id               TEXT COLLATE "C" NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
    kind                  TEXT NOT NULL,
    custom_config         JSONB,
    managed_login_version BIGINT NOT NULL,
    created               BIGINT NOT NULL,
    modified              BIGINT NOT NULL,
    UNIQUE (pool_id, kind)
);

-- One row per pool ('ALL') and per customized client (target = client id,
-- with client_id set so the row goes with the client).
CREATE TABLE ui_customizations (
    pool_id     TEXT COLLATE "C" NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
    target      TEXT COLLATE "C" NOT NULL,
    client_id   TEXT COLLATE "C" REFERENCES clients (client_id) ON DELETE CASCADE,
    css         TEXT,
    image       BYTEA,
    image_type  TEXT,
    css_version TEXT NOT NULL,
    created     BIGINT NOT NULL,
    modified    BIGINT NOT NULL,
    PRIMARY KEY (pool_id, target)
);
CREATE INDEX ui_customizations_by_client ON ui_customizations (client_id);
