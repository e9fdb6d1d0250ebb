//! Sign-in: InitiateAuth, AdminInitiateAuth, RespondToAuthChallenge and
//! AdminRespondToAuthChallenge, for every face. A flow checks the client
//! (allowed flows, SECRET_HASH), then the user's proof (a password, an SRP
//! proof, a refresh token), then the user's state; [`Idp::next_step`] then
//! decides between a challenge and tokens. MFA and custom challenges plug
//! in there, as new [`ChallengeName`]s with their answers below.

use std::collections::{BTreeMap, HashMap};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::{Map, Value};

use super::Idp;
use super::attributes::{WriteTime, Writer, check_writes, stage_attribute_writes};
use super::client_secret;
use super::devices::BrowserDevice;
use super::session::{AuthSession, ChallengeName, CustomAuthState, SrpState, invalid_session};
use super::tokens::{ADMIN_SCOPE, IssuedTokens, TokenSource};
use super::user_auth::Reply;
use super::user_migration::{Migrated, not_migrated};
use super::user_sessions::{Requester, UNKNOWN_REQUESTER};
use crate::credential::PasswordCredential;
use crate::crypto::SecretString;
use crate::error::{CognitoError, Result};
use crate::model::client::AuthFlow;
use crate::model::pool::PasswordStorage;
use crate::model::{AttributeType, User, UserPool, UserPoolClient, UserStatus};
use crate::srp::{self, ServerChallenge, SrpError};

/// AuthParameters and ChallengeResponses: string to string.
pub type Params = HashMap<String, String>;

/// Who calls: an app (public actions) or an administrator for a pool.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Caller<'a> {
    Public,
    Admin { pool_id: &'a str },
}

/// What a sign-in step answers.
#[derive(Debug)]
pub enum AuthOutcome {
    /// The Cognito API's answer: the tokens.
    Authenticated(IssuedTokens),
    Challenge(Challenge),
    /// The hosted UI's answer: who signed in; its OAuth endpoints issue
    /// the tokens later, from an authorization code.
    SignedIn(Box<User>),
}

/// The face a sign-in comes through. The Cognito API checks SECRET_HASH
/// (the caller is the app) and answers with tokens; the hosted UI does not
/// (the caller is the user's browser) and answers with the user.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Face {
    Api,
    HostedUi,
}

/// ClientMetadata: what the caller passes to the pool's Lambda triggers.
pub type Metadata = BTreeMap<String, String>;

/// No ClientMetadata (the hosted UI has none to pass).
pub static NO_METADATA: Metadata = BTreeMap::new();

/// One call of a sign-in: the face it came through and what the caller
/// passes to the triggers it runs (Cognito API: InitiateAuth and
/// RespondToAuthChallenge, ClientMetadata).
#[derive(Clone, Copy, Debug)]
pub struct Attempt<'a> {
    pub face: Face,
    /// The call's ClientMetadata.
    pub metadata: &'a Metadata,
    /// The call is InitiateAuth (or AdminInitiateAuth), not an answer.
    pub initiate: bool,
    /// This call answered NEW_PASSWORD_REQUIRED (PreTokenGeneration's
    /// TokenGeneration_NewPasswordChallenge).
    pub new_password: bool,
    /// The DEVICE_KEY the client sent (AuthParameters or
    /// ChallengeResponses): the device it signs in from.
    pub device_key: Option<&'a str>,
    /// The hosted UI's browser, when its device cookie opened (see
    /// `devices.rs`, `BrowserDevice`).
    pub browser_device: Option<&'a BrowserDevice>,
    /// Who called: a tracked token session records it.
    pub requester: &'a Requester,
}

impl<'a> Attempt<'a> {
    /// InitiateAuth and AdminInitiateAuth.
    pub fn initiate(metadata: &'a Metadata) -> Self {
        Self {
            face: Face::Api,
            metadata,
            initiate: true,
            new_password: false,
            device_key: None,
            browser_device: None,
            requester: &UNKNOWN_REQUESTER,
        }
    }

    /// RespondToAuthChallenge and AdminRespondToAuthChallenge.
    pub fn respond(metadata: &'a Metadata) -> Self {
        Self {
            initiate: false,
            ..Self::initiate(metadata)
        }
    }

    /// A hosted-UI step from a browser that may be a remembered device.
    pub fn hosted_from(browser_device: Option<&'a BrowserDevice>) -> Self {
        Attempt {
            browser_device,
            ..Attempt::hosted()
        }
    }

    pub fn hosted() -> Attempt<'static> {
        Attempt {
            face: Face::HostedUi,
            metadata: &NO_METADATA,
            initiate: false,
            new_password: false,
            device_key: None,
            browser_device: None,
            requester: &UNKNOWN_REQUESTER,
        }
    }

    /// What PostAuthentication, PreTokenGeneration and CustomMessage get:
    /// InitiateAuth's ClientMetadata goes only to PreSignUp,
    /// PreAuthentication and UserMigration (Cognito API: InitiateAuth,
    /// ClientMetadata); RespondToAuthChallenge's goes to them.
    pub fn later_metadata(&self) -> &'a Metadata {
        if self.initiate {
            &NO_METADATA
        } else {
            self.metadata
        }
    }
}

