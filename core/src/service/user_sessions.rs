//! User sessions (Cognito API: ListUserSessions, AdminListUserSessions,
//! RevokeUserSession, AdminRevokeUserSession) and their configuration
//! (Get/SetUserPoolSessionConfiguration, Get/SetUserPoolClientSessionConfiguration).
//!
//! A token session is a sign-in that still holds a usable refresh token:
//! one refresh-token row, one `origin_jti` (see `tokens.rs`). Its id is
//! derived from the origin_jti, so nothing new is stored to name it, and
//! revoking it revokes its refresh token and, through origin_jti, every
//! access and ID token issued from it. An SSO session is a browser's
//! hosted-UI sign-in, recorded (store `sso_sessions`) while the pool
//! tracks sessions; the browser's sealed session names it and is resumed
//! only while the record is there, so revoking it signs that browser out.
//! Revoking a token session with `LINKED` ends every hosted-UI session of
//! the user, since tokens do not record the SSO session they came through
//! (no OriginSessionId; stricter than Cognito).

use uuid::Uuid;

use super::Idp;
use crate::clock::Timestamp;
use crate::error::{CognitoError, Result};
use crate::model::session::{ClientSsoSessionConfig, PoolSessionConfig};
use crate::model::{User, UserPool, UserPoolClient};
use crate::store::refresh_tokens::{SessionSeen, TokenSession};
use crate::store::sso_sessions::SsoSessionRecord;

/// Cognito API: ListUserSessions — at most 125 sessions a page.
const PAGE: usize = 125;

/// One session as SessionDescriptionType describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionView {
    pub session_id: String,
    /// TOKEN or SSO (Cognito API: SessionTypeType).
    pub session_type: &'static str,
    pub client_id: String,
    pub created: Timestamp,
    pub last_active: Timestamp,
    /// The session of the access token that asked (never for an admin).
    pub is_current: bool,
    /// The caller of the last sign-in, refresh or rotation.
    pub seen: SessionSeen,
}

/// Who called a face that signs in or refreshes: what a session records of
/// its caller (Cognito API: SessionDescriptionType, LastIPAddress and
/// DeviceType). The faces fill it in; the core never reads headers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Requester {
    /// The client address the server derived for the request.
    pub ip: Option<std::net::IpAddr>,
    /// The User-Agent header, as sent.
    pub user_agent: Option<String>,
}

/// A caller the core knows nothing of (internal sign-ins).
pub static UNKNOWN_REQUESTER: Requester = Requester {
    ip: None,
    user_agent: None,
};

impl Requester {
    /// What a session stores of this caller.
    pub fn seen(&self) -> SessionSeen {
        SessionSeen {
            ip: self.ip.map(|ip| ip.to_string()),
            device_type: Some(device_type(self.user_agent.as_deref())),
        }
    }
}

/// Cognito API: SessionDescriptionType, DeviceType — "a parsed user agent,
/// `unknown` when it cannot be parsed". No small, maintained parser crate
/// exists without a large regex database, so this names only the few
/// families that account for nearly all callers: the AWS SDKs and the big
/// browsers on the big systems. Anything else is `unknown`.
pub fn device_type(user_agent: Option<&str>) -> String {
    let Some(ua) = user_agent.filter(|u| !u.trim().is_empty()) else {
        return "unknown".into();
    };
    // The SDKs name themselves first: "aws-sdk-rust/1.3 os/linux ...".
    const SDKS: [(&str, &str); 8] = [
        ("aws-sdk-rust", "AWS SDK for Rust"),
        ("aws-sdk-js", "AWS SDK for JavaScript"),
        ("aws-amplify", "AWS Amplify"),
        ("Boto3", "AWS SDK for Python"),
        ("Botocore", "AWS SDK for Python"),
        ("aws-sdk-java", "AWS SDK for Java"),
        ("aws-sdk-go", "AWS SDK for Go"),
        ("aws-cli", "AWS CLI"),
    ];
    let lower = ua.to_ascii_lowercase();
    if let Some((_, name)) = SDKS
        .iter()
        .find(|(token, _)| lower.contains(&token.to_ascii_lowercase()))
    {
        return (*name).into();
    }
    // Order matters: Edge and Opera also say Chrome, Chrome says Safari.
    const BROWSERS: [(&str, &str); 6] = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("CriOS/", "Chrome"),
        ("Safari/", "Safari"),
    ];
    // Android says Linux, iOS says Mac OS X.
    const SYSTEMS: [(&str, &str); 6] = [
        ("Android", "Android"),
        ("iPhone", "iOS"),
        ("iPad", "iPadOS"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("Linux", "Linux"),
    ];
    let browser = BROWSERS.iter().find(|(t, _)| ua.contains(t)).map(|b| b.1);
    let system = SYSTEMS.iter().find(|(t, _)| ua.contains(t)).map(|s| s.1);
    match (browser, system) {
        (Some(b), Some(s)) => format!("{b} on {s}"),
        (Some(b), None) => b.into(),
        (None, Some(s)) => s.into(),
        (None, None) => "unknown".into(),
    }
}

