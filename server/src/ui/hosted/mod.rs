//! The hosted UI: sign-in pages behind the OAuth 2.0 authorization
//! endpoint. A GET renders an app/ page; a POST handles its form. The
//! authorization request, once checked, travels through the pages as a
//! sealed `flow` field; the browser's SSO session lives in the session
//! (see `sessions.rs`), written only once there is one; every form carries
//! a CSRF token tied to the browser by a signed cookie (see `csrf.rs`).

pub mod authorize;
pub mod csrf;
pub mod logout;
pub mod recovery;
pub mod sign_in;
pub mod sign_up;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use cognate_app::pages::hosted::{self as views, Branding, FormContext, Lang};
use cognate_core::Timestamp;
use cognate_core::model::{User, UserPool, UserPoolClient};
use cognate_core::service::oauth::ValidAuthorize;
use serde::{Deserialize, Serialize};

pub use self::csrf::Session;

use crate::http::{no_store, redirect_with};
use crate::state::AppState;

/// The record id flows are sealed under.
const FLOW_RECORD: &str = "hosted-flow:v1";
/// A sign-in may take this long from authorize to code (Cognito's longest
/// AuthSessionValidity).
const FLOW_SECONDS: i64 = 15 * 60;

/// Pages get a strict policy: nothing inline, nothing from elsewhere, never
/// framed (DESIGN.md, Pages without JavaScript).
const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; \
                   base-uri 'none'; frame-ancestors 'none'";

/// An authorization request on its way through the sign-in pages, and the
/// state of the sign-in so far.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Flow {
    pub request: ValidAuthorize,
    /// Epoch milliseconds after which the flow is void.
    pub expires: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// The challenge being answered and the core's session for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
    /// For the authenticator-app setup page: the secret being set up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub totp_secret: Option<String>,
    /// Where a code went (masked), to show again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination: Option<String>,
}

impl Flow {
    pub fn new(request: ValidAuthorize, now: Timestamp) -> Self {
        Self {
            request,
            expires: now.plus_seconds(FLOW_SECONDS).millis(),
            username: None,
            challenge: None,
            session: None,
            totp_secret: None,
            destination: None,
        }
    }

    pub fn seal(&self, state: &AppState) -> String {
        let json = zeroize::Zeroizing::new(serde_json::to_vec(self).unwrap_or_default());
        B64URL.encode(state.idp.master_key.seal(FLOW_RECORD, &json))
    }

    /// The flow in a form, if it opens, belongs to `pool_id` and is current.
    pub fn open(state: &AppState, pool_id: &str, sealed: Option<&str>) -> Option<Self> {
        let bytes = B64URL.decode(sealed?).ok()?;
        let plain =
            zeroize::Zeroizing::new(state.idp.master_key.open_quietly(FLOW_RECORD, &bytes)?);
        let flow: Flow = serde_json::from_slice(&plain).ok()?;
        (flow.request.pool_id == pool_id && state.idp.clock.now().millis() < flow.expires)
            .then_some(flow)
    }
}

/// Who is signed in to a pool in this browser. Resumed only through the
/// core's [`cognate_core::service::Idp::resume_sso`].
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SsoSession {
    pub sub: uuid::Uuid,
    /// Epoch milliseconds of the sign-in (the tokens' `auth_time`).
    pub auth_time: i64,
    /// The user's session epoch at sign-in (see core's `access.rs`).
    #[serde(default)]
    pub epoch: u32,
}

impl SsoSession {
    pub fn grant(&self) -> cognate_core::service::access::SsoGrant {
        cognate_core::service::access::SsoGrant {
            sub: self.sub,
            auth_time: Timestamp(self.auth_time),
            epoch: self.epoch,
        }
    }
}

pub fn sso_key(pool_id: &str) -> String {
    format!("sso:{pool_id}")
}

/// The page's language: `lang`, else Accept-Language.
pub fn language(lang: Option<&str>, headers: &HeaderMap) -> Lang {
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    Lang::negotiate(lang, accept)
}

/// The pool's and client's look (DESIGN.md, Themes): the customization
/// set with SetUICustomization (the client's, else the pool's) — its CSS
/// served from `/{pool}/ui/theme.css`, its logo — and the built-in theme:
/// dark when that CSS declares `color-scheme: dark`.
pub async fn branding(
    state: &AppState,
    pool: &UserPool,
    client: Option<&UserPoolClient>,
) -> Branding {
    let mut b = Branding {
        app_name: client.map(|c| c.config.client_name.clone()),
        ..Branding::default()
    };
    let custom = state
        .idp
        .get_ui_customization(&pool.id, client.map(|c| c.client_id.as_str()))
        .await
        .ok()
        .flatten();
    if let Some(c) = custom {
        b.logo_url = state.idp.logo_url(&c);
        if let Some(css) = c.css.as_deref().filter(|css| !css.trim().is_empty()) {
            b.theme_css_url = Some(format!(
                "/{}/ui/theme/{}.css?v={}",
                pool.id,
                c.target(),
                c.css_version
            ));
            let normal: String = css.chars().filter(|ch| !ch.is_whitespace()).collect();
            if normal.to_ascii_lowercase().contains("color-scheme:dark") {
                b.theme = cognate_app::layout::Theme::Dark;
            }
        }
    }
    b
}

/// The CSRF token of this browser (see `csrf.rs`): no session write.
pub fn csrf_token(state: &AppState, session: &Session) -> String {
    session.csrf.token(state)
}

/// Whether a form's CSRF token is this browser's (constant time).
pub fn csrf_ok(state: &AppState, session: &Session, given: Option<&str>) -> bool {
    session.csrf.check(state, given)
}

