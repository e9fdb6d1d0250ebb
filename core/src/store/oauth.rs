//! The OAuth capability of the store: authorization codes and the hosted
//! UI's browser sessions, one implementation for both backends.
//!
//! A code is stored only as the SHA-256 hash of the string the client
//! holds, and redeemed at most once: the redemption is one conditional
//! UPDATE, so of two concurrent redemptions (on any nodes) exactly one wins.
//! Session records arrive sealed; the store never sees their contents.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use sqlx::Row;
use uuid::Uuid;

use super::common::{db, from_json, is_fk_violation, to_json, user_not_found};
use crate::clock::Timestamp;
use crate::error::{CognitoError, Result};

/// What an authorization code grants, besides its pool, client and user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeGrant {
    /// RFC 6749 §4.1.3: the token request must repeat it exactly.
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    /// RFC 7636: the S256 challenge, when the client sent one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_challenge: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    pub auth_time: Timestamp,
    /// The sign-in the code's tokens will belong to; revoked if the code
    /// is replayed.
    pub origin_jti: String,
    /// The user's session epoch at sign-in: a code outlives no sign-out
    /// (`service::access`).
    #[serde(default)]
    pub session_epoch: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthCodeRecord {
    pub code_hash: Vec<u8>,
    pub pool_id: String,
    pub client_id: String,
    pub sub: Uuid,
    pub expires: Timestamp,
    pub used: Option<Timestamp>,
    pub grant: CodeGrant,
}

/// What redeeming a code found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Redemption {
    /// This call spent the code.
    Redeemed(AuthCodeRecord),
    /// The code was spent before (at `used`).
    Replayed(AuthCodeRecord),
    Unknown,
}

#[async_trait]
pub trait OAuthStore: Send + Sync {
    /// Stores a new code; UserNotFound if its user or client is gone.
    async fn put_auth_code(&self, code: &AuthCodeRecord) -> Result<()>;
    /// Spends the code with this hash, once.
    async fn redeem_auth_code(&self, code_hash: &[u8], at: Timestamp) -> Result<Redemption>;
    /// Housekeeping: deletes codes that expired before `before`.
    async fn delete_expired_auth_codes(&self, before: Timestamp) -> Result<u64>;

    /// Stores a new session; false if the id is taken.
    async fn create_web_session(&self, id: &str, expires: Timestamp, sealed: &[u8])
    -> Result<bool>;
    /// Replaces (or creates) a session.
    async fn save_web_session(&self, id: &str, expires: Timestamp, sealed: &[u8]) -> Result<()>;
    /// A session that has not expired at `now`.
    async fn load_web_session(&self, id: &str, now: Timestamp) -> Result<Option<Vec<u8>>>;
    async fn delete_web_session(&self, id: &str) -> Result<()>;
    /// Housekeeping: deletes sessions that expired before `before`.
    async fn delete_expired_web_sessions(&self, before: Timestamp) -> Result<u64>;
}

fn put_error(e: sqlx::Error) -> CognitoError {
    if is_fk_violation(&e) {
        user_not_found()
    } else {
        db(e)
    }
}

// The sub as text in both (a uuid in PostgreSQL).
const COLUMNS: &str = "code_hash, pool_id, client_id, CAST(sub AS TEXT) AS sub, expires, used, doc";
const PUT_CODE: &str = "INSERT INTO oauth_codes (code_hash, pool_id, client_id, sub, expires, \
     used, doc) VALUES ($1, $2, $3, $4, $5, $6, $7)";
const PURGE_CODES: &str = "DELETE FROM oauth_codes WHERE expires < $1";
const CREATE_SESSION: &str = "INSERT INTO web_sessions (id, expires, sealed) VALUES ($1, $2, $3) \
     ON CONFLICT (id) DO NOTHING";
const SAVE_SESSION: &str = "INSERT INTO web_sessions (id, expires, sealed) VALUES ($1, $2, $3) \
     ON CONFLICT (id) DO UPDATE SET expires = excluded.expires, sealed = excluded.sealed";
const LOAD_SESSION: &str = "SELECT sealed FROM web_sessions WHERE id = $1 AND expires > $2";
const DELETE_SESSION: &str = "DELETE FROM web_sessions WHERE id = $1";
const PURGE_SESSIONS: &str = "DELETE FROM web_sessions WHERE expires < $1";

