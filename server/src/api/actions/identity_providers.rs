//! Federation: CreateIdentityProvider, DescribeIdentityProvider,
//! UpdateIdentityProvider, DeleteIdentityProvider, ListIdentityProviders,
//! GetIdentityProviderByIdentifier, AdminLinkProviderForUser,
//! AdminDisableProviderForUser, GetSigningCertificate.

use std::collections::BTreeMap;

use cognate_core::CognitoError;
use cognate_core::model::identity_provider::{ProviderInput, ProviderType};
use cognate_core::service::identity_providers::ProviderUserIdentifier;
use serde::Deserialize;
use serde_json::{Value, json};

use super::pools::with_token;
use crate::api::context::{Ctx, input};
use crate::api::error::ApiError;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Create {
    user_pool_id: String,
    provider_name: String,
    provider_type: String,
    provider_details: BTreeMap<String, String>,
    #[serde(default)]
    attribute_mapping: BTreeMap<String, String>,
    #[serde(default)]
    idp_identifiers: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Update {
    user_pool_id: String,
    provider_name: String,
    provider_details: Option<BTreeMap<String, String>>,
    attribute_mapping: Option<BTreeMap<String, String>>,
    idp_identifiers: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ProviderRef {
    user_pool_id: String,
    provider_name: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ByIdentifier {
    user_pool_id: String,
    idp_identifier: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct List {
    user_pool_id: String,
    max_results: Option<i64>,
    next_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Link {
    user_pool_id: String,
    destination_user: ProviderUserIdentifier,
    source_user: ProviderUserIdentifier,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PoolRef {
    user_pool_id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Disable {
    user_pool_id: String,
    user: ProviderUserIdentifier,
}

/// Cognito API: IdentityProviderTypeType — one of its six values.
fn provider_type(t: &str) -> Result<ProviderType, CognitoError> {
    ProviderType::parse(t).ok_or_else(|| {
        CognitoError::invalid_parameter(format!(
            "1 validation error detected: Value '{t}' at 'providerType' failed to satisfy \
             constraint: Member must satisfy enum value set: \
             [SAML, Google, LoginWithAmazon, Facebook, SignInWithApple, OIDC]"
        ))
    })
}

pub async fn call(action: &str, ctx: &Ctx, body: Value) -> Result<Value, ApiError> {
    let idp = &ctx.state.idp;
    match action {
        "CreateIdentityProvider" => {
            let c: Create = input(body)?;
            let provider = ProviderInput {
                provider_type: provider_type(&c.provider_type)?,
                provider_details: c.provider_details,
                attribute_mapping: c.attribute_mapping,
                idp_identifiers: c.idp_identifiers,
            };
            let created = idp
                .create_identity_provider(&c.user_pool_id, &c.provider_name, provider)
                .await?;
            Ok(json!({ "IdentityProvider": created }))
        }
        "DescribeIdentityProvider" => {
            let r: ProviderRef = input(body)?;
            let found = idp
                .describe_identity_provider(&r.user_pool_id, &r.provider_name)
                .await?;
            Ok(json!({ "IdentityProvider": found }))
        }
        "UpdateIdentityProvider" => {
            let u: Update = input(body)?;
            let updated = idp
                .update_identity_provider(
                    &u.user_pool_id,
                    &u.provider_name,
                    u.provider_details,
                    u.attribute_mapping,
                    u.idp_identifiers,
                )
                .await?;
            Ok(json!({ "IdentityProvider": updated }))
        }
        "DeleteIdentityProvider" => {
            let r: ProviderRef = input(body)?;
            idp.delete_identity_provider(&r.user_pool_id, &r.provider_name)
                .await?;
            Ok(json!({}))
        }
        "ListIdentityProviders" => {
            let l: List = input(body)?;
            let page = idp
                .list_identity_providers(&l.user_pool_id, l.max_results, l.next_token.as_deref())
                .await?;
            // Cognito API: ProviderDescription — no details, no mapping.
            let providers: Vec<Value> = page
                .items
                .iter()
                .map(|p| {
                    json!({
                        "ProviderName": p.provider_name,
                        "ProviderType": p.provider_type,
                        "LastModifiedDate": p.last_modified_date,
                        "CreationDate": p.creation_date,
                    })
                })
                .collect();
            Ok(with_token(
                json!({ "Providers": providers }),
                "NextToken",
                page.next,
            ))
        }
        "GetIdentityProviderByIdentifier" => {
            let r: ByIdentifier = input(body)?;
            let found = idp
                .get_identity_provider_by_identifier(&r.user_pool_id, &r.idp_identifier)
                .await?;
            Ok(json!({ "IdentityProvider": found }))
        }
        "AdminLinkProviderForUser" => {
            let l: Link = input(body)?;
            idp.admin_link_provider_for_user(&l.user_pool_id, &l.destination_user, &l.source_user)
                .await?;
            Ok(json!({}))
        }
        "AdminDisableProviderForUser" => {
            let d: Disable = input(body)?;
            idp.admin_disable_provider_for_user(&d.user_pool_id, &d.user)
                .await?;
            Ok(json!({}))
        }
        "GetSigningCertificate" => {
            let r: PoolRef = input(body)?;
            let certificate = idp.get_signing_certificate(&r.user_pool_id).await?;
            Ok(json!({ "Certificate": certificate }))
        }
        other => Err(ApiError::UnknownOperation(other.to_owned())),
    }
}
