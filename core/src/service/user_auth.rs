//! USER_AUTH, choice-based sign-in (Cognito developer guide,
//! "Authentication flows: choice-based"): the pool's SignInPolicy names the
//! first factors it allows; InitiateAuth either goes straight to the
//! PREFERRED_CHALLENGE or answers SELECT_CHALLENGE with the
//! AvailableChallenges, and the answer leads to PASSWORD (then MFA as after
//! any password), PASSWORD_SRP (then PASSWORD_VERIFIER), or a one-time code
//! by email (EMAIL_OTP) or SMS (SMS_OTP): eight digits, single use, five
//! tries, sent through the same message path as every code.
//!
//! Under PreventUserExistenceErrors every name gets the pool's factors,
//! and a name no user has gets a decoy challenge that no answer passes.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use tokio::time::Instant;

use super::Idp;
use super::auth::{
    Attempt, AuthOutcome, Challenge, Face, Params, check_secret_hash, check_srp_a,
    require_secret_hash, required, unknown_user,
};
use super::codes::{CodePurpose, code_mismatch, mask};
use super::messages::Purpose;
use super::mfa::mfa_text;
use super::pacing::Step;
use super::session::{AuthSession, ChallengeName, invalid_session};
use crate::crypto::SecretString;
use crate::error::{CognitoError, Result};
use crate::model::pool::{AuthFactor, MfaConfiguration, PasswordStorage};
use crate::model::{User, UserPool, UserPoolClient, UserStatus};
use crate::store::outbox::Channel;

/// A first-factor challenge of USER_AUTH: Cognito API, ChallengeNameType.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FirstFactor {
    Password,
    PasswordSrp,
    EmailOtp,
    SmsOtp,
    WebAuthn,
}

impl FirstFactor {
    const ALL: [FirstFactor; 5] = [
        Self::Password,
        Self::PasswordSrp,
        Self::EmailOtp,
        Self::SmsOtp,
        Self::WebAuthn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Password => "PASSWORD",
            Self::PasswordSrp => "PASSWORD_SRP",
            Self::EmailOtp => "EMAIL_OTP",
            Self::SmsOtp => "SMS_OTP",
            Self::WebAuthn => "WEB_AUTHN",
        }
    }

    fn parse(s: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| {
                CognitoError::invalid_parameter(format!(
                    "{s} is not a challenge USER_AUTH can begin with (PASSWORD, PASSWORD_SRP, EMAIL_OTP, SMS_OTP, WEB_AUTHN)."
                ))
            })
    }

    /// The attribute a code of this factor goes to.
    fn attribute(self) -> Option<&'static str> {
        match self {
            Self::EmailOtp => Some("email"),
            Self::SmsOtp => Some("phone_number"),
            _ => None,
        }
    }

    fn challenge(self) -> ChallengeName {
        match self {
            Self::SmsOtp => ChallengeName::SmsOtp,
            _ => ChallengeName::EmailOtp,
        }
    }

    /// The ChallengeResponses member that carries the code.
    fn code_member(self) -> &'static str {
        match self {
            Self::SmsOtp => "SMS_OTP_CODE",
            _ => "EMAIL_OTP_CODE",
        }
    }
}

/// The first factors `pool` offers at all. One-time codes are not offered
/// when MFA is required: a code to an inbox would stand in for two factors.
fn pool_first_factors(pool: &UserPool) -> Vec<FirstFactor> {
    let policy = &pool.config.policies.sign_in_policy;
    let mut out = Vec::new();
    if policy.allows(AuthFactor::Password) {
        out.push(FirstFactor::Password);
        if pool.password_storage == PasswordStorage::Srp {
            out.push(FirstFactor::PasswordSrp);
        }
    }
    if policy.allows(AuthFactor::WebAuthn) {
        out.push(FirstFactor::WebAuthn);
    }
    if pool.config.mfa_configuration != MfaConfiguration::On {
        if policy.allows(AuthFactor::EmailOtp) {
            out.push(FirstFactor::EmailOtp);
        }
        if policy.allows(AuthFactor::SmsOtp) {
            out.push(FirstFactor::SmsOtp);
        }
    }
    out
}