each_backend! {
    fn code_record(r: &DbRow) -> Result<AuthCodeRecord> {
        let sub: String = r.try_get("sub").map_err(db)?;
        let doc: String = r.try_get("doc").map_err(db)?;
        Ok(AuthCodeRecord {
            code_hash: r.try_get("code_hash").map_err(db)?,
            pool_id: r.try_get("pool_id").map_err(db)?,
            client_id: r.try_get("client_id").map_err(db)?,
            sub: Uuid::parse_str(&sub).map_err(CognitoError::internal)?,
            expires: Timestamp(r.try_get("expires").map_err(db)?),
            used: r
                .try_get::<Option<i64>, _>("used")
                .map_err(db)?
                .map(Timestamp),
            grant: from_json(&doc)?,
        })
    }

    #[async_trait]
    impl OAuthStore for DbStore {
        async fn put_auth_code(&self, c: &AuthCodeRecord) -> Result<()> {
            sqlx::query(PUT_CODE)
                .bind(&c.code_hash)
                .bind(&c.pool_id)
                .bind(&c.client_id)
                .bind(DbStore::sub(c.sub))
                .bind(c.expires.0)
                .bind(c.used.map(|t| t.0))
                .bind(to_json(&c.grant)?)
                .execute(self.writer())
                .await
                .map_err(put_error)?;
            Ok(())
        }

        async fn redeem_auth_code(&self, code_hash: &[u8], at: Timestamp) -> Result<Redemption> {
            let won = sqlx::query(&format!(
                "UPDATE oauth_codes SET used = $1 WHERE code_hash = $2 AND used IS NULL \
                 RETURNING {COLUMNS}"
            ))
            .bind(at.0)
            .bind(code_hash)
            .fetch_optional(self.writer())
            .await
            .map_err(db)?;
            if let Some(row) = won {
                return Ok(Redemption::Redeemed(code_record(&row)?));
            }
            // On the writer, so SQLite sees the redemption that beat this one.
            let row = sqlx::query(&format!(
                "SELECT {COLUMNS} FROM oauth_codes WHERE code_hash = $1"
            ))
            .bind(code_hash)
            .fetch_optional(self.writer())
            .await
            .map_err(db)?;
            Ok(match row {
                Some(r) => Redemption::Replayed(code_record(&r)?),
                None => Redemption::Unknown,
            })
        }

        async fn delete_expired_auth_codes(&self, before: Timestamp) -> Result<u64> {
            let query = sqlx::query(PURGE_CODES).bind(before.0);
            self.affected(query).await
        }

        async fn create_web_session(
            &self,
            id: &str,
            expires: Timestamp,
            sealed: &[u8],
        ) -> Result<bool> {
            let query = sqlx::query(CREATE_SESSION)
                .bind(id)
                .bind(expires.0)
                .bind(sealed);
            Ok(self.affected(query).await? == 1)
        }

        async fn save_web_session(
            &self,
            id: &str,
            expires: Timestamp,
            sealed: &[u8],
        ) -> Result<()> {
            sqlx::query(SAVE_SESSION)
                .bind(id)
                .bind(expires.0)
                .bind(sealed)
                .execute(self.writer())
                .await
                .map_err(db)?;
            Ok(())
        }

        async fn load_web_session(&self, id: &str, now: Timestamp) -> Result<Option<Vec<u8>>> {
            sqlx::query(LOAD_SESSION)
                .bind(id)
                .bind(now.0)
                .fetch_optional(self.reader())
                .await
                .map_err(db)?
                .map(|r| r.try_get("sealed").map_err(db))
                .transpose()
        }

        async fn delete_web_session(&self, id: &str) -> Result<()> {
            sqlx::query(DELETE_SESSION)
                .bind(id)
                .execute(self.writer())
                .await
                .map_err(db)?;
            Ok(())
        }

        async fn delete_expired_web_sessions(&self, before: Timestamp) -> Result<u64> {
            let query = sqlx::query(PURGE_SESSIONS).bind(before.0);
            self.affected(query).await
        }
    }
}
