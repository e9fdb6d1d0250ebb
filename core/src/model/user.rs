//! Users and the keys that must be unique within a pool: the username, and
//! the email, phone number or preferred username when the pool signs in
//! with them (UsernameAttributes) or accepts them as aliases (AliasAttributes).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::attributes::AttributeType;
use super::pool::{AliasAttribute, UserPool, VerifiableAttribute};
use super::validate;
use crate::clock::Timestamp;
use crate::error::{CognitoError, Result};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum UserStatus {
    Unconfirmed,
    Confirmed,
    Archived,
    Compromised,
    Unknown,
    ResetRequired,
    ForceChangePassword,
    ExternalProvider,
}

impl UserStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unconfirmed => "UNCONFIRMED",
            Self::Confirmed => "CONFIRMED",
            Self::Archived => "ARCHIVED",
            Self::Compromised => "COMPROMISED",
            Self::Unknown => "UNKNOWN",
            Self::ResetRequired => "RESET_REQUIRED",
            Self::ForceChangePassword => "FORCE_CHANGE_PASSWORD",
            Self::ExternalProvider => "EXTERNAL_PROVIDER",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        serde_json::from_value(serde_json::Value::String(s.to_owned())).ok()
    }
}

/// Which kind of unique key a [`UserKey`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum KeyKind {
    Username,
    Email,
    PhoneNumber,
    PreferredUsername,
}

impl KeyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Username => "username",
            Self::Email => "email",
            Self::PhoneNumber => "phone_number",
            Self::PreferredUsername => "preferred_username",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "username" => Self::Username,
            "email" => Self::Email,
            "phone_number" => Self::PhoneNumber,
            "preferred_username" => Self::PreferredUsername,
            _ => return None,
        })
    }

    /// Whether a clash on this key is a username clash (UsernameExists) or
    /// an alias clash (AliasExists), for the given pool.
    pub fn conflict_error(self, pool: &UserPool) -> CognitoError {
        let as_username = match self {
            Self::Username => true,
            Self::Email => pool
                .username_attributes
                .contains(&VerifiableAttribute::Email),
            Self::PhoneNumber => pool
                .username_attributes
                .contains(&VerifiableAttribute::PhoneNumber),
            Self::PreferredUsername => false,
        };
        let what = match self {
            Self::Username => "User account already exists".to_owned(),
            other => format!(
                "An account with the given {} already exists.",
                other.as_str()
            ),
        };
        if as_username {
            CognitoError::UsernameExists(what)
        } else {
            CognitoError::AliasExists(what)
        }
    }
}

/// A unique key of a user in its pool, already normalized for the pool's
/// case sensitivity.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UserKey {
    pub kind: KeyKind,
    pub value: String,
}

/// Attributes that ListUsers can filter on, answered from an index.
pub const INDEXED_ATTRIBUTES: &[&str] = &[
    "username",
    "email",
    "phone_number",
    "name",
    "given_name",
    "family_name",
    "preferred_username",
    "cognito:user_status",
    "status",
    "sub",
];

/// Per-user settings that are not attributes (MFA preferences and the like).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct UserSettings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_mfa: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub enabled_mfa: Vec<String>,
    /// Outstanding one-time codes by purpose (`signup`, `reset`,
    /// `verify:email`, …); see `service::codes`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub codes: BTreeMap<String, StoredCode>,
    /// Failed sign-ins and the lockout they caused (`service::lockout`).
    #[serde(default, skip_serializing_if = "Lockout::is_clear")]
    pub lockout: Lockout,
    /// The verified authenticator app, if any (`service::mfa`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub totp: Option<TotpDevice>,
    /// A secret handed out by AssociateSoftwareToken, not yet verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub totp_pending: Option<TotpDevice>,
    /// Moves on when the user's sign-ins end (global sign-out, a password
    /// set or reset, disabling): hosted-UI sessions and codes of an earlier
    /// epoch are over (`service::access`).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub session_epoch: u32,
    /// Registered passkeys (`service::passkeys`), each sealed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub passkeys: Vec<StoredPasskey>,
    /// A StartWebAuthnRegistration not yet completed: its ceremony state,
    /// sealed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passkey_registration: Option<String>,
}

