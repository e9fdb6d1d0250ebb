//! Lambda triggers of sign-in and of messages: PreAuthentication,
//! PostAuthentication, PreTokenGeneration (V1_0, V2_0) from the API, the
//! refresh flow and the hosted UI, and CustomMessage — through a real
//! Lambda Invoke API peer (`common::lambda`).

use aws_sdk_cognitoidentityprovider::types::AuthFlowType;
use serde_json::{Value, json};

use crate::common::hosted::{PKCE_VERIFIER, hosted_password_sign_in, location, query_param};
use crate::common::lambda::{Peer, arn, function_error, pool_with, server_with_peer};
use crate::common::users::{PASSWORD, attr};
use crate::common::{TestServer, error_name, jwt_claims};

/// A confirmed user "ann" with a verified email, in group "admins".
async fn ann(s: &TestServer, pool_id: &str) {
    s.verified_user(pool_id, "ann", PASSWORD, "ann@example.com")
        .await;
    let admin = s.admin();
    admin
        .create_group()
        .user_pool_id(pool_id)
        .group_name("admins")
        .role_arn("arn:aws:iam::123456789012:role/admins")
        .send()
        .await
        .unwrap();
    admin
        .admin_add_user_to_group()
        .user_pool_id(pool_id)
        .username("ann")
        .group_name("admins")
        .send()
        .await
        .unwrap();
}

/// USER_PASSWORD_AUTH with ClientMetadata {"app": "web"}.
async fn sign_in(
    s: &TestServer,
    client_id: &str,
) -> Result<aws_sdk_cognitoidentityprovider::types::AuthenticationResultType, String> {
    s.public()
        .initiate_auth()
        .client_id(client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "ann")
        .auth_parameters("PASSWORD", PASSWORD)
        .client_metadata("app", "web")
        .send()
        .await
        .map(|o| o.authentication_result().expect("tokens").clone())
        .map_err(|e| error_name(&e))
}

