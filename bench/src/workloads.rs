//! The workloads, the same for every server, and the measuring loop:
//! warm-up, then several measured rounds; medians and spread.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::client::{Api, IDENTITY_POOLS};
use crate::modern::{self, Outbox, Worker};

pub const PASSWORD: &str = "Bench-Passw0rd!";

#[derive(Clone, Copy, Debug, clap::ValueEnum, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Workload {
    /// InitiateAuth REFRESH_TOKEN_AUTH: two RS256 signatures.
    Refresh,
    /// AdminInitiateAuth ADMIN_USER_PASSWORD_AUTH: a password check and two signatures.
    PasswordSignIn,
    /// GetUser with an access token: a verification and a read.
    GetUser,
    /// SignUp then AdminConfirmSignUp: writes.
    SignUpConfirm,
    /// AdminCreateUser with a suppressed invitation: a write and a verifier.
    AdminCreateUser,
    /// ListUsers with an `email ^= "…"` filter.
    ListUsersPrefix,
    /// GET of the pool's JWKS document.
    Jwks,
    /// GET of the hosted UI's sign-in page (`/oauth2/authorize`): checks, a
    /// new browser session and a server-rendered page.
    HostedSignInPage,
    /// POST `/oauth2/token` with the refresh_token grant.
    TokenRefresh,
    /// InitiateAuth USER_SRP_AUTH then RespondToAuthChallenge
    /// PASSWORD_VERIFIER (the load generator computes the client's SRP too).
    SrpSignIn,
    /// AdminInitiateAuth ADMIN_USER_PASSWORD_AUTH in a pool whose
    /// PreTokenGeneration V2_0 function runs at the local Invoke server:
    /// `password-sign-in` plus one invocation.
    PasswordSignInPreToken,
    /// The identity-pool snippet: GetId with the user's ID token, then
    /// GetCredentialsForIdentity (an OpenID token signed and credentials
    /// minted by the built-in STS).
    IdentityCredentials,
    /// USER_AUTH with an emailed code: InitiateAuth (PREFERRED_CHALLENGE
    /// EMAIL_OTP, a code written to the outbox), the code read from the
    /// outbox, RespondToAuthChallenge EMAIL_OTP (see `modern.rs`).
    EmailOtpSignIn,
    /// GetTokensFromRefreshToken on a client with RefreshTokenRotation:
    /// two signatures and the family's row rewritten.
    RotatingRefresh,
    /// A federated sign-in through the hosted UI, a second pool of the
    /// same server as the upstream OpenID provider: five requests of a
    /// browser, the server's code exchange and ID-token check upstream,
    /// and the app's token request.
    FederatedSignIn,
}

/// The redirect URI of the bench client (never visited).
const CALLBACK: &str = "https://bench.example/callback";

