//! The OAuth capability of the store: authorization codes and the hosted
//! UI's browser sessions, with their SQLite and PostgreSQL implementations.
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
use super::postgres::PgStore;
use super::sqlite::SqliteStore;
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

fn record(
    code_hash: Vec<u8>,
    pool_id: String,
    client_id: String,
    sub: &str,
    expires: i64,
    used: Option<i64>,
    doc: &str,
) -> Result<AuthCodeRecord> {
    Ok(AuthCodeRecord {
        code_hash,
        pool_id,
        client_id,
        sub: Uuid::parse_str(sub).map_err(CognitoError::internal)?,
        expires: Timestamp(expires),
        used: used.map(Timestamp),
        grant: from_json(doc)?,
    })
}

// ---------------------------------------------------------------- SQLite

const SQLITE_COLUMNS: &str = "code_hash, pool_id, client_id, sub, expires, used, doc";
const PG_COLUMNS: &str = "code_hash, pool_id, client_id, sub::text AS sub, expires, used, doc";

fn sqlite_code(r: &sqlx::sqlite::SqliteRow) -> Result<AuthCodeRecord> {
    record(
        r.try_get("code_hash").map_err(db)?,
        r.try_get("pool_id").map_err(db)?,
        r.try_get("client_id").map_err(db)?,
        &r.try_get::<String, _>("sub").map_err(db)?,
        r.try_get("expires").map_err(db)?,
        r.try_get("used").map_err(db)?,
        &r.try_get::<String, _>("doc").map_err(db)?,
    )
}

fn pg_code(r: &sqlx::postgres::PgRow) -> Result<AuthCodeRecord> {
    record(
        r.try_get("code_hash").map_err(db)?,
        r.try_get("pool_id").map_err(db)?,
        r.try_get("client_id").map_err(db)?,
        &r.try_get::<String, _>("sub").map_err(db)?,
        r.try_get("expires").map_err(db)?,
        r.try_get("used").map_err(db)?,
        &r.try_get::<String, _>("doc").map_err(db)?,
    )
}

#[async_trait]
impl OAuthStore for SqliteStore {
    async fn put_auth_code(&self, c: &AuthCodeRecord) -> Result<()> {
        sqlx::query(&format!(
            "INSERT INTO oauth_codes ({SQLITE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)"
        ))
        .bind(&c.code_hash)
        .bind(&c.pool_id)
        .bind(&c.client_id)
        .bind(c.sub.to_string())
        .bind(c.expires.0)
        .bind(c.used.map(|t| t.0))
        .bind(to_json(&c.grant)?)
        .execute(&self.write)
        .await
        .map_err(put_error)?;
        Ok(())
    }

    async fn redeem_auth_code(&self, code_hash: &[u8], at: Timestamp) -> Result<Redemption> {
        let won = sqlx::query(&format!(
            "UPDATE oauth_codes SET used = ? WHERE code_hash = ? AND used IS NULL \
             RETURNING {SQLITE_COLUMNS}"
        ))
        .bind(at.0)
        .bind(code_hash)
        .fetch_optional(&self.write)
        .await
        .map_err(db)?;
        if let Some(row) = won {
            return Ok(Redemption::Redeemed(sqlite_code(&row)?));
        }
        let row = sqlx::query(&format!(
            "SELECT {SQLITE_COLUMNS} FROM oauth_codes WHERE code_hash = ?"
        ))
        .bind(code_hash)
        .fetch_optional(&self.write)
        .await
        .map_err(db)?;
        Ok(match row {
            Some(r) => Redemption::Replayed(sqlite_code(&r)?),
            None => Redemption::Unknown,
        })
    }

    async fn delete_expired_auth_codes(&self, before: Timestamp) -> Result<u64> {
        let done = sqlx::query("DELETE FROM oauth_codes WHERE expires < ?")
            .bind(before.0)
            .execute(&self.write)
            .await
            .map_err(db)?;
        Ok(done.rows_affected())
    }