/// Cognito API: SessionIdType — `tkn` and 25 lowercase letters or digits
/// for a token session: here from SHA-256 of the sign-in's origin_jti.
pub fn token_session_id(origin_jti: &str) -> String {
    const ALPHABET: &[u8; 36] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, origin_jti.as_bytes());
    let tail: String = digest.as_ref()[..25]
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % 36] as char)
        .collect();
    format!("tkn{tail}")
}

/// Cognito API: SessionIdType — `sso` and 25 lowercase letters or digits
/// from the CSPRNG for an SSO session (bytes of 252 and above are drawn
/// again, so each character is uniform).
pub fn sso_session_id() -> String {
    use aws_lc_rs::rand::{SecureRandom as _, SystemRandom};
    const ALPHABET: &[u8; 36] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let rng = SystemRandom::new();
    let mut id = String::from("sso");
    while id.len() < 28 {
        let mut bytes = [0u8; 32];
        // The system's CSPRNG does not fail on the platforms we build for.
        if rng.fill(&mut bytes).is_err() {
            continue;
        }
        for b in bytes.iter().filter(|b| **b < 252) {
            if id.len() < 28 {
                id.push(ALPHABET[usize::from(*b) % 36] as char);
            }
        }
    }
    id
}

/// Cognito API: SessionIdType, `^(tkn|sso)[a-z0-9]{25}$`.
fn check_session_id(id: &str) -> Result<()> {
    let ok = id.len() == 28
        && (id.starts_with("tkn") || id.starts_with("sso"))
        && id[3..]
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    if ok {
        Ok(())
    } else {
        Err(CognitoError::invalid_parameter(
            "1 validation error detected: Value at 'sessionId' failed to satisfy constraint: \
             Member must satisfy regular expression pattern: ^(tkn|sso)[a-z0-9]{25}$",
        ))
    }
}

/// Cognito API: OperationNotEnabledException — sessions are listed and
/// revoked only while the pool tracks them.
fn not_tracking() -> CognitoError {
    CognitoError::OperationNotEnabled(
        "User session tracking is not enabled for this user pool; \
         enable it with SetUserPoolSessionConfiguration."
            .into(),
    )
}

fn session_not_found() -> CognitoError {
    CognitoError::ResourceNotFound("Session not found.".into())
}

/// Whose sessions an action reads: the access token's user, or a user an
/// administrator names.
pub enum SessionOwner<'a> {
    AccessToken(&'a str),
    Admin { pool_id: &'a str, username: &'a str },
}

impl Idp {
    /// The pool, the user and the caller's own sign-in (for a token).
    async fn session_owner(
        &self,
        owner: SessionOwner<'_>,
    ) -> Result<(UserPool, User, Option<String>)> {
        let (pool, user, current) = match owner {
            SessionOwner::AccessToken(token) => {
                let (pool, user, claims) = self.authenticate_access_token(token).await?;
                let origin = claims
                    .get("origin_jti")
                    .and_then(serde_json::Value::as_str)
                    .map(str::to_owned);
                (pool, user, origin)
            }
            SessionOwner::Admin { pool_id, username } => {
                let pool = self.pool(pool_id).await?;
                let user = self.admin_find_user(&pool, username).await?;
                (pool, user, None)
            }
        };
        if !pool.session_config().tracking() {
            return Err(not_tracking());
        }
        Ok((pool, user, current))
    }

