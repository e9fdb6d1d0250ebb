//! A real Lambda Invoke API peer for the trigger tests: a small axum
//! server on a random port speaks `POST /2015-03-31/functions/{name}/
//! invocations`, checks the SigV4 signature of every call (recomputed with
//! AWS's own signer), records the events, and answers as the named function
//! would. Also the webhook form, its signature checked. Tests define their
//! own functions with [`Peer::define`]; a few common ones are built in.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use super::users::{PASSWORD, attr};
use super::{Backend, TestServer, error_name};
use aws_lc_rs::hmac;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};

pub const KEY_ID: &str = "AKIALAMBDATESTKEY001";
pub const SECRET: &str = "lambda-test-secret-access-key";
pub const HOOK_SECRET: &str = "a-webhook-secret-of-32-characters-or-more";

pub fn arn(name: &str) -> String {
    format!("arn:aws:lambda:us-east-1:123456789012:function:{name}")
}

/// One call the peer received.
#[derive(Clone, Debug)]
pub struct Call {
    pub function: String,
    pub event: Value,
    /// The SigV4 signature (Invoke API) or HMAC (webhook) checked out.
    pub signed: bool,
}

/// A function a test defines: the event in, the answer out.
pub type Function = Arc<dyn Fn(Value) -> Response + Send + Sync>;

#[derive(Default)]
pub struct Peer {
    calls: Mutex<Vec<Call>>,
    /// Calls of "throttled-once" so far.
    throttled: Mutex<u32>,
    functions: Mutex<HashMap<String, Function>>,
}

impl Peer {
    pub fn calls(&self) -> Vec<Call> {
        self.calls.lock().unwrap().clone()
    }

    /// The events the function `name` received, in order.
    pub fn events_of(&self, name: &str) -> Vec<Value> {
        self.calls()
            .into_iter()
            .filter(|c| c.function == name)
            .map(|c| c.event)
            .collect()
    }

    /// Defines the function `name`: `f` maps the event to the event it
    /// returns (typically with `response` filled in).
    pub fn define(&self, name: &str, f: impl Fn(Value) -> Value + Send + Sync + 'static) {
        self.define_raw(name, move |event| {
            (StatusCode::OK, axum::Json(f(event))).into_response()
        });
    }

    /// Defines the function `name` by the whole HTTP answer it gives.
    pub fn define_raw(&self, name: &str, f: impl Fn(Value) -> Response + Send + Sync + 'static) {
        self.functions
            .lock()
            .unwrap()
            .insert(name.to_owned(), Arc::new(f));
    }
}

/// The answer of a function that threw `message` (`X-Amz-Function-Error`).
pub fn function_error(message: &str) -> Response {
    (
        StatusCode::OK,
        [("x-amz-function-error", "Unhandled")],
        axum::Json(json!({"errorType": "Error", "errorMessage": message})),
    )
        .into_response()
}

/// What the function named `name` answers to `event`.
async fn run(peer: &Peer, name: &str, mut event: Value) -> Response {
    let defined = peer.functions.lock().unwrap().get(name).cloned();
    if let Some(f) = defined {
        return f(event);
    }
    let ok = |event: Value| (StatusCode::OK, axum::Json(event)).into_response();
    match name {
        "confirm" => {
            event["response"]["autoConfirmUser"] = json!(true);
            event["response"]["autoVerifyEmail"] = json!(true);
            ok(event)
        }
        "echo" => ok(event),
        "reject" => function_error("Email domain not allowed"),
        "garbage" => (StatusCode::OK, "this is not an event").into_response(),
        "huge" => (StatusCode::OK, "x".repeat(7 * 1024 * 1024)).into_response(),
        "slow" => {
            tokio::time::sleep(Duration::from_secs(6)).await;
            ok(event)
        }
        "throttled-once" => {
            let mut n = peer.throttled.lock().unwrap();
            *n += 1;
            if *n == 1 {
                return (
                    StatusCode::TOO_MANY_REQUESTS,
                    [("x-amzn-errortype", "TooManyRequestsException")],
                    "{}",
                )
                    .into_response();
            }
            ok(event)
        }
        _ => (
            StatusCode::NOT_FOUND,
            [("x-amzn-errortype", "ResourceNotFoundException")],
            "{}",
        )
            .into_response(),
    }
}

