//! CreateGroup, GetGroup, UpdateGroup, DeleteGroup, ListGroups,
//! AdminAddUserToGroup, AdminRemoveUserFromGroup, AdminListGroupsForUser,
//! ListUsersInGroup.

use cognate_core::service::groups::GroupUpdate;
use serde::Deserialize;
use serde_json::{Value, json};

use super::pools::with_token;
use super::users::user_type;
use crate::api::context::{Ctx, input};
use crate::api::error::ApiError;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GroupInput {
    user_pool_id: String,
    group_name: String,
    description: Option<String>,
    role_arn: Option<String>,
    precedence: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Membership {
    user_pool_id: String,
    username: String,
    group_name: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Listing {
    user_pool_id: String,
    group_name: Option<String>,
    username: Option<String>,
    limit: Option<i64>,
    next_token: Option<String>,
}

pub async fn call(action: &str, ctx: &Ctx, body: Value) -> Result<Value, ApiError> {
    let idp = &ctx.state.idp;
    match action {
        "CreateGroup" => {
            let g: GroupInput = input(body)?;
            let group = idp
                .create_group(
                    &g.user_pool_id,
                    &g.group_name,
                    g.description,
                    g.role_arn,
                    g.precedence,
                )
                .await?;
            Ok(json!({ "Group": group }))
        }
        "GetGroup" => {
            let g: GroupInput = input(body)?;
            Ok(json!({ "Group": idp.get_group(&g.user_pool_id, &g.group_name).await? }))
        }
        "UpdateGroup" => {
            let g: GroupInput = input(body)?;
            let update = GroupUpdate {
                description: g.description,
                role_arn: g.role_arn,
                precedence: g.precedence,
            };
            Ok(json!({ "Group": idp.update_group(&g.user_pool_id, &g.group_name, update).await? }))
        }
        "DeleteGroup" => {
            let g: GroupInput = input(body)?;
            idp.delete_group(&g.user_pool_id, &g.group_name).await?;
            Ok(json!({}))
        }
        "ListGroups" => {
            let l: Listing = input(body)?;
            let page = idp
                .list_groups(&l.user_pool_id, l.limit, l.next_token.as_deref())
                .await?;
            Ok(with_token(
                json!({ "Groups": page.items }),
                "NextToken",
                page.next,
            ))
        }
        "AdminAddUserToGroup" => {
            let m: Membership = input(body)?;
            idp.add_user_to_group(&m.user_pool_id, &m.username, &m.group_name)
                .await?;
            Ok(json!({}))
        }
        "AdminRemoveUserFromGroup" => {
            let m: Membership = input(body)?;
            idp.remove_user_from_group(&m.user_pool_id, &m.username, &m.group_name)
                .await?;
            Ok(json!({}))
        }
        "AdminListGroupsForUser" => {
            let l: Listing = input(body)?;
            let username = required(l.username, "username")?;
            let page = idp
                .list_groups_for_user(&l.user_pool_id, &username, l.limit, l.next_token.as_deref())
                .await?;
            Ok(with_token(
                json!({ "Groups": page.items }),
                "NextToken",
                page.next,
            ))
        }
        "ListUsersInGroup" => {
            let l: Listing = input(body)?;
            let group = required(l.group_name, "groupName")?;
            let page = idp
                .list_users_in_group(&l.user_pool_id, &group, l.limit, l.next_token.as_deref())
                .await?;
            let users: Vec<Value> = page.items.iter().map(user_type).collect();
            Ok(with_token(
                json!({ "Users": users }),
                "NextToken",
                page.next,
            ))
        }
        other => Err(ApiError::UnknownOperation(other.to_owned())),
    }
}

/// A member the input struct leaves optional because other actions share it.
pub fn required(value: Option<String>, member: &str) -> Result<String, ApiError> {
    value.ok_or_else(|| {
        cognate_core::CognitoError::invalid_parameter(format!(
            "1 validation error detected: Value null at '{member}' failed to satisfy constraint: Member must not be null"
        ))
        .into()
    })
}
