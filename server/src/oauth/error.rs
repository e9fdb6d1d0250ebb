//! OAuth errors as responses, in one place: JSON bodies for the token,
//! revocation and userInfo endpoints (RFC 6749 §5.2, RFC 6750 §3). The
//! authorization endpoint's errors go back to the client by redirect
//! (`ui/hosted/authorize.rs`).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cognate_core::service::oauth::{OAuthError, OAuthErrorCode};
use serde_json::json;

use crate::http::no_store;

/// A JSON body with no-store headers.
pub fn json(status: StatusCode, body: serde_json::Value) -> Response {
    let mut r = (status, body.to_string()).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=UTF-8"),
    );
    no_store(r)
}

/// RFC 6749 §5.2: 400, or 401 with a challenge for a client that failed
/// to authenticate.
pub fn token_error(e: &OAuthError) -> Response {
    if e.code == OAuthErrorCode::ServerError {
        return json(
            StatusCode::INTERNAL_SERVER_ERROR,
            json!({ "error": "server_error" }),
        );
    }
    let status = match e.code {
        OAuthErrorCode::InvalidClient => StatusCode::UNAUTHORIZED,
        _ => StatusCode::BAD_REQUEST,
    };
    let mut r = json(
        status,
        json!({ "error": e.code.as_str(), "error_description": e.description }),
    );
    if status == StatusCode::UNAUTHORIZED {
        r.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"cognate\""),
        );
    }
    r
}

/// RFC 6750 §3.1: a bearer-token error with its WWW-Authenticate challenge.
pub fn bearer_error(e: &OAuthError) -> Response {
    let (status, code) = match e.code {
        OAuthErrorCode::ServerError => (StatusCode::INTERNAL_SERVER_ERROR, "server_error"),
        OAuthErrorCode::InvalidRequest => (StatusCode::BAD_REQUEST, "invalid_request"),
        _ => (StatusCode::UNAUTHORIZED, "invalid_token"),
    };
    let mut r = json(
        status,
        json!({ "error": code, "error_description": e.description }),
    );
    let challenge = format!(
        "Bearer error=\"{code}\", error_description=\"{}\"",
        e.description.replace(['"', '\\'], "")
    );
    if let Ok(v) = HeaderValue::from_str(&challenge) {
        r.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    r
}
