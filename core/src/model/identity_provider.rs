//! Identity providers of a user pool (federation): Cognito's
//! IdentityProviderType, with the rules of CreateIdentityProvider and
//! UpdateIdentityProvider — the ProviderDetails keys of each ProviderType,
//! AttributeMapping and IdpIdentifiers. The social types are OAuth 2.0 /
//! OpenID Connect providers whose endpoints are built in (`Preset`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::UserPool;
use super::validate;
use crate::clock::Timestamp;
use crate::error::{CognitoError, Result};

/// Cognito's service quota: identity providers per user pool.
pub const MAX_IDENTITY_PROVIDERS_PER_POOL: usize = 300;
/// Cognito API: AdminLinkProviderForUser — at most five identities per user.
pub const MAX_LINKS_PER_USER: usize = 5;
/// Cognito API: CreateIdentityProvider, IdpIdentifiers — at most 50.
const MAX_IDP_IDENTIFIERS: usize = 50;
/// Cognito API: CreateIdentityProvider, AttributeMapping — at most 50 entries.
const MAX_ATTRIBUTE_MAPPINGS: usize = 50;
/// The ProviderDetails keys whose values are secrets: sealed at rest.
pub const SECRET_DETAILS: &[&str] = &["client_secret", "private_key"];

/// Cognito API: IdentityProviderTypeType.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ProviderType {
    #[serde(rename = "SAML")]
    Saml,
    Facebook,
    Google,
    LoginWithAmazon,
    SignInWithApple,
    #[serde(rename = "OIDC")]
    Oidc,
}

impl ProviderType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Saml => "SAML",
            Self::Facebook => "Facebook",
            Self::Google => "Google",
            Self::LoginWithAmazon => "LoginWithAmazon",
            Self::SignInWithApple => "SignInWithApple",
            Self::Oidc => "OIDC",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Saml,
            Self::Facebook,
            Self::Google,
            Self::LoginWithAmazon,
            Self::SignInWithApple,
            Self::Oidc,
        ]
        .into_iter()
        .find(|t| t.as_str() == s)
    }

    /// A social provider: its name is its type, its endpoints are built in.
    pub fn is_social(self) -> bool {
        !matches!(self, Self::Saml | Self::Oidc)
    }

    /// The keys a request must give for this type (Cognito API:
    /// CreateIdentityProvider, ProviderDetails).
    fn required_details(self) -> &'static [&'static str] {
        match self {
            Self::Google | Self::LoginWithAmazon | Self::Facebook => {
                &["client_id", "client_secret", "authorize_scopes"]
            }
            Self::SignInWithApple => &[
                "client_id",
                "team_id",
                "key_id",
                "private_key",
                "authorize_scopes",
            ],
            Self::Oidc => &[
                "client_id",
                "client_secret",
                "oidc_issuer",
                "authorize_scopes",
            ],
            Self::Saml => &[],
        }
    }

    /// Every key a request may give for this type: the required ones, the
    /// optional ones, and those DescribeIdentityProvider answers with (so a
    /// described provider can be sent back as it is).
    fn allowed_details(self) -> &'static [&'static str] {
        match self {
            Self::Google | Self::LoginWithAmazon => &[
                "client_id",
                "client_secret",
                "authorize_scopes",
                "authorize_url",
                "token_url",
                "attributes_url",
                "attributes_url_add_attributes",
                "token_request_method",
                "oidc_issuer",
            ],
            Self::Facebook => &[
                "client_id",
                "client_secret",
                "authorize_scopes",
                "api_version",
                "authorize_url",
                "token_url",
                "attributes_url",
                "attributes_url_add_attributes",
                "token_request_method",
            ],
            Self::SignInWithApple => &[
                "client_id",
                "team_id",
                "key_id",
                "private_key",
                "authorize_scopes",
                "authorize_url",
                "token_url",
                "attributes_url_add_attributes",
                "token_request_method",
                "oidc_issuer",
            ],
            Self::Oidc => &[
                "client_id",
                "client_secret",
                "oidc_issuer",
                "authorize_scopes",
                "attributes_request_method",
                "authorize_url",
                "token_url",
                "attributes_url",
                "jwks_uri",
                "attributes_url_add_attributes",
            ],
            Self::Saml => &[
                "MetadataURL",
                "MetadataFile",
                "IDPSignout",
                "IDPInit",
                "EncryptedResponses",
                "RequestSigningAlgorithm",
                "ActiveEncryptionCertificate",
                "SLORedirectBindingURI",
                "SSORedirectBindingURI",
            ],
        }
    }

    /// The keys Cognito derives and answers itself; what a request gives
    /// for them is replaced.
    fn derived_details(self) -> &'static [&'static str] {
        match self {
            Self::Oidc => &["attributes_url_add_attributes"],
            Self::Saml => &[
                "ActiveEncryptionCertificate",
                "SLORedirectBindingURI",
                "SSORedirectBindingURI",
            ],
            _ => &[
                "authorize_url",
                "token_url",
                "attributes_url",
                "attributes_url_add_attributes",
                "token_request_method",
                "oidc_issuer",
            ],
        }
    }

    /// The upstream attribute that names the user (the `<ProviderName>_<id>`
    /// username, and `Cognito_Subject` of AdminLinkProviderForUser); Cognito
    /// maps it to `username` unless told otherwise.
    pub fn subject_attribute(self) -> Option<&'static str> {
        match self {
            Self::Facebook => Some("id"),
            Self::LoginWithAmazon => Some("user_id"),
            Self::Google | Self::SignInWithApple | Self::Oidc => Some("sub"),
            Self::Saml => None,
        }
    }
}