    /// ListUserSessions and AdminListUserSessions: the user's active token
    /// sessions, oldest first, 125 a page; `next` is the last id of the
    /// page before.
    pub async fn list_user_sessions(
        &self,
        owner: SessionOwner<'_>,
        next: Option<&str>,
    ) -> Result<(Vec<SessionView>, Option<String>)> {
        let (pool, user, current) = self.session_owner(owner).await?;
        let sessions = self
            .store
            .list_token_sessions(&pool.id, user.sub, self.clock.now())
            .await?;
        let views: Vec<SessionView> = sessions
            .into_iter()
            .map(|s| SessionView {
                session_id: token_session_id(&s.origin_jti),
                session_type: "TOKEN",
                is_current: current.as_deref() == Some(s.origin_jti.as_str()),
                client_id: s.client_id,
                created: s.created,
                last_active: s.last_active,
                seen: s.seen,
            })
            .chain(
                self.live_sso_sessions(&pool, user.sub)
                    .await?
                    .into_iter()
                    .map(|s| SessionView {
                        session_id: s.session_id,
                        session_type: "SSO",
                        client_id: s.client_id,
                        created: s.created,
                        last_active: s.last_active,
                        is_current: false,
                        seen: s.seen,
                    }),
            )
            .collect();
        let start = match next {
            None => 0,
            Some(after) => {
                views
                    .iter()
                    .position(|v| v.session_id == after)
                    .ok_or_else(|| CognitoError::invalid_parameter("Invalid NextToken."))?
                    + 1
            }
        };
        let page: Vec<SessionView> = views.iter().skip(start).take(PAGE).cloned().collect();
        let more = start + page.len() < views.len();
        let token = more
            .then(|| page.last().map(|v| v.session_id.clone()))
            .flatten();
        Ok((page, token))
    }

    /// RevokeUserSession and AdminRevokeUserSession: the session's refresh
    /// token is revoked, and through its origin_jti its access and ID
    /// tokens; `linked` also ends the user's hosted-UI sessions. A user
    /// cannot revoke the session of the access token it calls with.
    pub async fn revoke_user_session(
        &self,
        owner: SessionOwner<'_>,
        session_id: &str,
        linked: bool,
    ) -> Result<()> {
        check_session_id(session_id)?;
        let (pool, user, current) = self.session_owner(owner).await?;
        if session_id.starts_with("sso") {
            // The browser's session: its record goes, so the browser is
            // asked to sign in again on its next visit.
            let ours = self
                .live_sso_sessions(&pool, user.sub)
                .await?
                .iter()
                .any(|s| s.session_id == session_id);
            if !ours || !self.store.delete_sso_session(&pool.id, session_id).await? {
                return Err(session_not_found());
            }
            tracing::info!(pool_id = %pool.id, sub = %user.sub, "SSO session revoked");
            return Ok(());
        }
        if current
            .as_deref()
            .is_some_and(|c| token_session_id(c) == session_id)
        {
            return Err(CognitoError::invalid_parameter(
                "The session of the access token in the request cannot be revoked; \
                 use RevokeToken or GlobalSignOut.",
            ));
        }
        let sessions = self
            .store
            .list_token_sessions(&pool.id, user.sub, self.clock.now())
            .await?;
        let target = sessions
            .iter()
            .find(|s| token_session_id(&s.origin_jti) == session_id)
            .ok_or_else(session_not_found)?;
        self.store
            .revoke_refresh_token(&target.origin_jti, self.clock.now())
            .await?;
        if linked {
            let (_guard, mut user) = self.lock_user(&pool, &user).await?;
            self.end_sessions(&mut user);
            self.store.update_user(&pool, &user).await?;
        }
        tracing::info!(pool_id = %pool.id, sub = %user.sub, linked, "user session revoked");
        Ok(())
    }