    async fn create_web_session(
        &self,
        id: &str,
        expires: Timestamp,
        sealed: &[u8],
    ) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO web_sessions (id, expires, sealed) VALUES (?, ?, ?) \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(id)
        .bind(expires.0)
        .bind(sealed)
        .execute(&self.write)
        .await
        .map_err(db)?;
        Ok(done.rows_affected() == 1)
    }

    async fn save_web_session(&self, id: &str, expires: Timestamp, sealed: &[u8]) -> Result<()> {
        sqlx::query(
            "INSERT INTO web_sessions (id, expires, sealed) VALUES (?, ?, ?) \
             ON CONFLICT (id) DO UPDATE SET expires = excluded.expires, sealed = excluded.sealed",
        )
        .bind(id)
        .bind(expires.0)
        .bind(sealed)
        .execute(&self.write)
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn load_web_session(&self, id: &str, now: Timestamp) -> Result<Option<Vec<u8>>> {
        sqlx::query("SELECT sealed FROM web_sessions WHERE id = ? AND expires > ?")
            .bind(id)
            .bind(now.0)
            .fetch_optional(&self.read)
            .await
            .map_err(db)?
            .map(|r| r.try_get("sealed").map_err(db))
            .transpose()
    }

    async fn delete_web_session(&self, id: &str) -> Result<()> {
        sqlx::query("DELETE FROM web_sessions WHERE id = ?")
            .bind(id)
            .execute(&self.write)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn delete_expired_web_sessions(&self, before: Timestamp) -> Result<u64> {
        let done = sqlx::query("DELETE FROM web_sessions WHERE expires < ?")
            .bind(before.0)
            .execute(&self.write)
            .await
            .map_err(db)?;
        Ok(done.rows_affected())
    }
}

// ---------------------------------------------------------------- PostgreSQL

#[async_trait]
impl OAuthStore for PgStore {
    async fn put_auth_code(&self, c: &AuthCodeRecord) -> Result<()> {
        sqlx::query(
            "INSERT INTO oauth_codes (code_hash, pool_id, client_id, sub, expires, used, doc) \
             VALUES ($1, $2, $3, $4::uuid, $5, $6, $7)",
        )
        .bind(&c.code_hash)
        .bind(&c.pool_id)
        .bind(&c.client_id)
        .bind(c.sub.to_string())
        .bind(c.expires.0)
        .bind(c.used.map(|t| t.0))
        .bind(to_json(&c.grant)?)
        .execute(&self.pool)
        .await
        .map_err(put_error)?;
        Ok(())
    }

    async fn redeem_auth_code(&self, code_hash: &[u8], at: Timestamp) -> Result<Redemption> {
        let won = sqlx::query(&format!(
            "UPDATE oauth_codes SET used = $1 WHERE code_hash = $2 AND used IS NULL \
             RETURNING {PG_COLUMNS}"
        ))
        .bind(at.0)
        .bind(code_hash)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        if let Some(row) = won {
            return Ok(Redemption::Redeemed(pg_code(&row)?));
        }
        let row = sqlx::query(&format!(
            "SELECT {PG_COLUMNS} FROM oauth_codes WHERE code_hash = $1"
        ))
        .bind(code_hash)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        Ok(match row {
            Some(r) => Redemption::Replayed(pg_code(&r)?),
            None => Redemption::Unknown,
        })
    }

    async fn delete_expired_auth_codes(&self, before: Timestamp) -> Result<u64> {
        let done = sqlx::query("DELETE FROM oauth_codes WHERE expires < $1")
            .bind(before.0)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(done.rows_affected())
    }

    async fn create_web_session(
        &self,
        id: &str,
        expires: Timestamp,
        sealed: &[u8],
    ) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO web_sessions (id, expires, sealed) VALUES ($1, $2, $3) \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(id)
        .bind(expires.0)
        .bind(sealed)
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(done.rows_affected() == 1)
    }

    async fn save_web_session(&self, id: &str, expires: Timestamp, sealed: &[u8]) -> Result<()> {
        sqlx::query(
            "INSERT INTO web_sessions (id, expires, sealed) VALUES ($1, $2, $3) \
             ON CONFLICT (id) DO UPDATE SET expires = excluded.expires, sealed = excluded.sealed",
        )
        .bind(id)
        .bind(expires.0)
        .bind(sealed)
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn load_web_session(&self, id: &str, now: Timestamp) -> Result<Option<Vec<u8>>> {
        sqlx::query("SELECT sealed FROM web_sessions WHERE id = $1 AND expires > $2")
            .bind(id)
            .bind(now.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?
            .map(|r| r.try_get("sealed").map_err(db))
            .transpose()
    }

    async fn delete_web_session(&self, id: &str) -> Result<()> {
        sqlx::query("DELETE FROM web_sessions WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn delete_expired_web_sessions(&self, before: Timestamp) -> Result<u64> {
        let done = sqlx::query("DELETE FROM web_sessions WHERE expires < $1")
            .bind(before.0)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(done.rows_affected())
    }
}
