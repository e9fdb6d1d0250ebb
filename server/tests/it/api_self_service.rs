//! Self-service through the AWS SDK for Rust with no AWS credentials, on
//! SQLite and PostgreSQL (Cognito API: SignUp, ConfirmSignUp,
//! ResendConfirmationCode, ForgotPassword, ConfirmForgotPassword,
//! ChangePassword, GetUser, UpdateUserAttributes, DeleteUserAttributes,
//! DeleteUser, GetUserAttributeVerificationCode, VerifyUserAttribute).
//! Codes are read from the outbox through the store.

use crate::common::users::{PASSWORD, attr};
use crate::common::{TestServer, error_name};
use aws_sdk_cognitoidentityprovider as cip;
use base64::Engine as _;
use cip::error::ProvideErrorMetadata as _;
use cip::types::{
    AdminCreateUserConfigType, DeliveryMediumType, SchemaAttributeType,
    UserAttributeUpdateSettingsType, UsernameAttributeType, VerifiedAttributeType,
};

on_both_backends!(
    sign_up_sends_a_code_that_confirms_the_user,
    sign_up_without_auto_verification_sends_nothing,
    sign_up_refuses_what_cognito_refuses_and_writes_nothing,
    sign_up_needs_the_secret_hash_of_a_secret_client,
    username_attributes_pool_takes_email_as_username,
    alias_pool_refuses_email_shaped_usernames,
    bad_input_as_a_new_user_would_try,
    confirmation_codes_expire_are_single_use_and_run_out,
    resend_confirmation_code_replaces_the_code,
    forgot_password_resets_with_a_one_hour_code,
    forgot_password_needs_a_verified_contact,
    prevent_user_existence_errors_hides_unknown_users,
    get_user_and_change_password_with_an_access_token,
    update_user_attributes_reverifies_a_changed_email,
    verification_before_update_keeps_the_old_email,
    delete_user_attributes_and_delete_user,
    token_actions_refuse_bad_tokens,
    codes_follow_the_pools_templates_and_channels,
);

async fn sign_up_sends_a_code_that_confirms_the_user(s: TestServer) {
    let pool_id = s.email_pool().await;
    let (client_id, _) = s.client(&pool_id, false, false).await;
    let public = s.public();
    let out = public
        .sign_up()
        .client_id(&client_id)
        .username("alice")
        .password(PASSWORD)
        .user_attributes(attr("email", "alice@example.com"))
        .user_attributes(attr("name", "Alice"))
        .send()
        .await
        .unwrap();
    assert!(!out.user_confirmed());
    let details = out.code_delivery_details().expect("code delivery details");
    assert_eq!(details.destination(), Some("a***@e***"));
    assert_eq!(details.delivery_medium(), Some(&DeliveryMediumType::Email));
    assert_eq!(details.attribute_name(), Some("email"));
    assert_eq!(s.admin_status(&pool_id, "alice").await, "UNCONFIRMED");
    assert_eq!(
        s.admin_attr(&pool_id, "alice", "sub").await.as_deref(),
        Some(out.user_sub())
    );

    let messages = s.outbox(&pool_id).await;
    assert_eq!(messages.len(), 1);
    assert_eq!(
        messages[0].subject.as_deref(),
        Some("Your verification code")
    );
    assert!(messages[0].body.starts_with("Your verification code is "));
    let code = s.code_sent_to(&pool_id, "alice@example.com").await;
    // The code is kept only as a keyed hash.
    let stored = s.state.idp.store.recent_messages(None, 1).await.unwrap();
    assert_eq!(stored.len(), 1);
    let user = s
        .state
        .idp
        .find_user_by_name(&s.state.idp.pool(&pool_id).await.unwrap(), "alice")
        .await
        .unwrap()
        .unwrap();
    let settings = serde_json::to_string(&user.settings).unwrap();
    assert!(!settings.contains(&code), "the code is not stored in clear");

    let wrong = if code == "000000" { "111111" } else { "000000" };
    let err = public
        .confirm_sign_up()
        .client_id(&client_id)
        .username("alice")
        .confirmation_code(wrong)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "CodeMismatchException");
    assert_eq!(s.admin_status(&pool_id, "alice").await, "UNCONFIRMED");

    public
        .confirm_sign_up()
        .client_id(&client_id)
        .username("alice")
        .confirmation_code(&code)
        .send()
        .await
        .unwrap();
    assert_eq!(s.admin_status(&pool_id, "alice").await, "CONFIRMED");
    assert_eq!(
        s.admin_attr(&pool_id, "alice", "email_verified")
            .await
            .as_deref(),
        Some("true")
    );
    let err = public
        .confirm_sign_up()
        .client_id(&client_id)
        .username("alice")
        .confirmation_code(&code)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "NotAuthorizedException");

    // Housekeeping keeps the outbox a week, then the message (a secret) goes.
    let idp = &s.state.idp;
    s.clock.advance(6 * 86_400 * 1000);
    assert_eq!(idp.purge_old_outbox_messages().await.unwrap(), 0);
    assert_eq!(s.outbox(&pool_id).await.len(), 1);
    s.clock.advance(2 * 86_400 * 1000);
    assert_eq!(idp.purge_old_outbox_messages().await.unwrap(), 1);
    assert!(s.outbox(&pool_id).await.is_empty());
}

