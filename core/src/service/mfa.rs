//! Multi-factor authentication: the pool's MFA configuration
//! (SetUserPoolMfaConfig, GetUserPoolMfaConfig), authenticator apps
//! (AssociateSoftwareToken, VerifySoftwareToken; RFC 6238 with SHA-1, six
//! digits, 30-second steps, one step of skew, each step accepted once), the
//! user's choice of factors (SetUserMFAPreference, AdminSetUserMFAPreference)
//! and the challenges that follow any first factor: SOFTWARE_TOKEN_MFA,
//! SMS_MFA, EMAIL_OTP, SELECT_MFA_TYPE and MFA_SETUP.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde::{Deserialize, Serialize};
use totp_rs::{Algorithm, Builder, Secret, Totp};

use super::Idp;
use super::auth::{Attempt, AuthOutcome, Challenge, NO_METADATA, Params};
use super::codes::{CodeDeliveryDetails, CodePurpose, channel_of, mask};
use super::messages::Purpose;
use super::session::{AuthSession, ChallengeName, invalid_session};
use crate::crypto::random_bytes;
use crate::error::{CognitoError, Result};
use crate::model::pool::{
    EmailMfaConfiguration, MfaConfiguration, SoftwareTokenMfaConfiguration, WebAuthnConfiguration,
};
use crate::model::user::TotpDevice;
use crate::model::{User, UserPool, UserPoolClient};
use crate::store::outbox::Channel;

/// The second factors, by the names Cognito uses in UserMFASettingList,
/// PreferredMfaSetting and ChallengeName.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum MfaFactor {
    SoftwareToken,
    Email,
    Sms,
}

impl MfaFactor {
    pub const ALL: [MfaFactor; 3] = [Self::SoftwareToken, Self::Email, Self::Sms];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::SoftwareToken => "SOFTWARE_TOKEN_MFA",
            Self::Email => "EMAIL_OTP",
            Self::Sms => "SMS_MFA",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }

    fn challenge(self) -> ChallengeName {
        match self {
            Self::SoftwareToken => ChallengeName::SoftwareTokenMfa,
            Self::Email => ChallengeName::EmailOtp,
            Self::Sms => ChallengeName::SmsMfa,
        }
    }

    /// The ChallengeResponses member that carries the code.
    fn code_member(self) -> &'static str {
        match self {
            Self::SoftwareToken => "SOFTWARE_TOKEN_MFA_CODE",
            Self::Email => "EMAIL_OTP_CODE",
            Self::Sms => "SMS_MFA_CODE",
        }
    }

    /// The attribute a code of this factor goes to.
    fn attribute(self) -> Option<&'static str> {
        match self {
            Self::SoftwareToken => None,
            Self::Email => Some("email"),
            Self::Sms => Some("phone_number"),
        }
    }
}

/// Cognito's text when a pool sets no SmsAuthenticationMessage or email MFA
/// message.
pub const DEFAULT_MFA_MESSAGE: &str = "Your authentication code is {####}. ";
pub const DEFAULT_MFA_SUBJECT: &str = "Your authentication code";

/// SetUserPoolMfaConfig's input; members left out keep their value.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MfaConfigInput {
    pub sms_mfa_configuration: Option<SmsMfaConfiguration>,
    pub software_token_mfa_configuration: Option<SoftwareTokenMfaConfiguration>,
    pub email_mfa_configuration: Option<EmailMfaConfiguration>,
    pub mfa_configuration: Option<MfaConfiguration>,
    pub web_authn_configuration: Option<WebAuthnConfiguration>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SmsMfaConfiguration {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sms_authentication_message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sms_configuration: Option<serde_json::Value>,
}

/// What SetUserPoolMfaConfig and GetUserPoolMfaConfig answer.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct MfaConfigView {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sms_mfa_configuration: Option<SmsMfaConfiguration>,
    pub software_token_mfa_configuration: SoftwareTokenMfaConfiguration,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_mfa_configuration: Option<EmailMfaConfiguration>,
    pub mfa_configuration: MfaConfiguration,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub web_authn_configuration: Option<WebAuthnConfiguration>,
}

/// One factor's part of SetUserMFAPreference (SMSMfaSettings, …).
#[derive(Clone, Copy, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct FactorSettings {
    #[serde(default)]
    pub enabled: bool,
    #[serde(default)]
    pub preferred_mfa: bool,
}

