//! The hosted UI: sign-in pages behind the OAuth 2.0 authorization
//! endpoint. A GET renders an app/ page; a POST handles its form. The
//! authorization request, once checked, travels through the pages as a
//! sealed `flow` field; the browser's SSO session lives in the session
//! (see `sessions.rs`), written only once there is one; every form carries
//! a CSRF token tied to the browser by a signed cookie (see `csrf.rs`).
//!
//! Layers, each using only those before it: `csrf` (the browser session),
//! `device_cookie` (the browser's remembered device), `error` (every
//! failure as one error page), `flow` (what each handler starts from: the
//! checked form, the flow, the pool and client, the language, rate limits,
//! and the end of a sign-in), `pages` (the renderers, each taking the
//! flow's context), `dance` (what the session keeps around an upstream
//! sign-in, shared by OIDC and SAML), then one file per page.

pub mod authorize;
pub mod csrf;
pub mod dance;
pub mod device_cookie;
pub mod error;
pub mod federation;
pub mod flow;
pub mod logout;
pub mod pages;
pub mod recovery;
pub mod saml;
pub mod sign_in;
pub mod sign_up;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use crate::http::no_store;

/// Pages get a strict policy: nothing inline, nothing from elsewhere, never
/// framed (docs/architecture.md, Pages without JavaScript).
const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; \
                   base-uri 'none'; frame-ancestors 'none'";

/// The passkey pages' policy: [`CSP`] and scripts from the server itself
/// (`/static/passkey.js`), still nothing inline.
const CSP_WITH_SCRIPT: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
                               img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'";

/// A rendered page with the hosted UI's security headers.
pub fn page(status: StatusCode, html: String) -> Response {
    with_policy(status, html, CSP)
}

/// A page that runs the passkey script (WebAuthn has no HTML-only form).
pub fn page_with_script(status: StatusCode, html: String) -> Response {
    with_policy(status, html, CSP_WITH_SCRIPT)
}

fn with_policy(status: StatusCode, html: String, csp: &'static str) -> Response {
    let mut r = (status, Html(html)).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(csp),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // Pages carry CSRF tokens and sign-in state: never cached.
    no_store(r)
}