async fn sign_up_without_auto_verification_sends_nothing(s: TestServer) {
    let pool_id = s.pool(|b| b).await;
    let (client_id, _) = s.client(&pool_id, false, false).await;
    let out = s
        .public()
        .sign_up()
        .client_id(&client_id)
        .username("bob")
        .password(PASSWORD)
        .user_attributes(attr("email", "bob@example.com"))
        .send()
        .await
        .unwrap();
    assert!(!out.user_confirmed());
    assert!(out.code_delivery_details().is_none());
    assert!(s.outbox(&pool_id).await.is_empty());
    assert_eq!(s.admin_status(&pool_id, "bob").await, "UNCONFIRMED");
}

/// Username, password, attributes, the error expected.
type Case = (
    &'static str,
    &'static str,
    Vec<(&'static str, &'static str)>,
    &'static str,
);

async fn sign_up_refuses_what_cognito_refuses_and_writes_nothing(s: TestServer) {
    let pool_id = s
        .pool(|b| {
            b.auto_verified_attributes(VerifiedAttributeType::Email)
                .schema(
                    SchemaAttributeType::builder()
                        .name("email")
                        .attribute_data_type(cip::types::AttributeDataType::String)
                        .required(true)
                        .mutable(true)
                        .build(),
                )
                .schema(
                    SchemaAttributeType::builder()
                        .name("tier")
                        .attribute_data_type(cip::types::AttributeDataType::Number)
                        .build(),
                )
        })
        .await;
    let (client_id, _) = s.client(&pool_id, false, false).await;
    let public = s.public();
    let try_sign_up = |username: &'static str,
                       password: &'static str,
                       attrs: Vec<(&'static str, &'static str)>| {
        let mut req = public
            .sign_up()
            .client_id(&client_id)
            .username(username)
            .password(password);
        for (n, v) in attrs {
            req = req.user_attributes(attr(n, v));
        }
        req.send()
    };
    let cases: Vec<Case> = vec![
        (
            "u1",
            "short",
            vec![("email", "u1@example.com")],
            "InvalidPasswordException",
        ),
        (
            "u1",
            "password1!",
            vec![("email", "u1@example.com")],
            "InvalidPasswordException",
        ),
        (
            "u1",
            PASSWORD,
            vec![("email", "not-an-email")],
            "InvalidParameterException",
        ),
        ("u1", PASSWORD, vec![], "InvalidParameterException"),
        (
            "u1",
            PASSWORD,
            vec![("email", "u1@example.com"), ("custom:nope", "1")],
            "InvalidParameterException",
        ),
        (
            "u1",
            PASSWORD,
            vec![("email", "u1@example.com"), ("custom:tier", "many")],
            "InvalidParameterException",
        ),
        (
            "u1",
            PASSWORD,
            vec![("email", "u1@example.com"), ("email_verified", "true")],
            "NotAuthorizedException",
        ),
        (
            "u1",
            PASSWORD,
            vec![("email", "u1@example.com"), ("sub", "x")],
            "InvalidParameterException",
        ),
        (
            "u1",
            PASSWORD,
            vec![("email", "u1@example.com"), ("name", "a"), ("name", "b")],
            "InvalidParameterException",
        ),
    ];
    for (username, password, attrs, expected) in cases {
        let err = try_sign_up(username, password, attrs.clone())
            .await
            .unwrap_err();
        assert_eq!(
            error_name(&err),
            expected,
            "{username} {password} {attrs:?}"
        );
    }
    assert_eq!(s.user_count(&pool_id).await, 0, "nothing was written");
    assert!(s.outbox(&pool_id).await.is_empty(), "nothing was sent");

    try_sign_up(
        "u1",
        PASSWORD,
        vec![("email", "u1@example.com"), ("custom:tier", "3")],
    )
    .await
    .unwrap();
    let err = try_sign_up("u1", PASSWORD, vec![("email", "other@example.com")])
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "UsernameExistsException");
    assert_eq!(s.user_count(&pool_id).await, 1);

    // A client may write only its WriteAttributes.
    let limited = s
        .admin()
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("limited")
        .write_attributes("email")
        .send()
        .await
        .unwrap();
    let limited = limited.user_pool_client().unwrap().client_id().unwrap();
    let err = public
        .sign_up()
        .client_id(limited)
        .username("u2")
        .password(PASSWORD)
        .user_attributes(attr("email", "u2@example.com"))
        .user_attributes(attr("name", "U2"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "NotAuthorizedException");

    let err = public
        .sign_up()
        .client_id("nosuchclient0000000000000a")
        .username("u3")
        .password(PASSWORD)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "ResourceNotFoundException");

    // Cognito API: SignUp — not when only administrators create users.
    let admin_only = s
        .pool(|b| {
            b.admin_create_user_config(
                AdminCreateUserConfigType::builder()
                    .allow_admin_create_user_only(true)
                    .build(),
            )
        })
        .await;
    let (admin_only_client, _) = s.client(&admin_only, false, false).await;
    let err = public
        .sign_up()
        .client_id(&admin_only_client)
        .username("u4")
        .password(PASSWORD)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "NotAuthorizedException");
    assert_eq!(
        err.as_service_error().and_then(|e| e.message()),
        Some("SignUp is not permitted for this user pool")
    );
    assert_eq!(s.user_count(&pool_id).await, 1);
}

