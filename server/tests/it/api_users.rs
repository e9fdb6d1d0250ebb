//! Administering users through the AWS SDK for Rust, signed with SigV4, on
//! SQLite and PostgreSQL (Cognito API: AdminCreateUser … ListUsers).
//! Invitations and codes are read from the outbox through the store.

use crate::common::users::{PASSWORD, attr};
use crate::common::{TestServer, error_name};
use aws_sdk_cognitoidentityprovider as cip;
use cip::types::{
    DeliveryMediumType, MessageActionType, MessageTemplateType, SchemaAttributeType,
    UserStatusType, UsernameAttributeType, VerifiedAttributeType,
};

on_both_backends!(
    admin_create_user_invites_with_a_temporary_password,
    admin_create_user_message_actions,
    admin_create_user_refuses_bad_input_and_writes_nothing,
    admin_create_user_in_an_email_username_pool,
    admin_get_user_answers_cognitos_shape,
    admin_update_and_delete_user_attributes,
    admin_set_user_password_permanent_and_temporary,
    admin_enable_disable_confirm_and_delete,
    admin_reset_user_password_sends_a_reset_code,
    list_users_filters_exact_and_prefix_with_pagination,
    list_users_refuses_bad_filters_and_limits,
    dev_outbox_is_not_served_by_cognate_serve,
);

fn message_of<E: cip::error::ProvideErrorMetadata, R>(e: &cip::error::SdkError<E, R>) -> String {
    e.as_service_error()
        .and_then(|e| e.message())
        .unwrap_or_default()
        .to_owned()
}

async fn admin_create_user_invites_with_a_temporary_password(s: TestServer) {
    let pool_id = s.email_pool().await;
    let admin = s.admin();
    let out = admin
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("olga")
        .user_attributes(attr("email", "olga@example.com"))
        .user_attributes(attr("email_verified", "true"))
        .desired_delivery_mediums(DeliveryMediumType::Email)
        .send()
        .await
        .unwrap();
    let user = out.user().unwrap();
    assert_eq!(user.username(), Some("olga"));
    assert_eq!(
        user.user_status(),
        Some(&UserStatusType::ForceChangePassword)
    );
    assert!(user.enabled());
    assert!(user.user_create_date().is_some());
    assert!(user.attributes().iter().any(|a| a.name() == "sub"));

    let messages = s.outbox(&pool_id).await;
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].destination, "olga@example.com");
    assert_eq!(
        messages[0].subject.as_deref(),
        Some("Your temporary password")
    );
    let body = &messages[0].body;
    let password = body
        .strip_prefix("Your username is olga and temporary password is ")
        .and_then(|r| r.strip_suffix(". "))
        .unwrap_or_else(|| panic!("unexpected invitation: {body}"));
    // The generated password satisfies the pool's (default) policy.
    assert!(password.len() >= 12);
    assert!(password.chars().any(char::is_uppercase));
    assert!(password.chars().any(char::is_lowercase));
    assert!(password.chars().any(|c| c.is_ascii_digit()));
    let pool = s.state.idp.pool(&pool_id).await.unwrap();
    let stored = s
        .state
        .idp
        .find_user_by_name(&pool, "olga")
        .await
        .unwrap()
        .unwrap();
    assert!(
        stored.password_expires.is_some(),
        "a temporary password expires"
    );
    assert!(
        s.state
            .idp
            .password_matches(&pool, Some(&stored), "olga", &password.to_owned().into())
            .await
            .unwrap()
    );

    // A given temporary password and a custom invitation template.
    let templated = pool_with_invitation(&s).await;
    admin
        .admin_create_user()
        .user_pool_id(&templated)
        .username("pete")
        .temporary_password("Temp-Passw0rd")
        .user_attributes(attr("phone_number", "+12065551212"))
        .send()
        .await
        .unwrap();
    let messages = s.outbox(&templated).await;
    assert_eq!(messages.len(), 1, "default medium SMS: {messages:?}");
    assert_eq!(messages[0].destination, "+12065551212");
    assert_eq!(messages[0].subject, None);
    assert_eq!(messages[0].body, "Hi pete, sign in with Temp-Passw0rd");
}

