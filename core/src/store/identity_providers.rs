//! The federation capability of the store, one implementation for both
//! backends: a pool's identity providers (one JSON document each, its
//! secrets already sealed by the service), the identifiers that name them
//! (unique in the pool by the primary key), and the upstream identities
//! linked to users (AdminLinkProviderForUser).

use async_trait::async_trait;
use sqlx::Row;
use uuid::Uuid;

use super::Page;
use super::common::{
    DocListing, db, from_json, is_fk_violation, is_unique_violation, pool_not_found, to_json,
};
use crate::clock::Timestamp;
use crate::error::{CognitoError, Result};
use crate::model::identity_provider::{IdentityProvider, MAX_IDENTITY_PROVIDERS_PER_POOL};

/// An upstream identity that signs in as a user of the pool: the
/// provider, the attribute that names the identity (`Cognito_Subject` or a
/// mapped attribute) and its value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderLink {
    pub pool_id: String,
    pub provider_name: String,
    pub attribute_name: String,
    pub attribute_value: String,
    pub sub: Uuid,
    pub created: Timestamp,
}

#[async_trait]
pub trait IdentityProviderStore: Send + Sync {
    /// Adds a provider and its identifiers. ResourceNotFound if the pool
    /// is gone; DuplicateProvider if the name is taken in the pool;
    /// InvalidParameter if an identifier is; LimitExceeded over the quota.
    async fn create_identity_provider(&self, idp: &IdentityProvider) -> Result<()>;
    async fn get_identity_provider(
        &self,
        pool_id: &str,
        provider_name: &str,
    ) -> Result<Option<IdentityProvider>>;
    /// The provider an identifier names.
    async fn find_identity_provider_by_identifier(
        &self,
        pool_id: &str,
        identifier: &str,
    ) -> Result<Option<IdentityProvider>>;
    /// Replaces a provider's document and identifiers; ResourceNotFound if
    /// it is gone, InvalidParameter if an identifier is another's.
    async fn update_identity_provider(&self, idp: &IdentityProvider) -> Result<()>;
    /// False if it did not exist. Its identifiers go with it.
    async fn delete_identity_provider(&self, pool_id: &str, provider_name: &str) -> Result<bool>;
    /// A pool's providers in name order.
    async fn list_identity_providers(
        &self,
        pool_id: &str,
        limit: usize,
        token: Option<&str>,
    ) -> Result<Page<IdentityProvider>>;
    /// Links an upstream identity to a user. UserNotFound if the user is
    /// gone; InvalidParameter if the identity is already linked;
    /// LimitExceeded if the user already has `max_per_user` links.
    async fn link_provider(&self, link: &ProviderLink, max_per_user: usize) -> Result<()>;
    /// The user an upstream identity is linked to.
    async fn find_provider_link(
        &self,
        pool_id: &str,
        provider_name: &str,
        attribute_name: &str,
        attribute_value: &str,
    ) -> Result<Option<Uuid>>;
    /// The links of one user, oldest first.
    async fn links_of_user(&self, pool_id: &str, sub: Uuid) -> Result<Vec<ProviderLink>>;
    /// Removes the links of an upstream identity (any attribute name when
    /// `attribute_name` is `None`); the users they pointed to, deduplicated.
    async fn unlink_provider(
        &self,
        pool_id: &str,
        provider_name: &str,
        attribute_name: Option<&str>,
        attribute_value: &str,
    ) -> Result<Vec<Uuid>>;
}

const TOKEN_TAG: &str = "idp";

fn duplicate(idp: &IdentityProvider) -> CognitoError {
    CognitoError::DuplicateProvider(format!(
        "A provider with the name {} already exists in this user pool.",
        idp.provider_name
    ))
}

fn identifier_taken(identifier: &str) -> CognitoError {
    CognitoError::invalid_parameter(format!(
        "The identifier {identifier} is already used by another provider of this user pool."
    ))
}