fn secret_hash(secret: &str, username: &str, client_id: &str) -> String {
    use aws_lc_rs::hmac;
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
    let tag = hmac::sign(&key, format!("{username}{client_id}").as_bytes());
    base64::engine::general_purpose::STANDARD.encode(tag.as_ref())
}

async fn sign_up_needs_the_secret_hash_of_a_secret_client(s: TestServer) {
    let pool_id = s.email_pool().await;
    let (client_id, secret) = s.client(&pool_id, true, false).await;
    let secret = secret.expect("a secret");
    let public = s.public();
    let sign_up = |hash: Option<String>| {
        public
            .sign_up()
            .client_id(&client_id)
            .set_secret_hash(hash)
            .username("carol")
            .password(PASSWORD)
            .user_attributes(attr("email", "carol@example.com"))
            .send()
    };
    let err = sign_up(None).await.unwrap_err();
    assert_eq!(error_name(&err), "NotAuthorizedException");
    let err = sign_up(Some(secret_hash(&secret, "mallory", &client_id)))
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "NotAuthorizedException");
    let err = sign_up(Some("bm90IGEgaGFzaA==".into())).await.unwrap_err();
    assert_eq!(error_name(&err), "NotAuthorizedException");
    assert_eq!(s.user_count(&pool_id).await, 0);
    sign_up(Some(secret_hash(&secret, "carol", &client_id)))
        .await
        .unwrap();

    let code = s.code_sent_to(&pool_id, "carol@example.com").await;
    let err = public
        .confirm_sign_up()
        .client_id(&client_id)
        .username("carol")
        .confirmation_code(&code)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "NotAuthorizedException");
    public
        .confirm_sign_up()
        .client_id(&client_id)
        .secret_hash(secret_hash(&secret, "carol", &client_id))
        .username("carol")
        .confirmation_code(&code)
        .send()
        .await
        .unwrap();
    assert_eq!(s.admin_status(&pool_id, "carol").await, "CONFIRMED");
}

async fn username_attributes_pool_takes_email_as_username(s: TestServer) {
    let pool_id = s
        .pool(|b| {
            b.username_attributes(UsernameAttributeType::Email)
                .auto_verified_attributes(VerifiedAttributeType::Email)
        })
        .await;
    let (client_id, _) = s.client(&pool_id, false, false).await;
    let public = s.public();
    let out = public
        .sign_up()
        .client_id(&client_id)
        .username("dana@example.com")
        .password(PASSWORD)
        .send()
        .await
        .unwrap();
    // The username is a UUID (the sub); the email is the attribute.
    let user = s
        .admin()
        .admin_get_user()
        .user_pool_id(&pool_id)
        .username("dana@example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(user.username(), out.user_sub());
    assert!(uuid::Uuid::parse_str(user.username()).is_ok());
    assert_eq!(
        s.admin_attr(&pool_id, "dana@example.com", "email")
            .await
            .as_deref(),
        Some("dana@example.com")
    );
    let code = s.code_sent_to(&pool_id, "dana@example.com").await;
    public
        .confirm_sign_up()
        .client_id(&client_id)
        .username("dana@example.com")
        .confirmation_code(code)
        .send()
        .await
        .unwrap();
    assert_eq!(
        s.admin_status(&pool_id, "dana@example.com").await,
        "CONFIRMED"
    );

    let err = public
        .sign_up()
        .client_id(&client_id)
        .username("dana")
        .password(PASSWORD)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "InvalidParameterException");
    assert_eq!(
        err.as_service_error().and_then(|e| e.message()),
        Some("Username should be an email.")
    );
    let err = public
        .sign_up()
        .client_id(&client_id)
        .username("dana@example.com")
        .password(PASSWORD)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "UsernameExistsException");
    assert_eq!(s.user_count(&pool_id).await, 1);
}

async fn alias_pool_refuses_email_shaped_usernames(s: TestServer) {
    let pool_id = s
        .pool(|b| {
            b.alias_attributes(cip::types::AliasAttributeType::Email)
                .auto_verified_attributes(VerifiedAttributeType::Email)
        })
        .await;
    let (client_id, _) = s.client(&pool_id, false, false).await;
    let err = s
        .public()
        .sign_up()
        .client_id(&client_id)
        .username("erin@example.com")
        .password(PASSWORD)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "InvalidParameterException");

    // A verified email is an alias: a second user confirming the same email
    // clashes, unless ForceAliasCreation moves it.
    s.confirmed_user(&pool_id, &client_id, "erin", "erin@example.com")
        .await;
    s.public()
        .sign_up()
        .client_id(&client_id)
        .username("erin2")
        .password(PASSWORD)
        .user_attributes(attr("email", "erin@example.com"))
        .send()
        .await
        .unwrap();
    let code = s.code_sent_to(&pool_id, "erin@example.com").await;
    let err = s
        .public()
        .confirm_sign_up()
        .client_id(&client_id)
        .username("erin2")
        .confirmation_code(&code)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "AliasExistsException");
    assert_eq!(s.admin_status(&pool_id, "erin2").await, "UNCONFIRMED");
    s.public()
        .confirm_sign_up()
        .client_id(&client_id)
        .username("erin2")
        .confirmation_code(&code)
        .force_alias_creation(true)
        .send()
        .await
        .unwrap();
    assert_eq!(s.admin_status(&pool_id, "erin2").await, "CONFIRMED");
    assert_eq!(
        s.admin_attr(&pool_id, "erin", "email_verified")
            .await
            .as_deref(),
        Some("false")
    );
    // The alias now finds erin2.
    let found = s
        .admin()
        .admin_get_user()
        .user_pool_id(&pool_id)
        .username("erin@example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(found.username(), "erin2");
}

