//! Two nodes sharing one PostgreSQL database, as a deployment behind a
//! load balancer runs them: what one node writes, the other serves, and a
//! configuration change made on one reaches the other within the
//! configuration cache's second.

use std::time::{Duration, Instant};

use crate::common::users::PASSWORD;
use crate::common::{Backend, TestServer, error_name};
use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, ExplicitAuthFlowsType};

#[tokio::test]
async fn nodes_share_users_tokens_and_configuration_changes() {
    let Some(a) = TestServer::start(Backend::Postgres).await else {
        return;
    };
    let b = a.start_node_beside().await.expect("a second node");
    let (admin_a, admin_b) = (a.admin(), b.admin());

    let pool = a.email_pool().await;
    let (client, _) = a.client(&pool, false, false).await;
    a.confirmed_user(&pool, &client, "alice", "alice@example.com")
        .await;

    let sign_in = |node: &TestServer| {
        let public = node.public();
        let client = client.clone();
        async move {
            public
                .initiate_auth()
                .client_id(client)
                .auth_flow(AuthFlowType::UserPasswordAuth)
                .auth_parameters("USERNAME", "alice")
                .auth_parameters("PASSWORD", PASSWORD)
                .send()
                .await
        }
    };

    // Signed in on B (which caches the client and pool now); the tokens
    // work on A: one issuer, one key set.
    let tokens = sign_in(&b).await.unwrap();
    let access = tokens
        .authentication_result()
        .unwrap()
        .access_token()
        .unwrap()
        .to_owned();
    let me = a
        .public()
        .get_user()
        .access_token(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(me.username(), "alice");

    // A takes USER_PASSWORD_AUTH away from the client: A refuses at once…
    admin_a
        .update_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&client)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .send()
        .await
        .unwrap();
    let err = sign_in(&a).await.unwrap_err();
    assert_eq!(error_name(&err), "InvalidParameterException");
    // ClientName was left out of the update: the client keeps its name.
    let described = admin_a
        .describe_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&client)
        .send()
        .await
        .unwrap();
    assert_eq!(
        described.user_pool_client().unwrap().client_name(),
        Some("app")
    );
    // …and B within the cache's second.
    let changed = Instant::now();
    loop {
        match sign_in(&b).await {
            Err(e) => {
                assert_eq!(error_name(&e), "InvalidParameterException");
                break;
            }
            Ok(_) => assert!(
                changed.elapsed() < Duration::from_secs(3),
                "node B still uses the old client configuration after 3 s"
            ),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // A deletes the client: B stops knowing it within the second too.
    admin_a
        .delete_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&client)
        .send()
        .await
        .unwrap();
    let deleted = Instant::now();
    loop {
        let err = sign_in(&b).await.unwrap_err();
        if error_name(&err) == "ResourceNotFoundException" {
            break;
        }
        assert!(
            deleted.elapsed() < Duration::from_secs(3),
            "node B still knows a deleted client after 3 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let err = admin_b
        .describe_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&client)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "ResourceNotFoundException");
}