/// What the hosted sign-in page offers besides a password (Cognito's
/// managed login shows what the SignInPolicy allows).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HostedFactors {
    /// "Email me a code", "Text me a code".
    pub email_code: bool,
    pub sms_code: bool,
    /// "Sign in with a passkey" (the pool has a relying party too).
    pub passkey: bool,
}

pub fn hosted_factors(pool: &UserPool) -> HostedFactors {
    let f = pool_first_factors(pool);
    HostedFactors {
        email_code: f.contains(&FirstFactor::EmailOtp),
        sms_code: f.contains(&FirstFactor::SmsOtp),
        passkey: f.contains(&FirstFactor::WebAuthn) && super::passkeys::relying_party(pool).is_ok(),
    }
}

/// The first factors `user` can use: a password they have, a code to a
/// verified email address or phone number.
fn user_first_factors(pool: &UserPool, user: &User) -> Vec<FirstFactor> {
    pool_first_factors(pool)
        .into_iter()
        .filter(|f| match f {
            FirstFactor::Password | FirstFactor::PasswordSrp => user.credential.is_some(),
            FirstFactor::WebAuthn => !user.settings.passkeys.is_empty(),
            other => other
                .attribute()
                .is_some_and(|a| user.attribute(a).is_some() && user.is_verified(a)),
        })
        .collect()
}

/// GetUserAuthFactors' ConfiguredUserAuthFactors: Cognito's AuthFactorType
/// names of the factors the user can begin USER_AUTH with.
pub fn configured_auth_factors(pool: &UserPool, user: &User) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = user_first_factors(pool, user)
        .into_iter()
        .map(|f| match f {
            FirstFactor::Password | FirstFactor::PasswordSrp => "PASSWORD",
            other => other.as_str(),
        })
        .collect();
    out.dedup();
    out
}

/// The first factor chosen, by whom, with what came along (PASSWORD, SRP_A).
struct Chosen<'p> {
    username: &'p str,
    subject: Subject,
    factor: FirstFactor,
    params: &'p Params,
}

/// An answer to a USER_AUTH challenge: its opened session, the USERNAME it
/// names and that name's user, and the ChallengeResponses.
pub(super) struct Reply<'r> {
    pub session: &'r AuthSession,
    pub username: &'r str,
    pub user: Option<User>,
    pub responses: &'r Params,
}

impl Reply<'_> {
    /// The user (or ghost) the session was issued for, if USERNAME names
    /// them.
    fn subject(self) -> Result<Subject> {
        match (self.session.sub, self.user, &self.session.ghost) {
            (Some(sub), Some(u), _) if u.sub == sub => Ok(Subject::User(Box::new(u))),
            (None, _, Some(name)) if name == self.username => Ok(Subject::Ghost(name.clone())),
            _ => Err(invalid_session()),
        }
    }
}

/// Who a USER_AUTH attempt is about: a user, or under
/// PreventUserExistenceErrors a name no user has.
enum Subject {
    User(Box<User>),
    Ghost(String),
}

impl Idp {
    /// The hosted UI's "Email me a code", "Text me a code" and "Sign in
    /// with a passkey": USER_AUTH with EMAIL_OTP, SMS_OTP or WEB_AUTHN as
    /// the first factor. The page never tells whether the name is a user's
    /// (CONVENTIONS.md §5): a name no user has, or a user without that
    /// verified address or without passkeys, gets the same page, and no
    /// code and no passkey answers it.
    pub async fn hosted_first_factor(
        &self,
        pool: &UserPool,
        client: &UserPoolClient,
        username: &str,
        factor: &str,
    ) -> Result<AuthOutcome> {
        let factor = FirstFactor::parse(factor)?;
        if !matches!(
            factor,
            FirstFactor::EmailOtp | FirstFactor::SmsOtp | FirstFactor::WebAuthn
        ) || !pool_first_factors(pool).contains(&factor)
        {
            return Err(CognitoError::invalid_parameter(format!(
                "{} is not allowed by the user pool's SignInPolicy.",
                factor.as_str()
            )));
        }
        let user = self.find_user_by_name(pool, username).await?;
        if user.is_none() {
            self.check_ghost_not_locked_out(pool, username).await?;
        }
        let at = Attempt::hosted();
        match factor {
            FirstFactor::WebAuthn => self.begin_passkey(pool, client, username, user, at).await,
            _ => {
                self.send_sign_in_code(pool, client, username, user, factor, at)
                    .await
            }
        }
    }

