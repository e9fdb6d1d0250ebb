//! Self-service, callable without AWS credentials as in Cognito: SignUp,
//! ConfirmSignUp, ResendConfirmationCode, ForgotPassword,
//! ConfirmForgotPassword, and — authorized by the user's access token —
//! ChangePassword, GetUser, UpdateUserAttributes, DeleteUserAttributes,
//! DeleteUser, GetUserAttributeVerificationCode, VerifyUserAttribute.

use std::collections::BTreeMap;

use cognate_core::crypto::SecretString;
use cognate_core::model::AttributeType;
use cognate_core::service::mfa::legacy_mfa_options;
use cognate_core::service::signup::SignUpRequest;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::api::context::{Ctx, input};
use crate::api::error::ApiError;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SignUp {
    client_id: String,
    secret_hash: Option<String>,
    username: String,
    password: String,
    #[serde(default)]
    user_attributes: Vec<AttributeType>,
    validation_data: Option<Vec<AttributeType>>,
    #[serde(default)]
    client_metadata: BTreeMap<String, String>,
}

/// ClientMetadata, for the triggers of the actions that take it.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Metadata {
    #[serde(default)]
    client_metadata: BTreeMap<String, String>,
}

/// ConfirmSignUp, ResendConfirmationCode, ForgotPassword,
/// ConfirmForgotPassword: a client and a user by name.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ClientUser {
    client_id: String,
    secret_hash: Option<String>,
    username: String,
    #[serde(default)]
    client_metadata: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct WithCode {
    confirmation_code: String,
    #[serde(default)]
    force_alias_creation: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct NewPassword {
    password: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Token {
    access_token: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CompleteRegistration {
    credential: Value,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListPasskeys {
    max_results: Option<i64>,
    next_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PasskeyRef {
    credential_id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ChangePassword {
    previous_password: String,
    proposed_password: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Attributes {
    user_attributes: Vec<AttributeType>,
    #[serde(default)]
    client_metadata: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AttributeNames {
    user_attribute_names: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AttributeName {
    attribute_name: String,
    #[serde(default)]
    client_metadata: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AttributeCode {
    attribute_name: String,
    code: String,
}

pub async fn call(action: &str, ctx: &Ctx, body: Value) -> Result<Value, ApiError> {
    let idp = &ctx.state.idp;
    match action {
        "SignUp" => {
            let s: SignUp = input(body)?;
            let result = idp
                .sign_up(SignUpRequest {
                    client_id: s.client_id,
                    secret_hash: s.secret_hash,
                    username: s.username,
                    password: SecretString::new(s.password),
                    user_attributes: s.user_attributes,
                    validation_data: s.validation_data,
                    client_metadata: s.client_metadata,
                })
                .await?;
            let mut out = json!({
                "UserConfirmed": result.user_confirmed,
                "UserSub": result.user_sub.to_string(),
            });
            if let (Some(d), Some(obj)) = (result.code_delivery, out.as_object_mut()) {
                obj.insert("CodeDeliveryDetails".into(), json!(d));
            }
            Ok(out)
        }
        "ConfirmSignUp" => {
            let u: ClientUser = input(body.clone())?;
            let c: WithCode = input(body.clone())?;
            let m: Metadata = input(body)?;
            idp.confirm_sign_up(
                &u.client_id,
                u.secret_hash.as_deref(),
                &u.username,
                &c.confirmation_code,
                c.force_alias_creation,
                &m.client_metadata,
            )
            .await?;
            Ok(json!({}))
        }
        "ResendConfirmationCode" => {
            let u: ClientUser = input(body)?;
            let details = idp
                .resend_confirmation_code(
                    &u.client_id,
                    u.secret_hash.as_deref(),
                    &u.username,
                    &u.client_metadata,
                )
                .await?;
            Ok(json!({ "CodeDeliveryDetails": details }))
        }
        "ForgotPassword" => {
            let u: ClientUser = input(body)?;
            let details = idp
                .forgot_password(
                    &u.client_id,
                    u.secret_hash.as_deref(),
                    &u.username,
                    &u.client_metadata,
                )
                .await?;
            Ok(json!({ "CodeDeliveryDetails": details }))
        }
        "ConfirmForgotPassword" => {
            let u: ClientUser = input(body.clone())?;
            let c: WithCode = input(body.clone())?;
            let p: NewPassword = input(body.clone())?;
            let m: Metadata = input(body)?;
            idp.confirm_forgot_password(
                &u.client_id,
                u.secret_hash.as_deref(),
                &u.username,
                &c.confirmation_code,
                &SecretString::new(p.password),
                &m.client_metadata,
            )
            .await?;
            Ok(json!({}))
        }
        "ChangePassword" => {
            let t: Token = input(body.clone())?;
            let p: ChangePassword = input(body)?;
            idp.change_password(
                &t.access_token,
                &SecretString::new(p.previous_password),
                &SecretString::new(p.proposed_password),
            )
            .await?;
            Ok(json!({}))
        }
        "GetUser" => {
            let t: Token = input(body)?;
            let profile = idp.get_user(&t.access_token).await?;
            let mut out = json!({
                "Username": profile.username,
                "UserAttributes": profile.attributes,
            });
            if let Some(obj) = out.as_object_mut() {
                if let Some(p) = profile.preferred_mfa {
                    obj.insert("PreferredMfaSetting".into(), json!(p));
                }
                if let Some(options) = legacy_mfa_options(&profile.mfa_settings) {
                    obj.insert("MFAOptions".into(), json!(options));
                }
                if !profile.mfa_settings.is_empty() {
                    obj.insert("UserMFASettingList".into(), json!(profile.mfa_settings));
                }
            }
            Ok(out)
        }
        "GetUserAuthFactors" => {
            let t: Token = input(body)?;
            let f = idp.get_user_auth_factors(&t.access_token).await?;
            Ok(auth_factors_response(f))
        }
        "StartWebAuthnRegistration" => {
            let t: Token = input(body)?;
            let options = idp.start_web_authn_registration(&t.access_token).await?;
            Ok(json!({ "CredentialCreationOptions": options }))
        }
        "CompleteWebAuthnRegistration" => {
            let t: Token = input(body.clone())?;
            let c: CompleteRegistration = input(body)?;
            idp.complete_web_authn_registration(&t.access_token, c.credential)
                .await?;
            Ok(json!({}))
        }
        "ListWebAuthnCredentials" => {
            let t: Token = input(body.clone())?;
            let l: ListPasskeys = input(body)?;
            let (credentials, next) = idp
                .list_web_authn_credentials(&t.access_token, l.max_results, l.next_token.as_deref())
                .await?;
            let mut out = json!({ "Credentials": credentials });
            if let (Some(n), Some(obj)) = (next, out.as_object_mut()) {
                obj.insert("NextToken".into(), json!(n));
            }
            Ok(out)
        }
        "DeleteWebAuthnCredential" => {
            let t: Token = input(body.clone())?;
            let d: PasskeyRef = input(body)?;
            idp.delete_web_authn_credential(&t.access_token, &d.credential_id)
                .await?;
            Ok(json!({}))
        }
        "UpdateUserAttributes" => {
            let t: Token = input(body.clone())?;
            let a: Attributes = input(body)?;
            let details = idp
                .update_user_attributes(&t.access_token, &a.user_attributes, &a.client_metadata)
                .await?;
            Ok(json!({ "CodeDeliveryDetailsList": details }))
        }
        "DeleteUserAttributes" => {
            let t: Token = input(body.clone())?;
            let a: AttributeNames = input(body)?;
            idp.delete_user_attributes(&t.access_token, &a.user_attribute_names)
                .await?;
            Ok(json!({}))
        }
        "DeleteUser" => {
            let t: Token = input(body)?;
            idp.delete_own_user(&t.access_token).await?;
            Ok(json!({}))
        }
        "GetUserAttributeVerificationCode" => {
            let t: Token = input(body.clone())?;
            let a: AttributeName = input(body)?;
            let details = idp
                .get_user_attribute_verification_code(
                    &t.access_token,
                    &a.attribute_name,
                    &a.client_metadata,
                )
                .await?;
            Ok(json!({ "CodeDeliveryDetails": details }))
        }
        "VerifyUserAttribute" => {
            let t: Token = input(body.clone())?;
            let a: AttributeCode = input(body)?;
            idp.verify_user_attribute(&t.access_token, &a.attribute_name, &a.code)
                .await?;
            Ok(json!({}))
        }
        other => Err(ApiError::UnknownOperation(other.to_owned())),
    }
}

/// Cognito API: GetUserAuthFactorsResponse (and AdminGetUserAuthFactors').
pub(crate) fn auth_factors_response(f: cognate_core::service::account::OwnAuthFactors) -> Value {
    let mut out = json!({
        "Username": f.username,
        "ConfiguredUserAuthFactors": f.configured,
    });
    if let Some(obj) = out.as_object_mut() {
        if let Some(p) = f.preferred_mfa {
            obj.insert("PreferredMfaSetting".into(), json!(p));
        }
        if !f.mfa_settings.is_empty() {
            obj.insert("UserMFASettingList".into(), json!(f.mfa_settings));
        }
    }
    out
}
