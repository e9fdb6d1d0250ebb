//! SignUp, ConfirmSignUp, ResendConfirmationCode: a person creates their
//! own account and proves they own the email or phone number it names.

use std::collections::BTreeMap;

use serde_json::json;
use tokio::time::Instant;
use uuid::Uuid;

use super::Idp;
use super::attributes::{WriteTime, Writer, apply_new, check_required, check_writes};
use super::auth::Metadata;
use super::client_secret::check_secret_hash;
use super::codes::{
    CodeDeliveryDetails, CodePurpose, channel_of, confirmation_target, validate_code_input,
};
use super::messages::{Purpose, verification_text};
use super::pacing::Step;
use super::triggers::{Invocation, Trigger, attribute_map, flag, metadata, user_attributes};
use crate::crypto::SecretString;
use crate::error::{CognitoError, Result};
use crate::model::attributes::{is_e164, looks_like_email};
use crate::model::pool::{AliasAttribute, VerifiableAttribute};
use crate::model::user::{KeyKind, UserKey, validate_username};
use crate::model::{AttributeType, User, UserPool, UserPoolClient, UserStatus};
use crate::store::outbox::Channel;

/// What SignUp takes.
#[derive(Clone, Debug)]
pub struct SignUpRequest {
    pub client_id: String,
    pub secret_hash: Option<String>,
    pub username: String,
    pub password: SecretString,
    pub user_attributes: Vec<AttributeType>,
    /// For the PreSignUp trigger only; never stored.
    pub validation_data: Option<Vec<AttributeType>>,
    /// For the triggers only; never stored.
    pub client_metadata: BTreeMap<String, String>,
}

/// What a PreSignUp function asked for.
#[derive(Clone, Copy, Debug, Default)]
struct AutoConfirm {
    confirm: bool,
    verify_email: bool,
    verify_phone: bool,
}

/// What SignUp answers.
#[derive(Clone, Debug)]
pub struct SignUpResult {
    pub user_confirmed: bool,
    pub user_sub: Uuid,
    /// None when the pool verifies no attribute the user gave.
    pub code_delivery: Option<CodeDeliveryDetails>,
}

/// Cognito's answer to a public action naming a user that does not exist,
/// when the client does not hide existence.
pub(crate) fn no_such_user() -> CognitoError {
    CognitoError::UserNotFound("Username/client id combination not found.".into())
}

/// The username a new user is stored under, with the attribute the name
/// given implies. Pools with UsernameAttributes take an email or phone
/// number as the name, keep it as that attribute and give the user a UUID
/// username; pools with an email or phone alias refuse names of that shape
/// (Cognito developer guide, "User pool attributes: usernames and aliases").
pub(crate) fn resolve_new_username(
    pool: &UserPool,
    given: &str,
    attrs: &mut Vec<AttributeType>,
) -> Result<(String, Uuid)> {
    validate_username(given)?;
    let sub = Uuid::new_v4();
    if !pool.username_attributes.is_empty() {
        let email = pool
            .username_attributes
            .contains(&VerifiableAttribute::Email);
        let phone = pool
            .username_attributes
            .contains(&VerifiableAttribute::PhoneNumber);
        let attribute = if email && looks_like_email(given) {
            "email"
        } else if phone && is_e164(given) {
            "phone_number"
        } else {
            return Err(CognitoError::invalid_parameter(match (email, phone) {
                (true, true) => "Username should be either an email or a phone number.",
                (true, false) => "Username should be an email.",
                _ => "Username should be a phone number.",
            }));
        };
        if attrs
            .iter()
            .any(|a| a.name == attribute && a.value != given)
        {
            return Err(CognitoError::invalid_parameter(format!(
                "The {attribute} attribute must match the username."
            )));
        }
        attrs.retain(|a| a.name != attribute);
        attrs.push(AttributeType::new(attribute, given));
        return Ok((sub.to_string(), sub));
    }
    if pool.alias_attributes.contains(&AliasAttribute::Email) && looks_like_email(given) {
        return Err(CognitoError::invalid_parameter(
            "Username cannot be of email format, since user pool is configured for email alias.",
        ));
    }
    if pool.alias_attributes.contains(&AliasAttribute::PhoneNumber) && is_e164(given) {
        return Err(CognitoError::invalid_parameter(
            "Username cannot be of phone number format, since user pool is configured for phone number alias.",
        ));
    }
    Ok((given.to_owned(), sub))
}

