//! What every action handler gets: its context (the state, the caller) and
//! its input parsed as the AWS JSON protocol reads it. A leaf of `api/`:
//! the action families use it, and it uses none of them.

use axum::http::{HeaderMap, header};
use cognate_core::service::user_sessions::Requester;
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
    /// The caller's User-Agent header.
    pub user_agent: Option<String>,
}

impl Ctx {
    /// The caller, as a token session records it.
    pub fn requester(&self) -> Requester {
        Requester {
            ip: self.source_ip,
            user_agent: self.user_agent.clone(),
        }
    }
}

/// The User-Agent of a request, if it is readable text (Cognito API:
/// SessionDescriptionType, DeviceType), cut to a sane length: it is stored.
pub fn user_agent(headers: &HeaderMap) -> Option<String> {
    let ua = headers.get(header::USER_AGENT)?.to_str().ok()?;
    Some(ua.chars().take(512).collect())
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
