//! `GET|POST {issuer}/oauth2/userInfo` (OpenID Connect Core §5.3): the
//! signed-in user's claims, by the bearer access token's scopes.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use cognate_core::service::oauth::{OAuthError, OAuthErrorCode};
use serde_json::Value;

use super::error::{bearer_error, json};
use crate::state::AppState;

pub async fn userinfo(
    State(state): State<AppState>,
    Path(pool_id): Path<String>,
    headers: HeaderMap,
) -> Response {
    // RFC 6750 §2.1: the token in the Authorization header.
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let Some(token) = token else {
        return bearer_error(&OAuthError::new(
            OAuthErrorCode::InvalidRequest,
            "a bearer access token is required",
        ));
    };
    match state.idp.userinfo(&pool_id, token).await {
        Ok(claims) => json(StatusCode::OK, Value::Object(claims)),
        Err(e) => bearer_error(&e),
    }
}
