//! `POST /`: the one address three AWS protocols share. A request goes to
//! the face whose protocol it speaks: the identity-pool API by its
//! `X-Amz-Target` prefix, the built-in STS by its form body (the query
//! protocol sends no target), the user-pool API otherwise.

use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, Method, Uri};
use axum::response::Response;

use crate::api::sigv4::Request;
use crate::api::{self, ApiError};
use crate::state::AppState;
use crate::{identity, sts};

pub async fn post(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let target = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    if target.starts_with(identity::TARGET_PREFIX) {
        let request_id = uuid::Uuid::new_v4().to_string();
        let result = match body {
            Ok(body) => {
                let request = Request {
                    method: method.as_str(),
                    path_and_query: uri.path_and_query().map_or("/", |p| p.as_str()),
                    headers: &headers,
                    body: &body,
                };
                identity::dispatch(&state, peer, &request, &request_id, &target).await
            }
            Err(e) => Err(ApiError::Serialization(format!(
                "The request body could not be read: {}",
                e.body_text()
            ))),
        };
        return api::respond(result, &request_id);
    }
    if target.is_empty() && sts::is_sts_request(&headers) {
        return sts::handle(&state, peer, &method, &uri, &headers, body).await;
    }
    api::handle(State(state), ConnectInfo(peer), method, uri, headers, body).await
}
