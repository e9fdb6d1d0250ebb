//! The Cognito user-pool API: `POST /` with
//! `X-Amz-Target: AWSCognitoIdentityProviderService.<Action>` and an
//! `application/x-amz-json-1.1` body. This module parses the protocol,
//! authenticates administrative calls with SigV4, dispatches to the action
//! families in `actions/`, and renders every error in one place (the
//! identity-pool API, `identity/`, renders through it too).

pub mod actions;
pub mod context;
pub mod error;
pub mod members;
pub mod sigv4;

use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, Method, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

pub use self::actions::Access;
pub use self::context::{Ctx, input};
pub use self::error::ApiError;
use crate::state::AppState;

pub const TARGET_PREFIX: &str = "AWSCognitoIdentityProviderService.";
const CONTENT_TYPE: &str = "application/x-amz-json-1.1";

/// `POST /`: the whole protocol.
pub async fn handle(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let request_id = uuid::Uuid::new_v4().to_string();

    // A body the listener refuses (over the 1 MiB limit, or cut short) is
    // answered in the protocol too, with a `__type` the SDKs parse.
    let result = match body {
        Ok(body) => dispatch(&state, peer, &method, &uri, &headers, &body, &request_id).await,
        Err(e) => Err(ApiError::Serialization(format!(
            "The request body could not be read: {}",
            e.body_text()
        ))),
    };
    respond(result, &request_id)
}

/// A JSON 1.1 answer or error, with its request id.
pub fn respond(result: Result<Value, ApiError>, request_id: &str) -> Response {
    let mut response = match result {
        Ok(value) => (
            [(
                axum::http::header::CONTENT_TYPE,
                HeaderValue::from_static(CONTENT_TYPE),
            )],
            value.to_string(),
        )
            .into_response(),
        Err(e) => e.into_response(),
    };
    if let Ok(v) = HeaderValue::from_str(request_id) {
        response.headers_mut().insert("x-amzn-requestid", v);
    }
    response
}

async fn dispatch(
    state: &AppState,
    peer: SocketAddr,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
    request_id: &str,
) -> Result<Value, ApiError> {
    let target = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let action = target
        .strip_prefix(TARGET_PREFIX)
        .ok_or_else(|| ApiError::UnknownOperation(target.to_owned()))?;
    let access =
        actions::access(action).ok_or_else(|| ApiError::UnknownOperation(action.to_owned()))?;
    let admin_key = match access {
        Access::Public => None,
        Access::Admin => Some(sigv4::verify(
            method.as_str(),
            uri.path_and_query().map_or("/", |p| p.as_str()),
            headers,
            body,
            &state.admin_keys,
            state.idp.clock.now().seconds(),
        )?),
    };
    let value = parse_body(body)?;
    if let crate::limits::Rule::Counted(category) = crate::limits::RateLimits::for_action(action) {
        let token_user = crate::limits::token_user(&state.idp, &value).await;
        let caller = crate::limits::Caller {
            ip: admin_key.is_none().then(|| peer.ip()),
            user: token_user
                .as_ref()
                .map(|(pool, sub)| (pool.as_str(), sub.clone()))
                .or_else(|| crate::limits::api_user(&value)),
        };
        if let Err(limited) = state.limits.check(category, &caller) {
            tracing::info!(
                action,
                request_id,
                retry_after_ms = limited.retry_after.as_millis() as u64,
                "rate limited"
            );
            return Err(cognate_core::CognitoError::TooManyRequests("Rate exceeded".into()).into());
        }
    }
    let ctx = Ctx {
        state: state.clone(),
        source_ip: Some(peer.ip()),
        request_id: request_id.to_owned(),
        admin_key,
        user_agent: context::user_agent(headers),
    };
    tracing::debug!(action, request_id, "api call");
    actions::call(action, &ctx, value).await
}

/// A JSON 1.1 body: an object (an empty body reads as `{}`).
pub fn parse_body(body: &[u8]) -> Result<Value, ApiError> {
    let value: Value = if body.iter().all(u8::is_ascii_whitespace) {
        Value::Object(Default::default())
    } else {
        serde_json::from_slice(body).map_err(|e| {
            ApiError::Serialization(format!("The request body is not valid JSON: {e}"))
        })?
    };
    if !value.is_object() {
        return Err(ApiError::Serialization(
            "The request body must be a JSON object.".into(),
        ));
    }
    Ok(value)
}