async fn bad_input_as_a_new_user_would_try(s: TestServer) {
    let pool_id = s.email_pool().await;
    let (client_id, _) = s.client(&pool_id, false, false).await;
    let public = s.public();
    // Unicode usernames are fine (Cognito: [\p{L}\p{M}\p{S}\p{N}\p{P}]+).
    for name in [
        "émile",
        "用户",
        "ユーザー名",
        "robert');DROP-TABLE-users;--",
        "x".repeat(128).as_str(),
    ] {
        public
            .sign_up()
            .client_id(&client_id)
            .username(name)
            .password(PASSWORD)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{name}: {e:?}"));
    }
    for name in [
        "x".repeat(129),
        "has space".into(),
        "tab\there".into(),
        "'; DROP TABLE users; --".into(),
        String::new(),
    ] {
        let err = public
            .sign_up()
            .client_id(&client_id)
            .username(&name)
            .password(PASSWORD)
            .send()
            .await
            .unwrap_err();
        assert_eq!(error_name(&err), "InvalidParameterException", "{name:?}");
    }
    let err = public
        .sign_up()
        .client_id(&client_id)
        .username("nameless")
        .password(PASSWORD)
        .user_attributes(attr("name", &"n".repeat(2049)))
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "InvalidParameterException");
    assert_eq!(s.user_count(&pool_id).await, 5);

    // Wrong JSON types and missing members, as a hand-written client sends them.
    let bad_bodies = [
        (
            format!(r#"{{"ClientId":"{client_id}","Username":123,"Password":"{PASSWORD}"}}"#),
            "SerializationException",
        ),
        (
            format!(
                r#"{{"ClientId":"{client_id}","Username":"u","Password":"{PASSWORD}","UserAttributes":"email"}}"#
            ),
            "SerializationException",
        ),
        (
            format!(
                r#"{{"ClientId":"{client_id}","Username":"u","Password":"{PASSWORD}","UserAttributes":[{{"Value":"x"}}]}}"#
            ),
            "InvalidParameterException",
        ),
        (
            format!(r#"{{"ClientId":"{client_id}","Password":"{PASSWORD}"}}"#),
            "InvalidParameterException",
        ),
        (
            r#"{"Username":"u","Password":"p"}"#.to_owned(),
            "InvalidParameterException",
        ),
        (
            format!(r#"{{"ClientId":"{client_id}","Username":"u","Password":null}}"#),
            "InvalidParameterException",
        ),
        ("[]".to_owned(), "SerializationException"),
        ("{\"ClientId\":".to_owned(), "SerializationException"),
    ];
    for (body, expected) in bad_bodies {
        let (status, json, _) = s.raw(Some("SignUp"), &body).await;
        assert_eq!(status, 400, "{body}: {json}");
        assert_eq!(json["__type"], expected, "{body}: {json}");
    }
    for (action, body) in [
        (
            "ConfirmSignUp",
            format!(
                r#"{{"ClientId":"{client_id}","Username":"émile","ConfirmationCode":"has space"}}"#
            ),
        ),
        (
            "ConfirmSignUp",
            format!(r#"{{"ClientId":"{client_id}","Username":"émile","ConfirmationCode":""}}"#),
        ),
        (
            "ForgotPassword",
            format!(r#"{{"ClientId":"{client_id}","Username":{{}}}}"#),
        ),
        (
            "ConfirmForgotPassword",
            format!(
                r#"{{"ClientId":"{client_id}","Username":"émile","ConfirmationCode":"1","Password":7}}"#
            ),
        ),
        ("GetUser", r#"{"AccessToken":"not.a.jwt"}"#.to_owned()),
        ("GetUser", r#"{"AccessToken":""}"#.to_owned()),
        (
            "ChangePassword",
            r#"{"AccessToken":"x","PreviousPassword":"a"}"#.to_owned(),
        ),
        (
            "VerifyUserAttribute",
            r#"{"AccessToken":"x","AttributeName":"email"}"#.to_owned(),
        ),
    ] {
        let (status, json, _) = s.raw(Some(action), &body).await;
        assert_eq!(status, 400, "{action} {body}: {json}");
        assert!(
            json["__type"]
                .as_str()
                .is_some_and(|t| t.ends_with("Exception")),
            "{action} {body}: {json}"
        );
    }
    assert_eq!(s.user_count(&pool_id).await, 5);
}

async fn confirmation_codes_expire_are_single_use_and_run_out(s: TestServer) {
    let pool_id = s.email_pool().await;
    let (client_id, _) = s.client(&pool_id, false, false).await;
    let public = s.public();
    let sign_up = |name: &'static str| {
        public
            .sign_up()
            .client_id(&client_id)
            .username(name)
            .password(PASSWORD)
            .user_attributes(attr("email", &format!("{name}@example.com")))
            .send()
    };
    let confirm = |name: &'static str, code: String| {
        public
            .confirm_sign_up()
            .client_id(&client_id)
            .username(name)
            .confirmation_code(code)
            .send()
    };

    // Five wrong codes void the code: even the right one no longer works.
    sign_up("guesser").await.unwrap();
    let code = s.code_sent_to(&pool_id, "guesser@example.com").await;
    let wrong = if code == "123456" { "654321" } else { "123456" };
    for _ in 0..5 {
        let err = confirm("guesser", wrong.into()).await.unwrap_err();
        assert_eq!(error_name(&err), "CodeMismatchException");
        assert_eq!(
            err.as_service_error().and_then(|e| e.message()),
            Some("Invalid verification code provided, please try again.")
        );
    }
    let err = confirm("guesser", code.clone()).await.unwrap_err();
    assert_eq!(error_name(&err), "LimitExceededException");
    assert_eq!(s.admin_status(&pool_id, "guesser").await, "UNCONFIRMED");

    // Parallel guesses are counted too: no more than the limit get compared.
    public
        .resend_confirmation_code()
        .client_id(&client_id)
        .username("guesser")
        .send()
        .await
        .unwrap();
    let code = s.code_sent_to(&pool_id, "guesser@example.com").await;
    let guesses = (0..12).map(|i| {
        let c = format!("{:06}", (code.parse::<u32>().unwrap() + 1 + i) % 1_000_000);
        confirm("guesser", c)
    });
    let results = futures::future::join_all(guesses).await;
    let mismatches = results
        .iter()
        .filter(|r| {
            r.as_ref()
                .is_err_and(|e| error_name(e) == "CodeMismatchException")
        })
        .count();
    assert_eq!(mismatches, 5, "exactly the limit of guesses were compared");
    let err = confirm("guesser", code).await.unwrap_err();
    assert_eq!(error_name(&err), "LimitExceededException");

    // Cognito: confirmation codes live 24 hours. (Last: signed admin calls
    // would now fail SigV4's clock-skew check.)
    sign_up("late").await.unwrap();
    let code = s.code_sent_to(&pool_id, "late@example.com").await;
    s.clock.advance(24 * 3600 * 1000 + 1000);
    let err = confirm("late", code).await.unwrap_err();
    assert_eq!(error_name(&err), "ExpiredCodeException");
    assert_eq!(
        err.as_service_error().and_then(|e| e.message()),
        Some("Invalid code provided, please request a code again.")
    );
}

async fn resend_confirmation_code_replaces_the_code(s: TestServer) {
    let pool_id = s.email_pool().await;
    let (client_id, _) = s.client(&pool_id, false, false).await;
    let public = s.public();
    public
        .sign_up()
        .client_id(&client_id)
        .username("frank")
        .password(PASSWORD)
        .user_attributes(attr("email", "frank@example.com"))
        .send()
        .await
        .unwrap();
    let first = s.code_sent_to(&pool_id, "frank@example.com").await;
    let out = public
        .resend_confirmation_code()
        .client_id(&client_id)
        .username("frank")
        .send()
        .await
        .unwrap();
    let details = out.code_delivery_details().unwrap();
    assert_eq!(details.destination(), Some("f***@e***"));
    assert_eq!(s.outbox(&pool_id).await.len(), 2);
    let second = s.code_sent_to(&pool_id, "frank@example.com").await;
    if first != second {
        let err = public
            .confirm_sign_up()
            .client_id(&client_id)
            .username("frank")
            .confirmation_code(&first)
            .send()
            .await
            .unwrap_err();
        assert_eq!(error_name(&err), "CodeMismatchException");
    }
    public
        .confirm_sign_up()
        .client_id(&client_id)
        .username("frank")
        .confirmation_code(&second)
        .send()
        .await
        .unwrap();
    let err = public
        .resend_confirmation_code()
        .client_id(&client_id)
        .username("frank")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "InvalidParameterException");
}

async fn forgot_password_resets_with_a_one_hour_code(s: TestServer) {
    let pool_id = s.email_pool().await;
    let (client_id, _) = s.client(&pool_id, false, false).await;
    s.confirmed_user(&pool_id, &client_id, "gina", "gina@example.com")
        .await;
    let public = s.public();
    let out = public
        .forgot_password()
        .client_id(&client_id)
        .username("gina")
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.code_delivery_details().and_then(|d| d.destination()),
        Some("g***@e***")
    );
    let code = s.code_sent_to(&pool_id, "gina@example.com").await;
    let confirm = |code: &str, password: &str| {
        public
            .confirm_forgot_password()
            .client_id(&client_id)
            .username("gina")
            .confirmation_code(code)
            .password(password)
            .send()
    };
    let wrong = if code == "000000" { "999999" } else { "000000" };
    let err = confirm(wrong, "N3w-Passw0rd").await.unwrap_err();
    assert_eq!(error_name(&err), "CodeMismatchException");
    // A weak password spends no code.
    let err = confirm(&code, "weak").await.unwrap_err();
    assert_eq!(error_name(&err), "InvalidPasswordException");
    confirm(&code, "N3w-Passw0rd").await.unwrap();
    let err = confirm(&code, "An0ther-Passw0rd").await.unwrap_err();
    assert_eq!(error_name(&err), "ExpiredCodeException", "single use");
    s.access_token(&client_id, "gina", "N3w-Passw0rd").await;

    // Cognito: reset codes live one hour.
    public
        .forgot_password()
        .client_id(&client_id)
        .username("gina")
        .send()
        .await
        .unwrap();
    let code = s.code_sent_to(&pool_id, "gina@example.com").await;
    s.clock.advance(3600 * 1000 + 1000);
    let err = confirm(&code, "An0ther-Passw0rd").await.unwrap_err();
    assert_eq!(error_name(&err), "ExpiredCodeException");
}

async fn forgot_password_needs_a_verified_contact(s: TestServer) {
    let pool_id = s.pool(|b| b).await;
    let (client_id, _) = s.client(&pool_id, false, false).await;
    s.public()
        .sign_up()
        .client_id(&client_id)
        .username("hank")
        .password(PASSWORD)
        .user_attributes(attr("email", "hank@example.com"))
        .send()
        .await
        .unwrap();
    s.admin()
        .admin_confirm_sign_up()
        .user_pool_id(&pool_id)
        .username("hank")
        .send()
        .await
        .unwrap();
    let err = s
        .public()
        .forgot_password()
        .client_id(&client_id)
        .username("hank")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "InvalidParameterException");
    assert_eq!(
        err.as_service_error().and_then(|e| e.message()),
        Some(
            "Cannot reset password for the user as there is no registered/verified email or phone_number"
        )
    );
    assert!(s.outbox(&pool_id).await.is_empty());
}

async fn prevent_user_existence_errors_hides_unknown_users(s: TestServer) {
    let pool_id = s.email_pool().await;
    let (hiding, _) = s.client(&pool_id, false, true).await;
    let (legacy, _) = s.client(&pool_id, false, false).await;
    s.confirmed_user(&pool_id, &hiding, "ivy", "ivy@example.com")
        .await;
    let before = s.outbox(&pool_id).await.len();
    let public = s.public();

    // ENABLED: a normal-looking answer, stable per name, and nothing sent.
    let fake = public
        .forgot_password()
        .client_id(&hiding)
        .username("nobody")
        .send()
        .await
        .unwrap();
    let fake = fake.code_delivery_details().unwrap().clone();
    assert_eq!(fake.delivery_medium(), Some(&DeliveryMediumType::Email));
    assert!(fake.destination().is_some_and(|d| d.contains("***@")));
    let again = public
        .forgot_password()
        .client_id(&hiding)
        .username("nobody")
        .send()
        .await
        .unwrap();
    assert_eq!(again.code_delivery_details(), Some(&fake));
    let resend = public
        .resend_confirmation_code()
        .client_id(&hiding)
        .username("nobody")
        .send()
        .await
        .unwrap();
    assert!(resend.code_delivery_details().is_some());
    let err = public
        .confirm_forgot_password()
        .client_id(&hiding)
        .username("nobody")
        .confirmation_code("123456")
        .password("N3w-Passw0rd")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "CodeMismatchException");
    let err = public
        .confirm_sign_up()
        .client_id(&hiding)
        .username("nobody")
        .confirmation_code("123456")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "CodeMismatchException");
    assert_eq!(s.outbox(&pool_id).await.len(), before, "nothing was sent");

    // LEGACY: UserNotFoundException.
    let err = public
        .forgot_password()
        .client_id(&legacy)
        .username("nobody")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "UserNotFoundException");
    let err = public
        .confirm_sign_up()
        .client_id(&legacy)
        .username("nobody")
        .confirmation_code("123456")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "UserNotFoundException");
    let err = public
        .resend_confirmation_code()
        .client_id(&legacy)
        .username("nobody")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "UserNotFoundException");
}

