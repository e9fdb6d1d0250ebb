//! Refresh-token rotation through the AWS SDK for Rust and the token
//! endpoint: the client's RefreshTokenRotation, GetTokensFromRefreshToken
//! answering a new refresh token, the replaced one good for the grace
//! period only, `/oauth2/token` rotating the same way, REFRESH_TOKEN_AUTH
//! refused on a rotating client (as Cognito documents), and a replay after
//! the grace revoking the whole sign-in (RFC 9700 §4.14.2).

use crate::common::users::PASSWORD;
use crate::common::{TestServer, error_name};
use aws_sdk_cognitoidentityprovider as cip;
use cip::types::{AuthFlowType, ExplicitAuthFlowsType, FeatureType, RefreshTokenRotationType};
use reqwest::StatusCode;

fn rotation(grace: Option<i32>) -> RefreshTokenRotationType {
    RefreshTokenRotationType::builder()
        .feature(FeatureType::Enabled)
        .set_retry_grace_period_seconds(grace)
        .build()
        .unwrap()
}

/// A pool with `ann`, and a client whose rotation is `rotation`.
async fn setup(
    s: &TestServer,
    rotation: Option<RefreshTokenRotationType>,
    secret: bool,
) -> (String, String, Option<String>) {
    let pool_id = s.pool(|b| b).await;
    let (client_id, client_secret) = s
        .app_client(&pool_id, |c| {
            c.generate_secret(secret)
                .explicit_auth_flows(ExplicitAuthFlowsType::AllowAdminUserPasswordAuth)
                .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
                .set_refresh_token_rotation(rotation)
        })
        .await;
    s.admin_user(&pool_id, "ann", PASSWORD, &[]).await;
    (pool_id, client_id, client_secret)
}

/// AdminInitiateAuth with the password: the sign-in's tokens.
async fn sign_in(
    s: &TestServer,
    pool_id: &str,
    client_id: &str,
    secret: Option<&str>,
) -> cip::types::AuthenticationResultType {
    let mut req = s
        .admin()
        .admin_initiate_auth()
        .user_pool_id(pool_id)
        .client_id(client_id)
        .auth_flow(AuthFlowType::AdminUserPasswordAuth)
        .auth_parameters("USERNAME", "ann")
        .auth_parameters("PASSWORD", PASSWORD);
    if let Some(secret) = secret {
        req = req.auth_parameters(
            "SECRET_HASH",
            cognate_core::service::client_secret::secret_hash(secret, "ann", client_id),
        );
    }
    req.send()
        .await
        .expect("sign in")
        .authentication_result()
        .expect("tokens")
        .clone()
}

type Refreshed = Result<
    cip::operation::get_tokens_from_refresh_token::GetTokensFromRefreshTokenOutput,
    cip::error::SdkError<
        cip::operation::get_tokens_from_refresh_token::GetTokensFromRefreshTokenError,
    >,
>;

async fn refresh(s: &TestServer, client_id: &str, token: &str, secret: Option<&str>) -> Refreshed {
    s.public()
        .get_tokens_from_refresh_token()
        .client_id(client_id)
        .refresh_token(token)
        .set_client_secret(secret.map(str::to_owned))
        .send()
        .await
}

fn new_refresh_token(r: &Refreshed) -> String {
    r.as_ref()
        .expect("refreshed")
        .authentication_result()
        .and_then(|a| a.refresh_token())
        .expect("a new refresh token")
        .to_owned()
}

async fn rotation_settings_round_trip_and_are_validated(s: TestServer) {
    let (pool_id, client_id, _) = setup(&s, Some(rotation(Some(10))), false).await;
    let c = s
        .admin()
        .describe_user_pool_client()
        .user_pool_id(&pool_id)
        .client_id(&client_id)
        .send()
        .await
        .unwrap();
    let r = c
        .user_pool_client()
        .unwrap()
        .refresh_token_rotation()
        .unwrap();
    assert_eq!(
        (r.feature(), r.retry_grace_period_seconds()),
        (&FeatureType::Enabled, Some(10))
    );
    // Cognito API: RetryGracePeriodSecondsType, 0–60.
    let err = s
        .admin()
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("bad")
        .refresh_token_rotation(rotation(Some(61)))
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "InvalidParameterException");
}

async fn get_tokens_from_refresh_token_rotates_and_replay_revokes(s: TestServer) {
    let (pool_id, client_id, _) = setup(&s, Some(rotation(Some(10))), false).await;
    let first = sign_in(&s, &pool_id, &client_id, None).await;
    let r1 = first.refresh_token().unwrap().to_owned();

    let r2 = new_refresh_token(&refresh(&s, &client_id, &r1, None).await);
    assert_ne!(r1, r2);
    // Within the grace period the replaced token may be retried.
    s.clock.advance(5_000);
    let retried = refresh(&s, &client_id, &r1, None).await;
    let r3 = new_refresh_token(&retried);
    let access = retried
        .unwrap()
        .authentication_result()
        .unwrap()
        .access_token()
        .unwrap()
        .to_owned();
    s.public()
        .get_user()
        .access_token(&access)
        .send()
        .await
        .expect("refreshed access token works");

    // After the grace period, using it again revokes the whole sign-in.
    s.clock.advance(6_000);
    let err = refresh(&s, &client_id, &r1, None).await.unwrap_err();
    assert_eq!(error_name(&err), "RefreshTokenReuseException");
    for token in [&r2, &r3] {
        let err = refresh(&s, &client_id, token, None).await.unwrap_err();
        assert_eq!(error_name(&err), "NotAuthorizedException");
    }
    let err = s
        .public()
        .get_user()
        .access_token(&access)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "NotAuthorizedException");
    // Another sign-in is untouched.
    let other = sign_in(&s, &pool_id, &client_id, None).await;
    assert!(
        refresh(&s, &client_id, other.refresh_token().unwrap(), None)
            .await
            .is_ok()
    );
}

