//! CreateUserPool, DescribeUserPool, UpdateUserPool, DeleteUserPool,
//! ListUserPools.

use cognate_core::model::pool::{NewUserPool, UserPoolConfig};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::api::context::{Ctx, input};
use crate::api::error::ApiError;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct PoolId {
    pub(crate) user_pool_id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Update {
    user_pool_id: String,
    #[serde(flatten)]
    config: UserPoolConfig,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct List {
    max_results: i64,
    next_token: Option<String>,
}

pub async fn call(action: &str, ctx: &Ctx, body: Value) -> Result<Value, ApiError> {
    let idp = &ctx.state.idp;
    match action {
        "CreateUserPool" => {
            let new: NewUserPool = input(body)?;
            let pool = idp.create_pool(new).await?;
            Ok(json!({ "UserPool": pool }))
        }
        "DescribeUserPool" => {
            let PoolId { user_pool_id } = input(body)?;
            Ok(json!({ "UserPool": idp.describe_pool(&user_pool_id).await? }))
        }
        "UpdateUserPool" => {
            let u: Update = input(body)?;
            idp.update_pool(&u.user_pool_id, u.config).await?;
            Ok(json!({}))
        }
        "DeleteUserPool" => {
            let PoolId { user_pool_id } = input(body)?;
            idp.delete_pool(&user_pool_id).await?;
            Ok(json!({}))
        }
        "ListUserPools" => {
            let l: List = input(body)?;
            let page = idp
                .list_pools(l.max_results, l.next_token.as_deref())
                .await?;
            let pools: Vec<Value> = page
                .items
                .iter()
                .map(|p| {
                    json!({
                        "Id": p.id,
                        "Name": p.name,
                        "LambdaConfig": p.config.lambda_config,
                        "CreationDate": p.creation_date,
                        "LastModifiedDate": p.last_modified_date,
                    })
                })
                .collect();
            Ok(with_token(
                json!({ "UserPools": pools }),
                "NextToken",
                page.next,
            ))
        }
        other => Err(ApiError::UnknownOperation(other.to_owned())),
    }
}

/// Adds a pagination token member when there is a next page.
pub fn with_token(mut value: Value, member: &str, token: Option<String>) -> Value {
    if let (Some(t), Some(obj)) = (token, value.as_object_mut()) {
        obj.insert(member.to_owned(), Value::String(t));
    }
    value
}