/// One registered passkey: Cognito's WebAuthnCredentialDescription, and
/// the credential (public key, sign counter) sealed under the master key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredPasskey {
    /// The credential id, base64url.
    pub id: String,
    pub relying_party_id: String,
    pub created: Timestamp,
    /// The webauthn-rs credential as JSON, sealed.
    pub sealed: String,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// Failed sign-ins counted toward a lockout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Lockout {
    pub failures: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_failure: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locked_until: Option<Timestamp>,
}

impl Lockout {
    pub fn is_clear(&self) -> bool {
        *self == Self::default()
    }
}

/// An authenticator app's shared secret, sealed under the master key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TotpDevice {
    /// Base64 of the sealed secret.
    pub sealed_secret: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub friendly_name: Option<String>,
    /// The last time step whose code was accepted: a code works once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_step: Option<u64>,
}

/// A one-time code as kept: a keyed hash, never the code itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredCode {
    /// Base64 HMAC-SHA256 of the code with the pool, user and purpose.
    pub hash: String,
    /// Epoch milliseconds after which the code no longer works.
    pub expires: i64,
    /// Wrong codes tried so far; at the limit the code is void.
    #[serde(default)]
    pub failures: u32,
    /// The attribute the code went to, or verifies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribute: Option<String>,
    /// A new value that takes effect once verified (Cognito:
    /// AttributesRequireVerificationBeforeUpdate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_value: Option<String>,
}

/// A user as stored. The credential is sealed under the master key by the
/// caller; the store never sees a password.
#[derive(Clone, Debug, PartialEq)]
pub struct User {
    pub pool_id: String,
    pub sub: Uuid,
    pub username: String,
    /// Every attribute but `sub`, which is the field above.
    pub attributes: Vec<AttributeType>,
    pub status: UserStatus,
    pub enabled: bool,
    pub created: Timestamp,
    pub modified: Timestamp,
    /// The sealed password credential, if the user has one.
    pub credential: Option<Vec<u8>>,
    /// When a temporary password stops working.
    pub password_expires: Option<Timestamp>,
    pub settings: UserSettings,
}

impl User {
    pub fn new(pool_id: &str, username: &str, now: Timestamp) -> Self {
        Self {
            pool_id: pool_id.to_owned(),
            sub: Uuid::new_v4(),
            username: username.to_owned(),
            attributes: Vec::new(),
            status: UserStatus::Unconfirmed,
            enabled: true,
            created: now,
            modified: now,
            credential: None,
            password_expires: None,
            settings: UserSettings::default(),
        }
    }

    pub fn attribute(&self, name: &str) -> Option<&str> {
        if name == "sub" {
            return None;
        }
        self.attributes
            .iter()
            .find(|a| a.name == name)
            .map(|a| a.value.as_str())
    }

    pub fn is_verified(&self, attr: &str) -> bool {
        self.attribute(&format!("{attr}_verified")) == Some("true")
    }

    /// Sets or replaces an attribute; an empty value removes it.
    pub fn set_attribute(&mut self, name: &str, value: &str) {
        self.attributes.retain(|a| a.name != name);
        if !value.is_empty() {
            self.attributes.push(AttributeType::new(name, value));
        }
    }

    pub fn remove_attribute(&mut self, name: &str) {
        self.attributes.retain(|a| a.name != name);
    }

    /// The attributes as Cognito returns them, with `sub` first.
    pub fn attributes_with_sub(&self) -> Vec<AttributeType> {
        let mut out = Vec::with_capacity(self.attributes.len() + 1);
        out.push(AttributeType::new("sub", self.sub.to_string()));
        out.extend(self.attributes.iter().cloned());
        out
    }