impl Idp {
    /// SignUp: an UNCONFIRMED user, and a confirmation code to the
    /// attribute the pool auto-verifies.
    #[tracing::instrument(skip_all, fields(client_id = %req.client_id))]
    pub async fn sign_up(&self, req: SignUpRequest) -> Result<SignUpResult> {
        let (pool, client) = self.client_by_id(&req.client_id).await?;
        check_secret_hash(&client, &req.username, None, req.secret_hash.as_deref())?;
        // Cognito API: SignUp, Errors — NotAuthorizedException when only
        // administrators may create users (AllowAdminCreateUserOnly).
        if pool
            .config
            .admin_create_user_config
            .allow_admin_create_user_only
        {
            return Err(CognitoError::NotAuthorized(
                "SignUp is not permitted for this user pool".into(),
            ));
        }
        check_writes(
            &pool,
            Writer::Client(&client),
            &req.user_attributes,
            WriteTime::Creation,
        )?;
        let mut attrs = req.user_attributes.clone();
        let (username, sub) = resolve_new_username(&pool, &req.username, &mut attrs)?;
        let mut user = User::new(&pool.id, &username, self.clock.now());
        user.sub = sub;
        apply_new(&mut user, &attrs);
        check_required(&pool, &user)?;
        // Cognito API: SignUp, Errors — InvalidPasswordException.
        pool.config.password_policy().check(req.password.expose())?;
        let auto = self
            .pre_sign_up(&pool, &client, &req, &username, &attrs)
            .await?;
        if auto.verify_email && user.attribute("email").is_some() {
            user.set_attribute("email_verified", "true");
        }
        if auto.verify_phone && user.attribute("phone_number").is_some() {
            user.set_attribute("phone_number_verified", "true");
        }
        self.set_password(&pool, &mut user, &req.password, false)
            .await?;
        user.status = if auto.confirm {
            UserStatus::Confirmed
        } else {
            UserStatus::Unconfirmed
        };
        let delivery = confirmation_target(&pool, &user)
            .filter(|_| !auto.confirm)
            .map(|(attribute, destination)| {
                let code =
                    self.issue_code(&pool, &mut user, CodePurpose::SignUp, Some(attribute), None);
                (attribute, destination, code)
            });
        self.store.create_user(&pool, &user).await?;
        let mut code_delivery = None;
        if let Some((attribute, destination, code)) = delivery {
            let channel = channel_of(attribute);
            let text = verification_text(&pool, channel, code.expose());
            let purpose = Purpose::new("CustomMessage_SignUp", code.expose())
                .for_client(&client.client_id, &req.client_metadata);
            if let Err(e) = self
                .deliver(&pool, &user, channel, &destination, text, purpose)
                .await
            {
                // Nothing half-done: no account without its code.
                self.store.delete_user(&pool.id, user.sub).await?;
                return Err(e);
            }
            code_delivery = Some(CodeDeliveryDetails::new(attribute, &destination));
        }
        Ok(SignUpResult {
            user_confirmed: auto.confirm,
            user_sub: sub,
            code_delivery,
        })
    }

    /// The PreSignUp trigger of a sign-up (developer guide, "Pre sign-up
    /// Lambda trigger"): it may refuse the sign-up (nothing is written) or
    /// confirm the user and verify their email and phone number.
    async fn pre_sign_up(
        &self,
        pool: &UserPool,
        client: &UserPoolClient,
        req: &SignUpRequest,
        username: &str,
        attrs: &[AttributeType],
    ) -> Result<AutoConfirm> {
        let request = json!({
            "userAttributes": attribute_map(attrs),
            "validationData": req.validation_data.as_deref().map(attribute_map),
            "clientMetadata": metadata(&req.client_metadata),
        });
        let response = json!({
            "autoConfirmUser": false,
            "autoVerifyEmail": false,
            "autoVerifyPhone": false,
        });
        let call = Invocation {
            trigger: Trigger::PreSignUp,
            source: "PreSignUp_SignUp",
            user_name: username,
            client_id: Some(&client.client_id),
            request,
            response,
        };
        let Some(r) = self.run_trigger(pool, call).await? else {
            return Ok(AutoConfirm::default());
        };
        Ok(AutoConfirm {
            confirm: flag(&r, "autoConfirmUser")?,
            verify_email: flag(&r, "autoVerifyEmail")?,
            verify_phone: flag(&r, "autoVerifyPhone")?,
        })
    }

