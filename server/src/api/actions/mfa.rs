//! MFA: SetUserPoolMfaConfig, GetUserPoolMfaConfig, AssociateSoftwareToken,
//! VerifySoftwareToken, SetUserMFAPreference, AdminSetUserMFAPreference,
//! AdminDeleteSoftwareToken, and the legacy SetUserSettings and
//! AdminSetUserSettings.

use cognate_core::service::mfa::{
    FactorSettings, MfaConfigInput, MfaFactor, MfaOption, TokenHolder,
};
use serde::Deserialize;
use serde_json::{Value, json};

use super::pools::PoolId;
use super::users::UserRef;
use crate::api::context::{Ctx, input};
use crate::api::error::ApiError;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SetPoolConfig {
    user_pool_id: String,
    #[serde(flatten)]
    config: MfaConfigInput,
}

/// An access token or an MFA_SETUP session, not both (Cognito API:
/// AssociateSoftwareToken and VerifySoftwareToken).
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Holder {
    access_token: Option<String>,
    session: Option<String>,
    user_code: Option<String>,
    friendly_device_name: Option<String>,
}

impl Holder {
    fn holder(&self) -> Result<TokenHolder<'_>, ApiError> {
        match (self.access_token.as_deref(), self.session.as_deref()) {
            (Some(t), None) => Ok(TokenHolder::AccessToken(t)),
            (None, Some(s)) => Ok(TokenHolder::Session(s)),
            _ => Err(cognate_core::CognitoError::invalid_parameter(
                "Exactly one of AccessToken and Session is required.",
            )
            .into()),
        }
    }
}

/// SMSMfaSettings, SoftwareTokenMfaSettings and EmailMfaSettings.
#[derive(Deserialize)]
struct Preferences {
    #[serde(rename = "SMSMfaSettings")]
    sms: Option<FactorSettings>,
    #[serde(rename = "SoftwareTokenMfaSettings")]
    software_token: Option<FactorSettings>,
    #[serde(rename = "EmailMfaSettings")]
    email: Option<FactorSettings>,
}

impl Preferences {
    fn list(&self) -> [(MfaFactor, Option<FactorSettings>); 3] {
        [
            (MfaFactor::Sms, self.sms),
            (MfaFactor::SoftwareToken, self.software_token),
            (MfaFactor::Email, self.email),
        ]
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct OwnPreferences {
    access_token: String,
    #[serde(flatten)]
    preferences: Preferences,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AdminPreferences {
    user_pool_id: String,
    username: String,
    #[serde(flatten)]
    preferences: Preferences,
}

/// Cognito API: SetUserSettings and AdminSetUserSettings.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Settings {
    #[serde(rename = "MFAOptions")]
    mfa_options: Vec<MfaOption>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Token {
    access_token: String,
}

pub async fn call(action: &str, ctx: &Ctx, body: Value) -> Result<Value, ApiError> {
    let idp = &ctx.state.idp;
    match action {
        "SetUserPoolMfaConfig" => {
            let s: SetPoolConfig = input(body)?;
            let view = idp.set_pool_mfa_config(&s.user_pool_id, s.config).await?;
            Ok(serde_json::to_value(view).map_err(cognate_core::CognitoError::internal)?)
        }
        "GetUserPoolMfaConfig" => {
            let PoolId { user_pool_id } = input(body)?;
            let view = idp.get_pool_mfa_config(&user_pool_id).await?;
            Ok(serde_json::to_value(view).map_err(cognate_core::CognitoError::internal)?)
        }
        "AssociateSoftwareToken" => {
            let h: Holder = input(body)?;
            let (secret, session) = idp.associate_software_token(h.holder()?).await?;
            let mut out = json!({ "SecretCode": secret });
            if let (Some(s), Some(obj)) = (session, out.as_object_mut()) {
                obj.insert("Session".into(), json!(s));
            }
            Ok(out)
        }
        "VerifySoftwareToken" => {
            let h: Holder = input(body)?;
            let code = h.user_code.clone().ok_or_else(|| {
                cognate_core::CognitoError::invalid_parameter(
                    "1 validation error detected: Value null at 'userCode' failed to satisfy constraint: Member must not be null",
                )
            })?;
            let session = idp
                .verify_software_token(h.holder()?, &code, h.friendly_device_name.clone())
                .await?;
            let mut out = json!({ "Status": "SUCCESS" });
            if let (Some(s), Some(obj)) = (session, out.as_object_mut()) {
                obj.insert("Session".into(), json!(s));
            }
            Ok(out)
        }
        "SetUserMFAPreference" => {
            let p: OwnPreferences = input(body)?;
            let (pool, user, _) = idp.authenticate_access_token(&p.access_token).await?;
            idp.set_user_mfa_preference(&pool, &user, &p.preferences.list())
                .await?;
            Ok(json!({}))
        }
        "AdminSetUserMFAPreference" => {
            let p: AdminPreferences = input(body)?;
            let pool = idp.pool(&p.user_pool_id).await?;
            let user = idp.admin_find_user(&pool, &p.username).await?;
            idp.set_user_mfa_preference(&pool, &user, &p.preferences.list())
                .await?;
            Ok(json!({}))
        }
        "AdminDeleteSoftwareToken" => {
            let u: UserRef = input(body)?;
            idp.admin_delete_software_token(&u.user_pool_id, &u.username)
                .await?;
            Ok(json!({}))
        }
        "SetUserSettings" => {
            let t: Token = input(body.clone())?;
            let s: Settings = input(body)?;
            let (pool, user, _) = idp.authenticate_access_token(&t.access_token).await?;
            idp.set_user_settings(&pool, &user, &s.mfa_options).await?;
            Ok(json!({}))
        }
        "AdminSetUserSettings" => {
            let u: UserRef = input(body.clone())?;
            let s: Settings = input(body)?;
            let pool = idp.pool(&u.user_pool_id).await?;
            let user = idp.admin_find_user(&pool, &u.username).await?;
            idp.set_user_settings(&pool, &user, &s.mfa_options).await?;
            Ok(json!({}))
        }
        other => Err(ApiError::UnknownOperation(other.to_owned())),
    }
}
