//! The one typed configuration of a login front: who the provider is, who
//! the app is, and the few knobs (logout style, refresh leeway, clock).

use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// Where `/logout` sends the browser after clearing the session.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum ProviderLogout {
    /// OpenID Connect RP-Initiated Logout 1.0 when discovery lists an
    /// `end_session_endpoint`; otherwise only the local session is cleared.
    #[default]
    Discovery,
    /// Cognito's `{domain}/logout?client_id=..&logout_uri=..`, where `domain`
    /// is the user pool domain (`https://<prefix>.auth.<region>.amazoncognito.com`,
    /// or for Cognate the issuer URL). `logout_uri` must be one of the app
    /// client's LogoutURLs.
    Cognito { domain: String },
    /// Clear the local session only.
    LocalOnly,
}

/// The time source of expiry checks; tests set it to make tokens count as
/// expired without waiting.
pub type ClockFn = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// Configuration of a [`crate::LoginFront`].
///
/// ```
/// use login_front::{LoginFrontConfig, ProviderLogout};
/// let config = LoginFrontConfig::new(
///     "http://127.0.0.1:9229/us-east-1_example",
///     "client-id",
///     "http://localhost:3000/auth/callback",
/// )
/// .prefix("/auth")
/// .scopes(["openid", "email", "profile"])
/// .logout(ProviderLogout::Cognito { domain: "http://127.0.0.1:9229/us-east-1_example".into() })
/// .post_logout_redirect_url("http://localhost:3000/");
/// ```
#[derive(Clone)]
pub struct LoginFrontConfig {
    pub(crate) issuer_url: String,
    pub(crate) client_id: String,
    pub(crate) client_secret: Option<String>,
    pub(crate) redirect_url: String,
    pub(crate) scopes: Vec<String>,
    pub(crate) prefix: String,
    pub(crate) logout: ProviderLogout,
    pub(crate) post_logout_redirect_url: Option<String>,
    pub(crate) default_return_to: String,
    pub(crate) refresh_leeway: Duration,
    pub(crate) session_inactivity: Duration,
    pub(crate) cookie_name: Option<String>,
    pub(crate) clock: ClockFn,
    pub(crate) http_timeout: Duration,
}

impl std::fmt::Debug for LoginFrontConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginFrontConfig")
            .field("issuer_url", &self.issuer_url)
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "<hidden>"),
            )
            .field("redirect_url", &self.redirect_url)
            .field("scopes", &self.scopes)
            .field("prefix", &self.prefix)
            .field("logout", &self.logout)
            .field("refresh_leeway", &self.refresh_leeway)
            .finish_non_exhaustive()
    }
}

impl LoginFrontConfig {
    /// `issuer_url` is the provider's issuer (discovery is read from
    /// `{issuer_url}/.well-known/openid-configuration`); `redirect_url` is
    /// the absolute URL of `{prefix}/callback` as registered with the
    /// provider.
    pub fn new(
        issuer_url: impl Into<String>,
        client_id: impl Into<String>,
        redirect_url: impl Into<String>,
    ) -> Self {
        Self {
            issuer_url: issuer_url.into(),
            client_id: client_id.into(),
            client_secret: None,
            redirect_url: redirect_url.into(),
            scopes: vec!["openid".into(), "email".into(), "profile".into()],
            prefix: "/auth".into(),
            logout: ProviderLogout::default(),
            post_logout_redirect_url: None,
            default_return_to: "/".into(),
            refresh_leeway: Duration::from_secs(60),
            session_inactivity: Duration::from_secs(8 * 3600),
            cookie_name: None,
            clock: Arc::new(SystemTime::now),
            http_timeout: Duration::from_secs(10),
        }
    }

    /// A confidential client's secret (sent with HTTP Basic at the token endpoint).
    pub fn client_secret(mut self, secret: impl Into<String>) -> Self {
        self.client_secret = Some(secret.into());
        self
    }

    /// The scopes asked for; `openid` is always added.
    pub fn scopes<I, T>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = T>,
        T: Into<String>,
    {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// The path the router's `/login`, `/callback` and `/logout` live under
    /// (default `/auth`; `""` mounts them at the root).
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into().trim_end_matches('/').to_owned();
        self
    }

    /// Where `/logout` sends the browser (default: [`ProviderLogout::Discovery`]).
    pub fn logout(mut self, logout: ProviderLogout) -> Self {
        self.logout = logout;
        self
    }

    /// The absolute URL the provider returns to after logout (Cognito's
    /// `logout_uri`, OIDC's `post_logout_redirect_uri`); default: the
    /// origin of the redirect URL followed by `/`.
    pub fn post_logout_redirect_url(mut self, url: impl Into<String>) -> Self {
        self.post_logout_redirect_url = Some(url.into());
        self
    }

    /// Where a sign-in without a (valid) return path ends (default `/`).
    pub fn default_return_to(mut self, path: impl Into<String>) -> Self {
        self.default_return_to = path.into();
        self
    }

    /// An access token is refreshed when it expires within this long
    /// (default 60 s). A leeway longer than the token's lifetime makes every
    /// [`crate::AccessToken`] extraction refresh.
    pub fn refresh_leeway(mut self, leeway: Duration) -> Self {
        self.refresh_leeway = leeway;
        self
    }

    /// Idle time after which the session (and the sign-in) expires (default 8 h).
    pub fn session_inactivity(mut self, idle: Duration) -> Self {
        self.session_inactivity = idle;
        self
    }

    /// The session cookie's name (default `__Host-login_front` over https,
    /// `login_front` on http://localhost).
    pub fn cookie_name(mut self, name: impl Into<String>) -> Self {
        self.cookie_name = Some(name.into());
        self
    }

    /// The clock of token-expiry checks (ID token `exp`, access-token
    /// refresh). Tests move it forward to make tokens expire at once.
    pub fn clock(mut self, clock: ClockFn) -> Self {
        self.clock = clock;
        self
    }

    /// Timeout of each request to the provider (default 10 s).
    pub fn http_timeout(mut self, timeout: Duration) -> Self {
        self.http_timeout = timeout;
        self
    }
}
