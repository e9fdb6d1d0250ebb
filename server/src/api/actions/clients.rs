//! CreateUserPoolClient, DescribeUserPoolClient, UpdateUserPoolClient,
//! DeleteUserPoolClient, ListUserPoolClients.

use cognate_core::model::client::UserPoolClientConfig;
use serde::Deserialize;
use serde_json::{Value, json};

use super::pools::with_token;
use crate::api::context::{Ctx, input};
use crate::api::error::ApiError;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Create {
    user_pool_id: String,
    #[serde(default)]
    generate_secret: bool,
    /// A secret of the caller's choosing instead of a generated one.
    client_secret: Option<String>,
    #[serde(flatten)]
    config: UserPoolClientConfig,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Update {
    user_pool_id: String,
    client_id: String,
    #[serde(flatten)]
    config: UserPoolClientConfig,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ClientRef {
    pub(crate) user_pool_id: String,
    pub(crate) client_id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct List {
    user_pool_id: String,
    max_results: Option<i64>,
    next_token: Option<String>,
    client_type: Option<ClientType>,
}

/// Cognito API: ListUserPoolClients, ClientType. Every client here is
/// REGULAR: dynamic client registration (DcrConfiguration) is refused.
#[derive(Deserialize, PartialEq, Eq)]
#[serde(rename_all = "UPPERCASE")]
enum ClientType {
    Regular,
    Dcr,
}

pub async fn call(action: &str, ctx: &Ctx, body: Value) -> Result<Value, ApiError> {
    let idp = &ctx.state.idp;
    match action {
        "CreateUserPoolClient" => {
            let c: Create = input(body)?;
            let client = idp
                .create_client(
                    &c.user_pool_id,
                    c.config,
                    c.generate_secret,
                    c.client_secret,
                )
                .await?;
            Ok(json!({ "UserPoolClient": client }))
        }
        "DescribeUserPoolClient" => {
            let r: ClientRef = input(body)?;
            Ok(
                json!({ "UserPoolClient": idp.describe_client(&r.user_pool_id, &r.client_id).await? }),
            )
        }
        "UpdateUserPoolClient" => {
            let mut body = body;
            // Cognito API: UpdateUserPoolClient — ClientName is optional;
            // left out, the client keeps its name.
            if body.get("ClientName").is_none()
                && let (Some(pool_id), Some(client_id)) = (
                    body.get("UserPoolId").and_then(Value::as_str),
                    body.get("ClientId").and_then(Value::as_str),
                )
            {
                let name = idp
                    .describe_client(pool_id, client_id)
                    .await?
                    .config
                    .client_name;
                body["ClientName"] = json!(name);
            }
            let u: Update = input(body)?;
            let client = idp
                .update_client(&u.user_pool_id, &u.client_id, u.config)
                .await?;
            Ok(json!({ "UserPoolClient": client }))
        }
        "DeleteUserPoolClient" => {
            let r: ClientRef = input(body)?;
            idp.delete_client(&r.user_pool_id, &r.client_id).await?;
            Ok(json!({}))
        }
        "ListUserPoolClients" => {
            let l: List = input(body)?;
            let page = idp
                .list_clients(&l.user_pool_id, l.max_results, l.next_token.as_deref())
                .await?;
            let dcr_only = l.client_type == Some(ClientType::Dcr);
            let clients: Vec<Value> = page
                .items
                .iter()
                .filter(|_| !dcr_only)
                .map(|c| json!({ "ClientId": c.client_id, "UserPoolId": c.user_pool_id, "ClientName": c.config.client_name }))
                .collect();
            Ok(with_token(
                json!({ "UserPoolClients": clients }),
                "NextToken",
                page.next,
            ))
        }
        other => Err(ApiError::UnknownOperation(other.to_owned())),
    }
}
