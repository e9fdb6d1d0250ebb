-- JSON documents as TEXT, as SQLite keeps them: the store writes and reads
-- each document whole and never queries inside one, so one SQL text (no
-- ::jsonb casts) serves both backends. Existing documents are kept as
-- their JSON text.
ALTER TABLE pools ALTER COLUMN doc TYPE TEXT USING doc::text;
ALTER TABLE clients ALTER COLUMN doc TYPE TEXT USING doc::text;
ALTER TABLE users
    ALTER COLUMN attributes TYPE TEXT USING attributes::text,
    ALTER COLUMN settings TYPE TEXT USING settings::text;
ALTER TABLE user_groups ALTER COLUMN doc TYPE TEXT USING doc::text;
ALTER TABLE resource_servers ALTER COLUMN doc TYPE TEXT USING doc::text;
ALTER TABLE domains ALTER COLUMN custom_config TYPE TEXT USING custom_config::text;
