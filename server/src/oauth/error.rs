//! OAuth errors as responses, in one place: JSON bodies for the token,
//! revocation and userInfo endpoints (RFC 6749 §5.2, RFC 6750 §3), and
//! redirects back to the client for the authorization endpoint (RFC 6749
//! §4.1.2.1, with `iss` per RFC 9207).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use cognate_core::service::oauth::{OAuthError, OAuthErrorCode};
use serde_json::json;

/// RFC 6749 §5.1: responses that carry tokens or errors are never cached.
pub fn no_store(mut r: Response) -> Response {
    let h = r.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    r
}

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

/// RFC 6749 §4.1.2.1 (query) or §4.2.2.1 (fragment, implicit): the error
/// back to the client's registered redirect URI, with `state` and `iss`.
pub fn redirect_error(
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

/// A 302 to `uri` with `params` added to its query (or fragment).
pub fn redirect_with(uri: &str, fragment: bool, params: &[(&str, String)]) -> Response {
    let encoded = serde_urlencoded::to_string(params).unwrap_or_default();
    let target = if fragment {
        format!("{uri}#{encoded}")
    } else if uri.contains('?') {
        format!("{uri}&{encoded}")
    } else {
        format!("{uri}?{encoded}")
    };
    no_store(Redirect::to(&target).into_response())
}
