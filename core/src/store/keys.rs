//! The signing-key capability of the store: each pool's RS256 keys, the
//! private half sealed by the caller before it gets here.

use async_trait::async_trait;
use sqlx::Row;

use super::common::{db, is_fk_violation, pool_not_found};
use crate::clock::Timestamp;
use crate::error::Result;

/// A per-pool RS256 signing key; the private half is sealed by the caller.
#[derive(Clone, Debug, PartialEq)]
pub struct SigningKey {
    pub pool_id: String,
    pub kid: String,
    pub sealed_private_key: Vec<u8>,
    /// The public key as a JWK (JSON text).
    pub public_jwk: String,
    pub created: Timestamp,
    /// Once set, the key no longer signs but still verifies until dropped.
    pub retired: Option<Timestamp>,
}

#[async_trait]
pub trait KeyStore: Send + Sync {
    /// Inserts or replaces a key (by pool and kid); ResourceNotFound if the
    /// pool is gone.
    async fn put_signing_key(&self, key: &SigningKey) -> Result<()>;
    /// Every key of a pool, newest first.
    async fn signing_keys(&self, pool_id: &str) -> Result<Vec<SigningKey>>;
}

const PUT: &str = "INSERT INTO signing_keys (pool_id, kid, sealed, public_jwk, created, retired) \
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (pool_id, kid) DO UPDATE SET \
     sealed = excluded.sealed, public_jwk = excluded.public_jwk, \
     created = excluded.created, retired = excluded.retired";
const OF_POOL: &str = "SELECT pool_id, kid, sealed, public_jwk, created, retired \
     FROM signing_keys WHERE pool_id = $1 ORDER BY created DESC, kid DESC";

/// A signing key's row, as `signing_keys` and `issuer_keys` (its owner
/// selected as `pool_id`) both hold it.
#[derive(sqlx::FromRow)]
pub(crate) struct KeyRow {
    pool_id: String,
    kid: String,
    sealed: Vec<u8>,
    public_jwk: String,
    created: i64,
    retired: Option<i64>,
}

pub(crate) fn key_from_row<'r, R: Row>(row: &'r R) -> Result<SigningKey>
where
    KeyRow: sqlx::FromRow<'r, R>,
{
    let r = <KeyRow as sqlx::FromRow<'r, R>>::from_row(row).map_err(db)?;
    Ok(SigningKey {
        pool_id: r.pool_id,
        kid: r.kid,
        sealed_private_key: r.sealed,
        public_jwk: r.public_jwk,
        created: Timestamp(r.created),
        retired: r.retired.map(Timestamp),
    })
}

each_backend! {

    #[async_trait]
    impl KeyStore for DbStore {
        async fn put_signing_key(&self, key: &SigningKey) -> Result<()> {
            let r = sqlx::query(PUT)
                .bind(&key.pool_id)
                .bind(&key.kid)
                .bind(&key.sealed_private_key)
                .bind(&key.public_jwk)
                .bind(key.created.0)
                .bind(key.retired.map(|t| t.0))
                .execute(self.writer())
                .await;
            match r {
                Ok(_) => Ok(()),
                Err(e) if is_fk_violation(&e) => Err(pool_not_found(&key.pool_id)),
                Err(e) => Err(db(e)),
            }
        }

        async fn signing_keys(&self, pool_id: &str) -> Result<Vec<SigningKey>> {
            sqlx::query(OF_POOL)
                .bind(pool_id)
                .fetch_all(self.reader())
                .await
                .map_err(db)?
                .iter()
                .map(key_from_row)
                .collect()
        }
    }
}
