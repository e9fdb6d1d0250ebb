//! One-time codes: six digits from the CSPRNG, single use, expiring, kept
//! in the user's settings only as a keyed hash bound to the pool, the user
//! and the purpose, compared in constant time, and void after a few wrong
//! tries. Also where they go: the attribute a code is sent to, masked in
//! CodeDeliveryDetails as Cognito masks it.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde::Serialize;

use super::Idp;
use crate::crypto::{SecretString, constant_time_eq, random_bytes};
use crate::error::{CognitoError, Result};
use crate::model::pool::{RecoveryOptionName, VerifiableAttribute};
use crate::model::user::StoredCode;
use crate::model::{User, UserPool};
use crate::store::outbox::Channel;

/// Wrong codes a code survives; the next attempt finds it void.
pub const MAX_FAILED_ATTEMPTS: u32 = 5;

/// What a code is for. Each purpose has its own code, so a reset code
/// cannot confirm a sign-up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodePurpose<'a> {
    SignUp,
    PasswordReset,
    /// Verifying `email` or `phone_number`.
    VerifyAttribute(&'a str),
    /// A sign-in's SMS_MFA or EMAIL_OTP code.
    Mfa,
    /// USER_AUTH's EMAIL_OTP or SMS_OTP first factor.
    SignIn,
}

impl CodePurpose<'_> {
    pub fn key(&self) -> String {
        match self {
            Self::SignUp => "signup".into(),
            Self::PasswordReset => "reset".into(),
            Self::VerifyAttribute(a) => format!("verify:{a}"),
            Self::Mfa => "mfa".into(),
            Self::SignIn => "signin".into(),
        }
    }

    /// Cognito sends eight-digit codes for passwordless sign-in (developer
    /// guide, "Passwordless sign-in"), six for everything else.
    pub fn digits(&self) -> u32 {
        match self {
            Self::SignIn => 8,
            _ => 6,
        }
    }

    /// Cognito developer guide: confirmation and verification codes are
    /// valid for 24 hours, password-reset codes for one hour.
    pub fn lifetime_seconds(&self) -> i64 {
        match self {
            Self::PasswordReset => 3600,
            // Cognito developer guide: MFA codes by SMS or email are valid
            // for three minutes.
            Self::Mfa | Self::SignIn => 180,
            Self::SignUp | Self::VerifyAttribute(_) => 24 * 3600,
        }
    }
}

/// Cognito API: CodeMismatchException.
pub fn code_mismatch() -> CognitoError {
    CognitoError::CodeMismatch("Invalid verification code provided, please try again.".into())
}

/// Cognito API: ExpiredCodeException.
pub fn code_expired() -> CognitoError {
    CognitoError::ExpiredCode("Invalid code provided, please request a code again.".into())
}

/// Cognito API: LimitExceededException, after too many wrong codes.
pub fn attempts_exceeded() -> CognitoError {
    CognitoError::LimitExceeded("Attempt limit exceeded, please try after some time.".into())
}

/// `digits` decimal digits (6 or 8), uniform: draws above the largest
/// multiple of 10^digits are drawn again rather than folded (no modulo
/// bias).
fn random_digits(digits: u32) -> SecretString {
    let modulus = 10u32.pow(digits);
    let limit = u32::MAX - (u32::MAX % modulus);
    loop {
        let n = u32::from_le_bytes(random_bytes::<4>());
        if n < limit {
            return SecretString::new(format!("{:0width$}", n % modulus, width = digits as usize));
        }
    }
}

/// Cognito's CodeDeliveryDetailsType.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CodeDeliveryDetails {
    pub destination: String,
    pub delivery_medium: Channel,
    pub attribute_name: String,
}

impl CodeDeliveryDetails {
    pub fn new(attribute: &str, value: &str) -> Self {
        Self {
            destination: mask(attribute, value),
            delivery_medium: channel_of(attribute),
            attribute_name: attribute.to_owned(),
        }
    }
}

/// `phone_number` travels by SMS, everything else by email.
pub fn channel_of(attribute: &str) -> Channel {
    if attribute == "phone_number" {
        Channel::Sms
    } else {
        Channel::Email
    }
}

/// Cognito's masking: `a***@e***` for an email (first character of the
/// local part and of the domain), `+*******1212` for a phone number (all
/// but the last four digits).
pub fn mask(attribute: &str, value: &str) -> String {
    if attribute == "phone_number" {
        let digits: Vec<char> = value.chars().filter(char::is_ascii_digit).collect();
        let keep = digits.len().min(4);
        let hidden = digits.len() - keep;
        let tail: String = digits[hidden..].iter().collect();
        format!("+{}{tail}", "*".repeat(hidden))
    } else {
        let (local, domain) = value.split_once('@').unwrap_or((value, ""));
        let first = |s: &str| s.chars().next().map(String::from).unwrap_or_default();
        format!("{}***@{}***", first(local), first(domain))
    }
}

/// The attribute a sign-up confirmation code goes to: of the pool's
/// auto-verified attributes the user has, the phone number first (Cognito
/// sends by SMS when both are auto-verified), then the email.
pub fn confirmation_target(pool: &UserPool, user: &User) -> Option<(&'static str, String)> {
    let auto = &pool.config.auto_verified_attributes;
    [VerifiableAttribute::PhoneNumber, VerifiableAttribute::Email]
        .into_iter()
        .filter(|a| auto.contains(a))
        .map(|a| a.attribute_name())
        .find_map(|name| user.attribute(name).map(|v| (name, v.to_owned())))
}

