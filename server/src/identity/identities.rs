//! ListIdentities, DescribeIdentity, DeleteIdentities, and the developer
//! side: GetOpenIdTokenForDeveloperIdentity, LookupDeveloperIdentity,
//! MergeDeveloperIdentities, UnlinkDeveloperIdentity.

use std::collections::BTreeMap;

use cognate_core::model::identity_pool::Identity;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::api::{ApiError, Ctx, input};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct List {
    identity_pool_id: String,
    max_results: i64,
    next_token: Option<String>,
    #[serde(default)]
    hide_disabled: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct IdentityId {
    identity_id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Delete {
    identity_ids_to_delete: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DeveloperToken {
    identity_pool_id: String,
    identity_id: Option<String>,
    logins: BTreeMap<String, String>,
    #[serde(default)]
    principal_tags: BTreeMap<String, String>,
    token_duration: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Lookup {
    identity_pool_id: String,
    identity_id: Option<String>,
    developer_user_identifier: Option<String>,
    max_results: Option<i64>,
    next_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Merge {
    source_user_identifier: String,
    destination_user_identifier: String,
    developer_provider_name: String,
    identity_pool_id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UnlinkDeveloper {
    identity_id: String,
    identity_pool_id: String,
    developer_provider_name: String,
    developer_user_identifier: String,
}

/// Cognito Identity API: IdentityDescription.
fn description(i: &Identity) -> Value {
    let mut logins: Vec<&str> = i.logins.iter().map(|l| l.provider.as_str()).collect();
    logins.dedup();
    json!({
        "IdentityId": i.id,
        "Logins": logins,
        "CreationDate": i.created,
        "LastModifiedDate": i.modified,
    })
}

pub async fn call(op: &str, ctx: &Ctx, body: Value) -> Result<Value, ApiError> {
    let idp = &ctx.state.idp;
    match op {
        "ListIdentities" => {
            let r: List = input(body)?;
            let page = idp
                .list_identities(
                    &r.identity_pool_id,
                    r.max_results,
                    r.next_token.as_deref(),
                    r.hide_disabled,
                )
                .await?;
            let items: Vec<Value> = page.items.iter().map(description).collect();
            let mut out = json!({ "IdentityPoolId": r.identity_pool_id, "Identities": items });
            if let Some(next) = page.next {
                out["NextToken"] = json!(next);
            }
            Ok(out)
        }
        "DescribeIdentity" => {
            let r: IdentityId = input(body)?;
            Ok(description(&idp.identity(&r.identity_id).await?))
        }
        "DeleteIdentities" => {
            let r: Delete = input(body)?;
            let failed = idp.delete_identities(&r.identity_ids_to_delete).await?;
            let failed: Vec<Value> = failed
                .iter()
                .map(|id| json!({ "IdentityId": id, "ErrorCode": "InternalServerError" }))
                .collect();
            Ok(json!({ "UnprocessedIdentityIds": failed }))
        }
        "GetOpenIdTokenForDeveloperIdentity" => {
            let r: DeveloperToken = input(body)?;
            let (id, token) = idp
                .get_open_id_token_for_developer_identity(
                    &r.identity_pool_id,
                    r.identity_id.as_deref(),
                    &r.logins,
                    &r.principal_tags,
                    r.token_duration,
                )
                .await?;
            Ok(json!({ "IdentityId": id, "Token": token }))
        }
        "LookupDeveloperIdentity" => {
            let r: Lookup = input(body)?;
            let (id, users) = idp
                .lookup_developer_identity(
                    &r.identity_pool_id,
                    r.identity_id.as_deref(),
                    r.developer_user_identifier.as_deref(),
                    r.max_results,
                    r.next_token.as_deref(),
                )
                .await?;
            let mut out = json!({ "IdentityId": id, "DeveloperUserIdentifierList": users.items });
            if let Some(next) = users.next {
                out["NextToken"] = json!(next);
            }
            Ok(out)
        }
        "MergeDeveloperIdentities" => {
            let r: Merge = input(body)?;
            let id = idp
                .merge_developer_identities(
                    &r.identity_pool_id,
                    &r.developer_provider_name,
                    &r.source_user_identifier,
                    &r.destination_user_identifier,
                )
                .await?;
            Ok(json!({ "IdentityId": id }))
        }
        "UnlinkDeveloperIdentity" => {
            let r: UnlinkDeveloper = input(body)?;
            idp.unlink_developer_identity(
                &r.identity_pool_id,
                &r.identity_id,
                &r.developer_provider_name,
                &r.developer_user_identifier,
            )
            .await?;
            Ok(json!({}))
        }
        _ => Err(ApiError::UnknownOperation(op.to_owned())),
    }
}
