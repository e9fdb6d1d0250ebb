//! Session configuration (Cognito API: SetUserPoolSessionConfiguration,
//! SetUserPoolClientSessionConfiguration): whether a pool tracks its users'
//! sessions and how many token sessions each may hold, and how long an app
//! client silently reuses a hosted-UI (SSO) session.

use serde::{Deserialize, Serialize};

use crate::error::{CognitoError, Result};

/// Cognito API: UserSessionTrackingType.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum UserSessionTracking {
    Enabled,
    #[default]
    Disabled,
}

/// Cognito API: UserPoolTokenSessionConfigType.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TokenSessionConfig {
    pub max_per_user: i64,
}

/// The pool's session configuration; Cognito's defaults until
/// SetUserPoolSessionConfiguration is called.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PoolSessionConfig {
    pub user_session_tracking: UserSessionTracking,
    pub token_session: TokenSessionConfig,
}

impl Default for PoolSessionConfig {
    /// Cognito API: GetUserPoolSessionConfiguration — DISABLED, 20.
    fn default() -> Self {
        Self {
            user_session_tracking: UserSessionTracking::Disabled,
            token_session: TokenSessionConfig { max_per_user: 20 },
        }
    }
}

impl PoolSessionConfig {
    pub fn tracking(&self) -> bool {
        self.user_session_tracking == UserSessionTracking::Enabled
    }

    /// Cognito API: MaxSessionsPerUserType, 1 to 100.
    pub fn validate(&self) -> Result<()> {
        let n = self.token_session.max_per_user;
        if !(1..=100).contains(&n) {
            return Err(CognitoError::invalid_parameter(format!(
                "1 validation error detected: Value '{n}' at 'tokenSession.maxPerUser' failed to \
                 satisfy constraint: Member must have value between 1 and 100"
            )));
        }
        Ok(())
    }
}

/// Cognito API: RevokeAssociatedSessionsType (RevokeToken,
/// RevokeUserSession, AdminRevokeUserSession).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum RevokeAssociatedSessions {
    #[default]
    None,
    Linked,
}

impl RevokeAssociatedSessions {
    pub fn linked(self) -> bool {
        self == Self::Linked
    }
}

/// Cognito API: ClientSSOSessionConfigType.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ClientSsoSessionConfig {
    pub max_validity_minutes: i64,
}

impl Default for ClientSsoSessionConfig {
    /// Cognito API: GetUserPoolClientSessionConfiguration — 60 minutes.
    fn default() -> Self {
        Self {
            max_validity_minutes: 60,
        }
    }
}

impl ClientSsoSessionConfig {
    /// Cognito API: SSOSessionMaxValidityMinutesType, 0 to 129600 (90 days).
    pub fn validate(&self) -> Result<()> {
        let n = self.max_validity_minutes;
        if !(0..=129_600).contains(&n) {
            return Err(CognitoError::invalid_parameter(format!(
                "1 validation error detected: Value '{n}' at 'sSOSession.maxValidityMinutes' \
                 failed to satisfy constraint: Member must have value between 0 and 129600"
            )));
        }
        Ok(())
    }
}
