//! Sign-in and tokens: InitiateAuth, RespondToAuthChallenge,
//! AdminInitiateAuth, AdminRespondToAuthChallenge, GlobalSignOut,
//! RevokeToken, GetTokensFromRefreshToken and AdminUserGlobalSignOut. Parses, calls the core's
//! `service::auth` / `service::sign_out`, renders Cognito's shapes.

use std::collections::HashMap;

use cognate_core::model::session::RevokeAssociatedSessions;
use cognate_core::service::auth::{AuthOutcome, Caller, Metadata, Params};
use cognate_core::service::tokens::IssuedTokens;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::api::context::{Ctx, input};
use crate::api::error::ApiError;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct InitiateAuth {
    auth_flow: String,
    client_id: String,
    user_pool_id: Option<String>,
    #[serde(default)]
    auth_parameters: Option<HashMap<String, String>>,
    #[serde(default)]
    client_metadata: Option<Metadata>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RespondToAuthChallenge {
    challenge_name: String,
    client_id: String,
    user_pool_id: Option<String>,
    session: Option<String>,
    #[serde(default)]
    challenge_responses: Option<HashMap<String, String>>,
    #[serde(default)]
    client_metadata: Option<Metadata>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GlobalSignOut {
    access_token: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RevokeToken {
    token: String,
    client_id: String,
    client_secret: Option<String>,
    #[serde(default)]
    revoke_associated_sessions: RevokeAssociatedSessions,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GetTokensFromRefreshToken {
    refresh_token: String,
    client_id: String,
    client_secret: Option<String>,
    /// The device the refresh comes from: one of the user's own.
    device_key: Option<String>,
    client_metadata: Option<Metadata>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AdminUserGlobalSignOut {
    user_pool_id: String,
    username: String,
}

/// The administrative actions name their pool; it is required there.
fn caller<'a>(admin: bool, pool_id: Option<&'a str>) -> Result<Caller<'a>, ApiError> {
    if !admin {
        return Ok(Caller::Public);
    }
    match pool_id {
        Some(pool_id) => Ok(Caller::Admin { pool_id }),
        None => Err(cognate_core::CognitoError::invalid_parameter(
            "1 validation error detected: Value null at 'userPoolId' failed to satisfy constraint: Member must not be null",
        )
        .into()),
    }
}

#[tracing::instrument(skip_all, fields(action = %action))]
pub async fn call(action: &str, ctx: &Ctx, body: Value) -> Result<Value, ApiError> {
    let idp = &ctx.state.idp;
    match action {
        "InitiateAuth" | "AdminInitiateAuth" => {
            let i: InitiateAuth = input(body)?;
            let params: Params = i.auth_parameters.unwrap_or_default();
            let caller = caller(action == "AdminInitiateAuth", i.user_pool_id.as_deref())?;
            let outcome = idp
                .initiate_auth(
                    caller,
                    &i.client_id,
                    &i.auth_flow,
                    &params,
                    &i.client_metadata.unwrap_or_default(),
                    &ctx.requester(),
                )
                .await?;
            render(outcome)
        }
        "RespondToAuthChallenge" | "AdminRespondToAuthChallenge" => {
            let r: RespondToAuthChallenge = input(body)?;
            let responses: Params = r.challenge_responses.unwrap_or_default();
            let caller = caller(
                action == "AdminRespondToAuthChallenge",
                r.user_pool_id.as_deref(),
            )?;
            let outcome = idp
                .respond_to_auth_challenge(
                    caller,
                    &r.client_id,
                    &r.challenge_name,
                    r.session.as_deref(),
                    &responses,
                    &r.client_metadata.unwrap_or_default(),
                    &ctx.requester(),
                )
                .await?;
            render(outcome)
        }
        "GlobalSignOut" => {
            let g: GlobalSignOut = input(body)?;
            idp.global_sign_out(&g.access_token).await?;
            Ok(json!({}))
        }
        "RevokeToken" => {
            let r: RevokeToken = input(body)?;
            let linked = r.revoke_associated_sessions.linked();
            idp.revoke_token(&r.token, &r.client_id, r.client_secret.as_deref(), linked)
                .await?;
            Ok(json!({}))
        }
        "GetTokensFromRefreshToken" => {
            let g: GetTokensFromRefreshToken = input(body)?;
            let tokens = idp
                .get_tokens_from_refresh_token(
                    &g.client_id,
                    &g.refresh_token,
                    g.client_secret.as_deref(),
                    g.device_key.as_deref(),
                    &g.client_metadata.unwrap_or_default(),
                    &ctx.requester(),
                )
                .await?;
            Ok(json!({ "AuthenticationResult": authentication_result(&tokens) }))
        }
        "AdminUserGlobalSignOut" => {
            let a: AdminUserGlobalSignOut = input(body)?;
            idp.admin_user_global_sign_out(&a.user_pool_id, &a.username)
                .await?;
            Ok(json!({}))
        }
        other => Err(ApiError::UnknownOperation(other.to_owned())),
    }
}

/// Cognito API: AuthenticationResultType.
fn authentication_result(t: &IssuedTokens) -> Value {
    let mut result = json!({
        "AccessToken": t.access_token.expose(),
        "ExpiresIn": t.expires_in,
        "TokenType": "Bearer",
        "IdToken": t.id_token.expose(),
    });
    if let (Some(r), Some(obj)) = (&t.refresh_token, result.as_object_mut()) {
        obj.insert("RefreshToken".into(), Value::String(r.expose().to_owned()));
    }
    if let (Some(d), Some(obj)) = (&t.new_device, result.as_object_mut()) {
        obj.insert("NewDeviceMetadata".into(), json!(d));
    }
    result
}

/// Cognito's InitiateAuthResponse / RespondToAuthChallengeResponse: either
/// AuthenticationResult, or ChallengeName with its parameters and Session.
fn render(outcome: AuthOutcome) -> Result<Value, ApiError> {
    Ok(match outcome {
        AuthOutcome::Authenticated(t) => {
            json!({ "AuthenticationResult": authentication_result(&t), "ChallengeParameters": {} })
        }
        AuthOutcome::Challenge(c) => {
            let mut out = json!({
                "ChallengeName": c.name.as_str(),
                "ChallengeParameters": c.parameters,
            });
            if let (Some(s), Some(obj)) = (c.session, out.as_object_mut()) {
                obj.insert("Session".into(), Value::String(s));
            }
            // Cognito API: InitiateAuthResponse, AvailableChallenges.
            if let (Some(a), Some(obj)) = (c.available, out.as_object_mut()) {
                obj.insert("AvailableChallenges".into(), json!(a));
            }
            out
        }
        // Only the hosted UI's sign-ins end this way.
        AuthOutcome::SignedIn(_) => {
            return Err(cognate_core::CognitoError::internal(
                "a Cognito API sign-in ended without tokens",
            )
            .into());
        }
    })
}
