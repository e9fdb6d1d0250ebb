//! User pools: Cognito's UserPoolType, with the rules of CreateUserPool and
//! UpdateUserPool. Name, schema, username and alias attributes and case
//! sensitivity are fixed at creation; the rest is [`UserPoolConfig`].

use serde::{Deserialize, Serialize};

use super::attributes::SchemaAttribute;
use super::validate;
use crate::clock::Timestamp;
use crate::error::{CognitoError, Result};
use crate::ids;

/// Cognito's symbol set for RequireSymbols (Cognito developer guide,
/// "Password requirements").
pub const PASSWORD_SYMBOLS: &str = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PasswordPolicy {
    #[serde(default = "default_min_length")]
    pub minimum_length: i64,
    #[serde(default)]
    pub require_uppercase: bool,
    #[serde(default)]
    pub require_lowercase: bool,
    #[serde(default)]
    pub require_numbers: bool,
    #[serde(default)]
    pub require_symbols: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_history_size: Option<i64>,
    #[serde(default = "default_temp_validity")]
    pub temporary_password_validity_days: i64,
}

fn default_min_length() -> i64 {
    8
}
fn default_temp_validity() -> i64 {
    7
}

impl Default for PasswordPolicy {
    /// Cognito's default policy: 8 characters, every class required, 7 days.
    fn default() -> Self {
        Self {
            minimum_length: 8,
            require_uppercase: true,
            require_lowercase: true,
            require_numbers: true,
            require_symbols: true,
            password_history_size: None,
            temporary_password_validity_days: 7,
        }
    }
}

impl PasswordPolicy {
    pub fn validate(&self) -> Result<()> {
        validate::int_between(
            "policies.passwordPolicy.minimumLength",
            self.minimum_length,
            6,
            99,
        )?;
        validate::int_between(
            "policies.passwordPolicy.temporaryPasswordValidityDays",
            self.temporary_password_validity_days,
            0,
            365,
        )?;
        if let Some(h) = self.password_history_size {
            validate::int_between("policies.passwordPolicy.passwordHistorySize", h, 0, 24)?;
        }
        Ok(())
    }

    /// Checks a password with Cognito's InvalidPasswordException messages.
    pub fn check(&self, password: &str) -> Result<()> {
        let fail = |why: &str| {
            Err(CognitoError::InvalidPassword(format!(
                "Password did not conform with policy: {why}"
            )))
        };
        let n = password.chars().count();
        if n < self.minimum_length as usize {
            return fail("Password not long enough");
        }
        if n > 256 {
            return fail("Password is too long");
        }
        if self.require_uppercase && !password.chars().any(|c| c.is_uppercase()) {
            return fail("Password must have uppercase characters");
        }
        if self.require_lowercase && !password.chars().any(|c| c.is_lowercase()) {
            return fail("Password must have lowercase characters");
        }
        if self.require_numbers && !password.chars().any(|c| c.is_ascii_digit()) {
            return fail("Password must have numeric characters");
        }
        if self.require_symbols && !password.chars().any(|c| PASSWORD_SYMBOLS.contains(c)) {
            return fail("Password must have symbol characters");
        }
        Ok(())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct Policies {
    #[serde(default)]
    pub password_policy: PasswordPolicy,
    #[serde(default)]
    pub sign_in_policy: SignInPolicy,
}

/// Cognito API: AuthFactorType — what USER_AUTH may begin with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AuthFactor {
    Password,
    EmailOtp,
    SmsOtp,
    WebAuthn,
}

impl AuthFactor {
    pub const ALL: [AuthFactor; 4] = [Self::Password, Self::EmailOtp, Self::SmsOtp, Self::WebAuthn];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Password => "PASSWORD",
            Self::EmailOtp => "EMAIL_OTP",
            Self::SmsOtp => "SMS_OTP",
            Self::WebAuthn => "WEB_AUTHN",
        }
    }
}