    /// InitiateAuth / AdminInitiateAuth with AuthFlow USER_AUTH.
    pub(super) async fn start_user_auth(
        &self,
        pool: &UserPool,
        client: &UserPoolClient,
        params: &Params,
        at: Attempt<'_>,
    ) -> Result<AuthOutcome> {
        let username = required(params, "USERNAME")?;
        require_secret_hash(client, params)?;
        let preferred = params
            .get("PREFERRED_CHALLENGE")
            .filter(|p| !p.is_empty())
            .map(|p| FirstFactor::parse(p))
            .transpose()?;
        let user = self.find_user_by_name(pool, username).await?;
        check_secret_hash(client, params, username, user.as_ref())?;
        let subject = match user {
            Some(u) => Subject::User(Box::new(u)),
            None if client.prevents_user_existence_errors() => {
                self.check_ghost_not_locked_out(pool, username).await?;
                Subject::Ghost(username.to_owned())
            }
            None => return Err(unknown_user(client)),
        };
        let available = self.available(pool, client, &subject);
        match preferred.filter(|p| available.contains(p)) {
            Some(factor) => {
                let chosen = Chosen {
                    username,
                    subject,
                    factor,
                    params,
                };
                self.begin_factor(pool, client, chosen, at).await
            }
            // Cognito API: InitiateAuth, AuthParameters — without
            // PREFERRED_CHALLENGE (or with one the user cannot use), the
            // AvailableChallenges to choose from.
            None => {
                let session =
                    self.user_auth_session(pool, client, &subject, ChallengeName::SelectChallenge);
                Ok(AuthOutcome::Challenge(Challenge {
                    name: ChallengeName::SelectChallenge,
                    parameters: BTreeMap::new(),
                    session: Some(session.seal(&self.master_key)?),
                    available: Some(available.iter().map(|f| f.as_str()).collect()),
                }))
            }
        }
    }

    /// What SELECT_CHALLENGE offers: the user's own factors, or, when the
    /// client hides which users exist, the pool's (so that neither a name
    /// no user has nor the factors a user lacks show).
    fn available(
        &self,
        pool: &UserPool,
        client: &UserPoolClient,
        subject: &Subject,
    ) -> Vec<FirstFactor> {
        match subject {
            Subject::User(u) if !client.prevents_user_existence_errors() => {
                user_first_factors(pool, u)
            }
            _ => pool_first_factors(pool),
        }
    }

    fn user_auth_session(
        &self,
        pool: &UserPool,
        client: &UserPoolClient,
        subject: &Subject,
        challenge: ChallengeName,
    ) -> AuthSession {
        let mut session = AuthSession::new(
            &pool.id,
            &client.client_id,
            match subject {
                Subject::User(u) => Some(u.sub),
                Subject::Ghost(_) => None,
            },
            challenge,
            self.clock.now().plus_seconds(client.auth_session_seconds()),
        );
        if let Subject::Ghost(name) = subject {
            session.ghost = Some(name.clone());
        }
        session.first_factor = true;
        session
    }

