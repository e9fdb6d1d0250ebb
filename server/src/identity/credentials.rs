//! The operations an app calls without AWS credentials: GetId,
//! GetCredentialsForIdentity (credentials in Cognito's shape: SecretKey,
//! epoch Expiration), GetOpenIdToken, UnlinkIdentity.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Value, json};

use crate::api::{ApiError, Ctx, input};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GetId {
    identity_pool_id: String,
    #[serde(default)]
    logins: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ForIdentity {
    identity_id: String,
    #[serde(default)]
    logins: BTreeMap<String, String>,
    custom_role_arn: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Unlink {
    identity_id: String,
    logins: BTreeMap<String, String>,
    logins_to_remove: Vec<String>,
}

pub async fn call(op: &str, ctx: &Ctx, body: Value) -> Result<Value, ApiError> {
    let idp = &ctx.state.idp;
    match op {
        "GetId" => {
            let r: GetId = input(body)?;
            let id = idp.get_id(&r.identity_pool_id, &r.logins).await?;
            Ok(json!({ "IdentityId": id }))
        }
        "GetCredentialsForIdentity" => {
            let r: ForIdentity = input(body)?;
            let (id, c) = idp
                .get_credentials_for_identity(
                    &r.identity_id,
                    &r.logins,
                    r.custom_role_arn.as_deref(),
                )
                .await?;
            Ok(json!({
                "IdentityId": id,
                "Credentials": {
                    "AccessKeyId": c.access_key_id,
                    "SecretKey": c.secret_access_key.expose(),
                    "SessionToken": c.session_token.expose(),
                    "Expiration": c.expiration,
                },
            }))
        }
        "GetOpenIdToken" => {
            let r: ForIdentity = input(body)?;
            let (id, token) = idp.get_open_id_token(&r.identity_id, &r.logins).await?;
            Ok(json!({ "IdentityId": id, "Token": token }))
        }
        "UnlinkIdentity" => {
            let r: Unlink = input(body)?;
            idp.unlink_identity(&r.identity_id, &r.logins, &r.logins_to_remove)
                .await?;
            Ok(json!({}))
        }
        _ => Err(ApiError::UnknownOperation(op.to_owned())),
    }
}
