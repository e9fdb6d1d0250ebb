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

/// Amplify and amazon-cognito-identity-js call the API from web pages on
/// other origins: the preflight and the answer carry CORS headers, for any
/// origin and without credentials, as Cognito's endpoints do; the hosted
/// UI's forms get none.
#[tokio::test]
async fn browsers_on_other_origins_may_call_the_apis_but_not_the_hosted_forms() {
    let s = TestServer::start(Backend::Sqlite).await.unwrap();
    let http = reqwest::Client::new();
    let origin = "http://app.example.test:3000";
    let preflight = http
        .request(reqwest::Method::OPTIONS, format!("{}/", s.url))
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "content-type,x-amz-target,x-amz-user-agent",
        )
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success(), "{}", preflight.status());
    let h = preflight.headers();
    assert_eq!(h["access-control-allow-origin"], "*");
    assert!(
        h["access-control-allow-methods"]
            .to_str()
            .unwrap()
            .contains("POST")
    );
    let allowed = h["access-control-allow-headers"].to_str().unwrap();
    assert!(allowed.contains("x-amz-target"), "{allowed}");
    assert!(h.get("access-control-allow-credentials").is_none());

    // The answer itself, an error here, is readable with its type.
    let answer = http
        .post(format!("{}/", s.url))
        .header("origin", origin)
        .header("content-type", "application/x-amz-json-1.1")
        .header("x-amz-target", "AWSCognitoIdentityProviderService.SignUp")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 400);
    let h = answer.headers();
    assert_eq!(h["access-control-allow-origin"], "*");
    let exposed = h["access-control-expose-headers"].to_str().unwrap();
    assert!(exposed.contains("x-amzn-errortype"), "{exposed}");

    // The token endpoint and the keys, as Amplify's redirect sign-in and
    // browser JWT verifiers use them.
    for (method, path) in [
        ("POST", "/us-east-1_nopool/oauth2/token"),
        ("GET", "/us-east-1_nopool/.well-known/jwks.json"),
    ] {
        let preflight = http
            .request(reqwest::Method::OPTIONS, format!("{}{path}", s.url))
            .header("origin", origin)
            .header("access-control-request-method", method)
            .send()
            .await
            .unwrap();
        assert_eq!(
            preflight.headers()["access-control-allow-origin"],
            "*",
            "{path}"
        );
    }

    // A hosted form: no CORS, so another origin's script cannot read it.
    let page = http
        .get(format!("{}/us-east-1_nopool/login", s.url))
        .header("origin", origin)
        .send()
        .await
        .unwrap();
    assert!(page.headers().get("access-control-allow-origin").is_none());
}
