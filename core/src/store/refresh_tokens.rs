//! The refresh-token capability of the store (one small trait per
//! capability), one implementation for both backends.
//!
//! A refresh token is stored only as the SHA-256 hash of the opaque string
//! the client holds. Its row is also the revocation record of the sign-in it
//! came from: access and ID tokens carry the row's `origin_jti`, so revoking
//! the row revokes them too (Cognito API: RevokeToken, GlobalSignOut).

use async_trait::async_trait;
use sqlx::Row;
use uuid::Uuid;

use super::common::{db, is_fk_violation, user_not_found};
use crate::clock::Timestamp;
use crate::error::{CognitoError, Result};

/// One sign-in's refresh token, as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefreshTokenRecord {
    /// SHA-256 of the token string; the token itself is never stored.
    pub token_hash: Vec<u8>,
    pub pool_id: String,
    pub client_id: String,
    pub sub: Uuid,
    /// The `origin_jti` of every token issued from this sign-in.
    pub origin_jti: String,
    /// When the user authenticated (the tokens' `auth_time`).
    pub auth_time: Timestamp,
    pub created: Timestamp,
    pub expires: Timestamp,
    pub revoked: Option<Timestamp>,
    /// The scopes granted at sign-in; refreshed access tokens carry them.
    pub scopes: Vec<String>,
}

#[async_trait]
pub trait RefreshTokenStore: Send + Sync {
    /// Stores a new token. UserNotFound if the user (or its pool) or the
    /// client is gone; a clashing hash or origin_jti is an internal error.
    async fn put_refresh_token(&self, token: &RefreshTokenRecord) -> Result<()>;
    /// The token with this hash, revoked or expired ones included.
    async fn get_refresh_token(&self, token_hash: &[u8]) -> Result<Option<RefreshTokenRecord>>;
    /// Revokes one sign-in; false if no token has this origin_jti. Revoking
    /// twice keeps the first time.
    async fn revoke_refresh_token(&self, origin_jti: &str, at: Timestamp) -> Result<bool>;
    /// Revokes every sign-in of a user; the number newly revoked.
    async fn revoke_user_refresh_tokens(
        &self,
        pool_id: &str,
        sub: Uuid,
        at: Timestamp,
    ) -> Result<u64>;
    /// Rotation: the sign-in `origin_jti` gets `new_hash` as its refresh
    /// token if `current_hash` is still its token and it is not revoked;
    /// `current_hash` is kept as retired at `at`. False (nothing written)
    /// if another rotation or a revocation came first.
    async fn rotate_refresh_token(
        &self,
        origin_jti: &str,
        current_hash: &[u8],
        new_hash: &[u8],
        at: Timestamp,
    ) -> Result<bool>;
    /// A token rotation replaced: its sign-in's row and when it was retired.
    async fn get_retired_refresh_token(
        &self,
        token_hash: &[u8],
    ) -> Result<Option<(RefreshTokenRecord, Timestamp)>>;
    /// Housekeeping: deletes tokens that expired before `before`.
    async fn delete_expired_refresh_tokens(&self, before: Timestamp) -> Result<u64>;
    /// The user's token sessions: sign-ins neither revoked nor expired at
    /// `now`, oldest first (Cognito API: ListUserSessions).
    async fn list_token_sessions(
        &self,
        pool_id: &str,
        sub: Uuid,
        now: Timestamp,
    ) -> Result<Vec<TokenSession>>;
    /// The sign-in `origin_jti`, a refresh or a rotation of it at `at`:
    /// its session's LastActiveDate, and who called (LastIPAddress,
    /// DeviceType), overwritten each time.
    async fn touch_refresh_token(
        &self,
        origin_jti: &str,
        at: Timestamp,
        seen: &SessionSeen,
    ) -> Result<()>;
}

/// One token session: a sign-in that still holds a usable refresh token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenSession {
    pub origin_jti: String,
    pub client_id: String,
    pub created: Timestamp,
    /// The last refresh or rotation; the sign-in itself before any.
    pub last_active: Timestamp,
    /// Who called last (absent for a sign-in never touched).
    pub seen: SessionSeen,
}