/// A challenge for the client: ChallengeName, ChallengeParameters, Session.
#[derive(Clone, Debug)]
pub struct Challenge {
    pub name: ChallengeName,
    pub parameters: BTreeMap<String, String>,
    pub session: Option<String>,
    /// USER_AUTH's SELECT_CHALLENGE: the AvailableChallenges.
    pub available: Option<Vec<&'static str>>,
}

/// Cognito API: InitiateAuth, AuthFlow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InitiateFlow {
    UserSrpAuth,
    UserPasswordAuth,
    AdminUserPasswordAuth,
    AdminNoSrpAuth,
    RefreshTokenAuth,
    RefreshToken,
    CustomAuth,
    UserAuth,
}

const FLOWS: &[(&str, InitiateFlow)] = &[
    ("USER_SRP_AUTH", InitiateFlow::UserSrpAuth),
    ("REFRESH_TOKEN_AUTH", InitiateFlow::RefreshTokenAuth),
    ("REFRESH_TOKEN", InitiateFlow::RefreshToken),
    ("CUSTOM_AUTH", InitiateFlow::CustomAuth),
    ("ADMIN_NO_SRP_AUTH", InitiateFlow::AdminNoSrpAuth),
    ("USER_PASSWORD_AUTH", InitiateFlow::UserPasswordAuth),
    (
        "ADMIN_USER_PASSWORD_AUTH",
        InitiateFlow::AdminUserPasswordAuth,
    ),
    ("USER_AUTH", InitiateFlow::UserAuth),
];

impl InitiateFlow {
    pub fn parse(s: &str) -> Result<Self> {
        FLOWS
            .iter()
            .find(|(name, _)| *name == s)
            .map(|(_, f)| *f)
            .ok_or_else(|| {
                let names: Vec<&str> = FLOWS.iter().map(|(n, _)| *n).collect();
                CognitoError::invalid_parameter(format!(
                    "1 validation error detected: Value '{s}' at 'authFlow' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
                    names.join(", ")
                ))
            })
    }

    pub fn as_str(self) -> &'static str {
        FLOWS
            .iter()
            .find(|(_, f)| *f == self)
            .map_or("", |(n, _)| n)
    }
}

/// Cognito API: RespondToAuthChallenge, ChallengeName — every name Cognito
/// knows; those we answer parse to a [`ChallengeName`].
const CHALLENGE_NAMES: &[&str] = &[
    "SMS_MFA",
    "EMAIL_OTP",
    "SOFTWARE_TOKEN_MFA",
    "SELECT_MFA_TYPE",
    "MFA_SETUP",
    "PASSWORD_VERIFIER",
    "CUSTOM_CHALLENGE",
    "SELECT_CHALLENGE",
    "DEVICE_SRP_AUTH",
    "DEVICE_PASSWORD_VERIFIER",
    "ADMIN_NO_SRP_AUTH",
    "NEW_PASSWORD_REQUIRED",
    "SMS_OTP",
    "PASSWORD",
    "WEB_AUTHN",
    "PASSWORD_SRP",
];

fn parse_challenge(s: &str) -> Result<ChallengeName> {
    match s {
        "PASSWORD_VERIFIER" => Ok(ChallengeName::PasswordVerifier),
        "NEW_PASSWORD_REQUIRED" => Ok(ChallengeName::NewPasswordRequired),
        "SOFTWARE_TOKEN_MFA" => Ok(ChallengeName::SoftwareTokenMfa),
        "SMS_MFA" => Ok(ChallengeName::SmsMfa),
        "EMAIL_OTP" => Ok(ChallengeName::EmailOtp),
        "SELECT_MFA_TYPE" => Ok(ChallengeName::SelectMfaType),
        "MFA_SETUP" => Ok(ChallengeName::MfaSetup),
        "CUSTOM_CHALLENGE" => Ok(ChallengeName::CustomChallenge),
        "SELECT_CHALLENGE" => Ok(ChallengeName::SelectChallenge),
        "SMS_OTP" => Ok(ChallengeName::SmsOtp),
        "WEB_AUTHN" => Ok(ChallengeName::WebAuthn),
        "DEVICE_SRP_AUTH" => Ok(ChallengeName::DeviceSrpAuth),
        "DEVICE_PASSWORD_VERIFIER" => Ok(ChallengeName::DevicePasswordVerifier),
        known if CHALLENGE_NAMES.contains(&known) => Err(CognitoError::invalid_parameter(format!(
            "The challenge {known} is not supported by this server."
        ))),
        other => Err(CognitoError::invalid_parameter(format!(
            "1 validation error detected: Value '{other}' at 'challengeName' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
            CHALLENGE_NAMES.join(", ")
        ))),
    }
}

pub(super) fn required<'a>(params: &'a Params, name: &str) -> Result<&'a str> {
    params
        .get(name)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            CognitoError::invalid_parameter(format!("Missing required parameter {name}"))
        })
}

pub(super) fn incorrect() -> CognitoError {
    CognitoError::NotAuthorized("Incorrect username or password.".into())
}

/// The bytes of b ‖ B in [`ServerChallenge::to_bytes`]; v (384 bytes) follows.
pub(super) const SRP_V_BYTES: usize = 384;

impl Idp {
    /// The pool and client a call names: by client id alone for public
    /// actions, within the given pool for administrative ones.
    async fn caller_client(
        &self,
        caller: Caller<'_>,
        client_id: &str,
    ) -> Result<(UserPool, UserPoolClient)> {
        match caller {
            Caller::Public => self.client_by_id(client_id).await,
            Caller::Admin { pool_id } => {
                let pool = self.pool(pool_id).await?;
                let client = self.client(pool_id, client_id).await?;
                Ok((pool, client))
            }
        }
    }

