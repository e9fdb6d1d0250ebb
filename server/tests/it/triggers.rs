//! Lambda triggers of sign-up and confirmation, the invocation budget, the
//! webhook form and LambdaConfig itself, through a real Lambda Invoke API
//! peer (`common::lambda`).

use crate::common::lambda::{arn, create_pool, pool_with, server_with_peer, sign_up};
use crate::common::users::{PASSWORD, attr};
use crate::common::{Backend, TestServer, error_name};
use serde_json::json;

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

    // AdminConfirmSignUp runs it too, with the administrator's
    // ClientMetadata (Cognito API: AdminConfirmSignUp, ClientMetadata).
    assert_eq!(sign_up(&s, &client_id, "bob").await, Ok(false));
    s.admin()
        .admin_confirm_sign_up()
        .user_pool_id(&pool_id)
        .username("bob")
        .client_metadata("step", "admin")
        .send()
        .await
        .unwrap();
    assert_eq!(s.admin_status(&pool_id, "bob").await, "CONFIRMED");
    let calls = peer.calls();
    assert_eq!(calls.len(), 2);
    let e = &calls[1].event;
    assert_eq!(e["triggerSource"], "PostConfirmation_ConfirmSignUp");
    assert_eq!(e["userName"], "bob");
    assert_eq!(e["request"]["clientMetadata"]["step"], "admin");
    assert_eq!(
        e["request"]["userAttributes"]["cognito:user_status"],
        "CONFIRMED"
    );
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
