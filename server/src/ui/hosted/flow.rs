//! What every hosted page handler starts from, and how a sign-in ends.
//! [`Posted`] checks a form (CSRF token, then the sealed flow) and loads the
//! flow's pool and client in the page's language; [`Linked`] does the same
//! for a GET reached by a link carrying `?flow=…`. Both give a [`Context`],
//! which the renderers in `pages` take and which ends the sign-in with the
//! authorization response ([`Context::signed_in`]).

use std::collections::HashMap;

use axum::Form;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use cognate_app::pages::hosted::Lang;
use cognate_core::model::{User, UserPool, UserPoolClient};
use cognate_core::service::devices::BrowserDevice;
use cognate_core::service::oauth::ValidAuthorize;
use cognate_core::{CognitoError, Timestamp};
use serde::{Deserialize, Serialize};

pub use super::csrf::Session;
use super::error::HostedError;
use crate::http::redirect_with;
use crate::limits::{Caller, Category};
use crate::state::AppState;

/// A posted form's fields.
pub type Fields = HashMap<String, String>;

/// The record id flows are sealed under.
const FLOW_RECORD: &str = "hosted-flow:v1";
/// A sign-in may take this long from authorize to code (Cognito's longest
/// AuthSessionValidity).
const FLOW_SECONDS: i64 = 15 * 60;

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
    /// The pool domain's origin when the flow began there (see
    /// `domain_routing::PoolDomainOrigin`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// The sign-in began without a password (a code or passkey first
    /// factor): its EMAIL_OTP is not MFA.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub passwordless: bool,
    /// The sign-in answered MFA: the browser may become a remembered
    /// device at its end.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub mfa: bool,
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
            origin: None,
            passwordless: false,
            mfa: false,
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
    /// The SSO session recorded for this sign-in while the pool tracks
    /// sessions (Cognito API: ListUserSessions, SessionType SSO).
    #[serde(default)]
    pub session_id: Option<String>,
}