/// Where a password-reset code goes: the pool's AccountRecoverySetting in
/// priority order, verified attributes only (Cognito API: ForgotPassword).
pub fn recovery_target(pool: &UserPool, user: &User) -> Option<(&'static str, String)> {
    let mut mechanisms = pool
        .config
        .account_recovery_setting
        .recovery_mechanisms
        .clone();
    mechanisms.sort_by_key(|m| m.priority);
    mechanisms.into_iter().find_map(|m| {
        let name = match m.name {
            RecoveryOptionName::VerifiedEmail => "email",
            RecoveryOptionName::VerifiedPhoneNumber => "phone_number",
            RecoveryOptionName::AdminOnly => return None,
        };
        user.is_verified(name)
            .then(|| user.attribute(name).map(|v| (name, v.to_owned())))
            .flatten()
    })
}

impl Idp {
    fn code_hash(&self, pool: &UserPool, user: &User, purpose: &str, code: &str) -> String {
        let data = format!("{}\0{}\0{}\0{}", pool.id, user.sub, purpose, code);
        B64.encode(self.master_key.mac("one-time-code", data.as_bytes()))
    }

    /// Makes a new code for `purpose`, replacing any earlier one, and keeps
    /// its hash in `user` (the caller writes the user). Returns the code
    /// for the message; it is never stored.
    pub(crate) fn issue_code(
        &self,
        pool: &UserPool,
        user: &mut User,
        purpose: CodePurpose<'_>,
        attribute: Option<&str>,
        pending_value: Option<String>,
    ) -> SecretString {
        let code = random_digits(purpose.digits());
        let key = purpose.key();
        let stored = StoredCode {
            hash: self.code_hash(pool, user, &key, code.expose()),
            expires: self
                .clock
                .now()
                .plus_seconds(purpose.lifetime_seconds())
                .millis(),
            failures: 0,
            attribute: attribute.map(str::to_owned),
            pending_value,
        };
        user.settings.codes.insert(key, stored);
        code
    }

    /// Checks `code` for `purpose`. Right: the code is spent (removed from
    /// `user`, which the caller writes with its other changes) and its
    /// record returned. Wrong: the failure is counted and written at once,
    /// and CodeMismatchException returned. No code, or an expired one:
    /// ExpiredCodeException; too many failures: LimitExceededException.
    ///
    /// With `hide_existence` (a public action of a client with
    /// PreventUserExistenceErrors) the answer for a code the user does not
    /// hold is the one an unknown name gets: no code, or a wrong guess at an
    /// expired one, is CodeMismatchException, and only the holder of the
    /// right code learns it expired (see `lockout.rs` for the unknown names).
    ///
    /// Call it with the user locked and freshly read ([`Idp::lock_user`]),
    /// before changing anything else in `user`.
    pub(crate) async fn check_code(
        &self,
        pool: &UserPool,
        user: &mut User,
        purpose: CodePurpose<'_>,
        code: &str,
        hide_existence: bool,
    ) -> Result<StoredCode> {
        validate_code_input(code)?;
        let key = purpose.key();
        let Some(stored) = user.settings.codes.get(&key).cloned() else {
            return Err(if hide_existence {
                code_mismatch()
            } else {
                code_expired()
            });
        };
        if stored.failures >= MAX_FAILED_ATTEMPTS {
            return Err(attempts_exceeded());
        }
        let expired = self.clock.now().millis() >= stored.expires;
        if expired && !hide_existence {
            return Err(code_expired());
        }
        let given = self.code_hash(pool, user, &key, code);
        if constant_time_eq(given.as_bytes(), stored.hash.as_bytes()) {
            if expired {
                return Err(code_expired());
            }
            user.settings.codes.remove(&key);
            return Ok(stored);
        }
        if let Some(s) = user.settings.codes.get_mut(&key) {
            s.failures += 1;
        }
        self.store.update_user(pool, user).await?;
        Err(code_mismatch())
    }
}

/// Cognito API: ConfirmationCode — 1–2048 characters matching `[\S]+`.
pub fn validate_code_input(code: &str) -> Result<()> {
    crate::model::validate::len_between("confirmationCode", code, 1, 2048)?;
    crate::model::validate::pattern("confirmationCode", code, |c| !c.is_whitespace(), "[\\S]+")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_their_purposes_digits() {
        for (purpose, len) in [(CodePurpose::Mfa, 6), (CodePurpose::SignIn, 8)] {
            for _ in 0..200 {
                let c = random_digits(purpose.digits());
                assert_eq!(c.expose().len(), len);
                assert!(c.expose().bytes().all(|b| b.is_ascii_digit()));
            }
        }
    }

    #[test]
    fn masks_follow_cognito() {
        assert_eq!(mask("email", "alice@example.com"), "a***@e***");
        assert_eq!(mask("phone_number", "+12065551212"), "+*******1212");
        assert_eq!(mask("phone_number", "+123"), "+123");
        assert_eq!(mask("email", "émile@ñu.example"), "é***@ñ***");
    }
}
