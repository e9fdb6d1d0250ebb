//! Configuration: one typed struct. Defaults in code, then a TOML file,
//! then `COGNATE_*` environment variables, then command-line flags, each
//! overriding the one before. `cognate.example.toml` lists every key; a
//! test keeps it in step with this struct.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use cognate_core::crypto::SecretString;
use cognate_core::model::identity_provider::{Preset, ProviderType};
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

/// Every key, as a TOML key and as `COGNATE_<KEY>` in the environment.
pub const KEYS: &[&str] = &[
    "listen",
    "http_header_read_timeout_secs",
    "http_idle_timeout_secs",
    "dev_allow_remote",
    "public_url",
    "data_dir",
    "database_url",
    "master_key",
    "admin_access_key_id",
    "admin_secret_access_key",
    "region",
    "log_format",
    "log_level",
    "sso_session_seconds",
    "enforce_feature_plans",
    "rate_limit_auth_per_ip",
    "rate_limit_codes_per_ip",
    "rate_limit_recovery_per_ip",
    "rate_limit_per_user",
    "rate_limit_messages_per_user_per_hour",
    "smtp_host",
    "smtp_port",
    "smtp_security",
    "smtp_username",
    "smtp_password",
    "smtp_from",
    "sms_webhook_url",
    "sms_webhook_secret",
    "delivery_timeout_secs",
    "delivery_retries",
    "lambda_endpoint",
    "lambda_region",
    "lambda_access_key_id",
    "lambda_secret_access_key",
    "lambda_webhooks",
    "lambda_webhook_secret",
    "migrate_from_cognito",
    "kms_endpoint",
    "kms_region",
    "kms_access_key_id",
    "kms_secret_access_key",
    "sts_endpoint",
    "sts_region",
    "federation_timeout_secs",
    "federation_endpoints",
    "iam_oidc_providers",
    "iam_saml_providers",
    "identity_login_endpoints",
];

/// Keys read from the environment as they are: figment would parse
/// `COGNATE_SMTP_PASSWORD=123` as a number and `[x]` as an array.
const RAW_ENV_KEYS: &[&str] = &[
    "smtp_username",
    "smtp_password",
    "smtp_from",
    "sms_webhook_secret",
    "lambda_access_key_id",
    "lambda_secret_access_key",
    "lambda_webhooks",
    "lambda_webhook_secret",
    "migrate_from_cognito",
    "kms_access_key_id",
    "kms_secret_access_key",
    "federation_endpoints",
    "iam_oidc_providers",
    "iam_saml_providers",
    "identity_login_endpoints",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// How the connection to the SMTP server is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS, which is required (RFC 3207).
    #[default]
    Starttls,
    /// TLS from the first byte (RFC 8314 "implicit TLS").
    Tls,
    /// No encryption: only to a server on this machine.
    None,
}

impl SmtpSecurity {
    pub fn default_port(self) -> u16 {
        match self {
            Self::Starttls => 587,
            Self::Tls => 465,
            Self::None => 25,
        }
    }
}

/// A secret setting, e.g. a password: `Debug` hides it, and it is wiped
/// from memory when dropped.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(SecretString);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Self(SecretString::new(s))
    }
    pub fn expose(&self) -> &str {
        self.0.expose()
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

impl Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.expose())
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Self::new)
    }
}