/// Cognito API: MFAOptionType — the legacy per-user MFA setting of
/// SetUserSettings and AdminSetUserSettings: SMS to `phone_number` only.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct MfaOption {
    pub delivery_medium: Option<String>,
    pub attribute_name: Option<String>,
}

/// Cognito API: GetUser and AdminGetUser, MFAOptions — the legacy view of
/// a user's MFA settings: SMS to phone_number while SMS MFA is on; None
/// otherwise.
pub fn legacy_mfa_options(enabled: &[String]) -> Option<Vec<MfaOption>> {
    enabled
        .iter()
        .any(|f| f == MfaFactor::Sms.as_str())
        .then(|| {
            vec![MfaOption {
                delivery_medium: Some("SMS".into()),
                attribute_name: Some("phone_number".into()),
            }]
        })
}

/// The factors a pool offers.
pub fn pool_factors(pool: &UserPool) -> Vec<MfaFactor> {
    let mut out = Vec::new();
    if pool.software_token_mfa_configuration.enabled {
        out.push(MfaFactor::SoftwareToken);
    }
    if pool.email_mfa_configuration.is_some() {
        out.push(MfaFactor::Email);
    }
    if pool.config.sms_configuration.is_some() {
        out.push(MfaFactor::Sms);
    }
    out
}

/// The factors a user has turned on that their pool still offers.
pub fn user_factors(pool: &UserPool, user: &User) -> Vec<MfaFactor> {
    let offered = pool_factors(pool);
    let mut out: Vec<MfaFactor> = user
        .settings
        .enabled_mfa
        .iter()
        .filter_map(|n| MfaFactor::parse(n))
        .filter(|f| offered.contains(f))
        .collect();
    out.sort();
    out.dedup();
    out
}

fn view(pool: &UserPool) -> MfaConfigView {
    MfaConfigView {
        sms_mfa_configuration: pool.config.sms_configuration.as_ref().map(|c| {
            SmsMfaConfiguration {
                sms_authentication_message: pool.config.sms_authentication_message.clone(),
                sms_configuration: Some(c.clone()),
            }
        }),
        software_token_mfa_configuration: pool.software_token_mfa_configuration,
        email_mfa_configuration: pool.email_mfa_configuration.clone(),
        mfa_configuration: pool.config.mfa_configuration,
        web_authn_configuration: pool.web_authn_configuration.clone(),
    }
}

/// Cognito API: SoftwareTokenMFAUserCode — six digits.
fn check_code_format(member: &str, code: &str) -> Result<()> {
    if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(CognitoError::invalid_parameter(format!(
            "1 validation error detected: Value at '{member}' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9]+ and have length 6"
        )))
    }
}

fn totp(secret: &[u8]) -> Result<Totp> {
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_skew(1)
        .with_step_duration(30)
        .with_secret(secret.to_vec())
        .build()
        .map_err(CognitoError::internal)
}