    /// The chosen first factor, with what the caller sent along (PASSWORD,
    /// SRP_A).
    async fn begin_factor(
        &self,
        pool: &UserPool,
        client: &UserPoolClient,
        chosen: Chosen<'_>,
        at: Attempt<'_>,
    ) -> Result<AuthOutcome> {
        let Chosen {
            username,
            subject,
            factor,
            params,
        } = chosen;
        let user = match subject {
            Subject::User(u) => Some(*u),
            Subject::Ghost(_) => None,
        };
        match factor {
            FirstFactor::Password => {
                let password = SecretString::new(required(params, "PASSWORD")?);
                let user = self
                    .verify_password_sign_in(pool, client, username, user, &password, at)
                    .await?;
                self.next_step(pool, client, user, at).await
            }
            FirstFactor::PasswordSrp => {
                let srp_a = required(params, "SRP_A")?;
                check_srp_a(pool, srp_a)?;
                self.srp_first_step(pool, client, username, user.as_ref(), srp_a, at)
                    .await
            }
            FirstFactor::EmailOtp | FirstFactor::SmsOtp => {
                self.send_sign_in_code(pool, client, username, user, factor, at)
                    .await
            }
            FirstFactor::WebAuthn => self.begin_passkey(pool, client, username, user, at).await,
        }
    }

    /// EMAIL_OTP or SMS_OTP as the first factor: PreAuthentication, then an
    /// eight-digit code to the user's verified address. A name no user has
    /// (or a user without that address, when the client hides which users
    /// exist) gets the same challenge and no code.
    async fn send_sign_in_code(
        &self,
        pool: &UserPool,
        client: &UserPoolClient,
        username: &str,
        user: Option<User>,
        factor: FirstFactor,
        at: Attempt<'_>,
    ) -> Result<AuthOutcome> {
        let attribute = factor.attribute().ok_or_else(invalid_session)?;
        let started = Instant::now();
        if let Some(u) = &user {
            self.check_not_locked_out(u)?;
        }
        self.pre_authentication(pool, client, username, user.as_ref(), at)
            .await?;
        let target = user.as_ref().and_then(|u| {
            u.is_verified(attribute)
                .then(|| u.attribute(attribute).map(str::to_owned))
                .flatten()
        });
        let (subject, destination) = match (user, target) {
            (Some(u), Some(dest)) => {
                self.check_can_sign_in(&u)?;
                let (_guard, mut fresh) = self.lock_user(pool, &u).await?;
                let code =
                    self.issue_code(pool, &mut fresh, CodePurpose::SignIn, Some(attribute), None);
                self.store.update_user(pool, &fresh).await?;
                let channel = super::codes::channel_of(attribute);
                let text = mfa_text(pool, channel, code.expose());
                let purpose = Purpose::new("CustomMessage_Authentication", code.expose())
                    .for_client(&client.client_id, at.later_metadata());
                if let Err(e) = self
                    .deliver(pool, &fresh, channel, &dest, text, purpose)
                    .await
                {
                    if matches!(e, CognitoError::TooManyRequests(_)) {
                        return Err(e);
                    }
                    tracing::warn!(pool = %pool.id, error = %e, "sign-in code not delivered");
                    return Err(CognitoError::CodeDeliveryFailure(
                        "Unable to deliver the authentication code.".into(),
                    ));
                }
                self.pacing.record(Step::SignInCodeSent, started);
                (Subject::User(Box::new(fresh)), mask(attribute, &dest))
            }
            // The same answer, as late as a real one (CONVENTIONS.md §5);
            // the hosted UI always hides which users exist.
            (_, _) if client.prevents_user_existence_errors() || at.face == Face::HostedUi => {
                self.pacing.pad(Step::SignInCodeSent, started).await;
                (
                    Subject::Ghost(username.to_owned()),
                    self.decoy_destination(pool, username, attribute),
                )
            }
            (Some(_), None) => {
                return Err(CognitoError::invalid_parameter(format!(
                    "User does not have a verified {attribute} to send a code to."
                )));
            }
            (None, _) => return Err(unknown_user(client)),
        };
        let session = self.user_auth_session(pool, client, &subject, factor.challenge());
        let medium = match super::codes::channel_of(attribute) {
            Channel::Sms => "SMS",
            Channel::Email => "EMAIL",
        };
        let parameters = BTreeMap::from([
            (
                "CODE_DELIVERY_DELIVERY_MEDIUM".to_owned(),
                medium.to_owned(),
            ),
            ("CODE_DELIVERY_DESTINATION".to_owned(), destination),
        ]);
        Ok(AuthOutcome::Challenge(Challenge {
            name: factor.challenge(),
            parameters,
            session: Some(session.seal(&self.master_key)?),
            available: None,
        }))
    }

