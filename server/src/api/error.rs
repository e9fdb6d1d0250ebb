//! The one place API errors become responses: status 400 (5xx only for
//! our own faults), `{"__type": "...Exception", "message": "..."}` and the
//! `x-amzn-ErrorType` header, as the AWS SDKs parse them.

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use cognate_core::CognitoError;
use serde_json::json;

use super::sigv4::SigError;

#[derive(Debug)]
pub enum ApiError {
    Cognito(CognitoError),
    Signature(SigError),
    UnknownOperation(String),
    Serialization(String),
}

impl From<CognitoError> for ApiError {
    fn from(e: CognitoError) -> Self {
        Self::Cognito(e)
    }
}

impl From<SigError> for ApiError {
    fn from(e: SigError) -> Self {
        Self::Signature(e)
    }
}

impl ApiError {
    pub fn parts(&self) -> (u16, &'static str, String) {
        match self {
            Self::Cognito(e) => (e.http_status(), e.wire_name(), e.message().to_owned()),
            Self::Signature(e) => (e.http_status(), e.wire_name(), e.message()),
            Self::UnknownOperation(op) => (
                400,
                "UnknownOperationException",
                if op.is_empty() {
                    "Missing or malformed X-Amz-Target header.".to_owned()
                } else {
                    format!("Unknown operation: {op}")
                },
            ),
            Self::Serialization(m) => (400, "SerializationException", m.clone()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, name, message) = self.parts();
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
        let body = json!({ "__type": name, "message": message }).to_string();
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(
            axum::http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/x-amz-json-1.1"),
        );
        headers.insert("x-amzn-errortype", HeaderValue::from_static(name));
        response
    }
}