async fn get_user_and_change_password_with_an_access_token(s: TestServer) {
    let pool_id = s.email_pool().await;
    let (client_id, _) = s.client(&pool_id, false, false).await;
    s.confirmed_user(&pool_id, &client_id, "jack", "jack@example.com")
        .await;
    let token = s.access_token(&client_id, "jack", PASSWORD).await;
    let public = s.public();
    let me = public.get_user().access_token(&token).send().await.unwrap();
    assert_eq!(me.username(), "jack");
    let names: Vec<_> = me.user_attributes().iter().map(|a| a.name()).collect();
    assert!(
        names.contains(&"sub") && names.contains(&"email") && names.contains(&"email_verified")
    );

    let err = public
        .change_password()
        .access_token(&token)
        .previous_password("Wr0ng-Passw0rd")
        .proposed_password("N3w-Passw0rd")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "NotAuthorizedException");
    let err = public
        .change_password()
        .access_token(&token)
        .previous_password(PASSWORD)
        .proposed_password("weak")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "InvalidPasswordException");
    public
        .change_password()
        .access_token(&token)
        .previous_password(PASSWORD)
        .proposed_password("N3w-Passw0rd")
        .send()
        .await
        .unwrap();
    s.access_token(&client_id, "jack", "N3w-Passw0rd").await;
    let err = public
        .initiate_auth()
        .client_id(&client_id)
        .auth_flow(cip::types::AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "jack")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "NotAuthorizedException");

    // A client that may read only some attributes sees only those (and sub).
    let reader = s
        .admin()
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("reader")
        .explicit_auth_flows(cip::types::ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .read_attributes("email")
        .send()
        .await
        .unwrap();
    let reader = reader
        .user_pool_client()
        .unwrap()
        .client_id()
        .unwrap()
        .to_owned();
    let token = s.access_token(&reader, "jack", "N3w-Passw0rd").await;
    let me = public.get_user().access_token(&token).send().await.unwrap();
    let mut names: Vec<_> = me.user_attributes().iter().map(|a| a.name()).collect();
    names.sort();
    assert_eq!(names, vec!["email", "sub"]);
}

