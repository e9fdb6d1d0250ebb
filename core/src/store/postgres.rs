//! The PostgreSQL store, which several Cognate nodes can share. Uniqueness
//! comes from primary keys written in the user's transaction (READ
//! COMMITTED; a second writer of the same key waits for the first and then
//! sees the clash). Writes that deadlock with another are retried.

use futures::future::BoxFuture;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{Postgres, Transaction};
use uuid::Uuid;

use super::backend::{Backend, Dialect, TxError, TxResult};
use super::common::db;
use crate::error::{CognitoError, Result};

/// Attempts at a write that lost a deadlock or serialization race.
const WRITE_ATTEMPTS: usize = 4;

type Tx = Transaction<'static, Postgres>;

pub struct PgStore {
    pub(super) pool: PgPool,
}

/// 40001 serialization_failure, 40P01 deadlock_detected: the transaction
/// was rolled back and running it again is safe.
fn is_retryable(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .and_then(|d| d.code())
        .is_some_and(|c| c == "40001" || c == "40P01")
}

async fn retrying<T, F, Fut>(f: F) -> Result<T>
where
    F: Fn() -> Fut,
    Fut: Future<Output = TxResult<T>>,
{
    let mut attempt = 1;
    loop {
        match f().await {
            Ok(v) => return Ok(v),
            Err(TxError::Fail(e)) => return Err(e),
            Err(TxError::Db(e)) if attempt < WRITE_ATTEMPTS && is_retryable(&e) => {
                tracing::debug!(error = %e, attempt, "retrying store write");
                attempt += 1;
            }
            Err(TxError::Db(e)) => return Err(db(e)),
        }
    }
}

impl PgStore {
    /// Connects to `url` and applies migrations.
    pub async fn connect(url: &str) -> Result<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .connect_with(Self::connect_options(url)?)
            .await
            .map_err(db)?;
        Self::from_pool(pool).await
    }

    /// The connection settings the store expects; a pool given to
    /// [`PgStore::from_pool`] should be built from them.
    pub fn connect_options(url: &str) -> Result<PgConnectOptions> {
        let options: PgConnectOptions = url.parse().map_err(db)?;
        // Every statement here is a key lookup or a bounded index range, for
        // which the generic plan is right. Left to choose, PostgreSQL keeps
        // re-planning the range queries on each call (a generic range on
        // parameters looks costly), which tripled their latency. And at 1M
        // users that generic estimate asks for a parallel worker, whose
        // start-up alone cost 9 ms on a query that reads one index page.
        Ok(options.options([
            ("plan_cache_mode", "force_generic_plan"),
            ("max_parallel_workers_per_gather", "0"),
        ]))
    }

    /// Uses an already-built pool (its connections decide the schema, e.g.
    /// through `search_path`) and applies migrations.
    pub async fn from_pool(pool: PgPool) -> Result<Self> {
        sqlx::migrate!("./migrations/postgres")
            .run(&pool)
            .await
            .map_err(CognitoError::internal)?;
        Ok(Self { pool })
    }
}

impl Backend for PgStore {
    type Db = Postgres;
    type Sub = Uuid;
    const DIALECT: Dialect = Dialect::Postgres;
    // Enough that concurrent sign-ups rarely meet on one row, few enough
    // that summing them is free.
    const COUNT_SHARDS: u8 = 16;
    // Stays under the 65535-bind limit.
    const BULK_CHUNK: usize = 1000;

    fn writer(&self) -> &PgPool {
        &self.pool
    }

    fn reader(&self) -> &PgPool {
        &self.pool
    }

    fn sub(sub: Uuid) -> Uuid {
        sub
    }

    fn transaction<'a, T, F>(&'a self, body: F) -> BoxFuture<'a, Result<T>>
    where
        T: Send + 'a,
        F: Fn(Tx) -> BoxFuture<'a, TxResult<T>> + Send + Sync + 'a,
    {
        Box::pin(async move {
            let body = &body;
            retrying(move || async move { body(self.pool.begin().await?).await }).await
        })
    }

    fn bulk_transaction(&self) -> BoxFuture<'_, Result<Tx>> {
        Box::pin(async move { self.pool.begin().await.map_err(db) })
    }
}
