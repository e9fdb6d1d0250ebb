//! The resource-server capability of the store (one small trait per
//! capability), with its SQLite and PostgreSQL implementations. A resource
//! server is one JSON document keyed by pool and identifier.

use async_trait::async_trait;
use sqlx::Row;

use super::Page;
use super::common::{
    db, decode_key_token, encode_token, from_json, is_fk_violation, is_unique_violation,
    page_limits, paginate, pool_not_found, to_json,
};
use super::postgres::PgStore;
use super::sqlite::SqliteStore;
use crate::error::{CognitoError, Result};
use crate::model::resource_server::{MAX_RESOURCE_SERVERS_PER_POOL, ResourceServer};

#[async_trait]
pub trait ResourceServerStore: Send + Sync {
    /// Adds a resource server. ResourceNotFound if the pool is gone;
    /// InvalidParameter if the identifier is taken in the pool;
    /// LimitExceeded if the pool already has its quota of them.
    async fn create_resource_server(&self, server: &ResourceServer) -> Result<()>;
    async fn get_resource_server(
        &self,
        pool_id: &str,
        identifier: &str,
    ) -> Result<Option<ResourceServer>>;
    /// Replaces a resource server's name and scopes; ResourceNotFound if it is gone.
    async fn update_resource_server(&self, server: &ResourceServer) -> Result<()>;
    /// False if it did not exist.
    async fn delete_resource_server(&self, pool_id: &str, identifier: &str) -> Result<bool>;
    /// A pool's resource servers in identifier order.
    async fn list_resource_servers(
        &self,
        pool_id: &str,
        limit: usize,
        token: Option<&str>,
    ) -> Result<Page<ResourceServer>>;
}

const TOKEN_TAG: &str = "rs";

fn exists(server: &ResourceServer) -> CognitoError {
    CognitoError::invalid_parameter(format!(
        "A resource server with identifier {} already exists in user pool {}.",
        server.identifier, server.user_pool_id
    ))
}

fn over_quota() -> CognitoError {
    CognitoError::LimitExceeded(format!(
        "The user pool already has the maximum of {MAX_RESOURCE_SERVERS_PER_POOL} resource servers."
    ))
}

fn not_found(identifier: &str) -> CognitoError {
    CognitoError::ResourceNotFound(format!("Resource server {identifier} does not exist."))
}

fn insert_error(e: sqlx::Error, server: &ResourceServer) -> CognitoError {
    if is_fk_violation(&e) {
        pool_not_found(&server.user_pool_id)
    } else if is_unique_violation(&e) {
        exists(server)
    } else {
        db(e)
    }
}

fn page_row<R: Row>(row: &R) -> Result<(String, ResourceServer)>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let identifier: String = row.try_get("identifier").map_err(db)?;
    let doc: String = row.try_get("doc").map_err(db)?;
    Ok((identifier, from_json(&doc)?))
}

// ---------------------------------------------------------------- SQLite

#[async_trait]
impl ResourceServerStore for SqliteStore {
    async fn create_resource_server(&self, server: &ResourceServer) -> Result<()> {
        let doc = to_json(server)?;
        // One writer: the count and the insert cannot interleave with another's.
        let mut tx = self.write.begin_with("BEGIN IMMEDIATE").await.map_err(db)?;
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM resource_servers WHERE pool_id = ?")
            .bind(&server.user_pool_id)
            .fetch_one(&mut *tx)
            .await
            .map_err(db)?;
        if n as usize >= MAX_RESOURCE_SERVERS_PER_POOL {
            return Err(over_quota());
        }
        sqlx::query("INSERT INTO resource_servers (pool_id, identifier, doc) VALUES (?, ?, ?)")
            .bind(&server.user_pool_id)
            .bind(&server.identifier)
            .bind(doc)
            .execute(&mut *tx)
            .await
            .map_err(|e| insert_error(e, server))?;
        tx.commit().await.map_err(db)
    }

    async fn get_resource_server(
        &self,
        pool_id: &str,
        identifier: &str,
    ) -> Result<Option<ResourceServer>> {
        let doc: Option<String> = sqlx::query_scalar(
            "SELECT doc FROM resource_servers WHERE pool_id = ? AND identifier = ?",
        )
        .bind(pool_id)
        .bind(identifier)
        .fetch_optional(&self.read)
        .await
        .map_err(db)?;
        doc.map(|d| from_json(&d)).transpose()
    }

    async fn update_resource_server(&self, server: &ResourceServer) -> Result<()> {
        let done =
            sqlx::query("UPDATE resource_servers SET doc = ? WHERE pool_id = ? AND identifier = ?")
                .bind(to_json(server)?)
                .bind(&server.user_pool_id)
                .bind(&server.identifier)
                .execute(&self.write)
                .await
                .map_err(db)?;
        if done.rows_affected() == 0 {
            return Err(not_found(&server.identifier));
        }
        Ok(())
    }