async fn pool_with_invitation(s: &TestServer) -> String {
    s.pool(|b| {
        b.admin_create_user_config(
            cip::types::AdminCreateUserConfigType::builder()
                .invite_message_template(
                    MessageTemplateType::builder()
                        .sms_message("Hi {username}, sign in with {####}")
                        .email_message("Hello {username}: {####}")
                        .email_subject("Welcome")
                        .build(),
                )
                .build(),
        )
    })
    .await
}

async fn admin_create_user_message_actions(s: TestServer) {
    let pool_id = s.email_pool().await;
    let admin = s.admin();
    admin
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("quinn")
        .user_attributes(attr("email", "quinn@example.com"))
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    assert!(
        s.outbox(&pool_id).await.is_empty(),
        "SUPPRESS sends nothing"
    );

    let out = admin
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("quinn")
        .message_action(MessageActionType::Resend)
        .desired_delivery_mediums(DeliveryMediumType::Email)
        .temporary_password("Resent-Passw0rd")
        .send()
        .await
        .unwrap();
    assert_eq!(out.user().and_then(|u| u.username()), Some("quinn"));
    let messages = s.outbox(&pool_id).await;
    assert_eq!(messages.len(), 1);
    assert!(messages[0].body.contains("Resent-Passw0rd"));

    let err = admin
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("nobody")
        .message_action(MessageActionType::Resend)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "UserNotFoundException");

    admin
        .admin_set_user_password()
        .user_pool_id(&pool_id)
        .username("quinn")
        .password(PASSWORD)
        .permanent(true)
        .send()
        .await
        .unwrap();
    let err = admin
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("quinn")
        .message_action(MessageActionType::Resend)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "UnsupportedUserStateException");

    let err = admin
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("quinn")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "UsernameExistsException");
}

/// Username, temporary password, attributes, the error expected.
type Case = (
    &'static str,
    Option<&'static str>,
    Vec<(&'static str, &'static str)>,
    &'static str,
);

async fn admin_create_user_refuses_bad_input_and_writes_nothing(s: TestServer) {
    let pool_id = s.email_pool().await;
    let admin = s.admin();
    let cases: Vec<Case> = vec![
        ("u1", Some("weak"), vec![], "InvalidPasswordException"),
        (
            "u1",
            None,
            vec![("email", "nope")],
            "InvalidParameterException",
        ),
        (
            "u1",
            None,
            vec![("custom:none", "x")],
            "InvalidParameterException",
        ),
        (
            "u1",
            None,
            vec![("email_verified", "maybe")],
            "InvalidParameterException",
        ),
        ("has space", None, vec![], "InvalidParameterException"),
        ("", None, vec![], "InvalidParameterException"),
    ];
    for (username, password, attrs, expected) in cases {
        let mut req = admin
            .admin_create_user()
            .user_pool_id(&pool_id)
            .username(username)
            .set_temporary_password(password.map(str::to_owned));
        for (n, v) in &attrs {
            req = req.user_attributes(attr(n, v));
        }
        let err = req.send().await.unwrap_err();
        assert_eq!(error_name(&err), expected, "{username:?} {attrs:?}");
    }
    let long = "y".repeat(129);
    let err = admin
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username(&long)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "InvalidParameterException");
    let err = admin
        .admin_create_user()
        .user_pool_id("us-east-1_nosuchpool")
        .username("u1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "ResourceNotFoundException");
    // Values outside Cognito's enums.
    let err = admin
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("u1")
        .message_action(MessageActionType::from("SHOUT"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "InvalidParameterException");
    let err = admin
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("u1")
        .desired_delivery_mediums(DeliveryMediumType::from("PIGEON"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "InvalidParameterException");
    assert_eq!(s.user_count(&pool_id).await, 0);
    assert!(s.outbox(&pool_id).await.is_empty());
}

async fn admin_create_user_in_an_email_username_pool(s: TestServer) {
    let pool_id = s
        .pool(|b| b.username_attributes(UsernameAttributeType::Email))
        .await;
    let admin = s.admin();
    let out = admin
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("rosa@example.com")
        .desired_delivery_mediums(DeliveryMediumType::Email)
        .send()
        .await
        .unwrap();
    let user = out.user().unwrap();
    let sub = user
        .attributes()
        .iter()
        .find(|a| a.name() == "sub")
        .and_then(|a| a.value())
        .unwrap();
    assert_eq!(user.username(), Some(sub));
    assert_eq!(
        s.admin_attr(&pool_id, "rosa@example.com", "email")
            .await
            .as_deref(),
        Some("rosa@example.com")
    );
    let messages = s.outbox(&pool_id).await;
    assert!(
        messages[0]
            .body
            .starts_with("Your username is rosa@example.com and"),
        "{{username}} is the name the user signs in with"
    );
    let err = admin
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("rosa")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "InvalidParameterException");
    let err = admin
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("rosa@example.com")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "UsernameExistsException");
}