    /// Cognito API: InitiateAuth and AdminInitiateAuth.
    pub async fn initiate_auth(
        &self,
        caller: Caller<'_>,
        client_id: &str,
        flow: &str,
        params: &Params,
        metadata: &Metadata,
        requester: &Requester,
    ) -> Result<AuthOutcome> {
        use InitiateFlow as F;
        let at = Attempt {
            device_key: params.get("DEVICE_KEY").map(String::as_str),
            requester,
            ..Attempt::initiate(metadata)
        };
        let flow = F::parse(flow)?;
        let (pool, client) = self.caller_client(caller, client_id).await?;
        let admin = matches!(caller, Caller::Admin { .. });
        // Cognito API: InitiateAuth takes no ADMIN_* flow; AdminInitiateAuth
        // takes no USER_PASSWORD_AUTH.
        let wrong_face = match flow {
            F::UserPasswordAuth => admin,
            F::AdminUserPasswordAuth | F::AdminNoSrpAuth => !admin,
            _ => false,
        };
        if wrong_face {
            return Err(CognitoError::invalid_parameter(
                "Initiate Auth method not supported.",
            ));
        }
        // Cognito API: UserPoolClientType, ExplicitAuthFlows.
        let needs = match flow {
            F::UserSrpAuth => Some(AuthFlow::UserSrp),
            F::UserPasswordAuth => Some(AuthFlow::UserPassword),
            F::AdminUserPasswordAuth | F::AdminNoSrpAuth => Some(AuthFlow::AdminUserPassword),
            F::RefreshTokenAuth | F::RefreshToken => Some(AuthFlow::RefreshToken),
            F::CustomAuth => Some(AuthFlow::Custom),
            F::UserAuth => Some(AuthFlow::User),
        };
        if needs.is_some_and(|f| !client.allows(f)) {
            return Err(CognitoError::invalid_parameter(format!(
                "{} flow not enabled for this client",
                flow.as_str()
            )));
        }
        match flow {
            F::UserPasswordAuth | F::AdminUserPasswordAuth | F::AdminNoSrpAuth => {
                let username = required(params, "USERNAME")?;
                let password = SecretString::new(required(params, "PASSWORD")?);
                require_secret_hash(&client, params)?;
                let user = self.find_user_by_name(&pool, username).await?;
                check_secret_hash(&client, params, username, user.as_ref())?;
                let user = self
                    .verify_password_sign_in(&pool, &client, username, user, &password, at)
                    .await?;
                self.next_step(&pool, &client, user, at).await
            }
            F::UserSrpAuth => self.start_srp(&pool, &client, params, at).await,
            F::RefreshTokenAuth | F::RefreshToken => {
                self.refresh(&client, params, at.later_metadata(), requester)
                    .await
            }
            F::CustomAuth => self.start_custom_auth(&pool, &client, params, at).await,
            F::UserAuth => self.start_user_auth(&pool, &client, params, at).await,
        }
    }

    /// Cognito API: RespondToAuthChallenge and AdminRespondToAuthChallenge.
    #[allow(clippy::too_many_arguments)]
    pub async fn respond_to_auth_challenge(
        &self,
        caller: Caller<'_>,
        client_id: &str,
        challenge: &str,
        session: Option<&str>,
        responses: &Params,
        metadata: &Metadata,
        requester: &Requester,
    ) -> Result<AuthOutcome> {
        let challenge = parse_challenge(challenge)?;
        let (pool, client) = self.caller_client(caller, client_id).await?;
        self.answer_challenge(
            &pool,
            &client,
            challenge,
            session,
            responses,
            Attempt {
                device_key: responses.get("DEVICE_KEY").map(String::as_str),
                requester,
                ..Attempt::respond(metadata)
            },
        )
        .await
    }

    /// The hosted UI's sign-in with a password: the same checks, lockout
    /// and next steps as the API's, whatever the client's ExplicitAuthFlows.
    pub async fn hosted_password_sign_in(
        &self,
        pool: &UserPool,
        client: &UserPoolClient,
        username: &str,
        password: &SecretString,
        browser_device: Option<&BrowserDevice>,
    ) -> Result<AuthOutcome> {
        let at = Attempt::hosted_from(browser_device);
        let user = self.find_user_by_name(pool, username).await?;
        let user = self
            .verify_password_sign_in(pool, client, username, user, password, at)
            .await?;
        self.next_step(pool, client, user, at).await
    }