/// The caller of a session's last sign-in, refresh or rotation (Cognito
/// API: SessionDescriptionType, LastIPAddress and DeviceType).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SessionSeen {
    pub ip: Option<String>,
    pub device_type: Option<String>,
}

// The sub as text in both (a uuid in PostgreSQL).
const COLUMNS: &str = "token_hash, pool_id, client_id, CAST(sub AS TEXT) AS sub, origin_jti, \
     auth_time, created, expires, revoked, scopes";
const INSERT: &str = "INSERT INTO refresh_tokens (token_hash, pool_id, client_id, sub, \
     origin_jti, auth_time, created, expires, revoked, scopes) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
const REVOKE: &str =
    "UPDATE refresh_tokens SET revoked = COALESCE(revoked, $1) WHERE origin_jti = $2";
const REVOKE_USER: &str = "UPDATE refresh_tokens SET revoked = $1 \
     WHERE pool_id = $2 AND sub = $3 AND revoked IS NULL";
const PURGE: &str = "DELETE FROM refresh_tokens WHERE expires < $1";
const RETIRED: &str = "SELECT r.token_hash, r.pool_id, r.client_id, \
     CAST(r.sub AS TEXT) AS sub, r.origin_jti, r.auth_time, r.created, r.expires, r.revoked, \
     r.scopes, x.retired AS retired FROM refresh_token_retired x \
     JOIN refresh_tokens r ON r.origin_jti = x.origin_jti WHERE x.token_hash = $1";
const ROTATE: &str = "UPDATE refresh_tokens SET token_hash = $1 \
     WHERE origin_jti = $2 AND token_hash = $3 AND revoked IS NULL";
const SESSIONS: &str = "SELECT origin_jti, client_id, created, last_active, last_ip, \
     device_type FROM refresh_tokens \
     WHERE pool_id = $1 AND sub = $2 AND revoked IS NULL AND expires > $3 \
     ORDER BY created, origin_jti";
const TOUCH: &str = "UPDATE refresh_tokens SET last_active = $1, last_ip = $2, \
     device_type = $3 WHERE origin_jti = $4";
const RETIRE: &str =
    "INSERT INTO refresh_token_retired (token_hash, origin_jti, retired) VALUES ($1, $2, $3)";

fn scopes_text(scopes: &[String]) -> String {
    scopes.join(" ")
}

