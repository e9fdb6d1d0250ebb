//! SetUICustomization, GetUICustomization.

use cognate_core::model::ui_customization::{ALL_CLIENTS, Blob, UiCustomization};
use cognate_core::service::Idp;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::api::context::{Ctx, input};
use crate::api::error::ApiError;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Set {
    user_pool_id: String,
    client_id: Option<String>,
    #[serde(rename = "CSS")]
    css: Option<String>,
    /// A blob: base64 on the wire.
    image_file: Option<Blob>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Get {
    user_pool_id: String,
    client_id: Option<String>,
}

/// Cognito API: UICustomizationType (also what `cognate theme` prints).
pub fn customization(idp: &Idp, c: &UiCustomization) -> Value {
    let mut out = json!({
        "UserPoolId": c.pool_id,
        "ClientId": c.client_id.as_deref().unwrap_or(ALL_CLIENTS),
        "CSSVersion": c.css_version,
        "CreationDate": c.created,
        "LastModifiedDate": c.modified,
    });
    if let Some(css) = &c.css {
        out["CSS"] = json!(css);
    }
    if let Some(url) = idp.logo_url(c) {
        out["ImageUrl"] = json!(url);
    }
    out
}

pub async fn call(action: &str, ctx: &Ctx, body: Value) -> Result<Value, ApiError> {
    let idp = &ctx.state.idp;
    match action {
        "SetUICustomization" => {
            let s: Set = input(body)?;
            let c = idp
                .set_ui_customization(
                    &s.user_pool_id,
                    s.client_id.as_deref(),
                    s.css,
                    s.image_file.map(|b| b.0),
                )
                .await?;
            Ok(json!({ "UICustomization": customization(idp, &c) }))
        }
        "GetUICustomization" => {
            let g: Get = input(body)?;
            // Cognito answers an empty object when neither the client nor the
            // pool has a customization.
            let found = idp
                .get_ui_customization(&g.user_pool_id, g.client_id.as_deref())
                .await?;
            let out = found.map_or_else(|| json!({}), |c| customization(idp, &c));
            Ok(json!({ "UICustomization": out }))
        }
        other => Err(ApiError::UnknownOperation(other.to_owned())),
    }
}