    /// A sign-in, refresh or rotation of the tracked token session
    /// `origin_jti` by `requester`: its LastActiveDate, LastIPAddress and
    /// DeviceType. Nothing is kept of callers while the pool does not track
    /// sessions.
    pub(crate) async fn touch_token_session(
        &self,
        pool: &UserPool,
        origin_jti: &str,
        requester: &Requester,
    ) -> Result<()> {
        if !pool.session_config().tracking() {
            return Ok(());
        }
        self.store
            .touch_refresh_token(origin_jti, self.clock.now(), &requester.seen())
            .await
    }

    /// The user's SSO sessions younger than the hosted UI's absolute
    /// session lifetime.
    async fn live_sso_sessions(&self, pool: &UserPool, sub: Uuid) -> Result<Vec<SsoSessionRecord>> {
        let since = self
            .clock
            .now()
            .plus_seconds(-self.settings.sso_session_seconds);
        self.store.list_sso_sessions(&pool.id, sub, since).await
    }

    /// A hosted-UI sign-in of a browser for `client`: recorded as an SSO
    /// session while the pool tracks sessions (its id for the browser's
    /// session), else nothing is kept and None.
    pub async fn begin_sso_session(
        &self,
        pool: &UserPool,
        sub: Uuid,
        client_id: &str,
        requester: &Requester,
    ) -> Result<Option<String>> {
        if !pool.session_config().tracking() {
            return Ok(None);
        }
        let now = self.clock.now();
        let record = SsoSessionRecord {
            session_id: sso_session_id(),
            pool_id: pool.id.clone(),
            sub,
            client_id: client_id.to_owned(),
            created: now,
            last_active: now,
            seen: requester.seen(),
        };
        self.store.put_sso_session(&record).await?;
        Ok(Some(record.session_id))
    }

    /// A silent reuse of the browser's SSO session: its LastActiveDate and
    /// caller, while the pool tracks sessions.
    pub async fn touch_sso_session(
        &self,
        pool: &UserPool,
        session_id: &str,
        requester: &Requester,
    ) -> Result<()> {
        if !pool.session_config().tracking() {
            return Ok(());
        }
        self.store
            .touch_sso_session(session_id, self.clock.now(), &requester.seen())
            .await
    }

    /// Logout: the browser's SSO session record goes with it.
    pub async fn end_sso_session(&self, pool_id: &str, session_id: &str) -> Result<()> {
        self.store.delete_sso_session(pool_id, session_id).await?;
        Ok(())
    }

    /// A new sign-in of a pool that tracks sessions: the user's least
    /// recently used token sessions beyond MaxPerUser are revoked (Cognito
    /// API: UserPoolTokenSessionConfigType, MaxPerUser). The new one stays.
    pub(crate) async fn evict_token_sessions(
        &self,
        pool: &UserPool,
        sub: Uuid,
        new_origin: &str,
    ) -> Result<()> {
        let config = pool.session_config();
        if !config.tracking() {
            return Ok(());
        }
        let now = self.clock.now();
        let mut older: Vec<TokenSession> = self
            .store
            .list_token_sessions(&pool.id, sub, now)
            .await?
            .into_iter()
            .filter(|s| s.origin_jti != new_origin)
            .collect();
        let keep = usize::try_from(config.token_session.max_per_user - 1).unwrap_or(0);
        if older.len() <= keep {
            return Ok(());
        }
        older.sort_by_key(|s| (s.last_active, s.created));
        let evict = older.len() - keep;
        for s in &older[..evict] {
            self.store.revoke_refresh_token(&s.origin_jti, now).await?;
        }
        tracing::info!(pool_id = %pool.id, %sub, evicted = evict, "token sessions over MaxPerUser revoked");
        Ok(())
    }

    /// Whether the hosted UI may silently reuse a sign-in of `auth_time`
    /// for `client`: while the pool tracks sessions, the client's
    /// MaxValidityMinutes since that sign-in (0: never).
    pub fn sso_reuse_allowed(
        &self,
        pool: &UserPool,
        client: &UserPoolClient,
        auth_time: Timestamp,
    ) -> bool {
        if !pool.session_config().tracking() {
            return true;
        }
        let minutes = client.sso_session.unwrap_or_default().max_validity_minutes;
        self.clock.now() < auth_time.plus_seconds(minutes.saturating_mul(60))
    }