/// The form context of a page: language, look, action, CSRF token and the
/// sealed flow.
pub async fn form(
    state: &AppState,
    session: &Session,
    lang: Lang,
    branding: Branding,
    action: String,
    flow: Option<&Flow>,
) -> FormContext {
    // The language goes with each POST, so a page shown again keeps it.
    let mut hidden = vec![("lang".to_owned(), lang.code().to_owned())];
    if let Some(f) = flow {
        hidden.push(("flow".to_owned(), f.seal(state)));
    }
    FormContext {
        lang,
        branding,
        action,
        csrf: csrf_token(state, session),
        hidden,
    }
}

/// A rendered page with the hosted UI's security headers.
pub fn page(status: StatusCode, html: String) -> Response {
    let mut r = (status, Html(html)).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // Pages carry CSRF tokens and sign-in state: never cached.
    no_store(r)
}

/// The error page: a clear message, never a redirect.
pub fn error_page(lang: Lang, status: StatusCode, title: Option<&str>, message: &str) -> Response {
    let ctx = FormContext::page(lang, Branding::default());
    page(
        status,
        views::error::render(
            &ctx,
            views::error::ErrorProps {
                title: title.map(str::to_owned),
                message: message.to_owned(),
                request_id: None,
                back_url: None,
            },
        ),
    )
}

/// A POST whose CSRF token is missing or wrong (or whose session expired).
pub fn csrf_failure(lang: Lang) -> Response {
    error_page(
        lang,
        StatusCode::FORBIDDEN,
        Some(lang.t("error.title")),
        "This form has expired or did not come from this site. Go back, reload the page and try again.",
    )
}

/// A flow that no longer opens: start again from the application.
pub fn flow_expired(lang: Lang) -> Response {
    error_page(
        lang,
        StatusCode::BAD_REQUEST,
        Some(lang.t("error.title")),
        "This sign-in has expired. Return to the application and sign in again.",
    )
}

/// Over a rate limit: 429 with Retry-After (issue: account protection).
pub fn too_many(lang: Lang, retry_after: std::time::Duration) -> Response {
    let mut r = error_page(
        lang,
        StatusCode::TOO_MANY_REQUESTS,
        Some(lang.t("error.title")),
        "Too many attempts. Wait a moment, then try again.",
    );
    let secs = retry_after.as_secs().max(1).to_string();
    if let Ok(v) = HeaderValue::from_str(&secs) {
        r.headers_mut().insert(header::RETRY_AFTER, v);
    }
    r
}

/// The end of a sign-in: the SSO session (with a new session id, against
/// fixation), then the code (or implicit tokens) back to the client.
pub async fn signed_in(
    state: &AppState,
    session: &Session,
    pool: &UserPool,
    client: &UserPoolClient,
    request: &ValidAuthorize,
    user: &User,
) -> Response {
    let auth_time = state.idp.clock.now();
    // Renew the session id at sign-in (session fixation).
    if let Err(e) = session.cycle_id().await {
        tracing::warn!(error = %e, "session id not renewed");
    }
    let sso = SsoSession {
        sub: user.sub,
        auth_time: auth_time.millis(),
        epoch: user.settings.session_epoch,
    };
    if let Err(e) = session.insert(&sso_key(&pool.id), &sso).await {
        tracing::warn!(error = %e, "SSO session not kept");
    }
    complete(state, pool, client, request, user, auth_time).await
}

/// RFC 6749 §4.1.2 (and §4.2.2 for the implicit flow): the answer to the
/// authorization request, with `state` and `iss` (RFC 9207).
pub async fn complete(
    state: &AppState,
    pool: &UserPool,
    client: &UserPoolClient,
    request: &ValidAuthorize,
    user: &User,
    auth_time: Timestamp,
) -> Response {
    let issuer = state.idp.issuer(&pool.id);
    let mut params: Vec<(&str, String)> = Vec::new();
    let fragment = request.response_type == "token";
    if fragment {
        match state
            .idp
            .implicit_tokens(pool, client, request, user, auth_time)
            .await
        {
            Ok(t) => {
                params.push(("access_token", t.access_token.expose().to_owned()));
                if let Some(id) = &t.id_token {
                    params.push(("id_token", id.expose().to_owned()));
                }
                params.push(("token_type", "Bearer".to_owned()));
                params.push(("expires_in", t.expires_in.to_string()));
            }
            Err(e) => return internal(&e),
        }
    } else {
        match state
            .idp
            .issue_authorization_code(request, user, auth_time)
            .await
        {
            Ok(code) => params.push(("code", code.expose().to_owned())),
            Err(e) => return internal(&e),
        }
    }
    if let Some(s) = &request.state {
        params.push(("state", s.clone()));
    }
    params.push(("iss", issuer));
    redirect_with(&request.redirect_uri, fragment, &params)
}

fn internal(e: &cognate_core::CognitoError) -> Response {
    tracing::error!(error = %e, "hosted UI failure");
    error_page(
        Lang::default(),
        StatusCode::INTERNAL_SERVER_ERROR,
        None,
        "Something went wrong on our side. Try again in a moment.",
    )
}

/// `/{pool}/…` paths of the hosted UI.
pub fn path(pool_id: &str, page: &str) -> String {
    format!("/{pool_id}/{page}")
}

/// The sign-in page's path with the flow in its query, for links from
/// other pages back to it.
pub fn link(state: &AppState, pool_id: &str, page: &str, flow: &Flow) -> String {
    format!("/{pool_id}/{page}?flow={}", flow.seal(state))
}
