//! CustomEmailSender and CustomSMSSender (developer guide, "Custom sender
//! Lambda triggers"): every code and temporary password goes to the pool's
//! function instead of Cognate's senders, encrypted with the AWS
//! Encryption SDK under the pool's KMSKeyID. A real Invoke API peer runs
//! the functions (`common::lambda`), a KMS peer holds the key
//! (`common::kms`), and each test opens the code as the function would —
//! the AWS Encryption SDK against the same KMS — then uses it, proving it
//! is the real one.

use aws_sdk_cognitoidentityprovider::types::{
    ChallengeNameType, DeliveryMediumType, UserPoolMfaType,
};
use serde_json::{Value, json};

use crate::common::kms::{KEY_ARN, open, server_with_kms, start_kms};
use crate::common::lambda::{arn, pool_with, sign_up};
use crate::common::users::{PASSWORD, attr};

/// A LambdaConfig with `sender` ("CustomEmailSender" or "CustomSMSSender")
/// running the function `function`, the peer's key, and `more`.
fn senders(sender: &str, function: &str, more: Value) -> Value {
    let mut config = json!({
        sender: { "LambdaVersion": "V1_0", "LambdaArn": arn(function) },
        "KMSKeyID": KEY_ARN,
    });
    if let (Value::Object(c), Value::Object(m)) = (&mut config, more) {
        c.extend(m);
    }
    config
}

