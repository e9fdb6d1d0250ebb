//! Signing in through an identity provider of the pool: the browser goes
//! upstream (from `/oauth2/authorize` with `identity_provider` or
//! `idp_identifier`, or from a provider's button on the sign-in page,
//! `POST /federate`), and comes back to `GET /oauth2/idpresponse`, where
//! the state names the dance kept in the browser's session (single use),
//! the upstream's answer is verified (`federation/oidc.rs`) and the core
//! decides the user (`federated_sign_in`). Then the sign-in ends as any
//! other: the SSO session and Cognate's code to the app. No MFA is asked
//! of federated users, as in Cognito.

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cognate_core::crypto::random_bytes;
use cognate_core::model::identity_provider::{IdentityProvider, ProviderType};
use cognate_core::service::oauth::{OAuthError, OAuthErrorCode};

use super::dance::{
    UpstreamSession, dance_expiry, keep_and_go, sealed_to_get, supported, upstream_key,
};
use super::error::HostedError;
use super::flow::{Context, Posted, Session, language};
use crate::federation::oidc::{self, Dance, Endpoints, Failure};
use crate::http::redirect_with;
use crate::state::AppState;

fn dance_key(state: &str) -> String {
    format!("federation:{state}")
}

/// `{issuer}/oauth2/idpresponse`, or on the pool's domain when the flow
/// began there: where upstreams send the browser back.
pub fn redirect_uri(state: &AppState, pool_id: &str, origin: Option<&str>) -> String {
    match origin {
        Some(origin) => format!("{origin}/oauth2/idpresponse"),
        None => format!("{}/oauth2/idpresponse", state.idp.issuer(pool_id)),
    }
}

/// Sends the browser to the upstream, the dance kept in its session.
pub async fn go_upstream(
    cx: &Context,
    provider: &IdentityProvider,
) -> Result<Response, HostedError> {
    if provider.provider_type == ProviderType::Saml {
        return super::saml::go_to_idp(cx, provider).await;
    }
    let unavailable = || HostedError::refused(cx.lang, "error.provider_unavailable");
    let endpoints = Endpoints::of(&cx.state.idp, provider).ok_or_else(unavailable)?;
    let back = redirect_uri(&cx.state, &cx.pool.id, cx.flow.origin.as_deref());
    let (url, state, nonce, verifier) =
        oidc::start(provider, &endpoints, &back).map_err(|e| HostedError::internal(cx.lang, e))?;
    let dance = Dance {
        provider_name: provider.provider_name.clone(),
        nonce,
        pkce_verifier: verifier,
        flow: cx.flow.seal(&cx.state),
        expires: dance_expiry(cx),
    };
    keep_and_go(cx, &dance_key(&state), &dance, &url).await
}

/// `POST /federate`: a provider's button on the sign-in page.
pub async fn federate(posted: Posted) -> Result<Response, HostedError> {
    let name = posted.trimmed("provider");
    let provider = supported(&posted.cx, Some(&name), None).await?;
    go_upstream(&posted.cx, &provider).await
}

/// The upstream's answer (RFC 6749 §4.1.2); `user` is Apple's (form_post);
/// `form` is a form_post answer sealed by [`idp_form_post`].
#[derive(serde::Deserialize, serde::Serialize, Default)]
pub struct IdpResponse {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
    #[serde(default, skip_serializing)]
    form: Option<String>,
    #[serde(default)]
    user: Option<String>,
}

const FORM_POST_RECORD: &str = "idp-form-post";

/// `POST /oauth2/idpresponse` (OAuth 2.0 Form Post Response Mode, as Apple
/// answers): a cross-site POST carries no SameSite=Lax session cookie, so
/// the answer goes on, sealed, by a 303 to `GET /oauth2/idpresponse` — a
/// top-level navigation that does carry it.
pub async fn idp_form_post(
    State(state): State<AppState>,
    axum::Form(answer): axum::Form<IdpResponse>,
) -> Response {
    sealed_to_get(&state, FORM_POST_RECORD, &answer)
}