/// The built-in endpoints of a social provider, which the server's
/// configuration may point elsewhere (tests point them at a local provider).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preset {
    pub authorize_url: String,
    pub token_url: String,
    /// Where the user's attributes are read; Apple has none (the ID token only).
    #[serde(default)]
    pub attributes_url: Option<String>,
    /// The ID token's issuer, for the providers that sign one.
    #[serde(default)]
    pub oidc_issuer: Option<String>,
    /// The upstream's signing keys, for the providers that sign an ID token.
    #[serde(default)]
    pub jwks_uri: Option<String>,
}

impl Preset {
    /// Cognito API: DescribeIdentityProvider — the endpoints Cognito answers
    /// for each social type (Facebook's carry the api_version).
    pub fn builtin(t: ProviderType, api_version: &str) -> Option<Self> {
        let s = |v: &str| v.to_owned();
        Some(match t {
            ProviderType::Google => Self {
                authorize_url: s("https://accounts.google.com/o/oauth2/v2/auth"),
                token_url: s("https://www.googleapis.com/oauth2/v4/token"),
                attributes_url: Some(s(
                    "https://people.googleapis.com/v1/people/me?personFields=",
                )),
                oidc_issuer: Some(s("https://accounts.google.com")),
                jwks_uri: Some(s("https://www.googleapis.com/oauth2/v3/certs")),
            },
            ProviderType::Facebook => Self {
                authorize_url: format!("https://www.facebook.com/{api_version}/dialog/oauth"),
                token_url: format!("https://graph.facebook.com/{api_version}/oauth/access_token"),
                attributes_url: Some(format!(
                    "https://graph.facebook.com/{api_version}/me?fields="
                )),
                oidc_issuer: None,
                jwks_uri: None,
            },
            ProviderType::LoginWithAmazon => Self {
                authorize_url: s("https://www.amazon.com/ap/oa"),
                token_url: s("https://api.amazon.com/auth/o2/token"),
                attributes_url: Some(s("https://api.amazon.com/user/profile")),
                oidc_issuer: None,
                jwks_uri: None,
            },
            ProviderType::SignInWithApple => Self {
                authorize_url: s("https://appleid.apple.com/auth/authorize"),
                token_url: s("https://appleid.apple.com/auth/token"),
                attributes_url: None,
                oidc_issuer: Some(s("https://appleid.apple.com")),
                jwks_uri: Some(s("https://appleid.apple.com/auth/keys")),
            },
            ProviderType::Oidc | ProviderType::Saml => return None,
        })
    }
}