    /// The unique keys of this user in `pool`.
    pub fn keys(&self, pool: &UserPool) -> Vec<UserKey> {
        let mut keys = vec![UserKey {
            kind: KeyKind::Username,
            value: pool.normalize(&self.username),
        }];
        let mut push = |kind: KeyKind, name: &str| {
            if let Some(v) = self.attribute(name).filter(|v| !v.is_empty()) {
                keys.push(UserKey {
                    kind,
                    value: pool.normalize(v),
                });
            }
        };
        for attr in &pool.username_attributes {
            match attr {
                VerifiableAttribute::Email => push(KeyKind::Email, "email"),
                VerifiableAttribute::PhoneNumber => push(KeyKind::PhoneNumber, "phone_number"),
            }
        }
        for alias in &pool.alias_attributes {
            match alias {
                // Email and phone work as aliases only once verified (Cognito
                // developer guide, "User pool attributes: aliases").
                AliasAttribute::Email if self.is_verified("email") => push(KeyKind::Email, "email"),
                AliasAttribute::PhoneNumber if self.is_verified("phone_number") => {
                    push(KeyKind::PhoneNumber, "phone_number")
                }
                AliasAttribute::PreferredUsername => {
                    push(KeyKind::PreferredUsername, "preferred_username")
                }
                _ => {}
            }
        }
        keys
    }

    /// Rows for the attribute index: `(attribute, value)`, values as given
    /// (filters are exact and case-sensitive, as Cognito's).
    pub fn index_entries(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::with_capacity(8);
        for &name in INDEXED_ATTRIBUTES {
            let value = match name {
                "username" => Some(self.username.clone()),
                "cognito:user_status" => Some(self.status.as_str().to_owned()),
                "status" => Some(if self.enabled { "Enabled" } else { "Disabled" }.to_owned()),
                "sub" => Some(self.sub.to_string()),
                other => self.attribute(other).map(str::to_owned),
            };
            if let Some(v) = value {
                out.push((name, v));
            }
        }
        out
    }
}

/// Cognito API: Username — 1–128 characters of `[\p{L}\p{M}\p{S}\p{N}\p{P}]+`.
pub fn validate_username(username: &str) -> Result<()> {
    validate::len_between("username", username, 1, 128)?;
    validate::pattern(
        "username",
        username,
        validate::visible_chars,
        "[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::pool::{NewUserPool, UsernameConfiguration};

    fn pool(case_sensitive: bool, aliases: Vec<AliasAttribute>) -> UserPool {
        UserPool::create(
            NewUserPool {
                pool_name: "p".into(),
                alias_attributes: aliases,
                username_configuration: Some(UsernameConfiguration { case_sensitive }),
                ..Default::default()
            },
            "us-east-1",
            Timestamp(0),
        )
        .unwrap()
    }

    #[test]
    fn keys_follow_case_sensitivity_and_verified_aliases() {
        let p = pool(
            false,
            vec![AliasAttribute::Email, AliasAttribute::PreferredUsername],
        );
        let mut u = User::new(&p.id, "Alice", Timestamp(0));
        u.set_attribute("email", "Alice@Example.com");
        u.set_attribute("preferred_username", "Ally");
        let keys = u.keys(&p);
        assert_eq!(keys[0].value, "alice");
        // Unverified email is not an alias yet.
        assert!(!keys.iter().any(|k| k.kind == KeyKind::Email));
        assert!(
            keys.iter()
                .any(|k| k.kind == KeyKind::PreferredUsername && k.value == "ally")
        );
        u.set_attribute("email_verified", "true");
        assert!(
            u.keys(&p)
                .iter()
                .any(|k| k.kind == KeyKind::Email && k.value == "alice@example.com")
        );
        let sensitive = pool(true, vec![]);
        assert_eq!(u.keys(&sensitive)[0].value, "Alice");
    }

    #[test]
    fn username_rules() {
        assert!(validate_username("émile.zola+1@example.com").is_ok());
        assert!(validate_username("has space").is_err());
        assert!(validate_username("").is_err());
        assert!(validate_username(&"x".repeat(129)).is_err());
        assert!(validate_username("tab\tname").is_err());
    }
}
