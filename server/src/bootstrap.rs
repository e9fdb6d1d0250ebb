//! Start-up: the data directory, the master key, the database, and — under
//! `cognate dev` only — the sample pool, client and admin key of a first
//! start. Every failure names the file, key or URL at fault.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, bail};
use cognate_core::Clock;
use cognate_core::crypto::{MasterKey, SecretString};
use cognate_core::model::client::{ExplicitAuthFlow, OAuthFlow, UserPoolClientConfig};
use cognate_core::model::pool::{
    AliasAttribute, NewUserPool, UsernameConfiguration, VerifiableAttribute,
};
use cognate_core::model::{UserPool, UserPoolClient};
use cognate_core::service::{Idp, IdpSettings};
use cognate_core::store::Store;
use cognate_core::store::postgres::PgStore;
use cognate_core::store::sqlite::SqliteStore;

use crate::api::sigv4::AccessKey;
use crate::config::Config;
use crate::state::{AppState, DevSample, Inner, Mode};

const MASTER_KEY_FILE: &str = "master.key";
const DEV_SAMPLE_FILE: &str = "dev-sample.json";
const DEV_CREDENTIALS_FILE: &str = "aws-credentials";

/// Prepares everything the server needs and returns its state.
pub async fn start(config: Config, mode: Mode) -> anyhow::Result<AppState> {
    start_with_clock(config, mode, Clock::system()).await
}

/// As [`start`], with a clock tests can move.
pub async fn start_with_clock(
    config: Config,
    mode: Mode,
    clock: Clock,
) -> anyhow::Result<AppState> {
    ensure_data_dir(&config.data_dir)?;
    let master_key = load_master_key(&config, mode)?;
    let store = open_store(&config.database_url()).await?;
    let mut admin_keys = Vec::new();
    if let (Some(id), Some(secret)) = (&config.admin_access_key_id, &config.admin_secret_access_key)
    {
        admin_keys.push(AccessKey {
            id: id.clone(),
            secret: SecretString::new(secret.expose()),
        });
    }
    let dev_sample = if mode == Mode::Dev {
        if admin_keys.is_empty() {
            admin_keys.push(dev_access_key(&config)?);
        }
        Some(dev_sample(&config, store.as_ref(), &clock).await?)
    } else {
        if admin_keys.is_empty() {
            tracing::warn!(
                "no admin access key configured (COGNATE_ADMIN_ACCESS_KEY_ID / COGNATE_ADMIN_SECRET_ACCESS_KEY): administrative actions will be refused"
            );
        }
        None
    };
    let public_url = config.public_url();
    if mode == Mode::Serve && !public_url.starts_with("https://") {
        tracing::warn!(%public_url, "the public URL is not https: browsers will not keep secure cookies and tokens travel in clear");
    }
    let delivery =
        crate::mail::Delivery::start(&config, store.clone(), clock.clone(), master_key.clone())?;
    let upstream = crate::federation::upstream::Upstream::new(&config)?;
    let idp = Idp::new(
        store,
        clock.clone(),
        master_key,
        IdpSettings {
            public_url: public_url.clone(),
            region: config.region.clone(),
            sso_session_seconds: config.sso_session_seconds,
            enforce_feature_plans: config.enforce_feature_plans,
            federation_presets: config
                .federation_presets()
                .map_err(|e| anyhow::anyhow!(e))?,
        },
    )
    .with_sender(delivery.sender())
    .with_message_budget(std::sync::Arc::new(crate::limits::MessageCap::new(&config)))
    .with_functions(std::sync::Arc::new(crate::lambda::Functions::new(&config)?))
    .with_code_encryptor(std::sync::Arc::new(crate::kms::Kms::new(&config)))
    .with_upstream(std::sync::Arc::new(upstream.clone()))
    .with_external_logins(std::sync::Arc::new(
        crate::identity::external::ExternalVerifier::new(&config, clock.clone())?,
    ));
    // Identity pools' credentials: the configured STS, or Cognate's own.
    let idp = match &config.sts_endpoint {
        Some(endpoint) => idp.with_sts(std::sync::Arc::new(crate::sts::remote::RemoteSts::new(
            endpoint,
            config.sts_region.as_deref().unwrap_or(&config.region),
        ))),
        None => idp,
    };
    Ok(AppState::new(Inner {
        limits: crate::limits::RateLimits::new(&config),
        config,
        mode,
        public_url,
        idp,
        admin_keys,
        dev_sample,
        delivery,
        upstream,
    }))
}

