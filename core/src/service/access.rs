//! Whether a user may get tokens now: one decision for every way a
//! sign-in ends in tokens — a password or SRP proof, a challenge answered,
//! a hosted-UI SSO session resumed, an authorization code redeemed — so a
//! disabled, reset or signed-out account is refused the same way on every
//! face (docs/security.md, "One decision for tokens").
//!
//! A user's `session_epoch` counts the events that end their sign-ins:
//! global sign-out, a password set, changed or reset, and disabling. A
//! hosted-UI session and an unredeemed code carry the epoch they began in;
//! once it moved on they are over, on every node, because the epoch lives
//! in the user's row.

use super::Idp;
use crate::clock::Timestamp;
use crate::error::{CognitoError, Result};
use crate::model::{User, UserPool, UserStatus};

/// Cognito's managed-login session lasts one hour.
pub const DEFAULT_SSO_SESSION_SECONDS: i64 = 3600;

/// A hosted-UI (SSO) session: who signed in, when, and in which epoch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SsoGrant {
    pub sub: uuid::Uuid,
    pub auth_time: Timestamp,
    pub epoch: u32,
    /// The SSO session recorded at sign-in (while the pool tracked
    /// sessions); the grant holds only while the record is there.
    pub session_id: Option<String>,
}

fn session_over() -> CognitoError {
    CognitoError::NotAuthorized("The user's session has ended; sign in again.".into())
}

impl Idp {
    /// What the user's state says once their password is proven (Cognito
    /// API: InitiateAuth, Errors).
    pub(crate) fn check_can_sign_in(&self, user: &User) -> Result<()> {
        if !user.enabled {
            return Err(CognitoError::NotAuthorized("User is disabled.".into()));
        }
        match user.status {
            UserStatus::Unconfirmed => Err(CognitoError::UserNotConfirmed(
                "User is not confirmed.".into(),
            )),
            UserStatus::ResetRequired => Err(CognitoError::PasswordResetRequired(
                "Password reset required for the user".into(),
            )),
            // Cognito API: AdminCreateUser — TemporaryPasswordValidityDays.
            UserStatus::ForceChangePassword
                if user.password_expires.is_some_and(|t| self.clock.now() >= t) =>
            {
                Err(CognitoError::NotAuthorized(
                    "Temporary password has expired and must be reset by an administrator.".into(),
                ))
            }
            _ => Ok(()),
        }
    }

    /// Whether tokens may be issued now for a sign-in `user` made in
    /// `epoch`: the user's state allows a sign-in, no new password is
    /// owed, and nothing has ended their sign-ins since.
    pub fn may_get_tokens(&self, user: &User, epoch: u32) -> Result<()> {
        self.check_can_sign_in(user)?;
        if user.status == UserStatus::ForceChangePassword {
            return Err(CognitoError::NotAuthorized(
                "The user must choose a new password.".into(),
            ));
        }
        if user.settings.session_epoch != epoch {
            return Err(session_over());
        }
        Ok(())
    }

    /// Resumes a hosted-UI session: the user, if the session is younger
    /// than its absolute lifetime (`IdpSettings::sso_session_seconds`, not
    /// extended by use) and the user may still get tokens.
    pub async fn resume_sso(&self, pool: &UserPool, sso: &SsoGrant) -> Result<User> {
        let ends = sso
            .auth_time
            .plus_seconds(self.settings.sso_session_seconds);
        if self.clock.now() >= ends {
            return Err(session_over());
        }
        let user = self
            .store
            .get_user_by_sub(&pool.id, sso.sub)
            .await?
            .ok_or_else(session_over)?;
        self.may_get_tokens(&user, sso.epoch)?;
        // Cognito API: RevokeUserSession — a revoked SSO session is over.
        if let Some(id) = &sso.session_id
            && !self
                .store
                .sso_session_exists(&pool.id, user.sub, id)
                .await?
        {
            return Err(session_over());
        }
        Ok(user)
    }

    /// Ends every sign-in of `user` that is not backed by a refresh token:
    /// their hosted-UI sessions and unredeemed codes. The caller writes
    /// the user.
    pub(crate) fn end_sessions(&self, user: &mut User) {
        user.settings.session_epoch = user.settings.session_epoch.wrapping_add(1);
        user.modified = self.clock.now();
    }
}
