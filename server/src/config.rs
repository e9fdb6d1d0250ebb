//! Configuration: one typed struct. Defaults in code, then a TOML file,
//! then `COGNATE_*` environment variables, then command-line flags, each
//! overriding the one before. `cognate.example.toml` lists every key; a
//! test keeps it in step with this struct.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

/// Every key, as a TOML key and as `COGNATE_<KEY>` in the environment.
pub const KEYS: &[&str] = &[
    "listen",
    "public_url",
    "data_dir",
    "database_url",
    "master_key",
    "admin_access_key_id",
    "admin_secret_access_key",
    "region",
    "log_format",
    "log_level",
    "rate_limit_auth_per_ip",
    "rate_limit_codes_per_ip",
    "rate_limit_recovery_per_ip",
    "rate_limit_per_user",
    "rate_limit_messages_per_user_per_hour",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Address the one HTTP listener binds.
    pub listen: SocketAddr,
    /// The URL clients reach Cognate at; issuers are `{public_url}/{poolId}`.
    /// Derived from `listen` when unset.
    pub public_url: Option<String>,
    /// Where the SQLite database, the master key and first-start files live.
    pub data_dir: PathBuf,
    /// `sqlite://path` or `postgres://…`; SQLite in `data_dir` when unset.
    pub database_url: Option<String>,
    /// 64 hex characters. When unset, read from (or generated into)
    /// `{data_dir}/master.key` with mode 0600.
    pub master_key: Option<String>,
    /// An AWS access key that may call the administrative API.
    pub admin_access_key_id: Option<String>,
    pub admin_secret_access_key: Option<String>,
    /// The region in new pool ids (`{region}_{9 alphanumerics}`).
    pub region: String,
    pub log_format: LogFormat,
    /// A tracing filter, e.g. `info` or `cognate=debug,sqlx=warn`.
    pub log_level: String,
    /// Requests per second from one source IP to the sign-in, code and
    /// recovery actions (see `limits.rs`); 0 turns a limit off.
    pub rate_limit_auth_per_ip: f64,
    pub rate_limit_codes_per_ip: f64,
    pub rate_limit_recovery_per_ip: f64,
    /// Requests per second naming one user, in each of those categories.
    pub rate_limit_per_user: f64,
    /// Codes and messages one user can be sent in an hour.
    pub rate_limit_messages_per_user_per_hour: u32,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:9229".parse().expect("valid default address"),
            public_url: None,
            data_dir: PathBuf::from(".cognate"),
            database_url: None,
            master_key: None,
            admin_access_key_id: None,
            admin_secret_access_key: None,
            region: "us-east-1".into(),
            log_format: LogFormat::Text,
            log_level: "info".into(),
            // Cognito's default quotas (developer guide, "Quotas"):
            // UserAuthentication 120, UserCreation 50, UserAccountRecovery
            // 30 requests per second — here per source IP.
            rate_limit_auth_per_ip: 120.0,
            rate_limit_codes_per_ip: 50.0,
            rate_limit_recovery_per_ip: 30.0,
            rate_limit_per_user: 10.0,
            rate_limit_messages_per_user_per_hour: 10,
        }
    }
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
        figment = figment
            .merge(Env::prefixed("COGNATE_").only(KEYS))
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
        if self.admin_access_key_id.is_some() != self.admin_secret_access_key.is_some() {
            return Err(invalid(
                "admin_access_key_id and admin_secret_access_key must be set together".into(),
            ));
        }
        Ok(())
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
            "data_dir",
            "region",
            "log_format",
            "log_level",
            "rate_limit_auth_per_ip",
            "rate_limit_codes_per_ip",
            "rate_limit_recovery_per_ip",
            "rate_limit_per_user",
            "rate_limit_messages_per_user_per_hour",
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
