//! Rate limits on the Cognito API: per source IP, per user, and on the
//! messages one user can be sent — TooManyRequestsException over a limit.
//! Limits are set low here so that a handful of requests cross them.

use crate::common::users::PASSWORD;
use crate::common::{Backend, TestServer, error_name};
use aws_sdk_cognitoidentityprovider::types::AuthFlowType;

async fn sign_in(s: &TestServer, client_id: &str, username: &str) -> Result<(), String> {
    s.public()
        .initiate_auth()
        .client_id(client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", username)
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| error_name(&e))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_ins_naming_one_user_are_limited_per_user() {
    // One request per 100 s per user: the second is over the limit.
    let s = TestServer::start_with(Backend::Sqlite, |c| c.rate_limit_per_user = 0.01)
        .await
        .unwrap();
    let pool_id = s.email_pool().await;
    let (client_id, _) = s.client(&pool_id, false, false).await;
    s.admin_user(&pool_id, "ann", PASSWORD, &[]).await;
    s.admin_user(&pool_id, "bob", PASSWORD, &[]).await;
    assert_eq!(sign_in(&s, &client_id, "ann").await, Ok(()));
    assert_eq!(
        sign_in(&s, &client_id, "ann").await,
        Err("TooManyRequestsException".into())
    );
    // Case variants of the name share the bucket; another user has their own.
    assert_eq!(
        sign_in(&s, &client_id, "ANN").await,
        Err("TooManyRequestsException".into())
    );
    assert_eq!(sign_in(&s, &client_id, "bob").await, Ok(()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_ins_from_one_address_are_limited_per_ip() {
    let s = TestServer::start_with(Backend::Sqlite, |c| c.rate_limit_auth_per_ip = 0.01)
        .await
        .unwrap();
    let pool_id = s.email_pool().await;
    let (client_id, _) = s.client(&pool_id, false, false).await;
    s.confirmed_user(&pool_id, &client_id, "ann", "ann@example.com")
        .await;
    assert_eq!(sign_in(&s, &client_id, "ann").await, Ok(()));
    assert_eq!(
        sign_in(&s, &client_id, "someone-else").await,
        Err("TooManyRequestsException".into())
    );
    // Administrative calls are signed by a server acting for many users:
    // not limited per address.
    for _ in 0..3 {
        let r = s
            .admin()
            .admin_initiate_auth()
            .user_pool_id(&pool_id)
            .client_id(&client_id)
            .auth_flow(AuthFlowType::AdminUserPasswordAuth)
            .auth_parameters("USERNAME", "ann")
            .auth_parameters("PASSWORD", PASSWORD)
            .send()
            .await;
        // (This client does not allow the admin flow; any answer but
        // TooManyRequests shows the call got past the limits.)
        if let Err(e) = r {
            assert_ne!(error_name(&e), "TooManyRequestsException");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_reset_messages_to_one_user_are_capped_per_hour() {
    let s = TestServer::start_with(Backend::Sqlite, |c| {
        c.rate_limit_messages_per_user_per_hour = 3;
    })
    .await
    .unwrap();
    let pool_id = s.email_pool().await;
    let (client_id, _) = s.client(&pool_id, false, false).await;
    s.confirmed_user(&pool_id, &client_id, "ann", "ann@example.com")
        .await;
    let forgot = || async {
        s.public()
            .forgot_password()
            .client_id(&client_id)
            .username("ann")
            .send()
            .await
            .map(|_| ())
            .map_err(|e| error_name(&e))
    };
    // SignUp sent the first of three messages.
    assert_eq!(forgot().await, Ok(()));
    assert_eq!(forgot().await, Ok(()));
    assert_eq!(forgot().await, Err("TooManyRequestsException".into()));
}

/// The hourly message cap is counted where core sends, so the codes a
/// sign-in sends (SMS_MFA here) spend the same budget as any other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mfa_codes_sent_at_sign_in_count_toward_the_message_cap() {
    use aws_sdk_cognitoidentityprovider::types::{ChallengeNameType, UserPoolMfaType};
    let s = TestServer::start_with(Backend::Sqlite, |c| {
        c.rate_limit_messages_per_user_per_hour = 3;
    })
    .await
    .unwrap();
    let pool_id = s.pool(|b| b).await;
    let (client_id, _) = s.client(&pool_id, false, false).await;
    s.admin_user(&pool_id, "ann", PASSWORD, &[]).await;
    s.admin_set_attr(&pool_id, "ann", "phone_number", "+12065551212")
        .await;
    s.set_mfa(&pool_id, UserPoolMfaType::On, false, false, true)
        .await;
    let before = s.outbox(&pool_id).await.len();
    for _ in 0..3 {
        let out = s
            .public()
            .initiate_auth()
            .client_id(&client_id)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", "ann")
            .auth_parameters("PASSWORD", PASSWORD)
            .send()
            .await
            .unwrap();
        assert_eq!(out.challenge_name(), Some(&ChallengeNameType::SmsMfa));
    }
    assert_eq!(
        sign_in(&s, &client_id, "ann").await,
        Err("TooManyRequestsException".into())
    );
    assert_eq!(
        s.outbox(&pool_id).await.len(),
        before + 3,
        "the refused sign-in sent nothing"
    );
}

/// The OAuth token and revocation endpoints try secrets (codes, refresh
/// tokens, client secrets): counted per source IP, 429 with Retry-After.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_endpoint_is_limited_per_ip() {
    let s = TestServer::start_with(Backend::Sqlite, |c| c.rate_limit_auth_per_ip = 0.01)
        .await
        .unwrap();
    let pool_id = s.pool(|b| b).await;
    let http = reqwest::Client::new();
    let token = |path: &'static str| {
        let http = http.clone();
        let url = format!("{}/{pool_id}/oauth2/{path}", s.url);
        async move {
            http.post(url)
                .form(&[("grant_type", "authorization_code"), ("code", "guess")])
                .send()
                .await
                .unwrap()
        }
    };
    let first = token("token").await;
    assert_ne!(first.status(), reqwest::StatusCode::TOO_MANY_REQUESTS);
    let second = token("token").await;
    assert_eq!(second.status(), reqwest::StatusCode::TOO_MANY_REQUESTS);
    assert!(second.headers().contains_key("retry-after"));
    let body: serde_json::Value = second.json().await.unwrap();
    assert_eq!(body["error"], "too_many_requests");
    // The same address's revocations share the bucket.
    assert_eq!(
        token("revoke").await.status(),
        reqwest::StatusCode::TOO_MANY_REQUESTS
    );
}

/// A simulated delivery to an unknown name spends a budget as a real one
/// does (PreventUserExistenceErrors): the cap tells no name from a user.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_message_cap_treats_unknown_names_as_users() {
    let s = TestServer::start_with(Backend::Sqlite, |c| {
        c.rate_limit_messages_per_user_per_hour = 3;
    })
    .await
    .unwrap();
    let pool_id = s.email_pool().await;
    let (client_id, _) = s.client(&pool_id, false, true).await;
    let forgot = |name: &'static str| {
        let public = s.public();
        let client_id = client_id.clone();
        async move {
            public
                .forgot_password()
                .client_id(client_id)
                .username(name)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| error_name(&e))
        }
    };
    for _ in 0..3 {
        assert_eq!(forgot("nobody").await, Ok(()));
    }
    assert_eq!(
        forgot("nobody").await,
        Err("TooManyRequestsException".into())
    );
    assert_eq!(
        forgot("NoBody").await,
        Err("TooManyRequestsException".into())
    );
    assert_eq!(forgot("someone-else").await, Ok(()));
}