/// `GET /oauth2/idpresponse`.
pub async fn idp_response(
    State(state): State<AppState>,
    Path(pool_id): Path<String>,
    Query(answer): Query<IdpResponse>,
    headers: HeaderMap,
    session: Session,
) -> Result<Response, HostedError> {
    let lang = language(None, &headers);
    let unknown = || HostedError::refused(lang, "error.federation_unknown");
    let answer = match answer.form.as_deref() {
        Some(sealed) => URL_SAFE_NO_PAD
            .decode(sealed)
            .ok()
            .and_then(|b| state.idp.master_key.open_quietly(FORM_POST_RECORD, &b))
            .and_then(|json| serde_json::from_slice::<IdpResponse>(&json).ok())
            .ok_or_else(unknown)?,
        None => IdpResponse {
            user: None,
            ..answer
        },
    };
    // RFC 6749 §10.12: the state binds the answer to this browser's request;
    // it is used once.
    let key = dance_key(answer.state.as_deref().ok_or_else(unknown)?);
    let dance: Dance = session
        .remove(&key)
        .await
        .ok()
        .flatten()
        .ok_or_else(unknown)?;
    if state.idp.clock.now().millis() >= dance.expires {
        return Err(HostedError::expired(lang));
    }
    let cx = Context::open(&state, session, lang, &pool_id, Some(&dance.flow)).await?;
    if let Some(error) = answer.error.as_deref() {
        // The upstream said no (a denied consent): the app hears it as an
        // OAuth error, as Cognito answers it.
        let code = if error == "access_denied" {
            OAuthErrorCode::AccessDenied
        } else {
            OAuthErrorCode::ServerError
        };
        let mut description = format!("The identity provider answered {error}");
        if let Some(d) = answer
            .error_description
            .as_deref()
            .filter(|d| d.len() <= 256)
        {
            description = format!("{description}: {d}");
        }
        return Ok(to_app(&cx, &OAuthError::new(code, description)));
    }
    let code = answer.code.as_deref().ok_or_else(unknown)?;
    let provider = state
        .idp
        .identity_provider(&cx.pool.id, &dance.provider_name)
        .await
        .map_err(|_| HostedError::refused(lang, "error.provider_unavailable"))?;
    let endpoints = Endpoints::of(&state.idp, &provider)
        .ok_or_else(|| HostedError::refused(lang, "error.provider_unavailable"))?;
    let back = redirect_uri(&state, &cx.pool.id, cx.flow.origin.as_deref());
    let (mut claims, id_token) = oidc::finish(
        state.upstream.http(),
        &provider,
        &endpoints,
        &back,
        code,
        &dance,
    )
    .await
    .map_err(|f| match f {
        Failure::Unavailable(why) => HostedError::upstream(lang, why),
        Failure::Refused(why) => {
            tracing::info!(provider = %provider.provider_name, %why, "upstream answer refused");
            HostedError::refused(lang, "error.upstream_refused")
        }
    })?;
    if let (Some(user), ProviderType::SignInWithApple) =
        (answer.user.as_deref(), provider.provider_type)
    {
        oidc::add_apple_user(&mut claims, user);
    }
    let user = state
        .idp
        .federated_sign_in(&cx.pool, &cx.client, &provider, &claims)
        .await
        .map_err(|e| cx.error(e))?;
    // Kept for /logout to end the upstream session too (the hint of
    // RP-Initiated Logout), sealed with the rest of the session.
    let upstream = UpstreamSession {
        provider_name: provider.provider_name.clone(),
        id_token,
        saml: None,
    };
    if let Err(e) = cx
        .session
        .insert(&upstream_key(&cx.pool.id), &upstream)
        .await
    {
        tracing::warn!(error = %e, "upstream session not kept");
    }
    cx.signed_in(&user).await
}

/// RFC 6749 §4.1.2.1: an error back to the app's redirect URI.
fn to_app(cx: &Context, e: &OAuthError) -> Response {
    let request = &cx.flow.request;
    let mut params = vec![
        ("error", e.code.as_str().to_owned()),
        ("error_description", e.description.clone()),
    ];
    if let Some(s) = &request.state {
        params.push(("state", s.clone()));
    }
    params.push(("iss", cx.state.idp.issuer(&cx.pool.id)));
    redirect_with(
        &request.redirect_uri,
        request.response_type == "token",
        &params,
    )
}

pub fn logout_key(state: &str) -> String {
    format!("idplogout:{state}")
}

/// OpenID Connect RP-Initiated Logout 1.0 §2: where `/logout` sends the
/// browser so that an OIDC provider ends its session too (with
/// `id_token_hint`, `client_id`, `post_logout_redirect_uri` back to
/// `/oauth2/idplogout` and a `state` that carries `target` there); None
/// when the provider names no end-session endpoint.
pub async fn upstream_logout(
    state: &AppState,
    pool_id: &str,
    origin: Option<&str>,
    upstream: UpstreamSession,
    target: Option<String>,
    session: &Session,
) -> Option<String> {
    let provider = state
        .idp
        .identity_provider(pool_id, &upstream.provider_name)
        .await
        .ok()?;
    if provider.provider_type == ProviderType::Saml {
        return super::saml::logout_at_idp(state, pool_id, &provider, upstream, target, session)
            .await;
    }
    if provider.provider_type != ProviderType::Oidc {
        return None;
    }
    let issuer = Endpoints::of(&state.idp, &provider)?.issuer?;
    let end = oidc::end_session_endpoint(state.upstream.http(), &issuer).await?;
    let logout_state = URL_SAFE_NO_PAD.encode(random_bytes::<32>());
    session
        .insert(&logout_key(&logout_state), &target)
        .await
        .ok()?;
    let back = match origin {
        Some(o) => format!("{o}/oauth2/idplogout"),
        None => format!("{}/oauth2/idplogout", state.idp.issuer(pool_id)),
    };
    let mut params = vec![("post_logout_redirect_uri", back), ("state", logout_state)];
    if let Some(client_id) = provider.provider_details.get("client_id") {
        params.push(("client_id", client_id.clone()));
    }
    if let Some(hint) = upstream.id_token {
        params.push(("id_token_hint", hint));
    }
    let sep = if end.contains('?') { '&' } else { '?' };
    Some(format!(
        "{end}{sep}{}",
        serde_urlencoded::to_string(&params).ok()?
    ))
}