    /// RespondToAuthChallenge SELECT_CHALLENGE: ANSWER names one of the
    /// AvailableChallenges; PASSWORD or SRP_A come along with it.
    pub(super) async fn answer_select_challenge(
        &self,
        pool: &UserPool,
        client: &UserPoolClient,
        reply: Reply<'_>,
        at: Attempt<'_>,
    ) -> Result<AuthOutcome> {
        let (username, responses) = (reply.username, reply.responses);
        let subject = reply.subject()?;
        let answer = FirstFactor::parse(required(responses, "ANSWER")?)?;
        if !self.available(pool, client, &subject).contains(&answer) {
            return Err(CognitoError::invalid_parameter(format!(
                "{} is not one of the AvailableChallenges.",
                answer.as_str()
            )));
        }
        let chosen = Chosen {
            username,
            subject,
            factor: answer,
            params: responses,
        };
        self.begin_factor(pool, client, chosen, at).await
    }

    /// RespondToAuthChallenge EMAIL_OTP or SMS_OTP of USER_AUTH: the code
    /// ends the first factor, and the sign-in (a code is already a second
    /// thing the user holds; a temporary password must still be changed).
    /// A wrong code is CodeMismatchException and counts toward the lockout;
    /// a spent, expired or too-often-missed code ends the session.
    pub(super) async fn answer_sign_in_code(
        &self,
        pool: &UserPool,
        client: &UserPoolClient,
        reply: Reply<'_>,
        at: Attempt<'_>,
    ) -> Result<AuthOutcome> {
        let factor = match reply.session.challenge {
            ChallengeName::SmsOtp => FirstFactor::SmsOtp,
            _ => FirstFactor::EmailOtp,
        };
        let code = required(reply.responses, factor.code_member())?;
        let started = Instant::now();
        let user = match reply.subject()? {
            Subject::User(u) => *u,
            Subject::Ghost(name) => {
                self.check_ghost_not_locked_out(pool, &name).await?;
                super::codes::validate_code_input(code)?;
                self.record_ghost_sign_in_failure(pool, &name).await?;
                self.pacing.pad(Step::SignInCodeRefused, started).await;
                return Err(code_mismatch());
            }
        };
        self.check_not_locked_out(&user)?;
        let (guard, mut fresh) = self.lock_user(pool, &user).await?;
        match self
            .check_code(pool, &mut fresh, CodePurpose::SignIn, code, false)
            .await
        {
            Ok(_) => self.store.update_user(pool, &fresh).await?,
            Err(CognitoError::CodeMismatch(_)) => {
                drop(guard);
                self.record_sign_in_failure(pool, &fresh).await?;
                self.pacing.record(Step::SignInCodeRefused, started);
                return Err(code_mismatch());
            }
            // Spent (a replay), expired, or too many wrong tries: sign in
            // again.
            Err(CognitoError::ExpiredCode(_)) => return Err(invalid_session()),
            Err(CognitoError::LimitExceeded(_)) => return Err(invalid_session()),
            Err(e) => return Err(e),
        }
        drop(guard);
        self.passwordless_signed_in(pool, client, fresh, at).await
    }
}