/// The Facebook Graph API version when the request names none.
pub const DEFAULT_FACEBOOK_API_VERSION: &str = "v17.0";

/// The endpoints of an OpenID Connect provider, as its discovery document
/// (OpenID Connect Discovery 1.0 §3) or the request names them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OidcEndpoints {
    pub authorize_url: String,
    pub token_url: String,
    pub attributes_url: Option<String>,
    pub jwks_uri: String,
}

/// Cognito API: IdentityProviderType.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct IdentityProvider {
    pub user_pool_id: String,
    pub provider_name: String,
    pub provider_type: ProviderType,
    /// As stored: secrets sealed (service/identity_providers.rs); as read
    /// by the service: opened.
    #[serde(default)]
    pub provider_details: BTreeMap<String, String>,
    #[serde(default)]
    pub attribute_mapping: BTreeMap<String, String>,
    #[serde(default)]
    pub idp_identifiers: Vec<String>,
    pub last_modified_date: Timestamp,
    pub creation_date: Timestamp,
}

/// Cognito API: CreateIdentityProvider, ProviderName — 1–32 characters,
/// `[^_\p{Z}][\p{L}\p{M}\p{S}\p{N}\p{P}][^_\p{Z}]+`.
pub fn validate_provider_name(name: &str) -> Result<()> {
    validate::len_between("providerName", name, 1, 32)?;
    let chars: Vec<char> = name.chars().collect();
    let no_underscore_or_space = |c: char| c != '_' && !c.is_whitespace();
    let ok = chars.len() >= 3
        && no_underscore_or_space(chars[0])
        && validate::visible_chars(chars[1])
        && chars[2..].iter().all(|c| no_underscore_or_space(*c));
    if !ok {
        return Err(CognitoError::invalid_parameter(format!(
            "1 validation error detected: Value '{name}' at 'providerName' failed to satisfy \
             constraint: Member must satisfy regular expression pattern: \
             [^_\\p{{Z}}][\\p{{L}}\\p{{M}}\\p{{S}}\\p{{N}}\\p{{P}}][^_\\p{{Z}}]+"
        )));
    }
    Ok(())
}

/// Cognito API: CreateIdentityProvider, IdpIdentifiers — each 1–40
/// characters of `[\w\s+=.@-]+`.
pub fn validate_identifier(identifier: &str) -> Result<()> {
    validate::len_between("idpIdentifier", identifier, 1, 40)?;
    validate::pattern(
        "idpIdentifier",
        identifier,
        validate::name_chars,
        "[\\w\\s+=.@-]+",
    )
}

fn is_bool(v: &str) -> bool {
    v == "true" || v == "false"
}

fn is_https_or_http_url(v: &str) -> bool {
    (v.starts_with("https://") || v.starts_with("http://")) && v.len() > 8 && v.len() <= 2048
}

/// A request's ProviderType, ProviderDetails, AttributeMapping and
/// IdpIdentifiers, checked against the pool.
pub struct ProviderInput {
    pub provider_type: ProviderType,
    pub provider_details: BTreeMap<String, String>,
    pub attribute_mapping: BTreeMap<String, String>,
    pub idp_identifiers: Vec<String>,
}

