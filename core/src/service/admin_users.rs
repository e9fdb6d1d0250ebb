//! Administering users: AdminCreateUser, AdminGetUser, AdminDeleteUser,
//! AdminSetUserPassword, AdminEnableUser, AdminDisableUser,
//! AdminConfirmSignUp. (Attribute changes are in `attributes.rs`, password
//! resets in `recovery.rs`.)

use rand::Rng;
use rand::seq::SliceRandom;
use serde_json::json;

use super::Idp;
use super::attributes::{WriteTime, Writer, apply_new, check_writes};
use super::codes::CodePurpose;
use super::messages::{Purpose, invitation_text};
use super::signup::resolve_new_username;
use super::triggers::{Invocation, Trigger, attribute_map, metadata, user_attributes};
use crate::crypto::SecretString;
use crate::error::{CognitoError, Result};
use crate::model::pool::{PASSWORD_SYMBOLS, PasswordPolicy};
use crate::model::user::validate_username;
use crate::model::{AttributeType, User, UserPool, UserStatus};
use crate::store::outbox::Channel;

/// AdminCreateUser's MessageAction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageAction {
    /// Send the invitation again to a user that has not signed in yet.
    Resend,
    /// Send nothing.
    Suppress,
}

impl MessageAction {
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "RESEND" => Ok(Self::Resend),
            "SUPPRESS" => Ok(Self::Suppress),
            other => Err(CognitoError::invalid_parameter(format!(
                "1 validation error detected: Value '{other}' at 'messageAction' failed to satisfy constraint: Member must satisfy enum value set: [RESEND, SUPPRESS]"
            ))),
        }
    }
}

/// What AdminCreateUser takes.
#[derive(Clone, Debug, Default)]
pub struct AdminCreateUserRequest {
    pub pool_id: String,
    pub username: String,
    pub user_attributes: Vec<AttributeType>,
    pub temporary_password: Option<SecretString>,
    pub force_alias_creation: bool,
    pub message_action: Option<MessageAction>,
    /// Empty means Cognito's default, SMS.
    pub desired_delivery_mediums: Vec<Channel>,
    /// For the PreSignUp trigger only; never stored.
    pub validation_data: Option<Vec<AttributeType>>,
    /// For the triggers only; never stored.
    pub client_metadata: std::collections::BTreeMap<String, String>,
}

/// A temporary password the policy accepts: at least 12 characters, one of
/// each class, from the CSPRNG (`rand`'s thread RNG is ChaCha seeded by
/// the OS).
pub fn generate_temporary_password(policy: &PasswordPolicy) -> SecretString {
    const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    const LOWER: &[u8] = b"abcdefghijkmnopqrstuvwxyz";
    const DIGITS: &[u8] = b"23456789";
    const SYMBOLS: &[u8] = b"!#%&*+-=?@^_";
    debug_assert!(
        SYMBOLS
            .iter()
            .all(|c| PASSWORD_SYMBOLS.contains(*c as char))
    );
    let mut rng = rand::rng();
    let mut pick = |set: &[u8]| set[rng.random_range(0..set.len())] as char;
    let mut chars = vec![pick(UPPER), pick(LOWER), pick(DIGITS), pick(SYMBOLS)];
    let len = (policy.minimum_length.max(12) as usize).min(99);
    let all: Vec<u8> = [UPPER, LOWER, DIGITS, SYMBOLS].concat();
    while chars.len() < len {
        chars.push(pick(&all));
    }
    chars.shuffle(&mut rand::rng());
    SecretString::new(chars.into_iter().collect::<String>())
}

/// Where an invitation goes: each desired medium the user has an address
/// for; when they have none of those, the address they do have (email
/// first), so an invitation is not silently lost.
fn invitation_targets(user: &User, desired: &[Channel]) -> Vec<(Channel, String)> {
    let address = |c: Channel| {
        let name = match c {
            Channel::Email => "email",
            Channel::Sms => "phone_number",
        };
        user.attribute(name).map(|v| (c, v.to_owned()))
    };
    let desired = if desired.is_empty() {
        &[Channel::Sms][..]
    } else {
        desired
    };
    let mut out: Vec<(Channel, String)> = Vec::new();
    for c in desired {
        if let Some(t) = address(*c)
            && !out.iter().any(|(o, _)| o == c)
        {
            out.push(t);
        }
    }
    if out.is_empty() {
        out.extend(address(Channel::Email).or_else(|| address(Channel::Sms)));
    }
    out
}