    /// GetUserPoolSessionConfiguration: Cognito's defaults until set.
    pub async fn get_pool_session_config(&self, pool_id: &str) -> Result<PoolSessionConfig> {
        Ok(self.pool(pool_id).await?.session_config())
    }

    /// SetUserPoolSessionConfiguration: a full replacement; ESSENTIALS or
    /// PLUS only.
    pub async fn set_pool_session_config(
        &self,
        pool_id: &str,
        config: PoolSessionConfig,
    ) -> Result<PoolSessionConfig> {
        config.validate()?;
        let mut pool = self.pool_from_store(pool_id).await?;
        self.check_session_tier(&pool)?;
        pool.session_configuration = Some(config);
        pool.last_modified_date = self.clock.now();
        self.store.update_pool(&pool).await?;
        self.config.forget_pool(pool_id);
        Ok(config)
    }

    /// GetUserPoolClientSessionConfiguration: 60 minutes until set.
    pub async fn get_client_session_config(
        &self,
        pool_id: &str,
        client_id: &str,
    ) -> Result<ClientSsoSessionConfig> {
        self.pool(pool_id).await?;
        let client = self.client_from_store(pool_id, client_id).await?;
        Ok(client.sso_session.unwrap_or_default())
    }

    /// SetUserPoolClientSessionConfiguration: a full replacement; the pool
    /// must track sessions and be ESSENTIALS or PLUS.
    pub async fn set_client_session_config(
        &self,
        pool_id: &str,
        client_id: &str,
        config: ClientSsoSessionConfig,
    ) -> Result<ClientSsoSessionConfig> {
        config.validate()?;
        let pool = self.pool_from_store(pool_id).await?;
        self.check_session_tier(&pool)?;
        if !pool.session_config().tracking() {
            return Err(not_tracking());
        }
        let mut client = self.client_from_store(pool_id, client_id).await?;
        client.sso_session = Some(config);
        client.last_modified_date = self.clock.now();
        self.store
            .update_client(&super::client_secret::sealed_for_store(
                &self.master_key,
                &client,
            ))
            .await?;
        self.config.forget_client(client_id);
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_session_ids_have_cognitos_shape() {
        let id = token_session_id("4f7f3c1e-8d7b-4a7e-9a55-0d1f3e1f2a10");
        assert!(check_session_id(&id).is_ok(), "{id}");
        assert_eq!(id, token_session_id("4f7f3c1e-8d7b-4a7e-9a55-0d1f3e1f2a10"));
        assert_ne!(id, token_session_id("another"));
        assert!(check_session_id("tknABC").is_err());
        let sso = sso_session_id();
        assert!(
            sso.starts_with("sso") && check_session_id(&sso).is_ok(),
            "{sso}"
        );
        assert_ne!(sso, sso_session_id());
        assert!(check_session_id("xyz0123456789012345678901234").is_err());
        assert!(check_session_id("sso0123456789abcdefghijklmn").is_err());
        assert!(check_session_id("sso0123456789abcdefghijklmno").is_ok());
    }

    #[test]
    fn device_types_name_the_big_families_or_say_unknown() {
        let chrome_linux = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 \
                            (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
        assert_eq!(device_type(Some(chrome_linux)), "Chrome on Linux");
        let edge = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 \
                    (KHTML, like Gecko) Chrome/120.0 Safari/537.36 Edg/120.0";
        assert_eq!(device_type(Some(edge)), "Edge on Windows");
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) \
                      AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
        assert_eq!(device_type(Some(iphone)), "Safari on iOS");
        assert_eq!(
            device_type(Some("aws-sdk-rust/1.1.0 os/linux lang/rust/1.80")),
            "AWS SDK for Rust"
        );
        assert_eq!(device_type(Some("curl/8.0")), "unknown");
        assert_eq!(device_type(Some("  ")), "unknown");
        assert_eq!(device_type(None), "unknown");
    }
}