/// The data directory holds the database and the master key: created
/// readable by its owner only (0700, whatever the umask). One that exists
/// keeps its mode (the operator chose it), with a warning if others may
/// read it.
fn ensure_data_dir(dir: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    if !dir.exists() {
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .and_then(|()| fs::set_permissions(dir, fs::Permissions::from_mode(0o700)))
            .with_context(|| format!("cannot create the data directory {}", dir.display()))?;
    } else if let Ok(meta) = fs::metadata(dir)
        && meta.permissions().mode() & 0o077 != 0
    {
        tracing::warn!(
            path = %dir.display(),
            mode = format!("{:o}", meta.permissions().mode() & 0o777),
            "the data directory is open to other users: it holds the database and the master key; chmod 700 it"
        );
    }
    let probe = dir.join(".write-test");
    fs::write(&probe, b"ok")
        .and_then(|()| fs::remove_file(&probe))
        .with_context(|| format!("the data directory {} is not writable", dir.display()))?;
    Ok(())
}

/// The master key from the configuration, or from `{data_dir}/master.key`,
/// generated there (mode 0600) on first start.
fn load_master_key(config: &Config, mode: Mode) -> anyhow::Result<MasterKey> {
    if let Some(text) = &config.master_key {
        return MasterKey::from_text(text.expose()).map_err(|e| {
            anyhow::anyhow!("the configured master_key (COGNATE_MASTER_KEY) is unusable: {e}")
        });
    }
    let path = config.data_dir.join(MASTER_KEY_FILE);
    match fs::read_to_string(&path) {
        Ok(text) => MasterKey::from_text(&text)
            .map_err(|e| anyhow::anyhow!("the master key file {} is corrupt: {e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = MasterKey::generate();
            write_private(&path, format!("{}\n", key.to_text()).as_bytes())?;
            if mode == Mode::Serve {
                tracing::warn!(path = %path.display(), "generated a new master key: back it up, sealed secrets cannot be opened without it");
            }
            Ok(key)
        }
        Err(e) => {
            Err(e).with_context(|| format!("cannot read the master key file {}", path.display()))
        }
    }
}

/// Writes a new file readable by its owner only (0600, whatever the
/// umask); never overwrites.
fn write_private(path: &Path, contents: &[u8]) -> anyhow::Result<()> {
    let f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    fill_private(f, path, contents)
}

/// As [`write_private`], replacing the file if there is one.
fn replace_private(path: &Path, contents: &[u8]) -> anyhow::Result<()> {
    let f = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    fill_private(f, path, contents)
}

fn fill_private(mut f: fs::File, path: &Path, contents: &[u8]) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    // The mode given at creation is narrowed by the umask, and an existing
    // file keeps its own: set it outright.
    f.set_permissions(fs::Permissions::from_mode(0o600))
        .and_then(|()| f.write_all(contents))
        .and_then(|()| f.sync_all())
        .with_context(|| format!("cannot write {}", path.display()))
}

/// A database URL with any password replaced, for messages.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let userinfo = &url[s + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            let masked = if userinfo.contains(':') {
                format!("{user}:***")
            } else {
                user.to_owned()
            };
            format!("{}{}{}", &url[..s + 3], masked, &url[at..])
        }
        _ => url.to_owned(),
    }
}

/// The database of a data directory a server has already used, for the
/// tools that work on one (`cognate outbox`, `cognate theme`): a clear error,
/// rather than a new empty database, when there is none yet.
pub async fn open_existing_store(config: &Config) -> anyhow::Result<Arc<dyn Store>> {
    let url = config.database_url();
    if let Some(path) = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        && !Path::new(path).exists()
    {
        bail!(
            "there is no database at {path}: start `cognate dev` or `cognate serve` with this data directory first"
        );
    }
    open_store(&url).await
}

