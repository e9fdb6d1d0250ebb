//! The identity-pool capability of the store: identity pools, their
//! identities and the logins linked to them (one identity per login: the
//! database's primary key on `(pool, provider, subject)` keeps it so under
//! concurrent writers and across nodes), the identity issuer's signing
//! keys, and the credentials Cognate's own STS minted (secret sealed by the
//! caller). One implementation for both backends.

use async_trait::async_trait;
use sqlx::Row;

use super::Page;
use super::common::{DocListing, db, from_json, is_fk_violation, is_unique_violation, to_json};
use super::keys::{SigningKey, key_from_row};
use crate::clock::Timestamp;
use crate::error::{CognitoError, Result};
use crate::model::identity_pool::{Identity, IdentityLogin, IdentityPool};

/// Credentials minted by Cognate's STS: the secret key sealed under the
/// master key (record `sts:<access key id>`), the session token as a MAC.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StsCredential {
    pub access_key_id: String,
    pub sealed_secret: Vec<u8>,
    pub session_token_mac: Vec<u8>,
    /// The assumed role and session (JSON: role ARN, session name, …).
    pub doc: String,
    pub expires: Timestamp,
}

#[async_trait]
pub trait IdentityPoolStore: Send + Sync {
    async fn create_identity_pool(&self, pool: &IdentityPool) -> Result<()>;
    async fn get_identity_pool(&self, id: &str) -> Result<Option<IdentityPool>>;
    /// Replaces a pool's document; ResourceNotFound if it is gone.
    async fn update_identity_pool(&self, pool: &IdentityPool) -> Result<()>;
    /// Deletes a pool with its identities and logins; false if none.
    async fn delete_identity_pool(&self, id: &str) -> Result<bool>;
    async fn list_identity_pools(
        &self,
        limit: usize,
        token: Option<&str>,
    ) -> Result<Page<IdentityPool>>;

    /// The identity a login is linked to in a pool.
    async fn identity_of_login(
        &self,
        pool_id: &str,
        provider: &str,
        subject: &str,
    ) -> Result<Option<String>>;
    /// Creates an identity with its logins. If one of its logins is linked
    /// already (another request made that identity first), nothing is
    /// written and that identity is returned instead.
    async fn create_identity(&self, identity: &Identity) -> Result<Identity>;
    async fn get_identity(&self, id: &str) -> Result<Option<Identity>>;
    /// Links more logins to an existing identity. ResourceConflict if one
    /// is linked to another identity; ResourceNotFound if the identity is
    /// gone.
    async fn link_logins(&self, identity_id: &str, logins: &[IdentityLogin]) -> Result<Identity>;
    /// Unlinks logins from an identity (those it has); the identity as now,
    /// disabled if its last login went.
    async fn unlink_logins(&self, identity_id: &str, logins: &[IdentityLogin]) -> Result<Identity>;
    /// Moves every login of `from` to `into` and deletes `from`.
    async fn merge_identities(&self, from: &str, into: &str) -> Result<Identity>;
    async fn list_identities(
        &self,
        pool_id: &str,
        limit: usize,
        token: Option<&str>,
    ) -> Result<Page<Identity>>;
    /// Deletes an identity and its logins; false if none.
    async fn delete_identity(&self, id: &str) -> Result<bool>;

    /// The identity issuer's keys (`pool_id` names the issuer), inserted or
    /// replaced by kid.
    async fn put_issuer_key(&self, key: &SigningKey) -> Result<()>;
    /// Every key of an issuer, newest first.
    async fn issuer_keys(&self, issuer: &str) -> Result<Vec<SigningKey>>;

    async fn put_sts_credential(&self, c: &StsCredential) -> Result<()>;
    async fn get_sts_credential(&self, access_key_id: &str) -> Result<Option<StsCredential>>;
    /// Drops credentials that expired before `now`; how many.
    async fn purge_sts_credentials(&self, now: Timestamp) -> Result<u64>;
}

fn identity_pool_not_found(id: &str) -> CognitoError {
    CognitoError::ResourceNotFound(format!("IdentityPool '{id}' not found."))
}

fn identity_not_found(id: &str) -> CognitoError {
    CognitoError::ResourceNotFound(format!("Identity '{id}' not found."))
}

const POOL_INSERT: &str =
    "INSERT INTO identity_pools (id, name, doc, created) VALUES ($1, $2, $3, $4)";
