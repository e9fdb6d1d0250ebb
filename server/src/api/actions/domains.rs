//! CreateUserPoolDomain, DescribeUserPoolDomain, UpdateUserPoolDomain,
//! DeleteUserPoolDomain.

use cognate_core::ids::ACCOUNT_ID;
use cognate_core::model::domain::{CustomDomainConfig, DomainKind, UserPoolDomain};
use cognate_core::service::Idp;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::api::context::{Ctx, input};
use crate::api::error::ApiError;

/// CreateUserPoolDomain and UpdateUserPoolDomain take the same members.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DomainInput {
    user_pool_id: String,
    domain: String,
    custom_domain_config: Option<CustomDomainConfig>,
    managed_login_version: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Describe {
    domain: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Delete {
    user_pool_id: String,
    domain: String,
}

/// Cognito API: CreateUserPoolDomain and UpdateUserPoolDomain, Response —
/// CloudFrontDomain for a custom domain only.
fn written(idp: &Idp, d: &UserPoolDomain) -> Value {
    let mut out = Map::new();
    out.insert("ManagedLoginVersion".into(), json!(d.managed_login_version));
    if d.kind == DomainKind::Custom {
        out.insert("CloudFrontDomain".into(), json!(idp.cloudfront_domain()));
    }
    Value::Object(out)
}

/// Cognito API: DomainDescriptionType.
fn description(idp: &Idp, d: &UserPoolDomain) -> Value {
    let mut out = json!({
        "UserPoolId": d.pool_id,
        "AWSAccountId": ACCOUNT_ID,
        "Domain": d.domain,
        "Status": "ACTIVE",
        "ManagedLoginVersion": d.managed_login_version,
    });
    if let Some(c) = &d.custom_domain_config {
        out["CustomDomainConfig"] = json!(c);
        out["CloudFrontDistribution"] = json!(idp.cloudfront_domain());
    }
    out
}

pub async fn call(action: &str, ctx: &Ctx, body: Value) -> Result<Value, ApiError> {
    let idp = &ctx.state.idp;
    match action {
        "CreateUserPoolDomain" => {
            let d: DomainInput = input(body)?;
            let domain = idp
                .create_user_pool_domain(
                    &d.user_pool_id,
                    &d.domain,
                    d.custom_domain_config,
                    d.managed_login_version,
                )
                .await?;
            Ok(written(idp, &domain))
        }
        "DescribeUserPoolDomain" => {
            let d: Describe = input(body)?;
            // Cognito answers an unknown domain with an empty description.
            let found = idp.describe_user_pool_domain(&d.domain).await?;
            let description = found.map_or_else(|| json!({}), |d| description(idp, &d));
            Ok(json!({ "DomainDescription": description }))
        }
        "UpdateUserPoolDomain" => {
            let d: DomainInput = input(body)?;
            let domain = idp
                .update_user_pool_domain(
                    &d.user_pool_id,
                    &d.domain,
                    d.custom_domain_config,
                    d.managed_login_version,
                )
                .await?;
            Ok(written(idp, &domain))
        }
        "DeleteUserPoolDomain" => {
            let d: Delete = input(body)?;
            idp.delete_user_pool_domain(&d.user_pool_id, &d.domain)
                .await?;
            Ok(json!({}))
        }
        other => Err(ApiError::UnknownOperation(other.to_owned())),
    }
}