async fn update_user_attributes_reverifies_a_changed_email(s: TestServer) {
    let pool_id = s.email_pool().await;
    let (client_id, _) = s.client(&pool_id, false, false).await;
    s.confirmed_user(&pool_id, &client_id, "kate", "kate@example.com")
        .await;
    let token = s.access_token(&client_id, "kate", PASSWORD).await;
    let public = s.public();

    let out = public
        .update_user_attributes()
        .access_token(&token)
        .user_attributes(attr("name", "Kate"))
        .send()
        .await
        .unwrap();
    assert!(out.code_delivery_details_list().is_empty());
    assert_eq!(
        s.admin_attr(&pool_id, "kate", "name").await.as_deref(),
        Some("Kate")
    );

    let out = public
        .update_user_attributes()
        .access_token(&token)
        .user_attributes(attr("email", "kate@new.example"))
        .send()
        .await
        .unwrap();
    let list = out.code_delivery_details_list();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].destination(), Some("k***@n***"));
    assert_eq!(list[0].attribute_name(), Some("email"));
    assert_eq!(
        s.admin_attr(&pool_id, "kate", "email").await.as_deref(),
        Some("kate@new.example")
    );
    assert_eq!(
        s.admin_attr(&pool_id, "kate", "email_verified")
            .await
            .as_deref(),
        Some("false")
    );
    let code = s.code_sent_to(&pool_id, "kate@new.example").await;
    let err = public
        .verify_user_attribute()
        .access_token(&token)
        .attribute_name("email")
        .code(if code == "000000" { "111111" } else { "000000" })
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "CodeMismatchException");
    public
        .verify_user_attribute()
        .access_token(&token)
        .attribute_name("email")
        .code(&code)
        .send()
        .await
        .unwrap();
    assert_eq!(
        s.admin_attr(&pool_id, "kate", "email_verified")
            .await
            .as_deref(),
        Some("true")
    );

    // A new code on request, to the current email.
    let out = public
        .get_user_attribute_verification_code()
        .access_token(&token)
        .attribute_name("email")
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.code_delivery_details().and_then(|d| d.destination()),
        Some("k***@n***")
    );
    let err = public
        .get_user_attribute_verification_code()
        .access_token(&token)
        .attribute_name("phone_number")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "InvalidParameterException");

    // What the client may not write, and what the schema refuses.
    for (a, expected) in [
        (attr("email_verified", "true"), "NotAuthorizedException"),
        (attr("custom:nope", "x"), "InvalidParameterException"),
        (attr("email", "not an email"), "InvalidParameterException"),
        (attr("sub", "x"), "InvalidParameterException"),
    ] {
        let err = public
            .update_user_attributes()
            .access_token(&token)
            .user_attributes(a.clone())
            .send()
            .await
            .unwrap_err();
        assert_eq!(error_name(&err), expected, "{a:?}");
    }
    assert_eq!(
        s.admin_attr(&pool_id, "kate", "email").await.as_deref(),
        Some("kate@new.example")
    );
}

