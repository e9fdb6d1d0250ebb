//! Lambda triggers through a real Lambda Invoke API peer: a small axum
//! server started in each test speaks `POST /2015-03-31/functions/{name}/
//! invocations`, checks the SigV4 signature of every call (recomputed with
//! AWS's own signer), records the events, and answers as the named function
//! would. Also the webhook form, its signature checked.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use crate::common::users::{PASSWORD, attr};
use crate::common::{Backend, TestServer, error_name};
use aws_lc_rs::hmac;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};

const KEY_ID: &str = "AKIALAMBDATESTKEY001";
const SECRET: &str = "lambda-test-secret-access-key";
const HOOK_SECRET: &str = "a-webhook-secret-of-32-characters-or-more";

fn arn(name: &str) -> String {
    format!("arn:aws:lambda:us-east-1:123456789012:function:{name}")
}

/// One call the peer received.
#[derive(Clone, Debug)]
struct Call {
    function: String,
    event: Value,
    /// The SigV4 signature (Invoke API) or HMAC (webhook) checked out.
    signed: bool,
}

#[derive(Default)]
struct Peer {
    calls: Mutex<Vec<Call>>,
    /// Calls of "throttled-once" so far.
    throttled: Mutex<u32>,
}

impl Peer {
    fn calls(&self) -> Vec<Call> {
        self.calls.lock().unwrap().clone()
    }
}

