//! Placeholder until this action family lands.

use serde_json::Value;

use crate::api::{ApiError, Ctx};

pub async fn call(action: &str, _ctx: &Ctx, _body: Value) -> Result<Value, ApiError> {
    Err(ApiError::UnknownOperation(action.to_owned()))
}