/// The SMTP settings, resolved: present when `smtp_host` is set.
#[derive(Clone, Debug)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub username: Option<String>,
    pub password: Option<Secret>,
    pub from: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Address the one HTTP listener binds.
    pub listen: SocketAddr,
    /// The longest a client may take to send a request's head (slowloris);
    /// also how long a kept-alive HTTP/1.1 connection waits for the next.
    pub http_header_read_timeout_secs: f64,
    /// A connection that moves no byte either way this long is closed.
    pub http_idle_timeout_secs: f64,
    /// Lets `cognate dev` listen on a non-loopback address, although its
    /// `/_dev/outbox` page shows every code sent.
    pub dev_allow_remote: bool,
    /// The URL clients reach Cognate at; issuers are `{public_url}/{poolId}`.
    /// Derived from `listen` when unset.
    pub public_url: Option<String>,
    /// Where the SQLite database, the master key and first-start files live.
    pub data_dir: PathBuf,
    /// `sqlite://path` or `postgres://…`; SQLite in `data_dir` when unset.
    pub database_url: Option<String>,
    /// 64 hex characters. When unset, read from (or generated into)
    /// `{data_dir}/master.key` with mode 0600.
    pub master_key: Option<Secret>,
    /// An AWS access key that may call the administrative API.
    pub admin_access_key_id: Option<String>,
    pub admin_secret_access_key: Option<Secret>,
    /// The region in new pool ids (`{region}_{9 alphanumerics}`).
    pub region: String,
    pub log_format: LogFormat,
    /// A tracing filter, e.g. `info` or `cognate=debug,sqlx=warn`.
    pub log_level: String,
    /// The absolute lifetime of a hosted-UI sign-in session, not extended
    /// by use (Cognito's managed login: one hour).
    pub sso_session_seconds: i64,
    /// Refuse what a pool's feature plan (UserPoolTier) lacks, as Cognito
    /// does (FeatureUnavailableInTierException); `false` lifts the gates
    /// for self-hosted use.
    pub enforce_feature_plans: bool,
    /// Requests per second from one source IP to the sign-in, code and
    /// recovery actions (see `limits.rs`); 0 turns a limit off.
    pub rate_limit_auth_per_ip: f64,
    pub rate_limit_codes_per_ip: f64,
    pub rate_limit_recovery_per_ip: f64,
    /// Requests per second naming one user, in each of those categories.
    pub rate_limit_per_user: f64,
    /// Codes and messages one user can be sent in an hour.
    pub rate_limit_messages_per_user_per_hour: u32,
    /// The SMTP server codes and invitations are mailed through; unset,
    /// email goes to the outbox.
    pub smtp_host: Option<String>,
    /// Unset: 587 for starttls, 465 for tls, 25 for none.
    pub smtp_port: Option<u16>,
    pub smtp_security: SmtpSecurity,
    /// Credentials for SMTP AUTH; both or neither.
    pub smtp_username: Option<String>,
    pub smtp_password: Option<Secret>,
    /// The From of every mail, e.g. `Example <no-reply@example.com>`.
    pub smtp_from: Option<String>,
    /// The URL SMS messages are POSTed to as JSON; unset, SMS goes to the
    /// outbox.
    pub sms_webhook_url: Option<String>,
    /// Signs each webhook request (`X-Cognate-Signature`, HMAC-SHA256), so
    /// the receiver can tell it came from this server.
    pub sms_webhook_secret: Option<Secret>,
    /// The longest one delivery attempt (SMTP or webhook) may take.
    pub delivery_timeout_secs: f64,
    /// Attempts after the first before a message is given up.
    pub delivery_retries: u32,
    /// Where Lambda triggers are invoked (the Invoke API); unset, AWS's
    /// regional endpoint.
    pub lambda_endpoint: Option<String>,
    /// The region Lambda requests are signed for; unset, `region`.
    pub lambda_region: Option<String>,
    /// The credentials Lambda requests are signed with; unset, they are
    /// sent unsigned (enough for a local runtime).
    pub lambda_access_key_id: Option<String>,
    pub lambda_secret_access_key: Option<Secret>,
    /// Functions answered by a webhook instead: `ARN=URL` pairs separated
    /// by spaces; each event is POSTed to the URL as JSON.
    pub lambda_webhooks: Option<String>,
    /// Signs each webhook request as the SMS webhook's are.
    pub lambda_webhook_secret: Option<Secret>,
    /// The preset "migrate from Amazon Cognito": pseudo-ARNs a pool names as
    /// its UserMigration function, each answered by Cognate itself against
    /// a source user pool (see `migrate_from_cognito.rs`). In the
    /// environment, a JSON object of the same shape.
    #[serde(deserialize_with = "map_or_json")]
    pub migrate_from_cognito: BTreeMap<String, CognitoSource>,
    /// Where the custom senders' codes are encrypted (the KMS API, for
    /// pools with CustomEmailSender or CustomSMSSender); unset, AWS's
    /// regional endpoint.
    pub kms_endpoint: Option<String>,
    /// The region KMS requests are signed for; unset, `region`.
    pub kms_region: Option<String>,
    /// The credentials KMS requests are signed with; unset, they are sent
    /// unsigned (enough for a local KMS such as LocalStack or moto).
    pub kms_access_key_id: Option<String>,
    pub kms_secret_access_key: Option<Secret>,
    /// Where identity pools get AWS credentials (AssumeRoleWithWebIdentity):
    /// unset, Cognate's own STS; or a real STS (AWS with Cognate's identity
    /// issuer registered as an IAM OIDC provider, MinIO, LocalStack, moto).
    pub sts_endpoint: Option<String>,
    /// The region STS requests are made for; unset, `region`.
    pub sts_region: Option<String>,
    /// How long one call to an upstream identity provider (discovery,
    /// token, keys, attributes) may take before the sign-in fails.
    pub federation_timeout_secs: f64,
    /// The endpoints of the social providers (Google, Facebook,
    /// LoginWithAmazon, SignInWithApple), where they are not Cognito's
    /// built-in ones: tests and private deployments point them at another
    /// provider. In the environment, a JSON object of the same shape.
    #[serde(deserialize_with = "map_or_json")]
    pub federation_endpoints: BTreeMap<String, Preset>,
    /// The IAM side of OpenID Connect providers identity pools name in
    /// OpenIdConnectProviderARNs: ARN → issuer URL and client ids (what
    /// IAM's CreateOpenIDConnectProvider records). In the environment, a
    /// JSON object of the same shape.
    #[serde(deserialize_with = "map_or_json")]
    pub iam_oidc_providers: BTreeMap<String, IamOidcProviderConfig>,
    /// The IAM side of SAML providers identity pools name in
    /// SamlProviderARNs: ARN → the IdP's metadata document (what IAM's
    /// CreateSAMLProvider records), read from a file at start. In the
    /// environment, a JSON object of the same shape.
    #[serde(deserialize_with = "map_or_json")]
    pub iam_saml_providers: BTreeMap<String, IamSamlProviderConfig>,
    /// Where identity pools check social logins, by login key
    /// (`accounts.google.com`, `appleid.apple.com`: `oidc_issuer`;
    /// `graph.facebook.com`, `www.amazon.com`: `api_url`); unset, the
    /// providers' own. In the environment, a JSON object.
    #[serde(deserialize_with = "map_or_json")]
    pub identity_login_endpoints: BTreeMap<String, LoginEndpoint>,
}

/// One IAM OpenID Connect provider.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IamOidcProviderConfig {
    /// The issuer, `https://<host/path>` of the ARN.
    pub url: String,
    /// The audiences accepted (`aud`).
    pub client_ids: Vec<String>,
    /// Certificate thumbprints, as IAM records them; TLS is verified
    /// against the system's roots, so they are kept for reference only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub thumbprints: Vec<String>,
}

/// One IAM SAML provider.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IamSamlProviderConfig {
    /// The IdP's SAML metadata (an EntityDescriptor with an
    /// IDPSSODescriptor and its signing certificate), a file's path.
    pub metadata_file: String,
}

/// Where one social provider's logins are checked.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginEndpoint {
    /// Google, Apple: the issuer of their ID tokens (discovery and JWKS
    /// are read from it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oidc_issuer: Option<String>,
    /// Facebook: the Graph API; Login with Amazon: its API.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_url: Option<String>,
}

