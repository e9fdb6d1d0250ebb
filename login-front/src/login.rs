//! `GET {prefix}/login?return_to=/path`: starts the authorization-code flow
//! with PKCE S256 (RFC 7636), `state` (RFC 6749 §10.12) and `nonce` (OIDC
//! Core §3.1.2.1), remembering where the browser was going.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::response::Response;
use openidconnect::core::CoreAuthenticationFlow;
use openidconnect::{CsrfToken, Nonce, PkceCodeChallenge, Scope};
use tower_sessions::Session;

use crate::LoginFront;
use crate::error::LoginFrontError;
use crate::return_to::safe_return_to;
use crate::session::{self, MAX_PENDING, PENDING, PENDING_TTL_SECS, Pending};

pub(crate) async fn login(
    State(lf): State<LoginFront>,
    session: Session,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    match start(&lf, &session, q.get("return_to").map(String::as_str)).await {
        Ok(url) => crate::error::see_other(&url),
        Err(e) => e.render(&lf.login_path()),
    }
}

async fn start(
    lf: &LoginFront,
    session: &Session,
    return_to: Option<&str>,
) -> Result<String, LoginFrontError> {
    let m = lf.provider().metadata().await?;
    let client = lf.provider().client(&m);
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .set_pkce_challenge(challenge);
    for scope in lf.config().scopes.iter().filter(|s| *s != "openid") {
        request = request.add_scope(Scope::new(scope.clone()));
    }
    let (url, state, nonce) = request.url();

    let return_to = match return_to {
        None => lf.config().default_return_to.clone(),
        Some(asked) => safe_return_to(asked).unwrap_or_else(|| {
            tracing::warn!("refused a return path that is not a same-origin path");
            lf.config().default_return_to.clone()
        }),
    };
    let now = lf.now();
    let mut pending = session::pending(session).await?;
    pending.retain(|p| now - p.started < PENDING_TTL_SECS);
    pending.push(Pending {
        state: state.secret().clone(),
        nonce: nonce.secret().clone(),
        pkce_verifier: verifier.secret().clone(),
        return_to,
        started: now,
    });
    if pending.len() > MAX_PENDING {
        pending.remove(0);
    }
    session
        .insert(PENDING, pending)
        .await
        .map_err(session::store_error)?;
    Ok(url.to_string())
}