/// The core over an existing database, for the tools that change it
/// (`cognate theme`): no mail delivery, and never a new master key, which
/// would leave the sealed secrets already stored unreadable.
pub async fn open_idp(config: &Config) -> anyhow::Result<Idp> {
    let store = open_existing_store(config).await?;
    let key_file = config.data_dir.join(MASTER_KEY_FILE);
    if config.master_key.is_none() && !key_file.exists() {
        bail!(
            "there is no master key at {} (nor COGNATE_MASTER_KEY): use the data directory the server runs with",
            key_file.display()
        );
    }
    let master_key = load_master_key(config, Mode::Serve)?;
    Ok(Idp::new(
        store,
        Clock::system(),
        master_key,
        IdpSettings {
            public_url: config.public_url(),
            region: config.region.clone(),
            sso_session_seconds: config.sso_session_seconds,
            enforce_feature_plans: config.enforce_feature_plans,
            federation_presets: config
                .federation_presets()
                .map_err(|e| anyhow::anyhow!(e))?,
        },
    ))
}

/// Opens (and migrates) the database at `url`: the server's start-up and
/// the tools that read a data directory (`cognate outbox`) share it.
pub async fn open_store(url: &str) -> anyhow::Result<Arc<dyn Store>> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let store = PgStore::connect(url).await.map_err(|e| {
            anyhow::anyhow!(
                "cannot use the database {}: {}",
                redact_url(url),
                e.message()
            )
        })?;
        Ok(Arc::new(store))
    } else if let Some(path) = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
    {
        let path = PathBuf::from(path);
        let store = SqliteStore::open(&path).await.map_err(|e| {
            anyhow::anyhow!(
                "cannot open the SQLite database {}: {}",
                path.display(),
                e.message()
            )
        })?;
        Ok(Arc::new(store))
    } else {
        bail!(
            "database_url {} is neither sqlite://… nor postgres://…",
            redact_url(url)
        )
    }
}