/// The Authorization header's signature, and whether recomputing it over
/// the request with AWS's signer gives the same.
fn sigv4_ok(headers: &HeaderMap, path: &str, body: &[u8]) -> bool {
    use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
    use aws_sigv4::sign::v4;
    let header = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or("");
    let auth = header("authorization");
    let Some(given) = auth.split("Signature=").nth(1) else {
        return false;
    };
    if !auth.contains(&format!("Credential={KEY_ID}/")) || !auth.contains("/us-east-1/lambda/") {
        return false;
    }
    let Ok(time) = chrono_free_parse(header("x-amz-date")) else {
        return false;
    };
    let identity =
        aws_credential_types::Credentials::new(KEY_ID, SECRET, None, None, "test").into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name("lambda")
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .unwrap()
        .into();
    let host = header("host");
    let signed = [
        ("host", host),
        ("content-type", header("content-type")),
        ("x-amz-invocation-type", header("x-amz-invocation-type")),
    ];
    let url = format!("http://{host}{path}");
    let request =
        SignableRequest::new("POST", &url, signed.into_iter(), SignableBody::Bytes(body)).unwrap();
    let (instructions, _) = sign(request, &params).unwrap().into_parts();
    instructions
        .headers()
        .find(|(n, _)| n.eq_ignore_ascii_case("authorization"))
        .and_then(|(_, v)| v.split("Signature=").nth(1).map(str::to_owned))
        .is_some_and(|s| s == given)
}

/// `20261204T193000Z` as a time.
fn chrono_free_parse(s: &str) -> Result<SystemTime, ()> {
    if s.len() != 16 {
        return Err(());
    }
    let n = |r: std::ops::Range<usize>| s.get(r).and_then(|p| p.parse::<i64>().ok()).ok_or(());
    let (y, mo, d) = (n(0..4)?, n(4..6)?, n(6..8)?);
    let (h, mi, se) = (n(9..11)?, n(11..13)?, n(13..15)?);
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if mo <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (mo + if mo > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let secs = days * 86_400 + h * 3600 + mi * 60 + se;
    Ok(SystemTime::UNIX_EPOCH + Duration::from_secs(secs as u64))
}

async fn invoke(
    State(peer): State<Arc<Peer>>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = format!("/2015-03-31/functions/{name}/invocations");
    let signed = headers
        .get("x-amz-invocation-type")
        .and_then(|v| v.to_str().ok())
        == Some("RequestResponse")
        && sigv4_ok(&headers, &path, &body);
    let event: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    peer.calls.lock().unwrap().push(Call {
        function: name.clone(),
        event: event.clone(),
        signed,
    });
    run(&peer, &name, event).await
}

async fn webhook(
    State(peer): State<Arc<Peer>>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let signature = headers
        .get("x-cognate-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let signed = signature
        .split_once(",v1=")
        .and_then(|(t, mac)| Some((t.strip_prefix("t=")?, mac)))
        .is_some_and(|(t, mac)| {
            let key = hmac::Key::new(hmac::HMAC_SHA256, HOOK_SECRET.as_bytes());
            let mut ctx = hmac::Context::with_key(&key);
            ctx.update(t.as_bytes());
            ctx.update(b".");
            ctx.update(&body);
            hex::encode(ctx.sign()) == mac
        });
    let event: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    peer.calls.lock().unwrap().push(Call {
        function: name.clone(),
        event: event.clone(),
        signed,
    });
    if name == "reject" {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"errorMessage": "Not on the list"})),
        )
            .into_response();
    }
    run(&peer, &name, event).await
}

