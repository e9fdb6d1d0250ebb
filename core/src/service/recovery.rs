//! ForgotPassword, ConfirmForgotPassword and AdminResetUserPassword: a
//! code to a verified email or phone number, then a new password.

use std::collections::BTreeMap;

use serde_json::json;
use tokio::time::Instant;

use super::Idp;
use super::auth::Metadata;
use super::client_secret::check_secret_hash;
use super::codes::{
    CodeDeliveryDetails, CodePurpose, channel_of, recovery_target, validate_code_input,
};
use super::messages::{Purpose, verification_text};
use super::pacing::Step;
use super::signup::no_such_user;
use super::triggers::{Invocation, Trigger, metadata, user_attributes};
use super::user_migration::{Migrated, not_migrated};
use crate::crypto::SecretString;
use crate::error::{CognitoError, Result};
use crate::model::{User, UserPool, UserPoolClient, UserStatus};

/// Cognito API: ForgotPassword, Errors — no verified way to reach the user.
pub(crate) fn no_recovery_channel() -> CognitoError {
    CognitoError::invalid_parameter(
        "Cannot reset password for the user as there is no registered/verified email or phone_number",
    )
}

impl Idp {
    /// Issues a reset code to the user's recovery channel and sends it;
    /// `status`, when given, is set in the same write. Nothing is written
    /// when the message cannot be sent. `client` and `metadata` go to
    /// CustomMessage.
    async fn send_reset_code(
        &self,
        pool: &UserPool,
        user: &User,
        status: Option<UserStatus>,
        client: Option<&UserPoolClient>,
        metadata: &Metadata,
    ) -> Result<CodeDeliveryDetails> {
        let (_guard, original) = self.lock_user(pool, user).await?;
        let Some((attribute, destination)) = recovery_target(pool, &original) else {
            return Err(no_recovery_channel());
        };
        let mut user = original.clone();
        let code = self.issue_code(
            pool,
            &mut user,
            CodePurpose::PasswordReset,
            Some(attribute),
            None,
        );
        if let Some(status) = status {
            user.status = status;
            // An administrator's reset ends the user's sessions.
            self.end_sessions(&mut user);
        }
        self.store.update_user(pool, &user).await?;
        let channel = channel_of(attribute);
        let text = verification_text(pool, channel, code.expose());
        let purpose = Purpose {
            client_id: client.map(|c| c.client_id.as_str()),
            metadata,
            ..Purpose::new("CustomMessage_ForgotPassword", code.expose())
        };
        if let Err(e) = self
            .deliver(pool, &user, channel, &destination, text, purpose)
            .await
        {
            self.store.update_user(pool, &original).await?;
            return Err(e);
        }
        Ok(CodeDeliveryDetails::new(attribute, &destination))
    }

    /// ForgotPassword. A name that matches no user goes to the pool's
    /// UserMigration function first, if it has one, with the caller's
    /// ClientMetadata.
    #[tracing::instrument(skip_all, fields(client_id = %client_id))]
    pub async fn forgot_password(
        &self,
        client_id: &str,
        secret_hash: Option<&str>,
        username: &str,
        client_metadata: &BTreeMap<String, String>,
    ) -> Result<CodeDeliveryDetails> {
        let started = Instant::now();
        let (pool, client) = self.client_by_id(client_id).await?;
        let user = self.find_user_by_name(&pool, username).await?;
        check_secret_hash(&client, username, user.as_ref(), secret_hash)?;
        let Some(user) = user else {
            let unknown = match self
                .migrate_on_forgot_password(&pool, &client, username, client_metadata)
                .await?
            {
                Migrated::User(user) => {
                    // Developer guide, "Importing users with a user migration
                    // Lambda trigger": the migrated user gets the reset code.
                    let sent = self
                        .send_reset_code(&pool, &user, None, Some(&client), client_metadata)
                        .await;
                    if sent.is_err() {
                        self.store.delete_user(&pool.id, user.sub).await?;
                    }
                    return sent;
                }
                Migrated::Unknown => not_migrated(&client),
                Migrated::NotConfigured => no_such_user(),
            };
            // Cognito developer guide, "Managing user existence error
            // responses": a simulated delivery, and nothing is sent.
            if client.prevents_user_existence_errors() {
                self.issue_ghost_code(&pool, username, CodePurpose::PasswordReset)
                    .await?;
                self.pacing.pad(Step::CodeSent, started).await;
                return Ok(self.simulated_delivery(&pool, username));
            }
            return Err(unknown);
        };
        if !user.enabled {
            return Err(CognitoError::NotAuthorized("User is disabled.".into()));
        }
        if user.status == UserStatus::ForceChangePassword {
            // An invited user signs in with the temporary password instead.
            return Err(CognitoError::NotAuthorized(
                "User password cannot be reset in the current state.".into(),
            ));
        }
        let sent = self
            .send_reset_code(&pool, &user, None, Some(&client), client_metadata)
            .await;
        self.pacing.record(Step::CodeSent, started);
        sent
    }

