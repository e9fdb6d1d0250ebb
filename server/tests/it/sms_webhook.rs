//! SMS through the HTTP webhook (docs/architecture.md, "Mail and SMS"): a small axum
//! server started inside each test receives Cognate's POSTs of
//! `{"destination", "message", "pool_id"}`; the code it got confirms the
//! user, and a failing webhook is retried. SQLite only: the webhook does
//! not depend on the store.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::common::users::{PASSWORD, attr, six_digits};
use crate::common::{Backend, TestServer};
use aws_sdk_cognitoidentityprovider as cip;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use cip::types::{DeliveryMediumType, VerifiedAttributeType};
use serde_json::Value;

/// What the webhook received (parsed, and the raw bodies), and how many of
/// the next calls it fails.
#[derive(Default)]
struct Hook {
    calls: Mutex<Vec<(HeaderMap, Value)>>,
    raw: Mutex<Vec<Bytes>>,
    fail_next: Mutex<u32>,
}

async fn receive(State(hook): State<Arc<Hook>>, headers: HeaderMap, raw: Bytes) -> StatusCode {
    let body = serde_json::from_slice(&raw).unwrap_or(Value::Null);
    hook.calls.lock().unwrap().push((headers, body));
    hook.raw.lock().unwrap().push(raw);
    let mut fail = hook.fail_next.lock().unwrap();
    if *fail > 0 {
        *fail -= 1;
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    StatusCode::NO_CONTENT
}

async fn webhook(fail_first: u32) -> (SocketAddr, Arc<Hook>) {
    let hook = Arc::new(Hook {
        fail_next: Mutex::new(fail_first),
        ..Hook::default()
    });
    let app = axum::Router::new()
        .route("/sms", post(receive))
        .with_state(hook.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (addr, hook)
}

async fn server_with_webhook(addr: SocketAddr) -> TestServer {
    TestServer::start_with(Backend::Sqlite, |c| {
        c.sms_webhook_url = Some(format!("http://{addr}/sms"));
        c.delivery_timeout_secs = 5.0;
        c.delivery_retries = 2;
    })
    .await
    .unwrap()
}

async fn phone_pool(s: &TestServer) -> (String, String) {
    let pool_id = s
        .pool(|b| b.auto_verified_attributes(VerifiedAttributeType::PhoneNumber))
        .await;
    let (client_id, _) = s.client(&pool_id, false, false).await;
    (pool_id, client_id)
}

async fn wait_for_calls(hook: &Hook, n: usize) -> Vec<(HeaderMap, Value)> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let calls = hook.calls.lock().unwrap().clone();
        if calls.len() >= n {
            return calls;
        }
        assert!(tokio::time::Instant::now() < deadline, "{n} webhook calls");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_up_code_goes_to_the_webhook_as_json_and_confirms_the_user() {
    let (addr, hook) = webhook(0).await;
    let s = server_with_webhook(addr).await;
    let (pool_id, client_id) = phone_pool(&s).await;
    let public = s.public();
    let out = public
        .sign_up()
        .client_id(&client_id)
        .username("frank")
        .password(PASSWORD)
        .user_attributes(attr("phone_number", "+15555550100"))
        .send()
        .await
        .expect("sign up");
    let details = out.code_delivery_details().expect("code delivery details");
    assert_eq!(details.delivery_medium(), Some(&DeliveryMediumType::Sms));

    let calls = wait_for_calls(&hook, 1).await;
    let (headers, body) = &calls[0];
    assert_eq!(headers["content-type"], "application/json");
    // No secret configured: no signature.
    assert!(headers.get("x-cognate-signature").is_none());
    assert_eq!(body["destination"], "+15555550100");
    assert_eq!(body["pool_id"], pool_id.as_str());
    let message = body["message"].as_str().expect("message text");
    let code = six_digits(message).expect("a code");
    assert_eq!(message, format!("Your verification code is {code}. "));
    assert_eq!(
        body.as_object().unwrap().len(),
        3,
        "destination, message and pool_id only: {body}"
    );

    public
        .confirm_sign_up()
        .client_id(&client_id)
        .username("frank")
        .confirmation_code(&code)
        .send()
        .await
        .expect("the code from the webhook confirms");
    // SMS skipped the outbox.
    assert!(s.outbox(&pool_id).await.is_empty());
    assert_eq!(s.state.delivery.stats().delivered, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_webhook_is_retried_until_it_takes_the_message() {
    let (addr, hook) = webhook(1).await;
    let s = server_with_webhook(addr).await;
    let (_, client_id) = phone_pool(&s).await;
    s.public()
        .sign_up()
        .client_id(&client_id)
        .username("gina")
        .password(PASSWORD)
        .user_attributes(attr("phone_number", "+15555550101"))
        .send()
        .await
        .expect("sign up is not held up by the failing webhook");
    let calls = wait_for_calls(&hook, 2).await;
    // The same message both times.
    assert_eq!(calls[0].1, calls[1].1);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while s.state.delivery.stats().delivered < 1 {
        assert!(tokio::time::Instant::now() < deadline, "delivered");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let stats = s.state.delivery.stats();
    assert_eq!((stats.retried, stats.failed), (1, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_secret_every_attempt_is_signed_over_time_and_body() {
    use aws_lc_rs::hmac;
    const SECRET: &str = "webhook-secret-of-at-least-32-characters";
    // The first attempt fails: the retry is signed again, with its own time.
    let (addr, hook) = webhook(1).await;
    let s = TestServer::start_with(Backend::Sqlite, |c| {
        c.sms_webhook_url = Some(format!("http://{addr}/sms"));
        c.sms_webhook_secret = Some(cognate::config::Secret::new(SECRET));
        c.delivery_timeout_secs = 5.0;
        c.delivery_retries = 2;
    })
    .await
    .unwrap();
    let (_, client_id) = phone_pool(&s).await;
    s.public()
        .sign_up()
        .client_id(&client_id)
        .username("grace")
        .password(PASSWORD)
        .user_attributes(attr("phone_number", "+15555550101"))
        .send()
        .await
        .expect("sign up");

    let calls = wait_for_calls(&hook, 2).await;
    let raw = hook.raw.lock().unwrap().clone();
    let key = hmac::Key::new(hmac::HMAC_SHA256, SECRET.as_bytes());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    for ((headers, _), body) in calls.iter().zip(&raw) {
        // t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">
        let header = headers["x-cognate-signature"].to_str().unwrap();
        let (t, v1) = header
            .strip_prefix("t=")
            .and_then(|rest| rest.split_once(",v1="))
            .unwrap_or_else(|| panic!("signature header shape: {header}"));
        assert!(now.abs_diff(t.parse().unwrap()) < 120, "{header}");
        let mac: Vec<u8> = (0..v1.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&v1[i..i + 2], 16).unwrap())
            .collect();
        let signed = [t.as_bytes(), b".", body].concat();
        hmac::verify(&key, &signed, &mac).expect("the signature verifies");
        let tampered = [t.as_bytes(), b".", body, b" "].concat();
        assert!(hmac::verify(&key, &tampered, &mac).is_err());
        let other = hmac::Key::new(hmac::HMAC_SHA256, b"another secret of 32 characters!");
        assert!(hmac::verify(&other, &signed, &mac).is_err());
    }
}
