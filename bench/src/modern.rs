//! The Cognate-only workloads of issues 15 and 17: choice-based sign-in
//! with an emailed code (USER_AUTH, EMAIL_OTP), GetTokensFromRefreshToken
//! on a rotating client, and a federated sign-in through the hosted UI
//! with a second pool of the same server as the upstream OpenID provider.
//! Their pools are made by `setup --user-auth`; the emailed codes are read
//! from the server's outbox in its SQLite file, opened with its master key
//! (the bench reads the data directory as `seed-sqlite` does).

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use cognate_core::crypto::MasterKey;
use cognate_core::service::messages::read_outbox;
use cognate_core::store::SqliteStore;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::client::Api;
use crate::workloads::{PASSWORD, create_user};

/// Users of the EMAIL_OTP workload: one per connection, so that two
/// sign-ins in flight never share a user's code.
pub const OTP_USERS: usize = 64;
/// The app's redirect URI (never visited).
const CALLBACK: &str = "https://bench.example/callback";
/// The PKCE verifier of the federated sign-in (RFC 7636 §4.1).
const VERIFIER: &str = "bench-federated-sign-in-code-verifier-0123456789";

#[derive(Debug, Serialize, Deserialize)]
pub struct UserAuthSetup {
    /// A pool allowing PASSWORD and EMAIL_OTP first, with `otp{i}` users.
    pub pool_id: String,
    /// Its client with ALLOW_USER_AUTH.
    pub client_id: String,
    /// A client of the same pool with RefreshTokenRotation, and the user
    /// it signs in.
    pub rotating_client_id: String,
    pub rotating_username: String,
    /// The server's data directory: its outbox holds the codes.
    pub data_dir: PathBuf,
    pub federation: FederationSetup,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct FederationSetup {
    /// The upstream pool and its user.
    pub upstream_pool_id: String,
    pub upstream_username: String,
    /// The federated pool, its provider "Upstream" and the app's client.
    pub pool_id: String,
    pub client_id: String,
}

/// Makes the pools, clients and users of these workloads.
pub async fn setup(api: &Api, data_dir: &Path) -> anyhow::Result<UserAuthSetup> {
    let pool_id = create_pool(
        api,
        json!({"PoolName": "bench-user-auth", "UserPoolTier": "ESSENTIALS",
               "Policies": {"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"]}}}),
    )
    .await?;
    let client_id = create_client(
        api,
        json!({"UserPoolId": pool_id, "ClientName": "bench-user-auth",
               "ExplicitAuthFlows": ["ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
    )
    .await?;
    for i in 0..OTP_USERS {
        create_user(
            api,
            &pool_id,
            &format!("otp{i}"),
            &[("email", &otp_email(i)), ("email_verified", "true")],
        )
        .await?;
    }
    let rotating_username = "rotating-user".to_owned();
    create_user(api, &pool_id, &rotating_username, &[]).await?;
    let rotating_client_id = create_client(
        api,
        json!({"UserPoolId": pool_id, "ClientName": "bench-rotating",
               "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH"],
               "RefreshTokenRotation": {"Feature": "ENABLED", "RetryGracePeriodSeconds": 0}}),
    )
    .await?;
    Ok(UserAuthSetup {
        pool_id,
        client_id,
        rotating_client_id,
        rotating_username,
        data_dir: data_dir.to_owned(),
        federation: setup_federation(api).await?,
    })
}

/// The upstream pool (a user, a confidential code client whose callback
/// is the federated pool's `/oauth2/idpresponse`), the federated pool with
/// the OIDC provider "Upstream", and the app's client of it.
async fn setup_federation(api: &Api) -> anyhow::Result<FederationSetup> {
    let base = api.base().trim_end_matches('/').to_owned();
    let upstream_pool_id = create_pool(api, json!({"PoolName": "bench-upstream"})).await?;
    let pool_id = create_pool(api, json!({"PoolName": "bench-federated"})).await?;
    let up = api
        .ok(
            "CreateUserPoolClient",
            &json!({"UserPoolId": upstream_pool_id, "ClientName": "bench-upstream",
                    "GenerateSecret": true, "AllowedOAuthFlows": ["code"],
                    "AllowedOAuthScopes": ["openid", "email"],
                    "AllowedOAuthFlowsUserPoolClient": true,
                    "CallbackURLs": [format!("{base}/{pool_id}/oauth2/idpresponse")]}),
            true,
        )
        .await?;
    let upstream_username = "fed-user".to_owned();
    create_user(
        api,
        &upstream_pool_id,
        &upstream_username,
        &[
            ("email", "fed-user@bench.example"),
            ("email_verified", "true"),
        ],
    )
    .await?;
    let field = |name: &str| up["UserPoolClient"][name].as_str().unwrap_or_default();
    api.ok(
        "CreateIdentityProvider",
        &json!({"UserPoolId": pool_id, "ProviderName": "Upstream", "ProviderType": "OIDC",
                "ProviderDetails": {"client_id": field("ClientId"), "client_secret": field("ClientSecret"),
                    "oidc_issuer": format!("{base}/{upstream_pool_id}"),
                    "authorize_scopes": "openid email", "attributes_request_method": "GET"},
                "AttributeMapping": {"email": "email"}}),
        true,
    )
    .await?;
    let client_id = create_client(
        api,
        json!({"UserPoolId": pool_id, "ClientName": "bench-app",
               "SupportedIdentityProviders": ["Upstream"], "AllowedOAuthFlows": ["code"],
               "AllowedOAuthScopes": ["openid", "email"], "AllowedOAuthFlowsUserPoolClient": true,
               "CallbackURLs": [CALLBACK]}),
    )
    .await?;
    Ok(FederationSetup {
        upstream_pool_id,
        upstream_username,
        pool_id,
        client_id,
    })
}

async fn create_pool(api: &Api, body: serde_json::Value) -> anyhow::Result<String> {
    let pool = api.ok("CreateUserPool", &body, true).await?;
    Ok(pool["UserPool"]["Id"]
        .as_str()
        .context("CreateUserPool answered no Id")?
        .to_owned())
}

async fn create_client(api: &Api, body: serde_json::Value) -> anyhow::Result<String> {
    let client = api.ok("CreateUserPoolClient", &body, true).await?;
    Ok(client["UserPoolClient"]["ClientId"]
        .as_str()
        .context("CreateUserPoolClient answered no ClientId")?
        .to_owned())
}

fn otp_email(i: usize) -> String {
    format!("otp{i}@bench.example")
}

/// The server's outbox, read from its SQLite file.
pub struct Outbox {
    store: SqliteStore,
    key: MasterKey,
}

impl Outbox {
    pub async fn open(data_dir: &Path) -> anyhow::Result<Self> {
        let (key, store) = crate::seed::open_data_dir(data_dir).await?;
        Ok(Self { store, key })
    }

    /// The eight-digit code of the newest message to `to` in `pool_id`.
    async fn code_for(&self, pool_id: &str, to: &str) -> anyhow::Result<Option<String>> {
        let messages = read_outbox(&self.store, &self.key, Some(pool_id), 4 * OTP_USERS)
            .await
            .map_err(|e| anyhow::anyhow!("cannot read the outbox: {}", e.message()))?;
        Ok(messages.iter().find(|m| m.destination == to).and_then(|m| {
            m.body
                .split(|c: char| !c.is_ascii_digit())
                .find(|w| w.len() == 8)
                .map(str::to_owned)
        }))
    }
}

/// What one connection keeps between its requests.
#[derive(Default)]
pub struct Worker {
    pub index: usize,
    /// The newest refresh token of this connection's rotating family.
    refresh_token: Option<String>,
}

impl Worker {
    pub fn new(index: usize) -> Self {
        Self {
            index,
            refresh_token: None,
        }
    }
}

fn user_auth(setup: &crate::workloads::Setup) -> anyhow::Result<&UserAuthSetup> {
    setup
        .user_auth
        .as_ref()
        .context("setup was made without --user-auth")
}

/// How a request failed, when it did.
fn failed(step: &str, status: u16, body: &serde_json::Value) -> Option<String> {
    (status != 200).then(|| format!("{step}: {status} {}", body["__type"].as_str().unwrap_or("")))
}

/// InitiateAuth USER_AUTH with PREFERRED_CHALLENGE EMAIL_OTP, the code read
/// from the outbox, then RespondToAuthChallenge EMAIL_OTP: tokens.
pub async fn email_otp_sign_in(
    api: &Api,
    setup: &crate::workloads::Setup,
    outbox: Option<&Outbox>,
    worker: &Worker,
) -> anyhow::Result<Option<String>> {
    let u = user_auth(setup)?;
    let outbox = outbox.context("no outbox to read codes from")?;
    let i = worker.index % OTP_USERS;
    let username = format!("otp{i}");
    let (status, out) = api
        .call(
            "InitiateAuth",
            &json!({"ClientId": u.client_id, "AuthFlow": "USER_AUTH",
                    "AuthParameters": {"USERNAME": username, "PREFERRED_CHALLENGE": "EMAIL_OTP"}}),
            false,
        )
        .await?;
    if let Some(f) = failed("InitiateAuth", status, &out) {
        return Ok(Some(f));
    }
    let Some(code) = outbox.code_for(&u.pool_id, &otp_email(i)).await? else {
        return Ok(Some("no code in the outbox".into()));
    };
    let (status, body) = api
        .call(
            "RespondToAuthChallenge",
            &json!({"ClientId": u.client_id, "ChallengeName": "EMAIL_OTP",
                    "Session": out["Session"],
                    "ChallengeResponses": {"USERNAME": username, "EMAIL_OTP_CODE": code}}),
            false,
        )
        .await?;
    if let Some(f) = failed("RespondToAuthChallenge", status, &body) {
        return Ok(Some(f));
    }
    Ok(body["AuthenticationResult"]["AccessToken"]
        .is_null()
        .then(|| "no tokens after the code".to_owned()))
}

/// GetTokensFromRefreshToken on a rotating client: each call answers a
/// new refresh token, which this connection uses next (the first comes
/// from a sign-in, made before the round is timed: see [`prepare`]).
pub async fn rotating_refresh(
    api: &Api,
    setup: &crate::workloads::Setup,
    worker: &mut Worker,
) -> anyhow::Result<Option<String>> {
    let u = user_auth(setup)?;
    if worker.refresh_token.is_none() {
        prepare(api, setup, worker).await?;
    }
    let token = worker.refresh_token.take().unwrap_or_default();
    let (status, body) = api
        .call(
            "GetTokensFromRefreshToken",
            &json!({"ClientId": u.rotating_client_id, "RefreshToken": token}),
            false,
        )
        .await?;
    if let Some(f) = failed("GetTokensFromRefreshToken", status, &body) {
        return Ok(Some(f));
    }
    let result = &body["AuthenticationResult"];
    worker.refresh_token = result["RefreshToken"].as_str().map(str::to_owned);
    Ok(worker
        .refresh_token
        .is_none()
        .then(|| "no new refresh token (is rotation on?)".to_owned()))
}

/// A connection's first refresh token of the rotating client.
pub async fn prepare(
    api: &Api,
    setup: &crate::workloads::Setup,
    worker: &mut Worker,
) -> anyhow::Result<()> {
    let u = user_auth(setup)?;
    let out = api
        .ok(
            "InitiateAuth",
            &json!({"ClientId": u.rotating_client_id, "AuthFlow": "USER_PASSWORD_AUTH",
                    "AuthParameters": {"USERNAME": u.rotating_username, "PASSWORD": PASSWORD}}),
            false,
        )
        .await?;
    worker.refresh_token = out["AuthenticationResult"]["RefreshToken"]
        .as_str()
        .map(str::to_owned);
    Ok(())
}

/// A browser's federated sign-in, new cookies each time: `/oauth2/authorize`
/// with `identity_provider=Upstream` → the upstream pool's sign-in page →
/// its form posted → `/oauth2/idpresponse` (the server exchanges the
/// upstream's code and checks its ID token against its JWKS) → the app's
/// code, exchanged at `/oauth2/token` with PKCE.
pub async fn federated_sign_in(
    api: &Api,
    setup: &crate::workloads::Setup,
) -> anyhow::Result<Option<String>> {
    let f = &user_auth(setup)?.federation;
    let base = api.base().trim_end_matches('/');
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let challenge = B64URL.encode(aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        VERIFIER.as_bytes(),
    ));
    let authorize = format!(
        "{base}/{}/oauth2/authorize?response_type=code&client_id={}&redirect_uri={CALLBACK}&scope=openid&state=bench&identity_provider=Upstream&code_challenge={challenge}&code_challenge_method=S256",
        f.pool_id, f.client_id
    );
    let r = browser.get(&authorize).send().await?;
    let Some(upstream) = location(&r) else {
        return Ok(Some(format!(
            "authorize: {} without a redirect",
            r.status()
        )));
    };
    let r = browser.get(&upstream).send().await?;
    if r.status() != 200 {
        return Ok(Some(format!("upstream sign-in page: {}", r.status())));
    }
    let page = r.text().await?;
    let (Some(csrf), Some(flow)) = (hidden(&page, "csrf"), hidden(&page, "flow")) else {
        return Ok(Some("upstream sign-in page without its form".into()));
    };
    let r = browser
        .post(format!("{base}/{}/login", f.upstream_pool_id))
        .form(&[
            ("csrf", csrf.as_str()),
            ("flow", flow.as_str()),
            ("username", f.upstream_username.as_str()),
            ("password", PASSWORD),
        ])
        .send()
        .await?;
    let Some(idpresponse) = location(&r) else {
        return Ok(Some(format!("upstream sign-in: {}", r.status())));
    };
    let r = browser.get(&idpresponse).send().await?;
    let Some(code) = location(&r).and_then(|to| {
        reqwest::Url::parse(&to).ok().and_then(|u| {
            u.query_pairs()
                .find(|(k, _)| k == "code")
                .map(|(_, v)| v.into_owned())
        })
    }) else {
        return Ok(Some(format!("idpresponse: {} without a code", r.status())));
    };
    let r = browser
        .post(format!("{base}/{}/oauth2/token", f.pool_id))
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", f.client_id.as_str()),
            ("code", code.as_str()),
            ("redirect_uri", CALLBACK),
            ("code_verifier", VERIFIER),
        ])
        .send()
        .await?;
    let status = r.status();
    let _ = r.bytes().await?;
    Ok((status != 200).then(|| format!("token: {status}")))
}

fn location(r: &reqwest::Response) -> Option<String> {
    r.headers()
        .get(reqwest::header::LOCATION)?
        .to_str()
        .ok()
        .map(str::to_owned)
}

/// The value of the hidden field `name` in a page.
fn hidden(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\""))?;
    let start = html[..at].rfind('<')?;
    let end = at + html[at..].find('>')?;
    let v = html[start..end].split("value=\"").nth(1)?;
    Some(v[..v.find('"')?].replace("&amp;", "&"))
}