/// Who an AssociateSoftwareToken or VerifySoftwareToken call is for.
pub enum TokenHolder<'a> {
    AccessToken(&'a str),
    Session(&'a str),
}

impl Idp {
    /// SetUserPoolMfaConfig.
    pub async fn set_pool_mfa_config(
        &self,
        pool_id: &str,
        input: MfaConfigInput,
    ) -> Result<MfaConfigView> {
        let mut pool = self.pool_from_store(pool_id).await?;
        if let Some(sms) = input.sms_mfa_configuration {
            if let Some(m) = &sms.sms_authentication_message {
                crate::model::validate::len_between("smsAuthenticationMessage", m, 6, 140)?;
                require_code_placeholder("SmsAuthenticationMessage", m)?;
            }
            pool.config.sms_authentication_message = sms.sms_authentication_message;
            pool.config.sms_configuration = sms.sms_configuration;
        }
        if let Some(t) = input.software_token_mfa_configuration {
            pool.software_token_mfa_configuration = t;
        }
        if let Some(e) = input.email_mfa_configuration {
            if let Some(m) = &e.message {
                crate::model::validate::len_between("emailMfaConfiguration.message", m, 6, 20000)?;
                require_code_placeholder("Message", m)?;
            }
            if let Some(s) = &e.subject {
                crate::model::validate::len_between("emailMfaConfiguration.subject", s, 1, 140)?;
            }
            pool.email_mfa_configuration = Some(e);
        }
        if let Some(m) = input.mfa_configuration {
            pool.config.mfa_configuration = m;
        }
        if let Some(w) = input.web_authn_configuration {
            w.validate()?;
            pool.web_authn_configuration = Some(w);
        }
        self.check_mfa_tier(&pool)?;
        // Cognito API: SetUserPoolMfaConfig — MFA that is ON or OPTIONAL
        // needs a factor to offer.
        if pool.config.mfa_configuration != MfaConfiguration::Off && pool_factors(&pool).is_empty()
        {
            return Err(CognitoError::invalid_parameter(
                "Invalid MFA configuration given, can't turn on MFA without any MFA methods enabled.",
            ));
        }
        pool.last_modified_date = self.clock.now();
        self.store.update_pool(&pool).await?;
        self.config.forget_pool(pool_id);
        Ok(view(&pool))
    }

    /// GetUserPoolMfaConfig.
    pub async fn get_pool_mfa_config(&self, pool_id: &str) -> Result<MfaConfigView> {
        Ok(view(&self.pool(pool_id).await?))
    }

    /// SetUserMFAPreference (by access token) and AdminSetUserMFAPreference.
    pub async fn set_user_mfa_preference(
        &self,
        pool: &UserPool,
        user: &User,
        settings: &[(MfaFactor, Option<FactorSettings>)],
    ) -> Result<()> {
        let (_guard, mut user) = self.lock_user(pool, user).await?;
        let offered = pool_factors(pool);
        for &(factor, s) in settings {
            let Some(s) = s else { continue };
            let name = factor.as_str().to_owned();
            if s.enabled || s.preferred_mfa {
                if !offered.contains(&factor) {
                    return Err(CognitoError::invalid_parameter(format!(
                        "{} is not enabled for this user pool.",
                        factor.as_str()
                    )));
                }
                let ready = match factor {
                    MfaFactor::SoftwareToken => user.settings.totp.is_some(),
                    other => other.attribute().and_then(|a| user.attribute(a)).is_some(),
                };
                if !ready {
                    return Err(match factor {
                        MfaFactor::SoftwareToken => CognitoError::invalid_parameter(
                            "User has not verified software token mfa",
                        ),
                        other => CognitoError::invalid_parameter(format!(
                            "User does not have delivery config set to turn on {}",
                            other.as_str()
                        )),
                    });
                }
                if !user.settings.enabled_mfa.contains(&name) {
                    user.settings.enabled_mfa.push(name.clone());
                }
                if s.preferred_mfa {
                    user.settings.preferred_mfa = Some(name);
                }
            } else {
                user.settings.enabled_mfa.retain(|n| *n != name);
                if user.settings.preferred_mfa.as_deref() == Some(factor.as_str()) {
                    user.settings.preferred_mfa = None;
                }
            }
        }
        user.settings.enabled_mfa.sort();
        user.modified = self.clock.now();
        self.store.update_user(pool, &user).await
    }

    /// SetUserSettings and AdminSetUserSettings: a list with the SMS option
    /// turns SMS MFA on for the user, an empty list turns it off; any other
    /// medium or attribute is refused (Cognito API: MFAOptionType, "You can
    /// use this parameter to set only the SMS delivery medium value", "The
    /// only valid value is phone_number").
    pub async fn set_user_settings(
        &self,
        pool: &UserPool,
        user: &User,
        options: &[MfaOption],
    ) -> Result<()> {
        for o in options {
            match o.delivery_medium.as_deref() {
                Some("SMS") => {}
                Some("EMAIL") => {
                    return Err(CognitoError::invalid_parameter(
                        "Only SMS is supported as the delivery medium of MFAOptions; \
                         use SetUserMFAPreference for other factors.",
                    ));
                }
                Some(other) => {
                    return Err(CognitoError::invalid_parameter(format!(
                        "1 validation error detected: Value '{other}' at 'mFAOptions.1.member.deliveryMedium' \
                         failed to satisfy constraint: Member must satisfy enum value set: [SMS, EMAIL]"
                    )));
                }
                None => {
                    return Err(CognitoError::invalid_parameter(
                        "The delivery medium of an MFA option is required.",
                    ));
                }
            }
            if o.attribute_name.as_deref() != Some("phone_number") {
                return Err(CognitoError::invalid_parameter(
                    "The attribute name of an MFA option must be phone_number.",
                ));
            }
        }
        let on = !options.is_empty();
        let settings = FactorSettings {
            enabled: on,
            preferred_mfa: false,
        };
        self.set_user_mfa_preference(pool, user, &[(MfaFactor::Sms, Some(settings))])
            .await
    }

    /// AdminDeleteSoftwareToken: the user's authenticator app (and one
    /// being set up) is gone; TOTP leaves their MFA settings, and stops
    /// being their preferred factor. A user with none is
    /// ResourceNotFoundException.
    pub async fn admin_delete_software_token(&self, pool_id: &str, username: &str) -> Result<()> {
        let pool = self.pool(pool_id).await?;
        let user = self.admin_find_user(&pool, username).await?;
        let (_guard, mut user) = self.lock_user(&pool, &user).await?;
        if user.settings.totp.is_none() && user.settings.totp_pending.is_none() {
            return Err(CognitoError::ResourceNotFound(
                "The user has no software token.".into(),
            ));
        }
        user.settings.totp = None;
        user.settings.totp_pending = None;
        let name = MfaFactor::SoftwareToken.as_str();
        user.settings.enabled_mfa.retain(|n| n != name);
        if user.settings.preferred_mfa.as_deref() == Some(name) {
            user.settings.preferred_mfa = None;
        }
        user.modified = self.clock.now();
        self.store.update_user(&pool, &user).await?;
        tracing::info!(pool_id, sub = %user.sub, "software token deleted by an administrator");
        Ok(())
    }

    /// The user of an access token, or of an MFA_SETUP session.
    async fn token_holder(
        &self,
        holder: &TokenHolder<'_>,
    ) -> Result<(UserPool, User, Option<AuthSession>)> {
        match holder {
            TokenHolder::AccessToken(t) => {
                let (pool, user, _) = self.authenticate_access_token(t).await?;
                Ok((pool, user, None))
            }
            TokenHolder::Session(s) => {
                let session = AuthSession::open(&self.master_key, s)?;
                let pool = self.pool(&session.pool_id).await?;
                session.check(
                    &pool.id,
                    &session.client_id,
                    ChallengeName::MfaSetup,
                    self.clock.now(),
                )?;
                let sub = session.sub.ok_or_else(invalid_session)?;
                let user = self
                    .store
                    .get_user_by_sub(&pool.id, sub)
                    .await?
                    .ok_or_else(invalid_session)?;
                Ok((pool, user, Some(session)))
            }
        }
    }

    /// AssociateSoftwareToken: a new secret for an authenticator app, kept
    /// pending until VerifySoftwareToken proves the app has it. Returns the
    /// secret in base32 and, for a session, the session to go on with.
    pub async fn associate_software_token(
        &self,
        holder: TokenHolder<'_>,
    ) -> Result<(String, Option<String>)> {
        let (pool, user, session) = self.token_holder(&holder).await?;
        if !pool.software_token_mfa_configuration.enabled {
            return Err(CognitoError::invalid_parameter(
                "Software token MFA is not enabled for this user pool.",
            ));
        }
        let (_guard, mut user) = self.lock_user(&pool, &user).await?;
        // RFC 4226 §4: a shared secret of 160 bits.
        let secret = zeroize::Zeroizing::new(random_bytes::<20>());
        let sealed = self.master_key.seal(&totp_record(&user), secret.as_slice());
        user.settings.totp_pending = Some(TotpDevice {
            sealed_secret: B64.encode(sealed),
            friendly_name: None,
            last_step: None,
        });
        self.store.update_user(&pool, &user).await?;
        let encoded = Secret::new(secret.to_vec().into_boxed_slice()).to_base32();
        let session = session.map(|s| s.seal(&self.master_key)).transpose()?;
        Ok((encoded, session))
    }

    /// VerifySoftwareToken: the first code from the app makes the pending
    /// secret the user's authenticator. Through an MFA_SETUP session the
    /// factor is also turned on, since the pool requires it.
    pub async fn verify_software_token(
        &self,
        holder: TokenHolder<'_>,
        code: &str,
        friendly_name: Option<String>,
    ) -> Result<Option<String>> {
        check_code_format("userCode", code)?;
        let (pool, user, session) = self.token_holder(&holder).await?;
        let (_guard, mut user) = self.lock_user(&pool, &user).await?;
        let Some(mut device) = user.settings.totp_pending.clone() else {
            return Err(CognitoError::SoftwareTokenMfaNotFound(
                "Software token MFA has not been associated with the user.".into(),
            ));
        };
        let Some(step) = self.totp_step(&user, &device, code)? else {
            // Cognito API: VerifySoftwareToken, Errors.
            return Err(CognitoError::EnableSoftwareTokenMfa("Code mismatch".into()));
        };
        device.last_step = Some(step);
        device.friendly_name = friendly_name.filter(|n| !n.is_empty());
        user.settings.totp = Some(device);
        user.settings.totp_pending = None;
        let name = MfaFactor::SoftwareToken.as_str().to_owned();
        if (session.is_some() || pool.config.mfa_configuration == MfaConfiguration::On)
            && !user.settings.enabled_mfa.contains(&name)
        {
            user.settings.enabled_mfa.push(name.clone());
            user.settings.enabled_mfa.sort();
            if user.settings.preferred_mfa.is_none() {
                user.settings.preferred_mfa = Some(name);
            }
        }
        user.modified = self.clock.now();
        self.store.update_user(&pool, &user).await?;
        session
            .map(|mut s| {
                s.mfa_setup_verified = true;
                s.seal(&self.master_key)
            })
            .transpose()
    }

    /// The time step a code belongs to, if it is right for `device` now
    /// (±1 step) and newer than the last code accepted.
    fn totp_step(&self, user: &User, device: &TotpDevice, code: &str) -> Result<Option<u64>> {
        let sealed = B64
            .decode(&device.sealed_secret)
            .map_err(CognitoError::internal)?;
        let secret = zeroize::Zeroizing::new(self.master_key.open(&totp_record(user), &sealed)?);
        let now = u64::try_from(self.clock.now().millis() / 1000).unwrap_or(0);
        let step = totp(&secret)?
            .check(code, now)
            .filter(|s| device.last_step.is_none_or(|last| *s > last));
        Ok(step)
    }

    /// The MFA step after a first factor, when the pool and user call for
    /// one (Cognito developer guide, "Adding MFA to a user pool").
    pub(crate) async fn mfa_challenge(
        &self,
        pool: &UserPool,
        client: &UserPoolClient,
        user: &User,
    ) -> Result<Option<Challenge>> {
        if pool.config.mfa_configuration == MfaConfiguration::Off {
            return Ok(None);
        }
        let enabled = user_factors(pool, user);
        let preferred = user
            .settings
            .preferred_mfa
            .as_deref()
            .and_then(MfaFactor::parse)
            .filter(|f| enabled.contains(f));
        let factor = match (preferred, enabled.as_slice()) {
            (Some(f), _) => f,
            (None, [only]) => *only,
            (None, []) if pool.config.mfa_configuration == MfaConfiguration::Optional => {
                return Ok(None);
            }
            (None, []) => return self.required_mfa_without_factor(pool, client, user).await,
            (None, several) => {
                let names: Vec<&str> = several.iter().map(|f| f.as_str()).collect();
                return self
                    .challenge_with(
                        pool,
                        client,
                        user,
                        ChallengeName::SelectMfaType,
                        [(
                            "MFAS_CAN_CHOOSE".to_owned(),
                            serde_json::to_string(&names).map_err(CognitoError::internal)?,
                        )],
                    )
                    .map(Some);
            }
        };
        self.factor_challenge(pool, client, user, factor)
            .await
            .map(Some)
    }

    /// MFA is required and the user has no factor: SMS to a phone number
    /// they have when the pool sends SMS (as Cognito does), else MFA_SETUP
    /// for an authenticator app, else a code to their email.
    async fn required_mfa_without_factor(
        &self,
        pool: &UserPool,
        client: &UserPoolClient,
        user: &User,
    ) -> Result<Option<Challenge>> {
        let offered = pool_factors(pool);
        if offered.contains(&MfaFactor::Sms) && user.attribute("phone_number").is_some() {
            return self
                .factor_challenge(pool, client, user, MfaFactor::Sms)
                .await
                .map(Some);
        }
        if offered.contains(&MfaFactor::SoftwareToken) {
            return self
                .challenge_with(
                    pool,
                    client,
                    user,
                    ChallengeName::MfaSetup,
                    [(
                        "MFAS_CAN_SETUP".to_owned(),
                        "[\"SOFTWARE_TOKEN_MFA\"]".to_owned(),
                    )],
                )
                .map(Some);
        }
        if offered.contains(&MfaFactor::Email) && user.attribute("email").is_some() {
            return self
                .factor_challenge(pool, client, user, MfaFactor::Email)
                .await
                .map(Some);
        }
        Err(CognitoError::invalid_parameter(
            "MFA is required, but the user has no MFA method this user pool can use.",
        ))
    }

    /// The challenge of one factor; for SMS and email, the code is sent.
    async fn factor_challenge(
        &self,
        pool: &UserPool,
        client: &UserPoolClient,
        user: &User,
        factor: MfaFactor,
    ) -> Result<Challenge> {
        let Some(attribute) = factor.attribute() else {
            return self.challenge_with(pool, client, user, factor.challenge(), []);
        };
        let destination = user
            .attribute(attribute)
            .map(str::to_owned)
            .ok_or_else(|| {
                CognitoError::invalid_parameter(format!(
                    "User does not have delivery config set to turn on {}",
                    factor.as_str()
                ))
            })?;
        let (_guard, mut fresh) = self.lock_user(pool, user).await?;
        let code = self.issue_code(pool, &mut fresh, CodePurpose::Mfa, Some(attribute), None);
        self.store.update_user(pool, &fresh).await?;
        let channel = channel_of(attribute);
        let text = mfa_text(pool, channel, code.expose());
        let purpose = Purpose::new("CustomMessage_Authentication", code.expose())
            .for_client(&client.client_id, &NO_METADATA);
        if let Err(e) = self
            .deliver(pool, &fresh, channel, &destination, text, purpose)
            .await
        {
            if matches!(e, CognitoError::TooManyRequests(_)) {
                return Err(e);
            }
            tracing::warn!(pool = %pool.id, error = %e, "MFA code not delivered");
            return Err(CognitoError::CodeDeliveryFailure(
                "Unable to deliver the authentication code.".into(),
            ));
        }
        let details = CodeDeliveryDetails::new(attribute, &destination);
        self.challenge_with(
            pool,
            client,
            user,
            factor.challenge(),
            [
                (
                    "CODE_DELIVERY_DELIVERY_MEDIUM".to_owned(),
                    details.delivery_medium.as_str().to_owned(),
                ),
                (
                    "CODE_DELIVERY_DESTINATION".to_owned(),
                    mask(attribute, &destination),
                ),
            ],
        )
    }

    fn challenge_with(
        &self,
        pool: &UserPool,
        client: &UserPoolClient,
        user: &User,
        name: ChallengeName,
        extra: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Challenge> {
        let session = AuthSession::new(
            &pool.id,
            &client.client_id,
            Some(user.sub),
            name,
            self.clock.now().plus_seconds(client.auth_session_seconds()),
        )
        .seal(&self.master_key)?;
        let mut parameters =
            BTreeMap::from([("USER_ID_FOR_SRP".to_owned(), user.username.clone())]);
        parameters.extend(extra);
        Ok(Challenge {
            name,
            parameters,
            session: Some(session),
            available: None,
        })
    }

    /// Answers SOFTWARE_TOKEN_MFA, SMS_MFA, EMAIL_OTP, SELECT_MFA_TYPE and
    /// MFA_SETUP for `user`, whom the session was issued for.
    pub(crate) async fn answer_mfa(
        &self,
        pool: &UserPool,
        client: &UserPoolClient,
        user: User,
        session: &AuthSession,
        responses: &Params,
        at: Attempt<'_>,
    ) -> Result<AuthOutcome> {
        let get = |name: &str| {
            responses
                .get(name)
                .map(String::as_str)
                .filter(|v| !v.is_empty())
                .ok_or_else(|| {
                    CognitoError::invalid_parameter(format!("Missing required parameter {name}"))
                })
        };
        self.check_not_locked_out(&user)?;
        let factor = match session.challenge {
            ChallengeName::SelectMfaType => {
                let answer = get("ANSWER")?;
                let factor = MfaFactor::parse(answer)
                    .filter(|f| user_factors(pool, &user).contains(f))
                    .ok_or_else(|| {
                        CognitoError::invalid_parameter(format!(
                            "{answer} is not an MFA method this user can choose."
                        ))
                    })?;
                let challenge = self.factor_challenge(pool, client, &user, factor).await?;
                return Ok(AuthOutcome::Challenge(challenge));
            }
            ChallengeName::MfaSetup => {
                // Completed by VerifySoftwareToken with this session.
                if !session.mfa_setup_verified || user.settings.totp.is_none() {
                    return Err(invalid_session());
                }
                return self.signed_in(pool, client, user, at).await;
            }
            ChallengeName::SoftwareTokenMfa => MfaFactor::SoftwareToken,
            ChallengeName::SmsMfa => MfaFactor::Sms,
            ChallengeName::EmailOtp => MfaFactor::Email,
            _ => return Err(invalid_session()),
        };
        let code = get(factor.code_member())?;
        let (guard, mut fresh) = self.lock_user(pool, &user).await?;
        let accepted = match factor {
            MfaFactor::SoftwareToken => {
                check_code_format(factor.code_member(), code)?;
                let device = fresh.settings.totp.clone().ok_or_else(invalid_session)?;
                match self.totp_step(&fresh, &device, code)? {
                    Some(step) => {
                        if let Some(d) = fresh.settings.totp.as_mut() {
                            d.last_step = Some(step);
                        }
                        self.store.update_user(pool, &fresh).await?;
                        true
                    }
                    None => false,
                }
            }
            MfaFactor::Sms | MfaFactor::Email => {
                match self
                    .check_code(pool, &mut fresh, CodePurpose::Mfa, code, false)
                    .await
                {
                    Ok(_) => {
                        self.store.update_user(pool, &fresh).await?;
                        true
                    }
                    Err(CognitoError::CodeMismatch(_)) => false,
                    // Expired or spent: sign in again.
                    Err(CognitoError::ExpiredCode(_) | CognitoError::LimitExceeded(_)) => {
                        return Err(invalid_session());
                    }
                    Err(e) => return Err(e),
                }
            }
        };
        drop(guard);
        if !accepted {
            // A wrong second factor counts toward the lockout like a wrong
            // password: six-digit codes must not be guessable at leisure.
            self.record_sign_in_failure(pool, &fresh).await?;
            return Err(super::codes::code_mismatch());
        }
        self.signed_in(pool, client, fresh, at).await
    }
}

/// The record id a user's TOTP secret is sealed under.
fn totp_record(user: &User) -> String {
    format!("totp:{}:{}", user.pool_id, user.sub)
}

fn require_code_placeholder(field: &str, message: &str) -> Result<()> {
    if message.contains("{####}") {
        Ok(())
    } else {
        Err(CognitoError::invalid_parameter(format!(
            "{field} must contain the placeholder {{####}}"
        )))
    }
}

/// The text of an SMS or email MFA code, from the pool's messages.
pub(super) fn mfa_text(pool: &UserPool, channel: Channel, code: &str) -> (Option<String>, String) {
    match channel {
        Channel::Sms => {
            let m = pool
                .config
                .sms_authentication_message
                .as_deref()
                .unwrap_or(DEFAULT_MFA_MESSAGE);
            (None, m.replace("{####}", code))
        }
        Channel::Email => {
            let e = pool.email_mfa_configuration.clone().unwrap_or_default();
            let m = e.message.as_deref().unwrap_or(DEFAULT_MFA_MESSAGE);
            let s = e.subject.as_deref().unwrap_or(DEFAULT_MFA_SUBJECT);
            (Some(s.to_owned()), m.replace("{####}", code))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B, SHA-1: the secret "12345678901234567890".
    #[test]
    fn totp_matches_rfc_6238_vectors() {
        let t = totp(b"12345678901234567890").unwrap();
        // Eight-digit values in the RFC; six digits are their last six.
        for (time, code) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
        ] {
            assert_eq!(t.generate(time).to_string(), code, "at {time}");
        }
    }

    #[test]
    fn factor_names_are_cognitos() {
        for f in MfaFactor::ALL {
            assert_eq!(MfaFactor::parse(f.as_str()), Some(f));
        }
        assert_eq!(MfaFactor::parse("TOTP"), None);
    }
}