async fn admin_get_user_answers_cognitos_shape(s: TestServer) {
    let pool_id = s.email_pool().await;
    let admin = s.admin();
    admin
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("sam")
        .user_attributes(attr("email", "sam@example.com"))
        .user_attributes(attr("given_name", "Sam"))
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    let out = admin
        .admin_get_user()
        .user_pool_id(&pool_id)
        .username("sam")
        .send()
        .await
        .unwrap();
    assert_eq!(out.username(), "sam");
    assert_eq!(
        out.user_status(),
        Some(&UserStatusType::ForceChangePassword)
    );
    assert!(out.enabled());
    assert!(out.user_create_date().is_some() && out.user_last_modified_date().is_some());
    let names: Vec<_> = out.user_attributes().iter().map(|a| a.name()).collect();
    assert_eq!(names[0], "sub");
    assert!(names.contains(&"email") && names.contains(&"given_name"));

    let err = admin
        .admin_get_user()
        .user_pool_id(&pool_id)
        .username("nobody")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "UserNotFoundException");
    // Unsigned: refused before the input is looked at.
    let (status, json, _) = s.raw(Some("AdminGetUser"), "{}").await;
    assert_eq!(status, 403);
    assert!(json["__type"].as_str().unwrap().ends_with("Exception"));
}

async fn admin_update_and_delete_user_attributes(s: TestServer) {
    let pool_id = s
        .pool(|b| {
            b.auto_verified_attributes(VerifiedAttributeType::Email)
                .schema(
                    SchemaAttributeType::builder()
                        .name("given_name")
                        .attribute_data_type(cip::types::AttributeDataType::String)
                        .required(true)
                        .mutable(true)
                        .build(),
                )
                .schema(
                    SchemaAttributeType::builder()
                        .name("badge")
                        .attribute_data_type(cip::types::AttributeDataType::String)
                        .mutable(false)
                        .build(),
                )
        })
        .await;
    let admin = s.admin();
    admin
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("tara")
        .user_attributes(attr("email", "tara@example.com"))
        .user_attributes(attr("email_verified", "true"))
        .user_attributes(attr("given_name", "Tara"))
        .user_attributes(attr("custom:badge", "gold"))
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    let update = |a: Vec<(&'static str, &'static str)>| {
        let mut req = admin
            .admin_update_user_attributes()
            .user_pool_id(&pool_id)
            .username("tara");
        for (n, v) in a {
            req = req.user_attributes(attr(n, v));
        }
        req.send()
    };
    update(vec![("nickname", "T")]).await.unwrap();
    assert_eq!(
        s.admin_attr(&pool_id, "tara", "nickname").await.as_deref(),
        Some("T")
    );
    assert!(s.outbox(&pool_id).await.is_empty());

    // A changed email is unverified again and gets a code…
    update(vec![("email", "tara@new.example")]).await.unwrap();
    assert_eq!(
        s.admin_attr(&pool_id, "tara", "email_verified")
            .await
            .as_deref(),
        Some("false")
    );
    s.code_sent_to(&pool_id, "tara@new.example").await;
    // …unless the administrator verifies it in the same call.
    update(vec![
        ("email", "tara@third.example"),
        ("email_verified", "true"),
    ])
    .await
    .unwrap();
    assert_eq!(
        s.admin_attr(&pool_id, "tara", "email_verified")
            .await
            .as_deref(),
        Some("true")
    );
    assert!(
        !s.outbox(&pool_id)
            .await
            .iter()
            .any(|m| m.destination == "tara@third.example")
    );

    for (a, expected) in [
        (
            vec![("custom:badge", "silver")],
            "InvalidParameterException",
        ),
        (vec![("custom:nope", "x")], "InvalidParameterException"),
        (vec![("given_name", "")], "InvalidParameterException"),
        (
            vec![("phone_number", "555-1212")],
            "InvalidParameterException",
        ),
    ] {
        let err = update(a.clone()).await.unwrap_err();
        assert_eq!(error_name(&err), expected, "{a:?}");
    }
    assert_eq!(
        s.admin_attr(&pool_id, "tara", "custom:badge")
            .await
            .as_deref(),
        Some("gold")
    );

    let delete = |names: Vec<&'static str>| {
        let mut req = admin
            .admin_delete_user_attributes()
            .user_pool_id(&pool_id)
            .username("tara");
        for n in names {
            req = req.user_attribute_names(n);
        }
        req.send()
    };
    delete(vec!["nickname", "email"]).await.unwrap();
    assert_eq!(s.admin_attr(&pool_id, "tara", "nickname").await, None);
    assert_eq!(s.admin_attr(&pool_id, "tara", "email").await, None);
    assert_eq!(s.admin_attr(&pool_id, "tara", "email_verified").await, None);
    for (names, expected) in [
        (vec!["given_name"], "InvalidParameterException"),
        (vec!["sub"], "InvalidParameterException"),
        (vec!["custom:nope"], "InvalidParameterException"),
    ] {
        let err = delete(names.clone()).await.unwrap_err();
        assert_eq!(error_name(&err), expected, "{names:?}");
    }
    let err = admin
        .admin_update_user_attributes()
        .user_pool_id(&pool_id)
        .username("nobody")
        .user_attributes(attr("name", "x"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "UserNotFoundException");
}