impl Idp {
    /// AdminCreateUser: a FORCE_CHANGE_PASSWORD user with a temporary
    /// password, invited by email or SMS unless suppressed; with RESEND, a
    /// new temporary password for an invited user who has not signed in.
    #[tracing::instrument(skip_all, fields(pool = %req.pool_id))]
    pub async fn admin_create_user(&self, req: AdminCreateUserRequest) -> Result<User> {
        let pool = self.pool(&req.pool_id).await?;
        validate_username(&req.username)?;
        if let Some(p) = &req.temporary_password {
            pool.config.password_policy().check(p.expose())?;
        }
        if req.message_action == Some(MessageAction::Resend) {
            return self.resend_invitation(&pool, &req).await;
        }
        check_writes(
            &pool,
            Writer::Admin,
            &req.user_attributes,
            WriteTime::Creation,
        )?;
        let mut attrs = req.user_attributes.clone();
        let (username, sub) = resolve_new_username(&pool, &req.username, &mut attrs)?;
        let mut user = User::new(&pool.id, &username, self.clock.now());
        user.sub = sub;
        apply_new(&mut user, &attrs);
        // Developer guide, "Pre sign-up Lambda trigger": it may refuse the
        // user (nothing is written); its auto-confirm and auto-verify flags
        // do not apply to AdminCreateUser.
        let call = Invocation {
            trigger: Trigger::PreSignUp,
            source: "PreSignUp_AdminCreateUser",
            user_name: &username,
            client_id: None,
            request: json!({
                "userAttributes": attribute_map(&attrs),
                "validationData": req.validation_data.as_deref().map(attribute_map),
                "clientMetadata": metadata(&req.client_metadata),
            }),
            response: json!({
                "autoConfirmUser": false,
                "autoVerifyEmail": false,
                "autoVerifyPhone": false,
            }),
        };
        self.run_trigger(&pool, call).await?;
        let password = req
            .temporary_password
            .clone()
            .unwrap_or_else(|| generate_temporary_password(pool.config.password_policy()));
        self.set_password(&pool, &mut user, &password, true).await?;
        user.status = UserStatus::ForceChangePassword;
        self.create_with_alias(&pool, &user, req.force_alias_creation)
            .await?;
        if req.message_action != Some(MessageAction::Suppress)
            && let Err(e) = self
                .send_invitation(
                    &pool,
                    &user,
                    &req.username,
                    &password,
                    &req.desired_delivery_mediums,
                )
                .await
        {
            self.store.delete_user(&pool.id, user.sub).await?;
            return Err(e);
        }
        Ok(user)
    }

    /// Cognito API: AdminCreateUser, MessageAction RESEND.
    async fn resend_invitation(
        &self,
        pool: &UserPool,
        req: &AdminCreateUserRequest,
    ) -> Result<User> {
        let user = self.admin_find_user(pool, &req.username).await?;
        let (_guard, original) = self.lock_user(pool, &user).await?;
        if original.status != UserStatus::ForceChangePassword {
            return Err(CognitoError::UnsupportedUserState(format!(
                "Resend not possible. {} status is not FORCE_CHANGE_PASSWORD.",
                req.username
            )));
        }
        let mut user = original.clone();
        let password = req
            .temporary_password
            .clone()
            .unwrap_or_else(|| generate_temporary_password(pool.config.password_policy()));
        self.set_password(pool, &mut user, &password, true).await?;
        self.store.update_user(pool, &user).await?;
        if let Err(e) = self
            .send_invitation(
                pool,
                &user,
                &req.username,
                &password,
                &req.desired_delivery_mediums,
            )
            .await
        {
            self.store.update_user(pool, &original).await?;
            return Err(e);
        }
        Ok(user)
    }

    /// The invitation (a migrated user's welcome message too) to each
    /// desired medium the user can be reached by.
    pub(crate) async fn send_invitation(
        &self,
        pool: &UserPool,
        user: &User,
        sign_in_name: &str,
        password: &SecretString,
        desired: &[Channel],
    ) -> Result<()> {
        // {username} is the name the user signs in with: the email or phone
        // number in pools that sign in with them, else the username.
        let shown = if pool.username_attributes.is_empty() {
            user.username.as_str()
        } else {
            sign_in_name
        };
        for (channel, destination) in invitation_targets(user, desired) {
            let text = invitation_text(pool, channel, shown, password.expose());
            let purpose = Purpose {
                username: Some(shown),
                ..Purpose::new("CustomMessage_AdminCreateUser", password.expose())
            };
            self.deliver(pool, user, channel, &destination, text, purpose)
                .await?;
        }
        Ok(())
    }

    /// AdminGetUser.
    pub async fn admin_get_user(&self, pool_id: &str, username: &str) -> Result<User> {
        let pool = self.pool(pool_id).await?;
        self.admin_find_user(&pool, username).await
    }

