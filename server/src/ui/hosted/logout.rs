//! `GET {issuer}/logout` (Cognito's logout endpoint): ends the browser's
//! SSO session for the pool, then either returns to a registered sign-out
//! URL (`client_id` + `logout_uri`, exact match with LogoutURLs) or starts
//! a new sign-in (`client_id` + `redirect_uri` + `response_type`, as
//! `/login` takes them). An unregistered URI shows an error page. A session
//! signed in through an OIDC provider that names an end-session endpoint
//! ends there too, on the way (see `federation::upstream_logout`).

use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Deserialize;

use super::dance::{UpstreamSession, upstream_key};
use super::error::HostedError;
use super::federation::{logout_key, upstream_logout};
use super::flow::{Session, SsoSession, language, sso_key};
use super::pages;
use crate::domain_routing::PoolDomainOrigin;
use crate::http::redirect;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct LogoutQuery {
    client_id: Option<String>,
    logout_uri: Option<String>,
    redirect_uri: Option<String>,
    response_type: Option<String>,
    state: Option<String>,
    scope: Option<String>,
    // Forwarded to the new sign-in: without them a client without a secret
    // could never sign in again this way (PKCE is required for it).
    nonce: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
    lang: Option<String>,
}

pub async fn logout(
    State(state): State<AppState>,
    Path(pool_id): Path<String>,
    Query(q): Query<LogoutQuery>,
    origin: Option<Extension<PoolDomainOrigin>>,
    headers: HeaderMap,
    session: Session,
) -> Result<Response, HostedError> {
    let lang = language(q.lang.as_deref(), &headers);
    let client = match q.client_id.as_deref() {
        Some(id) => state.idp.client(&pool_id, id).await.ok(),
        None => None,
    };
    let Some(client) = client else {
        return Err(HostedError::refused(lang, "error.logout_client"));
    };
    // Decide where to go before ending anything: a bad request signs no one out.
    let target = if let Some(uri) = q.logout_uri.as_deref() {
        let registered = client
            .config
            .logout_urls
            .as_ref()
            .is_some_and(|urls| urls.iter().any(|u| u == uri));
        if !registered {
            return Err(HostedError::refused(lang, "error.logout_uri"));
        }
        Some(uri.to_owned())
    } else if let (Some(redirect), Some(rt)) =
        (q.redirect_uri.as_deref(), q.response_type.as_deref())
    {
        let mut params = vec![
            ("client_id", client.client_id.clone()),
            ("redirect_uri", redirect.to_owned()),
            ("response_type", rt.to_owned()),
        ];
        if let Some(s) = &q.state {
            params.push(("state", s.clone()));
        }
        if let Some(s) = &q.scope {
            params.push(("scope", s.clone()));
        }
        for (name, value) in [
            ("nonce", &q.nonce),
            ("code_challenge", &q.code_challenge),
            ("code_challenge_method", &q.code_challenge_method),
        ] {
            if let Some(v) = value {
                params.push((name, v.clone()));
            }
        }
        Some(format!(
            "/{pool_id}/login?{}",
            serde_urlencoded::to_string(&params).unwrap_or_default()
        ))
    } else {
        None
    };
    let sso: Option<SsoSession> = session.remove(&sso_key(&pool_id)).await.ok().flatten();
    if let Some(id) = sso.and_then(|s| s.session_id)
        && let Err(e) = state.idp.end_sso_session(&pool_id, &id).await
    {
        tracing::warn!(error = %e, "SSO session record not ended");
    }
    let upstream: Option<UpstreamSession> =
        session.remove(&upstream_key(&pool_id)).await.ok().flatten();
    // A new id for what is left of the session.
    let _ = session.cycle_id().await;
    // A federated session: the OIDC provider ends its own too, then the
    // browser comes back to go on to the target.
    if let Some(upstream) = upstream {
        let origin = origin.map(|Extension(o)| o.0);
        if let Some(to) = upstream_logout(
            &state,
            &pool_id,
            origin.as_deref(),
            upstream,
            target.clone(),
            &session,
        )
        .await
        {
            return Ok(redirect(&to));
        }
    }
    Ok(match target {
        Some(t) => redirect(&t),
        None => pages::signed_out(lang),
    })
}

#[derive(serde::Deserialize)]
pub struct IdpLogoutQuery {
    state: Option<String>,
}

/// `GET /oauth2/idplogout`: back from the provider's end-session endpoint,
/// on to where `/logout` was going (its `state`, once), else the
/// signed-out page.
pub async fn idp_logout(
    Query(q): Query<IdpLogoutQuery>,
    headers: HeaderMap,
    session: Session,
) -> Response {
    let lang = language(None, &headers);
    let target: Option<Option<String>> = match q.state.as_deref() {
        Some(s) => session.remove(&logout_key(s)).await.ok().flatten(),
        None => None,
    };
    match target.flatten() {
        Some(t) => redirect(&t),
        None => pages::signed_out(lang),
    }
}
