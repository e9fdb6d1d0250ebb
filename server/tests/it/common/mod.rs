//! Shared test helpers. Each test starts its own real server on a random
//! local port, with its own data: a fresh SQLite file, or its own schema in
//! the real PostgreSQL.
#![allow(dead_code)]

pub mod hosted;
pub mod kms;
pub mod lambda;
pub mod oidc_peer;
pub mod process;
pub mod python;
pub mod users;

use aws_sdk_cognitoidentityprovider as cip;
use cip::config::{BehaviorVersion, Credentials, Region};
use cognate::config::Config;
use cognate::state::{AppState, Mode};
use cognate_core::{Clock, Timestamp};

pub const ADMIN_KEY_ID: &str = "AKIATESTADMINKEY0001";
pub const ADMIN_SECRET: &str = "test-secret-access-key-for-cognate-tests";

pub use cognate_core::test_support::{Backend, PgSchema};

pub struct TestServer {
    pub url: String,
    pub state: AppState,
    pub clock: Clock,
    _dir: tempfile::TempDir,
    schema: Option<PgSchema>,
    task: tokio::task::JoinHandle<()>,
}

impl TestServer {
    /// Starts a server on the backend; None when the backend is unavailable
    /// and may be skipped.
    pub async fn start(backend: Backend) -> Option<Self> {
        Self::start_with(backend, |_| {}).await
    }

    /// Starts a server whose configuration `adjust` changes first.
    pub async fn start_with(backend: Backend, adjust: impl FnOnce(&mut Config)) -> Option<Self> {
        let dir = tempfile::tempdir().unwrap();
        let schema = match backend {
            Backend::Sqlite => None,
            Backend::Postgres => Some(PgSchema::create().await?),
        };
        let database_url = schema.as_ref().map(|s| s.url().to_owned());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut config = Config {
            listen: addr,
            data_dir: dir.path().to_owned(),
            database_url,
            admin_access_key_id: Some(ADMIN_KEY_ID.into()),
            admin_secret_access_key: Some(cognate::config::Secret::new(ADMIN_SECRET)),
            log_level: "warn".into(),
            // Tests of other features sign in faster than a person would;
            // the rate-limit tests turn these back on.
            rate_limit_auth_per_ip: 0.0,
            rate_limit_codes_per_ip: 0.0,
            rate_limit_recovery_per_ip: 0.0,
            rate_limit_per_user: 0.0,
            rate_limit_messages_per_user_per_hour: 0,
            ..Config::default()
        };
        adjust(&mut config);
        // A manual clock starting at the real time, so SigV4 dates agree.
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64;
        let clock = Clock::manual(Timestamp(now));
        let state = cognate::bootstrap::start_with_clock(config, Mode::Serve, clock.clone())
            .await
            .expect("server starts");
        let app = cognate::router::build(state.clone());
        let task = tokio::spawn(async move {
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
            )
            .await
            .unwrap();
        });
        Some(Self {
            url: format!("http://{addr}"),
            state,
            clock,
            _dir: dir,
            schema,
            task,
        })
    }

    /// A second node of the same deployment: its own process state and
    /// listener, the same PostgreSQL schema and the same master key.
    /// None for a SQLite server (one node per file).
    pub async fn start_node_beside(&self) -> Option<Self> {
        let database_url = self.state.config.database_url.clone()?;
        let key = std::fs::read_to_string(self._dir.path().join("master.key")).ok();
        let public_url = self.state.public_url.clone();
        let mut node = Self::start_with(Backend::Sqlite, |c| {
            c.database_url = Some(database_url);
            // Behind one load balancer: one issuer for every node.
            c.public_url = Some(public_url);
            c.master_key = key.map(|k| cognate::config::Secret::new(k.trim()));
        })
        .await?;
        // The schema belongs to the first node, which drops it.
        node.schema = self.schema.as_ref().map(PgSchema::share);
        // Nodes of one deployment read the same time: each test node's
        // manual clock stops where it started, so the second one is set to
        // the first's (else a lockout the first recorded could already be
        // over by the second's clock, however long the test took).
        node.clock.set(self.clock.now());
        Some(node)
    }

    /// The same deployment started again: new process state (caches,
    /// locks, in-memory limits) over the same database, master key and
    /// data directory, on a new port.
    pub async fn restart(mut self) -> Self {
        let mut config = self.state.config.clone();
        let dir = std::mem::replace(&mut self._dir, tempfile::tempdir().unwrap());
        let schema = self.schema.take();
        let clock = self.clock.clone();
        drop(self);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        config.listen = addr;
        let state = cognate::bootstrap::start_with_clock(config, Mode::Serve, clock.clone())
            .await
            .expect("server starts again");
        let app = cognate::router::build(state.clone());
        let task = tokio::spawn(async move {
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
            )
            .await
            .unwrap();
        });
        Self {
            url: format!("http://{addr}"),
            state,
            clock,
            _dir: dir,
            schema,
            task,
        }
    }

    /// An SDK client signing with the server's admin key.
    pub fn admin(&self) -> cip::Client {
        admin_client(&self.url)
    }

    /// An SDK client with no AWS credentials at all, as a browser app has.
    pub fn public(&self) -> cip::Client {
        self.client_with(None)
    }

    pub fn client_with(&self, credentials: Option<Credentials>) -> cip::Client {
        sdk_client(&self.url, credentials)
    }

    /// POSTs a raw body to the API, for protocol-level tests.
    pub async fn raw(
        &self,
        target: Option<&str>,
        body: &str,
    ) -> (u16, serde_json::Value, reqwest::header::HeaderMap) {
        let mut req = reqwest::Client::new()
            .post(&self.url)
            .header("content-type", "application/x-amz-json-1.1")
            .body(body.to_owned());
        if let Some(t) = target {
            req = req.header(
                "x-amz-target",
                format!("AWSCognitoIdentityProviderService.{t}"),
            );
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let text = resp.text().await.unwrap();
        let json = serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text));
        (status, json, headers)
    }

    /// Calls `action` with a JSON body, signed with the admin key as the
    /// SDKs sign (for actions this SDK version does not have); the status
    /// and the JSON answer.
    pub async fn call_signed(
        &self,
        action: &str,
        body: &serde_json::Value,
    ) -> (u16, serde_json::Value) {
        self.call_json(action, body, true).await
    }

    /// As [`TestServer::call_signed`], unsigned (the public actions).
    pub async fn call_public(
        &self,
        action: &str,
        body: &serde_json::Value,
    ) -> (u16, serde_json::Value) {
        self.call_json(action, body, false).await
    }

    async fn call_json(
        &self,
        action: &str,
        body: &serde_json::Value,
        signed: bool,
    ) -> (u16, serde_json::Value) {
        let bytes = serde_json::to_vec(body).unwrap();
        let target = format!("AWSCognitoIdentityProviderService.{action}");
        let content_type = "application/x-amz-json-1.1";
        let mut req = reqwest::Client::new()
            .post(&self.url)
            .header("content-type", content_type)
            .header("x-amz-target", &target);
        if signed {
            let url = reqwest::Url::parse(&self.url).unwrap();
            let signer = cognate::aws_signing::Signer {
                access_key_id: ADMIN_KEY_ID,
                secret_access_key: ADMIN_SECRET,
                region: "us-east-1",
                service: "cognito-idp",
            };
            let headers = signer
                .post_headers(
                    &url,
                    &[("content-type", content_type), ("x-amz-target", &target)],
                    &bytes,
                )
                .unwrap();
            for (name, value) in headers {
                req = req.header(name, value);
            }
        }
        let resp = req.body(bytes).send().await.unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        let json = serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text));
        (status, json)
    }
}