/// The peer on a random port.
pub async fn start_peer() -> (Arc<Peer>, SocketAddr) {
    let peer = Arc::new(Peer::default());
    let app = axum::Router::new()
        .route("/2015-03-31/functions/{name}/invocations", post(invoke))
        .route("/hook/{name}", post(webhook))
        .with_state(peer.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (peer, addr)
}

/// A Cognate whose functions run at the peer.
pub async fn server_with_peer() -> (TestServer, Arc<Peer>, SocketAddr) {
    let (peer, addr) = start_peer().await;
    let s = TestServer::start_with(Backend::Sqlite, |c| {
        c.lambda_endpoint = Some(format!("http://{addr}"));
        c.lambda_access_key_id = Some(KEY_ID.into());
        c.lambda_secret_access_key = Some(cognate::config::Secret::new(SECRET));
        c.lambda_webhooks = Some(format!(
            "{}=http://{addr}/hook/confirm {}=http://{addr}/hook/reject",
            arn("hooked-confirm"),
            arn("hooked-reject")
        ));
        c.lambda_webhook_secret = Some(cognate::config::Secret::new(HOOK_SECRET));
    })
    .await
    .unwrap();
    (s, peer, addr)
}

/// A pool auto-verifying email whose LambdaConfig is `config` (JSON, as
/// the wire carries it), and a client.
pub async fn pool_with(s: &TestServer, config: Value) -> (String, String) {
    let pool_id = create_pool(s, config).await.expect("create pool");
    let (client_id, _) = s.client(&pool_id, false, false).await;
    (pool_id, client_id)
}

/// CreateUserPool with `config` as its LambdaConfig, through the SDK.
pub async fn create_pool(s: &TestServer, config: Value) -> Result<String, String> {
    use aws_sdk_cognitoidentityprovider::types::*;
    let text = |k: &str| config.get(k).and_then(Value::as_str).map(str::to_owned);
    let versioned = |k: &str| {
        config.get(k).map(|v| {
            (
                v["LambdaVersion"].as_str().unwrap().to_owned(),
                v["LambdaArn"].as_str().unwrap().to_owned(),
            )
        })
    };
    let mut lambda = LambdaConfigType::builder()
        .set_pre_sign_up(text("PreSignUp"))
        .set_custom_message(text("CustomMessage"))
        .set_post_confirmation(text("PostConfirmation"))
        .set_pre_authentication(text("PreAuthentication"))
        .set_post_authentication(text("PostAuthentication"))
        .set_define_auth_challenge(text("DefineAuthChallenge"))
        .set_create_auth_challenge(text("CreateAuthChallenge"))
        .set_verify_auth_challenge_response(text("VerifyAuthChallengeResponse"))
        .set_pre_token_generation(text("PreTokenGeneration"))
        .set_user_migration(text("UserMigration"))
        .set_kms_key_id(text("KMSKeyID"));
    if let Some((v, a)) = versioned("PreTokenGenerationConfig") {
        lambda = lambda.pre_token_generation_config(
            PreTokenGenerationVersionConfigType::builder()
                .lambda_version(PreTokenGenerationLambdaVersionType::from(v.as_str()))
                .lambda_arn(a)
                .build()
                .unwrap(),
        );
    }
    if let Some((v, a)) = versioned("CustomSMSSender") {
        lambda = lambda.custom_sms_sender(
            CustomSmsLambdaVersionConfigType::builder()
                .lambda_version(CustomSmsSenderLambdaVersionType::from(v.as_str()))
                .lambda_arn(a)
                .build()
                .unwrap(),
        );
    }
    if let Some((v, a)) = versioned("CustomEmailSender") {
        lambda = lambda.custom_email_sender(
            CustomEmailLambdaVersionConfigType::builder()
                .lambda_version(CustomEmailSenderLambdaVersionType::from(v.as_str()))
                .lambda_arn(a)
                .build()
                .unwrap(),
        );
    }
    s.admin()
        .create_user_pool()
        .pool_name("triggers")
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .lambda_config(lambda.build())
        .send()
        .await
        .map(|o| o.user_pool().and_then(|p| p.id()).unwrap().to_owned())
        .map_err(|e| error_name(&e))
}

pub async fn sign_up(
    s: &TestServer,
    client_id: &str,
    name: &str,
) -> Result<bool, (String, String)> {
    s.public()
        .sign_up()
        .client_id(client_id)
        .username(name)
        .password(PASSWORD)
        .user_attributes(attr("email", &format!("{name}@example.com")))
        .validation_data(attr("invite", "abc"))
        .client_metadata("source", "test")
        .send()
        .await
        .map(|o| o.user_confirmed())
        .map_err(|e| {
            let message = e
                .as_service_error()
                .and_then(|s| {
                    aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata::message(s)
                })
                .unwrap_or("")
                .to_owned();
            (error_name(&e), message)
        })
}