const POOL_GET: &str = "SELECT doc FROM identity_pools WHERE id = $1";
const POOL_UPDATE: &str = "UPDATE identity_pools SET name = $1, doc = $2 WHERE id = $3";
const POOL_DELETE: &str = "DELETE FROM identity_pools WHERE id = $1";
const POOLS: DocListing = DocListing {
    first: "SELECT id, doc FROM identity_pools ORDER BY id LIMIT $1",
    after: "SELECT id, doc FROM identity_pools WHERE id > $1 ORDER BY id LIMIT $2",
    key: "id",
    tag: "ip",
};
const IDENTITIES: DocListing = DocListing {
    first: "SELECT id, doc FROM identities WHERE pool_id = $1 ORDER BY id LIMIT $2",
    after: "SELECT id, doc FROM identities WHERE pool_id = $1 AND id > $2 ORDER BY id LIMIT $3",
    key: "id",
    tag: "id",
};
const LOGIN_OWNER: &str =
    "SELECT identity_id FROM identity_logins WHERE pool_id = $1 AND provider = $2 AND subject = $3";
const LOGIN_INSERT: &str = "INSERT INTO identity_logins (pool_id, provider, subject, identity_id) \
     VALUES ($1, $2, $3, $4)";
const LOGIN_DELETE: &str = "DELETE FROM identity_logins \
     WHERE identity_id = $1 AND provider = $2 AND subject = $3";
const LOGINS_MOVE: &str = "UPDATE identity_logins SET identity_id = $1 WHERE identity_id = $2";
const IDENTITY_INSERT: &str =
    "INSERT INTO identities (id, pool_id, doc, created) VALUES ($1, $2, $3, $4)";
const IDENTITY_GET: &str = "SELECT doc FROM identities WHERE id = $1";
const IDENTITY_UPDATE: &str = "UPDATE identities SET doc = $1 WHERE id = $2";
const IDENTITY_DELETE: &str = "DELETE FROM identities WHERE id = $1";
const KEY_PUT: &str = "INSERT INTO issuer_keys (issuer, kid, sealed, public_jwk, created, retired) \
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (issuer, kid) DO UPDATE SET \
     sealed = excluded.sealed, public_jwk = excluded.public_jwk, \
     created = excluded.created, retired = excluded.retired";
const KEYS_OF: &str = "SELECT issuer AS pool_id, kid, sealed, public_jwk, created, retired \
     FROM issuer_keys WHERE issuer = $1 ORDER BY created DESC, kid DESC";
const STS_PUT: &str = "INSERT INTO sts_credentials (access_key_id, sealed, token_mac, doc, expires) \
     VALUES ($1, $2, $3, $4, $5)";
const STS_GET: &str = "SELECT access_key_id, sealed, token_mac, doc, expires \
     FROM sts_credentials WHERE access_key_id = $1";
const STS_PURGE: &str = "DELETE FROM sts_credentials WHERE expires < $1";

