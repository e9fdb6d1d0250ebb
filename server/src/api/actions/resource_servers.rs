//! CreateResourceServer, DescribeResourceServer, UpdateResourceServer,
//! DeleteResourceServer, ListResourceServers.

use cognate_core::model::resource_server::ResourceServerScope;
use serde::Deserialize;
use serde_json::{Value, json};

use super::pools::with_token;
use crate::api::context::{Ctx, input};
use crate::api::error::ApiError;

/// CreateResourceServer and UpdateResourceServer take the same members.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ServerInput {
    user_pool_id: String,
    identifier: String,
    name: String,
    #[serde(default)]
    scopes: Vec<ResourceServerScope>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ServerRef {
    user_pool_id: String,
    identifier: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct List {
    user_pool_id: String,
    max_results: Option<i64>,
    next_token: Option<String>,
}

pub async fn call(action: &str, ctx: &Ctx, body: Value) -> Result<Value, ApiError> {
    let idp = &ctx.state.idp;
    match action {
        "CreateResourceServer" => {
            let s: ServerInput = input(body)?;
            let server = idp
                .create_resource_server(&s.user_pool_id, &s.identifier, &s.name, s.scopes)
                .await?;
            Ok(json!({ "ResourceServer": server }))
        }
        "DescribeResourceServer" => {
            let r: ServerRef = input(body)?;
            let server = idp
                .describe_resource_server(&r.user_pool_id, &r.identifier)
                .await?;
            Ok(json!({ "ResourceServer": server }))
        }
        "UpdateResourceServer" => {
            let s: ServerInput = input(body)?;
            let server = idp
                .update_resource_server(&s.user_pool_id, &s.identifier, &s.name, s.scopes)
                .await?;
            Ok(json!({ "ResourceServer": server }))
        }
        "DeleteResourceServer" => {
            let r: ServerRef = input(body)?;
            idp.delete_resource_server(&r.user_pool_id, &r.identifier)
                .await?;
            Ok(json!({}))
        }
        "ListResourceServers" => {
            let l: List = input(body)?;
            let page = idp
                .list_resource_servers(&l.user_pool_id, l.max_results, l.next_token.as_deref())
                .await?;
            Ok(with_token(
                json!({ "ResourceServers": page.items }),
                "NextToken",
                page.next,
            ))
        }
        other => Err(ApiError::UnknownOperation(other.to_owned())),
    }
}
