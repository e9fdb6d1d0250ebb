//! Administering users: AdminCreateUser, AdminGetUser, AdminDeleteUser,
//! AdminUpdateUserAttributes, AdminDeleteUserAttributes, AdminSetUserPassword,
//! AdminEnableUser, AdminDisableUser, AdminConfirmSignUp,
//! AdminResetUserPassword, ListUsers. (AdminUserGlobalSignOut is in auth.rs.)

use cognate_core::crypto::SecretString;
use cognate_core::model::{AttributeType, User};
use cognate_core::service::admin_users::{AdminCreateUserRequest, MessageAction};
use cognate_core::service::mfa::legacy_mfa_options;
use cognate_core::store::outbox::Channel;
use serde::Deserialize;
use serde_json::{Value, json};

use super::pools::with_token;
use crate::api::context::{Ctx, input};
use crate::api::error::ApiError;

/// Cognito's UserType.
pub fn user_type(user: &User) -> Value {
    json!({
        "Username": user.username,
        "Attributes": user.attributes_with_sub(),
        "UserCreateDate": user.created,
        "UserLastModifiedDate": user.modified,
        "Enabled": user.enabled,
        "UserStatus": user.status.as_str(),
    })
}

/// UserType with only the attributes named (ListUsers, AttributesToGet).
fn user_type_with(user: &User, names: Option<&[String]>) -> Value {
    let mut value = user_type(user);
    if let (Some(names), Some(attrs)) = (names, value.get_mut("Attributes"))
        && let Some(list) = attrs.as_array_mut()
    {
        list.retain(|a| {
            a.get("Name")
                .and_then(Value::as_str)
                .is_some_and(|n| names.iter().any(|w| w == n))
        });
    }
    value
}