async fn admin_set_user_password_permanent_and_temporary(s: TestServer) {
    let pool_id = s.email_pool().await;
    let admin = s.admin();
    admin
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("uma")
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    let set = |password: &'static str, permanent: bool| {
        admin
            .admin_set_user_password()
            .user_pool_id(&pool_id)
            .username("uma")
            .password(password)
            .permanent(permanent)
            .send()
    };
    set(PASSWORD, true).await.unwrap();
    assert_eq!(s.admin_status(&pool_id, "uma").await, "CONFIRMED");
    let pool = s.state.idp.pool(&pool_id).await.unwrap();
    let user = s
        .state
        .idp
        .find_user_by_name(&pool, "uma")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(user.password_expires, None);
    assert!(
        s.state
            .idp
            .password_matches(&pool, Some(&user), "uma", &PASSWORD.to_owned().into())
            .await
            .unwrap()
    );

    set("Temp-Passw0rd", false).await.unwrap();
    assert_eq!(
        s.admin_status(&pool_id, "uma").await,
        "FORCE_CHANGE_PASSWORD"
    );
    let user = s
        .state
        .idp
        .find_user_by_name(&pool, "uma")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        user.password_expires,
        Some(s.clock.now().plus_seconds(7 * 86_400)),
        "TemporaryPasswordValidityDays, 7 by default"
    );

    let err = set("weak", true).await.unwrap_err();
    assert_eq!(error_name(&err), "InvalidPasswordException");
    assert_eq!(
        s.admin_status(&pool_id, "uma").await,
        "FORCE_CHANGE_PASSWORD"
    );
}

async fn admin_enable_disable_confirm_and_delete(s: TestServer) {
    let pool_id = s.email_pool().await;
    let (client_id, _) = s.client(&pool_id, false, false).await;
    s.public()
        .sign_up()
        .client_id(&client_id)
        .username("vic")
        .password(PASSWORD)
        .user_attributes(attr("email", "vic@example.com"))
        .send()
        .await
        .unwrap();
    let admin = s.admin();
    admin
        .admin_confirm_sign_up()
        .user_pool_id(&pool_id)
        .username("vic")
        .send()
        .await
        .unwrap();
    assert_eq!(s.admin_status(&pool_id, "vic").await, "CONFIRMED");
    // AdminConfirmSignUp verifies nothing.
    assert_eq!(s.admin_attr(&pool_id, "vic", "email_verified").await, None);
    let err = admin
        .admin_confirm_sign_up()
        .user_pool_id(&pool_id)
        .username("vic")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "NotAuthorizedException");
    assert_eq!(
        message_of(&err),
        "User cannot be confirmed. Current status is CONFIRMED"
    );

    admin
        .admin_disable_user()
        .user_pool_id(&pool_id)
        .username("vic")
        .send()
        .await
        .unwrap();
    let got = admin
        .admin_get_user()
        .user_pool_id(&pool_id)
        .username("vic")
        .send()
        .await
        .unwrap();
    assert!(!got.enabled());
    let disabled = admin
        .list_users()
        .user_pool_id(&pool_id)
        .filter("status = \"Disabled\"")
        .send()
        .await
        .unwrap();
    assert_eq!(disabled.users().len(), 1);
    admin
        .admin_enable_user()
        .user_pool_id(&pool_id)
        .username("vic")
        .send()
        .await
        .unwrap();
    let got = admin
        .admin_get_user()
        .user_pool_id(&pool_id)
        .username("vic")
        .send()
        .await
        .unwrap();
    assert!(got.enabled());

    admin
        .admin_delete_user()
        .user_pool_id(&pool_id)
        .username("vic")
        .send()
        .await
        .unwrap();
    let err = admin
        .admin_delete_user()
        .user_pool_id(&pool_id)
        .username("vic")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "UserNotFoundException");
    assert_eq!(s.user_count(&pool_id).await, 0);
}