fn scopes_from(text: &str) -> Vec<String> {
    text.split(' ')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn put_error(e: sqlx::Error) -> CognitoError {
    if is_fk_violation(&e) {
        user_not_found()
    } else {
        db(e)
    }
}

each_backend! {
    fn record(r: &DbRow) -> Result<RefreshTokenRecord> {
        let sub: String = r.try_get("sub").map_err(db)?;
        Ok(RefreshTokenRecord {
            token_hash: r.try_get("token_hash").map_err(db)?,
            pool_id: r.try_get("pool_id").map_err(db)?,
            client_id: r.try_get("client_id").map_err(db)?,
            sub: Uuid::parse_str(&sub).map_err(CognitoError::internal)?,
            origin_jti: r.try_get("origin_jti").map_err(db)?,
            auth_time: Timestamp(r.try_get("auth_time").map_err(db)?),
            created: Timestamp(r.try_get("created").map_err(db)?),
            expires: Timestamp(r.try_get("expires").map_err(db)?),
            revoked: r
                .try_get::<Option<i64>, _>("revoked")
                .map_err(db)?
                .map(Timestamp),
            scopes: scopes_from(&r.try_get::<String, _>("scopes").map_err(db)?),
        })
    }

    #[async_trait]
    impl RefreshTokenStore for DbStore {
        async fn put_refresh_token(&self, t: &RefreshTokenRecord) -> Result<()> {
            sqlx::query(INSERT)
                .bind(&t.token_hash)
                .bind(&t.pool_id)
                .bind(&t.client_id)
                .bind(DbStore::sub(t.sub))
                .bind(&t.origin_jti)
                .bind(t.auth_time.0)
                .bind(t.created.0)
                .bind(t.expires.0)
                .bind(t.revoked.map(|r| r.0))
                .bind(scopes_text(&t.scopes))
                .execute(self.writer())
                .await
                .map_err(put_error)?;
            Ok(())
        }

        async fn get_refresh_token(&self, token_hash: &[u8]) -> Result<Option<RefreshTokenRecord>> {
            sqlx::query(&format!(
                "SELECT {COLUMNS} FROM refresh_tokens WHERE token_hash = $1"
            ))
            .bind(token_hash)
            .fetch_optional(self.reader())
            .await
            .map_err(db)?
            .as_ref()
            .map(record)
            .transpose()
        }

        async fn revoke_refresh_token(&self, origin_jti: &str, at: Timestamp) -> Result<bool> {
            let query = sqlx::query(REVOKE).bind(at.0).bind(origin_jti);
            Ok(self.affected(query).await? > 0)
        }

        async fn revoke_user_refresh_tokens(
            &self,
            pool_id: &str,
            sub: Uuid,
            at: Timestamp,
        ) -> Result<u64> {
            let query = sqlx::query(REVOKE_USER)
                .bind(at.0)
                .bind(pool_id)
                .bind(DbStore::sub(sub));
            self.affected(query).await
        }

        async fn rotate_refresh_token(
            &self,
            origin_jti: &str,
            current_hash: &[u8],
            new_hash: &[u8],
            at: Timestamp,
        ) -> Result<bool> {
            self.transaction(move |mut tx| {
                Box::pin(async move {
                    let rotated = sqlx::query(ROTATE)
                        .bind(new_hash)
                        .bind(origin_jti)
                        .bind(current_hash)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                    if rotated == 0 {
                        return Ok(false);
                    }
                    sqlx::query(RETIRE)
                        .bind(current_hash)
                        .bind(origin_jti)
                        .bind(at.0)
                        .execute(&mut *tx)
                        .await?;
                    tx.commit().await?;
                    Ok(true)
                })
            })
            .await
        }

        async fn get_retired_refresh_token(
            &self,
            token_hash: &[u8],
        ) -> Result<Option<(RefreshTokenRecord, Timestamp)>> {
            let row = sqlx::query(RETIRED)
            .bind(token_hash)
            .fetch_optional(self.reader())
            .await
            .map_err(db)?;
            row.map(|r| {
                let retired: i64 = r.try_get("retired").map_err(db)?;
                Ok((record(&r)?, Timestamp(retired)))
            })
            .transpose()
        }

        async fn delete_expired_refresh_tokens(&self, before: Timestamp) -> Result<u64> {
            let query = sqlx::query(PURGE).bind(before.0);
            self.affected(query).await
        }

        async fn list_token_sessions(
            &self,
            pool_id: &str,
            sub: Uuid,
            now: Timestamp,
        ) -> Result<Vec<TokenSession>> {
            let rows = sqlx::query(SESSIONS)
                .bind(pool_id)
                .bind(DbStore::sub(sub))
                .bind(now.0)
                .fetch_all(self.reader())
                .await
                .map_err(db)?;
            rows.iter()
                .map(|r| {
                    let created = Timestamp(r.try_get("created").map_err(db)?);
                    let last: Option<i64> = r.try_get("last_active").map_err(db)?;
                    Ok(TokenSession {
                        origin_jti: r.try_get("origin_jti").map_err(db)?,
                        client_id: r.try_get("client_id").map_err(db)?,
                        created,
                        last_active: last.map_or(created, Timestamp),
                        seen: SessionSeen {
                            ip: r.try_get("last_ip").map_err(db)?,
                            device_type: r.try_get("device_type").map_err(db)?,
                        },
                    })
                })
                .collect()
        }

        async fn touch_refresh_token(
            &self,
            origin_jti: &str,
            at: Timestamp,
            seen: &SessionSeen,
        ) -> Result<()> {
            let query = sqlx::query(TOUCH)
                .bind(at.0)
                .bind(seen.ip.as_deref())
                .bind(seen.device_type.as_deref())
                .bind(origin_jti);
            self.affected(query).await.map(|_| ())
        }
    }
}