    /// Answers a challenge of a sign-in on `face`.
    pub async fn answer_challenge(
        &self,
        pool: &UserPool,
        client: &UserPoolClient,
        challenge: ChallengeName,
        session: Option<&str>,
        responses: &Params,
        at: Attempt<'_>,
    ) -> Result<AuthOutcome> {
        let face = at.face;
        let (pool, client) = (pool.clone(), client.clone());
        let username = required(responses, "USERNAME")?;
        let secret_hash_ok =
            |client: &UserPoolClient, responses: &Params, name: &str, user: Option<&User>| {
                match face {
                    Face::Api => check_secret_hash(client, responses, name, user),
                    Face::HostedUi => Ok(()),
                }
            };
        if face == Face::Api {
            require_secret_hash(&client, responses)?;
        }
        match challenge {
            ChallengeName::NewPasswordRequired => {
                let session = AuthSession::open(&self.master_key, session.unwrap_or(""))?;
                session.check(&pool.id, &client.client_id, challenge, self.clock.now())?;
                let user = self.find_user_by_name(&pool, username).await?;
                secret_hash_ok(&client, responses, username, user.as_ref())?;
                // The session is bound to its user.
                let user = user
                    .filter(|u| Some(u.sub) == session.sub)
                    .ok_or_else(invalid_session)?;
                let user = self
                    .answer_new_password(&pool, &client, user, responses, at.metadata)
                    .await?;
                let at = Attempt {
                    new_password: true,
                    ..at
                };
                self.next_step(&pool, &client, user, at).await
            }
            ChallengeName::PasswordVerifier => {
                let block = required(responses, "PASSWORD_CLAIM_SECRET_BLOCK")?;
                let session = AuthSession::open_secret_block(&self.master_key, block)?;
                session.check(&pool.id, &client.client_id, challenge, self.clock.now())?;
                let user = self.find_user_by_name(&pool, username).await?;
                secret_hash_ok(&client, responses, username, user.as_ref())?;
                let user = self
                    .answer_password_verifier(&pool, &client, &session, username, user, responses)
                    .await?;
                // CUSTOM_AUTH that began with SRP_A goes back to its functions.
                if let Some(state) = session.custom.clone() {
                    return self
                        .custom_password_verified(&pool, &client, user, state, session.expires, at)
                        .await;
                }
                self.next_step(&pool, &client, user, at).await
            }
            ChallengeName::CustomChallenge => {
                let session = AuthSession::open(&self.master_key, session.unwrap_or(""))?;
                session.check(&pool.id, &client.client_id, challenge, self.clock.now())?;
                let user = self.find_user_by_name(&pool, username).await?;
                secret_hash_ok(&client, responses, username, user.as_ref())?;
                self.answer_custom_challenge(&pool, &client, session, username, user, responses, at)
                    .await
            }
            ChallengeName::SelectChallenge | ChallengeName::SmsOtp | ChallengeName::WebAuthn => {
                let session = AuthSession::open(&self.master_key, session.unwrap_or(""))?;
                session.check(&pool.id, &client.client_id, challenge, self.clock.now())?;
                let user = self.find_user_by_name(&pool, username).await?;
                secret_hash_ok(&client, responses, username, user.as_ref())?;
                let reply = Reply {
                    session: &session,
                    username,
                    user,
                    responses,
                };
                match challenge {
                    ChallengeName::SelectChallenge => {
                        self.answer_select_challenge(&pool, &client, reply, at)
                            .await
                    }
                    ChallengeName::WebAuthn => {
                        self.answer_web_authn(&pool, &client, reply, at).await
                    }
                    _ => self.answer_sign_in_code(&pool, &client, reply, at).await,
                }
            }
            ChallengeName::DeviceSrpAuth | ChallengeName::DevicePasswordVerifier => {
                let session = match challenge {
                    ChallengeName::DeviceSrpAuth => {
                        AuthSession::open(&self.master_key, session.unwrap_or(""))?
                    }
                    _ => AuthSession::open_secret_block(
                        &self.master_key,
                        required(responses, "PASSWORD_CLAIM_SECRET_BLOCK")?,
                    )?,
                };
                session.check(&pool.id, &client.client_id, challenge, self.clock.now())?;
                let user = self.find_user_by_name(&pool, username).await?;
                secret_hash_ok(&client, responses, username, user.as_ref())?;
                // The session is bound to its user.
                let user = user
                    .filter(|u| Some(u.sub) == session.sub)
                    .ok_or_else(invalid_session)?;
                self.check_can_sign_in(&user)?;
                if challenge == ChallengeName::DeviceSrpAuth {
                    let challenge = self
                        .device_password_verifier_challenge(
                            &pool, &client, &user, &session, responses,
                        )
                        .await?;
                    return Ok(AuthOutcome::Challenge(challenge));
                }
                self.answer_device_password_verifier(&pool, &client, user, &session, responses, at)
                    .await
            }
            ChallengeName::SoftwareTokenMfa
            | ChallengeName::SmsMfa
            | ChallengeName::EmailOtp
            | ChallengeName::SelectMfaType
            | ChallengeName::MfaSetup => {
                let session = AuthSession::open(&self.master_key, session.unwrap_or(""))?;
                session.check(&pool.id, &client.client_id, challenge, self.clock.now())?;
                let user = self.find_user_by_name(&pool, username).await?;
                secret_hash_ok(&client, responses, username, user.as_ref())?;
                // USER_AUTH's EMAIL_OTP is a first factor, not MFA.
                if session.first_factor {
                    let reply = Reply {
                        session: &session,
                        username,
                        user,
                        responses,
                    };
                    return self.answer_sign_in_code(&pool, &client, reply, at).await;
                }
                // The session is bound to its user.
                let user = user
                    .filter(|u| Some(u.sub) == session.sub)
                    .ok_or_else(invalid_session)?;
                self.check_can_sign_in(&user)?;
                self.answer_mfa(&pool, &client, user, &session, responses, at)
                    .await
            }
        }
    }

