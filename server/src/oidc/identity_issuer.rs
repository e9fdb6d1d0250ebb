//! The identity issuer (`{public_url}/identity`): the discovery document
//! and JWKS of identity pools' OpenID tokens, so an IAM OIDC provider (or
//! any JWT library) can verify them. OpenID Connect Discovery 1.0 §3
//! requires authorization_endpoint and response_types_supported; like
//! `cognito-identity.amazonaws.com`, this issuer has no authorization
//! endpoint and signs only these tokens.

use axum::extract::State;
use axum::response::Response;
use serde_json::json;

use crate::state::AppState;

const CACHE: &str = "public, max-age=300";

pub async fn openid_configuration(State(state): State<AppState>) -> Response {
    let issuer = state.idp.identity_issuer();
    let doc = json!({
        "issuer": issuer,
        "jwks_uri": format!("{issuer}/.well-known/jwks.json"),
        "response_types_supported": ["id_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "claims_supported": ["sub", "aud", "amr", "iss", "exp", "iat"],
    });
    super::json_response(Ok(doc), CACHE)
}

pub async fn jwks(State(state): State<AppState>) -> Response {
    super::json_response(state.idp.identity_jwks().await, CACHE)
}
