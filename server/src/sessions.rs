//! The hosted UI's browser sessions: tower-sessions with a private
//! (encrypted and signed) cookie holding only the session id, and the
//! session record sealed with AES-256-GCM under the master key before it
//! reaches the database — the store never sees what a session holds.

use async_trait::async_trait;
use cognate_core::Timestamp;
use cognate_core::service::Idp;
use tower_sessions::cookie::{Key, SameSite};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};
use tower_sessions::{Expiry, SessionManagerLayer};

/// The cookie's name over http://localhost, where it cannot be Secure.
pub const COOKIE: &str = "cognate_session";
/// The cookie's name whenever it is Secure. RFC 6265bis §4.1.3.2: a
/// `__Host-` cookie is kept only if Secure, with Path=/ and no Domain, so
/// neither a sibling subdomain nor plain http can set or shadow it.
pub const SECURE_COOKIE: &str = "__Host-cognate_session";

/// The session cookie's name for a server at `public_url`.
pub fn cookie_name(public_url: &str) -> &'static str {
    if is_local_http(public_url) {
        COOKIE
    } else {
        SECURE_COOKIE
    }
}

/// A session lives an hour past its last use (Cognito's hosted UI keeps
/// its session cookie for one hour).
const IDLE_MINUTES: i64 = 60;

/// The sealing store over the core's store.
#[derive(Clone)]
pub struct SealedStore {
    idp: Idp,
}

impl std::fmt::Debug for SealedStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealedStore")
    }
}

fn record_id(id: &Id) -> String {
    format!("web-session:{id}")
}

fn backend(e: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

impl SealedStore {
    pub fn new(idp: Idp) -> Self {
        Self { idp }
    }

    fn seal(&self, record: &Record) -> session_store::Result<(Timestamp, Vec<u8>)> {
        let plain = zeroize::Zeroizing::new(
            serde_json::to_vec(record).map_err(|e| session_store::Error::Encode(e.to_string()))?,
        );
        let expires = Timestamp(record.expiry_date.unix_timestamp() * 1000);
        Ok((
            expires,
            self.idp.master_key.seal(&record_id(&record.id), &plain),
        ))
    }
}

#[async_trait]
impl SessionStore for SealedStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // A clash of 128-bit random ids is all but impossible; draw again if so.
        loop {
            let (expires, sealed) = self.seal(record)?;
            let id = record.id.to_string();
            if self
                .idp
                .store
                .create_web_session(&id, expires, &sealed)
                .await
                .map_err(backend)?
            {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let (expires, sealed) = self.seal(record)?;
        self.idp
            .store
            .save_web_session(&record.id.to_string(), expires, &sealed)
            .await
            .map_err(backend)
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let now = self.idp.clock.now();
        let Some(sealed) = self
            .idp
            .store
            .load_web_session(&id.to_string(), now)
            .await
            .map_err(backend)?
        else {
            return Ok(None);
        };
        // A record that does not open (another master key) is no session.
        let Some(plain) = self.idp.master_key.open_quietly(&record_id(id), &sealed) else {
            return Ok(None);
        };
        let plain = zeroize::Zeroizing::new(plain);
        serde_json::from_slice(&plain)
            .map(Some)
            .map_err(|e| session_store::Error::Decode(e.to_string()))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.idp
            .store
            .delete_web_session(&id.to_string())
            .await
            .map_err(backend)
    }
}

/// Whether cookies may go without `Secure`: only for a public URL on the
/// local machine over http.
pub fn is_local_http(public_url: &str) -> bool {
    ["http://localhost", "http://127.0.0.1", "http://[::1]"]
        .iter()
        .any(|p| {
            public_url
                .strip_prefix(p)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with([':', '/']))
        })
}

/// The session layer: HttpOnly, SameSite=Lax, Secure unless the server is
/// on http://localhost, the cookie encrypted with a key derived from the
/// master key.
pub fn layer(
    idp: &Idp,
    public_url: &str,
) -> SessionManagerLayer<SealedStore, tower_sessions::service::PrivateCookie> {
    let mut key = [0u8; 64];
    key[..32].copy_from_slice(&idp.master_key.mac("session-cookie", b"encryption"));
    key[32..].copy_from_slice(&idp.master_key.mac("session-cookie", b"signing"));
    // Secure and the `__Host-` name go together (see `cookie_name`); the
    // prefix also needs Path=/ and no Domain, which is never set.
    SessionManagerLayer::new(SealedStore::new(idp.clone()))
        .with_name(cookie_name(public_url))
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(!is_local_http(public_url))
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(time::Duration::minutes(IDLE_MINUTES)))
        .with_private(Key::from(&key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_http_goes_without_secure() {
        assert!(is_local_http("http://localhost:9229"));
        assert!(is_local_http("http://127.0.0.1"));
        assert!(!is_local_http("http://localhost.example.com"));
        assert!(!is_local_http("https://localhost"));
        assert!(!is_local_http("http://auth.example.com"));
    }
}