    /// Checks a password sign-in, the same for the API's password flows and
    /// the hosted UI. The password is checked before anything about the
    /// user is revealed, and costs the same for users that do not exist
    /// (Cognito developer guide: "Managing user existence error responses").
    pub async fn verify_password_sign_in(
        &self,
        pool: &UserPool,
        client: &UserPoolClient,
        name: &str,
        user: Option<User>,
        password: &SecretString,
        at: Attempt<'_>,
    ) -> Result<User> {
        let hide = client.prevents_user_existence_errors();
        // Under PreventUserExistenceErrors an unknown name locks out too,
        // before the pool's UserMigration function is asked about it.
        if user.is_none() && hide {
            self.check_ghost_not_locked_out(pool, name).await?;
        }
        // `unknown_to_function`: the pool's UserMigration function was asked
        // and knows no such user either.
        let (user, unknown_to_function) = match user {
            Some(user) => (Some(user), false),
            None => match self
                .migrate_on_sign_in(pool, client, name, password, at)
                .await
            {
                // Migrated: the sign-in goes on as for any user.
                Ok(Migrated::User(user)) => (Some(*user), false),
                Ok(Migrated::Unknown) => (None, true),
                Ok(Migrated::NotConfigured) => (None, false),
                Err(e) => {
                    // A function that refuses ("Bad password") is a failed
                    // sign-in on that name, counted as one.
                    if hide && matches!(e, CognitoError::UserLambdaValidation(_)) {
                        self.record_ghost_sign_in_failure(pool, name).await?;
                    }
                    return Err(e);
                }
            },
        };
        let ghost = user.is_none() && hide;
        if let Some(user) = &user {
            self.check_not_locked_out(user)?;
        }
        if user.is_some() || ghost {
            self.pre_authentication(pool, client, name, user.as_ref(), at)
                .await?;
        }
        let matches = self
            .password_matches(pool, user.as_ref(), name, password)
            .await?;
        let Some(mut user) = user else {
            if ghost {
                self.record_ghost_sign_in_failure(pool, name).await?;
            }
            return Err(if unknown_to_function {
                not_migrated(client)
            } else {
                unknown_user(client)
            });
        };
        if !matches {
            self.record_sign_in_failure(pool, &user).await?;
            // A user whose password was reset has none to check: tell them
            // to reset it, unless the client hides which users exist.
            if user.status == UserStatus::ResetRequired
                && user.credential.is_none()
                && !client.prevents_user_existence_errors()
            {
                return Err(reset_required());
            }
            return Err(incorrect());
        }
        self.clear_sign_in_failures(pool, &mut user).await?;
        self.check_can_sign_in(&user)?;
        Ok(user)
    }

    /// The step after the user proved who they are: a new password when
    /// theirs is temporary, then MFA when the pool and the user call for it
    /// (see `mfa.rs`), then the tokens.
    pub async fn next_step(
        &self,
        pool: &UserPool,
        client: &UserPoolClient,
        user: User,
        at: Attempt<'_>,
    ) -> Result<AuthOutcome> {
        if user.status == UserStatus::ForceChangePassword {
            return Ok(AuthOutcome::Challenge(
                self.new_password_challenge(pool, client, &user)?,
            ));
        }
        if let Some(challenge) = self.device_challenge(pool, client, &user, at).await? {
            return Ok(AuthOutcome::Challenge(challenge));
        }
        if !self.browser_device_skips_mfa(pool, &user, at).await?
            && let Some(challenge) = self.mfa_challenge(pool, client, &user).await?
        {
            return Ok(AuthOutcome::Challenge(challenge));
        }
        self.signed_in(pool, client, user, at).await
    }

    /// The end of a sign-in: tokens for the API, the user for the hosted UI.
    pub(crate) async fn signed_in(
        &self,
        pool: &UserPool,
        client: &UserPoolClient,
        user: User,
        at: Attempt<'_>,
    ) -> Result<AuthOutcome> {
        self.post_authentication(pool, client, &user, at).await?;
        match at.face {
            Face::Api => {
                let source = if at.new_password {
                    TokenSource::NewPasswordChallenge
                } else {
                    TokenSource::Authentication
                };
                let mut tokens = self
                    .issue_sign_in_tokens(
                        pool,
                        client,
                        &user,
                        vec![ADMIN_SCOPE.to_owned()],
                        source,
                        at.later_metadata(),
                        at.requester,
                    )
                    .await?;
                tokens.new_device = self.sign_in_device(pool, &user, at).await?;
                Ok(AuthOutcome::Authenticated(tokens))
            }
            Face::HostedUi => Ok(AuthOutcome::SignedIn(Box::new(user))),
        }
    }

    pub(super) fn session_for(
        &self,
        pool: &UserPool,
        client: &UserPoolClient,
        user: Option<&User>,
        challenge: ChallengeName,
    ) -> AuthSession {
        AuthSession::new(
            &pool.id,
            &client.client_id,
            user.map(|u| u.sub),
            challenge,
            self.clock.now().plus_seconds(client.auth_session_seconds()),
        )
    }