    /// ConfirmSignUp: the code makes the user CONFIRMED and the attribute
    /// it went to verified; then the PostConfirmation trigger, given the
    /// caller's ClientMetadata.
    #[tracing::instrument(skip_all, fields(client_id = %client_id))]
    pub async fn confirm_sign_up(
        &self,
        client_id: &str,
        secret_hash: Option<&str>,
        username: &str,
        code: &str,
        force_alias_creation: bool,
        client_metadata: &BTreeMap<String, String>,
    ) -> Result<()> {
        let started = Instant::now();
        let (pool, client) = self.client_by_id(client_id).await?;
        let user = self.find_user_by_name(&pool, username).await?;
        check_secret_hash(&client, username, user.as_ref(), secret_hash)?;
        validate_code_input(code)?;
        let hide = client.prevents_user_existence_errors();
        let Some(user) = user else {
            // Cognito developer guide, "Managing user existence error
            // responses": confirmation answers as for a wrong code.
            if hide {
                let refused = self
                    .refuse_ghost_code(&pool, username, CodePurpose::SignUp)
                    .await;
                self.pacing.pad(Step::CodeRefused, started).await;
                return Err(refused);
            }
            return Err(no_such_user());
        };
        let (_guard, mut user) = self.lock_user(&pool, &user).await?;
        let not_unconfirmed = |status: UserStatus| {
            CognitoError::NotAuthorized(format!(
                "User cannot be confirmed. Current status is {}",
                status.as_str()
            ))
        };
        // Hiding existence, the code is checked first: a confirmed user
        // holds no sign-up code and answers as an unknown name does.
        if !hide && user.status != UserStatus::Unconfirmed {
            return Err(not_unconfirmed(user.status));
        }
        let checked = self
            .check_code(&pool, &mut user, CodePurpose::SignUp, code, hide)
            .await;
        if matches!(checked, Err(CognitoError::CodeMismatch(_))) {
            self.pacing.record(Step::CodeRefused, started);
        }
        let stored = checked?;
        if user.status != UserStatus::Unconfirmed {
            return Err(not_unconfirmed(user.status));
        }
        user.status = UserStatus::Confirmed;
        if let Some(attribute) = stored.attribute.as_deref()
            && user.attribute(attribute).is_some()
        {
            user.set_attribute(&format!("{attribute}_verified"), "true");
        }
        user.modified = self.clock.now();
        self.update_with_alias(&pool, &user, force_alias_creation)
            .await?;
        drop(_guard);
        // Developer guide, "Post confirmation Lambda trigger": it runs once
        // the user is confirmed; a failure is the caller's error, and the
        // confirmation stands.
        let request = json!({
            "userAttributes": user_attributes(&user),
            "clientMetadata": metadata(client_metadata),
        });
        let call = Invocation {
            trigger: Trigger::PostConfirmation,
            source: "PostConfirmation_ConfirmSignUp",
            user_name: &user.username,
            client_id: Some(&client.client_id),
            request,
            response: json!({}),
        };
        self.run_trigger(&pool, call).await?;
        Ok(())
    }

    /// ResendConfirmationCode: a new code replaces the old one.
    #[tracing::instrument(skip_all, fields(client_id = %client_id))]
    pub async fn resend_confirmation_code(
        &self,
        client_id: &str,
        secret_hash: Option<&str>,
        username: &str,
        metadata: &Metadata,
    ) -> Result<CodeDeliveryDetails> {
        let started = Instant::now();
        let (pool, client) = self.client_by_id(client_id).await?;
        let user = self.find_user_by_name(&pool, username).await?;
        check_secret_hash(&client, username, user.as_ref(), secret_hash)?;
        let Some(user) = user else {
            if client.prevents_user_existence_errors() {
                self.issue_ghost_code(&pool, username, CodePurpose::SignUp)
                    .await?;
                self.pacing.pad(Step::CodeSent, started).await;
                return Ok(self.simulated_delivery(&pool, username));
            }
            return Err(no_such_user());
        };
        let sent = self.resend_to(&pool, &client, &user, metadata).await;
        self.pacing.record(Step::CodeSent, started);
        sent
    }