/// One source of the "migrate from Amazon Cognito" preset: the user pool
/// users come from, and the app client Cognate signs them in with.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CognitoSource {
    /// The source pool's region, e.g. `eu-west-1`.
    pub region: String,
    pub user_pool_id: String,
    /// An app client of the source pool allowing USER_PASSWORD_AUTH.
    pub client_id: String,
    /// The client's secret, when it has one (SECRET_HASH is sent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<Secret>,
    /// Unset: `https://cognito-idp.{region}.amazonaws.com`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// Credentials allowed `cognito-idp:AdminGetUser` on the source pool:
    /// with them ForgotPassword migrates users too; both or neither.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin_access_key_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin_secret_access_key: Option<Secret>,
}

/// The pseudo-ARNs of the preset: a Lambda ARN in the reserved account
/// 000000000000 whose function name starts with this, e.g.
/// `arn:aws:lambda:us-east-1:000000000000:function:cognate-migrate-from-cognito-legacy`.
pub const MIGRATE_FROM_COGNITO_FUNCTION: &str = "cognate-migrate-from-cognito";

/// Whether `arn` is a pseudo-ARN of the preset.
pub fn is_migration_preset_arn(arn: &str) -> bool {
    let parts: Vec<&str> = arn.split(':').collect();
    parts.len() == 7
        && parts[0] == "arn"
        && !parts[1].is_empty()
        && parts[2] == "lambda"
        && cognate_core::ids::is_valid_region(parts[3])
        && parts[4] == "000000000000"
        && parts[5] == "function"
        && parts[6]
            .strip_prefix(MIGRATE_FROM_COGNITO_FUNCTION)
            .is_some_and(|rest| {
                rest.is_empty()
                    || rest.strip_prefix('-').is_some_and(|label| {
                        !label.is_empty()
                            && label
                                .chars()
                                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                    })
            })
}

/// `migrate_from_cognito` as a table (TOML) or as the JSON text of one
/// (`COGNATE_MIGRATE_FROM_COGNITO`).
fn map_or_json<'de, D: serde::Deserializer<'de>, T: serde::de::DeserializeOwned>(
    d: D,
) -> Result<BTreeMap<String, T>, D::Error> {
    struct Visitor<T>(std::marker::PhantomData<T>);
    impl<'de, T: serde::de::DeserializeOwned> serde::de::Visitor<'de> for Visitor<T> {
        type Value = BTreeMap<String, T>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a table, or its JSON text")
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
            if v.trim().is_empty() {
                return Ok(BTreeMap::new());
            }
            serde_json::from_str(v).map_err(E::custom)
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            Deserialize::deserialize(serde::de::value::MapAccessDeserializer::new(map))
        }
    }
    d.deserialize_any(Visitor(std::marker::PhantomData))
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:9229".parse().expect("valid default address"),
            http_header_read_timeout_secs: 10.0,
            http_idle_timeout_secs: 60.0,
            dev_allow_remote: false,
            public_url: None,
            data_dir: PathBuf::from(".cognate"),
            database_url: None,
            master_key: None,
            admin_access_key_id: None,
            admin_secret_access_key: None,
            region: "us-east-1".into(),
            log_format: LogFormat::Text,
            log_level: "info".into(),
            sso_session_seconds: cognate_core::service::access::DEFAULT_SSO_SESSION_SECONDS,
            enforce_feature_plans: true,
            // Cognito's default quotas (developer guide, "Quotas"):
            // UserAuthentication 120, UserCreation 50, UserAccountRecovery
            // 30 requests per second — here per source IP.
            rate_limit_auth_per_ip: 120.0,
            rate_limit_codes_per_ip: 50.0,
            rate_limit_recovery_per_ip: 30.0,
            rate_limit_per_user: 10.0,
            rate_limit_messages_per_user_per_hour: 10,
            smtp_host: None,
            smtp_port: None,
            smtp_security: SmtpSecurity::Starttls,
            smtp_username: None,
            smtp_password: None,
            smtp_from: None,
            sms_webhook_url: None,
            sms_webhook_secret: None,
            delivery_timeout_secs: 5.0,
            delivery_retries: 3,
            lambda_endpoint: None,
            lambda_region: None,
            lambda_access_key_id: None,
            lambda_secret_access_key: None,
            lambda_webhooks: None,
            lambda_webhook_secret: None,
            migrate_from_cognito: BTreeMap::new(),
            kms_endpoint: None,
            kms_region: None,
            kms_access_key_id: None,
            kms_secret_access_key: None,
            sts_endpoint: None,
            sts_region: None,
            federation_timeout_secs: 10.0,
            federation_endpoints: BTreeMap::new(),
            iam_oidc_providers: BTreeMap::new(),
            iam_saml_providers: BTreeMap::new(),
            identity_login_endpoints: BTreeMap::new(),
        }
    }
}

/// A webhook's URL: https://, or http:// to this machine; else why not.
fn hook_url(url: &str) -> Result<reqwest::Url, String> {
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("is not a URL ({e})"))?;
    let host = parsed.host_str().unwrap_or("");
    let ok = match parsed.scheme() {
        "https" => !host.is_empty(),
        "http" => is_loopback(host),
        _ => false,
    };
    if ok {
        Ok(parsed)
    } else {
        Err("must be https://…, or http://… to this machine (localhost, 127.0.0.1, ::1)".into())
    }
}

/// `localhost`, or an address of the loopback network.
fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Values given as flags; `None` leaves the layer below in place.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_format: Option<LogFormat>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid configuration{origin}: {message}")]
    Invalid { origin: String, message: String },
}