/// The dev admin key: kept in `{data_dir}/aws-credentials`, in the AWS
/// shared-credentials format, so the CLI and SDKs can use it as a profile.
fn dev_access_key(config: &Config) -> anyhow::Result<AccessKey> {
    let path = config.data_dir.join(DEV_CREDENTIALS_FILE);
    match fs::read_to_string(&path) {
        Ok(text) => {
            let value = |key: &str| {
                text.lines()
                    .filter_map(|l| l.split_once('='))
                    .find(|(k, _)| k.trim() == key)
                    .map(|(_, v)| v.trim().to_owned())
            };
            match (value("aws_access_key_id"), value("aws_secret_access_key")) {
                (Some(id), Some(secret)) if !id.is_empty() && !secret.is_empty() => Ok(AccessKey {
                    id,
                    secret: SecretString::new(secret),
                }),
                _ => bail!(
                    "{} lacks aws_access_key_id or aws_secret_access_key; delete it to generate a new key",
                    path.display()
                ),
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let id = format!("AKIA{}", random_upper_alnum(16));
            let secret = random_base62(40);
            write_private(
                &path,
                format!(
                    "[cognate]\naws_access_key_id = {id}\naws_secret_access_key = {secret}\nregion = {}\n",
                    config.region
                )
                .as_bytes(),
            )?;
            Ok(AccessKey {
                id,
                secret: SecretString::new(secret),
            })
        }
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

fn random_from(alphabet: &[u8], len: usize) -> String {
    let bytes = cognate_core::crypto::random_bytes::<64>();
    bytes
        .iter()
        .take(len)
        .map(|b| alphabet[*b as usize % alphabet.len()] as char)
        .collect()
}

fn random_upper_alnum(len: usize) -> String {
    random_from(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", len)
}

fn random_base62(len: usize) -> String {
    random_from(
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
        len,
    )
}

/// The sample pool and client of `cognate dev`, created on first start and
/// found again on later ones.
async fn dev_sample(
    config: &Config,
    store: &dyn Store,
    clock: &Clock,
) -> anyhow::Result<DevSample> {
    let path = config.data_dir.join(DEV_SAMPLE_FILE);
    if let Ok(text) = fs::read_to_string(&path) {
        let sample: DevSample = serde_json::from_str(&text).with_context(|| {
            format!(
                "{} is corrupt; delete it to create a new sample pool",
                path.display()
            )
        })?;
        let exists = store
            .get_client(&sample.user_pool_id, &sample.client_id)
            .await
            .map_err(|e| anyhow::anyhow!("cannot read the sample client: {}", e.message()))?
            .is_some();
        if exists {
            return Ok(sample);
        }
    }
    let now = clock.now();
    let pool = UserPool::create(
        NewUserPool {
            pool_name: "cognate-dev".into(),
            alias_attributes: vec![AliasAttribute::Email],
            username_configuration: Some(UsernameConfiguration {
                case_sensitive: false,
            }),
            config: cognate_core::model::pool::UserPoolConfig {
                auto_verified_attributes: vec![VerifiableAttribute::Email],
                ..Default::default()
            },
            ..Default::default()
        },
        &config.region,
        now,
    )
    .map_err(|e| anyhow::anyhow!("cannot build the sample pool: {e}"))?;
    let public = config.public_url();
    let client = UserPoolClient::create(
        &pool.id,
        UserPoolClientConfig {
            client_name: "cognate-dev-client".into(),
            explicit_auth_flows: Some(vec![
                ExplicitAuthFlow::AllowUserSrpAuth,
                ExplicitAuthFlow::AllowUserPasswordAuth,
                ExplicitAuthFlow::AllowAdminUserPasswordAuth,
                ExplicitAuthFlow::AllowRefreshTokenAuth,
            ]),
            callback_urls: Some(vec![
                "http://localhost:3000/callback".into(),
                format!("{public}/_dev/callback"),
            ]),
            logout_urls: Some(vec!["http://localhost:3000/".into(), format!("{public}/")]),
            allowed_o_auth_flows: Some(vec![OAuthFlow::Code]),
            allowed_o_auth_scopes: Some(vec!["openid".into(), "email".into(), "profile".into()]),
            allowed_o_auth_flows_user_pool_client: true,
            supported_identity_providers: Some(vec!["COGNITO".into()]),
            ..Default::default()
        },
        false,
        now,
    )
    .map_err(|e| anyhow::anyhow!("cannot build the sample client: {e}"))?;
    store
        .create_pool(&pool)
        .await
        .map_err(|e| anyhow::anyhow!("cannot store the sample pool: {}", e.message()))?;
    store
        .create_client(&client)
        .await
        .map_err(|e| anyhow::anyhow!("cannot store the sample client: {}", e.message()))?;
    let sample = DevSample {
        user_pool_id: pool.id,
        client_id: client.client_id,
    };
    let json = serde_json::to_string_pretty(&sample)?;
    replace_private(&path, json.as_bytes())?;
    Ok(sample)
}

/// Prints how to use the server: a few lines on stdout.
pub fn announce(state: &AppState) {
    let url = &state.public_url;
    let mode = match state.mode {
        Mode::Serve => "serve",
        Mode::Dev => "dev",
    };
    println!(
        "Cognate {} ({mode}) listening on {url}",
        env!("CARGO_PKG_VERSION")
    );
    if let Some(sample) = &state.dev_sample {
        let creds = state.config.data_dir.join(DEV_CREDENTIALS_FILE);
        let key_id = state
            .admin_keys
            .first()
            .map(|k| k.id.as_str())
            .unwrap_or("-");
        println!("  endpoint URL     {url}");
        println!(
            "  user pool        {}  (issuer {url}/{})",
            sample.user_pool_id, sample.user_pool_id
        );
        println!("  app client       {}  (no secret)", sample.client_id);
        println!(
            "  admin access key {key_id}  (secret in {})",
            creds.display()
        );
        println!(
            "  try              AWS_SHARED_CREDENTIALS_FILE={} AWS_PROFILE=cognate aws cognito-idp list-users --endpoint-url {url} --user-pool-id {}",
            creds.display(),
            sample.user_pool_id
        );
        match crate::mail::outbox_notice(&state.config) {
            Some(notice) => println!("  outbox           {url}/_dev/outbox  ({notice})"),
            None => println!("  outbox           {url}/_dev/outbox"),
        }
    }
    tracing::info!(%url, mode, "listening");
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn passwords_never_reach_messages() {
        assert_eq!(
            redact_url("postgres://u:pw@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(redact_url("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact_url("sqlite://x.db"), "sqlite://x.db");
    }
}