impl SsoSession {
    pub fn grant(&self) -> cognate_core::service::access::SsoGrant {
        cognate_core::service::access::SsoGrant {
            sub: self.sub,
            auth_time: Timestamp(self.auth_time),
            epoch: self.epoch,
            session_id: self.session_id.clone(),
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

/// A sign-in in progress: the browser, the page's language, the flow and
/// the pool and client it was issued for.
pub struct Context {
    pub state: AppState,
    pub session: Session,
    pub lang: Lang,
    pub pool: UserPool,
    pub client: UserPoolClient,
    pub flow: Flow,
    /// The browser's remembered device for this pool (its cookie), on a
    /// posted form.
    pub device: Option<BrowserDevice>,
    /// The browser's User-Agent, the name of a device it becomes.
    pub user_agent: Option<String>,
    /// The browser's address (a posted form), for its SSO session.
    pub ip: Option<std::net::IpAddr>,
}

impl Context {
    /// The flow `sealed` carries, with its pool and client; a flow that
    /// does not open (or whose client is gone) has expired.
    pub async fn open(
        state: &AppState,
        session: Session,
        lang: Lang,
        pool_id: &str,
        sealed: Option<&str>,
    ) -> Result<Self, HostedError> {
        let flow = Flow::open(state, pool_id, sealed).ok_or(HostedError::expired(lang))?;
        let pool = state
            .idp
            .pool(&flow.request.pool_id)
            .await
            .map_err(|_| HostedError::expired(lang))?;
        let client = state
            .idp
            .client(&pool.id, &flow.request.client_id)
            .await
            .map_err(|_| HostedError::expired(lang))?;
        Ok(Self {
            state: state.clone(),
            session,
            lang,
            pool,
            client,
            flow,
            device: None,
            user_agent: None,
            ip: None,
        })
    }

    /// A core error as this page's error page (see [`HostedError::core`]).
    pub fn error(&self, e: CognitoError) -> HostedError {
        HostedError::core(self.lang, e)
    }

    /// A core error for the form to show, unless it is a page of its own
    /// (see [`HostedError::unless_for_form`]).
    pub fn for_form(&self, e: CognitoError) -> Result<CognitoError, HostedError> {
        HostedError::unless_for_form(self.lang, e)
    }

    /// The per-user rate limit of a form that names a user (the per-IP
    /// count was taken before the handler, `limits::by_route`): over it,
    /// the 429 page with Retry-After.
    pub fn limit(&self, category: Category, username: &str) -> Result<(), HostedError> {
        let caller = Caller {
            ip: None,
            user: Some((self.client.client_id.as_str(), username.to_lowercase())),
        };
        self.state
            .limits
            .check(category, &caller)
            .map_err(|l| HostedError::too_many(self.lang, l.retry_after))
    }

    /// The end of a sign-in: the SSO session (with a new session id, against
    /// fixation), then the code (or implicit tokens) back to the client.
    pub async fn signed_in(&self, user: &User) -> Result<Response, HostedError> {
        let auth_time = self.begin_sso(user).await;
        self.complete(user, auth_time).await
    }

    /// The SSO session of a sign-in (with a new session id, against
    /// fixation); its `auth_time`.
    pub async fn begin_sso(&self, user: &User) -> Timestamp {
        let auth_time = self.state.idp.clock.now();
        // Renew the session id at sign-in (session fixation).
        if let Err(e) = self.session.cycle_id().await {
            tracing::warn!(error = %e, "session id not renewed");
        }
        let requester = cognate_core::service::user_sessions::Requester {
            ip: self.ip,
            user_agent: self.user_agent.clone(),
        };
        let session_id = match self
            .state
            .idp
            .begin_sso_session(&self.pool, user.sub, &self.client.client_id, &requester)
            .await
        {
            Ok(id) => id,
            Err(e) => {
                tracing::warn!(error = %e, "SSO session not recorded");
                None
            }
        };
        let sso = SsoSession {
            sub: user.sub,
            auth_time: auth_time.millis(),
            epoch: user.settings.session_epoch,
            session_id,
        };
        if let Err(e) = self.session.insert(&sso_key(&self.pool.id), &sso).await {
            tracing::warn!(error = %e, "SSO session not kept");
        }
        auth_time
    }

    /// RFC 6749 §4.1.2 (and §4.2.2 for the implicit flow): the answer to the
    /// authorization request, with `state` and `iss` (RFC 9207).
    pub async fn complete(
        &self,
        user: &User,
        auth_time: Timestamp,
    ) -> Result<Response, HostedError> {
        let idp = &self.state.idp;
        let request = &self.flow.request;
        let internal = |e| HostedError::internal(self.lang, e);
        let mut params: Vec<(&str, String)> = Vec::new();
        let fragment = request.response_type == "token";
        if fragment {
            let t = idp
                .implicit_tokens(&self.pool, &self.client, request, user, auth_time)
                .await
                .map_err(internal)?;
            params.push(("access_token", t.access_token.expose().to_owned()));
            if let Some(id) = &t.id_token {
                params.push(("id_token", id.expose().to_owned()));
            }
            params.push(("token_type", "Bearer".to_owned()));
            params.push(("expires_in", t.expires_in.to_string()));
        } else {
            let code = idp
                .issue_authorization_code(request, user, auth_time)
                .await
                .map_err(internal)?;
            params.push(("code", code.expose().to_owned()));
        }
        if let Some(s) = &request.state {
            params.push(("state", s.clone()));
        }
        params.push(("iss", idp.issuer(&self.pool.id)));
        Ok(redirect_with(&request.redirect_uri, fragment, &params))
    }
}

/// A hosted form's POST, checked in order: the CSRF token (403), then the
/// sealed flow and its pool and client (else "this sign-in has expired").
pub struct Posted {
    pub cx: Context,
    pub fields: Fields,
}

impl FromRequest<AppState> for Posted {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let Path(pool_id) = Path::<String>::from_request_parts(&mut parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let session = Session::from_request_parts(&mut parts, state).await?;
        let headers = parts.headers.clone();
        let ip = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip());
        let Form(fields) = Form::<Fields>::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(IntoResponse::into_response)?;
        let field = |name: &str| fields.get(name).map(String::as_str);
        let lang = language(field("lang"), &headers);
        if !session.csrf.check(state, field("csrf")) {
            return Err(HostedError::csrf(lang).into_response());
        }
        let mut cx = Context::open(state, session, lang, &pool_id, field("flow"))
            .await
            .map_err(IntoResponse::into_response)?;
        cx.device = super::device_cookie::read(state, &headers, &pool_id);
        cx.user_agent = headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        cx.ip = ip;
        Ok(Self { cx, fields })
    }
}

impl Posted {
    /// A field, trimmed; empty when absent.
    pub fn trimmed(&self, name: &str) -> String {
        self.fields
            .get(name)
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    }

    /// A field as typed (a password); empty when absent.
    pub fn raw(&self, name: &str) -> String {
        self.fields.get(name).cloned().unwrap_or_default()
    }
}

/// The query of a page reached by a link from another page of the sign-in.
#[derive(Deserialize)]
pub struct FlowQuery {
    pub flow: Option<String>,
    pub lang: Option<String>,
}

/// A GET reached by a link (`?flow=…&lang=…`): the flow it carries.
pub struct Linked(pub Context);

impl FromRequestParts<AppState> for Linked {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let Path(pool_id) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let Query(q) = Query::<FlowQuery>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let session = Session::from_request_parts(parts, state).await?;
        let lang = language(q.lang.as_deref(), &parts.headers);
        Context::open(state, session, lang, &pool_id, q.flow.as_deref())
            .await
            .map(Linked)
            .map_err(IntoResponse::into_response)
    }
}