impl ProviderInput {
    /// Cognito API: CreateIdentityProvider — every check that needs no
    /// network: the name for the type, the keys for the type, the mapping
    /// against the pool's schema, the identifiers.
    pub fn validate(&mut self, pool: &UserPool, provider_name: &str) -> Result<()> {
        validate_provider_name(provider_name)?;
        let t = self.provider_type;
        if t.is_social() && provider_name != t.as_str() {
            return Err(CognitoError::invalid_parameter(format!(
                "Provider name must be {0} for provider type {0}.",
                t.as_str()
            )));
        }
        let reserved = ["Cognito", "COGNITO"]
            .into_iter()
            .chain(
                [
                    ProviderType::Facebook,
                    ProviderType::Google,
                    ProviderType::LoginWithAmazon,
                    ProviderType::SignInWithApple,
                ]
                .map(ProviderType::as_str),
            )
            .any(|r| r.eq_ignore_ascii_case(provider_name));
        if !t.is_social() && reserved {
            return Err(CognitoError::invalid_parameter(format!(
                "Provider name {provider_name} is reserved."
            )));
        }
        self.validate_details()?;
        self.validate_mapping(pool)?;
        validate::max_items("idpIdentifiers", &self.idp_identifiers, MAX_IDP_IDENTIFIERS)?;
        let mut seen = std::collections::BTreeSet::new();
        for id in &self.idp_identifiers {
            validate_identifier(id)?;
            if !seen.insert(id.as_str()) {
                return Err(CognitoError::invalid_parameter(format!(
                    "Duplicate identifier {id} in idpIdentifiers."
                )));
            }
        }
        Ok(())
    }

