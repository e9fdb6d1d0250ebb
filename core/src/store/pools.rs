//! The user-pool capability of the store: a pool is one JSON document; its
//! EstimatedNumberOfUsers comes from a counter that user writes keep in
//! their own transactions (`users.rs`).

use async_trait::async_trait;
use sqlx::Row;

use super::Page;
use super::common::{
    db, decode_key_token, encode_token, page_limits, paginate, pool_from_row, pool_not_found,
    to_json,
};
use crate::error::Result;
use crate::model::UserPool;

#[async_trait]
pub trait PoolStore: Send + Sync {
    /// Fails with ResourceNotFound-free semantics: a clashing id is an internal error.
    async fn create_pool(&self, pool: &UserPool) -> Result<()>;
    /// The pool with EstimatedNumberOfUsers from a counter kept in the same
    /// transactions as user writes (cheap to read; `count_users` counts rows).
    async fn get_pool(&self, pool_id: &str) -> Result<Option<UserPool>>;
    /// Replaces a pool's stored settings; ResourceNotFound if it is gone.
    async fn update_pool(&self, pool: &UserPool) -> Result<()>;
    /// Deletes a pool and everything in it; false if it did not exist.
    async fn delete_pool(&self, pool_id: &str) -> Result<bool>;
    async fn list_pools(&self, limit: usize, token: Option<&str>) -> Result<Page<UserPool>>;
}

const INSERT: &str = "INSERT INTO pools (id, name, created, doc) VALUES ($1, $2, $3, $4)";
// SUM is NUMERIC in PostgreSQL; the cast makes it BIGINT in both.
const SELECT: &str = "SELECT p.id, p.doc, \
     CAST(COALESCE((SELECT SUM(c.n) FROM user_counts c WHERE c.pool_id = p.id), 0) AS BIGINT) \
     AS users FROM pools p";
const UPDATE: &str = "UPDATE pools SET name = $1, doc = $2 WHERE id = $3";
const DELETE: &str = "DELETE FROM pools WHERE id = $1";

each_backend! {
    fn pool_row(row: &DbRow) -> Result<(String, UserPool)> {
        let id: String = row.try_get("id").map_err(db)?;
        let doc: String = row.try_get("doc").map_err(db)?;
        let users: i64 = row.try_get("users").map_err(db)?;
        Ok((id, pool_from_row(&doc, users)?))
    }

    #[async_trait]
    impl PoolStore for DbStore {
        async fn create_pool(&self, pool: &UserPool) -> Result<()> {
            sqlx::query(INSERT)
                .bind(&pool.id)
                .bind(&pool.name)
                .bind(pool.creation_date.0)
                .bind(to_json(pool)?)
                .execute(self.writer())
                .await
                .map_err(db)?;
            Ok(())
        }

        async fn get_pool(&self, pool_id: &str) -> Result<Option<UserPool>> {
            let row = sqlx::query(&format!("{SELECT} WHERE p.id = $1"))
                .bind(pool_id)
                .fetch_optional(self.reader())
                .await
                .map_err(db)?;
            row.map(|r| pool_row(&r).map(|(_, p)| p)).transpose()
        }

        async fn update_pool(&self, pool: &UserPool) -> Result<()> {
            let query = sqlx::query(UPDATE)
                .bind(&pool.name)
                .bind(to_json(pool)?)
                .bind(&pool.id);
            if self.affected(query).await? == 0 {
                return Err(pool_not_found(&pool.id));
            }
            Ok(())
        }

        async fn delete_pool(&self, pool_id: &str) -> Result<bool> {
            let query = sqlx::query(DELETE).bind(pool_id);
            Ok(self.affected(query).await? > 0)
        }

        async fn list_pools(&self, limit: usize, token: Option<&str>) -> Result<Page<UserPool>> {
            let (limit, fetch) = page_limits(limit);
            let after = decode_key_token(token, "p")?;
            let sql = match after {
                Some(_) => format!("{SELECT} WHERE p.id > $1 ORDER BY p.id LIMIT $2"),
                None => format!("{SELECT} ORDER BY p.id LIMIT $1"),
            };
            let mut q = sqlx::query(&sql);
            if let Some(a) = &after {
                q = q.bind(a);
            }
            let rows = q.bind(fetch).fetch_all(self.reader()).await.map_err(db)?;
            let rows = rows.iter().map(pool_row).collect::<Result<Vec<_>>>()?;
            Ok(paginate(rows, limit, |id| encode_token("p", &[id])))
        }
    }
}
