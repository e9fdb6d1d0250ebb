//! CreateIdentityPool, DescribeIdentityPool, UpdateIdentityPool,
//! DeleteIdentityPool, ListIdentityPools; SetIdentityPoolRoles,
//! GetIdentityPoolRoles; SetPrincipalTagAttributeMap,
//! GetPrincipalTagAttributeMap; TagResource, UntagResource,
//! ListTagsForResource.

use std::collections::BTreeMap;

use cognate_core::model::identity_pool::{
    IdentityPool, IdentityPoolConfig, PrincipalTagMap, RoleMapping,
};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::api::{ApiError, Ctx, input};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PoolId {
    identity_pool_id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct List {
    max_results: i64,
    next_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Roles {
    identity_pool_id: String,
    roles: BTreeMap<String, String>,
    #[serde(default)]
    role_mappings: BTreeMap<String, RoleMapping>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TagMap {
    identity_pool_id: String,
    identity_provider_name: String,
    use_defaults: Option<bool>,
    #[serde(default)]
    principal_tags: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GetTagMap {
    identity_pool_id: String,
    identity_provider_name: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Tag {
    resource_arn: String,
    tags: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Untag {
    resource_arn: String,
    tag_keys: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Arn {
    resource_arn: String,
}

/// Cognito Identity API: IdentityPool.
fn description(p: &IdentityPool) -> Value {
    let mut out = json!(p.config);
    out["IdentityPoolId"] = json!(p.id);
    out
}

pub async fn call(op: &str, ctx: &Ctx, body: Value) -> Result<Value, ApiError> {
    let idp = &ctx.state.idp;
    match op {
        "CreateIdentityPool" => {
            let config: IdentityPoolConfig = input(body)?;
            Ok(description(&idp.create_identity_pool(config).await?))
        }
        "DescribeIdentityPool" => {
            let r: PoolId = input(body)?;
            Ok(description(&idp.identity_pool(&r.identity_pool_id).await?))
        }
        "UpdateIdentityPool" => {
            let tags_given = body.get("IdentityPoolTags").is_some();
            let r: PoolId = input(body.clone())?;
            let mut fields = body;
            if let Some(map) = fields.as_object_mut() {
                map.remove("IdentityPoolId");
            }
            let config: IdentityPoolConfig = input(fields)?;
            let pool = idp
                .update_identity_pool(&r.identity_pool_id, config, tags_given)
                .await?;
            Ok(description(&pool))
        }
        "DeleteIdentityPool" => {
            let r: PoolId = input(body)?;
            idp.delete_identity_pool(&r.identity_pool_id).await?;
            Ok(json!({}))
        }
        "ListIdentityPools" => {
            let r: List = input(body)?;
            let page = idp
                .list_identity_pools(r.max_results, r.next_token.as_deref())
                .await?;
            let pools: Vec<Value> = page
                .items
                .iter()
                .map(|p| {
                    json!({
                        "IdentityPoolId": p.id,
                        "IdentityPoolName": p.config.identity_pool_name,
                    })
                })
                .collect();
            let mut out = json!({ "IdentityPools": pools });
            if let Some(next) = page.next {
                out["NextToken"] = json!(next);
            }
            Ok(out)
        }
        "SetIdentityPoolRoles" => {
            let r: Roles = input(body)?;
            idp.set_identity_pool_roles(&r.identity_pool_id, r.roles, r.role_mappings)
                .await?;
            Ok(json!({}))
        }
        "GetIdentityPoolRoles" => {
            let r: PoolId = input(body)?;
            let pool = idp.identity_pool(&r.identity_pool_id).await?;
            let mut out = json!({ "IdentityPoolId": pool.id, "Roles": pool.roles });
            if !pool.role_mappings.is_empty() {
                out["RoleMappings"] = json!(pool.role_mappings);
            }
            Ok(out)
        }
        "SetPrincipalTagAttributeMap" => {
            let r: TagMap = input(body)?;
            let map = PrincipalTagMap {
                use_defaults: r.use_defaults.unwrap_or(false),
                principal_tags: r.principal_tags,
            };
            let map = idp
                .set_principal_tag_map(&r.identity_pool_id, &r.identity_provider_name, map)
                .await?;
            Ok(json!({
                "IdentityPoolId": r.identity_pool_id,
                "IdentityProviderName": r.identity_provider_name,
                "UseDefaults": map.use_defaults,
                "PrincipalTags": map.principal_tags,
            }))
        }
        "GetPrincipalTagAttributeMap" => {
            let r: GetTagMap = input(body)?;
            let pool = idp.identity_pool(&r.identity_pool_id).await?;
            let map = pool
                .principal_tags
                .get(&r.identity_provider_name)
                .cloned()
                .unwrap_or(PrincipalTagMap {
                    use_defaults: false,
                    principal_tags: BTreeMap::new(),
                });
            Ok(json!({
                "IdentityPoolId": pool.id,
                "IdentityProviderName": r.identity_provider_name,
                "UseDefaults": map.use_defaults,
                "PrincipalTags": map.principal_tags,
            }))
        }
        "TagResource" => {
            let r: Tag = input(body)?;
            idp.tag_identity_pool(&r.resource_arn, r.tags, &[]).await?;
            Ok(json!({}))
        }
        "UntagResource" => {
            let r: Untag = input(body)?;
            idp.tag_identity_pool(&r.resource_arn, BTreeMap::new(), &r.tag_keys)
                .await?;
            Ok(json!({}))
        }
        "ListTagsForResource" => {
            let r: Arn = input(body)?;
            let pool = idp.identity_pool_by_arn(&r.resource_arn).await?;
            Ok(json!({ "Tags": pool.config.identity_pool_tags }))
        }
        _ => Err(ApiError::UnknownOperation(op.to_owned())),
    }
}