fn over_quota() -> CognitoError {
    CognitoError::LimitExceeded(format!(
        "The user pool already has the maximum of {MAX_IDENTITY_PROVIDERS_PER_POOL} identity providers."
    ))
}

fn not_found(name: &str) -> CognitoError {
    CognitoError::ResourceNotFound(format!("Identity provider {name} does not exist."))
}

const COUNT: &str = "SELECT COUNT(*) FROM identity_providers WHERE pool_id = $1";
const INSERT: &str =
    "INSERT INTO identity_providers (pool_id, provider_name, doc) VALUES ($1, $2, $3)";
const INSERT_IDENTIFIER: &str =
    "INSERT INTO idp_identifiers (pool_id, identifier, provider_name) VALUES ($1, $2, $3)";
const DELETE_IDENTIFIERS: &str =
    "DELETE FROM idp_identifiers WHERE pool_id = $1 AND provider_name = $2";
const GET: &str = "SELECT doc FROM identity_providers WHERE pool_id = $1 AND provider_name = $2";
const BY_IDENTIFIER: &str = "SELECT p.doc FROM idp_identifiers i \
     JOIN identity_providers p ON p.pool_id = i.pool_id AND p.provider_name = i.provider_name \
     WHERE i.pool_id = $1 AND i.identifier = $2";
const UPDATE: &str =
    "UPDATE identity_providers SET doc = $1 WHERE pool_id = $2 AND provider_name = $3";
const DELETE: &str = "DELETE FROM identity_providers WHERE pool_id = $1 AND provider_name = $2";
const LIST: DocListing = DocListing {
    first: "SELECT provider_name, doc FROM identity_providers WHERE pool_id = $1 \
            ORDER BY provider_name LIMIT $2",
    after: "SELECT provider_name, doc FROM identity_providers WHERE pool_id = $1 \
            AND provider_name > $2 ORDER BY provider_name LIMIT $3",
    key: "provider_name",
    tag: TOKEN_TAG,
};
const USER_EXISTS: &str = "SELECT EXISTS (SELECT 1 FROM users WHERE pool_id = $1 AND sub = $2)";
const COUNT_LINKS: &str = "SELECT COUNT(*) FROM provider_links WHERE pool_id = $1 AND sub = $2";
const INSERT_LINK: &str = "INSERT INTO provider_links \
     (pool_id, provider_name, attribute_name, attribute_value, sub, created) \
     VALUES ($1, $2, $3, $4, $5, $6)";
const FIND_LINK: &str = "SELECT CAST(sub AS TEXT) AS sub FROM provider_links WHERE pool_id = $1 \
     AND provider_name = $2 AND attribute_name = $3 AND attribute_value = $4";
const LINKS_OF_USER: &str = "SELECT provider_name, attribute_name, attribute_value, created \
     FROM provider_links WHERE pool_id = $1 AND sub = $2 \
     ORDER BY created, provider_name, attribute_name, attribute_value";
const UNLINK_ANY: &str = "DELETE FROM provider_links WHERE pool_id = $1 \
     AND provider_name = $2 AND attribute_value = $3 RETURNING CAST(sub AS TEXT) AS sub";
const UNLINK_ONE: &str = "DELETE FROM provider_links WHERE pool_id = $1 \
     AND provider_name = $2 AND attribute_value = $3 AND attribute_name = $4 RETURNING CAST(sub AS TEXT) AS sub";

fn user_not_found() -> CognitoError {
    CognitoError::UserNotFound("User does not exist.".into())
}