#[derive(Debug, Serialize, Deserialize)]
pub struct Setup {
    pub pool_id: String,
    pub client_id: String,
    pub username: String,
    pub refresh_token: String,
    pub access_token: String,
    pub seeded_users: usize,
    pub seed_seconds: f64,
    /// The pool and client of the PreTokenGeneration workload.
    #[serde(default)]
    pub pre_token: Option<PreTokenSetup>,
    /// The identity pool of the identity-credentials workload; None when
    /// the server has no identity-pool API.
    #[serde(default)]
    pub identity: Option<IdentitySetup>,
    /// The pools of the EMAIL_OTP, rotating-refresh and federated
    /// workloads (`setup --user-auth`, Cognate only).
    #[serde(default)]
    pub user_auth: Option<crate::modern::UserAuthSetup>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct IdentitySetup {
    pub identity_pool_id: String,
    pub login_key: String,
    pub id_token: String,
}

/// An identity pool trusting the bench client, its authenticated role set.
async fn setup_identity(
    api: &Api,
    pool_id: &str,
    client_id: &str,
    id_token: &str,
) -> anyhow::Result<IdentitySetup> {
    let login_key = format!(
        "cognito-idp.{}.amazonaws.com/{pool_id}",
        pool_id.split('_').next().unwrap_or("us-east-1")
    );
    let created = api
        .ok_service(
            IDENTITY_POOLS,
            "CreateIdentityPool",
            &json!({"IdentityPoolName": "bench", "AllowUnauthenticatedIdentities": false,
                    "CognitoIdentityProviders": [{"ProviderName": login_key, "ClientId": client_id}]}),
            true,
        )
        .await?;
    let identity_pool_id = created["IdentityPoolId"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    api.ok_service(
        IDENTITY_POOLS,
        "SetIdentityPoolRoles",
        &json!({"IdentityPoolId": identity_pool_id,
                "Roles": {"authenticated": "arn:aws:iam::123456789012:role/BenchUsers"}}),
        true,
    )
    .await?;
    Ok(IdentitySetup {
        identity_pool_id,
        login_key,
        id_token: id_token.to_owned(),
    })
}

#[derive(Debug, Serialize, Deserialize)]
pub struct PreTokenSetup {
    pub pool_id: String,
    pub client_id: String,
}

/// A pool whose PreTokenGeneration V2_0 function is the local Invoke
/// server's, with a client and the bench user.
pub async fn setup_pre_token(api: &Api) -> anyhow::Result<PreTokenSetup> {
    let pool = api
        .ok(
            "CreateUserPool",
            &json!({"PoolName": "bench-pre-token",
                    "LambdaConfig": {"PreTokenGenerationConfig": {
                        "LambdaVersion": "V2_0", "LambdaArn": crate::lambda::FUNCTION_ARN}}}),
            true,
        )
        .await?;
    let pool_id = pool["UserPool"]["Id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let client = api
        .ok(
            "CreateUserPoolClient",
            &json!({"UserPoolId": pool_id, "ClientName": "bench",
                    "ExplicitAuthFlows": ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
            true,
        )
        .await?;
    let client_id = client["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    create_user(api, &pool_id, "bench-user", &[]).await?;
    // The workload measures an invocation only if the function really runs.
    let auth = api
        .ok(
            "AdminInitiateAuth",
            &json!({"UserPoolId": pool_id, "ClientId": client_id, "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
                    "AuthParameters": {"USERNAME": "bench-user", "PASSWORD": PASSWORD}}),
            true,
        )
        .await?;
    let token = auth["AuthenticationResult"]["AccessToken"]
        .as_str()
        .unwrap_or_default();
    let payload = token.split('.').nth(1).unwrap_or_default();
    let claims: serde_json::Value = serde_json::from_slice(&base64::Engine::decode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        payload,
    )?)?;
    anyhow::ensure!(
        claims["scope"]
            .as_str()
            .is_some_and(|s| s.contains("bench/read")),
        "the PreTokenGeneration function did not run: is the server's lambda_endpoint the local Invoke server?"
    );
    Ok(PreTokenSetup { pool_id, client_id })
}

pub async fn setup(api: &Api, users: usize) -> anyhow::Result<Setup> {
    let pool = api
        .ok(
            "CreateUserPool",
            &json!({"PoolName": "bench", "UsernameConfiguration": {"CaseSensitive": false}}),
            true,
        )
        .await?;
    let pool_id = pool["UserPool"]["Id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let client = api
        .ok(
            "CreateUserPoolClient",
            &json!({
                "UserPoolId": pool_id,
                "ClientName": "bench",
                "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"],
                "AllowedOAuthFlows": ["code"],
                "AllowedOAuthScopes": ["openid", "email"],
                "AllowedOAuthFlowsUserPoolClient": true,
                "CallbackURLs": [CALLBACK],
            }),
            true,
        )
        .await?;
    let client_id = client["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let username = "bench-user".to_owned();
    create_user(
        api,
        &pool_id,
        &username,
        &[("email", "bench-user@bench.example")],
    )
    .await?;
    let auth = api
        .ok(
            "InitiateAuth",
            &json!({"ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH",
                    "AuthParameters": {"USERNAME": username, "PASSWORD": PASSWORD}}),
            false,
        )
        .await?;
    let result = &auth["AuthenticationResult"];
    let identity = setup_identity(
        api,
        &pool_id,
        &client_id,
        result["IdToken"].as_str().unwrap_or_default(),
    )
    .await
    .inspect_err(|e| eprintln!("no identity pool (identity-credentials is skipped): {e:#}"))
    .ok();
    let started = Instant::now();
    seed(api, &pool_id, users).await?;
    Ok(Setup {
        refresh_token: result["RefreshToken"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        access_token: result["AccessToken"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        pool_id,
        client_id,
        username,
        seeded_users: users,
        seed_seconds: started.elapsed().as_secs_f64(),
        pre_token: None,
        identity,
        user_auth: None,
    })
}

/// AdminCreateUser (no message) with `attributes`, then the bench's
/// password, permanent.
pub async fn create_user(
    api: &Api,
    pool_id: &str,
    username: &str,
    attributes: &[(&str, &str)],
) -> anyhow::Result<()> {
    let attributes: Vec<_> = attributes
        .iter()
        .map(|(n, v)| json!({"Name": n, "Value": v}))
        .collect();
    api.ok(
        "AdminCreateUser",
        &json!({"UserPoolId": pool_id, "Username": username, "MessageAction": "SUPPRESS",
                "UserAttributes": attributes}),
        true,
    )
    .await?;
    api.ok(
        "AdminSetUserPassword",
        &json!({"UserPoolId": pool_id, "Username": username, "Password": PASSWORD, "Permanent": true}),
        true,
    )
    .await?;
    Ok(())
}

/// Creates `users` users `user{i}@bench.example` with 8 connections.
async fn seed(api: &Api, pool_id: &str, users: usize) -> anyhow::Result<()> {
    let next = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (api, next, pool_id) = (api.with_connection(), next.clone(), pool_id.to_owned());
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= users as u64 {
                    return anyhow::Ok(());
                }
                api.ok(
                    "AdminCreateUser",
                    &json!({"UserPoolId": pool_id, "Username": format!("user{i}"), "MessageAction": "SUPPRESS",
                            "TemporaryPassword": PASSWORD,
                            "UserAttributes": [{"Name": "email", "Value": format!("user{i}@bench.example")}]}),
                    true,
                )
                .await?;
            }
        }));
    }
    for t in tasks {
        t.await??;
    }
    Ok(())
}

#[derive(Debug, Serialize)]
pub struct Round {
    pub requests: u64,
    /// Requests still unanswered a second after the round's end, dropped.
    pub unfinished: u64,
    pub errors: u64,
    pub rps: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

#[derive(Debug, Serialize)]
pub struct Outcome {
    pub workload: Workload,
    pub connections: usize,
    pub rounds: Vec<Round>,
    pub median_rps: f64,
    pub median_p50_ms: f64,
    pub median_p99_ms: f64,
    /// Smallest and largest round, as the spread.
    pub min_rps: f64,
    pub max_rps: f64,
    pub cpu_seconds_per_1000: Option<f64>,
    pub peak_rss_mib: Option<f64>,
    /// Set when the probe request showed that the server lacks the
    /// workload: what it answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_supported: Option<String>,
}

/// Whether a probe's error says the server lacks the operation or flow
/// (rather than a fault in one it has).
fn means_unsupported(error: &str) -> bool {
    let e = error.to_ascii_lowercase();
    e.starts_with("404")
        || e.starts_with("405")
        || e.starts_with("501")
        || [
            "unknownoperation",
            "unsupported",
            "not supported",
            "not implemented",
            "notimplemented",
            "unknown action",
            "unknown operation",
            "invalid auth flow",
        ]
        .iter()
        .any(|s| e.contains(s))
}

/// How a request failed, for the report: status, error name and message.
fn failure(status: u16, body: &serde_json::Value) -> Option<String> {
    if status == 200 {
        return None;
    }
    let name = body["__type"].as_str().unwrap_or_default();
    let message = body["message"]
        .as_str()
        .or(body["Message"].as_str())
        .unwrap_or_default();
    Some(format!("{status} {name} {message}").trim().to_owned())
}

/// One request of a workload; `n` makes names unique where needed. `None`
/// when it succeeded, else what went wrong.
async fn once(
    api: &Api,
    setup: &Setup,
    workload: Workload,
    n: u64,
    tag: &str,
    worker: &mut Worker,
    outbox: Option<&Outbox>,
) -> anyhow::Result<Option<String>> {
    let (action, body, signed) = match workload {
        Workload::EmailOtpSignIn => {
            return modern::email_otp_sign_in(api, setup, outbox, worker).await;
        }
        Workload::RotatingRefresh => return modern::rotating_refresh(api, setup, worker).await,
        Workload::FederatedSignIn => return modern::federated_sign_in(api, setup).await,
        Workload::Refresh => (
            "InitiateAuth",
            json!({"ClientId": setup.client_id, "AuthFlow": "REFRESH_TOKEN_AUTH",
                   "AuthParameters": {"REFRESH_TOKEN": setup.refresh_token}}),
            false,
        ),
        Workload::PasswordSignIn => (
            "AdminInitiateAuth",
            json!({"UserPoolId": setup.pool_id, "ClientId": setup.client_id, "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
                   "AuthParameters": {"USERNAME": setup.username, "PASSWORD": PASSWORD}}),
            true,
        ),
        Workload::PasswordSignInPreToken => {
            let p = setup
                .pre_token
                .as_ref()
                .ok_or_else(|| anyhow::anyhow!("setup was made without --pre-token"))?;
            (
                "AdminInitiateAuth",
                json!({"UserPoolId": p.pool_id, "ClientId": p.client_id, "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
                       "AuthParameters": {"USERNAME": setup.username, "PASSWORD": PASSWORD}}),
                true,
            )
        }
        Workload::GetUser => ("GetUser", json!({"AccessToken": setup.access_token}), false),
        Workload::AdminCreateUser => (
            "AdminCreateUser",
            json!({"UserPoolId": setup.pool_id, "Username": format!("new-{tag}-{n}"), "MessageAction": "SUPPRESS",
                   "TemporaryPassword": PASSWORD}),
            true,
        ),
        Workload::SignUpConfirm => {
            let username = format!("signup-{tag}-{n}");
            let (status, body) = api
                .call("SignUp", &json!({"ClientId": setup.client_id, "Username": username, "Password": PASSWORD}), false)
                .await?;
            if status != 200 {
                return Ok(failure(status, &body));
            }
            (
                "AdminConfirmSignUp",
                json!({"UserPoolId": setup.pool_id, "Username": username}),
                true,
            )
        }
        Workload::ListUsersPrefix => (
            "ListUsers",
            json!({"UserPoolId": setup.pool_id, "Filter": format!("email ^= \"user{}\"", 1000 + n % 9000), "Limit": 60}),
            true,
        ),
        Workload::HostedSignInPage => {
            let url = format!(
                "{}/{}/oauth2/authorize?response_type=code&client_id={}&redirect_uri={CALLBACK}&scope=openid&state=s{n}&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256",
                api.base().trim_end_matches('/'),
                setup.pool_id,
                setup.client_id
            );
            return Ok(failure(api.get(&url).await?, &serde_json::Value::Null));
        }
        Workload::TokenRefresh => {
            let url = format!(
                "{}/{}/oauth2/token",
                api.base().trim_end_matches('/'),
                setup.pool_id
            );
            let form = [
                ("grant_type", "refresh_token"),
                ("client_id", setup.client_id.as_str()),
                ("refresh_token", setup.refresh_token.as_str()),
            ];
            return Ok(failure(
                api.post_form(&url, &form).await?,
                &serde_json::Value::Null,
            ));
        }
        Workload::SrpSignIn => return srp_sign_in(api, setup).await,
        Workload::IdentityCredentials => return identity_credentials(api, setup).await,
        Workload::Jwks => {
            let url = format!(
                "{}/.well-known/jwks.json",
                api.base().trim_end_matches('/').to_owned() + "/" + &setup.pool_id
            );
            return Ok(failure(api.get(&url).await?, &serde_json::Value::Null));
        }
    };
    let (status, body) = api.call(action, &body, signed).await?;
    Ok(failure(status, &body))
}

/// GetId, then GetCredentialsForIdentity, with the bench user's ID token.
async fn identity_credentials(api: &Api, setup: &Setup) -> anyhow::Result<Option<String>> {
    let Some(i) = &setup.identity else {
        return Ok(Some("the identity-pool API is not supported".into()));
    };
    let logins = json!({ i.login_key.as_str(): i.id_token });
    let (status, body) = api
        .call_service(
            IDENTITY_POOLS,
            "GetId",
            &json!({"IdentityPoolId": i.identity_pool_id, "Logins": logins}),
            false,
        )
        .await?;
    if status != 200 {
        return Ok(failure(status, &body));
    }
    let (status, body) = api
        .call_service(
            IDENTITY_POOLS,
            "GetCredentialsForIdentity",
            &json!({"IdentityId": body["IdentityId"], "Logins": logins}),
            false,
        )
        .await?;
    Ok(failure(status, &body))
}

/// How long a round waits past its end for answers still in flight. A
/// server that takes longer (seconds a request, under load) has those
/// requests dropped from the round, counted as `unfinished`: a round's
/// length stays bounded whatever the server does.
const GRACE: Duration = Duration::from_secs(1);

#[allow(clippy::too_many_arguments)]
async fn round(
    api: &Api,
    setup: &Arc<Setup>,
    outbox: &Option<Arc<Outbox>>,
    workload: Workload,
    connections: usize,
    length: Duration,
    max_requests: u64,
    tag: String,
) -> Round {
    let counter = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + length;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for index in 0..connections {
        let (api, setup, counter, errors, tag, outbox) = (
            api.with_connection(),
            setup.clone(),
            counter.clone(),
            errors.clone(),
            tag.clone(),
            outbox.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut worker = Worker::new(index);
            // A rotating family's first token, before the clock runs.
            if matches!(workload, Workload::RotatingRefresh)
                && modern::prepare(&api, &setup, &mut worker).await.is_err()
            {
                errors.fetch_add(1, Ordering::Relaxed);
            }
            let mut h =
                Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).expect("histogram bounds");
            let mut unfinished = 0;
            while Instant::now() < deadline {
                let n = counter.fetch_add(1, Ordering::Relaxed);
                if n >= max_requests {
                    break;
                }
                let t = Instant::now();
                let Ok(result) = tokio::time::timeout_at(
                    (deadline + GRACE).into(),
                    once(
                        &api,
                        &setup,
                        workload,
                        n,
                        &tag,
                        &mut worker,
                        outbox.as_deref(),
                    ),
                )
                .await
                else {
                    // Still unanswered past the grace: the round is over.
                    unfinished += 1;
                    break;
                };
                let _ = h.record(t.elapsed().as_micros().max(1) as u64);
                if !matches!(result, Ok(None)) {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
            }
            (h, unfinished)
        }));
    }
    let mut all = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).expect("histogram bounds");
    let mut unfinished = 0;
    for t in tasks {
        if let Ok((h, u)) = t.await {
            let _ = all.add(h);
            unfinished += u;
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let requests = all.len();
    Round {
        requests,
        unfinished,
        errors: errors.load(Ordering::Relaxed),
        rps: requests as f64 / elapsed,
        p50_ms: all.value_at_quantile(0.50) as f64 / 1000.0,
        p99_ms: all.value_at_quantile(0.99) as f64 / 1000.0,
    }
}

/// utime + stime of a process, in seconds.
fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

fn peak_rss_mib(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

#[allow(clippy::too_many_arguments)]
pub async fn run(
    api: &Api,
    setup: &Setup,
    workload: Workload,
    connections: usize,
    warmup: Duration,
    duration: Duration,
    rounds: usize,
    max_requests: u64,
    pid: Option<u32>,
) -> anyhow::Result<Outcome> {
    let setup: Arc<Setup> = Arc::new(serde_json::from_value(serde_json::to_value(setup)?)?);
    let tag = format!("{}", std::process::id());
    let outbox = match (&setup.user_auth, workload) {
        (Some(u), Workload::EmailOtpSignIn) => Some(Arc::new(Outbox::open(&u.data_dir).await?)),
        _ => None,
    };
    // One probe first: a server that lacks the workload says so here.
    let probe = once(
        api,
        &setup,
        workload,
        0,
        &format!("{tag}p"),
        &mut Worker::new(0),
        outbox.as_deref(),
    )
    .await?;
    if let Some(error) = probe {
        anyhow::ensure!(
            means_unsupported(&error),
            "the probe request failed: {error}"
        );
        return Ok(Outcome {
            workload,
            connections,
            rounds: Vec::new(),
            median_rps: 0.0,
            median_p50_ms: 0.0,
            median_p99_ms: 0.0,
            min_rps: 0.0,
            max_rps: 0.0,
            cpu_seconds_per_1000: None,
            peak_rss_mib: None,
            not_supported: Some(error),
        });
    }
    if !warmup.is_zero() {
        round(
            api,
            &setup,
            &outbox,
            workload,
            connections,
            warmup,
            max_requests,
            format!("{tag}w"),
        )
        .await;
    }
    let cpu_before = pid.and_then(cpu_seconds);
    let mut measured = Vec::new();
    for r in 0..rounds {
        measured.push(
            round(
                api,
                &setup,
                &outbox,
                workload,
                connections,
                duration,
                max_requests,
                format!("{tag}r{r}"),
            )
            .await,
        );
    }
    let cpu_after = pid.and_then(cpu_seconds);
    let total: u64 = measured.iter().map(|r| r.requests).sum();
    let rps: Vec<f64> = measured.iter().map(|r| r.rps).collect();
    Ok(Outcome {
        workload,
        connections,
        median_rps: median(rps.clone()),
        median_p50_ms: median(measured.iter().map(|r| r.p50_ms).collect()),
        median_p99_ms: median(measured.iter().map(|r| r.p99_ms).collect()),
        min_rps: rps.iter().cloned().fold(f64::INFINITY, f64::min),
        max_rps: rps.iter().cloned().fold(0.0, f64::max),
        cpu_seconds_per_1000: match (cpu_before, cpu_after) {
            (Some(a), Some(b)) if total > 0 => Some((b - a) / total as f64 * 1000.0),
            _ => None,
        },
        peak_rss_mib: pid.and_then(peak_rss_mib),
        rounds: measured,
        not_supported: None,
    })
}

/// One SRP sign-in as amazon-cognito-identity-js does it.
async fn srp_sign_in(api: &Api, setup: &Setup) -> anyhow::Result<Option<String>> {
    use cognate_core::srp::{self, client::SrpClient};
    let c = SrpClient::new();
    let (status, out) = api
        .call(
            "InitiateAuth",
            &json!({"ClientId": setup.client_id, "AuthFlow": "USER_SRP_AUTH",
                    "AuthParameters": {"USERNAME": setup.username, "SRP_A": c.srp_a_hex()}}),
            false,
        )
        .await?;
    if status != 200 {
        return Ok(failure(status, &out));
    }
    let p = &out["ChallengeParameters"];
    let field = |name: &str| p[name].as_str().unwrap_or_default().to_owned();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_millis();
    let timestamp = srp::cognito_timestamp(cognate_core::Timestamp(i64::try_from(now)?));
    let Ok(signature) = c.password_claim_signature(
        srp::pool_name_for_srp(&setup.pool_id),
        &field("USER_ID_FOR_SRP"),
        PASSWORD,
        &field("SALT"),
        &field("SRP_B"),
        &field("SECRET_BLOCK"),
        &timestamp,
    ) else {
        return Ok(Some("the SRP challenge could not be answered".into()));
    };
    let (status, body) = api
        .call(
            "RespondToAuthChallenge",
            &json!({"ClientId": setup.client_id, "ChallengeName": "PASSWORD_VERIFIER",
                    "ChallengeResponses": {"USERNAME": field("USER_ID_FOR_SRP"),
                        "PASSWORD_CLAIM_SECRET_BLOCK": field("SECRET_BLOCK"),
                        "PASSWORD_CLAIM_SIGNATURE": signature, "TIMESTAMP": timestamp}}),
            false,
        )
        .await?;
    Ok(failure(status, &body))
}
