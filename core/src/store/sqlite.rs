//! The SQLite store: one file, WAL journal, `synchronous=FULL` so that an
//! acknowledged write survives a crash of the process or the machine.
//! SQLite has a single writer, so every write goes through a one-connection
//! pool with `BEGIN IMMEDIATE` (our writers queue instead of failing with
//! SQLITE_BUSY); reads use a small pool of their own.

use std::path::Path;
use std::time::Duration;

use futures::future::BoxFuture;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Sqlite, Transaction};
use uuid::Uuid;

use super::backend::{Backend, Dialect, TxResult};
use super::common::db;
use crate::error::{CognitoError, Result};

type Tx = Transaction<'static, Sqlite>;

pub struct SqliteStore {
    pub(super) write: SqlitePool,
    pub(super) read: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if needed) the database file and applies migrations.
    pub async fn open(path: &Path) -> Result<Self> {
        create_private(path)?;
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // With WAL, NORMAL may lose the last commits on power loss; FULL
            // syncs the WAL at every commit.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            // Other processes (a backup, the CLI) may hold the lock briefly.
            .busy_timeout(Duration::from_secs(10));
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options.clone())
            .await
            .map_err(db)?;
        sqlx::migrate!("./migrations/sqlite")
            .run(&write)
            .await
            .map_err(CognitoError::internal)?;
        let read = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(db)?;
        Ok(Self { write, read })
    }

    /// A write transaction on the one writer connection. IMMEDIATE takes
    /// the write lock at once, so a transaction that reads before it writes
    /// cannot fail with SQLITE_BUSY half-way.
    async fn begin(&self) -> Result<Tx> {
        self.write.begin_with("BEGIN IMMEDIATE").await.map_err(db)
    }

    /// Copies the whole WAL into the database file and empties it (after
    /// seeding: readers then find every page in the file, and the next
    /// open has no log to scan). Waits for readers in progress.
    #[doc(hidden)]
    pub async fn checkpoint(&self) -> Result<()> {
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&self.write)
            .await
            .map_err(db)?;
        Ok(())
    }
}

/// Creates the database file, if there is none, readable by its owner only
/// (0600, whatever the umask) before SQLite opens it: SQLite gives its
/// -wal and -shm files the mode of the database file.
fn create_private(path: &Path) -> Result<()> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let created = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path);
    match created {
        Ok(f) => f
            .set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(|e| {
                CognitoError::internal(format!("cannot set the mode of {}: {e}", path.display()))
            }),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(CognitoError::internal(format!(
            "cannot create {}: {e}",
            path.display()
        ))),
    }
}

impl Backend for SqliteStore {
    type Db = Sqlite;
    type Sub = String;
    const DIALECT: Dialect = Dialect::Sqlite;
    // One writer: sign-ups queue on the lock, not on a counter row.
    const COUNT_SHARDS: u8 = 1;
    // Stays under SQLite's bind limit.
    const BULK_CHUNK: usize = 400;

    fn writer(&self) -> &SqlitePool {
        &self.write
    }

    fn reader(&self) -> &SqlitePool {
        &self.read
    }

    fn sub(sub: Uuid) -> String {
        sub.to_string()
    }

    fn transaction<'a, T, F>(&'a self, body: F) -> BoxFuture<'a, Result<T>>
    where
        T: Send + 'a,
        F: Fn(Tx) -> BoxFuture<'a, TxResult<T>> + Send + Sync + 'a,
    {
        // The single writer: nothing to retry.
        Box::pin(async move { Ok(body(self.begin().await?).await?) })
    }

    fn bulk_transaction(&self) -> BoxFuture<'_, Result<Tx>> {
        Box::pin(async move {
            let mut tx = self.begin().await?;
            // Random UUID keys scatter the inserts over B-trees that outgrow
            // the default 2 MB page cache past ~100k users: every miss is a
            // read, and a transaction whose dirty pages overflow the cache
            // spills them to the WAL early. This connection (used for
            // seeding only) keeps up to 1 GiB of pages, so a big batch
            // writes each touched page once.
            sqlx::query("PRAGMA cache_size = -1048576")
                .execute(&mut *tx)
                .await
                .map_err(db)?;
            Ok(tx)
        })
    }
}
