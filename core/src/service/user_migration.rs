//! UserMigration: a user this pool does not have yet, brought in from
//! another directory by the pool's function at the moment they need it — a
//! sign-in with a password (UserMigration_Authentication) or a forgotten
//! password (UserMigration_ForgotPassword) — as Cognito does it (developer
//! guide, "Migrate user Lambda trigger" and "Importing users with a user
//! migration Lambda trigger"). The function vouches for the user; they are
//! created as AdminCreateUser creates users, and the action goes on as for a
//! user who was always here.

use serde_json::{Map, Value, json};

use super::Idp;
use super::attributes::{WriteTime, Writer, apply_new, check_writes};
use super::auth::{Attempt, Metadata};
use super::codes::recovery_target;
use super::mfa::{MfaFactor, pool_factors};
use super::recovery::no_recovery_channel;
use super::signup::resolve_new_username;
use super::triggers::{Invocation, Trigger, flag, metadata};
use crate::crypto::SecretString;
use crate::error::{CognitoError, Result};
use crate::model::pool::MfaConfiguration;
use crate::model::{AttributeType, User, UserPool, UserPoolClient, UserStatus};
use crate::store::outbox::Channel;

/// What the welcome message shows where AdminCreateUser's invitation shows
/// the temporary password: a migrated user has none, and the password they
/// signed in with never goes into a message (CONVENTIONS.md §6).
pub const WELCOME_PASSWORD_MASK: &str = "********";

/// Cognito's longest password; a longer one is never sent to a function.
const MAX_PASSWORD_CHARS: usize = 256;

/// What asking the pool's UserMigration function came to.
#[derive(Debug)]
pub(crate) enum Migrated {
    /// The pool has no UserMigration function.
    NotConfigured,
    /// The function answered without userAttributes: it does not know the
    /// name (or, at sign-in, the password).
    Unknown,
    /// The user, now in the pool.
    User(Box<User>),
}

/// The function's answer, checked (developer guide, "Migrate user Lambda
/// trigger parameters", response).
#[derive(Debug)]
struct Answer {
    attributes: Vec<AttributeType>,
    /// `username` among userAttributes: the new user's username, when it
    /// is not the name they gave (e.g. they signed in with an alias).
    username: Option<String>,
    status: UserStatus,
    /// messageAction: the welcome message, unless SUPPRESS.
    welcome: bool,
    mediums: Vec<Channel>,
    force_alias: bool,
    sms_mfa: bool,
}

/// Cognito's answer when the function gave no user (developer guide,
/// "Migrate user Lambda trigger", userAttributes "This field is
/// required"): the name is unknown, or, when the client hides which users
/// exist, the sign-in's usual refusal.
pub(crate) fn not_migrated(client: &UserPoolClient) -> CognitoError {
    if client.prevents_user_existence_errors() {
        CognitoError::NotAuthorized("Incorrect username or password.".into())
    } else {
        CognitoError::UserNotFound(format!(
            "Exception migrating user in app client {}",
            client.client_id
        ))
    }
}

fn unrecognizable(why: &str) -> CognitoError {
    CognitoError::InvalidLambdaResponse(format!("Unrecognizable lambda output: {why}"))
}

/// The response members before the function fills them in.
fn empty_response() -> Value {
    json!({
        "userAttributes": null,
        "finalUserStatus": null,
        "messageAction": null,
        "desiredDeliveryMediums": null,
        "forceAliasCreation": null,
        "enableSMSMFA": null,
    })
}

