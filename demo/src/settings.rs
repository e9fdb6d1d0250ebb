//! The demo's settings, from environment variables with defaults that fit
//! `cognate dev`: the sample pool and app client are read from
//! `.cognate/dev-sample.json`, which `cognate dev` writes on first start.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use login_front::{LoginFrontConfig, ProviderLogout};

/// What `cognate dev` writes to `{data_dir}/dev-sample.json`.
#[derive(serde::Deserialize)]
struct DevSample {
    user_pool_id: String,
    client_id: String,
}

pub struct Settings {
    pub listen: SocketAddr,
    /// The demo's own address as the browser sees it (no trailing slash).
    pub public_url: String,
    pub login: LoginFrontConfig,
    /// DEMO_SESSION_SECRET: at least 32 bytes; random when unset (sessions
    /// then end with the process).
    pub session_secret: Option<String>,
    pub issuer: String,
    /// The origin of the provider's logout, where the sign-out form's
    /// redirect leads: the CSP's `form-action` allows it.
    pub logout_origin: String,
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

impl Settings {
    pub fn from_env() -> anyhow::Result<Self> {
        let listen: SocketAddr = var("DEMO_LISTEN")
            .unwrap_or_else(|| "127.0.0.1:3000".into())
            .parse()
            .context("DEMO_LISTEN must be an address such as 127.0.0.1:3000")?;
        let public_url = var("DEMO_PUBLIC_URL")
            .unwrap_or_else(|| format!("http://localhost:{}", listen.port()))
            .trim_end_matches('/')
            .to_owned();
        let (issuer, client_id) = match (var("DEMO_ISSUER"), var("DEMO_CLIENT_ID")) {
            (Some(issuer), Some(client)) => (issuer, client),
            (issuer, client) => {
                let dir =
                    PathBuf::from(var("DEMO_COGNATE_DIR").unwrap_or_else(|| ".cognate".into()));
                let sample = read_sample(&dir)?;
                let cognate =
                    var("DEMO_COGNATE_URL").unwrap_or_else(|| "http://127.0.0.1:9229".into());
                (
                    issuer.unwrap_or_else(|| {
                        format!("{}/{}", cognate.trim_end_matches('/'), sample.user_pool_id)
                    }),
                    client.unwrap_or(sample.client_id),
                )
            }
        };
        let issuer = issuer.trim_end_matches('/').to_owned();
        let cognito_domain = var("DEMO_COGNITO_DOMAIN").unwrap_or_else(|| issuer.clone());
        let logout_origin = url::Url::parse(&cognito_domain)
            .with_context(|| format!("the provider's logout URL {cognito_domain:?}"))?
            .origin()
            .ascii_serialization();
        let logout = match var("DEMO_LOGOUT").as_deref().unwrap_or("cognito") {
            // Cognito (and Cognate) advertise no end_session_endpoint: their
            // /logout lives on the user pool domain.
            "cognito" => ProviderLogout::Cognito {
                domain: cognito_domain,
            },
            "oidc" => ProviderLogout::Discovery,
            "local" => ProviderLogout::LocalOnly,
            other => bail!("DEMO_LOGOUT must be cognito, oidc or local, not {other:?}"),
        };
        // The router is mounted at the root: /login, /callback, /logout, as
        // registered for the sample app client of `cognate dev`.
        let mut login = LoginFrontConfig::new(&issuer, client_id, format!("{public_url}/callback"))
            .prefix("")
            .logout(logout)
            .post_logout_redirect_url(format!("{public_url}/"));
        if let Some(secret) = var("DEMO_CLIENT_SECRET") {
            login = login.client_secret(secret);
        }
        if let Some(scopes) = var("DEMO_SCOPES") {
            login = login.scopes(
                scopes
                    .split_whitespace()
                    .map(str::to_owned)
                    .collect::<Vec<_>>(),
            );
        }
        // Refresh access tokens that expire within this many seconds; a
        // value beyond the token lifetime refreshes on every use (tests).
        if let Some(secs) = var("DEMO_REFRESH_LEEWAY_SECONDS") {
            let secs: u64 = secs
                .parse()
                .context("DEMO_REFRESH_LEEWAY_SECONDS must be a number of seconds")?;
            login = login.refresh_leeway(Duration::from_secs(secs));
        }
        Ok(Self {
            listen,
            public_url,
            login,
            session_secret: var("DEMO_SESSION_SECRET"),
            issuer,
            logout_origin,
        })
    }
}

fn read_sample(dir: &Path) -> anyhow::Result<DevSample> {
    let path = dir.join("dev-sample.json");
    let text = std::fs::read_to_string(&path).with_context(|| {
        format!(
            "cannot read {}: start `cargo run --release -- dev` first, or set DEMO_ISSUER and DEMO_CLIENT_ID",
            path.display()
        )
    })?;
    serde_json::from_str(&text).with_context(|| format!("{} is not a dev sample", path.display()))
}