    /// NEW_PASSWORD_REQUIRED's parameters, as amazon-cognito-identity-js
    /// reads them: `userAttributes` (JSON object) and `requiredAttributes`
    /// (JSON array of `userAttributes.<name>` still missing).
    pub(super) fn new_password_challenge(
        &self,
        pool: &UserPool,
        client: &UserPoolClient,
        user: &User,
    ) -> Result<Challenge> {
        let attributes: Map<String, Value> = user
            .attributes
            .iter()
            .map(|a| (a.name.clone(), Value::String(a.value.clone())))
            .collect();
        let missing: Vec<String> = missing_required(pool, user)
            .into_iter()
            .map(|n| format!("userAttributes.{n}"))
            .collect();
        let session = self
            .session_for(pool, client, Some(user), ChallengeName::NewPasswordRequired)
            .seal(&self.master_key)?;
        let parameters = BTreeMap::from([
            ("USER_ID_FOR_SRP".to_owned(), user.username.clone()),
            (
                "requiredAttributes".to_owned(),
                serde_json::to_string(&missing).map_err(CognitoError::internal)?,
            ),
            (
                "userAttributes".to_owned(),
                Value::Object(attributes).to_string(),
            ),
        ]);
        Ok(Challenge {
            name: ChallengeName::NewPasswordRequired,
            parameters,
            session: Some(session),
            available: None,
        })
    }

    /// NEW_PASSWORD_REQUIRED: NEW_PASSWORD and any `userAttributes.<name>`;
    /// the user becomes CONFIRMED with the new password. The attributes go
    /// through the same checks and the same write path as
    /// UpdateUserAttributes; a refused one changes nothing.
    async fn answer_new_password(
        &self,
        pool: &UserPool,
        client: &UserPoolClient,
        user: User,
        responses: &Params,
        metadata: &Metadata,
    ) -> Result<User> {
        // Two answers to one session race here: the second sees the first's write.
        let (_guard, original) = self.lock_user(pool, &user).await?;
        // A session already answered (or a user changed meanwhile) is spent.
        if original.status != UserStatus::ForceChangePassword {
            return Err(invalid_session());
        }
        self.check_can_sign_in(&original)?;
        let password = SecretString::new(required(responses, "NEW_PASSWORD")?);
        let given: Vec<AttributeType> = responses
            .iter()
            .filter_map(|(key, value)| {
                let name = key.strip_prefix("userAttributes.")?;
                Some(AttributeType::new(name, value.clone()))
            })
            .collect();
        let writer = Writer::Client(client);
        check_writes(
            pool,
            writer,
            &given,
            WriteTime::NewPasswordChallenge(&original),
        )?;
        let mut user = original.clone();
        let codes = stage_attribute_writes(pool, writer, &mut user, &given);
        if let Some(name) = missing_required(pool, &user).first() {
            return Err(CognitoError::invalid_parameter(format!(
                "Invalid attributes given, {name} is missing"
            )));
        }
        self.set_password(pool, &mut user, &password, false).await?;
        user.status = UserStatus::Confirmed;
        self.commit_with_codes(
            pool,
            &original,
            &mut user,
            codes,
            Some(&client.client_id),
            metadata,
        )
        .await?;
        Ok(user)
    }

    /// USER_SRP_AUTH: answers SRP_A with a PASSWORD_VERIFIER challenge. The
    /// server's secret travels sealed in SECRET_BLOCK, which the client
    /// signs and sends back. A user that does not exist gets a decoy
    /// challenge that no proof can pass.
    async fn start_srp(
        &self,
        pool: &UserPool,
        client: &UserPoolClient,
        params: &Params,
        at: Attempt<'_>,
    ) -> Result<AuthOutcome> {
        let username = required(params, "USERNAME")?;
        let srp_a = required(params, "SRP_A")?;
        check_srp_a(pool, srp_a)?;
        require_secret_hash(client, params)?;
        // No UserMigration here: SRP sends no password to give the function.
        // Cognito answers an unknown name here as any unknown name, migration
        // function or not; apps that migrate users sign in with
        // USER_PASSWORD_AUTH (developer guide, "Importing users with a user
        // migration Lambda trigger").
        let user = self.find_user_by_name(pool, username).await?;
        check_secret_hash(client, params, username, user.as_ref())?;
        self.srp_first_step(pool, client, username, user.as_ref(), srp_a, at)
            .await
    }

    /// SRP_A received (USER_SRP_AUTH, USER_AUTH's PASSWORD_SRP):
    /// PreAuthentication, then PASSWORD_VERIFIER.
    pub(super) async fn srp_first_step(
        &self,
        pool: &UserPool,
        client: &UserPoolClient,
        username: &str,
        user: Option<&User>,
        srp_a: &str,
        at: Attempt<'_>,
    ) -> Result<AuthOutcome> {
        if user.is_some() || client.prevents_user_existence_errors() {
            self.pre_authentication(pool, client, username, user, at)
                .await?;
        }
        let challenge = self
            .password_verifier_challenge(pool, client, username, user, srp_a, None)
            .await?;
        Ok(AuthOutcome::Challenge(challenge))
    }

