//! The app-client capability of the store: a client is one JSON document,
//! keyed by its id alone (public actions name only the client) and listed
//! per pool.

use async_trait::async_trait;

use super::Page;
use super::common::{
    DocListing, client_not_found, db, from_json, is_fk_violation, pool_not_found, to_json,
};
use crate::error::Result;
use crate::model::UserPoolClient;

#[async_trait]
pub trait ClientStore: Send + Sync {
    /// ResourceNotFound if the pool is gone.
    async fn create_client(&self, client: &UserPoolClient) -> Result<()>;
    async fn get_client(&self, pool_id: &str, client_id: &str) -> Result<Option<UserPoolClient>>;
    /// Finds a client by id alone (public actions name only the client).
    async fn find_client(&self, client_id: &str) -> Result<Option<UserPoolClient>>;
    async fn update_client(&self, client: &UserPoolClient) -> Result<()>;
    async fn delete_client(&self, pool_id: &str, client_id: &str) -> Result<bool>;
    async fn list_clients(
        &self,
        pool_id: &str,
        limit: usize,
        token: Option<&str>,
    ) -> Result<Page<UserPoolClient>>;
}

const INSERT: &str =
    "INSERT INTO clients (client_id, pool_id, created, doc) VALUES ($1, $2, $3, $4)";
const GET: &str = "SELECT doc FROM clients WHERE client_id = $1 AND pool_id = $2";
const FIND: &str = "SELECT doc FROM clients WHERE client_id = $1";
const UPDATE: &str = "UPDATE clients SET doc = $1 WHERE client_id = $2 AND pool_id = $3";
const DELETE: &str = "DELETE FROM clients WHERE client_id = $1 AND pool_id = $2";
const LIST: DocListing = DocListing {
    first: "SELECT client_id, doc FROM clients WHERE pool_id = $1 ORDER BY client_id LIMIT $2",
    after: "SELECT client_id, doc FROM clients WHERE pool_id = $1 AND client_id > $2 \
            ORDER BY client_id LIMIT $3",
    key: "client_id",
    tag: "c",
};

each_backend! {
    #[async_trait]
    impl ClientStore for DbStore {
        async fn create_client(&self, client: &UserPoolClient) -> Result<()> {
            let r = sqlx::query(INSERT)
                .bind(&client.client_id)
                .bind(&client.user_pool_id)
                .bind(client.creation_date.0)
                .bind(to_json(client)?)
                .execute(self.writer())
                .await;
            match r {
                Ok(_) => Ok(()),
                Err(e) if is_fk_violation(&e) => Err(pool_not_found(&client.user_pool_id)),
                Err(e) => Err(db(e)),
            }
        }

        async fn get_client(
            &self,
            pool_id: &str,
            client_id: &str,
        ) -> Result<Option<UserPoolClient>> {
            let doc: Option<String> = sqlx::query_scalar(GET)
                .bind(client_id)
                .bind(pool_id)
                .fetch_optional(self.reader())
                .await
                .map_err(db)?;
            doc.map(|d| from_json(&d)).transpose()
        }

        async fn find_client(&self, client_id: &str) -> Result<Option<UserPoolClient>> {
            let doc: Option<String> = sqlx::query_scalar(FIND)
                .bind(client_id)
                .fetch_optional(self.reader())
                .await
                .map_err(db)?;
            doc.map(|d| from_json(&d)).transpose()
        }

        async fn update_client(&self, client: &UserPoolClient) -> Result<()> {
            let query = sqlx::query(UPDATE)
                .bind(to_json(client)?)
                .bind(&client.client_id)
                .bind(&client.user_pool_id);
            if self.affected(query).await? == 0 {
                return Err(client_not_found(&client.client_id));
            }
            Ok(())
        }

        async fn delete_client(&self, pool_id: &str, client_id: &str) -> Result<bool> {
            let query = sqlx::query(DELETE).bind(client_id).bind(pool_id);
            Ok(self.affected(query).await? > 0)
        }

        async fn list_clients(
            &self,
            pool_id: &str,
            limit: usize,
            token: Option<&str>,
        ) -> Result<Page<UserPoolClient>> {
            self.doc_page(&LIST, |q| q.bind(pool_id), limit, token)
                .await
        }
    }
}
