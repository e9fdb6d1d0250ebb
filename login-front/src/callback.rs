//! `GET {prefix}/callback?code&state`: the end of the authorization-code
//! flow. The `state` must match a sign-in this session started (and is
//! forgotten at once, so a replayed callback fails); the code is exchanged
//! with its PKCE verifier; the ID token is verified; the session id is
//! renewed and the tokens stored in the session.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::response::Response;
use openidconnect::{
    AuthorizationCode, Nonce, OAuth2TokenResponse, PkceCodeVerifier, TokenResponse,
};
use tower_sessions::Session;

use crate::LoginFront;
use crate::error::LoginFrontError;
use crate::provider::{TokenFailure, token_failure};
use crate::session::{self, PENDING, PENDING_TTL_SECS, SIGNED_IN, SignedIn, store_error};

pub(crate) async fn callback(
    State(lf): State<LoginFront>,
    session: Session,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    match finish(&lf, &session, &q).await {
        Ok(to) => crate::error::see_other(&to),
        Err(e) => e.render(&lf.login_path()),
    }
}

/// Compares secrets in constant time.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

async fn finish(
    lf: &LoginFront,
    session: &Session,
    q: &HashMap<String, String>,
) -> Result<String, LoginFrontError> {
    let state = q
        .get("state")
        .filter(|s| !s.is_empty())
        .ok_or(LoginFrontError::MissingState)?;
    let now = lf.now();
    let mut pending = session::pending(session).await?;
    let at = pending
        .iter()
        .position(|p| same(&p.state, state))
        .ok_or(LoginFrontError::InvalidState)?;
    let started = pending.remove(at);
    // Single use: forget this sign-in before anything else, so a replay of
    // the same response finds nothing.
    pending.retain(|p| now - p.started < PENDING_TTL_SECS);
    if pending.is_empty() {
        session.remove_value(PENDING).await.map_err(store_error)?;
    } else {
        session
            .insert(PENDING, &pending)
            .await
            .map_err(store_error)?;
    }
    session.save().await.map_err(store_error)?;
    if now - started.started >= PENDING_TTL_SECS {
        return Err(LoginFrontError::InvalidState);
    }
    // RFC 6749 §4.1.2.1: the provider's refusal.
    if let Some(error) = q.get("error") {
        return Err(LoginFrontError::Provider {
            error: error.clone(),
            description: q.get("error_description").cloned(),
        });
    }
    let m = lf.provider().metadata().await?;
    // RFC 9207 §2.4: an `iss` in the response must be the issuer (mix-up defence).
    if let Some(iss) = q.get("iss")
        && iss.as_str() != m.issuer().as_str()
    {
        return Err(LoginFrontError::Provider {
            error: "invalid_issuer".into(),
            description: Some("the response names another issuer".into()),
        });
    }
    let code =
        q.get("code")
            .filter(|c| !c.is_empty())
            .ok_or_else(|| LoginFrontError::Provider {
                error: "invalid_request".into(),
                description: Some("the response has no code".into()),
            })?;
    let client = lf.provider().client(&m);
    let token = client
        .exchange_code(AuthorizationCode::new(code.clone()))
        .map_err(|e| LoginFrontError::ProviderUnavailable(e.to_string()))?
        .set_pkce_verifier(PkceCodeVerifier::new(started.pkce_verifier))
        .request_async(&lf.provider().http)
        .await
        .map_err(|e| match token_failure(e) {
            TokenFailure::Refused(why) => LoginFrontError::CodeRefused(why),
            TokenFailure::Unavailable(why) => LoginFrontError::ProviderUnavailable(why),
        })?;
    let id_token = token.id_token().ok_or_else(|| {
        LoginFrontError::InvalidIdToken("the token response has no ID token".into())
    })?;
    let nonce = Nonce::new(started.nonce);
    let verified = lf
        .provider()
        .verify_id_token(id_token, token.access_token(), &nonce)
        .await?;
    let signed_in = SignedIn {
        id_token: id_token.to_string(),
        access_token: token.access_token().secret().clone(),
        refresh_token: token.refresh_token().map(|r| r.secret().clone()),
        expires_at: token
            .expires_in()
            .map(|d| now.saturating_add(d.as_secs() as i64)),
        claims: verified.claims,
    };
    // A new session id at sign-in: no session fixation (OWASP ASVS 3.2.1).
    session.cycle_id().await.map_err(store_error)?;
    session
        .insert(SIGNED_IN, signed_in)
        .await
        .map_err(store_error)?;
    Ok(started.return_to)
}
