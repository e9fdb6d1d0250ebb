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
    "nonce",
    "at_hash",
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
            "authorization_endpoint": format!("{issuer}/oauth2/authorize"),
            "token_endpoint": format!("{issuer}/oauth2/token"),
            "userinfo_endpoint": format!("{issuer}/oauth2/userInfo"),
            "revocation_endpoint": format!("{issuer}/oauth2/revoke"),
            "response_types_supported": ["code", "token"],
            "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials", "implicit"],
            "scopes_supported": ["openid", "email", "phone", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "response_modes_supported": ["query", "fragment"],
            "prompt_values_supported": ["none", "login"],
            "authorization_response_iss_parameter_supported": true,
            "claims_parameter_supported": false,
            "jwks_uri": format!("{issuer}/.well-known/jwks.json"),
            // RFC 8725 §3.1: one algorithm, the one we sign with.
            "id_token_signing_alg_values_supported": ["RS256"],
            "subject_types_supported": ["public"],
            "claims_supported": CLAIMS,
        })
    });
    super::json_response(result, CACHE)
}
