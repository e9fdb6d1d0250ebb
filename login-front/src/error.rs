//! Every way a sign-in can fail, as a typed error an app may render itself,
//! and its default rendering: a redirect to sign in or a short HTML page.
//! Internal causes are logged, never shown.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

/// An error of the login front. Its [`IntoResponse`] is a plain HTML page
/// (or, for [`LoginFrontError::SignInRequired`], a redirect to sign in).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoginFrontError {
    /// No one is signed in (or the session expired, or a refresh failed):
    /// the browser is sent to `login_url`, which returns to where it was.
    #[error("sign-in required")]
    SignInRequired { login_url: String },
    /// The callback came without `state` (RFC 6749 §10.12).
    #[error("the sign-in response has no state")]
    MissingState,
    /// The callback's `state` matches no sign-in started in this session:
    /// tampered, from another browser, expired, or already used (a replay).
    #[error("the sign-in response matches no sign-in in progress")]
    InvalidState,
    /// The provider answered the authorization request with an error
    /// (RFC 6749 §4.1.2.1), e.g. `access_denied`.
    #[error("the provider refused the sign-in: {error}")]
    Provider {
        error: String,
        description: Option<String>,
    },
    /// The provider cannot be reached or answered nonsense (discovery, keys,
    /// token endpoint).
    #[error("the identity provider is unavailable: {0}")]
    ProviderUnavailable(String),
    /// The token endpoint refused the code (used twice, expired, wrong verifier).
    #[error("the authorization code was refused: {0}")]
    CodeRefused(String),
    /// The ID token failed verification (signature, iss, aud, exp, nonce, at_hash).
    #[error("the ID token is not valid: {0}")]
    InvalidIdToken(String),
    /// The session store failed.
    #[error("the session store failed: {0}")]
    Session(String),
    /// The configuration is unusable (bad URL, missing session layer).
    #[error("login-front is misconfigured: {0}")]
    Config(String),
    /// A sign-out POSTed from another site (its `Origin` is not the
    /// app's): refused, so no page elsewhere can sign a user out.
    #[error("a sign-out from another origin was refused")]
    ForeignOrigin,
}

impl LoginFrontError {
    /// The HTTP status of the default rendering.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::SignInRequired { .. } => StatusCode::SEE_OTHER,
            Self::MissingState | Self::InvalidState | Self::Provider { .. } => {
                StatusCode::BAD_REQUEST
            }
            Self::CodeRefused(_) | Self::InvalidIdToken(_) => StatusCode::BAD_REQUEST,
            Self::ProviderUnavailable(_) => StatusCode::BAD_GATEWAY,
            Self::Session(_) | Self::Config(_) => StatusCode::INTERNAL_SERVER_ERROR,
            Self::ForeignOrigin => StatusCode::FORBIDDEN,
        }
    }

    /// A stable name for apps and logs, e.g. `invalid_state`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::SignInRequired { .. } => "sign_in_required",
            Self::MissingState => "missing_state",
            Self::InvalidState => "invalid_state",
            Self::Provider { .. } => "provider_error",
            Self::ProviderUnavailable(_) => "provider_unavailable",
            Self::CodeRefused(_) => "code_refused",
            Self::InvalidIdToken(_) => "invalid_id_token",
            Self::Session(_) => "session_error",
            Self::Config(_) => "configuration_error",
            Self::ForeignOrigin => "foreign_origin",
        }
    }

    /// What the person reading the page is told (no internal detail).
    pub fn message(&self) -> &'static str {
        match self {
            Self::SignInRequired { .. } => "Please sign in.",
            Self::MissingState => "The sign-in response is incomplete. Please sign in again.",
            Self::InvalidState => {
                "This sign-in response does not belong to a sign-in in progress: it was already used, has expired, or comes from another browser. Please sign in again."
            }
            Self::Provider { .. } => "The identity provider did not complete the sign-in.",
            Self::ProviderUnavailable(_) => {
                "The identity provider is unavailable right now. Please try again in a moment."
            }
            Self::CodeRefused(_) => {
                "The sign-in could not be completed: the provider refused it. Please sign in again."
            }
            Self::InvalidIdToken(_) => "The sign-in could not be verified. Please sign in again.",
            Self::Session(_) | Self::Config(_) => "Something went wrong on our side.",
            Self::ForeignOrigin => {
                "This sign-out came from another site and was refused; you are still signed in."
            }
        }
    }
}

/// A minimal self-contained error page (no script, no external resource).
pub(crate) fn page(
    status: StatusCode,
    title: &str,
    message: &str,
    link: Option<(&str, &str)>,
) -> Response {
    let link = link
        .map(|(href, text)| format!("<p><a href=\"{}\">{}</a></p>", escape(href), escape(text)))
        .unwrap_or_default();
    let body = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>{t}</title></head><body><main><h1>{t}</h1><p>{m}</p>{link}</main></body></html>",
        t = escape(title),
        m = escape(message),
    );
    let mut resp = (status, body).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
    );
    resp
}

pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

impl IntoResponse for LoginFrontError {
    fn into_response(self) -> Response {
        match &self {
            Self::SignInRequired { login_url } => see_other(login_url),
            _ => self.render_without_link(),
        }
    }
}

impl LoginFrontError {
    /// The default rendering with a "Sign in again" link to `login_path`.
    pub(crate) fn render(self, login_path: &str) -> Response {
        self.render_page(Some(login_path))
    }

    fn render_without_link(self) -> Response {
        self.render_page(None)
    }

    fn render_page(self, login_path: Option<&str>) -> Response {
        if let Self::SignInRequired { login_url } = &self {
            return see_other(login_url);
        }
        let link = login_path.map(|p| (p, "Sign in again"));
        let mut resp = page(self.status(), "Sign-in problem", self.message(), link);
        if self.status().is_server_error() || matches!(self, Self::ProviderUnavailable(_)) {
            tracing::error!(error = %self, code = self.code(), "login-front");
        } else {
            tracing::warn!(error = %self, code = self.code(), "login-front");
        }
        resp.extensions_mut().insert(self.code());
        resp
    }
}

/// 303 See Other, never cached.
pub(crate) fn see_other(to: &str) -> Response {
    let mut resp = Redirect::to(to).into_response();
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}
