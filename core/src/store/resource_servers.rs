//! The resource-server capability of the store (one small trait per
//! capability), one implementation for both backends. A resource
//! server is one JSON document keyed by pool and identifier.

use async_trait::async_trait;

use super::Page;
use super::common::{
    DocListing, db, from_json, is_fk_violation, is_unique_violation, pool_not_found, to_json,
};
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

const COUNT: &str = "SELECT COUNT(*) FROM resource_servers WHERE pool_id = $1";
const INSERT: &str = "INSERT INTO resource_servers (pool_id, identifier, doc) VALUES ($1, $2, $3)";
const GET: &str = "SELECT doc FROM resource_servers WHERE pool_id = $1 AND identifier = $2";
const UPDATE: &str = "UPDATE resource_servers SET doc = $1 WHERE pool_id = $2 AND identifier = $3";
const DELETE: &str = "DELETE FROM resource_servers WHERE pool_id = $1 AND identifier = $2";
const LIST: DocListing = DocListing {
    first: "SELECT identifier, doc FROM resource_servers WHERE pool_id = $1 \
            ORDER BY identifier LIMIT $2",
    after: "SELECT identifier, doc FROM resource_servers WHERE pool_id = $1 \
            AND identifier > $2 ORDER BY identifier LIMIT $3",
    key: "identifier",
    tag: TOKEN_TAG,
};

each_backend! {
    #[async_trait]
    impl ResourceServerStore for DbStore {
        async fn create_resource_server(&self, server: &ResourceServer) -> Result<()> {
            let doc = &to_json(server)?;
            self.transaction(move |mut tx| {
                Box::pin(async move {
                    DbStore::pool_quota(
                        &mut tx,
                        &server.user_pool_id,
                        COUNT,
                        MAX_RESOURCE_SERVERS_PER_POOL,
                        over_quota,
                    )
                    .await?;
                    sqlx::query(INSERT)
                        .bind(&server.user_pool_id)
                        .bind(&server.identifier)
                        .bind(doc)
                        .execute(&mut *tx)
                        .await
                        .map_err(|e| insert_error(e, server))?;
                    tx.commit().await?;
                    Ok(())
                })
            })
            .await
        }

        async fn get_resource_server(
            &self,
            pool_id: &str,
            identifier: &str,
        ) -> Result<Option<ResourceServer>> {
            let doc: Option<String> = sqlx::query_scalar(GET)
                .bind(pool_id)
                .bind(identifier)
                .fetch_optional(self.reader())
                .await
                .map_err(db)?;
            doc.map(|d| from_json(&d)).transpose()
        }

        async fn update_resource_server(&self, server: &ResourceServer) -> Result<()> {
            let query = sqlx::query(UPDATE)
                .bind(to_json(server)?)
                .bind(&server.user_pool_id)
                .bind(&server.identifier);
            if self.affected(query).await? == 0 {
                return Err(not_found(&server.identifier));
            }
            Ok(())
        }

        async fn delete_resource_server(&self, pool_id: &str, identifier: &str) -> Result<bool> {
            let query = sqlx::query(DELETE).bind(pool_id).bind(identifier);
            Ok(self.affected(query).await? > 0)
        }

        async fn list_resource_servers(
            &self,
            pool_id: &str,
            limit: usize,
            token: Option<&str>,
        ) -> Result<Page<ResourceServer>> {
            self.doc_page(&LIST, |q| q.bind(pool_id), limit, token)
                .await
        }
    }
}