impl TestServer {
    /// The first column of every row `sql` returns, as text, read straight
    /// from the database (not through the server): what a stolen database
    /// file or dump would show. `sql` must work on SQLite and PostgreSQL.
    pub async fn raw_rows(&self, sql: &str) -> Vec<String> {
        use sqlx::{Connection, Row};
        let url = self.state.config.database_url();
        if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            let options = sqlx::sqlite::SqliteConnectOptions::new()
                .filename(path)
                .read_only(true);
            let mut c = sqlx::SqliteConnection::connect_with(&options)
                .await
                .expect("open the SQLite file");
            sqlx::query(sql)
                .fetch_all(&mut c)
                .await
                .expect("raw query")
                .iter()
                .map(|r| r.try_get::<String, _>(0).expect("a text column"))
                .collect()
        } else {
            let mut c = sqlx::PgConnection::connect(&url)
                .await
                .expect("connect to PostgreSQL");
            sqlx::query(sql)
                .fetch_all(&mut c)
                .await
                .expect("raw query")
                .iter()
                .map(|r| r.try_get::<String, _>(0).expect("a text column"))
                .collect()
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The service error name of an SDK error, e.g. `NotAuthorizedException`.
/// An SDK client for the server at `url`, with the given AWS credentials
/// or none (as a browser app has).
pub fn sdk_client(url: &str, credentials: Option<Credentials>) -> cip::Client {
    let mut config = cip::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(url);
    if let Some(c) = credentials {
        config = config.credentials_provider(c);
    }
    cip::Client::from_conf(config.build())
}

/// An SDK client for the server at `url`, signing with the test admin key.
pub fn admin_client(url: &str) -> cip::Client {
    sdk_client(
        url,
        Some(Credentials::new(
            ADMIN_KEY_ID,
            ADMIN_SECRET,
            None,
            None,
            "tests",
        )),
    )
}

pub fn error_name<E, R>(err: &cip::error::SdkError<E, R>) -> String
where
    E: cip::error::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match err {
        cip::error::SdkError::ServiceError(s) => s.err().code().unwrap_or("?").to_owned(),
        other => format!("not a service error: {other}"),
    }
}

/// `sqlite::<name>` and `postgres::<name>` tests of each
/// `async fn <name>(server: TestServer)` (core's `on_both_backends!`,
/// started with `TestServer::start`).
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        cognate_core::on_both_backends!($crate::common::TestServer::start; $($name),*);
    };
}

/// A JWT's claims, read without checking (the tests that check signatures
/// verify against the JWKS).
pub fn jwt_claims(token: &str) -> serde_json::Value {
    use base64::Engine as _;
    let payload = token.split('.').nth(1).expect("a JWT");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64url");
    serde_json::from_slice(&bytes).expect("JSON claims")
}
