//! `GET {issuer}/.well-known/jwks.json`: the pool's public signing keys
//! (RFC 7517 §5), every key that still verifies, so rotation does not break
//! tokens in flight. A pool's first key is made on first use.

use axum::extract::{Path, State};
use axum::response::Response;

use crate::state::AppState;

/// Short enough that a rotated-in key reaches verifiers quickly.
const CACHE: &str = "public, max-age=300";

pub async fn jwks(State(state): State<AppState>, Path(pool_id): Path<String>) -> Response {
    super::json_response(state.idp.jwks(&pool_id).await, CACHE)
}
