//! Remembered devices: ConfirmDevice, GetDevice, ListDevices,
//! UpdateDeviceStatus, ForgetDevice (by the user's access token) and
//! AdminGetDevice, AdminListDevices, AdminUpdateDeviceStatus,
//! AdminForgetDevice. Parses, calls the core's `service::devices`, renders
//! Cognito's DeviceType.

use cognate_core::model::device::Device;
use cognate_core::service::devices::DeviceVerifier;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::api::context::{Ctx, input};
use crate::api::error::ApiError;

/// Who the device belongs to: the access token's user, or a user of a
/// pool named by an administrator.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Owner {
    access_token: Option<String>,
    user_pool_id: Option<String>,
    username: Option<String>,
}

enum Whose<'a> {
    Token(&'a str),
    Admin(&'a str, &'a str),
}

impl Owner {
    fn whose(&self, admin: bool) -> Result<Whose<'_>, ApiError> {
        let missing = |m: &str| {
            ApiError::from(cognate_core::CognitoError::invalid_parameter(format!(
                "1 validation error detected: Value null at '{m}' failed to satisfy constraint: \
                 Member must not be null"
            )))
        };
        if admin {
            let pool = self
                .user_pool_id
                .as_deref()
                .ok_or_else(|| missing("userPoolId"))?;
            let user = self
                .username
                .as_deref()
                .ok_or_else(|| missing("username"))?;
            Ok(Whose::Admin(pool, user))
        } else {
            let token = self
                .access_token
                .as_deref()
                .ok_or_else(|| missing("accessToken"))?;
            Ok(Whose::Token(token))
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Key {
    device_key: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Confirm {
    access_token: String,
    device_key: String,
    device_secret_verifier_config: Option<DeviceVerifier>,
    device_name: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Status {
    device_remembered_status: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Listing {
    limit: Option<i64>,
    pagination_token: Option<String>,
}

/// Cognito API: DeviceType.
fn device_type(d: &Device) -> Value {
    let mut attributes = vec![json!({ "Name": "device_status", "Value": "valid" })];
    if let Some(name) = &d.name {
        attributes.push(json!({ "Name": "device_name", "Value": name }));
    }
    if let Some(status) = d.status {
        attributes
            .push(json!({ "Name": "dev:device_remembered_status", "Value": status.as_str() }));
    }
    json!({
        "DeviceKey": d.device_key,
        "DeviceAttributes": attributes,
        "DeviceCreateDate": d.created,
        "DeviceLastModifiedDate": d.modified,
        "DeviceLastAuthenticatedDate": d.last_authenticated,
    })
}

pub async fn call(action: &str, ctx: &Ctx, body: Value) -> Result<Value, ApiError> {
    let idp = &ctx.state.idp;
    let admin = action.starts_with("Admin");
    match action {
        "ConfirmDevice" => {
            let c: Confirm = input(body)?;
            let necessary = idp
                .confirm_device(
                    &c.access_token,
                    &c.device_key,
                    c.device_secret_verifier_config,
                    c.device_name,
                )
                .await?;
            Ok(json!({ "UserConfirmationNecessary": necessary }))
        }
        "GetDevice" | "AdminGetDevice" => {
            let o: Owner = input(body.clone())?;
            let k: Key = input(body)?;
            let device = match o.whose(admin)? {
                Whose::Token(t) => idp.get_device(t, &k.device_key).await?,
                Whose::Admin(p, u) => idp.admin_get_device(p, u, &k.device_key).await?,
            };
            Ok(json!({ "Device": device_type(&device) }))
        }
        "ListDevices" | "AdminListDevices" => {
            let o: Owner = input(body.clone())?;
            let l: Listing = input(body)?;
            let token = l.pagination_token.as_deref();
            let (devices, next) = match o.whose(admin)? {
                Whose::Token(t) => idp.list_devices(t, l.limit, token).await?,
                Whose::Admin(p, u) => idp.admin_list_devices(p, u, l.limit, token).await?,
            };
            let mut out = json!({ "Devices": devices.iter().map(device_type).collect::<Vec<_>>() });
            if let (Some(n), Some(obj)) = (next, out.as_object_mut()) {
                obj.insert("PaginationToken".into(), Value::String(n));
            }
            Ok(out)
        }
        "UpdateDeviceStatus" | "AdminUpdateDeviceStatus" => {
            let o: Owner = input(body.clone())?;
            let k: Key = input(body.clone())?;
            let s: Status = input(body)?;
            let status = s.device_remembered_status.as_deref();
            match o.whose(admin)? {
                Whose::Token(t) => idp.update_device_status(t, &k.device_key, status).await?,
                Whose::Admin(p, u) => {
                    idp.admin_update_device_status(p, u, &k.device_key, status)
                        .await?
                }
            }
            Ok(json!({}))
        }
        "ForgetDevice" | "AdminForgetDevice" => {
            let o: Owner = input(body.clone())?;
            let k: Key = input(body)?;
            match o.whose(admin)? {
                Whose::Token(t) => idp.forget_device(t, &k.device_key).await?,
                Whose::Admin(p, u) => idp.admin_forget_device(p, u, &k.device_key).await?,
            }
            Ok(json!({}))
        }
        other => Err(ApiError::UnknownOperation(other.to_owned())),
    }
}
