//! App clients: Cognito's UserPoolClientType, with the rules of
//! CreateUserPoolClient and UpdateUserPoolClient.

use serde::{Deserialize, Serialize};

use super::validate;
use crate::clock::Timestamp;
use crate::error::{CognitoError, Result};
use crate::ids;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ExplicitAuthFlow {
    AdminNoSrpAuth,
    CustomAuthFlowOnly,
    UserPasswordAuth,
    AllowAdminUserPasswordAuth,
    AllowCustomAuth,
    AllowUserPasswordAuth,
    AllowUserSrpAuth,
    AllowRefreshTokenAuth,
    AllowUserAuth,
}

impl ExplicitAuthFlow {
    fn is_legacy(self) -> bool {
        matches!(
            self,
            Self::AdminNoSrpAuth | Self::CustomAuthFlowOnly | Self::UserPasswordAuth
        )
    }
}

/// The sign-in flows a client's ExplicitAuthFlows allow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthFlow {
    UserPassword,
    AdminUserPassword,
    UserSrp,
    RefreshToken,
    Custom,
    /// USER_AUTH, choice-based sign-in.
    User,
}

/// Cognito API: FeatureType.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "UPPERCASE")]
pub enum Feature {
    Enabled,
    #[default]
    Disabled,
}

/// Cognito API: RefreshTokenRotationType — whether refreshing replaces the
/// refresh token, and how long the replaced one may still be retried.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RefreshTokenRotation {
    pub feature: Feature,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_grace_period_seconds: Option<i64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum TimeUnit {
    Seconds,
    Minutes,
    #[default]
    Hours,
    Days,
}