/// Reads the function's `response`; None when it has no userAttributes.
fn parse_answer(r: &Map<String, Value>, forgot_password: bool) -> Result<Option<Answer>> {
    let attributes = match r.get("userAttributes") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Object(m)) if m.is_empty() => return Ok(None),
        Some(Value::Object(m)) => m,
        Some(_) => return Err(unrecognizable("userAttributes is not an object")),
    };
    let mut username = None;
    let mut attrs = Vec::with_capacity(attributes.len());
    for (name, value) in attributes {
        let Value::String(value) = value else {
            return Err(unrecognizable("a user attribute is not a string"));
        };
        if name == "username" {
            username = Some(value.clone());
        } else {
            attrs.push(AttributeType::new(name, value.clone()));
        }
    }
    let text = |name: &str| match r.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str())),
        Some(_) => Err(unrecognizable(&format!("{name} is not a string"))),
    };
    // finalUserStatus: CONFIRMED (the default) keeps the password the user
    // signed in with; RESET_REQUIRED makes them reset it. The forgot-password
    // flow always ends in RESET_REQUIRED: there is no password to keep.
    let status = match text("finalUserStatus")? {
        _ if forgot_password => UserStatus::ResetRequired,
        None | Some("CONFIRMED") => UserStatus::Confirmed,
        Some("RESET_REQUIRED") => UserStatus::ResetRequired,
        Some(other) => {
            return Err(unrecognizable(&format!(
                "finalUserStatus {other} is not CONFIRMED or RESET_REQUIRED"
            )));
        }
    };
    // messageAction: SUPPRESS sends no welcome message; RESEND (as
    // AdminCreateUser takes it) or nothing sends it.
    let welcome = match text("messageAction")? {
        None | Some("RESEND") => true,
        Some("SUPPRESS") => false,
        Some(other) => {
            return Err(unrecognizable(&format!(
                "messageAction {other} is not SUPPRESS or RESEND"
            )));
        }
    };
    let mediums = match r.get("desiredDeliveryMediums") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(list)) => list
            .iter()
            .map(|m| m.as_str().and_then(Channel::parse))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| unrecognizable("desiredDeliveryMediums takes EMAIL and SMS"))?,
        Some(_) => return Err(unrecognizable("desiredDeliveryMediums is not a list")),
    };
    Ok(Some(Answer {
        attributes: attrs,
        username,
        status,
        welcome,
        mediums,
        force_alias: flag(r, "forceAliasCreation")?,
        sms_mfa: flag(r, "enableSMSMFA")?,
    }))
}

impl Idp {
    /// UserMigration_Authentication: a sign-in with a password for a name
    /// that matches no user. The function gets the password and the
    /// caller's ClientMetadata — as `validationData`, where the developer
    /// guide says a sign-in's ClientMetadata goes, and as `clientMetadata`
    /// too (the hosted UI has none). On success the user is in the pool with
    /// that password, and the sign-in goes on as for any user.
    ///
    /// USER_SRP_AUTH never comes here: the client proves the password
    /// without sending it, so there is nothing to give the function, and
    /// Cognito answers such a sign-in as for any unknown name (developer
    /// guide: apps migrating users sign in with USER_PASSWORD_AUTH).
    pub(crate) async fn migrate_on_sign_in(
        &self,
        pool: &UserPool,
        client: &UserPoolClient,
        name: &str,
        password: &SecretString,
        at: Attempt<'_>,
    ) -> Result<Migrated> {
        if !Trigger::UserMigration.configured(pool) {
            return Ok(Migrated::NotConfigured);
        }
        if password.expose().chars().count() > MAX_PASSWORD_CHARS {
            return Ok(Migrated::Unknown);
        }
        let request = json!({
            "password": password.expose(),
            "validationData": metadata(at.metadata),
            "clientMetadata": metadata(at.metadata),
        });
        let Some(answer) = self
            .ask_to_migrate(pool, client, name, "UserMigration_Authentication", request)
            .await?
        else {
            return Ok(Migrated::Unknown);
        };
        match self
            .create_migrated(pool, name, answer, Some(password))
            .await
        {
            Ok(user) => Ok(Migrated::User(Box::new(user))),
            // Two sign-ins raced to migrate the same user: the other one
            // made them, and this one checks its password against theirs.
            Err(CognitoError::UsernameExists(m)) => match self.find_user_by_name(pool, name).await?
            {
                Some(user) => Ok(Migrated::User(Box::new(user))),
                None => Err(CognitoError::UsernameExists(m)),
            },
            Err(e) => Err(e),
        }
    }

    /// UserMigration_ForgotPassword: ForgotPassword for a name that matches
    /// no user. The function gets no password; a user it knows comes in
    /// RESET_REQUIRED, with a verified email or phone number to send the
    /// reset code to (checked before anything is written).
    pub(crate) async fn migrate_on_forgot_password(
        &self,
        pool: &UserPool,
        client: &UserPoolClient,
        name: &str,
        client_metadata: &Metadata,
    ) -> Result<Migrated> {
        if !Trigger::UserMigration.configured(pool) {
            return Ok(Migrated::NotConfigured);
        }
        // Developer guide: validationData is the sign-in's; ForgotPassword
        // passes its ClientMetadata as clientMetadata.
        let request = json!({
            "validationData": {},
            "clientMetadata": metadata(client_metadata),
        });
        let Some(answer) = self
            .ask_to_migrate(pool, client, name, "UserMigration_ForgotPassword", request)
            .await?
        else {
            return Ok(Migrated::Unknown);
        };
        let user = self.create_migrated(pool, name, answer, None).await?;
        Ok(Migrated::User(Box::new(user)))
    }