impl Idp {
    /// WEB_AUTHN: assertion options for the user's passkeys. A name no
    /// user has, or a user without passkeys (when the client hides which
    /// users exist), gets options shaped alike that no passkey answers.
    async fn begin_passkey(
        &self,
        pool: &UserPool,
        client: &UserPoolClient,
        username: &str,
        user: Option<User>,
        at: Attempt<'_>,
    ) -> Result<AuthOutcome> {
        let (options, subject, state) = match user {
            Some(u) if !u.settings.passkeys.is_empty() => {
                self.check_not_locked_out(&u)?;
                let (options, state) = self.start_passkey_sign_in(pool, &u)?;
                let state = serde_json::to_value(&state).map_err(CognitoError::internal)?;
                (options, Subject::User(Box::new(u)), Some(state))
            }
            _ if client.prevents_user_existence_errors() || at.face == Face::HostedUi => {
                let (_, rp_id) = super::passkeys::relying_party(pool)?;
                let options = serde_json::json!({
                    "challenge": B64URL.encode(crate::crypto::random_bytes::<32>()),
                    "timeout": 300000,
                    "rpId": rp_id,
                    "allowCredentials": [],
                    "userVerification": "required",
                });
                (options, Subject::Ghost(username.to_owned()), None)
            }
            _ => {
                return Err(CognitoError::invalid_parameter(
                    "WEB_AUTHN is not available for this user.",
                ));
            }
        };
        let mut session = self.user_auth_session(pool, client, &subject, ChallengeName::WebAuthn);
        session.webauthn = state;
        Ok(AuthOutcome::Challenge(Challenge {
            name: ChallengeName::WebAuthn,
            parameters: BTreeMap::from([(
                "CREDENTIAL_REQUEST_OPTIONS".to_owned(),
                options.to_string(),
            )]),
            session: Some(session.seal(&self.master_key)?),
            available: None,
        }))
    }

    /// RespondToAuthChallenge WEB_AUTHN: CREDENTIAL, the browser's
    /// assertion. A passkey signs in without MFA (it is two factors: the
    /// device and its user verification); a refused one counts toward the
    /// lockout.
    pub(super) async fn answer_web_authn(
        &self,
        pool: &UserPool,
        client: &UserPoolClient,
        reply: Reply<'_>,
        at: Attempt<'_>,
    ) -> Result<AuthOutcome> {
        let credential = required(reply.responses, "CREDENTIAL")?;
        let state = reply.session.webauthn.clone();
        let user = match reply.subject()? {
            Subject::User(u) => *u,
            Subject::Ghost(name) => {
                self.check_ghost_not_locked_out(pool, &name).await?;
                self.record_ghost_sign_in_failure(pool, &name).await?;
                return Err(super::auth::incorrect());
            }
        };
        self.check_not_locked_out(&user)?;
        let state: webauthn_rs::prelude::PasskeyAuthentication =
            serde_json::from_value(state.ok_or_else(invalid_session)?)
                .map_err(|_| invalid_session())?;
        let fresh = match self
            .finish_passkey_sign_in(pool, &user, &state, credential)
            .await
        {
            Ok(u) => u,
            Err(e @ CognitoError::InvalidParameter(_)) => return Err(e),
            Err(e) => {
                self.record_sign_in_failure(pool, &user).await?;
                return Err(e);
            }
        };
        self.passwordless_signed_in(pool, client, fresh, at).await
    }

    /// The end of a sign-in without a password (a code, a passkey): no MFA
    /// after it, but a temporary password must still be changed.
    async fn passwordless_signed_in(
        &self,
        pool: &UserPool,
        client: &UserPoolClient,
        user: User,
        at: Attempt<'_>,
    ) -> Result<AuthOutcome> {
        self.check_can_sign_in(&user)?;
        if user.status == UserStatus::ForceChangePassword {
            return Ok(AuthOutcome::Challenge(
                self.new_password_challenge(pool, client, &user)?,
            ));
        }
        self.signed_in(pool, client, user, at).await
    }

    /// A masked destination for a decoy challenge, shaped like a real one
    /// and the same for a name each time (keyed, so it cannot be computed
    /// from the name alone).
    fn decoy_destination(&self, pool: &UserPool, name: &str, attribute: &str) -> String {
        let mac = self.master_key.mac(
            "decoy-destination",
            format!("{}\0{name}", pool.id).as_bytes(),
        );
        let letter = |b: u8| char::from(b'a' + b % 26);
        if attribute == "phone_number" {
            let digits: String = mac[..4].iter().map(|b| char::from(b'0' + b % 10)).collect();
            format!("+*******{digits}")
        } else {
            format!("{}***@{}***", letter(mac[0]), letter(mac[1]))
        }
    }
}