    async fn delete_resource_server(&self, pool_id: &str, identifier: &str) -> Result<bool> {
        let done = sqlx::query("DELETE FROM resource_servers WHERE pool_id = ? AND identifier = ?")
            .bind(pool_id)
            .bind(identifier)
            .execute(&self.write)
            .await
            .map_err(db)?;
        Ok(done.rows_affected() > 0)
    }

    async fn list_resource_servers(
        &self,
        pool_id: &str,
        limit: usize,
        token: Option<&str>,
    ) -> Result<Page<ResourceServer>> {
        let (limit, fetch) = page_limits(limit);
        let after = decode_key_token(token, TOKEN_TAG)?;
        let rows = match &after {
            Some(a) => sqlx::query(
                "SELECT identifier, doc FROM resource_servers \
                 WHERE pool_id = ? AND identifier > ? ORDER BY identifier LIMIT ?",
            )
            .bind(pool_id)
            .bind(a)
            .bind(fetch),
            None => sqlx::query(
                "SELECT identifier, doc FROM resource_servers \
                 WHERE pool_id = ? ORDER BY identifier LIMIT ?",
            )
            .bind(pool_id)
            .bind(fetch),
        }
        .fetch_all(&self.read)
        .await
        .map_err(db)?;
        let rows = rows.iter().map(page_row).collect::<Result<Vec<_>>>()?;
        Ok(paginate(rows, limit, |id| encode_token(TOKEN_TAG, &[id])))
    }
}

// ---------------------------------------------------------------- PostgreSQL

#[async_trait]
impl ResourceServerStore for PgStore {
    async fn create_resource_server(&self, server: &ResourceServer) -> Result<()> {
        let doc = to_json(server)?;
        let mut tx = self.pool.begin().await.map_err(db)?;
        // Locking the pool row serializes creations in one pool, so the
        // quota holds under concurrent writers and across nodes.
        let locked: Option<String> =
            sqlx::query_scalar("SELECT id FROM pools WHERE id = $1 FOR UPDATE")
                .bind(&server.user_pool_id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db)?;
        if locked.is_none() {
            return Err(pool_not_found(&server.user_pool_id));
        }
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM resource_servers WHERE pool_id = $1")
            .bind(&server.user_pool_id)
            .fetch_one(&mut *tx)
            .await
            .map_err(db)?;
        if n as usize >= MAX_RESOURCE_SERVERS_PER_POOL {
            return Err(over_quota());
        }
        sqlx::query(
            "INSERT INTO resource_servers (pool_id, identifier, doc) VALUES ($1, $2, $3::jsonb)",
        )
        .bind(&server.user_pool_id)
        .bind(&server.identifier)
        .bind(doc)
        .execute(&mut *tx)
        .await
        .map_err(|e| insert_error(e, server))?;
        tx.commit().await.map_err(db)
    }

    async fn get_resource_server(
        &self,
        pool_id: &str,
        identifier: &str,
    ) -> Result<Option<ResourceServer>> {
        let doc: Option<String> = sqlx::query_scalar(
            "SELECT doc::text FROM resource_servers WHERE pool_id = $1 AND identifier = $2",
        )
        .bind(pool_id)
        .bind(identifier)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        doc.map(|d| from_json(&d)).transpose()
    }

    async fn update_resource_server(&self, server: &ResourceServer) -> Result<()> {
        let done = sqlx::query(
            "UPDATE resource_servers SET doc = $1::jsonb WHERE pool_id = $2 AND identifier = $3",
        )
        .bind(to_json(server)?)
        .bind(&server.user_pool_id)
        .bind(&server.identifier)
        .execute(&self.pool)
        .await
        .map_err(db)?;
        if done.rows_affected() == 0 {
            return Err(not_found(&server.identifier));
        }
        Ok(())
    }

    async fn delete_resource_server(&self, pool_id: &str, identifier: &str) -> Result<bool> {
        let done =
            sqlx::query("DELETE FROM resource_servers WHERE pool_id = $1 AND identifier = $2")
                .bind(pool_id)
                .bind(identifier)
                .execute(&self.pool)
                .await
                .map_err(db)?;
        Ok(done.rows_affected() > 0)
    }

    async fn list_resource_servers(
        &self,
        pool_id: &str,
        limit: usize,
        token: Option<&str>,
    ) -> Result<Page<ResourceServer>> {
        let (limit, fetch) = page_limits(limit);
        let after = decode_key_token(token, TOKEN_TAG)?;
        let rows = match &after {
            Some(a) => sqlx::query(
                "SELECT identifier, doc::text AS doc FROM resource_servers \
                 WHERE pool_id = $1 AND identifier > $2 ORDER BY identifier LIMIT $3",
            )
            .bind(pool_id)
            .bind(a)
            .bind(fetch),
            None => sqlx::query(
                "SELECT identifier, doc::text AS doc FROM resource_servers \
                 WHERE pool_id = $1 ORDER BY identifier LIMIT $2",
            )
            .bind(pool_id)
            .bind(fetch),
        }
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        let rows = rows.iter().map(page_row).collect::<Result<Vec<_>>>()?;
        Ok(paginate(rows, limit, |id| encode_token(TOKEN_TAG, &[id])))
    }
}