async fn admin_reset_user_password_sends_a_reset_code(s: TestServer) {
    let pool_id = s.email_pool().await;
    let (client_id, _) = s.client(&pool_id, false, false).await;
    s.confirmed_user(&pool_id, &client_id, "wes", "wes@example.com")
        .await;
    let admin = s.admin();
    admin
        .admin_reset_user_password()
        .user_pool_id(&pool_id)
        .username("wes")
        .send()
        .await
        .unwrap();
    assert_eq!(s.admin_status(&pool_id, "wes").await, "RESET_REQUIRED");
    let code = s.code_sent_to(&pool_id, "wes@example.com").await;
    s.public()
        .confirm_forgot_password()
        .client_id(&client_id)
        .username("wes")
        .confirmation_code(code)
        .password("N3w-Passw0rd")
        .send()
        .await
        .unwrap();
    assert_eq!(s.admin_status(&pool_id, "wes").await, "CONFIRMED");

    // Without a verified email or phone there is nowhere to send a code.
    admin
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("xena")
        .user_attributes(attr("email", "xena@example.com"))
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    let err = admin
        .admin_reset_user_password()
        .user_pool_id(&pool_id)
        .username("xena")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "InvalidParameterException");
    assert_eq!(
        s.admin_status(&pool_id, "xena").await,
        "FORCE_CHANGE_PASSWORD"
    );
}