/// Cognito API: SignInPolicyType. A pool that sets none signs in with a
/// password only, and DescribeUserPool says so.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SignInPolicy {
    #[serde(default = "password_only")]
    pub allowed_first_auth_factors: Vec<AuthFactor>,
}

fn password_only() -> Vec<AuthFactor> {
    vec![AuthFactor::Password]
}

impl Default for SignInPolicy {
    fn default() -> Self {
        Self {
            allowed_first_auth_factors: password_only(),
        }
    }
}

impl SignInPolicy {
    /// Cognito API: AllowedFirstAuthFactorsListType — one to four factors,
    /// each once; a passkey cannot be the only way in (a user must be able
    /// to sign in before registering one).
    pub fn validate(&self) -> Result<()> {
        let factors = &self.allowed_first_auth_factors;
        let field = "policies.signInPolicy.allowedFirstAuthFactors";
        if factors.is_empty() {
            return Err(CognitoError::invalid_parameter(format!(
                "1 validation error detected: Value '[]' at '{field}' failed to satisfy constraint: Member must have length greater than or equal to 1"
            )));
        }
        validate::max_items(field, factors, 4)?;
        let mut seen = factors.clone();
        seen.sort();
        seen.dedup();
        if seen.len() != factors.len() {
            return Err(CognitoError::invalid_parameter(
                "AllowedFirstAuthFactors must not name a factor twice.",
            ));
        }
        if factors.iter().all(|f| *f == AuthFactor::WebAuthn) {
            return Err(CognitoError::invalid_parameter(
                "AllowedFirstAuthFactors must include a factor other than WEB_AUTHN.",
            ));
        }
        Ok(())
    }

    pub fn allows(&self, factor: AuthFactor) -> bool {
        self.allowed_first_auth_factors.contains(&factor)
    }
}

/// Cognito API: UserPoolTierType.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "UPPERCASE")]
pub enum UserPoolTier {
    Lite,
    #[default]
    Essentials,
    Plus,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "UPPERCASE")]
pub enum MfaConfiguration {
    #[default]
    Off,
    On,
    Optional,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "UPPERCASE")]
pub enum DeletionProtection {
    Active,
    #[default]
    Inactive,
}

