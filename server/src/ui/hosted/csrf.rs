//! CSRF protection of the hosted UI's forms without server state: a signed
//! double-submit cookie (OWASP CSRF Prevention Cheat Sheet, "Signed Double
//! Submit Cookie"). The browser holds a random seed in an HttpOnly cookie;
//! each form carries the seed's HMAC under a key derived from the master
//! key; a POST is accepted only when the two agree (constant time). A GET
//! therefore renders its form without writing a session row (issue 12,
//! item 9b): the session store is written only when there is something to
//! keep, such as the SSO session at sign-in.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use cognate_core::crypto::{constant_time_eq, random_bytes};

use crate::sessions::is_local_http;
use crate::state::AppState;

/// The cookie holding the seed.
pub const COOKIE: &str = "cognate_csrf";
/// Its name whenever it is Secure (RFC 6265bis §4.1.3.2: `__Host-` — no
/// Domain, Path=/, so a sibling subdomain cannot plant a seed).
pub const SECURE_COOKIE: &str = "__Host-cognate_csrf";

fn cookie_name(secure: bool) -> &'static str {
    if secure { SECURE_COOKIE } else { COOKIE }
}
/// The purpose the form token's HMAC key is derived for.
const MAC_PURPOSE: &str = "hosted-csrf";

/// This browser's seed: from its cookie, or new for this request (the
/// cookie is then set on the response if a form used it).
#[derive(Clone)]
pub struct CsrfSeed {
    seed: [u8; 32],
    fresh: bool,
    used: Arc<AtomicBool>,
}

impl std::fmt::Debug for CsrfSeed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CsrfSeed(***)")
    }
}

impl CsrfSeed {
    fn from_headers(headers: &HeaderMap, name: &str) -> Self {
        let from_cookie = headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|c| c.trim().strip_prefix(name)?.strip_prefix('='))
            .find_map(|v| B64URL.decode(v).ok()?.try_into().ok());
        match from_cookie {
            Some(seed) => Self {
                seed,
                fresh: false,
                used: Arc::default(),
            },
            None => Self {
                seed: random_bytes(),
                fresh: true,
                used: Arc::default(),
            },
        }
    }

    /// The token a form carries: the seed's HMAC, so that a cookie set by
    /// someone else (a sibling subdomain) cannot be paired with a token
    /// without the master key.
    pub fn token(&self, state: &AppState) -> String {
        self.used.store(true, Ordering::Relaxed);
        B64URL.encode(state.idp.master_key.mac(MAC_PURPOSE, &self.seed))
    }

    /// Whether a posted token is this browser's (constant time).
    pub fn check(&self, state: &AppState, given: Option<&str>) -> bool {
        let expected = B64URL.encode(state.idp.master_key.mac(MAC_PURPOSE, &self.seed));
        given.is_some_and(|g| constant_time_eq(expected.as_bytes(), g.as_bytes()))
    }
}

/// The middleware of the hosted routes: reads the seed, and sets the cookie
/// when a page handed out a token from a new one. HttpOnly, SameSite=Lax
/// (a cross-site POST does not even carry it), Secure as the session
/// cookie is (see `sessions::layer`).
pub async fn cookie(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let secure = !is_local_http(&state.public_url);
    let name = cookie_name(secure);
    let seed = CsrfSeed::from_headers(req.headers(), name);
    req.extensions_mut().insert(seed.clone());
    let mut response = next.run(req).await;
    if seed.fresh && seed.used.load(Ordering::Relaxed) {
        let secure = if secure { "; Secure" } else { "" };
        let value = format!(
            "{name}={}; Path=/; HttpOnly; SameSite=Lax{secure}",
            B64URL.encode(seed.seed)
        );
        if let Ok(v) = HeaderValue::from_str(&value) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    response
}

/// The browser session as the hosted pages see it: the tower-sessions
/// session (stored only once something is put in it) and the CSRF seed.
#[derive(Clone, Debug)]
pub struct Session {
    inner: tower_sessions::Session,
    pub csrf: CsrfSeed,
}

impl std::ops::Deref for Session {
    type Target = tower_sessions::Session;
    fn deref(&self) -> &Self::Target {
        &self.inner
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Session {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let inner = tower_sessions::Session::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let Some(csrf) = parts.extensions.get::<CsrfSeed>().cloned() else {
            tracing::error!("a hosted route without the CSRF middleware");
            return Err(StatusCode::INTERNAL_SERVER_ERROR.into_response());
        };
        Ok(Self { inner, csrf })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(cookie: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_str(cookie).unwrap());
        h
    }

    #[test]
    fn the_seed_comes_from_its_cookie_or_is_new() {
        let seed = [9u8; 32];
        let h = headers(&format!("a=b; {COOKIE}={}; c=d", B64URL.encode(seed)));
        let s = CsrfSeed::from_headers(&h, COOKIE);
        assert!(!s.fresh);
        assert_eq!(s.seed, seed);
        for bad in ["", "cognate_csrf=short", "cognate_csrfx=AAAA", "other=1"] {
            let s = CsrfSeed::from_headers(&headers(bad), COOKIE);
            assert!(s.fresh, "{bad}");
            assert_ne!(s.seed, seed);
        }
    }
}