    fn validate_details(&mut self) -> Result<()> {
        let t = self.provider_type;
        let d = &mut self.provider_details;
        if let Some(key) = d
            .keys()
            .find(|k| !t.allowed_details().contains(&k.as_str()))
        {
            return Err(CognitoError::invalid_parameter(format!(
                "{key} is not a valid provider detail for provider type {}.",
                t.as_str()
            )));
        }
        for key in t.derived_details() {
            d.remove(*key);
        }
        for (k, v) in d.iter() {
            validate::len_between(k, v, 1, 131_072)?;
        }
        if let Some(key) = t
            .required_details()
            .iter()
            .find(|k| d.get(**k).is_none_or(|v| v.trim().is_empty()))
        {
            return Err(CognitoError::invalid_parameter(format!(
                "{key} is required for provider type {}.",
                t.as_str()
            )));
        }
        match t {
            ProviderType::Oidc => {
                let method = d
                    .entry("attributes_request_method".into())
                    .or_insert_with(|| "GET".into());
                if method != "GET" && method != "POST" {
                    return Err(CognitoError::invalid_parameter(
                        "attributes_request_method must be GET or POST.",
                    ));
                }
                // OpenID Connect Core §3.1.2.1: an authentication request
                // carries the openid scope.
                if !d["authorize_scopes"]
                    .split_whitespace()
                    .any(|s| s == "openid")
                {
                    return Err(CognitoError::invalid_parameter(
                        "authorize_scopes must include openid for an OIDC provider.",
                    ));
                }
                for key in [
                    "oidc_issuer",
                    "authorize_url",
                    "token_url",
                    "attributes_url",
                    "jwks_uri",
                ] {
                    if let Some(v) = d.get(key)
                        && !is_https_or_http_url(v)
                    {
                        return Err(CognitoError::invalid_parameter(format!(
                            "{key} must be an https URL."
                        )));
                    }
                }
                // Cognito answers the issuer without a trailing slash.
                if let Some(issuer) = d.get_mut("oidc_issuer") {
                    while issuer.len() > 8 && issuer.ends_with('/') {
                        issuer.pop();
                    }
                }
            }
            ProviderType::Facebook => {
                let version = d
                    .entry("api_version".into())
                    .or_insert_with(|| DEFAULT_FACEBOOK_API_VERSION.into());
                let ok = version.starts_with('v')
                    && version.len() <= 10
                    && version[1..].chars().all(|c| c.is_ascii_digit() || c == '.');
                if !ok {
                    return Err(CognitoError::invalid_parameter(format!(
                        "api_version {version} is not a Facebook Graph API version."
                    )));
                }
            }
            ProviderType::Saml => {
                let url = d.get("MetadataURL");
                let file = d.get("MetadataFile");
                match (url, file) {
                    (Some(_), Some(_)) => {
                        return Err(CognitoError::invalid_parameter(
                            "Only one of MetadataURL and MetadataFile may be given.",
                        ));
                    }
                    (None, None) => {
                        return Err(CognitoError::invalid_parameter(
                            "MetadataURL or MetadataFile is required for provider type SAML.",
                        ));
                    }
                    (Some(u), None) if !is_https_or_http_url(u) => {
                        return Err(CognitoError::invalid_parameter(
                            "MetadataURL must be an https URL.",
                        ));
                    }
                    _ => {}
                }
                for key in ["IDPSignout", "IDPInit", "EncryptedResponses"] {
                    if d.get(key).is_some_and(|v| !is_bool(v)) {
                        return Err(CognitoError::invalid_parameter(format!(
                            "{key} must be true or false."
                        )));
                    }
                }
                if d.get("RequestSigningAlgorithm")
                    .is_some_and(|v| v != "rsa-sha256")
                {
                    return Err(CognitoError::invalid_parameter(
                        "RequestSigningAlgorithm must be rsa-sha256.",
                    ));
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Cognito API: CreateIdentityProvider, AttributeMapping — keys are the
    /// pool's attributes (or `username`), values the upstream's names.
    fn validate_mapping(&mut self, pool: &UserPool) -> Result<()> {
        let t = self.provider_type;
        if let Some(subject) = t.subject_attribute() {
            self.attribute_mapping
                .entry("username".into())
                .or_insert_with(|| subject.into());
        }
        if self.attribute_mapping.len() > MAX_ATTRIBUTE_MAPPINGS {
            return Err(CognitoError::invalid_parameter(format!(
                "attributeMapping must have at most {MAX_ATTRIBUTE_MAPPINGS} entries."
            )));
        }
        for (attr, upstream) in &self.attribute_mapping {
            validate::len_between("attributeMapping key", attr, 1, 32)?;
            validate::len_between("attributeMapping value", upstream, 1, 131_072)?;
            let known = attr == "username"
                || pool
                    .schema_attributes
                    .iter()
                    .any(|s| &s.name == attr && s.name != "sub");
            if !known {
                return Err(CognitoError::invalid_parameter(format!(
                    "Attribute {attr} in attributeMapping does not exist in the user pool schema."
                )));
            }
        }
        Ok(())
    }
}

impl IdentityProvider {
    /// The value of a boolean SAML detail (`IDPInit`, `IDPSignout`, …).
    pub fn flag(&self, key: &str) -> bool {
        self.provider_details.get(key).is_some_and(|v| v == "true")
    }

    /// The scopes asked of the upstream: Cognito's keys separate them by
    /// spaces (Facebook's by commas too).
    pub fn scopes(&self) -> Vec<String> {
        self.provider_details
            .get("authorize_scopes")
            .map(|s| {
                s.split(|c: char| c == ',' || c.is_whitespace())
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_names_follow_cognitos_pattern() {
        assert!(validate_provider_name("MyOIDC").is_ok());
        assert!(validate_provider_name("Okta-1").is_ok());
        assert!(validate_provider_name("_bad").is_err());
        assert!(validate_provider_name("ab").is_err());
        assert!(validate_provider_name("a b c").is_err());
        assert!(validate_provider_name(&"x".repeat(33)).is_err());
    }

    #[test]
    fn provider_types_round_trip_their_wire_names() {
        for name in [
            "SAML",
            "Facebook",
            "Google",
            "LoginWithAmazon",
            "SignInWithApple",
            "OIDC",
        ] {
            let t = ProviderType::parse(name).unwrap();
            assert_eq!(t.as_str(), name);
            assert_eq!(serde_json::to_value(t).unwrap(), name);
        }
        assert!(ProviderType::parse("oidc").is_none());
    }
}