/// The members every action here names a user with.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct UserRef {
    pub(crate) user_pool_id: String,
    pub(crate) username: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreateUser {
    user_pool_id: String,
    username: String,
    #[serde(default)]
    user_attributes: Vec<AttributeType>,
    temporary_password: Option<String>,
    #[serde(default)]
    force_alias_creation: bool,
    message_action: Option<String>,
    #[serde(default)]
    desired_delivery_mediums: Vec<String>,
    validation_data: Option<Vec<AttributeType>>,
    #[serde(default)]
    client_metadata: std::collections::BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct WithMetadata {
    #[serde(default)]
    client_metadata: std::collections::BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UpdateAttributes {
    user_pool_id: String,
    username: String,
    user_attributes: Vec<AttributeType>,
    #[serde(default)]
    client_metadata: std::collections::BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DeleteAttributes {
    user_pool_id: String,
    username: String,
    user_attribute_names: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SetPassword {
    user_pool_id: String,
    username: String,
    password: String,
    #[serde(default)]
    permanent: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListUsers {
    user_pool_id: String,
    attributes_to_get: Option<Vec<String>>,
    limit: Option<i64>,
    pagination_token: Option<String>,
    filter: Option<String>,
}

fn channel(medium: &str) -> Result<Channel, ApiError> {
    Channel::parse(medium).ok_or_else(|| {
        cognate_core::CognitoError::invalid_parameter(format!(
            "1 validation error detected: Value '[{medium}]' at 'desiredDeliveryMediums' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [SMS, EMAIL]]"
        ))
        .into()
    })
}

/// AdminGetUser's answer: UserType's members under GetUser's names.
fn admin_get_user_response(user: &User) -> Value {
    let mut out = json!({
        "Username": user.username,
        "UserAttributes": user.attributes_with_sub(),
        "UserCreateDate": user.created,
        "UserLastModifiedDate": user.modified,
        "Enabled": user.enabled,
        "UserStatus": user.status.as_str(),
    });
    if let Some(obj) = out.as_object_mut() {
        if let Some(p) = &user.settings.preferred_mfa {
            obj.insert("PreferredMfaSetting".into(), json!(p));
        }
        if !user.settings.enabled_mfa.is_empty() {
            obj.insert(
                "UserMFASettingList".into(),
                json!(user.settings.enabled_mfa),
            );
        }
        if let Some(options) = legacy_mfa_options(&user.settings.enabled_mfa) {
            obj.insert("MFAOptions".into(), json!(options));
        }
    }
    out
}

pub async fn call(action: &str, ctx: &Ctx, body: Value) -> Result<Value, ApiError> {
    let idp = &ctx.state.idp;
    match action {
        "AdminCreateUser" => {
            let c: CreateUser = input(body)?;
            let request = AdminCreateUserRequest {
                pool_id: c.user_pool_id,
                username: c.username,
                user_attributes: c.user_attributes,
                temporary_password: c.temporary_password.map(SecretString::new),
                force_alias_creation: c.force_alias_creation,
                message_action: c
                    .message_action
                    .as_deref()
                    .map(MessageAction::parse)
                    .transpose()?,
                desired_delivery_mediums: c
                    .desired_delivery_mediums
                    .iter()
                    .map(|m| channel(m))
                    .collect::<Result<_, _>>()?,
                validation_data: c.validation_data,
                client_metadata: c.client_metadata,
            };
            let user = idp.admin_create_user(request).await?;
            Ok(json!({ "User": user_type(&user) }))
        }
        "AdminGetUser" => {
            let u: UserRef = input(body)?;
            let user = idp.admin_get_user(&u.user_pool_id, &u.username).await?;
            Ok(admin_get_user_response(&user))
        }
        "AdminGetUserAuthFactors" => {
            let u: UserRef = input(body)?;
            let f = idp
                .admin_get_user_auth_factors(&u.user_pool_id, &u.username)
                .await?;
            Ok(super::self_service::auth_factors_response(f))
        }
        "AdminDeleteUser" => {
            let u: UserRef = input(body)?;
            idp.admin_delete_user(&u.user_pool_id, &u.username).await?;
            Ok(json!({}))
        }
        "AdminUpdateUserAttributes" => {
            let u: UpdateAttributes = input(body)?;
            idp.admin_update_user_attributes(
                &u.user_pool_id,
                &u.username,
                &u.user_attributes,
                &u.client_metadata,
            )
            .await?;
            Ok(json!({}))
        }
        "AdminDeleteUserAttributes" => {
            let d: DeleteAttributes = input(body)?;
            idp.admin_delete_user_attributes(&d.user_pool_id, &d.username, &d.user_attribute_names)
                .await?;
            Ok(json!({}))
        }
        "AdminSetUserPassword" => {
            let p: SetPassword = input(body)?;
            let password = SecretString::new(p.password);
            idp.admin_set_user_password(&p.user_pool_id, &p.username, &password, p.permanent)
                .await?;
            Ok(json!({}))
        }
        "AdminEnableUser" | "AdminDisableUser" => {
            let u: UserRef = input(body)?;
            idp.admin_set_user_enabled(&u.user_pool_id, &u.username, action == "AdminEnableUser")
                .await?;
            Ok(json!({}))
        }
        "AdminConfirmSignUp" => {
            let u: UserRef = input(body.clone())?;
            let m: WithMetadata = input(body)?;
            idp.admin_confirm_sign_up(&u.user_pool_id, &u.username, &m.client_metadata)
                .await?;
            Ok(json!({}))
        }
        "AdminResetUserPassword" => {
            let u: UserRef = input(body.clone())?;
            let m: WithMetadata = input(body)?;
            idp.admin_reset_user_password(&u.user_pool_id, &u.username, &m.client_metadata)
                .await?;
            Ok(json!({}))
        }
        "ListUsers" => {
            let l: ListUsers = input(body)?;
            // Cognito API: ListUsers, AttributesToGet — null (or empty) is every attribute.
            let names = l.attributes_to_get.filter(|n| !n.is_empty());
            let page = idp
                .list_users(
                    &l.user_pool_id,
                    l.filter.as_deref(),
                    l.limit,
                    l.pagination_token.as_deref(),
                    names.as_deref(),
                )
                .await?;
            let users: Vec<Value> = page
                .items
                .iter()
                .map(|u| user_type_with(u, names.as_deref()))
                .collect();
            Ok(with_token(
                json!({ "Users": users }),
                "PaginationToken",
                page.next,
            ))
        }
        other => Err(ApiError::UnknownOperation(other.to_owned())),
    }
}