async fn verification_before_update_keeps_the_old_email(s: TestServer) {
    let pool_id = s
        .pool(|b| {
            b.auto_verified_attributes(VerifiedAttributeType::Email)
                .user_attribute_update_settings(
                    UserAttributeUpdateSettingsType::builder()
                        .attributes_require_verification_before_update(VerifiedAttributeType::Email)
                        .build(),
                )
        })
        .await;
    let (client_id, _) = s.client(&pool_id, false, false).await;
    s.confirmed_user(&pool_id, &client_id, "liam", "liam@example.com")
        .await;
    let token = s.access_token(&client_id, "liam", PASSWORD).await;
    let public = s.public();
    public
        .update_user_attributes()
        .access_token(&token)
        .user_attributes(attr("email", "liam@new.example"))
        .send()
        .await
        .unwrap();
    // The old, verified email stays until the new one is verified.
    assert_eq!(
        s.admin_attr(&pool_id, "liam", "email").await.as_deref(),
        Some("liam@example.com")
    );
    assert_eq!(
        s.admin_attr(&pool_id, "liam", "email_verified")
            .await
            .as_deref(),
        Some("true")
    );
    let code = s.code_sent_to(&pool_id, "liam@new.example").await;
    public
        .verify_user_attribute()
        .access_token(&token)
        .attribute_name("email")
        .code(&code)
        .send()
        .await
        .unwrap();
    assert_eq!(
        s.admin_attr(&pool_id, "liam", "email").await.as_deref(),
        Some("liam@new.example")
    );
    assert_eq!(
        s.admin_attr(&pool_id, "liam", "email_verified")
            .await
            .as_deref(),
        Some("true")
    );
}

