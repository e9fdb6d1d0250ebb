//! # login-front
//!
//! Makes Cognate, Amazon Cognito or any OpenID Connect provider the login
//! front of an axum app: the authorization-code flow with PKCE, `state` and
//! `nonce`; ID tokens verified (signature, `iss`, `aud`, `exp`, `nonce`,
//! `at_hash`); tokens kept server-side in a tower-sessions session whose
//! cookie is private (encrypted and signed) and whose record is sealed at
//! rest ([`EncryptedStore`]); access tokens refreshed before they expire.
//!
//! ```no_run
//! use axum::{Router, routing::get};
//! use login_front::{AccessToken, LoginFront, LoginFrontConfig, SessionKeys, User};
//!
//! async fn home(user: Option<User>) -> String {
//!     match user {
//!         Some(u) => format!("signed in as {}", u.subject),
//!         None => "anonymous".into(),
//!     }
//! }
//! async fn api(token: AccessToken) -> String {
//!     format!("{} bytes of access token", token.secret().len())
//! }
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let login = LoginFront::new(
//!     LoginFrontConfig::new(
//!         "http://127.0.0.1:9229/us-east-1_example",
//!         "client-id",
//!         "http://localhost:3000/auth/callback",
//!     )
//!     .prefix("/auth"),
//! )?;
//! let keys = SessionKeys::from_secret(&[0x42; 64])?; // keep a real secret elsewhere
//! let store = tower_sessions::MemoryStore::default(); // or SqliteStore, PostgresStore, RedisStore
//! let app = Router::new()
//!     .route("/private", get(api))
//!     .route_layer(login.require_login()) // anonymous → /auth/login?return_to=/private
//!     .route("/", get(home))
//!     .merge(login.router()) // /auth/login, /auth/callback, /auth/logout
//!     .layer(login.session_layer(store, &keys));
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
//! axum::serve(listener, app).await?;
//! # Ok(()) }
//! ```

mod callback;
mod config;
mod error;
mod extract;
mod guard;
mod keys;
mod login;
mod logout;
mod provider;
mod return_to;
mod session;
mod store;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::UNIX_EPOCH;

use axum::Router;
use axum::http::Uri;
use axum::routing::{get, post};
use openidconnect::url::Url;
use tower::layer::util::Stack;
use tower_sessions::cookie::SameSite;
use tower_sessions::service::PrivateCookie;
use tower_sessions::{Expiry, SessionManagerLayer, SessionStore};

pub use config::{ClockFn, LoginFrontConfig, ProviderLogout};
pub use error::LoginFrontError;
pub use extract::{AccessToken, User};
pub use guard::{RequireLogin, RequireLoginLayer};
pub use keys::SessionKeys;
pub use return_to::safe_return_to;
pub use store::{EncryptedStore, RecordKey};

use provider::Provider;

/// The session layer [`LoginFront::session_layer`] builds: tower-sessions
/// with a private cookie over an [`EncryptedStore`], and the login front
/// itself as a request extension (for the extractors).
pub type SessionLayer<S> =
    Stack<axum::Extension<LoginFront>, SessionManagerLayer<EncryptedStore<S>, PrivateCookie>>;

/// A configured login front; cheap to clone.
#[derive(Clone)]
pub struct LoginFront {
    inner: Arc<Inner>,
}

struct Inner {
    config: LoginFrontConfig,
    provider: Provider,
    secure_cookie: bool,
    origin: String,
    /// One refresh at a time per session: a lock per session id, dropped
    /// when no request holds it.
    refreshing: Mutex<HashMap<tower_sessions::session::Id, Weak<tokio::sync::Mutex<()>>>>,
    refreshes: AtomicU64,
}

impl std::fmt::Debug for LoginFront {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginFront")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

/// True for `http://localhost`, `http://127.0.0.1` and `http://[::1]`, where
/// browsers accept no Secure cookie over plain HTTP.
fn is_local_http(url: &Url) -> bool {
    url.scheme() == "http"
        && matches!(
            url.host_str(),
            Some("localhost") | Some("127.0.0.1") | Some("[::1]")
        )
}

impl LoginFront {
    /// Checks the configuration (no network: discovery happens on first use,
    /// or call [`LoginFront::discover`] at start-up).
    pub fn new(config: LoginFrontConfig) -> Result<Self, LoginFrontError> {
        let redirect = Url::parse(&config.redirect_url)
            .map_err(|e| LoginFrontError::Config(format!("redirect URL: {e}")))?;
        let secure_cookie = match redirect.scheme() {
            "https" => true,
            "http" if is_local_http(&redirect) => false,
            _ => {
                return Err(LoginFrontError::Config(
                    "the redirect URL must be https (or http on localhost)".into(),
                ));
            }
        };
        if !config.prefix.is_empty() && !config.prefix.starts_with('/') {
            return Err(LoginFrontError::Config(
                "the prefix must start with /".into(),
            ));
        }
        if return_to::safe_return_to(&config.default_return_to).is_none() {
            return Err(LoginFrontError::Config(
                "the default return path must be a same-origin path".into(),
            ));
        }
        if let Some(u) = &config.post_logout_redirect_url {
            Url::parse(u)
                .map_err(|e| LoginFrontError::Config(format!("post-logout redirect URL: {e}")))?;
        }
        let origin = redirect.origin().ascii_serialization();
        let provider = Provider::new(&config)?;
        Ok(Self {
            inner: Arc::new(Inner {
                config,
                provider,
                secure_cookie,
                origin,
                refreshing: Mutex::new(HashMap::new()),
                refreshes: AtomicU64::new(0),
            }),
        })
    }

    /// Reads the provider's discovery document and keys now (otherwise the
    /// first sign-in does). Fails with `ProviderUnavailable`.
    pub async fn discover(&self) -> Result<(), LoginFrontError> {
        self.inner.provider.metadata().await.map(|_| ())
    }

    /// How many times the provider's keys were fetched (discovery included):
    /// a rotated key costs one more.
    pub fn key_fetches(&self) -> u64 {
        self.inner.provider.jwks_fetches()
    }

    /// How many refresh-token requests were made (for metrics and tests:
    /// concurrent requests of one session share one refresh).
    pub fn refreshes(&self) -> u64 {
        self.inner.refreshes.load(Ordering::Relaxed)
    }

    pub(crate) fn count_refresh(&self) {
        self.inner.refreshes.fetch_add(1, Ordering::Relaxed);
    }

    /// `{prefix}/login`, `{prefix}/callback` (GET) and `{prefix}/logout`
    /// (POST from the app's own pages only), to `merge` into the app's router.
    pub fn router<S: Clone + Send + Sync + 'static>(&self) -> Router<S> {
        let p = &self.inner.config.prefix;
        Router::new()
            .route(&format!("{p}/login"), get(login::login))
            .route(&format!("{p}/callback"), get(callback::callback))
            .route(&format!("{p}/logout"), post(logout::logout))
            .with_state(self.clone())
    }

    /// The session layer to put around the whole app (router included):
    /// a private cookie — HttpOnly, SameSite=Lax, Path=/, Secure unless the
    /// redirect URL is http on localhost — and records sealed in `store`.
    pub fn session_layer<S: SessionStore + Clone>(
        &self,
        store: S,
        keys: &SessionKeys,
    ) -> SessionLayer<S> {
        let c = &self.inner.config;
        let name = match (&c.cookie_name, self.inner.secure_cookie) {
            (Some(n), _) => n.clone(),
            // RFC 6265bis §4.1.3.2: __Host- pins the cookie to this origin.
            (None, true) => "__Host-login_front".into(),
            (None, false) => "login_front".into(),
        };
        let idle =
            time::Duration::seconds(c.session_inactivity.as_secs().min(i64::MAX as u64) as i64);
        let sessions = SessionManagerLayer::new(EncryptedStore::new(store, keys.record_key()))
            .with_name(name)
            .with_http_only(true)
            .with_same_site(SameSite::Lax)
            .with_secure(self.inner.secure_cookie)
            .with_path("/")
            .with_expiry(Expiry::OnInactivity(idle))
            .with_private(keys.cookie_key());
        Stack::new(axum::Extension(self.clone()), sessions)
    }

    /// A layer for `route_layer` that sends anonymous browsers to
    /// `{prefix}/login?return_to=<the path they asked for>`.
    pub fn require_login(&self) -> RequireLoginLayer {
        RequireLoginLayer::new(self.clone())
    }

    /// The path of `/login` under the prefix.
    pub fn login_path(&self) -> String {
        format!("{}/login", self.inner.config.prefix)
    }

    /// `{prefix}/login?return_to=<uri>` for a request to `uri` (only a
    /// same-origin path is kept).
    pub fn login_url_for(&self, uri: &Uri) -> String {
        let target = uri.path_and_query().map(|pq| pq.as_str()).unwrap_or("/");
        match return_to::safe_return_to(target) {
            Some(t) => {
                let q: String = openidconnect::url::form_urlencoded::Serializer::new(String::new())
                    .append_pair("return_to", &t)
                    .finish();
                format!("{}?{q}", self.login_path())
            }
            None => self.login_path(),
        }
    }

    pub(crate) fn sign_in_required(&self, uri: &Uri) -> LoginFrontError {
        LoginFrontError::SignInRequired {
            login_url: self.login_url_for(uri),
        }
    }

    pub(crate) fn config(&self) -> &LoginFrontConfig {
        &self.inner.config
    }

    pub(crate) fn provider(&self) -> &Provider {
        &self.inner.provider
    }

    pub(crate) fn origin(&self) -> &str {
        &self.inner.origin
    }

    /// Now by the configured clock, in Unix seconds.
    pub(crate) fn now(&self) -> i64 {
        (self.inner.config.clock)()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0)
    }

    pub(crate) fn refresh_lock(
        &self,
        id: tower_sessions::session::Id,
    ) -> Arc<tokio::sync::Mutex<()>> {
        let mut map = self.inner.refreshing.lock().expect("refresh map");
        if let Some(lock) = map.get(&id).and_then(Weak::upgrade) {
            return lock;
        }
        map.retain(|_, w| w.strong_count() > 0);
        let lock = Arc::new(tokio::sync::Mutex::new(()));
        map.insert(id, Arc::downgrade(&lock));
        lock
    }
}
