//! UserMigration: users brought in from another directory at sign-in
//! (UserMigration_Authentication, API and hosted UI) and at ForgotPassword
//! (UserMigration_ForgotPassword), through a real Lambda Invoke API peer
//! (`common::lambda`); and the preset "migrate from Amazon Cognito" against
//! a second Cognate as the source user pool.

use std::collections::BTreeMap;

use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, AuthenticationResultType, ExplicitAuthFlowsType, PreventUserExistenceErrorTypes,
};
use serde_json::{Value, json};

use crate::common::hosted::{hosted_password_sign_in, location, query_param};
use crate::common::lambda::{Peer, arn, create_pool, function_error, pool_with, server_with_peer};
use crate::common::users::PASSWORD;
use crate::common::{ADMIN_KEY_ID, ADMIN_SECRET, Backend, TestServer, error_name, jwt_claims};
use cognate::config::{CognitoSource, Secret};

/// The password the legacy directory knows: Cognito's default policy would
/// refuse it, and migration keeps it all the same.
const OLD_PASSWORD: &str = "old-secret";

type Failure = (String, String);

fn failure<E, R>(e: &aws_sdk_cognitoidentityprovider::error::SdkError<E, R>) -> Failure
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let message = e
        .as_service_error()
        .and_then(|s| s.message())
        .unwrap_or("")
        .to_owned();
    (error_name(e), message)
}

