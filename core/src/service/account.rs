//! The signed-in user's own account, authorized by their access token:
//! GetUser, ChangePassword, DeleteUser.

use super::Idp;
use crate::crypto::SecretString;
use crate::error::{CognitoError, Result};
use crate::model::{AttributeType, User, UserPoolClient};

/// What GetUser answers.
#[derive(Clone, Debug)]
pub struct OwnProfile {
    pub username: String,
    /// `sub` first, then what the client may read.
    pub attributes: Vec<AttributeType>,
    pub preferred_mfa: Option<String>,
    pub mfa_settings: Vec<String>,
}

/// What GetUserAuthFactors answers.
#[derive(Clone, Debug)]
pub struct OwnAuthFactors {
    pub username: String,
    pub preferred_mfa: Option<String>,
    pub mfa_settings: Vec<String>,
    /// ConfiguredUserAuthFactors: PASSWORD, EMAIL_OTP, SMS_OTP, WEB_AUTHN.
    pub configured: Vec<&'static str>,
}

/// The attributes a client may read: its ReadAttributes, or all when it
/// lists none; `sub` always (Cognito API: UserPoolClientType, ReadAttributes).
pub fn readable_attributes(client: Option<&UserPoolClient>, user: &User) -> Vec<AttributeType> {
    let list = client.and_then(|c| c.config.read_attributes.as_ref());
    user.attributes_with_sub()
        .into_iter()
        .filter(|a| a.name == "sub" || list.is_none_or(|l| l.iter().any(|n| n == &a.name)))
        .collect()
}

impl Idp {
    /// GetUser.
    pub async fn get_user(&self, access_token: &str) -> Result<OwnProfile> {
        let (pool, user, claims) = self.authenticate_access_token(access_token).await?;
        let client = self.token_client(&pool, &claims).await.ok();
        Ok(OwnProfile {
            attributes: readable_attributes(client.as_ref(), &user),
            username: user.username,
            preferred_mfa: user.settings.preferred_mfa,
            mfa_settings: user.settings.enabled_mfa,
        })
    }

    /// GetUserAuthFactors: GetUser's MFA settings and the first factors the
    /// user can begin USER_AUTH with.
    pub async fn get_user_auth_factors(&self, access_token: &str) -> Result<OwnAuthFactors> {
        let (pool, user, _) = self.authenticate_access_token(access_token).await?;
        Ok(auth_factors(&pool, user))
    }

    /// AdminGetUserAuthFactors: the same, for an administrator.
    pub async fn admin_get_user_auth_factors(
        &self,
        pool_id: &str,
        username: &str,
    ) -> Result<OwnAuthFactors> {
        let pool = self.pool(pool_id).await?;
        let user = self.admin_get_user(pool_id, username).await?;
        Ok(auth_factors(&pool, user))
    }
}

fn auth_factors(pool: &crate::model::UserPool, user: User) -> OwnAuthFactors {
    OwnAuthFactors {
        configured: super::user_auth::configured_auth_factors(pool, &user),
        username: user.username,
        preferred_mfa: user.settings.preferred_mfa,
        mfa_settings: user.settings.enabled_mfa,
    }
}

impl Idp {
    /// ChangePassword: the current password, then one the policy accepts.
    /// A wrong current password is a failed sign-in: it counts toward the
    /// same lockout, and a locked-out user cannot try (see `lockout.rs`).
    pub async fn change_password(
        &self,
        access_token: &str,
        previous: &SecretString,
        proposed: &SecretString,
    ) -> Result<()> {
        let (pool, user, _) = self.authenticate_access_token(access_token).await?;
        self.check_not_locked_out(&user)?;
        if !self
            .password_matches(&pool, Some(&user), &user.username, previous)
            .await?
        {
            self.record_sign_in_failure(&pool, &user).await?;
            // Cognito API: ChangePassword, Errors — NotAuthorizedException.
            return Err(CognitoError::NotAuthorized(
                "Incorrect username or password.".into(),
            ));
        }
        let (_guard, mut user) = self.lock_user(&pool, &user).await?;
        user.settings.lockout = Default::default();
        self.set_password(&pool, &mut user, proposed, false).await?;
        self.store.update_user(&pool, &user).await
    }

    /// DeleteUser: the user deletes their own account.
    pub async fn delete_own_user(&self, access_token: &str) -> Result<()> {
        let (pool, user, _) = self.authenticate_access_token(access_token).await?;
        if !self.store.delete_user(&pool.id, user.sub).await? {
            return Err(CognitoError::UserNotFound("User does not exist.".into()));
        }
        Ok(())
    }
}
