//! `GET {issuer}/.well-known/openid-configuration` (OpenID Connect
//! Discovery 1.0 §4). Only what exists is advertised: the issuer, its keys
//! and its tokens' claims. The OAuth 2.0 issue adds the authorization,
//! token, userInfo and revocation endpoints, response types, grant types and
//! scopes (Discovery §3 requires response_types_supported once
//! authorization_endpoint exists).

use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::json;

use crate::state::AppState;

const CACHE: &str = "public, max-age=3600";

/// The claims Cognate's ID tokens may carry.
const CLAIMS: &[&str] = &[
    "sub",
    "iss",
    "aud",
    "exp",
    "iat",
    "auth_time",
    "token_use",
    "cognito:username",
    "cognito:groups",
    "email",
    "email_verified",
    "phone_number",
    "phone_number_verified",
    "name",
    "given_name",
    "family_name",
    "middle_name",
    "nickname",
    "preferred_username",
    "profile",
    "picture",
    "website",
    "gender",
    "birthdate",
    "zoneinfo",
    "locale",
    "address",
    "updated_at",
];

pub async fn openid_configuration(
    State(state): State<AppState>,
    Path(pool_id): Path<String>,
) -> Response {
    let result = state.idp.pool(&pool_id).await.map(|pool| {
        let issuer = state.idp.issuer(&pool.id);
        json!({
            "issuer": issuer,
            "jwks_uri": format!("{issuer}/.well-known/jwks.json"),
            // RFC 8725 §3.1: one algorithm, the one we sign with.
            "id_token_signing_alg_values_supported": ["RS256"],
            "subject_types_supported": ["public"],
            "claims_supported": CLAIMS,
        })
    });
    super::json_response(result, CACHE)
}