fn define_v1(peer: &Peer) {
    peer.define("claims-v1", |mut e| {
        e["response"]["claimsOverrideDetails"] = json!({
            "claimsToAddOrOverride": {"tier": "gold", "sub": "forged", "family_name": "Kept"},
            "claimsToSuppress": ["email", "family_name"],
            "groupOverrideDetails": {
                "groupsToOverride": ["readers"],
                "iamRolesToOverride": ["arn:aws:iam::123456789012:role/readers"],
                "preferredRole": "arn:aws:iam::123456789012:role/readers",
            },
        });
        e
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pre_token_generation_v1_changes_the_id_token_and_both_tokens_groups() {
    let (s, peer, _) = server_with_peer().await;
    define_v1(&peer);
    let (pool_id, client_id) =
        pool_with(&s, json!({ "PreTokenGeneration": arn("claims-v1") })).await;
    ann(&s, &pool_id).await;
    let tokens = sign_in(&s, &client_id).await.unwrap();
    let id = jwt_claims(tokens.id_token().unwrap());
    assert_eq!(id["tier"], "gold");
    assert!(id.get("email").is_none(), "suppressed");
    assert!(
        id.get("family_name").is_none(),
        "suppression wins over adding"
    );
    assert_ne!(id["sub"], "forged", "sub is Cognito's");
    assert_eq!(id["cognito:groups"], json!(["readers"]));
    assert_eq!(
        id["cognito:roles"],
        json!(["arn:aws:iam::123456789012:role/readers"])
    );
    let access = jwt_claims(tokens.access_token().unwrap());
    assert_eq!(access["cognito:groups"], json!(["readers"]));
    assert!(
        access.get("tier").is_none(),
        "V1_0 changes only the ID token"
    );

    let events = peer.events_of("claims-v1");
    assert_eq!(events.len(), 1);
    let e = &events[0];
    assert_eq!(e["version"], "1");
    assert_eq!(e["triggerSource"], "TokenGeneration_Authentication");
    assert_eq!(e["userName"], "ann");
    assert_eq!(e["callerContext"]["clientId"], client_id.as_str());
    assert_eq!(e["request"]["userAttributes"]["email"], "ann@example.com");
    assert_eq!(
        e["request"]["groupConfiguration"],
        json!({
            "groupsToOverride": ["admins"],
            "iamRolesToOverride": ["arn:aws:iam::123456789012:role/admins"],
            "preferredRole": "arn:aws:iam::123456789012:role/admins",
        })
    );
    // Cognito API: InitiateAuth's ClientMetadata goes to PreSignUp,
    // PreAuthentication and UserMigration only.
    assert_eq!(e["request"]["clientMetadata"], json!({}));
    assert!(e["request"].get("scopes").is_none(), "scopes are V2_0's");
    assert_eq!(e["response"], json!({"claimsOverrideDetails": null}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pre_token_generation_v2_changes_access_tokens_and_scopes_on_sign_in_and_refresh() {
    let (s, peer, _) = server_with_peer().await;
    peer.define("claims-v2", |mut e| {
        e["response"]["claimsAndScopeOverrideDetails"] = json!({
            "idTokenGeneration": {"claimsToAddOrOverride": {"plan": "pro"}},
            "accessTokenGeneration": {
                "claimsToAddOrOverride": {"tenant": {"id": 7}, "client_id": "forged"},
                "scopesToAdd": ["api/read"],
                "scopesToSuppress": ["api/write"],
            },
        });
        e
    });
    let config = json!({
        "PreTokenGenerationConfig": {"LambdaVersion": "V2_0", "LambdaArn": arn("claims-v2")}
    });
    let (pool_id, client_id) = pool_with(&s, config).await;
    ann(&s, &pool_id).await;
    let tokens = sign_in(&s, &client_id).await.unwrap();
    let access = jwt_claims(tokens.access_token().unwrap());
    assert_eq!(access["tenant"], json!({"id": 7}));
    assert_eq!(
        access["client_id"],
        client_id.as_str(),
        "client_id is Cognito's"
    );
    assert_eq!(access["scope"], "aws.cognito.signin.user.admin api/read");
    assert_eq!(access["cognito:groups"], json!(["admins"]), "groups kept");
    assert_eq!(jwt_claims(tokens.id_token().unwrap())["plan"], "pro");

    let refreshed = s
        .public()
        .initiate_auth()
        .client_id(&client_id)
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", tokens.refresh_token().unwrap())
        .send()
        .await
        .unwrap();
    let access = jwt_claims(
        refreshed
            .authentication_result()
            .unwrap()
            .access_token()
            .unwrap(),
    );
    assert_eq!(access["tenant"], json!({"id": 7}));

    let events = peer.events_of("claims-v2");
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["version"], "2");
    assert_eq!(
        events[0]["request"]["scopes"],
        json!(["aws.cognito.signin.user.admin"])
    );
    assert_eq!(
        events[0]["response"],
        json!({"claimsAndScopeOverrideDetails": null})
    );
    assert_eq!(events[1]["triggerSource"], "TokenGeneration_RefreshTokens");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pre_token_generation_that_throws_or_answers_garbage_issues_no_tokens() {
    let (s, peer, _) = server_with_peer().await;
    peer.define("bad-shape", |mut e| {
        e["response"]["claimsOverrideDetails"] = json!({"claimsToSuppress": "email"});
        e
    });
    for (function, error) in [
        ("reject", "UserLambdaValidationException"),
        ("garbage", "InvalidLambdaResponseException"),
        ("bad-shape", "InvalidLambdaResponseException"),
    ] {
        let (pool_id, client_id) =
            pool_with(&s, json!({ "PreTokenGeneration": arn(function) })).await;
        ann(&s, &pool_id).await;
        assert_eq!(
            sign_in(&s, &client_id).await.unwrap_err(),
            error,
            "{function}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pre_and_post_authentication_see_each_sign_in_and_may_refuse_it() {
    let (s, peer, _) = server_with_peer().await;
    let config = json!({
        "PreAuthentication": arn("echo"),
        "PostAuthentication": arn("post"),
    });
    peer.define("post", |e| e);
    let (pool_id, client_id) = pool_with(&s, config).await;
    ann(&s, &pool_id).await;
    sign_in(&s, &client_id).await.unwrap();
    let pre = peer.events_of("echo");
    assert_eq!(pre.len(), 1);
    assert_eq!(pre[0]["triggerSource"], "PreAuthentication_Authentication");
    assert_eq!(pre[0]["userName"], "ann");
    assert_eq!(
        pre[0]["request"]["userAttributes"]["email"],
        "ann@example.com"
    );
    assert_eq!(pre[0]["request"]["validationData"], json!({"app": "web"}));
    assert!(pre[0]["request"].get("userNotFound").is_none());
    let post = peer.events_of("post");
    assert_eq!(post.len(), 1);
    assert_eq!(
        post[0]["triggerSource"],
        "PostAuthentication_Authentication"
    );
    assert_eq!(post[0]["request"]["newDeviceUsed"], false);
    assert_eq!(
        post[0]["request"]["clientMetadata"],
        json!({}),
        "InitiateAuth's ClientMetadata is not PostAuthentication's"
    );

    // A wrong password never reaches PostAuthentication.
    let wrong = s
        .password_initiate(&client_id, "ann", "Wrong-Passw0rd!")
        .await
        .unwrap_err();
    assert_eq!(error_name(&wrong), "NotAuthorizedException");
    assert_eq!(peer.events_of("post").len(), 1);

    // Either function throwing ends the sign-in without tokens.
    peer.define_raw("deny", |_| function_error("Outside office hours"));
    for config in [
        json!({ "PreAuthentication": arn("deny") }),
        json!({ "PostAuthentication": arn("deny") }),
    ] {
        let (pool_id, client_id) = pool_with(&s, config.clone()).await;
        ann(&s, &pool_id).await;
        let err = s
            .password_initiate(&client_id, "ann", PASSWORD)
            .await
            .unwrap_err();
        assert_eq!(
            error_name(&err),
            "UserLambdaValidationException",
            "{config}"
        );
        let message = err
            .as_service_error()
            .and_then(aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata::message)
            .unwrap_or("")
            .to_owned();
        assert!(
            message.ends_with("failed with error Outside office hours."),
            "{message}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pre_authentication_is_told_of_unknown_names_when_existence_is_hidden() {
    let (s, peer, _) = server_with_peer().await;
    let pool_id =
        crate::common::lambda::create_pool(&s, json!({ "PreAuthentication": arn("echo") }))
            .await
            .unwrap();
    let (client_id, _) = s.client(&pool_id, false, true).await;
    let err = s
        .password_initiate(&client_id, "nobody", PASSWORD)
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "NotAuthorizedException");
    let events = peer.events_of("echo");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["userName"], "nobody");
    assert_eq!(events[0]["request"]["userNotFound"], true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_password_answer_passes_its_client_metadata_to_the_token_functions() {
    let (s, peer, _) = server_with_peer().await;
    define_v1(&peer);
    peer.define("post", |e| e);
    let config = json!({
        "PostAuthentication": arn("post"),
        "PreTokenGeneration": arn("claims-v1"),
    });
    let (pool_id, client_id) = pool_with(&s, config).await;
    s.admin()
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("dan")
        .temporary_password("Temp-Passw0rd!")
        .message_action(aws_sdk_cognitoidentityprovider::types::MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    let challenge = s
        .password_initiate(&client_id, "dan", "Temp-Passw0rd!")
        .await
        .unwrap();
    let tokens = s
        .public()
        .respond_to_auth_challenge()
        .client_id(&client_id)
        .challenge_name(
            aws_sdk_cognitoidentityprovider::types::ChallengeNameType::NewPasswordRequired,
        )
        .session(challenge.session().unwrap())
        .challenge_responses("USERNAME", "dan")
        .challenge_responses("NEW_PASSWORD", PASSWORD)
        .client_metadata("step", "new-password")
        .send()
        .await
        .unwrap();
    assert_eq!(
        jwt_claims(tokens.authentication_result().unwrap().id_token().unwrap())["tier"],
        "gold"
    );
    let e = peer.events_of("claims-v1").pop().unwrap();
    assert_eq!(e["triggerSource"], "TokenGeneration_NewPasswordChallenge");
    assert_eq!(
        e["request"]["clientMetadata"],
        json!({"step": "new-password"})
    );
    let post = peer.events_of("post").pop().unwrap();
    assert_eq!(
        post["request"]["clientMetadata"],
        json!({"step": "new-password"})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hosted_ui_sign_ins_run_the_same_triggers_and_hosted_auth_tokens() {
    const CALLBACK: &str = "https://app.example/callback";
    let (s, peer, _) = server_with_peer().await;
    define_v1(&peer);
    peer.define("post", |e| e);
    let config = json!({
        "PreAuthentication": arn("echo"),
        "PostAuthentication": arn("post"),
        "PreTokenGeneration": arn("claims-v1"),
    });
    let pool_id = crate::common::lambda::create_pool(&s, config)
        .await
        .unwrap();
    ann(&s, &pool_id).await;
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
        PASSWORD,
    )
    .await;
    let code = query_param(&location(&done), "code").expect("a code");
    assert_eq!(peer.events_of("echo").len(), 1, "PreAuthentication");
    assert_eq!(peer.events_of("post").len(), 1, "PostAuthentication");
    let tokens: Value = reqwest::Client::new()
        .post(format!("{}/{pool_id}/oauth2/token", s.url))
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", client_id.as_str()),
            ("code", code.as_str()),
            ("redirect_uri", CALLBACK),
            ("code_verifier", PKCE_VERIFIER),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = jwt_claims(tokens["id_token"].as_str().expect("id_token"));
    assert_eq!(id["tier"], "gold");
    let events = peer.events_of("claims-v1");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["triggerSource"], "TokenGeneration_HostedAuth");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn custom_message_writes_the_codes_messages() {
    let (s, peer, _) = server_with_peer().await;
    peer.define("writer", |mut e| {
        let source = e["triggerSource"].as_str().unwrap().to_owned();
        if source == "CustomMessage_ResendCode" {
            return e; // the pool's own text
        }
        let code = e["request"]["codeParameter"].as_str().unwrap().to_owned();
        let name = e["request"]["usernameParameter"]
            .as_str()
            .unwrap_or("")
            .to_owned();
        e["response"]["emailSubject"] = json!(format!("[{source}]"));
        e["response"]["emailMessage"] = json!(format!("Hello {name} <b>{code}</b>"));
        e
    });
    let (pool_id, client_id) = pool_with(&s, json!({ "CustomMessage": arn("writer") })).await;
    s.public()
        .sign_up()
        .client_id(&client_id)
        .username("bob")
        .password(PASSWORD)
        .user_attributes(attr("email", "bob@example.com"))
        .client_metadata("lang", "fr")
        .send()
        .await
        .unwrap();
    let sent = &s.outbox(&pool_id).await[0];
    assert_eq!(sent.subject.as_deref(), Some("[CustomMessage_SignUp]"));
    let code = crate::common::users::six_digits(&sent.body).expect("the code, filled in");
    assert_eq!(sent.body, format!("Hello {code}"));
    let events = peer.events_of("writer");
    let e = &events[0];
    assert_eq!(e["request"]["codeParameter"], "{####}");
    assert_eq!(e["request"]["usernameParameter"], Value::Null);
    assert_eq!(e["request"]["clientMetadata"], json!({"lang": "fr"}));
    assert_eq!(e["callerContext"]["clientId"], client_id.as_str());
    assert_eq!(
        e["response"],
        json!({"smsMessage": null, "emailMessage": null, "emailSubject": null})
    );

    // A function that leaves the message null keeps the pool's text.
    s.public()
        .resend_confirmation_code()
        .client_id(&client_id)
        .username("bob")
        .client_metadata("lang", "de")
        .send()
        .await
        .unwrap();
    let resent = &s.outbox(&pool_id).await[0];
    assert!(resent.body.starts_with("Your verification code is "));
    assert_ne!(crate::common::users::six_digits(&resent.body), Some(code));
    let e = peer.events_of("writer").pop().unwrap();
    assert_eq!(e["triggerSource"], "CustomMessage_ResendCode");
    assert_eq!(e["request"]["clientMetadata"], json!({"lang": "de"}));
    assert_eq!(e["callerContext"]["clientId"], client_id.as_str());

    // Invitations fill {username} too.
    s.admin()
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("cat")
        .user_attributes(attr("email", "cat@example.com"))
        .send()
        .await
        .unwrap();
    let invite = &s.outbox(&pool_id).await[0];
    assert_eq!(
        invite.subject.as_deref(),
        Some("[CustomMessage_AdminCreateUser]")
    );
    assert!(invite.body.starts_with("Hello cat "), "{}", invite.body);
    let last = peer.events_of("writer").pop().unwrap();
    assert_eq!(last["request"]["usernameParameter"], "{username}");
    assert_eq!(last["triggerSource"], "CustomMessage_AdminCreateUser");
}

/// A pool with `config` as its LambdaConfig, a resource server "api" with
/// scope "read", and a confidential client of the client_credentials grant.
async fn machine_client(s: &TestServer, config: Value) -> (String, String, String) {
    use aws_sdk_cognitoidentityprovider::types::{OAuthFlowType, ResourceServerScopeType};
    let pool_id = crate::common::lambda::create_pool(s, config).await.unwrap();
    s.admin()
        .create_resource_server()
        .user_pool_id(&pool_id)
        .identifier("api")
        .name("api")
        .scopes(
            ResourceServerScopeType::builder()
                .scope_name("read")
                .scope_description("read")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let (client_id, secret) = s
        .code_client(&pool_id, "https://app.example/cb", &["api/read"], |c| {
            c.generate_secret(true)
                .set_allowed_o_auth_flows(Some(vec![OAuthFlowType::ClientCredentials]))
        })
        .await;
    (pool_id, client_id, secret.unwrap())
}

async fn client_credentials(s: &TestServer, pool_id: &str, id: &str, secret: &str) -> Value {
    reqwest::Client::new()
        .post(format!("{}/{pool_id}/oauth2/token", s.url))
        .basic_auth(id, Some(secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pre_token_generation_v3_also_customizes_client_credentials_tokens() {
    let (s, peer, _) = server_with_peer().await;
    peer.define("machine", |mut e| {
        e["response"]["claimsAndScopeOverrideDetails"] = json!({
            "accessTokenGeneration": {
                "claimsToAddOrOverride": {"caller": "batch-job"},
                "scopesToAdd": ["api/extra"],
            },
        });
        e
    });
    let v3 =
        json!({"PreTokenGenerationConfig": {"LambdaVersion": "V3_0", "LambdaArn": arn("machine")}});
    let (pool_id, id, secret) = machine_client(&s, v3).await;
    let answer = client_credentials(&s, &pool_id, &id, &secret).await;
    let access = jwt_claims(answer["access_token"].as_str().expect("an access token"));
    assert_eq!(access["caller"], "batch-job");
    assert_eq!(access["scope"], "api/read api/extra");
    assert_eq!(access["client_id"], id.as_str());
    let events = peer.events_of("machine");
    assert_eq!(events.len(), 1);
    let e = &events[0];
    assert_eq!(e["version"], "3");
    assert_eq!(e["triggerSource"], "TokenGeneration_ClientCredentials");
    assert_eq!(e["callerContext"]["clientId"], id.as_str());
    assert_eq!(e["request"]["scopes"], json!(["api/read"]));
    assert_eq!(e["request"]["userAttributes"], json!({}));

    // V2_0 functions are for users' tokens only.
    let v2 =
        json!({"PreTokenGenerationConfig": {"LambdaVersion": "V2_0", "LambdaArn": arn("machine")}});
    let (pool_id, id, secret) = machine_client(&s, v2).await;
    let answer = client_credentials(&s, &pool_id, &id, &secret).await;
    assert!(
        jwt_claims(answer["access_token"].as_str().unwrap())
            .get("caller")
            .is_none()
    );
    assert_eq!(peer.events_of("machine").len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn custom_message_writes_reset_verification_and_mfa_messages_too() {
    use aws_sdk_cognitoidentityprovider::types::{ChallengeNameType, UserPoolMfaType};
    let (s, peer, _) = server_with_peer().await;
    peer.define("writer", |mut e| {
        let source = e["triggerSource"].as_str().unwrap().to_owned();
        let code = e["request"]["codeParameter"].as_str().unwrap().to_owned();
        e["response"]["emailSubject"] = json!(source);
        e["response"]["emailMessage"] = json!(format!("{source}: {code}"));
        e["response"]["smsMessage"] = json!(format!("{source}: {code}"));
        e
    });
    let (pool_id, client_id) = pool_with(&s, json!({ "CustomMessage": arn("writer") })).await;
    s.admin_user(
        &pool_id,
        "ann",
        PASSWORD,
        &[
            ("email", "ann@example.com"),
            ("email_verified", "true"),
            ("phone_number", "+12065551212"),
            ("phone_number_verified", "true"),
        ],
    )
    .await;
    let newest = |sent: Vec<cognate_core::store::outbox::OutboxMessage>| {
        let m = sent.into_iter().next().expect("a message");
        let (source, code) = m.body.split_once(": ").expect("the function's text");
        assert_eq!(
            crate::common::users::six_digits(code).as_deref(),
            Some(code)
        );
        (source.to_owned(), code.to_owned())
    };

    s.public()
        .forgot_password()
        .client_id(&client_id)
        .username("ann")
        .client_metadata("flow", "reset")
        .send()
        .await
        .unwrap();
    let (source, _) = newest(s.outbox(&pool_id).await);
    assert_eq!(source, "CustomMessage_ForgotPassword");
    let e = peer.events_of("writer").pop().unwrap();
    assert_eq!(e["request"]["clientMetadata"], json!({"flow": "reset"}));
    assert_eq!(e["callerContext"]["clientId"], client_id.as_str());

    let token = s.access_token(&client_id, "ann", PASSWORD).await;
    s.public()
        .update_user_attributes()
        .access_token(&token)
        .user_attributes(attr("email", "ann@example.org"))
        .client_metadata("flow", "update")
        .send()
        .await
        .unwrap();
    let (source, code) = newest(s.outbox(&pool_id).await);
    assert_eq!(source, "CustomMessage_UpdateUserAttribute");
    let e = peer.events_of("writer").pop().unwrap();
    assert_eq!(e["request"]["clientMetadata"], json!({"flow": "update"}));
    // The code the function's text carried is the real one.
    s.public()
        .verify_user_attribute()
        .access_token(&token)
        .attribute_name("email")
        .code(&code)
        .send()
        .await
        .expect("the code in the custom text verifies the new address");

    s.public()
        .get_user_attribute_verification_code()
        .access_token(&token)
        .attribute_name("phone_number")
        .send()
        .await
        .unwrap();
    let (source, _) = newest(s.outbox(&pool_id).await);
    assert_eq!(source, "CustomMessage_VerifyUserAttribute");

    s.set_mfa(&pool_id, UserPoolMfaType::On, false, false, true)
        .await;
    let out = s
        .password_initiate(&client_id, "ann", PASSWORD)
        .await
        .unwrap();
    assert_eq!(out.challenge_name(), Some(&ChallengeNameType::SmsMfa));
    let (source, code) = newest(s.outbox(&pool_id).await);
    assert_eq!(source, "CustomMessage_Authentication");
    s.public()
        .respond_to_auth_challenge()
        .client_id(&client_id)
        .challenge_name(ChallengeNameType::SmsMfa)
        .session(out.session().unwrap())
        .challenge_responses("USERNAME", "ann")
        .challenge_responses("SMS_MFA_CODE", &code)
        .send()
        .await
        .expect("the code in the custom SMS answers SMS_MFA");
}
