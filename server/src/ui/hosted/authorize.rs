//! `GET {issuer}/oauth2/authorize` (RFC 6749 §4.1.1, OpenID Connect Core
//! §3.1.2) and `GET {issuer}/login` (Cognito's sign-in page, same query).
//! Checks run in order: the client and the redirect URI (an error page,
//! never a redirect), then the rest (errors go back to the client), then
//! the browser's SSO session — which answers at once unless `prompt=login`.

use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use cognate_app::pages::hosted::FormErrors;
use cognate_core::service::oauth::{AuthorizeParams, OAuthError, OAuthErrorCode};

use super::error::HostedError;
use super::federation;
use super::flow::{Context, Flow, Session, SsoSession, language, sso_key};
use super::pages;
use crate::domain_routing::PoolDomainOrigin;
use crate::http::redirect_with;
use crate::state::AppState;

pub async fn authorize(
    State(state): State<AppState>,
    Path(pool_id): Path<String>,
    Query(params): Query<AuthorizeParams>,
    origin: Option<Extension<PoolDomainOrigin>>,
    headers: HeaderMap,
    session: Session,
) -> Result<Response, HostedError> {
    let origin = origin.map(|Extension(o)| o.0);
    run(&state, &pool_id, &params, origin, &headers, session, false).await
}

#[derive(serde::Deserialize)]
pub struct LoginQuery {
    /// A flow from another page of the sign-in ("back to sign in").
    flow: Option<String>,
    #[serde(flatten)]
    params: AuthorizeParams,
}

/// `/login`: the same request, always showing the form; or, from the other
/// pages, the flow they carry.
pub async fn login_page(
    State(state): State<AppState>,
    Path(pool_id): Path<String>,
    Query(q): Query<LoginQuery>,
    origin: Option<Extension<PoolDomainOrigin>>,
    headers: HeaderMap,
    session: Session,
) -> Result<Response, HostedError> {
    if q.flow.is_some() {
        let lang = language(q.params.lang.as_deref(), &headers);
        let cx = Context::open(&state, session, lang, &pool_id, q.flow.as_deref()).await?;
        return Ok(pages::sign_in(&cx, FormErrors::default(), StatusCode::OK).await);
    }
    let origin = origin.map(|Extension(o)| o.0);
    run(&state, &pool_id, &q.params, origin, &headers, session, true).await
}

async fn run(
    state: &AppState,
    pool_id: &str,
    params: &AuthorizeParams,
    origin: Option<String>,
    headers: &HeaderMap,
    session: Session,
    force_form: bool,
) -> Result<Response, HostedError> {
    let lang = language(params.lang.as_deref(), headers);
    let idp = &state.idp;
    let (pool, client, redirect_uri) = idp
        .authorize_client(pool_id, params)
        .await
        .map_err(|e| HostedError::core(lang, e))?;
    let fragment = params.response_type.as_deref() == Some("token");
    let issuer = idp.issuer(&pool.id);
    let back = |e: OAuthError| {
        Ok(redirect_error(
            &redirect_uri,
            fragment,
            &e,
            params.state.as_deref(),
            &issuer,
        ))
    };
    let request = match idp.check_authorize(&pool, &client, &redirect_uri, params) {
        Ok(r) => r,
        Err(e) => return back(e),
    };
    let prompt = request.prompt.clone();
    let max_age = request.max_age;
    let mut flow = Flow::new(request, idp.clock.now());
    flow.username = params.login_hint.clone().filter(|h| h.len() <= 128);
    flow.origin = origin;
    let cx = Context {
        state: state.clone(),
        session,
        lang,
        pool,
        client,
        flow,
        device: None,
        user_agent: None,
        ip: None,
    };
    // Cognito: identity_provider (or idp_identifier) sends the browser
    // straight to that provider; COGNITO is the pool's own sign-in page.
    let only = super::dance::only_provider(&cx.client).map(str::to_owned);
    let named = params
        .identity_provider
        .as_deref()
        .filter(|n| *n != "COGNITO")
        .or(only.as_deref());
    if named.is_some() || params.idp_identifier.is_some() {
        return match super::dance::supported(&cx, named, params.idp_identifier.as_deref()).await {
            Ok(provider) => federation::go_upstream(&cx, &provider).await,
            Err(_) => back(OAuthError::new(
                OAuthErrorCode::InvalidRequest,
                "the identity provider is not configured for this app client",
            )),
        };
    }
    let sso_key = sso_key(&cx.pool.id);
    let sso = cx.session.get::<SsoSession>(&sso_key).await.ok().flatten();
    let reuse = !force_form && prompt.as_deref() != Some("login");
    if let (Some(sso), true) = (sso, reuse) {
        let grant = sso.grant();
        // OpenID Connect Core §3.1.2.1: max_age — a sign-in older than it
        // is asked again; so is one older than the client's SSO session
        // MaxValidityMinutes (Cognito API: ClientSSOSessionConfigType).
        let fresh = max_age.is_none_or(|max| {
            idp.clock.now().millis() - grant.auth_time.millis() <= max.saturating_mul(1000)
        }) && idp.sso_reuse_allowed(&cx.pool, &cx.client, grant.auth_time);
        match idp.resume_sso(&cx.pool, &grant).await {
            Ok(user) if fresh => {
                if let Some(id) = &grant.session_id {
                    let requester = cognate_core::service::user_sessions::Requester {
                        ip: None,
                        user_agent: headers
                            .get(axum::http::header::USER_AGENT)
                            .and_then(|v| v.to_str().ok())
                            .map(str::to_owned),
                    };
                    if let Err(e) = idp.touch_sso_session(&cx.pool, id, &requester).await {
                        tracing::warn!(error = %e, "SSO session not touched");
                    }
                }
                return cx.complete(&user, grant.auth_time).await;
            }
            Ok(_) => {}
            // The session is over: it is forgotten, and the user signs in.
            Err(_) => {
                let _ = cx.session.remove_value(&sso_key).await;
            }
        }
    }
    // OpenID Connect Core §3.1.2.6: no session and no UI allowed.
    if prompt.as_deref() == Some("none") {
        return back(OAuthError::new(
            OAuthErrorCode::LoginRequired,
            "the user is not signed in",
        ));
    }
    Ok(pages::sign_in(&cx, FormErrors::default(), StatusCode::OK).await)
}

/// RFC 6749 §4.1.2.1 (query) or §4.2.2.1 (fragment, implicit): the error
/// back to the client's registered redirect URI, with `state` and `iss`
/// (RFC 9207).
fn redirect_error(
    redirect_uri: &str,
    fragment: bool,
    e: &OAuthError,
    state: Option<&str>,
    issuer: &str,
) -> Response {
    let mut params = vec![
        ("error", e.code.as_str().to_owned()),
        ("error_description", e.description.clone()),
    ];
    if let Some(s) = state {
        params.push(("state", s.to_owned()));
    }
    params.push(("iss", issuer.to_owned()));
    redirect_with(redirect_uri, fragment, &params)
}