each_backend! {
    impl DbStore {
        /// Writes a provider's identifiers (after its row): an identifier
        /// another provider holds is the caller's error.
        async fn insert_identifiers(tx: &mut Tx, idp: &IdentityProvider) -> TxResult<()> {
            for id in &idp.idp_identifiers {
                sqlx::query(INSERT_IDENTIFIER)
                    .bind(&idp.user_pool_id)
                    .bind(id)
                    .bind(&idp.provider_name)
                    .execute(&mut **tx)
                    .await
                    .map_err(|e| {
                        if is_unique_violation(&e) {
                            identifier_taken(id).into()
                        } else {
                            TxError::from(e)
                        }
                    })?;
            }
            Ok(())
        }

        fn sub_of(row: &DbRow) -> Result<Uuid> {
            let sub: String = row.try_get("sub").map_err(db)?;
            Uuid::parse_str(&sub).map_err(CognitoError::internal)
        }
    }

    #[async_trait]
    impl IdentityProviderStore for DbStore {
        async fn create_identity_provider(&self, idp: &IdentityProvider) -> Result<()> {
            let doc = &to_json(idp)?;
            self.transaction(move |mut tx| {
                Box::pin(async move {
                    DbStore::pool_quota(
                        &mut tx,
                        &idp.user_pool_id,
                        COUNT,
                        MAX_IDENTITY_PROVIDERS_PER_POOL,
                        over_quota,
                    )
                    .await?;
                    sqlx::query(INSERT)
                        .bind(&idp.user_pool_id)
                        .bind(&idp.provider_name)
                        .bind(doc)
                        .execute(&mut *tx)
                        .await
                        .map_err(|e| {
                            if is_unique_violation(&e) {
                                duplicate(idp).into()
                            } else if is_fk_violation(&e) {
                                pool_not_found(&idp.user_pool_id).into()
                            } else {
                                TxError::from(e)
                            }
                        })?;
                    DbStore::insert_identifiers(&mut tx, idp).await?;
                    tx.commit().await?;
                    Ok(())
                })
            })
            .await
        }

        async fn get_identity_provider(
            &self,
            pool_id: &str,
            provider_name: &str,
        ) -> Result<Option<IdentityProvider>> {
            let doc: Option<String> = sqlx::query_scalar(GET)
                .bind(pool_id)
                .bind(provider_name)
                .fetch_optional(self.reader())
                .await
                .map_err(db)?;
            doc.map(|d| from_json(&d)).transpose()
        }

        async fn find_identity_provider_by_identifier(
            &self,
            pool_id: &str,
            identifier: &str,
        ) -> Result<Option<IdentityProvider>> {
            let doc: Option<String> = sqlx::query_scalar(BY_IDENTIFIER)
                .bind(pool_id)
                .bind(identifier)
                .fetch_optional(self.reader())
                .await
                .map_err(db)?;
            doc.map(|d| from_json(&d)).transpose()
        }

        async fn update_identity_provider(&self, idp: &IdentityProvider) -> Result<()> {
            let doc = &to_json(idp)?;
            self.transaction(move |mut tx| {
                Box::pin(async move {
                    let done = sqlx::query(UPDATE)
                        .bind(doc)
                        .bind(&idp.user_pool_id)
                        .bind(&idp.provider_name)
                        .execute(&mut *tx)
                        .await?;
                    if done.rows_affected() == 0 {
                        return Err(not_found(&idp.provider_name).into());
                    }
                    sqlx::query(DELETE_IDENTIFIERS)
                        .bind(&idp.user_pool_id)
                        .bind(&idp.provider_name)
                        .execute(&mut *tx)
                        .await?;
                    DbStore::insert_identifiers(&mut tx, idp).await?;
                    tx.commit().await?;
                    Ok(())
                })
            })
            .await
        }

        async fn delete_identity_provider(&self, pool_id: &str, provider_name: &str) -> Result<bool> {
            let query = sqlx::query(DELETE).bind(pool_id).bind(provider_name);
            Ok(self.affected(query).await? > 0)
        }

        async fn list_identity_providers(
            &self,
            pool_id: &str,
            limit: usize,
            token: Option<&str>,
        ) -> Result<Page<IdentityProvider>> {
            self.doc_page(&LIST, |q| q.bind(pool_id), limit, token).await
        }

        async fn link_provider(&self, link: &ProviderLink, max_per_user: usize) -> Result<()> {
            self.transaction(move |mut tx| {
                Box::pin(async move {
                    let exists: bool = sqlx::query_scalar(USER_EXISTS)
                        .bind(&link.pool_id)
                        .bind(DbStore::sub(link.sub))
                        .fetch_one(&mut *tx)
                        .await?;
                    if !exists {
                        return Err(user_not_found().into());
                    }
                    let n: i64 = sqlx::query_scalar(COUNT_LINKS)
                        .bind(&link.pool_id)
                        .bind(DbStore::sub(link.sub))
                        .fetch_one(&mut *tx)
                        .await?;
                    if n as usize >= max_per_user {
                        return Err(CognitoError::LimitExceeded(format!(
                            "A user may have at most {max_per_user} linked identities."
                        ))
                        .into());
                    }
                    sqlx::query(INSERT_LINK)
                        .bind(&link.pool_id)
                        .bind(&link.provider_name)
                        .bind(&link.attribute_name)
                        .bind(&link.attribute_value)
                        .bind(DbStore::sub(link.sub))
                        .bind(link.created.millis())
                        .execute(&mut *tx)
                        .await
                        .map_err(|e| {
                            if is_unique_violation(&e) {
                                CognitoError::invalid_parameter(
                                    "Merging is not currently supported, provide a SourceUser \
                                     that has not been linked",
                                )
                                .into()
                            } else if is_fk_violation(&e) {
                                user_not_found().into()
                            } else {
                                TxError::from(e)
                            }
                        })?;
                    tx.commit().await?;
                    Ok(())
                })
            })
            .await
        }

        async fn find_provider_link(
            &self,
            pool_id: &str,
            provider_name: &str,
            attribute_name: &str,
            attribute_value: &str,
        ) -> Result<Option<Uuid>> {
            let row = sqlx::query(FIND_LINK)
                .bind(pool_id)
                .bind(provider_name)
                .bind(attribute_name)
                .bind(attribute_value)
                .fetch_optional(self.reader())
                .await
                .map_err(db)?;
            row.as_ref().map(DbStore::sub_of).transpose()
        }

        async fn links_of_user(&self, pool_id: &str, sub: Uuid) -> Result<Vec<ProviderLink>> {
            let rows = sqlx::query(LINKS_OF_USER)
                .bind(pool_id)
                .bind(DbStore::sub(sub))
                .fetch_all(self.reader())
                .await
                .map_err(db)?;
            rows.iter()
                .map(|r| {
                    Ok(ProviderLink {
                        pool_id: pool_id.to_owned(),
                        provider_name: r.try_get("provider_name").map_err(db)?,
                        attribute_name: r.try_get("attribute_name").map_err(db)?,
                        attribute_value: r.try_get("attribute_value").map_err(db)?,
                        sub,
                        created: Timestamp(r.try_get("created").map_err(db)?),
                    })
                })
                .collect()
        }

        async fn unlink_provider(
            &self,
            pool_id: &str,
            provider_name: &str,
            attribute_name: Option<&str>,
            attribute_value: &str,
        ) -> Result<Vec<Uuid>> {
            let query = match attribute_name {
                None => sqlx::query(UNLINK_ANY)
                    .bind(pool_id)
                    .bind(provider_name)
                    .bind(attribute_value),
                Some(name) => sqlx::query(UNLINK_ONE)
                    .bind(pool_id)
                    .bind(provider_name)
                    .bind(attribute_value)
                    .bind(name),
            };
            let rows = query.fetch_all(self.writer()).await.map_err(db)?;
            let mut subs = rows
                .iter()
                .map(DbStore::sub_of)
                .collect::<Result<Vec<_>>>()?;
            subs.sort();
            subs.dedup();
            Ok(subs)
        }
    }
}
