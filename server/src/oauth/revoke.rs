//! `POST {issuer}/oauth2/revoke` (RFC 7009): revokes a refresh token and,
//! with it, the access and ID tokens of its sign-in.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cognate_core::CognitoError;
use cognate_core::service::oauth::{OAuthError, OAuthErrorCode};
use serde::Deserialize;

use super::error::token_error;
use super::token::client_credentials;
use crate::http::no_store;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct RevokeForm {
    token: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
}

pub async fn revoke(
    State(state): State<AppState>,
    Path(pool_id): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    match run(&state, &pool_id, &headers, &body).await {
        Ok(()) => no_store(StatusCode::OK.into_response()),
        Err(e) => token_error(&e),
    }
}

async fn run(
    state: &AppState,
    pool_id: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), OAuthError> {
    let invalid = |d: &str| OAuthError::new(OAuthErrorCode::InvalidRequest, d);
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(invalid(
            "the body must be application/x-www-form-urlencoded",
        ));
    }
    let form: RevokeForm =
        serde_urlencoded::from_bytes(body).map_err(|_| invalid("the body is not a valid form"))?;
    let token = form
        .token
        .as_deref()
        .filter(|t| !t.is_empty())
        .ok_or_else(|| invalid("token is missing"))?;
    let (client_id, secret) = client_credentials(
        headers,
        form.client_id.as_deref(),
        form.client_secret.as_deref(),
    )?;
    // The client must belong to this issuer's pool.
    state
        .idp
        .authenticate_oauth_client(pool_id, &client_id, secret.as_deref())
        .await?;
    match state
        .idp
        .revoke_token(token, &client_id, secret.as_deref(), false)
        .await
    {
        Ok(()) => Ok(()),
        Err(CognitoError::Unauthorized(m)) => {
            Err(OAuthError::new(OAuthErrorCode::InvalidClient, m))
        }
        // RFC 7009 §2.2.1: revoking what cannot be revoked here.
        Err(CognitoError::UnsupportedTokenType(m)) => {
            Err(OAuthError::new(OAuthErrorCode::UnsupportedTokenType, m))
        }
        Err(CognitoError::UnsupportedOperation(m)) => {
            Err(OAuthError::new(OAuthErrorCode::UnauthorizedClient, m))
        }
        Err(e) => Err(e.into()),
    }
}
