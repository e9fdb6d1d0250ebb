//! The SSO-session capability of the store (Cognito API:
//! SessionDescriptionType, SessionType SSO), one implementation for both
//! backends. A hosted-UI sign-in of a browser, recorded while its pool
//! tracks sessions: the browser's sealed session names the record, and is
//! resumed only while the record is here, so deleting it signs that
//! browser out. Rows go with their user and their app client.

use async_trait::async_trait;
use sqlx::Row;
use uuid::Uuid;

use super::common::{db, is_fk_violation, user_not_found};
use super::refresh_tokens::SessionSeen;
use crate::clock::Timestamp;
use crate::error::{CognitoError, Result};

/// One browser's hosted-UI sign-in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SsoSessionRecord {
    /// `sso` and 25 lowercase letters or digits (Cognito API: SessionIdType).
    pub session_id: String,
    pub pool_id: String,
    pub sub: Uuid,
    /// The app client the browser signed in for.
    pub client_id: String,
    pub created: Timestamp,
    /// The last sign-in or silent reuse of it.
    pub last_active: Timestamp,
    pub seen: SessionSeen,
}

#[async_trait]
pub trait SsoSessionStore: Send + Sync {
    /// Records a sign-in. UserNotFound if the user or the client is gone.
    async fn put_sso_session(&self, s: &SsoSessionRecord) -> Result<()>;
    /// Whether the session is still recorded for this user of this pool.
    async fn sso_session_exists(&self, pool_id: &str, sub: Uuid, session_id: &str) -> Result<bool>;
    /// A reuse of the session at `at` by `seen`.
    async fn touch_sso_session(
        &self,
        session_id: &str,
        at: Timestamp,
        seen: &SessionSeen,
    ) -> Result<()>;
    /// The user's sessions created after `since`, oldest first.
    async fn list_sso_sessions(
        &self,
        pool_id: &str,
        sub: Uuid,
        since: Timestamp,
    ) -> Result<Vec<SsoSessionRecord>>;
    /// Ends one session; false if it was not there.
    async fn delete_sso_session(&self, pool_id: &str, session_id: &str) -> Result<bool>;
    /// Housekeeping: deletes sessions created before `before`.
    async fn delete_old_sso_sessions(&self, before: Timestamp) -> Result<u64>;
}

const INSERT: &str = "INSERT INTO sso_sessions (session_id, pool_id, sub, client_id, created, \
     last_active, last_ip, device_type) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
const EXISTS: &str =
    "SELECT 1 AS one FROM sso_sessions WHERE pool_id = $1 AND sub = $2 AND session_id = $3";
// A caller whose address or agent is not known keeps the last one.
const TOUCH: &str = "UPDATE sso_sessions SET last_active = $1, \
     last_ip = COALESCE($2, last_ip), device_type = COALESCE($3, device_type) \
     WHERE session_id = $4";
const LIST: &str = "SELECT session_id, pool_id, CAST(sub AS TEXT) AS sub, client_id, created, \
     last_active, last_ip, device_type FROM sso_sessions \
     WHERE pool_id = $1 AND sub = $2 AND created > $3 ORDER BY created, session_id";
const DELETE: &str = "DELETE FROM sso_sessions WHERE pool_id = $1 AND session_id = $2";
const PURGE: &str = "DELETE FROM sso_sessions WHERE created < $1";

each_backend! {
    #[async_trait]
    impl SsoSessionStore for DbStore {
        async fn put_sso_session(&self, s: &SsoSessionRecord) -> Result<()> {
            sqlx::query(INSERT)
                .bind(&s.session_id)
                .bind(&s.pool_id)
                .bind(DbStore::sub(s.sub))
                .bind(&s.client_id)
                .bind(s.created.0)
                .bind(s.last_active.0)
                .bind(s.seen.ip.as_deref())
                .bind(s.seen.device_type.as_deref())
                .execute(self.writer())
                .await
                .map_err(|e| if is_fk_violation(&e) { user_not_found() } else { db(e) })?;
            Ok(())
        }

        async fn sso_session_exists(
            &self,
            pool_id: &str,
            sub: Uuid,
            session_id: &str,
        ) -> Result<bool> {
            let row = sqlx::query(EXISTS)
                .bind(pool_id)
                .bind(DbStore::sub(sub))
                .bind(session_id)
                .fetch_optional(self.reader())
                .await
                .map_err(db)?;
            Ok(row.is_some())
        }

        async fn touch_sso_session(
            &self,
            session_id: &str,
            at: Timestamp,
            seen: &SessionSeen,
        ) -> Result<()> {
            let query = sqlx::query(TOUCH)
                .bind(at.0)
                .bind(seen.ip.as_deref())
                .bind(seen.device_type.as_deref())
                .bind(session_id);
            self.affected(query).await.map(|_| ())
        }

        async fn list_sso_sessions(
            &self,
            pool_id: &str,
            sub: Uuid,
            since: Timestamp,
        ) -> Result<Vec<SsoSessionRecord>> {
            let rows = sqlx::query(LIST)
                .bind(pool_id)
                .bind(DbStore::sub(sub))
                .bind(since.0)
                .fetch_all(self.reader())
                .await
                .map_err(db)?;
            rows.iter()
                .map(|r| {
                    let sub: String = r.try_get("sub").map_err(db)?;
                    Ok(SsoSessionRecord {
                        session_id: r.try_get("session_id").map_err(db)?,
                        pool_id: r.try_get("pool_id").map_err(db)?,
                        sub: Uuid::parse_str(&sub).map_err(CognitoError::internal)?,
                        client_id: r.try_get("client_id").map_err(db)?,
                        created: Timestamp(r.try_get("created").map_err(db)?),
                        last_active: Timestamp(r.try_get("last_active").map_err(db)?),
                        seen: SessionSeen {
                            ip: r.try_get("last_ip").map_err(db)?,
                            device_type: r.try_get("device_type").map_err(db)?,
                        },
                    })
                })
                .collect()
        }

        async fn delete_sso_session(&self, pool_id: &str, session_id: &str) -> Result<bool> {
            let query = sqlx::query(DELETE).bind(pool_id).bind(session_id);
            Ok(self.affected(query).await? > 0)
        }

        async fn delete_old_sso_sessions(&self, before: Timestamp) -> Result<u64> {
            let query = sqlx::query(PURGE).bind(before.0);
            self.affected(query).await
        }
    }
}