    /// Invokes the function; its checked answer, or None when it knows no
    /// such user.
    async fn ask_to_migrate(
        &self,
        pool: &UserPool,
        client: &UserPoolClient,
        name: &str,
        source: &'static str,
        request: Value,
    ) -> Result<Option<Answer>> {
        let call = Invocation {
            trigger: Trigger::UserMigration,
            source,
            user_name: name,
            client_id: Some(&client.client_id),
            request,
            response: empty_response(),
        };
        let Some(response) = self.run_trigger(pool, call).await? else {
            return Ok(None);
        };
        parse_answer(&response, source == "UserMigration_ForgotPassword")
    }

    /// Creates the user the function described: its attributes checked as
    /// AdminCreateUser checks them, a new `sub` (Cognito gives every user
    /// its own), the password sealed as every password is (the pool's
    /// policy is not applied: the developer guide says migration accepts
    /// the password the user already has), then the welcome message.
    /// Nothing stays written if any step fails.
    async fn create_migrated(
        &self,
        pool: &UserPool,
        name: &str,
        answer: Answer,
        password: Option<&SecretString>,
    ) -> Result<User> {
        let mut attrs = answer.attributes;
        check_writes(pool, Writer::Admin, &attrs, WriteTime::Creation)?;
        let given = answer.username.as_deref().unwrap_or(name);
        let (username, sub) = resolve_new_username(pool, given, &mut attrs)?;
        let mut user = User::new(&pool.id, &username, self.clock.now());
        user.sub = sub;
        apply_new(&mut user, &attrs);
        if answer.sms_mfa {
            // enableSMSMFA: the user signs in with SMS MFA, which needs a
            // phone number and a pool that sends SMS MFA.
            let offered = pool.config.mfa_configuration != MfaConfiguration::Off
                && pool_factors(pool).contains(&MfaFactor::Sms);
            if !offered || user.attribute("phone_number").is_none() {
                return Err(CognitoError::InvalidLambdaResponse(
                    "enableSMSMFA needs a phone_number attribute and SMS MFA turned on in the user pool."
                        .into(),
                ));
            }
            user.settings
                .enabled_mfa
                .push(MfaFactor::Sms.as_str().to_owned());
        }
        if password.is_none() && recovery_target(pool, &user).is_none() {
            // The reset code would have nowhere to go.
            return Err(no_recovery_channel());
        }
        if let Some(password) = password {
            self.seal_password(pool, &mut user, password, false).await?;
        }
        user.status = answer.status;
        self.create_with_alias(pool, &user, answer.force_alias)
            .await?;
        if answer.welcome {
            let mask = SecretString::new(WELCOME_PASSWORD_MASK);
            if let Err(e) = self
                .send_invitation(pool, &user, name, &mask, &answer.mediums)
                .await
            {
                self.store.delete_user(&pool.id, user.sub).await?;
                return Err(e);
            }
        }
        tracing::info!(pool = %pool.id, status = user.status.as_str(), "user migrated");
        Ok(user)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(v: Value, forgot: bool) -> Result<Option<Answer>> {
        parse_answer(v.as_object().unwrap(), forgot)
    }

    #[test]
    fn answers_without_user_attributes_know_no_user() {
        assert!(answer(empty_response(), false).unwrap().is_none());
        assert!(
            answer(json!({"userAttributes": {}}), false)
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn defaults_are_cognitos() {
        let a = answer(json!({"userAttributes": {"email": "a@example.com"}}), false)
            .unwrap()
            .unwrap();
        assert_eq!(a.status, UserStatus::Confirmed);
        assert!(a.welcome, "the welcome message unless SUPPRESS");
        assert!(a.mediums.is_empty() && !a.force_alias && !a.sms_mfa);
        let a = answer(
            json!({"userAttributes": {"username": "ann", "email": "a@example.com"}, "finalUserStatus": "CONFIRMED"}),
            true,
        )
        .unwrap()
        .unwrap();
        assert_eq!(a.status, UserStatus::ResetRequired, "forgot password");
        assert_eq!(a.username.as_deref(), Some("ann"));
        assert_eq!(a.attributes.len(), 1, "username is not an attribute");
    }

    #[test]
    fn malformed_answers_are_unrecognizable() {
        for bad in [
            json!({"userAttributes": ["email"]}),
            json!({"userAttributes": {"email": 1}}),
            json!({"userAttributes": {"email": "a@example.com"}, "finalUserStatus": "UNCONFIRMED"}),
            json!({"userAttributes": {"email": "a@example.com"}, "messageAction": "LOUD"}),
            json!({"userAttributes": {"email": "a@example.com"}, "desiredDeliveryMediums": ["FAX"]}),
            json!({"userAttributes": {"email": "a@example.com"}, "forceAliasCreation": "yes"}),
        ] {
            let e = answer(bad.clone(), false).unwrap_err();
            assert_eq!(e.wire_name(), "InvalidLambdaResponseException", "{bad}");
        }
    }
}