impl Config {
    /// Loads the layers. A named file must exist; unknown keys are errors
    /// that name the key and where it came from.
    pub fn load(file: Option<&Path>, overrides: &Overrides) -> Result<Self, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(path) = file {
            // Read first, so a missing file is reported as such, not silently empty.
            std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                path: path.to_owned(),
                source,
            })?;
            figment = figment.merge(Toml::file_exact(path));
        }
        let raw_env: std::collections::BTreeMap<&str, String> = RAW_ENV_KEYS
            .iter()
            .filter_map(|k| {
                let v = std::env::var(format!("COGNATE_{}", k.to_uppercase())).ok()?;
                Some((*k, v))
            })
            .collect();
        figment = figment
            .merge(Env::prefixed("COGNATE_").only(KEYS).ignore(RAW_ENV_KEYS))
            .merge(Serialized::defaults(raw_env))
            .merge(Serialized::defaults(overrides));
        let config: Config = figment.extract().map_err(|e| {
            let origin = e
                .metadata
                .as_ref()
                .map(|m| format!(" (from {})", m.name))
                .unwrap_or_default();
            ConfigError::Invalid {
                origin,
                message: e.to_string(),
            }
        })?;
        config.check()?;
        Ok(config)
    }

    fn check(&self) -> Result<(), ConfigError> {
        let invalid = |message: String| ConfigError::Invalid {
            origin: String::new(),
            message,
        };
        if !cognate_core::ids::is_valid_region(&self.region) {
            return Err(invalid(format!(
                "region {:?} is not a region name (e.g. us-east-1)",
                self.region
            )));
        }
        if let Some(url) = &self.public_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err(invalid(format!(
                "public_url {url:?} must start with http:// or https://"
            )));
        }
        if !(60..=30 * 86_400).contains(&self.sso_session_seconds) {
            return Err(invalid(format!(
                "sso_session_seconds {} must be between 60 and 2592000 (30 days)",
                self.sso_session_seconds
            )));
        }
        if self.admin_access_key_id.is_some() != self.admin_secret_access_key.is_some() {
            return Err(invalid(
                "admin_access_key_id and admin_secret_access_key must be set together".into(),
            ));
        }
        for (key, secs) in [
            (
                "http_header_read_timeout_secs",
                self.http_header_read_timeout_secs,
            ),
            ("http_idle_timeout_secs", self.http_idle_timeout_secs),
        ] {
            if !(secs > 0.0 && secs <= 3600.0) {
                return Err(invalid(format!(
                    "{key} {secs} must be more than 0 and at most 3600"
                )));
            }
        }
        self.check_delivery().map_err(invalid)
    }

    /// The listener's timeouts (see `listener.rs`).
    pub fn listener_timeouts(&self) -> crate::listener::Timeouts {
        crate::listener::Timeouts {
            header_read: std::time::Duration::from_secs_f64(self.http_header_read_timeout_secs),
            idle: std::time::Duration::from_secs_f64(self.http_idle_timeout_secs),
        }
    }

    fn check_delivery(&self) -> Result<(), String> {
        if !(self.delivery_timeout_secs > 0.0 && self.delivery_timeout_secs <= 300.0) {
            return Err(format!(
                "delivery_timeout_secs {} must be more than 0 and at most 300",
                self.delivery_timeout_secs
            ));
        }
        if self.delivery_retries > 10 {
            return Err(format!(
                "delivery_retries {} is more than 10",
                self.delivery_retries
            ));
        }
        if self.smtp_username.is_some() != self.smtp_password.is_some() {
            return Err("smtp_username and smtp_password must be set together".into());
        }
        if let Some(host) = &self.smtp_host {
            if host.trim().is_empty() || host.contains(['/', ' ', '@']) {
                return Err(format!("smtp_host {host:?} is not a host name or address"));
            }
            // Codes and passwords must not cross a network in clear.
            if self.smtp_security == SmtpSecurity::None && !is_loopback(host) {
                return Err(format!(
                    "smtp_security = \"none\" sends codes in clear: only allowed for a server on this machine (localhost, 127.0.0.1, ::1), not {host:?}; use \"starttls\" or \"tls\""
                ));
            }
            let Some(from) = &self.smtp_from else {
                return Err("smtp_from (e.g. \"Example <no-reply@example.com>\") must be set with smtp_host".into());
            };
            from.parse::<lettre::message::Mailbox>()
                .map_err(|e| format!("smtp_from {from:?} is not a mail address: {e}"))?;
        }
        if let Some(url) = &self.sms_webhook_url {
            hook_url(url).map_err(|why| format!("sms_webhook_url {why}: it carries codes"))?;
        }
        if let Some(url) = &self.lambda_endpoint {
            let parsed = reqwest::Url::parse(url)
                .map_err(|e| format!("lambda_endpoint is not a URL: {e}"))?;
            if !matches!(parsed.scheme(), "https" | "http") || parsed.host_str().is_none() {
                return Err(format!("lambda_endpoint {url:?} is not an http(s) URL"));
            }
        }
        if self.lambda_access_key_id.is_some() != self.lambda_secret_access_key.is_some() {
            return Err(
                "lambda_access_key_id and lambda_secret_access_key are set together".into(),
            );
        }
        self.lambda_webhook_map()?;
        for (name, url) in [
            ("kms_endpoint", &self.kms_endpoint),
            ("sts_endpoint", &self.sts_endpoint),
        ] {
            let Some(url) = url else { continue };
            let parsed =
                reqwest::Url::parse(url).map_err(|e| format!("{name} is not a URL: {e}"))?;
            if !matches!(parsed.scheme(), "https" | "http") || parsed.host_str().is_none() {
                return Err(format!("{name} {url:?} is not an http(s) URL"));
            }
        }
        if let Some(region) = &self.sts_region
            && !cognate_core::ids::is_valid_region(region)
        {
            return Err(format!(
                "sts_region {region:?} is not a region name (e.g. us-east-1)"
            ));
        }
        if let Some(region) = &self.kms_region
            && !cognate_core::ids::is_valid_region(region)
        {
            return Err(format!(
                "kms_region {region:?} is not a region name (e.g. us-east-1)"
            ));
        }
        if self.kms_access_key_id.is_some() != self.kms_secret_access_key.is_some() {
            return Err("kms_access_key_id and kms_secret_access_key are set together".into());
        }
        if let Some(secret) = &self.lambda_webhook_secret
            && secret.expose().len() < 32
        {
            return Err("lambda_webhook_secret must be at least 32 characters".into());
        }
        self.check_migration_sources()?;
        self.federation_presets()?;
        if !(0.1..=120.0).contains(&self.federation_timeout_secs) {
            return Err("federation_timeout_secs must be between 0.1 and 120".into());
        }
        self.check_identity_logins()?;
        if let Some(secret) = &self.sms_webhook_secret {
            if self.sms_webhook_url.is_none() {
                return Err("sms_webhook_secret is set but sms_webhook_url is not".into());
            }
            if secret.expose().len() < 32 {
                return Err("sms_webhook_secret must be at least 32 characters".into());
            }
        }
        Ok(())
    }

    /// `federation_endpoints` by provider type: only the social types,
    /// each endpoint an http(s) URL.
    pub fn federation_presets(&self) -> Result<HashMap<ProviderType, Preset>, String> {
        let mut out = HashMap::new();
        for (name, preset) in &self.federation_endpoints {
            let t = ProviderType::parse(name)
                .filter(|t| t.is_social())
                .ok_or_else(|| {
                    format!(
                        "federation_endpoints.{name}: not a social provider type \
                     (Google, Facebook, LoginWithAmazon, SignInWithApple)"
                    )
                })?;
            let urls = [Some(&preset.authorize_url), Some(&preset.token_url)]
                .into_iter()
                .chain([
                    preset.attributes_url.as_ref(),
                    preset.oidc_issuer.as_ref(),
                    preset.jwks_uri.as_ref(),
                ])
                .flatten();
            for url in urls {
                let ok = reqwest::Url::parse(url).is_ok_and(|u| {
                    matches!(u.scheme(), "https" | "http") && u.host_str().is_some()
                });
                if !ok {
                    return Err(format!(
                        "federation_endpoints.{name}: {url:?} is not an http(s) URL"
                    ));
                }
            }
            out.insert(t, preset.clone());
        }
        Ok(out)
    }

    /// Each `migrate_from_cognito` source: a pseudo-ARN of the preset, ids
    /// Cognito would take, an endpoint that keeps passwords off the network
    /// in clear, admin keys paired.
    fn check_migration_sources(&self) -> Result<(), String> {
        for (arn, source) in &self.migrate_from_cognito {
            let at = |why: String| format!("migrate_from_cognito {arn:?}: {why}");
            if !is_migration_preset_arn(arn) {
                return Err(at(format!(
                    "not a pseudo-ARN of the preset: arn:aws:lambda:<region>:000000000000:function:{MIGRATE_FROM_COGNITO_FUNCTION}[-<label>]"
                )));
            }
            if !cognate_core::ids::is_valid_region(&source.region) {
                return Err(at(format!(
                    "region {:?} is not a region name",
                    source.region
                )));
            }
            if !cognate_core::ids::is_valid_user_pool_id(&source.user_pool_id) {
                return Err(at(format!(
                    "user_pool_id {:?} is not a user pool id",
                    source.user_pool_id
                )));
            }
            if !cognate_core::ids::is_valid_client_id(&source.client_id) {
                return Err(at(format!(
                    "client_id {:?} is not an app client id",
                    source.client_id
                )));
            }
            if let Some(url) = &source.endpoint {
                hook_url(url).map_err(|why| at(format!("endpoint {why}: it carries passwords")))?;
            }
            if source.admin_access_key_id.is_some() != source.admin_secret_access_key.is_some() {
                return Err(at(
                    "admin_access_key_id and admin_secret_access_key are set together".into(),
                ));
            }
        }
        Ok(())
    }

    /// `iam_oidc_providers`: ARNs of IAM's shape whose issuer is the URL's
    /// host and path, with at least one client id; `identity_login_endpoints`:
    /// the four social keys, each with the URL its provider uses.
    fn check_identity_logins(&self) -> Result<(), String> {
        for (arn, p) in &self.iam_oidc_providers {
            let at = |why: &str| format!("iam_oidc_providers {arn:?}: {why}");
            let Some((account, issuer)) = arn
                .strip_prefix("arn:aws:iam::")
                .and_then(|r| r.split_once(":oidc-provider/"))
            else {
                return Err(at(
                    "not an ARN arn:aws:iam::<account>:oidc-provider/<host/path>",
                ));
            };
            if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
                return Err(at("the account is not 12 digits"));
            }
            let url = hook_url(&p.url).map_err(|why| at(&format!("url {why}")))?;
            let without_scheme = p.url.split_once("://").map_or("", |(_, r)| r);
            if without_scheme.trim_end_matches('/') != issuer || url.query().is_some() {
                return Err(at("url is not https://<the host and path of the ARN>"));
            }
            if p.client_ids.is_empty() || p.client_ids.iter().any(|c| c.is_empty() || c.len() > 255)
            {
                return Err(at(
                    "client_ids must list 1 or more audiences of 1–255 characters",
                ));
            }
        }
        for arn in self.iam_saml_providers.keys() {
            let ok = arn
                .strip_prefix("arn:aws:iam::")
                .and_then(|r| r.split_once(":saml-provider/"))
                .is_some_and(|(account, name)| {
                    account.len() == 12
                        && account.bytes().all(|b| b.is_ascii_digit())
                        && !name.is_empty()
                        && name.len() <= 128
                });
            if !ok {
                return Err(format!(
                    "iam_saml_providers {arn:?}: not an ARN arn:aws:iam::<12-digit account>:saml-provider/<name>"
                ));
            }
        }
        for (key, e) in &self.identity_login_endpoints {
            let at = |why: &str| format!("identity_login_endpoints.{key:?}: {why}");
            let (name, url) = match key.as_str() {
                "accounts.google.com" | "appleid.apple.com" => ("oidc_issuer", &e.oidc_issuer),
                "graph.facebook.com" | "www.amazon.com" => ("api_url", &e.api_url),
                _ => {
                    return Err(at(
                        "not a social login key (accounts.google.com, appleid.apple.com, graph.facebook.com, www.amazon.com)",
                    ));
                }
            };
            let other = if name == "api_url" {
                &e.oidc_issuer
            } else {
                &e.api_url
            };
            if other.is_some() {
                return Err(at(&format!("takes only {name}")));
            }
            let Some(url) = url else {
                return Err(at(&format!("{name} is missing")));
            };
            hook_url(url).map_err(|why| at(&format!("{name} {why}")))?;
        }
        Ok(())
    }

    /// `lambda_webhooks` as ARN → URL; each URL https://, or http:// to
    /// this machine, as the SMS webhook's.
    pub fn lambda_webhook_map(
        &self,
    ) -> Result<std::collections::BTreeMap<String, reqwest::Url>, String> {
        let mut map = std::collections::BTreeMap::new();
        for pair in self
            .lambda_webhooks
            .iter()
            .flat_map(|w| w.split_whitespace())
        {
            let Some((arn, url)) = pair.split_once('=') else {
                return Err(format!("lambda_webhooks: {pair:?} is not ARN=URL"));
            };
            if !arn.starts_with("arn:") || !arn.contains(":lambda:") {
                return Err(format!(
                    "lambda_webhooks: {arn:?} is not a Lambda function ARN"
                ));
            }
            let parsed = hook_url(url).map_err(|why| format!("lambda_webhooks: {url:?} {why}"))?;
            map.insert(arn.to_owned(), parsed);
        }
        Ok(map)
    }

    /// The SMTP settings, when a mail server is configured.
    pub fn smtp(&self) -> Option<SmtpConfig> {
        let host = self.smtp_host.clone()?;
        Some(SmtpConfig {
            port: self.smtp_port.unwrap_or(self.smtp_security.default_port()),
            security: self.smtp_security,
            username: self.smtp_username.clone(),
            password: self.smtp_password.clone(),
            from: self.smtp_from.clone().unwrap_or_default(),
            host,
        })
    }

    pub fn delivery_timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs_f64(self.delivery_timeout_secs)
    }

    /// The public URL without a trailing slash.
    pub fn public_url(&self) -> String {
        match &self.public_url {
            Some(u) => u.trim_end_matches('/').to_owned(),
            None => {
                let host = if self.listen.ip().is_unspecified() {
                    "localhost".to_owned()
                } else if self.listen.is_ipv6() {
                    format!("[{}]", self.listen.ip())
                } else {
                    self.listen.ip().to_string()
                };
                format!("http://{host}:{}", self.listen.port())
            }
        }
    }

    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("cognate.db").display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_config_lists_every_key_with_its_default_and_env_var() {
        let sample = include_str!("../../cognate.example.toml");
        for key in KEYS {
            let env = format!("COGNATE_{}", key.to_uppercase());
            assert!(
                sample
                    .lines()
                    .any(|l| l.trim_start_matches("# ").starts_with(&format!("{key} ="))),
                "cognate.example.toml lacks the key {key}"
            );
            assert!(sample.contains(&env), "cognate.example.toml lacks {env}");
        }
        // The defaults shown are the defaults in code (keys that are unset by
        // default show an example instead).
        let defaulted = [
            "listen",
            "http_header_read_timeout_secs",
            "http_idle_timeout_secs",
            "dev_allow_remote",
            "data_dir",
            "region",
            "log_format",
            "log_level",
            "enforce_feature_plans",
            "rate_limit_auth_per_ip",
            "rate_limit_codes_per_ip",
            "rate_limit_recovery_per_ip",
            "rate_limit_per_user",
            "rate_limit_messages_per_user_per_hour",
            "smtp_security",
            "delivery_timeout_secs",
            "delivery_retries",
            "federation_timeout_secs",
        ];
        let uncommented: String = sample
            .lines()
            .filter_map(|l| l.strip_prefix("# "))
            .filter(|l| defaulted.iter().any(|k| l.starts_with(&format!("{k} ="))))
            .collect::<Vec<_>>()
            .join("\n");
        let shown: Config = Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::string(&uncommented))
            .extract()
            .expect("sample values parse");
        assert_eq!(shown, Config::default());
    }

    #[test]
    fn unknown_keys_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(&path, "listen = \"127.0.0.1:1\"\nlisten_port = 3\n").unwrap();
        let err = Config::load(Some(&path), &Overrides::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("listen_port"), "{err}");
        assert!(err.contains("c.toml"), "{err}");
    }

    #[test]
    fn flags_override_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(&path, "listen = \"127.0.0.1:1\"\nregion = \"eu-west-1\"\n").unwrap();
        let over = Overrides {
            listen: Some("127.0.0.1:2".into()),
            ..Default::default()
        };
        let c = Config::load(Some(&path), &over).unwrap();
        assert_eq!(c.listen.port(), 2);
        assert_eq!(c.region, "eu-west-1");
        assert_eq!(c.public_url(), "http://127.0.0.1:2");
    }

    fn load_toml(text: &str) -> Result<Config, String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(&path, text).unwrap();
        Config::load(Some(&path), &Overrides::default()).map_err(|e| e.to_string())
    }

    #[test]
    fn smtp_settings_resolve_with_the_port_of_their_security() {
        let c = load_toml(
            "smtp_host = \"mail.example.com\"\nsmtp_security = \"tls\"\nsmtp_from = \"Example <no-reply@example.com>\"\nsmtp_username = \"u\"\nsmtp_password = \"123\"\n",
        )
        .unwrap();
        let smtp = c.smtp().unwrap();
        assert_eq!((smtp.port, smtp.security), (465, SmtpSecurity::Tls));
        assert_eq!(smtp.password.unwrap().expose(), "123");
        assert!(Config::default().smtp().is_none());
    }

    #[test]
    fn secrets_never_show_in_debug() {
        let c = Config {
            smtp_password: Some(Secret::new("hunter2-smtp")),
            master_key: Some(Secret::new("master-key-text")),
            admin_secret_access_key: Some(Secret::new("admin-secret-text")),
            sms_webhook_secret: Some(Secret::new("webhook-secret-text")),
            migrate_from_cognito: BTreeMap::from([(
                "arn:aws:lambda:us-east-1:000000000000:function:cognate-migrate-from-cognito"
                    .into(),
                CognitoSource {
                    region: "us-east-1".into(),
                    user_pool_id: "us-east-1_AbC".into(),
                    client_id: "abc".into(),
                    client_secret: Some(Secret::new("source-client-secret-text")),
                    endpoint: None,
                    admin_access_key_id: Some("AKIA".into()),
                    admin_secret_access_key: Some(Secret::new("source-admin-secret-text")),
                },
            )]),
            lambda_secret_access_key: Some(Secret::new("lambda-secret-text")),
            kms_secret_access_key: Some(Secret::new("kms-secret-text")),
            ..Config::default()
        };
        let debug = format!("{c:?}");
        for secret in [
            "hunter2-smtp",
            "master-key-text",
            "admin-secret-text",
            "webhook-secret-text",
            "source-client-secret-text",
            "source-admin-secret-text",
            "lambda-secret-text",
            "kms-secret-text",
        ] {
            assert!(!debug.contains(secret), "{secret} in {debug}");
        }
    }

    #[test]
    fn clear_text_smtp_only_to_this_machine() {
        let err = load_toml(
            "smtp_host = \"mail.example.com\"\nsmtp_security = \"none\"\nsmtp_from = \"a@example.com\"\n",
        )
        .unwrap_err();
        assert!(
            err.contains("only allowed for a server on this machine"),
            "{err}"
        );
        for host in ["localhost", "127.0.0.1", "::1", "[::1]"] {
            load_toml(&format!(
                "smtp_host = \"{host}\"\nsmtp_security = \"none\"\nsmtp_from = \"a@example.com\"\n"
            ))
            .unwrap();
        }
    }

    #[test]
    fn smtp_needs_a_valid_from_and_paired_credentials() {
        let err = load_toml("smtp_host = \"mail.example.com\"\n").unwrap_err();
        assert!(err.contains("smtp_from"), "{err}");
        let err = load_toml("smtp_host = \"mail.example.com\"\nsmtp_from = \"not an address\"\n")
            .unwrap_err();
        assert!(err.contains("not a mail address"), "{err}");
        let err = load_toml("smtp_username = \"u\"\n").unwrap_err();
        assert!(err.contains("set together"), "{err}");
        let err = load_toml("smtp_security = \"ssl\"\n").unwrap_err();
        assert!(err.contains("smtp_security"), "{err}");
    }

    #[test]
    fn lambda_webhooks_are_arn_url_pairs_to_https_or_this_machine() {
        let arn = "arn:aws:lambda:us-east-1:123456789012:function:f";
        let c = load_toml(&format!(
            "lambda_webhooks = \"{arn}=https://hooks.example.com/f {arn}2=http://127.0.0.1:9/g\"\n"
        ))
        .unwrap();
        let map = c.lambda_webhook_map().unwrap();
        assert_eq!(map[arn].as_str(), "https://hooks.example.com/f");
        assert_eq!(map.len(), 2);
        for bad in [
            format!("{arn}=http://hooks.example.com/f"),
            arn.to_owned(),
            "not-an-arn=https://hooks.example.com/f".to_owned(),
        ] {
            assert!(
                load_toml(&format!("lambda_webhooks = \"{bad}\"\n")).is_err(),
                "{bad}"
            );
        }
        assert!(load_toml("lambda_webhook_secret = \"short\"\n").is_err());
        assert!(
            load_toml("lambda_access_key_id = \"AKIA\"\n").is_err(),
            "key without secret"
        );
    }

    #[test]
    fn iam_oidc_providers_and_login_endpoints_are_checked_as_a_table_or_json() {
        let arn = "arn:aws:iam::123456789012:oidc-provider/login.example.com/tenant";
        let c = load_toml(&format!(
            "[iam_oidc_providers.\"{arn}\"]\nurl = \"https://login.example.com/tenant\"\nclient_ids = [\"app\"]\n[identity_login_endpoints.\"graph.facebook.com\"]\napi_url = \"http://127.0.0.1:9400\"\n"
        ))
        .unwrap();
        assert_eq!(c.iam_oidc_providers[arn].client_ids, ["app"]);
        assert_eq!(
            c.identity_login_endpoints["graph.facebook.com"]
                .api_url
                .as_deref(),
            Some("http://127.0.0.1:9400")
        );
        let c = load_toml(&format!(
            "iam_oidc_providers = '{{\"{arn}\": {{\"url\": \"https://login.example.com/tenant\", \"client_ids\": [\"a\", \"b\"]}}}}'\n"
        ))
        .unwrap();
        assert_eq!(c.iam_oidc_providers[arn].client_ids, ["a", "b"]);
        for bad in [
            // Not IAM's ARN, a URL of another issuer, no audience, http to elsewhere.
            "[iam_oidc_providers.\"arn:aws:iam::12:oidc-provider/x.example.com\"]\nurl = \"https://x.example.com\"\nclient_ids = [\"a\"]\n",
            "[iam_oidc_providers.\"arn:aws:iam::123456789012:oidc-provider/x.example.com\"]\nurl = \"https://y.example.com\"\nclient_ids = [\"a\"]\n",
            "[iam_oidc_providers.\"arn:aws:iam::123456789012:oidc-provider/x.example.com\"]\nurl = \"https://x.example.com\"\nclient_ids = []\n",
            "[iam_oidc_providers.\"arn:aws:iam::123456789012:oidc-provider/x.example.com\"]\nurl = \"http://x.example.com\"\nclient_ids = [\"a\"]\n",
            // Not a social key, the wrong member, none.
            "[identity_login_endpoints.\"twitter.com\"]\napi_url = \"https://api.twitter.com\"\n",
            "[identity_login_endpoints.\"accounts.google.com\"]\napi_url = \"https://x.example.com\"\n",
            "[identity_login_endpoints.\"www.amazon.com\"]\n",
        ] {
            assert!(load_toml(bad).is_err(), "accepted {bad}");
        }
    }

    #[test]
    fn migration_sources_are_pseudo_arns_of_checked_pools_as_a_table_or_json() {
        let arn =
            "arn:aws:lambda:us-east-1:000000000000:function:cognate-migrate-from-cognito-legacy";
        let members = "region = \"eu-west-1\"\nuser_pool_id = \"eu-west-1_AbCdEf123\"\nclient_id = \"abcdefghijklmnopqrstuvwxyz\"\nclient_secret = \"client-secret-text\"\n";
        let c = load_toml(&format!("[migrate_from_cognito.\"{arn}\"]\n{members}")).unwrap();
        let source = &c.migrate_from_cognito[arn];
        assert_eq!(source.user_pool_id, "eu-west-1_AbCdEf123");
        assert_eq!(
            source.client_secret.as_ref().unwrap().expose(),
            "client-secret-text"
        );
        // The environment's form: the JSON text of the table.
        let json = format!(
            "migrate_from_cognito = '{{\"{arn}\": {{\"region\": \"eu-west-1\", \"user_pool_id\": \"eu-west-1_AbCdEf123\", \"client_id\": \"abc\", \"endpoint\": \"http://127.0.0.1:9230\"}}}}'\n"
        );
        let c = load_toml(&json).unwrap();
        assert_eq!(
            c.migrate_from_cognito[arn].endpoint.as_deref(),
            Some("http://127.0.0.1:9230")
        );
        assert!(is_migration_preset_arn(
            "arn:aws:lambda:eu-west-1:000000000000:function:cognate-migrate-from-cognito"
        ));
        for (key, bad) in [
            (
                "arn:aws:lambda:us-east-1:123456789012:function:cognate-migrate-from-cognito",
                members.to_owned(),
            ),
            (
                "arn:aws:lambda:us-east-1:000000000000:function:my-function",
                members.to_owned(),
            ),
            (arn, members.replace("eu-west-1_AbCdEf123", "not-a-pool")),
            (
                arn,
                format!("{members}endpoint = \"http://cognito.example.com\"\n"),
            ),
            (arn, format!("{members}admin_access_key_id = \"AKIA\"\n")),
            (arn, format!("{members}shoe_size = 9\n")),
        ] {
            assert!(
                load_toml(&format!("[migrate_from_cognito.\"{key}\"]\n{bad}")).is_err(),
                "{key} {bad}"
            );
        }
    }

    #[test]
    fn kms_keys_name_an_http_endpoint_a_region_and_paired_credentials() {
        let c = load_toml(
            "kms_endpoint = \"http://127.0.0.1:4566\"\nkms_region = \"eu-west-1\"\nkms_access_key_id = \"AKIA\"\nkms_secret_access_key = \"123\"\n",
        )
        .unwrap();
        assert_eq!(c.kms_secret_access_key.unwrap().expose(), "123");
        assert_eq!(c.kms_region.as_deref(), Some("eu-west-1"));
        assert!(load_toml("kms_endpoint = \"ftp://kms.example.com\"\n").is_err());
        assert!(load_toml("kms_region = \"Mars\"\n").is_err());
        assert!(
            load_toml("kms_access_key_id = \"AKIA\"\n")
                .unwrap_err()
                .contains("set together")
        );
    }

    #[test]
    fn sms_webhook_must_be_https_or_local() {
        assert!(load_toml("sms_webhook_url = \"http://sms.example.com/hook\"\n").is_err());
        assert!(load_toml("sms_webhook_url = \"ftp://localhost/\"\n").is_err());
        load_toml("sms_webhook_url = \"https://sms.example.com/hook\"\n").unwrap();
        load_toml("sms_webhook_url = \"http://127.0.0.1:8080/hook\"\n").unwrap();
        let url = "sms_webhook_url = \"https://sms.example.com/hook\"\n";
        let long = format!("sms_webhook_secret = \"{}\"\n", "s".repeat(32));
        assert!(
            load_toml(&long)
                .unwrap_err()
                .contains("sms_webhook_url is not")
        );
        assert!(
            load_toml(&format!("{url}sms_webhook_secret = \"short\"\n"))
                .unwrap_err()
                .contains("at least 32")
        );
        load_toml(&format!("{url}{long}")).unwrap();
    }

    #[test]
    fn delivery_timeout_is_bounded() {
        assert!(load_toml("delivery_timeout_secs = 0\n").is_err());
        assert!(load_toml("delivery_timeout_secs = 301.0\n").is_err());
        assert_eq!(
            load_toml("delivery_timeout_secs = 0.25\n")
                .unwrap()
                .delivery_timeout(),
            std::time::Duration::from_millis(250)
        );
    }

    #[test]
    fn listener_timeouts_are_bounded() {
        assert!(load_toml("http_header_read_timeout_secs = 0\n").is_err());
        assert!(load_toml("http_idle_timeout_secs = 3601.0\n").is_err());
        let t = load_toml("http_header_read_timeout_secs = 0.5\n")
            .unwrap()
            .listener_timeouts();
        assert_eq!(t.header_read, std::time::Duration::from_millis(500));
        assert_eq!(t.idle, std::time::Duration::from_secs(60));
    }

    #[test]
    fn missing_file_and_bad_values_are_errors() {
        let err = Config::load(
            Some(Path::new("/nonexistent/c.toml")),
            &Overrides::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("/nonexistent/c.toml"), "{err}");
        let over = Overrides {
            listen: Some("not-an-address".into()),
            ..Default::default()
        };
        assert!(Config::load(None, &over).is_err());
    }
}
