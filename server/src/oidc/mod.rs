//! OpenID Connect discovery and keys, under each pool's issuer
//! (`{public_url}/{pool_id}`), as Cognito publishes them at
//! `https://cognito-idp.{region}.amazonaws.com/{pool_id}/.well-known/…`:
//! any OIDC or JWT library finds a pool's signing keys from its `iss`.

pub mod discovery;
pub mod identity_issuer;
pub mod jwks;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cognate_core::CognitoError;
use serde_json::{Value, json};

/// A JSON document, or the error in the same JSON shape as the API's.
fn json_response(result: Result<Value, CognitoError>, cache: &'static str) -> Response {
    match result {
        Ok(doc) => {
            let mut r = (StatusCode::OK, doc.to_string()).into_response();
            let h = r.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
            r
        }
        Err(e) => {
            let status = match &e {
                // An unknown or malformed pool id: there is no such document.
                CognitoError::ResourceNotFound(_) | CognitoError::InvalidParameter(_) => {
                    StatusCode::NOT_FOUND
                }
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            };
            let (name, message) = match status {
                StatusCode::NOT_FOUND => ("ResourceNotFoundException", "User pool does not exist."),
                _ => (e.wire_name(), e.message()),
            };
            let body = json!({ "__type": name, "message": message });
            let mut r = (status, body.to_string()).into_response();
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            r
        }
    }
}