/// A sender function as the developer guide writes one: it returns
/// nothing (`null`), having delivered the message itself.
fn returns_nothing(_: Value) -> Value {
    Value::Null
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn custom_email_sender_gets_the_sign_up_code_encrypted_under_the_pools_key() {
    let (kms, kms_addr) = start_kms().await;
    let (s, peer) = server_with_kms(kms_addr).await;
    peer.define("email-sender", returns_nothing);
    let (pool_id, client_id) = pool_with(
        &s,
        senders(
            "CustomEmailSender",
            "email-sender",
            json!({ "CustomMessage": arn("echo") }),
        ),
    )
    .await;
    assert_eq!(sign_up(&s, &client_id, "ann").await, Ok(false));
    // Cognate sent nothing itself, and CustomMessage had nothing to write:
    // the sender's event carries the code, not a text.
    assert!(s.outbox(&pool_id).await.is_empty());
    assert!(peer.events_of("echo").is_empty());
    let events = peer.events_of("email-sender");
    assert_eq!(events.len(), 1);
    let e = &events[0];
    assert_eq!(e["version"], "1");
    assert_eq!(e["triggerSource"], "CustomEmailSender_SignUp");
    assert_eq!(e["region"], "us-east-1");
    assert_eq!(e["userPoolId"], pool_id.as_str());
    assert_eq!(e["userName"], "ann");
    assert_eq!(e["callerContext"]["clientId"], client_id.as_str());
    assert_eq!(e["request"]["type"], "customEmailSenderRequestV1");
    assert_eq!(e["request"]["clientMetadata"]["source"], "test");
    assert_eq!(e["request"]["userAttributes"]["email"], "ann@example.com");
    assert_eq!(e["response"], json!({}));
    // An AWS Encryption SDK message, format 2 with the committing, signed
    // suite 0x0578: base64 "AgV4…".
    let code = e["request"]["code"].as_str().unwrap();
    assert!(code.starts_with("AgV4"), "{code}");
    // KMS made its data key under the pool's key, bound to the pool.
    let generated: Vec<_> = kms
        .calls()
        .into_iter()
        .filter(|c| c.action == "GenerateDataKey")
        .collect();
    assert_eq!(generated.len(), 1);
    assert_eq!(generated[0].key_id, KEY_ARN);
    assert_eq!(generated[0].context["userpool-id"], pool_id.as_str());
    assert!(generated[0].scoped, "signed with the kms_* credentials");

    let (plain, context) = open(kms_addr, code).await;
    assert_eq!(plain.len(), 6, "a six-digit code");
    assert!(plain.chars().all(|c| c.is_ascii_digit()));
    assert_eq!(
        context.get("userpool-id").map(String::as_str),
        Some(pool_id.as_str())
    );
    s.public()
        .confirm_sign_up()
        .client_id(&client_id)
        .username("ann")
        .confirmation_code(&plain)
        .send()
        .await
        .expect("the decrypted code confirms the sign-up");
    assert_eq!(s.admin_status(&pool_id, "ann").await, "CONFIRMED");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_create_user_sends_the_temporary_password_through_the_custom_email_sender() {
    let (_kms, kms_addr) = start_kms().await;
    let (s, peer) = server_with_kms(kms_addr).await;
    peer.define("email-sender", returns_nothing);
    let (pool_id, client_id) =
        pool_with(&s, senders("CustomEmailSender", "email-sender", json!({}))).await;
    s.admin()
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("bob")
        .user_attributes(attr("email", "bob@example.com"))
        .user_attributes(attr("email_verified", "true"))
        .desired_delivery_mediums(DeliveryMediumType::Email)
        .send()
        .await
        .expect("admin create user");
    assert!(s.outbox(&pool_id).await.is_empty());
    let events = peer.events_of("email-sender");
    assert_eq!(events.len(), 1);
    let e = &events[0];
    assert_eq!(e["triggerSource"], "CustomEmailSender_AdminCreateUser");
    assert_eq!(e["userName"], "bob");
    assert_eq!(e["request"]["type"], "customEmailSenderRequestV1");
    assert_eq!(
        e["request"]["userAttributes"]["cognito:user_status"],
        "FORCE_CHANGE_PASSWORD"
    );
    let (password, _) = open(kms_addr, e["request"]["code"].as_str().unwrap()).await;
    // The temporary password signs in, into NEW_PASSWORD_REQUIRED.
    let out = s
        .password_initiate(&client_id, "bob", &password)
        .await
        .expect("the decrypted temporary password signs in");
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::NewPasswordRequired)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forgot_password_code_goes_to_the_custom_email_sender() {
    let (_kms, kms_addr) = start_kms().await;
    let (s, peer) = server_with_kms(kms_addr).await;
    peer.define("email-sender", returns_nothing);
    let (pool_id, client_id) =
        pool_with(&s, senders("CustomEmailSender", "email-sender", json!({}))).await;
    s.verified_user(&pool_id, "cy", PASSWORD, "cy@example.com")
        .await;
    let out = s
        .public()
        .forgot_password()
        .client_id(&client_id)
        .username("cy")
        .send()
        .await
        .expect("forgot password");
    assert_eq!(
        out.code_delivery_details().and_then(|d| d.destination()),
        Some("c***@e***")
    );
    assert!(s.outbox(&pool_id).await.is_empty());
    let events = peer.events_of("email-sender");
    assert_eq!(events.len(), 1);
    assert_eq!(
        events[0]["triggerSource"],
        "CustomEmailSender_ForgotPassword"
    );
    let (code, _) = open(kms_addr, events[0]["request"]["code"].as_str().unwrap()).await;
    s.public()
        .confirm_forgot_password()
        .client_id(&client_id)
        .username("cy")
        .confirmation_code(&code)
        .password("N3w-passw0rd!")
        .send()
        .await
        .expect("the decrypted code resets the password");
    s.signed_in(&client_id, "cy", "N3w-passw0rd!").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sms_mfa_code_goes_to_the_custom_sms_sender() {
    let (_kms, kms_addr) = start_kms().await;
    let (s, peer) = server_with_kms(kms_addr).await;
    peer.define("sms-sender", returns_nothing);
    let (pool_id, client_id) =
        pool_with(&s, senders("CustomSMSSender", "sms-sender", json!({}))).await;
    s.admin_user(
        &pool_id,
        "dee",
        PASSWORD,
        &[
            ("phone_number", "+12065551212"),
            ("phone_number_verified", "true"),
        ],
    )
    .await;
    s.set_mfa(&pool_id, UserPoolMfaType::On, false, false, true)
        .await;
    let out = s
        .password_initiate(&client_id, "dee", PASSWORD)
        .await
        .expect("sign in");
    assert_eq!(out.challenge_name(), Some(&ChallengeNameType::SmsMfa));
    assert!(s.outbox(&pool_id).await.is_empty());
    let events = peer.events_of("sms-sender");
    assert_eq!(events.len(), 1);
    let e = &events[0];
    assert_eq!(e["triggerSource"], "CustomSMSSender_Authentication");
    assert_eq!(e["request"]["type"], "customSMSSenderRequestV1");
    assert_eq!(
        e["request"]["userAttributes"]["phone_number"],
        "+12065551212"
    );
    assert_eq!(e["callerContext"]["clientId"], client_id.as_str());
    let (code, context) = open(kms_addr, e["request"]["code"].as_str().unwrap()).await;
    assert_eq!(
        context.get("userpool-id").map(String::as_str),
        Some(pool_id.as_str())
    );
    let done = s
        .public()
        .respond_to_auth_challenge()
        .client_id(&client_id)
        .challenge_name(ChallengeNameType::SmsMfa)
        .session(out.session().unwrap())
        .challenge_responses("USERNAME", "dee")
        .challenge_responses("SMS_MFA_CODE", &code)
        .send()
        .await
        .expect("the decrypted code answers the challenge");
    assert!(done.authentication_result().is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_custom_sender_that_throws_fails_the_sign_up_and_leaves_no_user() {
    let (_kms, kms_addr) = start_kms().await;
    let (s, peer) = server_with_kms(kms_addr).await;
    let (pool_id, client_id) =
        pool_with(&s, senders("CustomEmailSender", "reject", json!({}))).await;
    assert_eq!(
        sign_up(&s, &client_id, "ann").await,
        Err((
            "UserLambdaValidationException".into(),
            "CustomEmailSender failed with error Email domain not allowed.".into()
        ))
    );
    assert_eq!(peer.events_of("reject").len(), 1);
    assert_eq!(s.user_count(&pool_id).await, 0);
    assert!(s.outbox(&pool_id).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_kms_is_unexpected_lambda_and_leaves_no_user() {
    // An address nobody answers at.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let (s, peer) = server_with_kms(closed).await;
    peer.define("email-sender", returns_nothing);
    let (pool_id, client_id) =
        pool_with(&s, senders("CustomEmailSender", "email-sender", json!({}))).await;
    let (name, message) = sign_up(&s, &client_id, "ann").await.unwrap_err();
    assert_eq!(name, "UnexpectedLambdaException");
    assert_eq!(
        message,
        "CustomEmailSender invocation failed due to error KMS unreachable."
    );
    assert!(peer.events_of("email-sender").is_empty());
    assert_eq!(s.user_count(&pool_id).await, 0);
    assert!(s.outbox(&pool_id).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_kms_does_not_know_is_unexpected_lambda_named_by_kms_error() {
    let (_kms, kms_addr) = start_kms().await;
    let (s, peer) = server_with_kms(kms_addr).await;
    peer.define("email-sender", returns_nothing);
    let mut config = senders("CustomEmailSender", "email-sender", json!({}));
    config["KMSKeyID"] =
        json!("arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000");
    let (pool_id, client_id) = pool_with(&s, config).await;
    let (name, message) = sign_up(&s, &client_id, "ann").await.unwrap_err();
    assert_eq!(name, "UnexpectedLambdaException");
    assert_eq!(
        message,
        "CustomEmailSender invocation failed due to error KMS NotFoundException."
    );
    assert!(peer.events_of("email-sender").is_empty());
    assert_eq!(s.user_count(&pool_id).await, 0);
}
