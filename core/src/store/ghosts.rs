//! The ghost-attempt capability of the store: failed sign-ins and code
//! attempts on names no user has, kept so that under
//! PreventUserExistenceErrors an unknown name locks out and runs out of
//! code attempts exactly as a real user does — across restarts and nodes.
//! One SQL text serves both backends (sqlx's SQLite driver takes `$N`).

use async_trait::async_trait;
use sqlx::Row;

use super::common::db;
use crate::clock::Timestamp;
use crate::error::Result;

/// One unknown name's attempts for one purpose (`sign-in`, `code:reset`, …).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GhostRecord {
    pub pool_id: String,
    /// Lower-cased, so case variants of one name share a record.
    pub name: String,
    pub purpose: String,
    /// The purpose's state as JSON (see `service::lockout`).
    pub doc: String,
    /// When the record may be forgotten.
    pub expires: Timestamp,
}

#[async_trait]
pub trait GhostStore: Send + Sync {
    async fn get_ghost(
        &self,
        pool_id: &str,
        name: &str,
        purpose: &str,
    ) -> Result<Option<GhostRecord>>;
    /// Inserts or replaces the record; a pool that is gone takes none.
    async fn put_ghost(&self, record: &GhostRecord) -> Result<()>;
    /// Housekeeping: deletes records that expired before `before`.
    async fn delete_expired_ghosts(&self, before: Timestamp) -> Result<u64>;
}

const GET: &str = "SELECT doc, expires FROM ghost_attempts \
                   WHERE pool_id = $1 AND name = $2 AND purpose = $3";
// Only for a pool that exists (the foreign key would refuse it otherwise).
const PUT: &str = "INSERT INTO ghost_attempts (pool_id, name, purpose, doc, expires) \
                   SELECT $1, $2, $3, $4, $5 WHERE EXISTS (SELECT 1 FROM pools WHERE id = $1) \
                   ON CONFLICT (pool_id, name, purpose) \
                   DO UPDATE SET doc = excluded.doc, expires = excluded.expires";
const PURGE: &str = "DELETE FROM ghost_attempts WHERE expires < $1";

each_backend! {
    #[async_trait]
    impl GhostStore for DbStore {
        async fn get_ghost(
            &self,
            pool_id: &str,
            name: &str,
            purpose: &str,
        ) -> Result<Option<GhostRecord>> {
            let row = sqlx::query(GET)
                .bind(pool_id)
                .bind(name)
                .bind(purpose)
                .fetch_optional(self.reader())
                .await
                .map_err(db)?;
            let Some(row) = row else { return Ok(None) };
            Ok(Some(GhostRecord {
                pool_id: pool_id.to_owned(),
                name: name.to_owned(),
                purpose: purpose.to_owned(),
                doc: row.try_get("doc").map_err(db)?,
                expires: Timestamp(row.try_get("expires").map_err(db)?),
            }))
        }

        async fn put_ghost(&self, r: &GhostRecord) -> Result<()> {
            sqlx::query(PUT)
                .bind(&r.pool_id)
                .bind(&r.name)
                .bind(&r.purpose)
                .bind(&r.doc)
                .bind(r.expires.0)
                .execute(self.writer())
                .await
                .map_err(db)?;
            Ok(())
        }

        async fn delete_expired_ghosts(&self, before: Timestamp) -> Result<u64> {
            let query = sqlx::query(PURGE).bind(before.0);
            self.affected(query).await
        }
    }
}