async fn without_rotation_the_refresh_token_stays(s: TestServer) {
    let (pool_id, client_id, _) = setup(&s, None, false).await;
    let first = sign_in(&s, &pool_id, &client_id, None).await;
    let r1 = first.refresh_token().unwrap();
    for _ in 0..2 {
        let out = refresh(&s, &client_id, r1, None).await.unwrap();
        let result = out.authentication_result().unwrap();
        assert!(result.access_token().is_some() && result.refresh_token().is_none());
    }
}

async fn the_client_secret_is_checked(s: TestServer) {
    let (pool_id, client_id, secret) = setup(&s, Some(rotation(None)), true).await;
    let secret = secret.unwrap();
    let first = sign_in(&s, &pool_id, &client_id, Some(&secret)).await;
    let r1 = first.refresh_token().unwrap();
    for wrong in [None, Some("not-the-secret")] {
        let err = refresh(&s, &client_id, r1, wrong).await.unwrap_err();
        assert_eq!(error_name(&err), "NotAuthorizedException");
    }
    // The refused calls rotated nothing.
    let r2 = new_refresh_token(&refresh(&s, &client_id, r1, Some(&secret)).await);
    assert_ne!(r2, r1);
    let err = refresh(&s, &client_id, "v1.not-a-token", Some(&secret))
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "NotAuthorizedException");
}

async fn refresh_token_auth_is_refused_under_rotation(s: TestServer) {
    // Cognito API: RefreshTokenRotationType — "Refresh token rotation must
    // be completed with GetTokensFromRefreshToken".
    let (pool_id, client_id, _) = setup(&s, Some(rotation(Some(0))), false).await;
    let first = sign_in(&s, &pool_id, &client_id, None).await;
    let r1 = first.refresh_token().unwrap().to_owned();
    let err = s
        .public()
        .initiate_auth()
        .client_id(&client_id)
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", &r1)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "InvalidParameterException");
    // The refusal spent nothing, and a rotating client needs no
    // ALLOW_REFRESH_TOKEN_AUTH for GetTokensFromRefreshToken.
    assert!(refresh(&s, &client_id, &r1, None).await.is_ok());
    let (bare, _) = s
        .app_client(&pool_id, |c| {
            c.explicit_auth_flows(ExplicitAuthFlowsType::AllowAdminUserPasswordAuth)
                .refresh_token_rotation(rotation(None))
        })
        .await;
    let tokens = sign_in(&s, &pool_id, &bare, None).await;
    let r = new_refresh_token(&refresh(&s, &bare, tokens.refresh_token().unwrap(), None).await);
    assert!(r.starts_with("v1."));
    // Without rotation, that flow is still what GetTokensFromRefreshToken needs.
    let (plain, _) = s
        .app_client(&pool_id, |c| {
            c.explicit_auth_flows(ExplicitAuthFlowsType::AllowAdminUserPasswordAuth)
        })
        .await;
    let tokens = sign_in(&s, &pool_id, &plain, None).await;
    let err = refresh(&s, &plain, tokens.refresh_token().unwrap(), None)
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "InvalidParameterException");
}

async fn the_token_endpoint_rotates_the_same_way(s: TestServer) {
    let (pool_id, client_id, _) = setup(&s, Some(rotation(Some(0))), false).await;
    let first = sign_in(&s, &pool_id, &client_id, None).await;
    let r1 = first.refresh_token().unwrap().to_owned();
    let token = |refresh_token: String| {
        let url = format!("{}/{pool_id}/oauth2/token", s.url);
        let id = client_id.clone();
        async move {
            let r = reqwest::Client::new()
                .post(url)
                .form(&[
                    ("grant_type", "refresh_token"),
                    ("client_id", id.as_str()),
                    ("refresh_token", refresh_token.as_str()),
                ])
                .send()
                .await
                .unwrap();
            let status = r.status();
            (
                status,
                r.json::<serde_json::Value>().await.unwrap_or_default(),
            )
        }
    };
    let (status, body) = token(r1.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let r2 = body["refresh_token"]
        .as_str()
        .expect("a new refresh token")
        .to_owned();
    assert_ne!(r1, r2);
    let (status, body) = token(r1).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
    // The replay revoked the sign-in: the newest token is gone too.
    let (_, body) = token(r2).await;
    assert_eq!(body["error"].as_str(), Some("invalid_grant"));
}

async fn revoking_a_replaced_token_revokes_its_sign_in(s: TestServer) {
    let (pool_id, client_id, _) = setup(&s, Some(rotation(Some(30))), false).await;
    let first = sign_in(&s, &pool_id, &client_id, None).await;
    let r1 = first.refresh_token().unwrap().to_owned();
    let r2 = new_refresh_token(&refresh(&s, &client_id, &r1, None).await);
    s.public()
        .revoke_token()
        .client_id(&client_id)
        .token(&r1)
        .send()
        .await
        .unwrap();
    let err = refresh(&s, &client_id, &r2, None).await.unwrap_err();
    assert_eq!(error_name(&err), "NotAuthorizedException");
}

on_both_backends!(
    rotation_settings_round_trip_and_are_validated,
    get_tokens_from_refresh_token_rotates_and_replay_revokes,
    without_rotation_the_refresh_token_stays,
    the_client_secret_is_checked,
    refresh_token_auth_is_refused_under_rotation,
    the_token_endpoint_rotates_the_same_way,
    revoking_a_replaced_token_revokes_its_sign_in,
);
