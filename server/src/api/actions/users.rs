//! Administering users: AdminCreateUser, AdminGetUser, AdminDeleteUser,
//! AdminUpdateUserAttributes, AdminDeleteUserAttributes, AdminSetUserPassword,
//! AdminEnableUser, AdminDisableUser, AdminConfirmSignUp,
//! AdminResetUserPassword, AdminUserGlobalSignOut, ListUsers.

use cognate_core::model::User;
use serde_json::{Value, json};

use crate::api::{ApiError, Ctx};

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

pub async fn call(action: &str, _ctx: &Ctx, _body: Value) -> Result<Value, ApiError> {
    Err(ApiError::UnknownOperation(action.to_owned()))
}