/// How a pool keeps passwords. `Srp` keeps Cognito's SRP verifier, so every
/// sign-in flow works; `Argon2id` resists offline cracking better but
/// cannot serve USER_SRP_AUTH. (A Cognate extension of UserPoolType.)
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum PasswordStorage {
    #[default]
    Srp,
    Argon2id,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerifiableAttribute {
    Email,
    PhoneNumber,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AliasAttribute {
    Email,
    PhoneNumber,
    PreferredUsername,
}

impl AliasAttribute {
    pub fn attribute_name(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::PhoneNumber => "phone_number",
            Self::PreferredUsername => "preferred_username",
        }
    }
}

impl VerifiableAttribute {
    pub fn attribute_name(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::PhoneNumber => "phone_number",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DefaultEmailOption {
    ConfirmWithLink,
    #[default]
    ConfirmWithCode,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct VerificationMessageTemplate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sms_message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_subject: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_message_by_link: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_subject_by_link: Option<String>,
    #[serde(default)]
    pub default_email_option: DefaultEmailOption,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct MessageTemplate {
    #[serde(
        rename = "SMSMessage",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub sms_message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_subject: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminCreateUserConfig {
    #[serde(default)]
    pub allow_admin_create_user_only: bool,
    #[serde(default = "default_temp_validity")]
    pub unused_account_validity_days: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invite_message_template: Option<MessageTemplate>,
}

impl Default for AdminCreateUserConfig {
    fn default() -> Self {
        Self {
            allow_admin_create_user_only: false,
            unused_account_validity_days: 7,
            invite_message_template: None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UsernameConfiguration {
    pub case_sensitive: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecoveryOptionName {
    VerifiedEmail,
    VerifiedPhoneNumber,
    AdminOnly,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RecoveryOption {
    pub priority: i64,
    pub name: RecoveryOptionName,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct AccountRecoverySetting {
    #[serde(default)]
    pub recovery_mechanisms: Vec<RecoveryOption>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct UserAttributeUpdateSettings {
    #[serde(default)]
    pub attributes_require_verification_before_update: Vec<VerifiableAttribute>,
}

/// Cognito API: DeviceConfigurationType. A pool that has one tracks its
/// users' devices: a sign-in answers NewDeviceMetadata.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct DeviceConfiguration {
    /// A sign-in from a device that is not remembered takes MFA (when the
    /// user has it); a remembered one skips it.
    #[serde(default)]
    pub challenge_required_on_new_device: bool,
    /// Devices are remembered only when the user says so
    /// (UpdateDeviceStatus); otherwise ConfirmDevice remembers them.
    #[serde(default)]
    pub device_only_remembered_on_user_prompt: bool,
}

/// The settings of a pool that UpdateUserPool may change.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct UserPoolConfig {
    /// Cognito API: UserPoolTier — ESSENTIALS when a request leaves it out
    /// (CreateUserPool's default; UpdateUserPool sets what it leaves out to
    /// its default, as for every member). Features are gated by it as
    /// Cognito gates them (`service/tiers.rs`).
    #[serde(default)]
    pub user_pool_tier: UserPoolTier,
    #[serde(default)]
    pub policies: Policies,
    #[serde(default)]
    pub deletion_protection: DeletionProtection,
    #[serde(default)]
    pub lambda_config: super::lambda::LambdaConfig,
    #[serde(default)]
    pub auto_verified_attributes: Vec<VerifiableAttribute>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sms_verification_message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_verification_message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_verification_subject: Option<String>,
    #[serde(default)]
    pub verification_message_template: VerificationMessageTemplate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sms_authentication_message: Option<String>,
    #[serde(default)]
    pub user_attribute_update_settings: UserAttributeUpdateSettings,
    #[serde(default)]
    pub mfa_configuration: MfaConfiguration,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_configuration: Option<DeviceConfiguration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_configuration: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sms_configuration: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub user_pool_tags: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    pub admin_create_user_config: AdminCreateUserConfig,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_pool_add_ons: Option<serde_json::Value>,
    #[serde(default)]
    pub account_recovery_setting: AccountRecoverySetting,
}

impl UserPoolConfig {
    pub fn validate(&self) -> Result<()> {
        self.policies.password_policy.validate()?;
        self.policies.sign_in_policy.validate()?;
        // SMS_OTP sends its codes through the pool's SMS configuration
        // (Cognito API: SignInPolicyType; developer guide, "Passwordless
        // sign-in": SMS messages need SmsConfiguration).
        if self.policies.sign_in_policy.allows(AuthFactor::SmsOtp)
            && self.sms_configuration.is_none()
        {
            return Err(CognitoError::invalid_parameter(
                "SMS_OTP in AllowedFirstAuthFactors requires the user pool's SmsConfiguration.",
            ));
        }
        self.lambda_config.validate()?;
        let t = &self.verification_message_template;
        if let Some(m) = t
            .email_message
            .as_ref()
            .or(self.email_verification_message.as_ref())
        {
            validate::len_between("verificationMessageTemplate.emailMessage", m, 6, 20000)?;
            require_placeholder("EmailMessage", m, "{####}")?;
        }
        if let Some(s) = t
            .email_subject
            .as_ref()
            .or(self.email_verification_subject.as_ref())
        {
            validate::len_between("verificationMessageTemplate.emailSubject", s, 1, 140)?;
        }
        if let Some(m) = t
            .sms_message
            .as_ref()
            .or(self.sms_verification_message.as_ref())
        {
            validate::len_between("verificationMessageTemplate.smsMessage", m, 6, 140)?;
            require_placeholder("SmsMessage", m, "{####}")?;
        }
        if let Some(m) = &t.email_message_by_link {
            validate::len_between(
                "verificationMessageTemplate.emailMessageByLink",
                m,
                6,
                20000,
            )?;
            require_placeholder("EmailMessageByLink", m, "{##")?;
        }
        if let Some(m) = &self.sms_authentication_message {
            validate::len_between("smsAuthenticationMessage", m, 6, 140)?;
            require_placeholder("SmsAuthenticationMessage", m, "{####}")?;
        }
        let admin = &self.admin_create_user_config;
        validate::int_between(
            "adminCreateUserConfig.unusedAccountValidityDays",
            admin.unused_account_validity_days,
            0,
            365,
        )?;
        if let Some(inv) = &admin.invite_message_template {
            if let Some(m) = &inv.email_message {
                validate::len_between("inviteMessageTemplate.emailMessage", m, 6, 20000)?;
                require_placeholder("InviteMessageTemplate.EmailMessage", m, "{####}")?;
                require_placeholder("InviteMessageTemplate.EmailMessage", m, "{username}")?;
            }
            if let Some(s) = &inv.email_subject {
                validate::len_between("inviteMessageTemplate.emailSubject", s, 1, 140)?;
            }
            if let Some(m) = &inv.sms_message {
                validate::len_between("inviteMessageTemplate.sMSMessage", m, 6, 140)?;
                require_placeholder("InviteMessageTemplate.SMSMessage", m, "{####}")?;
                require_placeholder("InviteMessageTemplate.SMSMessage", m, "{username}")?;
            }
        }
        let rec = &self.account_recovery_setting.recovery_mechanisms;
        validate::max_items("accountRecoverySetting.recoveryMechanisms", rec, 2)?;
        for r in rec {
            validate::int_between(
                "accountRecoverySetting.recoveryMechanisms.priority",
                r.priority,
                1,
                2,
            )?;
        }
        if rec.len() == 2 && rec.iter().any(|r| r.name == RecoveryOptionName::AdminOnly) {
            return Err(CognitoError::invalid_parameter(
                "admin_only cannot be combined with other recovery mechanisms.",
            ));
        }
        validate::max_items(
            "userPoolTags",
            &self.user_pool_tags.keys().collect::<Vec<_>>(),
            50,
        )?;
        Ok(())
    }

    pub fn password_policy(&self) -> &PasswordPolicy {
        &self.policies.password_policy
    }
}

fn require_placeholder(field: &str, message: &str, placeholder: &str) -> Result<()> {
    if message.contains(placeholder) {
        Ok(())
    } else {
        Err(CognitoError::invalid_parameter(format!(
            "{field} must contain the placeholder {placeholder}"
        )))
    }
}

/// What CreateUserPool takes.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct NewUserPool {
    pub pool_name: String,
    #[serde(flatten)]
    pub config: UserPoolConfig,
    #[serde(default)]
    pub alias_attributes: Vec<AliasAttribute>,
    #[serde(default)]
    pub username_attributes: Vec<VerifiableAttribute>,
    #[serde(default)]
    pub schema: Vec<SchemaAttribute>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username_configuration: Option<UsernameConfiguration>,
    #[serde(default)]
    pub password_storage: PasswordStorage,
}

/// A stored user pool: Cognito's UserPoolType.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserPool {
    pub id: String,
    pub name: String,
    pub arn: String,
    #[serde(flatten)]
    pub config: UserPoolConfig,
    pub schema_attributes: Vec<SchemaAttribute>,
    #[serde(default)]
    pub alias_attributes: Vec<AliasAttribute>,
    #[serde(default)]
    pub username_attributes: Vec<VerifiableAttribute>,
    pub username_configuration: UsernameConfiguration,
    pub password_storage: PasswordStorage,
    pub creation_date: Timestamp,
    pub last_modified_date: Timestamp,
    #[serde(default)]
    pub estimated_number_of_users: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_domain: Option<String>,
    /// Set by SetUserPoolMfaConfig (not part of UpdateUserPool).
    #[serde(default, skip_serializing_if = "is_default")]
    pub software_token_mfa_configuration: SoftwareTokenMfaConfiguration,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_mfa_configuration: Option<EmailMfaConfiguration>,
    /// Set by SetUserPoolMfaConfig: the passkeys' relying party.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_authn_configuration: Option<WebAuthnConfiguration>,
    /// Set by SetUserPoolSessionConfiguration; DescribeUserPool leaves it out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_configuration: Option<super::session::PoolSessionConfig>,
}

/// Cognito API: WebAuthnConfigurationType.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct WebAuthnConfiguration {
    /// A domain the pool's pages are served under; unset, the pool's
    /// domain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relying_party_id: Option<String>,
    #[serde(default)]
    pub user_verification: UserVerification,
}

/// Cognito API: UserVerificationType.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum UserVerification {
    Required,
    #[default]
    Preferred,
}

impl WebAuthnConfiguration {
    /// Cognito API: WebAuthnConfigurationType, RelyingPartyId — 1 to 127
    /// characters of a host name.
    pub fn validate(&self) -> crate::error::Result<()> {
        let Some(id) = &self.relying_party_id else {
            return Ok(());
        };
        let host = !id.is_empty()
            && id.len() <= 127
            && id.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            });
        if host {
            Ok(())
        } else {
            Err(crate::error::CognitoError::invalid_parameter(format!(
                "1 validation error detected: Value '{id}' at 'webAuthnConfiguration.relyingPartyId' failed to satisfy constraint: Member must be a host name of at most 127 characters"
            )))
        }
    }
}

fn is_default<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

/// Cognito API: SoftwareTokenMfaConfigType.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SoftwareTokenMfaConfiguration {
    #[serde(default)]
    pub enabled: bool,
}

/// Cognito API: EmailMfaConfigType.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EmailMfaConfiguration {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
}

impl UserPool {
    /// The pool's session configuration, Cognito's defaults if never set.
    pub fn session_config(&self) -> super::session::PoolSessionConfig {
        self.session_configuration.unwrap_or_default()
    }

    /// Validates a CreateUserPool request and builds the pool it describes.
    pub fn create(input: NewUserPool, region: &str, now: Timestamp) -> Result<Self> {
        validate::len_between("poolName", &input.pool_name, 1, 128)?;
        validate::pattern(
            "poolName",
            &input.pool_name,
            validate::name_chars,
            "[\\w\\s+=,.@-]+",
        )?;
        input.config.validate()?;
        if !input.alias_attributes.is_empty() && !input.username_attributes.is_empty() {
            // Cognito API: CreateUserPool — AliasAttributes and UsernameAttributes are exclusive.
            return Err(CognitoError::invalid_parameter(
                "Only one of the aliasAttributes or usernameAttributes can be set in a User Pool.",
            ));
        }
        validate::max_items("aliasAttributes", &input.alias_attributes, 3)?;
        validate::max_items("usernameAttributes", &input.username_attributes, 2)?;
        let schema = SchemaAttribute::build_schema(&input.schema)?;
        let id = ids::new_user_pool_id(region);
        let mut config = input.config;
        config.auto_verified_attributes.sort();
        config.auto_verified_attributes.dedup();
        if config
            .account_recovery_setting
            .recovery_mechanisms
            .is_empty()
        {
            // Cognito's default when AccountRecoverySetting is omitted.
            config.account_recovery_setting.recovery_mechanisms = vec![
                RecoveryOption {
                    priority: 1,
                    name: RecoveryOptionName::VerifiedEmail,
                },
                RecoveryOption {
                    priority: 2,
                    name: RecoveryOptionName::VerifiedPhoneNumber,
                },
            ];
        }
        Ok(Self {
            arn: ids::user_pool_arn(region, &id),
            id,
            name: input.pool_name,
            config,
            schema_attributes: schema,
            alias_attributes: input.alias_attributes,
            username_attributes: input.username_attributes,
            // Cognito's API default is case sensitive when the field is absent;
            // the console's (and ours when asked) is insensitive.
            username_configuration: input
                .username_configuration
                .unwrap_or(UsernameConfiguration {
                    case_sensitive: true,
                }),
            password_storage: input.password_storage,
            creation_date: now,
            last_modified_date: now,
            estimated_number_of_users: 0,
            domain: None,
            custom_domain: None,
            software_token_mfa_configuration: SoftwareTokenMfaConfiguration::default(),
            email_mfa_configuration: None,
            web_authn_configuration: None,
            session_configuration: None,
        })
    }

    /// UpdateUserPool: replaces the mutable settings; the immutable ones stay.
    pub fn update(&mut self, config: UserPoolConfig, now: Timestamp) -> Result<()> {
        config.validate()?;
        self.config = config;
        self.last_modified_date = now;
        Ok(())
    }

    pub fn is_case_sensitive(&self) -> bool {
        self.username_configuration.case_sensitive
    }

    /// The form of a username or alias value under which uniqueness and
    /// look-ups work: lowercased for case-insensitive pools.
    pub fn normalize(&self, value: &str) -> String {
        if self.is_case_sensitive() {
            value.to_owned()
        } else {
            value.to_lowercase()
        }
    }

    pub fn region(&self) -> &str {
        ids::region_of(&self.id).unwrap_or("us-east-1")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_pool(name: &str) -> NewUserPool {
        NewUserPool {
            pool_name: name.into(),
            ..Default::default()
        }
    }

    #[test]
    fn create_gives_cognito_shaped_pool() {
        let pool = UserPool::create(new_pool("my pool"), "eu-west-1", Timestamp(1_000)).unwrap();
        assert!(pool.id.starts_with("eu-west-1_"));
        assert_eq!(
            pool.arn,
            format!(
                "arn:aws:cognito-idp:eu-west-1:000000000000:userpool/{}",
                pool.id
            )
        );
        assert_eq!(pool.config.mfa_configuration, MfaConfiguration::Off);
        let json = serde_json::to_value(&pool).unwrap();
        assert_eq!(json["Policies"]["PasswordPolicy"]["MinimumLength"], 8);
        assert_eq!(json["CreationDate"], 1.0);
    }

    #[test]
    fn pool_name_rules() {
        assert!(UserPool::create(new_pool(""), "us-east-1", Timestamp(0)).is_err());
        assert!(UserPool::create(new_pool(&"a".repeat(129)), "us-east-1", Timestamp(0)).is_err());
        assert!(UserPool::create(new_pool("bad/name"), "us-east-1", Timestamp(0)).is_err());
    }

    #[test]
    fn alias_and_username_attributes_are_exclusive() {
        let mut p = new_pool("x");
        p.alias_attributes = vec![AliasAttribute::Email];
        p.username_attributes = vec![VerifiableAttribute::Email];
        let err = UserPool::create(p, "us-east-1", Timestamp(0)).unwrap_err();
        assert_eq!(err.wire_name(), "InvalidParameterException");
    }

    #[test]
    fn password_policy_bounds_and_checks() {
        let mut p = new_pool("x");
        p.config.policies.password_policy.minimum_length = 5;
        assert!(UserPool::create(p.clone(), "us-east-1", Timestamp(0)).is_err());
        p.config.policies.password_policy.minimum_length = 100;
        assert!(UserPool::create(p, "us-east-1", Timestamp(0)).is_err());
        let policy = PasswordPolicy::default();
        assert!(policy.check("Passw0rd!").is_ok());
        assert!(policy.check("Passw0rd").is_err());
        assert!(policy.check("passw0rd!").is_err());
        assert!(policy.check("Pa0!").is_err());
        assert_eq!(
            policy.check("password").unwrap_err().wire_name(),
            "InvalidPasswordException"
        );
    }

    #[test]
    fn templates_need_their_placeholders() {
        let mut p = new_pool("x");
        p.config.verification_message_template.email_message = Some("no code here".into());
        assert!(UserPool::create(p, "us-east-1", Timestamp(0)).is_err());
    }
}