    /// ConfirmForgotPassword: the reset code and a new password. A user in
    /// RESET_REQUIRED becomes CONFIRMED.
    #[tracing::instrument(skip_all, fields(client_id = %client_id))]
    pub async fn confirm_forgot_password(
        &self,
        client_id: &str,
        secret_hash: Option<&str>,
        username: &str,
        code: &str,
        password: &SecretString,
        client_metadata: &BTreeMap<String, String>,
    ) -> Result<()> {
        let started = Instant::now();
        let (pool, client) = self.client_by_id(client_id).await?;
        let user = self.find_user_by_name(&pool, username).await?;
        check_secret_hash(&client, username, user.as_ref(), secret_hash)?;
        validate_code_input(code)?;
        let hide = client.prevents_user_existence_errors();
        let Some(user) = user else {
            if hide {
                let refused = self
                    .refuse_ghost_code(&pool, username, CodePurpose::PasswordReset)
                    .await;
                self.pacing.pad(Step::CodeRefused, started).await;
                return Err(refused);
            }
            return Err(no_such_user());
        };
        // The code is checked before anything about the user or the new
        // password is told: a wrong code answers as for an unknown name.
        let (_guard, mut user) = self.lock_user(&pool, &user).await?;
        let checked = self
            .check_code(&pool, &mut user, CodePurpose::PasswordReset, code, hide)
            .await;
        if matches!(checked, Err(CognitoError::CodeMismatch(_))) {
            self.pacing.record(Step::CodeRefused, started);
        }
        checked?;
        // A password the policy refuses spends no code: `user` is not
        // written, so the code stays.
        self.set_password(&pool, &mut user, password, false).await?;
        if user.status == UserStatus::ResetRequired {
            user.status = UserStatus::Confirmed;
        }
        self.store.update_user(&pool, &user).await?;
        drop(_guard);
        // Developer guide, "Post confirmation Lambda trigger": also after a
        // forgotten password is reset; the new password stands when it fails.
        let call = Invocation {
            trigger: Trigger::PostConfirmation,
            source: "PostConfirmation_ConfirmForgotPassword",
            user_name: &user.username,
            client_id: Some(&client.client_id),
            request: json!({
                "userAttributes": user_attributes(&user),
                "clientMetadata": metadata(client_metadata),
            }),
            response: json!({}),
        };
        self.run_trigger(&pool, call).await?;
        Ok(())
    }

    /// AdminResetUserPassword: RESET_REQUIRED, and a reset code to the
    /// user's verified email or phone number.
    #[tracing::instrument(skip_all, fields(pool = %pool_id))]
    pub async fn admin_reset_user_password(
        &self,
        pool_id: &str,
        username: &str,
        metadata: &Metadata,
    ) -> Result<()> {
        let pool = self.pool(pool_id).await?;
        let user = self.admin_find_user(&pool, username).await?;
        self.send_reset_code(
            &pool,
            &user,
            Some(UserStatus::ResetRequired),
            None,
            metadata,
        )
        .await
        .map(|_| ())
    }
}
