//! The AWS JSON 1.1 protocol of the user-pool API: targets, bodies, error
//! shapes and SigV4 on administrative actions (Cognito API reference,
//! "Common errors").

use crate::common::{Backend, TestServer, error_name};
use aws_sdk_cognitoidentityprovider::config::Credentials;

#[tokio::test]
async fn unknown_action_and_missing_target_are_unknown_operations() {
    let s = TestServer::start(Backend::Sqlite).await.unwrap();
    let (status, body, headers) = s.raw(Some("FlyToTheMoon"), "{}").await;
    assert_eq!(status, 400);
    assert_eq!(body["__type"], "UnknownOperationException");
    assert_eq!(headers["x-amzn-errortype"], "UnknownOperationException");
    assert!(headers.contains_key("x-amzn-requestid"));
    let (status, body, _) = s.raw(None, "{}").await;
    assert_eq!(status, 400);
    assert_eq!(body["__type"], "UnknownOperationException");
}

#[tokio::test]
async fn malformed_bodies_are_serialization_errors_and_missing_members_name_the_field() {
    let s = TestServer::start(Backend::Sqlite).await.unwrap();
    for bad in ["{", "[1,2]", "\"text\"", "{\"ClientId\": 5}"] {
        let (status, body, _) = s.raw(Some("SignUp"), bad).await;
        assert_eq!(status, 400, "{bad}");
        assert_eq!(body["__type"], "SerializationException", "{bad}: {body}");
    }
    let (status, body, _) = s.raw(Some("SignUp"), "").await;
    assert_eq!(status, 400);
    assert_eq!(body["__type"], "InvalidParameterException", "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("clientId"),
        "{body}"
    );
}

#[tokio::test]
async fn admin_actions_never_run_unauthenticated() {
    let s = TestServer::start(Backend::Sqlite).await.unwrap();
    // No signature at all.
    let (status, body, _) = s.raw(Some("ListUserPools"), "{\"MaxResults\": 10}").await;
    assert_eq!(status, 403);
    assert_eq!(body["__type"], "MissingAuthenticationTokenException");
    let (_, body, _) = s
        .raw(Some("CreateUserPool"), "{\"PoolName\": \"sneaky\"}")
        .await;
    assert_eq!(body["__type"], "MissingAuthenticationTokenException");
    // Through the SDK: unknown key, wrong secret, no credentials.
    let unknown = s.client_with(Some(Credentials::new(
        "AKIAUNKNOWN000000000",
        "x",
        None,
        None,
        "t",
    )));
    let err = unknown
        .list_user_pools()
        .max_results(10)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "UnrecognizedClientException");
    let wrong = s.client_with(Some(Credentials::new(
        crate::common::ADMIN_KEY_ID,
        "wrong",
        None,
        None,
        "t",
    )));
    let err = wrong
        .list_user_pools()
        .max_results(10)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "InvalidSignatureException");
    // Nothing was created by any of these.
    let pools = s
        .admin()
        .list_user_pools()
        .max_results(60)
        .send()
        .await
        .unwrap();
    assert!(pools.user_pools().is_empty());
}

#[tokio::test]
async fn a_signature_outside_five_minutes_is_refused() {
    let s = TestServer::start(Backend::Sqlite).await.unwrap();
    s.admin()
        .list_user_pools()
        .max_results(1)
        .send()
        .await
        .unwrap();
    s.clock.advance(6 * 60 * 1000);
    let err = s
        .admin()
        .list_user_pools()
        .max_results(1)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "InvalidSignatureException");
}

#[tokio::test]
async fn hostile_strings_get_cognito_errors_not_500s() {
    let s = TestServer::start(Backend::Sqlite).await.unwrap();
    let admin = s.admin();
    for name in ["'; DROP TABLE pools; --", &"x".repeat(5000), "\u{0}", "💥"] {
        let err = admin
            .create_user_pool()
            .pool_name(name)
            .send()
            .await
            .unwrap_err();
        assert_eq!(error_name(&err), "InvalidParameterException", "{name:?}");
    }
    for id in [
        "'; DROP TABLE pools; --",
        "us-east-1_doesnotexist",
        "",
        "ü_1",
    ] {
        let err = admin
            .describe_user_pool()
            .user_pool_id(id)
            .send()
            .await
            .unwrap_err();
        let name = error_name(&err);
        assert!(
            name == "InvalidParameterException" || name == "ResourceNotFoundException",
            "{id:?}: {name}"
        );
    }
}

/// A body over the 1 MiB limit is a 4xx in the protocol, with `__type`,
/// not a plain-text answer (issue 12, robustness).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_body_is_a_serialization_error_with_its_type() {
    let s = crate::common::TestServer::start(crate::common::Backend::Sqlite)
        .await
        .unwrap();
    let body = format!("{{\"ClientId\":\"{}\"}}", "x".repeat(2 * 1024 * 1024));
    let (status, answer, _) = s.raw(Some("SignUp"), &body).await;
    assert!((400..500).contains(&status), "{status}");
    assert_eq!(answer["__type"], "SerializationException", "{answer}");
    let (status, _, _) = s.raw(Some("ListUserPools"), "{}").await;
    assert!((400..500).contains(&status), "the server still answers");
}