impl TimeUnit {
    pub fn seconds(self) -> i64 {
        match self {
            Self::Seconds => 1,
            Self::Minutes => 60,
            Self::Hours => 3600,
            Self::Days => 86400,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TokenValidityUnits {
    #[serde(default = "hours")]
    pub access_token: TimeUnit,
    #[serde(default = "hours")]
    pub id_token: TimeUnit,
    #[serde(default = "days")]
    pub refresh_token: TimeUnit,
}

fn hours() -> TimeUnit {
    TimeUnit::Hours
}
fn days() -> TimeUnit {
    TimeUnit::Days
}

impl Default for TokenValidityUnits {
    fn default() -> Self {
        Self {
            access_token: TimeUnit::Hours,
            id_token: TimeUnit::Hours,
            refresh_token: TimeUnit::Days,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OAuthFlow {
    Code,
    Implicit,
    ClientCredentials,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "UPPERCASE")]
pub enum PreventUserExistenceErrors {
    Legacy,
    #[default]
    Enabled,
}

/// The settings CreateUserPoolClient and UpdateUserPoolClient take.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct UserPoolClientConfig {
    pub client_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token_validity: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token_validity: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token_validity: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_validity_units: Option<TokenValidityUnits>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_attributes: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub write_attributes: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explicit_auth_flows: Option<Vec<ExplicitAuthFlow>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supported_identity_providers: Option<Vec<String>>,
    #[serde(
        rename = "CallbackURLs",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub callback_urls: Option<Vec<String>>,
    #[serde(
        rename = "LogoutURLs",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub logout_urls: Option<Vec<String>>,
    #[serde(
        rename = "DefaultRedirectURI",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub default_redirect_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_o_auth_flows: Option<Vec<OAuthFlow>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_o_auth_scopes: Option<Vec<String>>,
    #[serde(default)]
    pub allowed_o_auth_flows_user_pool_client: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analytics_configuration: Option<serde_json::Value>,
    #[serde(default)]
    pub prevent_user_existence_errors: PreventUserExistenceErrors,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_token_revocation: Option<bool>,
    #[serde(default)]
    pub enable_propagate_additional_user_context_data: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_session_validity: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token_rotation: Option<RefreshTokenRotation>,
}

/// The standard OAuth scopes Cognito knows (besides resource-server scopes).
pub const STANDARD_SCOPES: &[&str] = &[
    "openid",
    "email",
    "phone",
    "profile",
    "aws.cognito.signin.user.admin",
];

impl UserPoolClientConfig {
    /// Applies Cognito's defaults for fields left out.
    fn with_defaults(mut self) -> Self {
        self.refresh_token_validity.get_or_insert(30);
        self.access_token_validity.get_or_insert(1);
        self.id_token_validity.get_or_insert(1);
        self.token_validity_units
            .get_or_insert_with(TokenValidityUnits::default);
        self.enable_token_revocation.get_or_insert(true);
        self.auth_session_validity.get_or_insert(3);
        if self
            .explicit_auth_flows
            .as_ref()
            .is_none_or(|f| f.is_empty())
        {
            // Cognito API: CreateUserPoolClient — the default flows.
            self.explicit_auth_flows = Some(vec![
                ExplicitAuthFlow::AllowRefreshTokenAuth,
                ExplicitAuthFlow::AllowUserSrpAuth,
                ExplicitAuthFlow::AllowCustomAuth,
            ]);
        }
        self
    }

    pub fn validate(&self) -> Result<()> {
        validate::len_between("clientName", &self.client_name, 1, 128)?;
        validate::pattern(
            "clientName",
            &self.client_name,
            validate::name_chars,
            "[\\w\\s+=,.@-]+",
        )?;
        let units = self.token_validity_units.clone().unwrap_or_default();
        // Cognito API: UserPoolClientType — allowed token lifetimes.
        let check = |field: &str, value: Option<i64>, unit: TimeUnit, min: i64, max: i64| {
            if let Some(v) = value {
                let secs = v.saturating_mul(unit.seconds());
                if v < 1 || secs < min || secs > max {
                    return Err(CognitoError::invalid_parameter(format!(
                        "{field} must be between {min} and {max} seconds; {v} {unit:?} is out of range."
                    )));
                }
            }
            Ok(())
        };
        check(
            "AccessTokenValidity",
            self.access_token_validity,
            units.access_token,
            300,
            86400,
        )?;
        check(
            "IdTokenValidity",
            self.id_token_validity,
            units.id_token,
            300,
            86400,
        )?;
        check(
            "RefreshTokenValidity",
            self.refresh_token_validity,
            units.refresh_token,
            3600,
            315_360_000,
        )?;
        if let Some(v) = self.auth_session_validity {
            validate::int_between("authSessionValidity", v, 3, 15)?;
        }
        if let Some(g) = self
            .refresh_token_rotation
            .and_then(|r| r.retry_grace_period_seconds)
        {
            // Cognito API: RetryGracePeriodSecondsType, 0–60.
            validate::int_between("refreshTokenRotation.retryGracePeriodSeconds", g, 0, 60)?;
        }
        if let Some(flows) = &self.explicit_auth_flows {
            let legacy = flows.iter().any(|f| f.is_legacy());
            let modern = flows.iter().any(|f| !f.is_legacy());
            if legacy && modern {
                return Err(CognitoError::invalid_parameter(
                    "The combination of legacy and new explicit auth flows (ALLOW_*) is not allowed.",
                ));
            }
        }
        for (field, urls) in [
            ("callbackURLs", &self.callback_urls),
            ("logoutURLs", &self.logout_urls),
        ] {
            if let Some(urls) = urls {
                validate::max_items(field, urls, 100)?;
                for u in urls {
                    check_redirect_url(field, u)?;
                }
            }
        }
        if let Some(d) = &self.default_redirect_uri {
            check_redirect_url("defaultRedirectURI", d)?;
            if !self.callback_urls.as_ref().is_some_and(|c| c.contains(d)) {
                return Err(CognitoError::invalid_parameter(
                    "DefaultRedirectURI must be one of the CallbackURLs.",
                ));
            }
        }
        if let Some(flows) = &self.allowed_o_auth_flows
            && flows.contains(&OAuthFlow::ClientCredentials)
            && flows.len() > 1
        {
            return Err(CognitoError::invalid_parameter(
                "client_credentials flow can not be selected along with code flow or implicit flow.",
            ));
        }
        if self.allowed_o_auth_flows_user_pool_client {
            if self
                .allowed_o_auth_flows
                .as_ref()
                .is_none_or(|f| f.is_empty())
            {
                return Err(CognitoError::invalid_parameter(
                    "AllowedOAuthFlows must be set when AllowedOAuthFlowsUserPoolClient is true.",
                ));
            }
            let uses_redirect = self
                .allowed_o_auth_flows
                .as_ref()
                .is_some_and(|f| f.contains(&OAuthFlow::Code) || f.contains(&OAuthFlow::Implicit));
            if uses_redirect && self.callback_urls.as_ref().is_none_or(|c| c.is_empty()) {
                return Err(CognitoError::invalid_parameter(
                    "CallbackURLs must be set for the code and implicit OAuth flows.",
                ));
            }
        }
        if let Some(scopes) = &self.allowed_o_auth_scopes {
            validate::max_items("allowedOAuthScopes", scopes, 50)?;
            for s in scopes {
                validate::len_between("allowedOAuthScopes", s, 1, 256)?;
                validate::pattern(
                    "allowedOAuthScopes",
                    s,
                    |c| c > ' ' && c != '"' && c != '\\' && c <= '~',
                    "[\\x21\\x23-\\x5B\\x5D-\\x7E]+",
                )?;
            }
        }
        Ok(())
    }
}

/// Cognito API: CallbackURLs — https, or http only for localhost; no fragment.
fn check_redirect_url(field: &str, url: &str) -> Result<()> {
    validate::len_between(field, url, 1, 1024)?;
    let lower = url.to_ascii_lowercase();
    let ok_scheme = if let Some(rest) = lower.strip_prefix("http://") {
        let host = rest.split(['/', '?', '#']).next().unwrap_or("");
        let host = host.rsplit_once(':').map_or(host, |(h, p)| {
            if p.bytes().all(|b| b.is_ascii_digit()) {
                h
            } else {
                host
            }
        });
        host == "localhost" || host == "127.0.0.1" || host == "[::1]"
    } else if lower.starts_with("https://") {
        true
    } else {
        // Custom schemes for native apps (myapp://callback) are allowed.
        lower.split_once("://").is_some_and(|(scheme, _)| {
            !scheme.is_empty()
                && scheme != "http"
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
        })
    };
    if !ok_scheme || url.contains('#') || url.chars().any(char::is_whitespace) {
        return Err(CognitoError::invalid_parameter(format!(
            "{field}: {url} is not a valid redirect URL: use https (http only for localhost) and no fragment."
        )));
    }
    Ok(())
}

/// A stored app client: Cognito's UserPoolClientType.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserPoolClient {
    pub user_pool_id: String,
    pub client_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    #[serde(flatten)]
    pub config: UserPoolClientConfig,
    pub creation_date: Timestamp,
    pub last_modified_date: Timestamp,
    /// Set by SetUserPoolClientSessionConfiguration; DescribeUserPoolClient
    /// leaves it out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sso_session: Option<super::session::ClientSsoSessionConfig>,
}

impl UserPoolClient {
    pub fn create(
        user_pool_id: &str,
        config: UserPoolClientConfig,
        generate_secret: bool,
        now: Timestamp,
    ) -> Result<Self> {
        let config = config.with_defaults();
        config.validate()?;
        Ok(Self {
            user_pool_id: user_pool_id.to_owned(),
            client_id: ids::new_client_id(),
            client_secret: generate_secret.then(ids::new_client_secret),
            config,
            creation_date: now,
            last_modified_date: now,
            sso_session: None,
        })
    }

    pub fn update(&mut self, config: UserPoolClientConfig, now: Timestamp) -> Result<()> {
        let config = config.with_defaults();
        config.validate()?;
        self.config = config;
        self.last_modified_date = now;
        Ok(())
    }

    pub fn allows(&self, flow: AuthFlow) -> bool {
        use ExplicitAuthFlow as E;
        let flows = self.config.explicit_auth_flows.as_deref().unwrap_or(&[]);
        let has = |f: E| flows.contains(&f);
        match flow {
            AuthFlow::UserPassword => has(E::AllowUserPasswordAuth) || has(E::UserPasswordAuth),
            AuthFlow::AdminUserPassword => {
                has(E::AllowAdminUserPasswordAuth) || has(E::AdminNoSrpAuth)
            }
            AuthFlow::UserSrp => has(E::AllowUserSrpAuth) || flows.iter().any(|f| f.is_legacy()),
            // Legacy clients always allowed refresh.
            AuthFlow::RefreshToken => {
                has(E::AllowRefreshTokenAuth) || flows.iter().any(|f| f.is_legacy())
            }
            AuthFlow::Custom => has(E::AllowCustomAuth) || has(E::CustomAuthFlowOnly),
            AuthFlow::User => has(E::AllowUserAuth),
        }
    }

    /// RefreshTokenRotation ENABLED: the grace period in seconds a replaced
    /// refresh token may still be retried in; `None` when rotation is off.
    pub fn rotation_grace_seconds(&self) -> Option<i64> {
        Self::rotation_of(&self.config)
    }

    /// The grace period of `config`'s rotation, if it turns rotation on.
    pub fn rotation_of(config: &UserPoolClientConfig) -> Option<i64> {
        config
            .refresh_token_rotation
            .filter(|r| r.feature == Feature::Enabled)
            .map(|r| r.retry_grace_period_seconds.unwrap_or(0))
    }

    fn lifetime(value: Option<i64>, unit: TimeUnit, default_secs: i64) -> i64 {
        value.map_or(default_secs, |v| v * unit.seconds())
    }

    pub fn access_token_seconds(&self) -> i64 {
        let u = self.config.token_validity_units.clone().unwrap_or_default();
        Self::lifetime(self.config.access_token_validity, u.access_token, 3600)
    }

    pub fn id_token_seconds(&self) -> i64 {
        let u = self.config.token_validity_units.clone().unwrap_or_default();
        Self::lifetime(self.config.id_token_validity, u.id_token, 3600)
    }

    pub fn refresh_token_seconds(&self) -> i64 {
        let u = self.config.token_validity_units.clone().unwrap_or_default();
        Self::lifetime(
            self.config.refresh_token_validity,
            u.refresh_token,
            30 * 86400,
        )
    }

    pub fn auth_session_seconds(&self) -> i64 {
        self.config.auth_session_validity.unwrap_or(3) * 60
    }

    pub fn prevents_user_existence_errors(&self) -> bool {
        self.config.prevent_user_existence_errors == PreventUserExistenceErrors::Enabled
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(name: &str) -> UserPoolClientConfig {
        UserPoolClientConfig {
            client_name: name.into(),
            ..Default::default()
        }
    }

    #[test]
    fn defaults_follow_cognito() {
        let c = UserPoolClient::create("us-east-1_abc", cfg("web"), true, Timestamp(0)).unwrap();
        assert_eq!(c.client_id.len(), 26);
        assert_eq!(c.client_secret.as_ref().unwrap().len(), 51);
        assert_eq!(c.access_token_seconds(), 3600);
        assert_eq!(c.refresh_token_seconds(), 30 * 86400);
        assert!(c.allows(AuthFlow::UserSrp));
        assert!(c.allows(AuthFlow::RefreshToken));
        assert!(!c.allows(AuthFlow::UserPassword));
        assert_eq!(c.config.enable_token_revocation, Some(true));
        assert_eq!(c.auth_session_seconds(), 180);
    }

    #[test]
    fn token_validity_ranges() {
        let mut c = cfg("x");
        c.access_token_validity = Some(2);
        c.token_validity_units = Some(TokenValidityUnits {
            access_token: TimeUnit::Days,
            ..Default::default()
        });
        assert!(UserPoolClient::create("p_1", c.clone(), false, Timestamp(0)).is_err());
        c.access_token_validity = Some(4);
        c.token_validity_units = Some(TokenValidityUnits {
            access_token: TimeUnit::Minutes,
            ..Default::default()
        });
        assert!(UserPoolClient::create("p_1", c, false, Timestamp(0)).is_err());
    }

    #[test]
    fn redirect_urls_must_be_https_or_localhost() {
        let mut c = cfg("x");
        c.callback_urls = Some(vec!["http://example.com/cb".into()]);
        assert!(UserPoolClient::create("p_1", c.clone(), false, Timestamp(0)).is_err());
        c.callback_urls = Some(vec![
            "http://localhost:3000/cb".into(),
            "https://app.example/cb".into(),
        ]);
        assert!(UserPoolClient::create("p_1", c.clone(), false, Timestamp(0)).is_ok());
        c.default_redirect_uri = Some("https://other.example/cb".into());
        assert!(UserPoolClient::create("p_1", c, false, Timestamp(0)).is_err());
    }

    #[test]
    fn legacy_and_allow_flows_do_not_mix() {
        let mut c = cfg("x");
        c.explicit_auth_flows = Some(vec![
            ExplicitAuthFlow::AdminNoSrpAuth,
            ExplicitAuthFlow::AllowUserSrpAuth,
        ]);
        assert!(UserPoolClient::create("p_1", c, false, Timestamp(0)).is_err());
    }
}
