//! `POST {issuer}/oauth2/token` (RFC 6749 §3.2): the authorization_code
//! (with PKCE, RFC 7636), refresh_token and client_credentials grants;
//! clients authenticate with client_secret_basic or client_secret_post.

use std::net::SocketAddr;

use axum::Extension;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use cognate_core::service::oauth::{OAuthError, OAuthErrorCode, OAuthTokens};
use cognate_core::service::user_sessions::Requester;
use serde::Deserialize;
use serde_json::json;

use super::error::{json as json_response, token_error};
use crate::state::AppState;

#[derive(Deserialize)]
pub struct TokenForm {
    grant_type: Option<String>,
    code: Option<String>,
    redirect_uri: Option<String>,
    code_verifier: Option<String>,
    refresh_token: Option<String>,
    scope: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
}

fn invalid_request(d: &str) -> OAuthError {
    OAuthError::new(OAuthErrorCode::InvalidRequest, d)
}

/// RFC 6749 §2.3.1: the client id and secret from HTTP Basic (each
/// form-urlencoded before encoding) or from the body, never both.
pub fn client_credentials(
    headers: &HeaderMap,
    form_id: Option<&str>,
    form_secret: Option<&str>,
) -> Result<(String, Option<String>), OAuthError> {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Basic ")
                .or_else(|| v.strip_prefix("basic "))
        });
    match (basic, form_secret) {
        (Some(_), Some(_)) => Err(invalid_request(
            "use one client authentication method, not two",
        )),
        (Some(b64), None) => {
            let decoded = B64
                .decode(b64.trim())
                .ok()
                .and_then(|d| String::from_utf8(d).ok())
                .ok_or_else(|| {
                    OAuthError::new(OAuthErrorCode::InvalidClient, "malformed Basic credentials")
                })?;
            let (id, secret) = decoded.split_once(':').ok_or_else(|| {
                OAuthError::new(OAuthErrorCode::InvalidClient, "malformed Basic credentials")
            })?;
            let unescape = |s: &str| {
                serde_urlencoded::from_str::<Vec<(String, String)>>(&format!("v={s}"))
                    .ok()
                    .and_then(|v| v.into_iter().next())
                    .map(|(_, v)| v)
            };
            let id = unescape(id).ok_or_else(|| {
                OAuthError::new(OAuthErrorCode::InvalidClient, "malformed Basic credentials")
            })?;
            let secret = unescape(secret).ok_or_else(|| {
                OAuthError::new(OAuthErrorCode::InvalidClient, "malformed Basic credentials")
            })?;
            if form_id.is_some_and(|f| f != id) {
                return Err(invalid_request(
                    "client_id does not match the Basic credentials",
                ));
            }
            Ok((id, Some(secret)))
        }
        (None, secret) => {
            let id = form_id.filter(|s| !s.is_empty()).ok_or_else(|| {
                OAuthError::new(OAuthErrorCode::InvalidClient, "client_id is missing")
            })?;
            Ok((id.to_owned(), secret.map(str::to_owned)))
        }
    }
}

pub fn tokens_body(t: &OAuthTokens) -> serde_json::Value {
    let mut body = json!({
        "access_token": t.access_token.expose(),
        "token_type": "Bearer",
        "expires_in": t.expires_in,
    });
    if let Some(obj) = body.as_object_mut() {
        if let Some(id) = &t.id_token {
            obj.insert("id_token".into(), json!(id.expose()));
        }
        if let Some(r) = &t.refresh_token {
            obj.insert("refresh_token".into(), json!(r.expose()));
        }
    }
    body
}

pub async fn token(
    State(state): State<AppState>,
    Path(pool_id): Path<String>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    // Cognito API: SessionDescriptionType — the token session records its
    // caller's address and user agent.
    let requester = Requester {
        ip: peer.map(|Extension(ConnectInfo(p))| p.ip()),
        user_agent: crate::api::context::user_agent(&headers),
    };
    match grant(&state, &pool_id, &headers, &body, &requester).await {
        Ok(t) => json_response(StatusCode::OK, tokens_body(&t)),
        Err(e) => token_error(&e),
    }
}

async fn grant(
    state: &AppState,
    pool_id: &str,
    headers: &HeaderMap,
    body: &[u8],
    requester: &Requester,
) -> Result<OAuthTokens, OAuthError> {
    // RFC 6749 §3.2: parameters in an application/x-www-form-urlencoded body.
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(invalid_request(
            "the body must be application/x-www-form-urlencoded",
        ));
    }
    let form: TokenForm = serde_urlencoded::from_bytes(body)
        .map_err(|_| invalid_request("the body is not a valid form"))?;
    let (client_id, secret) = client_credentials(
        headers,
        form.client_id.as_deref(),
        form.client_secret.as_deref(),
    )?;
    let idp = &state.idp;
    let (pool, client) = idp
        .authenticate_oauth_client(pool_id, &client_id, secret.as_deref())
        .await?;
    match form.grant_type.as_deref() {
        Some("authorization_code") => {
            let code = form
                .code
                .as_deref()
                .ok_or_else(|| invalid_request("code is missing"))?;
            idp.exchange_code(
                &pool,
                &client,
                code,
                form.redirect_uri.as_deref(),
                form.code_verifier.as_deref(),
                requester,
            )
            .await
        }
        Some("refresh_token") => {
            let token = form
                .refresh_token
                .as_deref()
                .ok_or_else(|| invalid_request("refresh_token is missing"))?;
            idp.refresh_grant(&client, token, requester).await
        }
        Some("client_credentials") => {
            idp.client_credentials(&pool, &client, form.scope.as_deref())
                .await
        }
        None => Err(invalid_request("grant_type is missing")),
        Some(_) => Err(OAuthError::new(
            OAuthErrorCode::UnsupportedGrantType,
            "grant_type must be authorization_code, refresh_token or client_credentials",
        )),
    }
}