/// USER_PASSWORD_AUTH with ClientMetadata {"app": "web"}.
async fn sign_in(
    s: &TestServer,
    client_id: &str,
    name: &str,
    password: &str,
) -> Result<AuthenticationResultType, Failure> {
    s.public()
        .initiate_auth()
        .client_id(client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", name)
        .auth_parameters("PASSWORD", password)
        .client_metadata("app", "web")
        .send()
        .await
        .map(|o| o.authentication_result().expect("tokens").clone())
        .map_err(|e| failure(&e))
}

async fn forgot_password(s: &TestServer, client_id: &str, name: &str) -> Result<String, Failure> {
    s.public()
        .forgot_password()
        .client_id(client_id)
        .username(name)
        .client_metadata("lang", "fr")
        .send()
        .await
        .map(|o| {
            o.code_delivery_details()
                .and_then(|d| d.destination())
                .unwrap_or("")
                .to_owned()
        })
        .map_err(|e| failure(&e))
}

async fn confirm_forgot_password(
    s: &TestServer,
    client_id: &str,
    name: &str,
    code: &str,
    password: &str,
) {
    s.public()
        .confirm_forgot_password()
        .client_id(client_id)
        .username(name)
        .confirmation_code(code)
        .password(password)
        .send()
        .await
        .expect("confirm forgot password");
}

/// A legacy directory with one user, "ann" (password [`OLD_PASSWORD`]),
/// as the function "legacy": a wrong password throws, as the developer
/// guide's example does; a name it does not know goes back untouched.
/// `shape` adds to the response it gives.
fn legacy_directory(peer: &Peer, shape: impl Fn(&mut Value) + Send + Sync + 'static) {
    peer.define_raw("legacy", move |mut e| {
        use axum::response::IntoResponse;
        if e["userName"] != "ann" {
            return axum::Json(e).into_response();
        }
        let forgot = e["triggerSource"] == "UserMigration_ForgotPassword";
        if !forgot && e["request"]["password"] != OLD_PASSWORD {
            return function_error("Bad password");
        }
        e["response"]["userAttributes"] = json!({
            "email": "ann@example.com",
            "email_verified": "true",
            "given_name": "Ann",
        });
        e["response"]["messageAction"] = json!("SUPPRESS");
        shape(&mut e["response"]);
        axum::Json(e).into_response()
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_migrates_an_unknown_name_with_its_password_and_goes_on_to_tokens() {
    let (s, peer, _) = server_with_peer().await;
    legacy_directory(&peer, |_| {});
    let (pool_id, client_id) = pool_with(&s, json!({ "UserMigration": arn("legacy") })).await;

    let tokens = sign_in(&s, &client_id, "ann", OLD_PASSWORD).await.unwrap();
    let id = jwt_claims(tokens.id_token().unwrap());
    assert_eq!(id["cognito:username"], "ann");
    assert_eq!(id["email"], "ann@example.com");
    assert_eq!(id["given_name"], "Ann");

    let events = peer.events_of("legacy");
    assert_eq!(events.len(), 1);
    let e = &events[0];
    assert_eq!(e["version"], "1");
    assert_eq!(e["triggerSource"], "UserMigration_Authentication");
    assert_eq!(e["region"], "us-east-1");
    assert_eq!(e["userPoolId"], pool_id.as_str());
    assert_eq!(e["userName"], "ann");
    assert_eq!(e["callerContext"]["clientId"], client_id.as_str());
    assert_eq!(e["request"]["password"], OLD_PASSWORD);
    // Developer guide: a sign-in's ClientMetadata is the validationData.
    assert_eq!(e["request"]["validationData"], json!({"app": "web"}));
    assert_eq!(e["request"]["clientMetadata"], json!({"app": "web"}));
    assert_eq!(
        e["response"],
        json!({
            "userAttributes": null,
            "finalUserStatus": null,
            "messageAction": null,
            "desiredDeliveryMediums": null,
            "forceAliasCreation": null,
            "enableSMSMFA": null,
        })
    );

    // The user is in the pool as the function described them.
    let user = s.admin_get(&pool_id, "ann").await;
    assert_eq!(user.user_status().unwrap().as_str(), "CONFIRMED");
    let attrs: BTreeMap<&str, &str> = user
        .user_attributes()
        .iter()
        .map(|a| (a.name(), a.value().unwrap_or("")))
        .collect();
    assert_eq!(attrs["email"], "ann@example.com");
    assert_eq!(attrs["email_verified"], "true");
    assert_eq!(attrs["given_name"], "Ann");
    assert_eq!(attrs["sub"], id["sub"].as_str().unwrap());
    assert!(s.outbox(&pool_id).await.is_empty(), "SUPPRESS: no welcome");

    // The second sign-in is an ordinary one: the password is the user's
    // now, and the function is not asked again.
    sign_in(&s, &client_id, "ann", OLD_PASSWORD).await.unwrap();
    assert_eq!(
        sign_in(&s, &client_id, "ann", "Wrong-passw0rd!")
            .await
            .unwrap_err(),
        (
            "NotAuthorizedException".into(),
            "Incorrect username or password.".into()
        )
    );
    assert_eq!(peer.events_of("legacy").len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn srp_sign_ins_do_not_migrate_having_no_password_to_give() {
    let (s, peer, _) = server_with_peer().await;
    legacy_directory(&peer, |_| {});
    let pool_id = create_pool(&s, json!({ "UserMigration": arn("legacy") }))
        .await
        .unwrap();
    let (client_id, _) = s
        .app_client(&pool_id, |c| {
            c.explicit_auth_flows(ExplicitAuthFlowsType::AllowUserSrpAuth)
                .prevent_user_existence_errors(PreventUserExistenceErrorTypes::Legacy)
        })
        .await;
    let e = s
        .public()
        .initiate_auth()
        .client_id(&client_id)
        .auth_flow(AuthFlowType::UserSrpAuth)
        .auth_parameters("USERNAME", "ann")
        .auth_parameters("SRP_A", "0a1b2c3d")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&e), "UserNotFoundException");
    assert!(peer.events_of("legacy").is_empty());
    assert_eq!(s.user_count(&pool_id).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_migration_function_that_throws_on_a_wrong_password_leaves_no_user() {
    let (s, peer, _) = server_with_peer().await;
    legacy_directory(&peer, |_| {});
    let (pool_id, client_id) = pool_with(&s, json!({ "UserMigration": arn("legacy") })).await;
    assert_eq!(
        sign_in(&s, &client_id, "ann", "not-her-password")
            .await
            .unwrap_err(),
        (
            "UserLambdaValidationException".into(),
            "UserMigration failed with error Bad password.".into()
        )
    );
    assert_eq!(s.user_count(&pool_id).await, 0);
    assert!(s.outbox(&pool_id).await.is_empty());
    // The right password still migrates her afterwards.
    sign_in(&s, &client_id, "ann", OLD_PASSWORD).await.unwrap();
    assert_eq!(s.user_count(&pool_id).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn names_the_function_does_not_know_answer_as_unknown_names() {
    let (s, peer, _) = server_with_peer().await;
    legacy_directory(&peer, |_| {});
    let (pool_id, client_id) = pool_with(&s, json!({ "UserMigration": arn("legacy") })).await;
    // Cognito's answer when the function gives no userAttributes.
    let unknown = (
        "UserNotFoundException".to_owned(),
        format!("Exception migrating user in app client {client_id}"),
    );
    assert_eq!(
        sign_in(&s, &client_id, "bob", PASSWORD).await.unwrap_err(),
        unknown
    );
    assert_eq!(
        forgot_password(&s, &client_id, "bob").await.unwrap_err(),
        unknown
    );
    assert_eq!(peer.events_of("legacy").len(), 2);

    // A client that hides which users exist: the answers of any unknown
    // name, a simulated delivery included, and nothing sent.
    let (hiding, _) = s.client(&pool_id, false, true).await;
    s.verified_user(&pool_id, "carol", PASSWORD, "carol@example.com")
        .await;
    let wrong_password = sign_in(&s, &hiding, "carol", "Wrong-passw0rd!")
        .await
        .unwrap_err();
    assert_eq!(
        sign_in(&s, &hiding, "bob", PASSWORD).await.unwrap_err(),
        wrong_password
    );
    assert_eq!(
        forgot_password(&s, &hiding, "bob@example.com")
            .await
            .unwrap(),
        "b***@e***"
    );
    assert_eq!(s.user_count(&pool_id).await, 1, "carol only");
    assert!(s.outbox(&pool_id).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_required_makes_the_migrated_user_reset_the_password() {
    let (s, peer, _) = server_with_peer().await;
    legacy_directory(&peer, |r| r["finalUserStatus"] = json!("RESET_REQUIRED"));
    let (pool_id, client_id) = pool_with(&s, json!({ "UserMigration": arn("legacy") })).await;
    assert_eq!(
        sign_in(&s, &client_id, "ann", OLD_PASSWORD)
            .await
            .unwrap_err(),
        (
            "PasswordResetRequiredException".into(),
            "Password reset required for the user".into()
        )
    );
    assert_eq!(s.admin_status(&pool_id, "ann").await, "RESET_REQUIRED");
    // The client app's part: ForgotPassword, then a new password.
    forgot_password(&s, &client_id, "ann").await.unwrap();
    let code = s.code_sent_to(&pool_id, "ann@example.com").await;
    confirm_forgot_password(&s, &client_id, "ann", &code, "New-Passw0rd!").await;
    assert_eq!(s.admin_status(&pool_id, "ann").await, "CONFIRMED");
    sign_in(&s, &client_id, "ann", "New-Passw0rd!")
        .await
        .unwrap();
    assert_eq!(peer.events_of("legacy").len(), 1, "migrated once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forgot_password_migrates_the_user_and_sends_the_reset_code() {
    let (s, peer, _) = server_with_peer().await;
    legacy_directory(&peer, |_| {});
    let (pool_id, client_id) = pool_with(&s, json!({ "UserMigration": arn("legacy") })).await;
    assert_eq!(
        forgot_password(&s, &client_id, "ann").await.unwrap(),
        "a***@e***"
    );
    let events = peer.events_of("legacy");
    assert_eq!(events.len(), 1);
    let e = &events[0];
    assert_eq!(e["triggerSource"], "UserMigration_ForgotPassword");
    assert_eq!(e["userName"], "ann");
    assert!(
        e["request"].get("password").is_none(),
        "no password in the forgot-password flow"
    );
    assert_eq!(e["request"]["clientMetadata"], json!({"lang": "fr"}));
    assert_eq!(s.admin_status(&pool_id, "ann").await, "RESET_REQUIRED");
    let sent = s.outbox(&pool_id).await;
    assert_eq!(sent.len(), 1, "the reset code, and no welcome (SUPPRESS)");

    let code = s.code_sent_to(&pool_id, "ann@example.com").await;
    confirm_forgot_password(&s, &client_id, "ann", &code, "New-Passw0rd!").await;
    assert_eq!(s.admin_status(&pool_id, "ann").await, "CONFIRMED");
    sign_in(&s, &client_id, "ann", "New-Passw0rd!")
        .await
        .unwrap();
    assert_eq!(peer.events_of("legacy").len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forgot_password_migration_without_a_verified_address_writes_nothing() {
    let (s, peer, _) = server_with_peer().await;
    legacy_directory(&peer, |r| {
        r["userAttributes"]["email_verified"] = json!("false")
    });
    let (pool_id, client_id) = pool_with(&s, json!({ "UserMigration": arn("legacy") })).await;
    assert_eq!(
        forgot_password(&s, &client_id, "ann").await.unwrap_err().0,
        "InvalidParameterException"
    );
    assert_eq!(s.user_count(&pool_id).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrated_attributes_are_checked_as_admin_create_user_checks_them() {
    let (s, peer, _) = server_with_peer().await;
    peer.define("odd", |mut e| {
        e["response"]["userAttributes"] = json!({"email": "ann@example.com", "shoe_size": "9"});
        e
    });
    peer.define("garbled", |mut e| {
        e["response"]["userAttributes"] = json!({"email": "ann@example.com"});
        e["response"]["finalUserStatus"] = json!("UNCONFIRMED");
        e
    });
    for (function, error) in [
        ("odd", "InvalidParameterException"),
        ("garbled", "InvalidLambdaResponseException"),
    ] {
        let (pool_id, client_id) = pool_with(&s, json!({ "UserMigration": arn(function) })).await;
        assert_eq!(
            sign_in(&s, &client_id, "ann", OLD_PASSWORD)
                .await
                .unwrap_err()
                .0,
            error,
            "{function}"
        );
        assert_eq!(s.user_count(&pool_id).await, 0, "{function}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_username_among_the_attributes_names_a_user_who_signed_in_with_an_alias() {
    let (s, peer, _) = server_with_peer().await;
    peer.define("by-email", |mut e| {
        if e["userName"] == "ann@example.com" && e["request"]["password"] == OLD_PASSWORD {
            e["response"]["userAttributes"] = json!({
                "username": "ann",
                "email": "ann@example.com",
                "email_verified": "true",
            });
            e["response"]["messageAction"] = json!("SUPPRESS");
        }
        e
    });
    let pool_id = s
        .pool(|b| {
            b.alias_attributes(aws_sdk_cognitoidentityprovider::types::AliasAttributeType::Email)
                .lambda_config(
                    aws_sdk_cognitoidentityprovider::types::LambdaConfigType::builder()
                        .user_migration(arn("by-email"))
                        .build(),
                )
        })
        .await;
    let (client_id, _) = s.client(&pool_id, false, false).await;
    let tokens = sign_in(&s, &client_id, "ann@example.com", OLD_PASSWORD)
        .await
        .unwrap();
    assert_eq!(
        jwt_claims(tokens.id_token().unwrap())["cognito:username"],
        "ann"
    );
    // Both names find her now, without the function.
    sign_in(&s, &client_id, "ann", OLD_PASSWORD).await.unwrap();
    sign_in(&s, &client_id, "ann@example.com", OLD_PASSWORD)
        .await
        .unwrap();
    assert_eq!(peer.events_of("by-email").len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_welcome_message_goes_unless_suppressed_and_never_carries_the_password() {
    let (s, peer, _) = server_with_peer().await;
    legacy_directory(&peer, |r| {
        r["messageAction"] = Value::Null;
        r["desiredDeliveryMediums"] = json!(["EMAIL"]);
    });
    let (pool_id, client_id) = pool_with(&s, json!({ "UserMigration": arn("legacy") })).await;
    sign_in(&s, &client_id, "ann", OLD_PASSWORD).await.unwrap();
    let sent = s.outbox(&pool_id).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].destination, "ann@example.com");
    assert!(sent[0].body.contains("ann"), "{}", sent[0].body);
    assert!(sent[0].body.contains("********"), "{}", sent[0].body);
    assert!(!sent[0].body.contains(OLD_PASSWORD));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hosted_ui_password_sign_in_migrates_the_user() {
    const CALLBACK: &str = "https://app.example/callback";
    let (s, peer, _) = server_with_peer().await;
    legacy_directory(&peer, |_| {});
    let pool_id = create_pool(&s, json!({ "UserMigration": arn("legacy") }))
        .await
        .unwrap();
    let (client_id, _) = s
        .code_client(&pool_id, CALLBACK, &["openid", "email"], |c| c)
        .await;
    let done = hosted_password_sign_in(
        &s.url,
        &pool_id,
        &client_id,
        CALLBACK,
        "openid+email",
        "ann",
        OLD_PASSWORD,
    )
    .await;
    assert!(
        query_param(&location(&done), "code").is_some(),
        "signed in: an authorization code"
    );
    let events = peer.events_of("legacy");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["triggerSource"], "UserMigration_Authentication");
    assert_eq!(events[0]["callerContext"]["clientId"], client_id.as_str());
    assert_eq!(events[0]["request"]["validationData"], json!({}));
    assert_eq!(s.admin_status(&pool_id, "ann").await, "CONFIRMED");
}

// The preset "migrate from Amazon Cognito", against a second Cognate.

const PRESET: &str =
    "arn:aws:lambda:us-east-1:000000000000:function:cognate-migrate-from-cognito-legacy";

/// A source Cognate with "ann" (verified email, a given name) in a pool
/// whose client has a secret; (server, pool, client, secret, ann's sub).
async fn source_pool() -> (TestServer, String, String, String, String) {
    let source = TestServer::start(Backend::Sqlite).await.unwrap();
    let pool_id = source.email_pool().await;
    let (client_id, secret) = source.client(&pool_id, true, false).await;
    source
        .admin_user(
            &pool_id,
            "ann",
            OLD_PASSWORD_FOR_SOURCE,
            &[
                ("email", "ann@example.com"),
                ("email_verified", "true"),
                ("given_name", "Ann"),
            ],
        )
        .await;
    let sub = source
        .admin_attr(&pool_id, "ann", "sub")
        .await
        .expect("a sub");
    (source, pool_id, client_id, secret.expect("a secret"), sub)
}

/// The source pool's policy is Cognito's default: its password obeys it.
const OLD_PASSWORD_FOR_SOURCE: &str = "Old-Passw0rd!";

/// A Cognate migrating from `source` through the preset (admin keys when
/// `admin`), with a pool using it; (server, pool, client).
async fn migrating_from(
    source: &TestServer,
    pool_id: &str,
    client_id: &str,
    secret: &str,
    admin: bool,
) -> (TestServer, String, String) {
    let from = CognitoSource {
        region: "us-east-1".into(),
        user_pool_id: pool_id.into(),
        client_id: client_id.into(),
        client_secret: Some(Secret::new(secret)),
        endpoint: Some(source.url.clone()),
        admin_access_key_id: admin.then(|| ADMIN_KEY_ID.to_owned()),
        admin_secret_access_key: admin.then(|| Secret::new(ADMIN_SECRET)),
    };
    let s = TestServer::start_with(Backend::Sqlite, |c| {
        c.migrate_from_cognito.insert(PRESET.into(), from);
    })
    .await
    .unwrap();
    let (pool, client) = pool_with(&s, json!({ "UserMigration": PRESET })).await;
    (s, pool, client)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cognito_preset_signs_users_in_with_their_old_password_and_keeps_their_attributes() {
    let (source, source_pool, source_client, secret, old_sub) = source_pool().await;
    let (s, pool_id, client_id) =
        migrating_from(&source, &source_pool, &source_client, &secret, false).await;

    // A wrong password: the source refuses, and nothing is written.
    assert_eq!(
        sign_in(&s, &client_id, "ann", "Wrong-Passw0rd!")
            .await
            .unwrap_err(),
        (
            "UserNotFoundException".into(),
            format!("Exception migrating user in app client {client_id}")
        )
    );
    assert_eq!(
        sign_in(&s, &client_id, "nobody", "Wrong-Passw0rd!")
            .await
            .unwrap_err()
            .0,
        "UserNotFoundException"
    );
    assert_eq!(s.user_count(&pool_id).await, 0);

    let tokens = sign_in(&s, &client_id, "ann", OLD_PASSWORD_FOR_SOURCE)
        .await
        .unwrap();
    let id = jwt_claims(tokens.id_token().unwrap());
    assert_eq!(id["email"], "ann@example.com");
    assert_eq!(id["given_name"], "Ann");
    assert_ne!(id["sub"], old_sub.as_str(), "Cognito gives a new sub");
    assert_eq!(s.admin_status(&pool_id, "ann").await, "CONFIRMED");
    assert_eq!(
        s.admin_attr(&pool_id, "ann", "email_verified")
            .await
            .as_deref(),
        Some("true")
    );
    assert!(s.outbox(&pool_id).await.is_empty(), "no welcome message");

    // Migrated: the source is no longer asked.
    source
        .admin()
        .admin_delete_user()
        .user_pool_id(&source_pool)
        .username("ann")
        .send()
        .await
        .unwrap();
    sign_in(&s, &client_id, "ann", OLD_PASSWORD_FOR_SOURCE)
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forgot_password_with_the_cognito_preset_needs_the_source_admin_keys() {
    let (source, source_pool, source_client, secret, _) = source_pool().await;

    // Without admin keys the source cannot be asked: an unknown name.
    let (s, pool_id, client_id) =
        migrating_from(&source, &source_pool, &source_client, &secret, false).await;
    assert_eq!(
        forgot_password(&s, &client_id, "ann").await.unwrap_err().0,
        "UserNotFoundException"
    );
    assert_eq!(s.user_count(&pool_id).await, 0);

    // With them: AdminGetUser, the user in RESET_REQUIRED, the code sent.
    let (s, pool_id, client_id) =
        migrating_from(&source, &source_pool, &source_client, &secret, true).await;
    assert_eq!(
        forgot_password(&s, &client_id, "nobody")
            .await
            .unwrap_err()
            .0,
        "UserNotFoundException"
    );
    assert_eq!(
        forgot_password(&s, &client_id, "ann").await.unwrap(),
        "a***@e***"
    );
    assert_eq!(s.admin_status(&pool_id, "ann").await, "RESET_REQUIRED");
    assert_eq!(
        s.admin_attr(&pool_id, "ann", "given_name").await.as_deref(),
        Some("Ann")
    );
    let code = s.code_sent_to(&pool_id, "ann@example.com").await;
    confirm_forgot_password(&s, &client_id, "ann", &code, "New-Passw0rd!").await;
    sign_in(&s, &client_id, "ann", "New-Passw0rd!")
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_by_the_function_lock_out_a_hidden_name_like_wrong_passwords() {
    let (s, peer, _) = server_with_peer().await;
    legacy_directory(&peer, |_| {});
    let pool_id = create_pool(&s, json!({ "UserMigration": arn("legacy") }))
        .await
        .unwrap();
    let (hiding, _) = s.client(&pool_id, false, true).await;
    for _ in 0..5 {
        assert_eq!(
            sign_in(&s, &hiding, "ann", "guess").await.unwrap_err().0,
            "UserLambdaValidationException"
        );
    }
    // Under PreventUserExistenceErrors an unknown name locks out as a
    // user does: the function is not asked while it lasts.
    assert_eq!(
        sign_in(&s, &hiding, "ann", OLD_PASSWORD).await.unwrap_err(),
        (
            "NotAuthorizedException".into(),
            "Password attempts exceeded".into()
        )
    );
    assert_eq!(peer.events_of("legacy").len(), 5);
    assert_eq!(s.user_count(&pool_id).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enable_sms_mfa_makes_the_migrated_user_answer_sms_mfa() {
    use aws_sdk_cognitoidentityprovider::types::{ChallengeNameType, UserPoolMfaType};
    let (s, peer, _) = server_with_peer().await;
    legacy_directory(&peer, |r| {
        r["enableSMSMFA"] = json!(true);
        r["userAttributes"]["phone_number"] = json!("+15555550100");
    });
    peer.define("no-phone", |mut e| {
        e["response"]["userAttributes"] = json!({"email": "ann@example.com"});
        e["response"]["enableSMSMFA"] = json!(true);
        e
    });
    let (pool_id, client_id) = pool_with(&s, json!({ "UserMigration": arn("legacy") })).await;
    s.set_mfa(&pool_id, UserPoolMfaType::Optional, false, false, true)
        .await;
    let answer = s
        .password_initiate(&client_id, "ann", OLD_PASSWORD)
        .await
        .unwrap();
    assert_eq!(answer.challenge_name(), Some(&ChallengeNameType::SmsMfa));
    assert_eq!(s.outbox(&pool_id).await[0].destination, "+15555550100");

    // Without a phone number there is no SMS MFA to turn on.
    let (pool_id, client_id) = pool_with(&s, json!({ "UserMigration": arn("no-phone") })).await;
    s.set_mfa(&pool_id, UserPoolMfaType::Optional, false, false, true)
        .await;
    assert_eq!(
        sign_in(&s, &client_id, "ann", OLD_PASSWORD)
            .await
            .unwrap_err()
            .0,
        "InvalidLambdaResponseException"
    );
    assert_eq!(s.user_count(&pool_id).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn force_alias_creation_moves_a_verified_email_alias_to_the_migrated_user() {
    use aws_sdk_cognitoidentityprovider::types::{AliasAttributeType, LambdaConfigType};
    let (s, peer, _) = server_with_peer().await;
    legacy_directory(&peer, |_| {});
    peer.define("forcing", |mut e| {
        e["response"]["userAttributes"] =
            json!({"email": "ann@example.com", "email_verified": "true"});
        e["response"]["messageAction"] = json!("SUPPRESS");
        e["response"]["forceAliasCreation"] = json!(true);
        e
    });
    for (function, moved) in [("legacy", false), ("forcing", true)] {
        let pool_id = s
            .pool(|b| {
                b.alias_attributes(AliasAttributeType::Email).lambda_config(
                    LambdaConfigType::builder()
                        .user_migration(arn(function))
                        .build(),
                )
            })
            .await;
        let (client_id, _) = s.client(&pool_id, false, false).await;
        s.verified_user(&pool_id, "old-ann", PASSWORD, "ann@example.com")
            .await;
        let migrated = sign_in(&s, &client_id, "ann", OLD_PASSWORD).await;
        if moved {
            migrated.unwrap();
            assert_eq!(
                s.admin_attr(&pool_id, "old-ann", "email_verified")
                    .await
                    .as_deref(),
                Some("false"),
                "the alias moved"
            );
        } else {
            assert_eq!(migrated.unwrap_err().0, "AliasExistsException");
            assert_eq!(s.user_count(&pool_id).await, 1, "no user migrated");
        }
    }
}