    async fn resend_to(
        &self,
        pool: &UserPool,
        client: &UserPoolClient,
        user: &User,
        metadata: &Metadata,
    ) -> Result<CodeDeliveryDetails> {
        let (_guard, original) = self.lock_user(pool, user).await?;
        if original.status != UserStatus::Unconfirmed {
            return Err(CognitoError::invalid_parameter(
                "User is already confirmed.",
            ));
        }
        let mut user = original.clone();
        let Some((attribute, destination)) = confirmation_target(pool, &user) else {
            return Err(CognitoError::invalid_parameter(
                "Auto verification not turned on.",
            ));
        };
        let code = self.issue_code(pool, &mut user, CodePurpose::SignUp, Some(attribute), None);
        self.store.update_user(pool, &user).await?;
        let channel = channel_of(attribute);
        let text = verification_text(pool, channel, code.expose());
        let purpose = Purpose::new("CustomMessage_ResendCode", code.expose())
            .for_client(&client.client_id, metadata);
        if let Err(e) = self
            .deliver(pool, &user, channel, &destination, text, purpose)
            .await
        {
            self.store.update_user(pool, &original).await?;
            return Err(e);
        }
        Ok(CodeDeliveryDetails::new(attribute, &destination))
    }

    /// Writes `user`; if a verified email or phone number is already
    /// another user's alias and `force` is set, that user loses it first
    /// (Cognito API: ConfirmSignUp / AdminCreateUser, ForceAliasCreation).
    pub(crate) async fn update_with_alias(
        &self,
        pool: &UserPool,
        user: &User,
        force: bool,
    ) -> Result<()> {
        match self.store.update_user(pool, user).await {
            Err(CognitoError::AliasExists(_)) if force => {
                self.take_aliases(pool, user).await?;
                self.store.update_user(pool, user).await
            }
            other => other,
        }
    }

    /// As [`Idp::update_with_alias`], for a user being created.
    pub(crate) async fn create_with_alias(
        &self,
        pool: &UserPool,
        user: &User,
        force: bool,
    ) -> Result<()> {
        match self.store.create_user(pool, user).await {
            Err(CognitoError::AliasExists(_)) if force => {
                self.take_aliases(pool, user).await?;
                self.store.create_user(pool, user).await
            }
            other => other,
        }
    }

    /// Unverifies `user`'s email and phone number on any other user that
    /// holds them as aliases.
    async fn take_aliases(&self, pool: &UserPool, user: &User) -> Result<()> {
        for (kind, name) in [
            (KeyKind::Email, "email"),
            (KeyKind::PhoneNumber, "phone_number"),
        ] {
            let Some(value) = user.attribute(name) else {
                continue;
            };
            let key = UserKey {
                kind,
                value: pool.normalize(value),
            };
            if let Some(mut other) = self.store.find_user(&pool.id, &key).await?
                && other.sub != user.sub
            {
                other.set_attribute(&format!("{name}_verified"), "false");
                other.modified = self.clock.now();
                self.store.update_user(pool, &other).await?;
            }
        }
        Ok(())
    }

    /// A CodeDeliveryDetails for a user that does not exist, shaped like a
    /// real one and the same on every call for the same name, so it tells
    /// nothing (Cognito: PreventUserExistenceErrors ENABLED).
    pub(crate) fn simulated_delivery(&self, pool: &UserPool, name: &str) -> CodeDeliveryDetails {
        if looks_like_email(name) {
            return CodeDeliveryDetails::new("email", name);
        }
        if is_e164(name) {
            return CodeDeliveryDetails::new("phone_number", name);
        }
        let seed = self.master_key.mac(
            "simulated-delivery",
            format!("{}\0{name}", pool.id).as_bytes(),
        );
        let sms = pool
            .config
            .auto_verified_attributes
            .first()
            .is_some_and(|a| *a == VerifiableAttribute::PhoneNumber);
        if sms {
            let digits: String = seed[..10]
                .iter()
                .map(|b| char::from(b'0' + b % 10))
                .collect();
            CodeDeliveryDetails::new("phone_number", &format!("+1{digits}"))
        } else {
            let letters = b"abcdefghijklmnopqrstuvwxyz";
            let local = char::from(letters[seed[0] as usize % 26]);
            let domain = char::from(letters[seed[1] as usize % 26]);
            CodeDeliveryDetails {
                destination: format!("{local}***@{domain}***"),
                delivery_medium: Channel::Email,
                attribute_name: "email".into(),
            }
        }
    }
}