each_backend! {
    async fn identity_in(tx: &mut Tx, id: &str) -> TxResult<Option<Identity>> {
        let doc: Option<String> = sqlx::query_scalar(IDENTITY_GET)
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?;
        Ok(doc.map(|d| from_json(&d)).transpose()?)
    }

    async fn owner_in(tx: &mut Tx, pool_id: &str, l: &IdentityLogin) -> TxResult<Option<String>> {
        Ok(sqlx::query_scalar(LOGIN_OWNER)
            .bind(pool_id)
            .bind(&l.provider)
            .bind(&l.subject)
            .fetch_optional(&mut **tx)
            .await?)
    }

    async fn save_in(tx: &mut Tx, identity: &Identity) -> TxResult<()> {
        sqlx::query(IDENTITY_UPDATE)
            .bind(to_json(identity)?)
            .bind(&identity.id)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    #[async_trait]
    impl IdentityPoolStore for DbStore {
        async fn create_identity_pool(&self, pool: &IdentityPool) -> Result<()> {
            sqlx::query(POOL_INSERT)
                .bind(&pool.id)
                .bind(&pool.config.identity_pool_name)
                .bind(to_json(pool)?)
                .bind(pool.created.0)
                .execute(self.writer())
                .await
                .map_err(db)?;
            Ok(())
        }

        async fn get_identity_pool(&self, id: &str) -> Result<Option<IdentityPool>> {
            let doc: Option<String> = sqlx::query_scalar(POOL_GET)
                .bind(id)
                .fetch_optional(self.reader())
                .await
                .map_err(db)?;
            doc.map(|d| from_json(&d)).transpose()
        }

        async fn update_identity_pool(&self, pool: &IdentityPool) -> Result<()> {
            let query = sqlx::query(POOL_UPDATE)
                .bind(&pool.config.identity_pool_name)
                .bind(to_json(pool)?)
                .bind(&pool.id);
            if self.affected(query).await? == 0 {
                return Err(identity_pool_not_found(&pool.id));
            }
            Ok(())
        }

        async fn delete_identity_pool(&self, id: &str) -> Result<bool> {
            Ok(self.affected(sqlx::query(POOL_DELETE).bind(id)).await? > 0)
        }

        async fn list_identity_pools(
            &self,
            limit: usize,
            token: Option<&str>,
        ) -> Result<Page<IdentityPool>> {
            self.doc_page(&POOLS, |q| q, limit, token).await
        }

        async fn identity_of_login(
            &self,
            pool_id: &str,
            provider: &str,
            subject: &str,
        ) -> Result<Option<String>> {
            sqlx::query_scalar(LOGIN_OWNER)
                .bind(pool_id)
                .bind(provider)
                .bind(subject)
                .fetch_optional(self.reader())
                .await
                .map_err(db)
        }

        async fn create_identity(&self, identity: &Identity) -> Result<Identity> {
            let made = self.transaction(move |mut tx| {
                Box::pin(async move {
                    for l in &identity.logins {
                        if let Some(owner) = owner_in(&mut tx, &identity.pool_id, l).await?
                            && let Some(existing) = identity_in(&mut tx, &owner).await?
                        {
                            return Ok(existing);
                        }
                    }
                    let r = sqlx::query(IDENTITY_INSERT)
                        .bind(&identity.id)
                        .bind(&identity.pool_id)
                        .bind(to_json(identity)?)
                        .bind(identity.created.0)
                        .execute(&mut *tx)
                        .await;
                    match r {
                        Ok(_) => {}
                        Err(e) if is_fk_violation(&e) => {
                            return Err(identity_pool_not_found(&identity.pool_id).into());
                        }
                        Err(e) => return Err(e.into()),
                    }
                    for l in &identity.logins {
                        let r = sqlx::query(LOGIN_INSERT)
                            .bind(&identity.pool_id)
                            .bind(&l.provider)
                            .bind(&l.subject)
                            .bind(&identity.id)
                            .execute(&mut *tx)
                            .await;
                        match r {
                            Ok(_) => {}
                            // Another writer linked the login first.
                            Err(e) if is_unique_violation(&e) => {
                                return Err(CognitoError::ResourceConflict(String::new()).into());
                            }
                            Err(e) => return Err(e.into()),
                        }
                    }
                    tx.commit().await?;
                    Ok(identity.clone())
                })
            })
            .await;
            match made {
                // The identity the other writer made answers for the login.
                Err(CognitoError::ResourceConflict(_)) => {
                    for l in &identity.logins {
                        if let Some(owner) = self
                            .identity_of_login(&identity.pool_id, &l.provider, &l.subject)
                            .await?
                            && let Some(existing) = self.get_identity(&owner).await?
                        {
                            return Ok(existing);
                        }
                    }
                    Err(CognitoError::ResourceConflict(
                        "Logins are already linked to another identity.".into(),
                    ))
                }
                other => other,
            }
        }

        async fn get_identity(&self, id: &str) -> Result<Option<Identity>> {
            let doc: Option<String> = sqlx::query_scalar(IDENTITY_GET)
                .bind(id)
                .fetch_optional(self.reader())
                .await
                .map_err(db)?;
            doc.map(|d| from_json(&d)).transpose()
        }

        async fn link_logins(
            &self,
            identity_id: &str,
            logins: &[IdentityLogin],
        ) -> Result<Identity> {
            self.transaction(move |mut tx| {
                Box::pin(async move {
                    let mut identity = identity_in(&mut tx, identity_id)
                        .await?
                        .ok_or_else(|| identity_not_found(identity_id))?;
                    for l in logins {
                        match owner_in(&mut tx, &identity.pool_id, l).await? {
                            Some(owner) if owner == identity.id => continue,
                            Some(_) => {
                                return Err(CognitoError::ResourceConflict(
                                    "Logins are already linked to another identity.".into(),
                                )
                                .into());
                            }
                            None => {}
                        }
                        let r = sqlx::query(LOGIN_INSERT)
                            .bind(&identity.pool_id)
                            .bind(&l.provider)
                            .bind(&l.subject)
                            .bind(&identity.id)
                            .execute(&mut *tx)
                            .await;
                        match r {
                            Ok(_) => identity.logins.push(l.clone()),
                            Err(e) if is_unique_violation(&e) => {
                                return Err(CognitoError::ResourceConflict(
                                    "Logins are already linked to another identity.".into(),
                                )
                                .into());
                            }
                            Err(e) => return Err(e.into()),
                        }
                    }
                    save_in(&mut tx, &identity).await?;
                    tx.commit().await?;
                    Ok(identity)
                })
            })
            .await
        }

        async fn unlink_logins(
            &self,
            identity_id: &str,
            logins: &[IdentityLogin],
        ) -> Result<Identity> {
            self.transaction(move |mut tx| {
                Box::pin(async move {
                    let mut identity = identity_in(&mut tx, identity_id)
                        .await?
                        .ok_or_else(|| identity_not_found(identity_id))?;
                    for l in logins {
                        sqlx::query(LOGIN_DELETE)
                            .bind(&identity.id)
                            .bind(&l.provider)
                            .bind(&l.subject)
                            .execute(&mut *tx)
                            .await?;
                    }
                    let had_logins = !identity.logins.is_empty();
                    identity.logins.retain(|l| !logins.contains(l));
                    // Removing the last login makes the identity inaccessible.
                    identity.disabled |= had_logins && identity.logins.is_empty();
                    save_in(&mut tx, &identity).await?;
                    tx.commit().await?;
                    Ok(identity)
                })
            })
            .await
        }

        async fn merge_identities(&self, from: &str, into: &str) -> Result<Identity> {
            self.transaction(move |mut tx| {
                Box::pin(async move {
                    let source = identity_in(&mut tx, from)
                        .await?
                        .ok_or_else(|| identity_not_found(from))?;
                    let mut target = identity_in(&mut tx, into)
                        .await?
                        .ok_or_else(|| identity_not_found(into))?;
                    sqlx::query(LOGINS_MOVE)
                        .bind(into)
                        .bind(from)
                        .execute(&mut *tx)
                        .await?;
                    target.logins.extend(source.logins);
                    save_in(&mut tx, &target).await?;
                    sqlx::query(IDENTITY_DELETE)
                        .bind(from)
                        .execute(&mut *tx)
                        .await?;
                    tx.commit().await?;
                    Ok(target)
                })
            })
            .await
        }

        async fn list_identities(
            &self,
            pool_id: &str,
            limit: usize,
            token: Option<&str>,
        ) -> Result<Page<Identity>> {
            self.doc_page(&IDENTITIES, |q| q.bind(pool_id.to_owned()), limit, token)
                .await
        }

        async fn delete_identity(&self, id: &str) -> Result<bool> {
            Ok(self.affected(sqlx::query(IDENTITY_DELETE).bind(id)).await? > 0)
        }

        async fn put_issuer_key(&self, key: &SigningKey) -> Result<()> {
            sqlx::query(KEY_PUT)
                .bind(&key.pool_id)
                .bind(&key.kid)
                .bind(&key.sealed_private_key)
                .bind(&key.public_jwk)
                .bind(key.created.0)
                .bind(key.retired.map(|t| t.0))
                .execute(self.writer())
                .await
                .map_err(db)?;
            Ok(())
        }

        async fn issuer_keys(&self, issuer: &str) -> Result<Vec<SigningKey>> {
            let rows = sqlx::query(KEYS_OF)
                .bind(issuer)
                .fetch_all(self.reader())
                .await
                .map_err(db)?;
            rows.iter().map(key_from_row).collect()
        }

        async fn put_sts_credential(&self, c: &StsCredential) -> Result<()> {
            sqlx::query(STS_PUT)
                .bind(&c.access_key_id)
                .bind(&c.sealed_secret)
                .bind(&c.session_token_mac)
                .bind(&c.doc)
                .bind(c.expires.0)
                .execute(self.writer())
                .await
                .map_err(db)?;
            Ok(())
        }

        async fn get_sts_credential(&self, access_key_id: &str) -> Result<Option<StsCredential>> {
            let row = sqlx::query(STS_GET)
                .bind(access_key_id)
                .fetch_optional(self.reader())
                .await
                .map_err(db)?;
            row.map(|r| {
                Ok(StsCredential {
                    access_key_id: r.try_get("access_key_id").map_err(db)?,
                    sealed_secret: r.try_get("sealed").map_err(db)?,
                    session_token_mac: r.try_get("token_mac").map_err(db)?,
                    doc: r.try_get("doc").map_err(db)?,
                    expires: Timestamp(r.try_get("expires").map_err(db)?),
                })
            })
            .transpose()
        }

        async fn purge_sts_credentials(&self, now: Timestamp) -> Result<u64> {
            self.affected(sqlx::query(STS_PURGE).bind(now.0)).await
        }
    }
}