/// What the function named `name` answers to `event`.
async fn run(peer: &Peer, name: &str, mut event: Value) -> Response {
    let ok = |event: Value| (StatusCode::OK, axum::Json(event)).into_response();
    match name {
        "confirm" => {
            event["response"]["autoConfirmUser"] = json!(true);
            event["response"]["autoVerifyEmail"] = json!(true);
            ok(event)
        }
        "echo" => ok(event),
        "reject" => (
            StatusCode::OK,
            [("x-amz-function-error", "Unhandled")],
            axum::Json(json!({"errorType": "Error", "errorMessage": "Email domain not allowed"})),
        )
            .into_response(),
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
async fn start_peer() -> (Arc<Peer>, SocketAddr) {
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
async fn server_with_peer() -> (TestServer, Arc<Peer>, SocketAddr) {
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
async fn pool_with(s: &TestServer, config: Value) -> (String, String) {
    let pool_id = create_pool(s, config).await.expect("create pool");
    let (client_id, _) = s.client(&pool_id, false, false).await;
    (pool_id, client_id)
}

/// CreateUserPool with `config` as its LambdaConfig, through the SDK.
async fn create_pool(s: &TestServer, config: Value) -> Result<String, String> {
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
        .set_post_confirmation(text("PostConfirmation"))
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

async fn sign_up(s: &TestServer, client_id: &str, name: &str) -> Result<bool, (String, String)> {
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pre_sign_up_gets_cognitos_event_and_may_confirm_the_user() {
    let (s, peer, _) = server_with_peer().await;
    let (pool_id, client_id) = pool_with(&s, json!({ "PreSignUp": arn("confirm") })).await;
    assert_eq!(sign_up(&s, &client_id, "ann").await, Ok(true));
    // Confirmed and verified by the function: no code was sent.
    assert_eq!(s.admin_status(&pool_id, "ann").await, "CONFIRMED");
    assert_eq!(
        s.admin_attr(&pool_id, "ann", "email_verified")
            .await
            .as_deref(),
        Some("true")
    );
    assert!(s.outbox(&pool_id).await.is_empty());
    let calls = peer.calls();
    assert_eq!(calls.len(), 1);
    let call = &calls[0];
    assert_eq!(
        call.function, "confirm",
        "a local runtime is given the name"
    );
    assert!(
        call.signed,
        "SigV4 over host, content-type and the invocation type"
    );
    let e = &call.event;
    assert_eq!(e["version"], "1");
    assert_eq!(e["triggerSource"], "PreSignUp_SignUp");
    assert_eq!(e["region"], "us-east-1");
    assert_eq!(e["userPoolId"], pool_id.as_str());
    assert_eq!(e["userName"], "ann");
    assert_eq!(e["callerContext"]["clientId"], client_id.as_str());
    assert!(e["callerContext"]["awsSdkVersion"].is_string());
    assert_eq!(e["request"]["userAttributes"]["email"], "ann@example.com");
    assert_eq!(e["request"]["validationData"]["invite"], "abc");
    assert_eq!(e["request"]["clientMetadata"]["source"], "test");
    assert_eq!(
        e["response"],
        json!({"autoConfirmUser": false, "autoVerifyEmail": false, "autoVerifyPhone": false})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pre_sign_up_that_throws_leaves_no_user() {
    let (s, _, _) = server_with_peer().await;
    let (pool_id, client_id) = pool_with(&s, json!({ "PreSignUp": arn("reject") })).await;
    assert_eq!(
        sign_up(&s, &client_id, "ann").await,
        Err((
            "UserLambdaValidationException".into(),
            "PreSignUp failed with error Email domain not allowed.".into()
        ))
    );
    assert_eq!(s.user_count(&pool_id).await, 0);
    assert!(s.outbox(&pool_id).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_that_is_not_an_event_is_invalid_lambda_response() {
    let (s, _, _) = server_with_peer().await;
    for function in ["garbage", "huge"] {
        let (pool_id, client_id) = pool_with(&s, json!({ "PreSignUp": arn(function) })).await;
        assert_eq!(
            sign_up(&s, &client_id, "ann").await,
            Err((
                "InvalidLambdaResponseException".into(),
                "Unrecognizable lambda output".into()
            )),
            "{function}"
        );
        assert_eq!(s.user_count(&pool_id).await, 0);
    }
    let health = reqwest::get(format!("{}/health", s.url)).await.unwrap();
    assert!(health.status().is_success(), "the server stays healthy");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unanswered_function_is_unexpected_lambda_after_three_attempts() {
    let (s, peer, _) = server_with_peer().await;
    let (pool_id, client_id) = pool_with(&s, json!({ "PreSignUp": arn("slow") })).await;
    let (name, message) = sign_up(&s, &client_id, "ann").await.unwrap_err();
    assert_eq!(name, "UnexpectedLambdaException");
    assert_eq!(
        message,
        "PreSignUp invocation failed due to error Socket timeout while invoking Lambda function."
    );
    assert_eq!(peer.calls().len(), 3, "5 s each, three attempts");
    assert_eq!(s.user_count(&pool_id).await, 0);
    // A function the endpoint does not know is not retried.
    let (_, client_id) = pool_with(&s, json!({ "PreSignUp": arn("missing") })).await;
    assert_eq!(
        sign_up(&s, &client_id, "bob").await,
        Err((
            "UnexpectedLambdaException".into(),
            "PreSignUp invocation failed due to error ResourceNotFoundException.".into()
        ))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_throttled_invocation_is_tried_again() {
    let (s, peer, _) = server_with_peer().await;
    let (pool_id, client_id) = pool_with(&s, json!({ "PreSignUp": arn("throttled-once") })).await;
    assert_eq!(sign_up(&s, &client_id, "ann").await, Ok(false));
    assert_eq!(peer.calls().len(), 2);
    assert_eq!(s.admin_status(&pool_id, "ann").await, "UNCONFIRMED");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn post_confirmation_runs_once_the_user_is_confirmed() {
    let (s, peer, _) = server_with_peer().await;
    let (pool_id, client_id) = pool_with(&s, json!({ "PostConfirmation": arn("echo") })).await;
    assert_eq!(sign_up(&s, &client_id, "ann").await, Ok(false));
    assert!(peer.calls().is_empty(), "not before confirmation");
    let code = s.code_sent_to(&pool_id, "ann@example.com").await;
    s.public()
        .confirm_sign_up()
        .client_id(&client_id)
        .username("ann")
        .confirmation_code(code)
        .client_metadata("step", "confirm")
        .send()
        .await
        .unwrap();
    let calls = peer.calls();
    assert_eq!(calls.len(), 1);
    let e = &calls[0].event;
    assert_eq!(e["triggerSource"], "PostConfirmation_ConfirmSignUp");
    assert_eq!(e["userName"], "ann");
    let attrs = &e["request"]["userAttributes"];
    assert_eq!(attrs["email_verified"], "true");
    assert_eq!(attrs["cognito:user_status"], "CONFIRMED");
    assert!(attrs["sub"].as_str().is_some_and(|s| s.len() == 36));
    assert_eq!(e["request"]["clientMetadata"]["step"], "confirm");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_function_mapped_to_a_webhook_gets_the_same_event_signed() {
    let (s, peer, _) = server_with_peer().await;
    let (pool_id, client_id) = pool_with(&s, json!({ "PreSignUp": arn("hooked-confirm") })).await;
    assert_eq!(sign_up(&s, &client_id, "ann").await, Ok(true));
    assert_eq!(s.admin_status(&pool_id, "ann").await, "CONFIRMED");
    let calls = peer.calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].function, "confirm", "POSTed to the mapped URL");
    assert!(calls[0].signed, "X-Cognate-Signature checks out");
    assert_eq!(calls[0].event["triggerSource"], "PreSignUp_SignUp");
    // A 4xx from the webhook is the function's error.
    let (pool_id, client_id) = pool_with(&s, json!({ "PreSignUp": arn("hooked-reject") })).await;
    assert_eq!(
        sign_up(&s, &client_id, "bob").await,
        Err((
            "UserLambdaValidationException".into(),
            "PreSignUp failed with error Not on the list.".into()
        ))
    );
    assert_eq!(s.user_count(&pool_id).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lambda_config_is_checked_and_described() {
    let s = TestServer::start(Backend::Sqlite).await.unwrap();
    for (config, what) in [
        (json!({ "PreSignUp": "not-an-arn" }), "a malformed ARN"),
        (
            json!({ "PreSignUp": "arn:aws:lambda:us-east-1:123456789012:layer:x" }),
            "a layer, not a function",
        ),
        (
            json!({ "PreTokenGenerationConfig": { "LambdaVersion": "V9_0", "LambdaArn": arn("t") } }),
            "an unknown version",
        ),
        (
            json!({ "CustomSMSSender": { "LambdaVersion": "V1_0", "LambdaArn": arn("sms") } }),
            "a custom sender without KMSKeyID",
        ),
    ] {
        assert_eq!(
            create_pool(&s, config).await,
            Err("InvalidParameterException".into()),
            "{what}"
        );
    }
    let config = json!({
        "PreSignUp": arn("a"),
        "PostConfirmation": arn("b"),
        "PreTokenGenerationConfig": { "LambdaVersion": "V2_0", "LambdaArn": arn("c") },
        "CustomEmailSender": { "LambdaVersion": "V1_0", "LambdaArn": arn("d") },
        "KMSKeyID": "arn:aws:kms:us-east-1:123456789012:key/k",
    });
    let (pool_id, _) = pool_with(&s, config).await;
    let described = s
        .admin()
        .describe_user_pool()
        .user_pool_id(&pool_id)
        .send()
        .await
        .unwrap();
    let l = described.user_pool().unwrap().lambda_config().unwrap();
    assert_eq!(l.pre_sign_up(), Some(arn("a").as_str()));
    assert_eq!(l.post_confirmation(), Some(arn("b").as_str()));
    let ptg = l.pre_token_generation_config().unwrap();
    assert_eq!(ptg.lambda_version().as_str(), "V2_0");
    assert_eq!(ptg.lambda_arn(), arn("c"));
    assert_eq!(l.custom_email_sender().unwrap().lambda_arn(), arn("d"));
    assert_eq!(
        l.kms_key_id(),
        Some("arn:aws:kms:us-east-1:123456789012:key/k")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pre_sign_up_runs_for_admin_create_user_and_may_refuse_it() {
    let (s, peer, _) = server_with_peer().await;
    let (pool_id, _) = pool_with(&s, json!({ "PreSignUp": arn("confirm") })).await;
    s.admin()
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("ann")
        .user_attributes(attr("email", "ann@example.com"))
        .validation_data(attr("invite", "xyz"))
        .client_metadata("by", "admin")
        .message_action(aws_sdk_cognitoidentityprovider::types::MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    // Auto-confirm does not apply to AdminCreateUser (developer guide).
    assert_eq!(
        s.admin_status(&pool_id, "ann").await,
        "FORCE_CHANGE_PASSWORD"
    );
    let calls = peer.calls();
    assert_eq!(calls.len(), 1);
    let e = &calls[0].event;
    assert_eq!(e["triggerSource"], "PreSignUp_AdminCreateUser");
    assert_eq!(e["callerContext"]["clientId"], "CLIENT_ID_NOT_APPLICABLE");
    assert_eq!(e["request"]["userAttributes"]["email"], "ann@example.com");
    assert_eq!(e["request"]["validationData"]["invite"], "xyz");
    assert_eq!(e["request"]["clientMetadata"]["by"], "admin");

    let (pool_id, _) = pool_with(&s, json!({ "PreSignUp": arn("reject") })).await;
    let err = s
        .admin()
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("bob")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "UserLambdaValidationException");
    assert_eq!(s.user_count(&pool_id).await, 0, "nothing written");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn post_confirmation_runs_after_a_forgotten_password_is_reset() {
    let (s, peer, _) = server_with_peer().await;
    let (pool_id, client_id) = pool_with(&s, json!({ "PostConfirmation": arn("reject") })).await;
    s.verified_user(&pool_id, "ann", PASSWORD, "ann@example.com")
        .await;
    let code = s
        .reset_code(&pool_id, &client_id, "ann", "ann@example.com")
        .await;
    let err = s
        .public()
        .confirm_forgot_password()
        .client_id(&client_id)
        .username("ann")
        .confirmation_code(code)
        .password("N3w-Passw0rd!")
        .client_metadata("step", "reset")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "UserLambdaValidationException");
    let calls = peer.calls();
    assert_eq!(calls.len(), 1);
    let e = &calls[0].event;
    assert_eq!(e["triggerSource"], "PostConfirmation_ConfirmForgotPassword");
    assert_eq!(e["request"]["clientMetadata"]["step"], "reset");
    assert_eq!(
        e["request"]["userAttributes"]["cognito:user_status"],
        "CONFIRMED"
    );
    // The new password stands although the function failed.
    s.signed_in(&client_id, "ann", "N3w-Passw0rd!").await;
}
