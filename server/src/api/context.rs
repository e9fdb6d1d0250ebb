//! What every action handler gets: its context (the state, the caller) and
//! its input parsed as the AWS JSON protocol reads it. A leaf of `api/`:
//! the action families use it, and it uses none of them.

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::error::ApiError;
use crate::state::AppState;

/// What an action handler gets besides its input.
pub struct Ctx {
    pub state: AppState,
    pub source_ip: Option<std::net::IpAddr>,
    pub request_id: String,
    /// The access key that signed an administrative call.
    pub admin_key: Option<String>,
}

/// Parses an action's input. Missing required members are
/// InvalidParameterException naming the member; wrong JSON types are
/// SerializationException, as the AWS JSON protocol answers.
pub fn input<T: DeserializeOwned>(mut body: Value) -> Result<T, ApiError> {
    drop_nulls(&mut body);
    serde_json::from_value(body).map_err(|e| {
        let msg = e.to_string();
        if let Some(field) = msg.strip_prefix("missing field `").and_then(|r| r.split('`').next()) {
            ApiError::from(cognate_core::CognitoError::invalid_parameter(format!(
                "1 validation error detected: Value null at '{}' failed to satisfy constraint: Member must not be null",
                lower_first(field)
            )))
        } else {
            ApiError::Serialization(format!("Invalid input: {msg}"))
        }
    })
}

/// The AWS JSON protocol reads an explicit `null` member as an absent one.
fn drop_nulls(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(drop_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_nulls),
        _ => {}
    }
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}