    /// PASSWORD_VERIFIER for SRP_A: the salt, B and the sealed secret block
    /// (carrying `custom`, a CUSTOM_AUTH flow that began with SRP_A).
    pub(super) async fn password_verifier_challenge(
        &self,
        pool: &UserPool,
        client: &UserPoolClient,
        username: &str,
        user: Option<&User>,
        srp_a: &str,
        custom: Option<CustomAuthState>,
    ) -> Result<Challenge> {
        let (verifier, user_id) = match self.srp_verifier_of(pool, user)? {
            Some((v, u)) => (v, u.username.clone()),
            None if !client.prevents_user_existence_errors() && user.is_none() => {
                return Err(unknown_user(client));
            }
            None => (
                self.hasher.decoy_srp_verifier(&pool.id, username).await?,
                username.to_owned(),
            ),
        };
        let challenge = self.hasher.srp_challenge(&verifier).await?;
        let state = challenge.to_bytes();
        let mut session = self.session_for(
            pool,
            client,
            user.filter(|u| u.credential.is_some()),
            ChallengeName::PasswordVerifier,
        );
        session.srp = Some(SrpState {
            a: srp_a.to_owned(),
            b: B64.encode(&state[..state.len() - SRP_V_BYTES]),
        });
        session.custom = custom;
        let parameters = BTreeMap::from([
            ("SALT".to_owned(), verifier.salt_hex()),
            ("SRP_B".to_owned(), challenge.srp_b_hex()),
            (
                "SECRET_BLOCK".to_owned(),
                session.seal_secret_block(&self.master_key)?,
            ),
            ("USERNAME".to_owned(), user_id.clone()),
            ("USER_ID_FOR_SRP".to_owned(), user_id),
        ]);
        Ok(Challenge {
            name: ChallengeName::PasswordVerifier,
            parameters,
            session: None,
            available: None,
        })
    }

    /// The user's SRP verifier, if they have a password kept as one.
    fn srp_verifier_of<'u>(
        &self,
        pool: &UserPool,
        user: Option<&'u User>,
    ) -> Result<Option<(srp::SrpVerifier, &'u User)>> {
        let Some((user, sealed)) = user.and_then(|u| u.credential.as_ref().map(|c| (u, c))) else {
            return Ok(None);
        };
        let credential =
            PasswordCredential::open(&self.master_key, &pool.id, &user.sub.to_string(), sealed)?;
        Ok(credential.srp_verifier().cloned().map(|v| (v, user)))
    }

    /// PASSWORD_VERIFIER: checks PASSWORD_CLAIM_SIGNATURE against the
    /// challenge sealed in the secret block, then the user's state.
    async fn answer_password_verifier(
        &self,
        pool: &UserPool,
        client: &UserPoolClient,
        session: &AuthSession,
        username: &str,
        user: Option<User>,
        responses: &Params,
    ) -> Result<User> {
        let signature = required(responses, "PASSWORD_CLAIM_SIGNATURE")?;
        let timestamp = required(responses, "TIMESTAMP")?;
        let block = required(responses, "PASSWORD_CLAIM_SECRET_BLOCK")?;
        // The proof is checked over the time in Cognito's own spelling (see
        // `srp::canonical_timestamp`). The client's clock is not bounded:
        // Cognito documents no such window, and the sealed SECRET_BLOCK
        // already expires with the session.
        let Some(timestamp) = srp::canonical_timestamp(timestamp) else {
            return Err(CognitoError::invalid_parameter(
                "TIMESTAMP is not in the format 'ddd MMM d HH:mm:ss UTC yyyy'.",
            ));
        };
        let state = session.srp.as_ref().ok_or_else(invalid_session)?;
        // The session is bound to its user.
        let known = match (&user, session.sub) {
            (Some(u), Some(sub)) if u.sub == sub => true,
            (Some(_), Some(_)) => return Err(invalid_session()),
            _ => false,
        };
        // Under PreventUserExistenceErrors an unknown name locks out too.
        let ghost = user.is_none() && client.prevents_user_existence_errors();
        if let Some(user) = user.as_ref().filter(|_| known) {
            self.check_not_locked_out(user)?;
        } else if ghost {
            self.check_ghost_not_locked_out(pool, username).await?;
        }
        let (verifier, user_id) =
            match self.srp_verifier_of(pool, user.as_ref().filter(|_| known))? {
                Some((v, u)) => (v, u.username.clone()),
                None => (
                    self.hasher.decoy_srp_verifier(&pool.id, username).await?,
                    username.to_owned(),
                ),
            };
        let mut bytes =
            zeroize::Zeroizing::new(B64.decode(&state.b).map_err(|_| invalid_session())?);
        if verifier.verifier.len() != SRP_V_BYTES {
            return Err(CognitoError::internal(
                "stored SRP verifier has the wrong length",
            ));
        }
        bytes.extend_from_slice(&verifier.verifier);
        let challenge = ServerChallenge::from_bytes(&bytes).map_err(|_| invalid_session())?;
        let proof = self
            .hasher
            .srp_verify(
                challenge, &state.a, block, &timestamp, signature, &pool.id, &user_id,
            )
            .await;
        let mut user = match (proof, user) {
            (Ok(()), Some(user)) if known => user,
            (Err(SrpError::SignatureMismatch), Some(user)) if known => {
                self.record_sign_in_failure(pool, &user).await?;
                return Err(incorrect());
            }
            (Ok(()) | Err(SrpError::SignatureMismatch), _) => {
                if ghost {
                    self.record_ghost_sign_in_failure(pool, username).await?;
                }
                return Err(incorrect());
            }
            (Err(e), _) => return Err(e.into()),
        };
        self.clear_sign_in_failures(pool, &mut user).await?;
        self.check_can_sign_in(&user)?;
        Ok(user)
    }

    /// REFRESH_TOKEN_AUTH: new ID and access tokens for the refresh
    /// token's sign-in (same origin_jti and auth_time), no new refresh
    /// token. Cognito API: RefreshTokenRotationType — "refresh token
    /// rotation must be completed with GetTokensFromRefreshToken": a
    /// rotating client refuses this flow.
    async fn refresh(
        &self,
        client: &UserPoolClient,
        params: &Params,
        metadata: &Metadata,
        requester: &Requester,
    ) -> Result<AuthOutcome> {
        let token = required(params, "REFRESH_TOKEN")?;
        if client.rotation_grace_seconds().is_some() {
            return Err(CognitoError::invalid_parameter(
                "REFRESH_TOKEN_AUTH is not available to a client with refresh token rotation; use GetTokensFromRefreshToken.",
            ));
        }
        require_secret_hash(client, params)?;
        let redeemed = self.redeem(client, token).await.map_err(|e| match e {
            // A token retired while the client rotated, used after it
            // stopped: GetTokensFromRefreshToken's exception, which
            // InitiateAuth does not have.
            CognitoError::RefreshTokenReuse(_) => {
                CognitoError::NotAuthorized("Refresh Token has been revoked".into())
            }
            other => other,
        })?;
        let user = &redeemed.user;
        // A refresh from a device names one of the user's own devices.
        if let Some(key) = params.get("DEVICE_KEY") {
            self.user_device(user, key).await?;
        }
        // The username in SECRET_HASH is the user's: their username, sub,
        // or the alias they sign in with.
        let sub = user.sub.to_string();
        let candidates = [
            Some(user.username.as_str()),
            Some(sub.as_str()),
            user.attribute("email"),
            user.attribute("phone_number"),
            user.attribute("preferred_username"),
        ];
        let hash = params.get("SECRET_HASH").map(String::as_str);
        let matches = candidates
            .into_iter()
            .flatten()
            .any(|name| client_secret::check_secret_hash(client, name, None, hash).is_ok());
        if !matches {
            return Err(bad_secret_hash(client));
        }
        self.touch_token_session(&redeemed.pool, &redeemed.grant.origin_jti, requester)
            .await?;
        let tokens = self
            .sign_tokens(
                &redeemed.pool,
                client,
                user,
                &redeemed.grant,
                TokenSource::RefreshTokens,
                metadata,
            )
            .await?;
        Ok(AuthOutcome::Authenticated(tokens))
    }
}