async fn delete_user_attributes_and_delete_user(s: TestServer) {
    let pool_id = s.email_pool().await;
    let (client_id, _) = s.client(&pool_id, false, false).await;
    s.confirmed_user(&pool_id, &client_id, "mia", "mia@example.com")
        .await;
    s.admin()
        .admin_update_user_attributes()
        .user_pool_id(&pool_id)
        .username("mia")
        .user_attributes(attr("nickname", "M"))
        .send()
        .await
        .unwrap();
    let token = s.access_token(&client_id, "mia", PASSWORD).await;
    let public = s.public();
    public
        .delete_user_attributes()
        .access_token(&token)
        .user_attribute_names("nickname")
        .user_attribute_names("email")
        .send()
        .await
        .unwrap();
    assert_eq!(s.admin_attr(&pool_id, "mia", "nickname").await, None);
    assert_eq!(s.admin_attr(&pool_id, "mia", "email").await, None);
    assert_eq!(s.admin_attr(&pool_id, "mia", "email_verified").await, None);
    let err = public
        .delete_user_attributes()
        .access_token(&token)
        .user_attribute_names("sub")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "InvalidParameterException");

    public
        .delete_user()
        .access_token(&token)
        .send()
        .await
        .unwrap();
    let err = s
        .admin()
        .admin_get_user()
        .user_pool_id(&pool_id)
        .username("mia")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "UserNotFoundException");
    let err = public
        .get_user()
        .access_token(&token)
        .send()
        .await
        .unwrap_err();
    assert_ne!(error_name(&err), "InternalErrorException");
}

async fn token_actions_refuse_bad_tokens(s: TestServer) {
    let pool_id = s.email_pool().await;
    let (client_id, _) = s.client(&pool_id, false, false).await;
    s.confirmed_user(&pool_id, &client_id, "noah", "noah@example.com")
        .await;
    let token = s.access_token(&client_id, "noah", PASSWORD).await;
    let public = s.public();
    let mut tampered = token.clone();
    tampered.pop();
    tampered.push(if token.ends_with('A') { 'B' } else { 'A' });
    for bad in ["", "garbage", "a.b.c", tampered.as_str()] {
        let err = public
            .get_user()
            .access_token(bad)
            .send()
            .await
            .unwrap_err();
        assert_eq!(error_name(&err), "NotAuthorizedException", "{bad:?}");
    }
    // Access tokens live an hour by default.
    s.clock.advance(3601 * 1000);
    let err = public
        .get_user()
        .access_token(&token)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "NotAuthorizedException");
}

async fn codes_follow_the_pools_templates_and_channels(s: TestServer) {
    let pool_id = s
        .pool(|b| {
            b.auto_verified_attributes(VerifiedAttributeType::Email)
                .auto_verified_attributes(VerifiedAttributeType::PhoneNumber)
                .verification_message_template(
                    cip::types::VerificationMessageTemplateType::builder()
                        .email_message("Your Acme code: {####}")
                        .email_subject("Verify your Acme account")
                        .sms_message("Acme code {####}")
                        .build(),
                )
        })
        .await;
    let (client_id, _) = s.client(&pool_id, false, false).await;
    let public = s.public();
    // Both auto-verified: the code goes by SMS, as in Cognito.
    let out = public
        .sign_up()
        .client_id(&client_id)
        .username("olive")
        .password(PASSWORD)
        .user_attributes(attr("email", "olive@example.com"))
        .user_attributes(attr("phone_number", "+12065551212"))
        .send()
        .await
        .unwrap();
    let details = out.code_delivery_details().unwrap();
    assert_eq!(details.delivery_medium(), Some(&DeliveryMediumType::Sms));
    assert_eq!(details.destination(), Some("+*******1212"));
    assert_eq!(details.attribute_name(), Some("phone_number"));
    let sms = &s.outbox(&pool_id).await[0];
    assert_eq!(sms.destination, "+12065551212");
    assert_eq!(sms.subject, None);
    let code = s.code_sent_to(&pool_id, "+12065551212").await;
    assert_eq!(sms.body, format!("Acme code {code}"));
    public
        .confirm_sign_up()
        .client_id(&client_id)
        .username("olive")
        .confirmation_code(&code)
        .send()
        .await
        .unwrap();
    assert_eq!(
        s.admin_attr(&pool_id, "olive", "phone_number_verified")
            .await
            .as_deref(),
        Some("true")
    );
    assert_eq!(
        s.admin_attr(&pool_id, "olive", "email_verified").await,
        None
    );

    let token = s.access_token(&client_id, "olive", PASSWORD).await;
    let out = public
        .get_user_attribute_verification_code()
        .access_token(&token)
        .attribute_name("email")
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.code_delivery_details()
            .and_then(|d| d.delivery_medium()),
        Some(&DeliveryMediumType::Email)
    );
    let email = &s.outbox(&pool_id).await[0];
    assert_eq!(email.subject.as_deref(), Some("Verify your Acme account"));
    let code = s.code_sent_to(&pool_id, "olive@example.com").await;
    assert_eq!(email.body, format!("Your Acme code: {code}"));
    public
        .verify_user_attribute()
        .access_token(&token)
        .attribute_name("email")
        .code(&code)
        .send()
        .await
        .unwrap();
    assert_eq!(
        s.admin_attr(&pool_id, "olive", "email_verified")
            .await
            .as_deref(),
        Some("true")
    );
}
