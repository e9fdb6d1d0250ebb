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

/// A pool's SAML signing certificate (Cognito API: GetSigningCertificate):
/// made once, the private key sealed by the caller.
#[derive(Clone, Debug, PartialEq)]
pub struct SamlSigningCertificate {
    pub pool_id: String,
    pub sealed_private_key: Vec<u8>,
    /// The X.509 certificate, DER.
    pub certificate_der: Vec<u8>,
    pub created: Timestamp,
}

#[async_trait]
pub trait KeyStore: Send + Sync {
    /// Inserts or replaces a key (by pool and kid); ResourceNotFound if the
    /// pool is gone.
    async fn put_signing_key(&self, key: &SigningKey) -> Result<()>;
    /// Every key of a pool, newest first.
    async fn signing_keys(&self, pool_id: &str) -> Result<Vec<SigningKey>>;
    /// Keeps the pool's SAML signing certificate unless it has one already
    /// (the first one stays: two nodes racing both re-read the winner);
    /// ResourceNotFound if the pool is gone.
    async fn add_saml_certificate(&self, cert: &SamlSigningCertificate) -> Result<()>;
    /// The pool's SAML signing certificate, if one was made.
    async fn saml_certificate(&self, pool_id: &str) -> Result<Option<SamlSigningCertificate>>;
    /// Records a SAML assertion as used until `expires` (its NotOnOrAfter);
    /// false when `scope` used it already (a replay). Records expired at
    /// `now` are pruned first.
    async fn use_saml_assertion(
        &self,
        scope: &str,
        assertion_id: &str,
        expires: Timestamp,
        now: Timestamp,
    ) -> Result<bool>;
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
const ADD_CERT: &str = "INSERT INTO saml_signing_certificates (pool_id, sealed, certificate, created) \
     VALUES ($1, $2, $3, $4) ON CONFLICT (pool_id) DO NOTHING";
const CERT_OF_POOL: &str = "SELECT pool_id, sealed, certificate, created \
     FROM saml_signing_certificates WHERE pool_id = $1";

const PRUNE_ASSERTIONS: &str = "DELETE FROM saml_assertions WHERE expires <= $1";
const USE_ASSERTION: &str = "INSERT INTO saml_assertions (scope, assertion_id, expires) \
     VALUES ($1, $2, $3) ON CONFLICT (scope, assertion_id) DO NOTHING";

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

        async fn add_saml_certificate(&self, cert: &SamlSigningCertificate) -> Result<()> {
            let r = sqlx::query(ADD_CERT)
                .bind(&cert.pool_id)
                .bind(&cert.sealed_private_key)
                .bind(&cert.certificate_der)
                .bind(cert.created.0)
                .execute(self.writer())
                .await;
            match r {
                Ok(_) => Ok(()),
                Err(e) if is_fk_violation(&e) => Err(pool_not_found(&cert.pool_id)),
                Err(e) => Err(db(e)),
            }
        }

        async fn saml_certificate(&self, pool_id: &str) -> Result<Option<SamlSigningCertificate>> {
            let Some(r) = sqlx::query(CERT_OF_POOL)
                .bind(pool_id)
                .fetch_optional(self.reader())
                .await
                .map_err(db)?
            else {
                return Ok(None);
            };
            Ok(Some(SamlSigningCertificate {
                pool_id: r.try_get("pool_id").map_err(db)?,
                sealed_private_key: r.try_get("sealed").map_err(db)?,
                certificate_der: r.try_get("certificate").map_err(db)?,
                created: Timestamp(r.try_get("created").map_err(db)?),
            }))
        }

        async fn use_saml_assertion(
            &self,
            scope: &str,
            assertion_id: &str,
            expires: Timestamp,
            now: Timestamp,
        ) -> Result<bool> {
            sqlx::query(PRUNE_ASSERTIONS)
                .bind(now.0)
                .execute(self.writer())
                .await
                .map_err(db)?;
            let r = sqlx::query(USE_ASSERTION)
                .bind(scope)
                .bind(assertion_id)
                .bind(expires.0)
                .execute(self.writer())
                .await
                .map_err(db)?;
            Ok(r.rows_affected() == 1)
        }
    }
}