pub(super) fn unknown_user(client: &UserPoolClient) -> CognitoError {
    if client.prevents_user_existence_errors() {
        incorrect()
    } else {
        CognitoError::UserNotFound("User does not exist.".into())
    }
}

/// SRP_A of USER_SRP_AUTH (or of CUSTOM_AUTH with SRP): a pool that keeps
/// SRP verifiers, and a well-formed A.
pub(super) fn check_srp_a(pool: &UserPool, srp_a: &str) -> Result<()> {
    if pool.password_storage != PasswordStorage::Srp {
        return Err(CognitoError::invalid_parameter(
            "USER_SRP_AUTH is not available: this user pool keeps passwords with argon2id.",
        ));
    }
    // 3072-bit A: at most 768 hex digits (a few more if zero-padded).
    if srp_a.len() > 800 || !srp_a.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(SrpError::MalformedA.into());
    }
    Ok(())
}

fn reset_required() -> CognitoError {
    CognitoError::PasswordResetRequired("Password reset required for the user".into())
}

fn bad_secret_hash(client: &UserPoolClient) -> CognitoError {
    CognitoError::NotAuthorized(format!(
        "Unable to verify secret hash for client {}",
        client.client_id
    ))
}

/// Cognito API: InitiateAuth, AuthParameters — SECRET_HASH is required
/// when the client has a secret; checked before anything else is looked at.
pub(super) fn require_secret_hash(client: &UserPoolClient, params: &Params) -> Result<()> {
    if client.client_secret.is_some() && params.get("SECRET_HASH").is_none_or(|h| h.is_empty()) {
        return Err(CognitoError::NotAuthorized(format!(
            "Client {} is configured with secret but SECRET_HASH was not received",
            client.client_id
        )));
    }
    Ok(())
}

/// Checks SECRET_HASH (in constant time) with the name the caller gave or
/// the user's username: a user may sign in with an alias.
pub(super) fn check_secret_hash(
    client: &UserPoolClient,
    params: &Params,
    given_name: &str,
    user: Option<&User>,
) -> Result<()> {
    client_secret::check_secret_hash(
        client,
        given_name,
        user,
        params.get("SECRET_HASH").map(String::as_str),
    )
}

/// Required attributes of the pool's schema the user has no value for.
fn missing_required(pool: &UserPool, user: &User) -> Vec<String> {
    pool.schema_attributes
        .iter()
        .filter(|s| s.required && s.name != "sub" && user.attribute(&s.name).is_none())
        .map(|s| s.name.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flows_and_challenges_parse_by_cognitos_names() {
        assert_eq!(
            InitiateFlow::parse("USER_PASSWORD_AUTH").unwrap(),
            InitiateFlow::UserPasswordAuth
        );
        assert_eq!(InitiateFlow::RefreshToken.as_str(), "REFRESH_TOKEN");
        assert!(InitiateFlow::parse("nope").is_err());
        assert_eq!(
            parse_challenge("NEW_PASSWORD_REQUIRED").unwrap(),
            ChallengeName::NewPasswordRequired
        );
        assert_eq!(
            parse_challenge("CUSTOM_CHALLENGE").unwrap(),
            ChallengeName::CustomChallenge
        );
        assert!(
            parse_challenge("ADMIN_NO_SRP_AUTH")
                .unwrap_err()
                .message()
                .contains("not supported")
        );
        assert!(
            parse_challenge("BOGUS")
                .unwrap_err()
                .message()
                .contains("enum value set")
        );
    }
}