async fn list_users_filters_exact_and_prefix_with_pagination(s: TestServer) {
    let pool_id = s.email_pool().await;
    let admin = s.admin();
    let people = [
        ("ann", "Ann Lee", "ann@example.com"),
        ("anna", "Anna Bell", "anna@example.com"),
        ("annika", "Annika \"Nik\" Berg", "annika@other.example"),
        ("bob", "Bob Marsh", "bob@example.com"),
        ("bea", "Bea Ng", "bea@example.com"),
        ("carl", "Carl Ito", "carl@other.example"),
        ("cleo", "Cleo Park", "cleo@example.com"),
    ];
    for (u, name, email) in people {
        admin
            .admin_create_user()
            .user_pool_id(&pool_id)
            .username(u)
            .user_attributes(attr("name", name))
            .user_attributes(attr("email", email))
            .message_action(MessageActionType::Suppress)
            .send()
            .await
            .unwrap();
    }
    admin
        .admin_set_user_password()
        .user_pool_id(&pool_id)
        .username("bob")
        .password(PASSWORD)
        .permanent(true)
        .send()
        .await
        .unwrap();

    let usernames = |filter: &str, limit: i32| list_all(&s, &pool_id, filter.to_owned(), limit);
    assert_eq!(usernames("", 2).await.len(), 7);
    assert_eq!(
        usernames("email = \"anna@example.com\"", 60).await,
        vec!["anna"]
    );
    assert_eq!(
        usernames("email=\"anna@example.com\"", 60).await,
        vec!["anna"]
    );
    assert_eq!(usernames("username = \"bea\"", 60).await, vec!["bea"]);
    assert_eq!(
        usernames("name ^= \"Ann\"", 1).await,
        vec!["ann", "anna", "annika"]
    );
    assert_eq!(
        usernames("name^=\"Ann\"", 2).await,
        vec!["ann", "anna", "annika"]
    );
    assert_eq!(
        usernames("username ^= \"c\"", 1).await,
        vec!["carl", "cleo"]
    );
    assert_eq!(
        usernames(r#"name = "Annika \"Nik\" Berg""#, 60).await,
        vec!["annika"]
    );
    assert_eq!(
        usernames("email ^= \"zzz\"", 60).await,
        Vec::<String>::new()
    );
    assert_eq!(
        usernames("cognito:user_status = \"CONFIRMED\"", 60).await,
        vec!["bob"]
    );
    assert_eq!(
        usernames("cognito:user_status = \"FORCE_CHANGE_PASSWORD\"", 2)
            .await
            .len(),
        6
    );
    assert_eq!(usernames("status = \"Enabled\"", 3).await.len(), 7);
    // `status` is case-insensitive (Cognito API: ListUsers, Filter).
    assert_eq!(usernames("status = \"enabled\"", 3).await.len(), 7);
    let sub = s.admin_attr(&pool_id, "cleo", "sub").await.unwrap();
    assert_eq!(
        usernames(&format!("sub = \"{sub}\""), 60).await,
        vec!["cleo"]
    );
    // Unusual values are just values.
    assert!(
        usernames("name = \"'; DROP TABLE users; --\"", 60)
            .await
            .is_empty()
    );
    assert!(usernames("name ^= \"%\"", 60).await.is_empty());

    // AttributesToGet: only those attributes.
    let page = admin
        .list_users()
        .user_pool_id(&pool_id)
        .filter("username = \"ann\"")
        .attributes_to_get("email")
        .send()
        .await
        .unwrap();
    let attrs: Vec<_> = page.users()[0]
        .attributes()
        .iter()
        .map(|a| a.name())
        .collect();
    assert_eq!(attrs, vec!["email"]);
}

/// Every username a filter finds, page by page, sorted.
async fn list_all(s: &TestServer, pool_id: &str, filter: String, limit: i32) -> Vec<String> {
    let mut all = Vec::new();
    let mut token = None;
    loop {
        let page = s
            .admin()
            .list_users()
            .user_pool_id(pool_id)
            .filter(&filter)
            .limit(limit)
            .set_pagination_token(token)
            .send()
            .await
            .unwrap();
        assert!(page.users().len() <= limit as usize);
        all.extend(
            page.users()
                .iter()
                .map(|u| u.username().unwrap().to_owned()),
        );
        token = page.pagination_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    all.sort();
    all
}

async fn list_users_refuses_bad_filters_and_limits(s: TestServer) {
    let pool_id = s.email_pool().await;
    let admin = s.admin();
    for filter in [
        "custom:tier = \"1\"",
        "locale = \"en\"",
        "email != \"a\"",
        "email = a",
        "email = \"unterminated",
        "email = \"a\" or name = \"b\"",
        "\"email\" = \"a\"",
    ] {
        let err = admin
            .list_users()
            .user_pool_id(&pool_id)
            .filter(filter)
            .send()
            .await
            .unwrap_err();
        assert_eq!(error_name(&err), "InvalidParameterException", "{filter}");
    }
    for limit in [61, -1] {
        let err = admin
            .list_users()
            .user_pool_id(&pool_id)
            .limit(limit)
            .send()
            .await
            .unwrap_err();
        assert_eq!(error_name(&err), "InvalidParameterException", "{limit}");
    }
    let err = admin
        .list_users()
        .user_pool_id(&pool_id)
        .pagination_token("bm90LWEtdG9rZW4")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "InvalidParameterException");
    let err = admin
        .list_users()
        .user_pool_id(&pool_id)
        .attributes_to_get("custom:nope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "InvalidParameterException");
    let err = admin
        .list_users()
        .user_pool_id("us-east-1_nosuchpool")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "ResourceNotFoundException");
    // Unsigned, ListUsers is refused: it is administrative.
    let err = s
        .public()
        .list_users()
        .user_pool_id(&pool_id)
        .send()
        .await
        .unwrap_err();
    assert_ne!(error_name(&err), "InvalidParameterException");
}

async fn dev_outbox_is_not_served_by_cognate_serve(s: TestServer) {
    let resp = reqwest::get(format!("{}/_dev/outbox", s.url))
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 404);
}