    /// AdminDeleteUser.
    pub async fn admin_delete_user(&self, pool_id: &str, username: &str) -> Result<()> {
        let pool = self.pool(pool_id).await?;
        let user = self.admin_find_user(&pool, username).await?;
        if !self.store.delete_user(&pool.id, user.sub).await? {
            return Err(CognitoError::UserNotFound("User does not exist.".into()));
        }
        Ok(())
    }

    /// AdminSetUserPassword: permanent makes the user CONFIRMED; temporary
    /// puts them in FORCE_CHANGE_PASSWORD until the temporary password
    /// expires (Cognito API: AdminSetUserPassword, Permanent).
    pub async fn admin_set_user_password(
        &self,
        pool_id: &str,
        username: &str,
        password: &SecretString,
        permanent: bool,
    ) -> Result<()> {
        let pool = self.pool(pool_id).await?;
        let user = self.admin_find_user(&pool, username).await?;
        let (_guard, mut user) = self.lock_user(&pool, &user).await?;
        self.set_password(&pool, &mut user, password, !permanent)
            .await?;
        user.status = if permanent {
            UserStatus::Confirmed
        } else {
            UserStatus::ForceChangePassword
        };
        user.settings
            .codes
            .remove(&CodePurpose::PasswordReset.key());
        self.store.update_user(&pool, &user).await
    }

    /// AdminEnableUser / AdminDisableUser.
    pub async fn admin_set_user_enabled(
        &self,
        pool_id: &str,
        username: &str,
        enabled: bool,
    ) -> Result<()> {
        let pool = self.pool(pool_id).await?;
        let user = self.admin_find_user(&pool, username).await?;
        let (_guard, mut user) = self.lock_user(&pool, &user).await?;
        if user.enabled != enabled {
            user.enabled = enabled;
            user.modified = self.clock.now();
            // Cognito API: AdminDisableUser — the user's sessions end.
            if !enabled {
                self.end_sessions(&mut user);
            }
            self.store.update_user(&pool, &user).await?;
        }
        Ok(())
    }

    /// AdminConfirmSignUp: UNCONFIRMED to CONFIRMED without a code. It
    /// verifies no attribute (Cognito API: AdminConfirmSignUp).
    /// AdminConfirmSignUp: the user is confirmed, then the pool's
    /// PostConfirmation function runs with the caller's ClientMetadata
    /// (Cognito API: AdminConfirmSignUp, ClientMetadata); its failure is the
    /// caller's error and the confirmation stands, as for ConfirmSignUp.
    pub async fn admin_confirm_sign_up(
        &self,
        pool_id: &str,
        username: &str,
        client_metadata: &std::collections::BTreeMap<String, String>,
    ) -> Result<()> {
        let pool = self.pool(pool_id).await?;
        let user = self.admin_find_user(&pool, username).await?;
        let (_guard, mut user) = self.lock_user(&pool, &user).await?;
        if user.status != UserStatus::Unconfirmed {
            return Err(CognitoError::NotAuthorized(format!(
                "User cannot be confirmed. Current status is {}",
                user.status.as_str()
            )));
        }
        user.status = UserStatus::Confirmed;
        user.settings.codes.remove(&CodePurpose::SignUp.key());
        user.modified = self.clock.now();
        self.store.update_user(&pool, &user).await?;
        drop(_guard);
        let request = json!({
            "userAttributes": user_attributes(&user),
            "clientMetadata": metadata(client_metadata),
        });
        let call = Invocation {
            trigger: Trigger::PostConfirmation,
            source: "PostConfirmation_ConfirmSignUp",
            user_name: &user.username,
            client_id: None,
            request,
            response: json!({}),
        };
        self.run_trigger(&pool, call).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_passwords_satisfy_the_policy() {
        let mut policy = PasswordPolicy::default();
        for min in [6, 8, 20, 99] {
            policy.minimum_length = min;
            for _ in 0..50 {
                let p = generate_temporary_password(&policy);
                policy.check(p.expose()).unwrap();
            }
        }
    }

    #[test]
    fn invitations_go_where_the_user_can_be_reached() {
        let mut u = User::new("p_1", "u", crate::Timestamp(0));
        u.set_attribute("email", "u@example.com");
        // Default SMS, but no phone: the email.
        assert_eq!(
            invitation_targets(&u, &[]),
            vec![(Channel::Email, "u@example.com".into())]
        );
        u.set_attribute("phone_number", "+15555550100");
        assert_eq!(
            invitation_targets(&u, &[]),
            vec![(Channel::Sms, "+15555550100".into())]
        );
        assert_eq!(
            invitation_targets(&u, &[Channel::Email, Channel::Sms]).len(),
            2
        );
    }
}
