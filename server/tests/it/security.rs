//! The account-takeover, session and enumeration rules of the security
//! review (docs/security.md), each test named after the rule it checks,
//! on SQLite and PostgreSQL: access-token scopes, NEW_PASSWORD_REQUIRED
//! attribute writes, hosted-UI sessions that end with the account's state,
//! equal answers for unknown names, limits on token-authorized actions,
//! and the OAuth details of RFC 9700.

use crate::common::hosted::{browser, hidden, location, query_param};
use crate::common::users::{PASSWORD, attr};
use crate::common::{Backend, TestServer, error_name};
use aws_sdk_cognitoidentityprovider as cip;
use cip::types::{
    AuthFlowType, ExplicitAuthFlowsType, MessageActionType, SchemaAttributeType, SmsMfaSettingsType,
};
use reqwest::StatusCode;

const CALLBACK: &str = "https://app.example/callback";
/// An RFC 7636 Appendix B verifier and its S256 challenge.
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

/// A pool with a hosted-UI client (code flow, PKCE) and the user `ann`
/// with a verified email and a permanent password.
struct Hosted {
    pool_id: String,
    client_id: String,
    issuer: String,
}

async fn hosted(s: &TestServer, scopes: &[&str], secret: bool) -> Hosted {
    let pool_id = s.pool(|b| b).await;
    let (client_id, _) = s
        .code_client(&pool_id, CALLBACK, scopes, |c| {
            c.generate_secret(secret)
                .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
                .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        })
        .await;
    s.verified_user(&pool_id, "ann", PASSWORD, "ann@example.com")
        .await;
    Hosted {
        issuer: format!("{}/{pool_id}", s.url),
        pool_id,
        client_id,
    }
}

impl Hosted {
    fn authorize(&self, extra: &str) -> String {
        format!(
            "{}/oauth2/authorize?response_type=code&client_id={}&redirect_uri={CALLBACK}&state=xyz\
             &code_challenge={CHALLENGE}&code_challenge_method=S256{extra}",
            self.issuer, self.client_id
        )
    }

    /// Signs `ann` in through the form; the code sent back.
    async fn sign_in(&self, b: &reqwest::Client, password: &str) -> String {
        let html = b
            .get(self.authorize(""))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let form = [
            ("csrf", hidden(&html, "csrf").expect("csrf field")),
            ("flow", hidden(&html, "flow").expect("flow field")),
            ("username", "ann".to_owned()),
            ("password", password.to_owned()),
        ];
        let done = b
            .post(format!("{}/login", self.issuer))
            .form(&form)
            .send()
            .await
            .unwrap();
        query_param(&location(&done), "code").expect("a code after sign-in")
    }

    /// What the browser's session gets at /oauth2/authorize now: a code
    /// (the SSO session answered), or None (the sign-in form).
    async fn sso_code(&self, b: &reqwest::Client, extra: &str) -> Option<String> {
        let r = b.get(self.authorize(extra)).send().await.unwrap();
        if r.status() == StatusCode::OK {
            let html = r.text().await.unwrap();
            assert!(html.contains("name=\"password\""), "{html}");
            return None;
        }
        let to = location(&r);
        assert!(to.starts_with(CALLBACK), "{to}");
        Some(query_param(&to, "code").expect("code"))
    }

    async fn token(&self, form: &[(&str, &str)]) -> (StatusCode, serde_json::Value) {
        let r = reqwest::Client::new()
            .post(format!("{}/oauth2/token", self.issuer))
            .form(form)
            .send()
            .await
            .unwrap();
        (r.status(), r.json().await.unwrap_or_default())
    }

    async fn redeem(&self, code: &str) -> (StatusCode, serde_json::Value) {
        self.token(&[
            ("grant_type", "authorization_code"),
            ("client_id", &self.client_id),
            ("code", code),
            ("redirect_uri", CALLBACK),
            ("code_verifier", VERIFIER),
        ])
        .await
    }
}

fn field(v: &serde_json::Value, name: &str) -> String {
    v[name].as_str().unwrap_or_default().to_owned()
}

// ------------------------------------------------ 1. access-token scopes

/// Cognito API, every self-service action: "Authorize this action with a
/// signed-in user's access token. It must include the scope
/// aws.cognito.signin.user.admin." A hosted-UI token with `openid` alone
/// reads userInfo and nothing more.
async fn self_service_actions_require_the_admin_scope(s: TestServer) {
    let app = hosted(&s, &["openid", "email"], false).await;
    let b = browser();
    let code = app.sign_in(&b, PASSWORD).await;
    let (status, tokens) = app.redeem(&code).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let access = field(&tokens, "access_token");
    let public = s.public();
    let refused = "NotAuthorizedException";

    let e = public.get_user().access_token(&access).send().await;
    assert_eq!(error_name(&e.unwrap_err()), refused);
    let e = public
        .update_user_attributes()
        .access_token(&access)
        .user_attributes(attr("email", "mallory@example.com"))
        .send()
        .await;
    assert_eq!(error_name(&e.unwrap_err()), refused);
    let e = public
        .set_user_mfa_preference()
        .access_token(&access)
        .sms_mfa_settings(SmsMfaSettingsType::builder().enabled(false).build())
        .send()
        .await;
    assert_eq!(error_name(&e.unwrap_err()), refused);
    let e = public
        .delete_user_attributes()
        .access_token(&access)
        .user_attribute_names("name")
        .send()
        .await;
    assert_eq!(error_name(&e.unwrap_err()), refused);
    let e = public
        .change_password()
        .access_token(&access)
        .previous_password(PASSWORD)
        .proposed_password("An0ther-pass!")
        .send()
        .await;
    assert_eq!(error_name(&e.unwrap_err()), refused);
    let e = public
        .associate_software_token()
        .access_token(&access)
        .send()
        .await;
    assert_eq!(error_name(&e.unwrap_err()), refused);
    let e = public
        .verify_software_token()
        .access_token(&access)
        .user_code("123456")
        .send()
        .await;
    assert_eq!(error_name(&e.unwrap_err()), refused);
    let e = public
        .get_user_attribute_verification_code()
        .access_token(&access)
        .attribute_name("email")
        .send()
        .await;
    assert_eq!(error_name(&e.unwrap_err()), refused);
    let e = public
        .verify_user_attribute()
        .access_token(&access)
        .attribute_name("email")
        .code("123456")
        .send()
        .await;
    assert_eq!(error_name(&e.unwrap_err()), refused);
    let e = public.global_sign_out().access_token(&access).send().await;
    assert_eq!(error_name(&e.unwrap_err()), refused);
    let e = public.delete_user().access_token(&access).send().await;
    assert_eq!(error_name(&e.unwrap_err()), refused);

    // Nothing changed, and the token still does what its scopes allow.
    assert_eq!(
        s.admin_attr(&app.pool_id, "ann", "email").await.as_deref(),
        Some("ann@example.com")
    );
    let info = reqwest::Client::new()
        .get(format!("{}/oauth2/userInfo", app.issuer))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(info.status(), StatusCode::OK);
}

/// The same hosted UI with the admin scope granted: the token may manage
/// the account, as in Cognito.
async fn a_hosted_ui_token_with_the_admin_scope_may_call_get_user(s: TestServer) {
    let app = hosted(&s, &["openid", "aws.cognito.signin.user.admin"], false).await;
    let code = app.sign_in(&browser(), PASSWORD).await;
    let (_, tokens) = app.redeem(&code).await;
    let user = s
        .public()
        .get_user()
        .access_token(field(&tokens, "access_token"))
        .send()
        .await
        .expect("GetUser with the admin scope");
    assert_eq!(user.username(), "ann");
}

// ------------------------------------------------ 2. NEW_PASSWORD_REQUIRED

/// An invited user with an immutable `custom:tenant` and an unverified
/// email, signed in with the temporary password: the challenge's session.
async fn invited(s: &TestServer) -> (String, String, String) {
    let admin = s.admin();
    let pool_id = s
        .pool(|b| {
            b.schema(
                SchemaAttributeType::builder()
                    .name("tenant")
                    .attribute_data_type(cip::types::AttributeDataType::String)
                    .mutable(false)
                    .build(),
            )
            .schema(
                SchemaAttributeType::builder()
                    .name("secret")
                    .attribute_data_type(cip::types::AttributeDataType::String)
                    .developer_only_attribute(true)
                    .build(),
            )
        })
        .await;
    let (client_id, _) = s.client(&pool_id, false, false).await;
    admin
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("inez")
        .temporary_password("Temp-0rary!")
        .message_action(MessageActionType::Suppress)
        .user_attributes(attr("email", "inez@example.com"))
        .user_attributes(attr("custom:tenant", "acme"))
        .send()
        .await
        .unwrap();
    let first = s
        .public()
        .initiate_auth()
        .client_id(&client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "inez")
        .auth_parameters("PASSWORD", "Temp-0rary!")
        .send()
        .await
        .unwrap();
    assert_eq!(
        first.challenge_name().map(|c| c.as_str()),
        Some("NEW_PASSWORD_REQUIRED")
    );
    (pool_id, client_id, first.session().unwrap().to_owned())
}

async fn answer_new_password(
    s: &TestServer,
    client_id: &str,
    session: &str,
    attribute: (&str, &str),
) -> Result<(), String> {
    s.public()
        .respond_to_auth_challenge()
        .client_id(client_id)
        .challenge_name(cip::types::ChallengeNameType::NewPasswordRequired)
        .session(session)
        .challenge_responses("USERNAME", "inez")
        .challenge_responses("NEW_PASSWORD", "Brand-new-1!")
        .challenge_responses(format!("userAttributes.{}", attribute.0), attribute.1)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| error_name(&e))
}

/// RespondToAuthChallenge NEW_PASSWORD_REQUIRED: `userAttributes.*` go
/// through UpdateUserAttributes' write check — no verified flags, no
/// developer-only attributes, no immutable attribute that has a value —
/// and a refused write changes nothing.
async fn new_password_challenge_writes_only_what_the_client_may_write(s: TestServer) {
    let (pool_id, client_id, session) = invited(&s).await;
    for (name, value, refusal) in [
        ("email_verified", "true", "NotAuthorizedException"),
        ("dev:custom:secret", "x", "InvalidParameterException"),
        ("custom:tenant", "evil", "InvalidParameterException"),
    ] {
        assert_eq!(
            answer_new_password(&s, &client_id, &session, (name, value)).await,
            Err(refusal.to_owned()),
            "{name}"
        );
    }
    let attr_of = |n: &'static str| s.admin_attr(&pool_id, "inez", n);
    assert_eq!(attr_of("custom:tenant").await.as_deref(), Some("acme"));
    assert_eq!(attr_of("email_verified").await, None);
    assert_eq!(
        s.admin_status(&pool_id, "inez").await,
        "FORCE_CHANGE_PASSWORD"
    );
    // A writable attribute goes through, with the new password.
    answer_new_password(&s, &client_id, &session, ("name", "Inez"))
        .await
        .expect("a writable attribute");
    assert_eq!(attr_of("name").await.as_deref(), Some("Inez"));
    assert_eq!(s.admin_status(&pool_id, "inez").await, "CONFIRMED");
}

/// Cognito developer guide: in a NEW_PASSWORD_REQUIRED response "you can't
/// modify a required attribute that already has a value".
async fn new_password_challenge_refuses_an_already_provided_required_attribute(s: TestServer) {
    let pool_id = s
        .pool(|b| {
            b.schema(
                SchemaAttributeType::builder()
                    .name("email")
                    .attribute_data_type(cip::types::AttributeDataType::String)
                    .required(true)
                    .mutable(true)
                    .build(),
            )
        })
        .await;
    let (client_id, _) = s.client(&pool_id, false, false).await;
    s.admin()
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("inez")
        .temporary_password("Temp-0rary!")
        .message_action(MessageActionType::Suppress)
        .user_attributes(attr("email", "inez@example.com"))
        .send()
        .await
        .unwrap();
    let first = s
        .public()
        .initiate_auth()
        .client_id(&client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "inez")
        .auth_parameters("PASSWORD", "Temp-0rary!")
        .send()
        .await
        .unwrap();
    let session = first.session().unwrap();
    assert_eq!(
        answer_new_password(&s, &client_id, session, ("email", "mallory@example.com")).await,
        Err("InvalidParameterException".to_owned())
    );
    assert_eq!(
        s.admin_attr(&pool_id, "inez", "email").await.as_deref(),
        Some("inez@example.com")
    );
}

// ------------------------------------------------ 4. hosted-UI sessions

/// Ends `ann`'s sign-ins the way `what` names.
async fn end_sign_ins(admin: &cip::Client, pool_id: &str, what: &str) {
    match what {
        "AdminUserGlobalSignOut" => {
            admin
                .admin_user_global_sign_out()
                .user_pool_id(pool_id)
                .username("ann")
                .send()
                .await
                .unwrap();
        }
        "AdminDisableUser" => {
            admin
                .admin_disable_user()
                .user_pool_id(pool_id)
                .username("ann")
                .send()
                .await
                .unwrap();
            // Enabled again: the old session stays over.
            admin
                .admin_enable_user()
                .user_pool_id(pool_id)
                .username("ann")
                .send()
                .await
                .unwrap();
        }
        "AdminSetUserPassword" => {
            admin
                .admin_set_user_password()
                .user_pool_id(pool_id)
                .username("ann")
                .password(PASSWORD)
                .permanent(true)
                .send()
                .await
                .unwrap();
        }
        other => panic!("no way to end sign-ins named {other}"),
    }
}

/// One core decision for tokens: a hosted-UI session resumes only while
/// the user may sign in and nothing ended their sign-ins since. Each way
/// of ending them is tried in a fresh browser.
async fn hosted_sessions_end_with_the_accounts_state(s: TestServer) {
    let app = hosted(&s, &["openid"], false).await;
    let admin = s.admin();

    for what in [
        "AdminUserGlobalSignOut",
        "AdminDisableUser",
        "AdminSetUserPassword",
    ] {
        let b = browser();
        app.sign_in(&b, PASSWORD).await;
        let unredeemed = app.sso_code(&b, "").await.expect("SSO answers at once");
        end_sign_ins(&admin, &app.pool_id, what).await;
        assert_eq!(app.sso_code(&b, "").await, None, "after {what}");
        // A code issued before is not redeemed after.
        let (status, body) = app.redeem(&unredeemed).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "after {what}: {body}");
        assert_eq!(field(&body, "error"), "invalid_grant");
    }

    // AdminResetUserPassword: RESET_REQUIRED, and the session is over.
    let b = browser();
    app.sign_in(&b, PASSWORD).await;
    admin
        .admin_reset_user_password()
        .user_pool_id(&app.pool_id)
        .username("ann")
        .send()
        .await
        .unwrap();
    assert_eq!(
        app.sso_code(&b, "").await,
        None,
        "after AdminResetUserPassword"
    );
}

/// GlobalSignOut and ChangePassword by the user end their hosted-UI
/// sessions too.
async fn a_users_own_sign_out_or_password_change_ends_hosted_sessions(s: TestServer) {
    let app = hosted(&s, &["openid"], false).await;
    for action in ["GlobalSignOut", "ChangePassword"] {
        let b = browser();
        app.sign_in(&b, PASSWORD).await;
        assert!(app.sso_code(&b, "").await.is_some());
        let access = s.access_token(&app.client_id, "ann", PASSWORD).await;
        let public = s.public();
        if action == "GlobalSignOut" {
            public
                .global_sign_out()
                .access_token(&access)
                .send()
                .await
                .unwrap();
        } else {
            public
                .change_password()
                .access_token(&access)
                .previous_password(PASSWORD)
                .proposed_password(PASSWORD)
                .send()
                .await
                .unwrap();
        }
        assert_eq!(app.sso_code(&b, "").await, None, "after {action}");
    }
}

/// A hosted-UI session has an absolute lifetime however often it is used
/// (`sso_session_seconds`; Cognito's managed login: one hour).
async fn hosted_sessions_end_after_their_absolute_lifetime(s: TestServer) {
    let app = hosted(&s, &["openid"], false).await;
    let b = browser();
    app.sign_in(&b, PASSWORD).await;
    for _ in 0..3 {
        s.clock.advance(50_000);
        assert!(app.sso_code(&b, "").await.is_some(), "used within its life");
    }
    s.clock.advance(50_000);
    assert_eq!(app.sso_code(&b, "").await, None, "200 s after sign-in");
}

/// OpenID Connect Core §3.1.2.1: max_age — a sign-in older than it is
/// asked again; a malformed one is invalid_request.
async fn max_age_asks_an_older_sign_in_again(s: TestServer) {
    let app = hosted(&s, &["openid"], false).await;
    let b = browser();
    app.sign_in(&b, PASSWORD).await;
    s.clock.advance(61_000);
    assert!(app.sso_code(&b, "&max_age=600").await.is_some());
    assert_eq!(app.sso_code(&b, "&max_age=60").await, None);
    let r = b.get(app.authorize("&max_age=-1")).send().await.unwrap();
    assert_eq!(
        query_param(&location(&r), "error").as_deref(),
        Some("invalid_request")
    );
}

// ------------------------------------------------ 5. no user enumeration

/// A client with PreventUserExistenceErrors, a confirmed user `ann` with a
/// verified email, and the public SDK client.
async fn hiding(s: &TestServer) -> (String, String) {
    let pool_id = s.email_pool().await;
    let (client_id, _) = s.client(&pool_id, false, true).await;
    s.confirmed_user(&pool_id, &client_id, "ann", "ann@example.com")
        .await;
    (pool_id, client_id)
}

/// The code and message of an SDK error.
fn answer<E, R>(r: Result<impl std::fmt::Debug, cip::error::SdkError<E, R>>) -> (String, String)
where
    E: cip::error::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let e = r.expect_err("an error");
    let message = match &e {
        cip::error::SdkError::ServiceError(s) => s.err().message().unwrap_or("").to_owned(),
        _ => String::new(),
    };
    (error_name(&e), message)
}

/// Cognito developer guide, "Managing user existence error responses":
/// ConfirmForgotPassword answers an existing user exactly as an unknown
/// name — with no code sent, a weak new password, or an expired code — so
/// the code is checked before the user's state or the password policy.
async fn confirm_forgot_password_answers_users_as_unknown_names(s: TestServer) {
    let (pool_id, client_id) = hiding(&s).await;
    let public = s.public();
    let confirm = |name: &'static str, password: &'static str| {
        public
            .confirm_forgot_password()
            .client_id(&client_id)
            .username(name)
            .confirmation_code("000000")
            .password(password)
            .send()
    };
    let unknown = answer(confirm("nobody", "weak").await);
    assert_eq!(unknown.0, "CodeMismatchException");
    // No code sent yet; a weak password.
    assert_eq!(answer(confirm("ann", "weak").await), unknown);
    // A code sent, a wrong one tried with a weak password.
    public
        .forgot_password()
        .client_id(&client_id)
        .username("ann")
        .send()
        .await
        .unwrap();
    let right = s.code_sent_to(&pool_id, "ann@example.com").await;
    assert_eq!(answer(confirm("ann", "weak").await), unknown);
    // Expired: a wrong guess still looks the same.
    s.clock.advance(2 * 3600 * 1000);
    assert_eq!(answer(confirm("ann", PASSWORD).await), unknown);
    // Only the holder of the right code learns that it expired.
    let held = public
        .confirm_forgot_password()
        .client_id(&client_id)
        .username("ann")
        .confirmation_code(right)
        .password(PASSWORD)
        .send()
        .await;
    assert_eq!(answer(held).0, "ExpiredCodeException");
}

/// A right code with a password the policy refuses: InvalidPassword, and
/// the code is not spent.
async fn a_refused_new_password_spends_no_reset_code(s: TestServer) {
    let (pool_id, client_id) = hiding(&s).await;
    let public = s.public();
    let code = s
        .reset_code(&pool_id, &client_id, "ann", "ann@example.com")
        .await;
    let weak = public
        .confirm_forgot_password()
        .client_id(&client_id)
        .username("ann")
        .confirmation_code(&code)
        .password("weak")
        .send()
        .await;
    assert_eq!(answer(weak).0, "InvalidPasswordException");
    public
        .confirm_forgot_password()
        .client_id(&client_id)
        .username("ann")
        .confirmation_code(&code)
        .password("Str0ng-enough!")
        .send()
        .await
        .expect("the code still works");
}

/// ConfirmSignUp of a confirmed user answers as for an unknown name.
async fn confirm_sign_up_answers_a_confirmed_user_as_an_unknown_name(s: TestServer) {
    let (_, client_id) = hiding(&s).await;
    let public = s.public();
    let confirm = |name: &'static str| {
        public
            .confirm_sign_up()
            .client_id(&client_id)
            .username(name)
            .confirmation_code("000000")
            .send()
    };
    let unknown = answer(confirm("nobody").await);
    assert_eq!(unknown.0, "CodeMismatchException");
    assert_eq!(answer(confirm("ann").await), unknown);
}

/// A code survives five wrong tries; an unknown name's simulated code
/// runs out the same way, so the sixth answer tells nothing either.
async fn unknown_names_run_out_of_code_attempts_as_users_do(s: TestServer) {
    let (_, client_id) = hiding(&s).await;
    let public = s.public();
    let mut answers = Vec::new();
    for name in ["ann", "nobody"] {
        public
            .forgot_password()
            .client_id(&client_id)
            .username(name)
            .send()
            .await
            .unwrap();
        let mut seen = Vec::new();
        for _ in 0..7 {
            let r = public
                .confirm_forgot_password()
                .client_id(&client_id)
                .username(name)
                .confirmation_code("000000")
                .password(PASSWORD)
                .send()
                .await;
            seen.push(answer(r));
        }
        answers.push(seen);
    }
    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[0][4].0, "CodeMismatchException");
    assert_eq!(answers[0][5].0, "LimitExceededException");
}

async fn wrong_sign_ins(s: &TestServer, client_id: &str, name: &str, n: usize) -> Vec<String> {
    let mut seen = Vec::new();
    for _ in 0..n {
        let r = s
            .public()
            .initiate_auth()
            .client_id(client_id)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", name)
            .auth_parameters("PASSWORD", "Wr0ng-password!")
            .send()
            .await;
        seen.push(answer(r).1);
    }
    seen
}

/// Under PreventUserExistenceErrors an unknown name locks out as a user
/// does, and its lockout is kept in the store like a user's: it outlives
/// a restart of the server.
async fn ghost_lockouts_survive_a_restart(s: TestServer) {
    let (_, client_id) = hiding(&s).await;
    let seen = wrong_sign_ins(&s, &client_id, "nobody", 6).await;
    assert_eq!(seen[5], "Password attempts exceeded");
    assert_eq!(seen, wrong_sign_ins(&s, &client_id, "ann", 6).await);
    let s = s.restart().await;
    assert_eq!(
        wrong_sign_ins(&s, &client_id, "nobody", 1).await,
        ["Password attempts exceeded"]
    );
}

/// Two nodes on one PostgreSQL see the same lockout of an unknown name.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_ghost_lockouts_are_shared_by_nodes() {
    let Some(s) = TestServer::start(Backend::Postgres).await else {
        return;
    };
    let (_, client_id) = hiding(&s).await;
    let seen = wrong_sign_ins(&s, &client_id, "nobody", 6).await;
    assert_eq!(seen[5], "Password attempts exceeded");
    let other = s.start_node_beside().await.expect("a second node");
    assert_eq!(
        wrong_sign_ins(&other, &client_id, "nobody", 1).await,
        ["Password attempts exceeded"]
    );
}

// ------------------------------------------------ 6. limits and lockout

/// Wrong previous passwords to ChangePassword are failed sign-ins: after
/// five, the user is locked out on every face.
async fn wrong_previous_passwords_count_toward_the_lockout(s: TestServer) {
    let (_, client_id) = hiding(&s).await;
    let access = s.access_token(&client_id, "ann", PASSWORD).await;
    let public = s.public();
    for _ in 0..5 {
        let r = public
            .change_password()
            .access_token(&access)
            .previous_password("Wr0ng-password!")
            .proposed_password("An0ther-pass!")
            .send()
            .await;
        assert_eq!(answer(r).1, "Incorrect username or password.");
    }
    let r = public
        .change_password()
        .access_token(&access)
        .previous_password(PASSWORD)
        .proposed_password("An0ther-pass!")
        .send()
        .await;
    assert_eq!(answer(r).1, "Password attempts exceeded");
    let r = public
        .initiate_auth()
        .client_id(&client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "ann")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await;
    assert_eq!(answer(r).1, "Password attempts exceeded");
}

/// The hourly message cap counts the messages of token-authorized actions
/// against the token's user: one access token cannot pump codes.
async fn one_access_token_cannot_send_unbounded_codes(s: TestServer) {
    let (pool_id, client_id) = hiding(&s).await;
    let access = s.access_token(&client_id, "ann", PASSWORD).await;
    let public = s.public();
    let mut refused = None;
    for i in 0..10 {
        let r = if i % 2 == 0 {
            public
                .update_user_attributes()
                .access_token(&access)
                .user_attributes(attr("email", &format!("ann+{i}@example.com")))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| error_name(&e))
        } else {
            public
                .get_user_attribute_verification_code()
                .access_token(&access)
                .attribute_name("email")
                .send()
                .await
                .map(|_| ())
                .map_err(|e| error_name(&e))
        };
        if let Err(e) = r {
            refused = Some((i, e));
            break;
        }
    }
    // One budget per user: the sign-up's code was the first of three.
    assert_eq!(refused, Some((2, "TooManyRequestsException".to_owned())));
    assert_eq!(s.outbox(&pool_id).await.len(), 1 + 2);
}

/// Token-authorized actions are limited per user like named ones.
async fn token_authorized_actions_are_limited_per_user(s: TestServer) {
    let (_, client_id) = hiding(&s).await;
    let access = s.access_token(&client_id, "ann", PASSWORD).await;
    assert!(
        s.state.idp.access_token_subject(&access).await.is_some(),
        "the token's user is known before the action runs"
    );
    // Raw requests: the SDK would retry a throttled call after a pause.
    let body = serde_json::json!({ "AccessToken": access }).to_string();
    let mut refused = 0;
    for _ in 0..20 {
        let (status, answer, _) = s.raw(Some("GetUser"), &body).await;
        if status != 200 {
            assert_eq!(answer["__type"], "TooManyRequestsException", "{answer}");
            refused += 1;
        }
    }
    assert!(refused > 0, "20 GetUser calls at once pass a 2/s limit");
}

// ------------------------------------------------ 7. OAuth (RFC 9700)

/// RFC 9700 §2.1.1: a code issued without a code_challenge is refused
/// when a code_verifier comes with it (PKCE downgrade).
async fn a_code_without_pkce_refuses_a_code_verifier(s: TestServer) {
    let app = hosted(&s, &["openid"], true).await;
    let secret = s
        .admin()
        .describe_user_pool_client()
        .user_pool_id(&app.pool_id)
        .client_id(&app.client_id)
        .send()
        .await
        .unwrap()
        .user_pool_client()
        .and_then(|c| c.client_secret())
        .unwrap()
        .to_owned();
    let b = browser();
    let url = format!(
        "{}/oauth2/authorize?response_type=code&client_id={}&redirect_uri={CALLBACK}&scope=openid",
        app.issuer, app.client_id
    );
    let html = b.get(url).send().await.unwrap().text().await.unwrap();
    let done = b
        .post(format!("{}/login", app.issuer))
        .form(&[
            ("csrf", hidden(&html, "csrf").unwrap()),
            ("flow", hidden(&html, "flow").unwrap()),
            ("username", "ann".to_owned()),
            ("password", PASSWORD.to_owned()),
        ])
        .send()
        .await
        .unwrap();
    let code = query_param(&location(&done), "code").unwrap();
    let (status, body) = app
        .token(&[
            ("grant_type", "authorization_code"),
            ("client_id", &app.client_id),
            ("client_secret", &secret),
            ("code", &code),
            ("redirect_uri", CALLBACK),
            ("code_verifier", VERIFIER),
        ])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(field(&body, "error"), "invalid_grant");
}

/// userInfo answers only for tokens of the pool in its path (RFC 6750
/// §3.1, invalid_token).
async fn userinfo_refuses_a_token_of_another_pool(s: TestServer) {
    let app = hosted(&s, &["openid"], false).await;
    let other = hosted(&s, &["openid"], false).await;
    let code = app.sign_in(&browser(), PASSWORD).await;
    let (_, tokens) = app.redeem(&code).await;
    let r = reqwest::Client::new()
        .get(format!("{}/oauth2/userInfo", other.issuer))
        .bearer_auth(field(&tokens, "access_token"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let challenge = r.headers()["www-authenticate"].to_str().unwrap().to_owned();
    assert!(challenge.contains("invalid_token"), "{challenge}");
}

/// RFC 6749 §6: a refresh token is bound to the client it was issued to,
/// at the token endpoint and in REFRESH_TOKEN_AUTH.
async fn refresh_tokens_are_bound_to_their_client(s: TestServer) {
    let app = hosted(&s, &["openid"], false).await;
    let code = app.sign_in(&browser(), PASSWORD).await;
    let (_, tokens) = app.redeem(&code).await;
    let refresh = field(&tokens, "refresh_token");
    let (other_client, _) = s.client(&app.pool_id, false, false).await;
    let (status, body) = app
        .token(&[
            ("grant_type", "refresh_token"),
            ("client_id", &other_client),
            ("refresh_token", &refresh),
        ])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(field(&body, "error"), "invalid_grant");
    let r = s
        .public()
        .initiate_auth()
        .client_id(&other_client)
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", &refresh)
        .send()
        .await;
    assert_eq!(
        answer(r),
        (
            "NotAuthorizedException".into(),
            "Invalid Refresh Token".into()
        )
    );
}

on_both_backends!(
    self_service_actions_require_the_admin_scope,
    a_hosted_ui_token_with_the_admin_scope_may_call_get_user,
    new_password_challenge_writes_only_what_the_client_may_write,
    new_password_challenge_refuses_an_already_provided_required_attribute,
    hosted_sessions_end_with_the_accounts_state,
    a_users_own_sign_out_or_password_change_ends_hosted_sessions,
    max_age_asks_an_older_sign_in_again,
    confirm_forgot_password_answers_users_as_unknown_names,
    a_refused_new_password_spends_no_reset_code,
    confirm_sign_up_answers_a_confirmed_user_as_an_unknown_name,
    unknown_names_run_out_of_code_attempts_as_users_do,
    ghost_lockouts_survive_a_restart,
    wrong_previous_passwords_count_toward_the_lockout,
    a_code_without_pkce_refuses_a_code_verifier,
    userinfo_refuses_a_token_of_another_pool,
    refresh_tokens_are_bound_to_their_client,
);

/// Servers whose configuration a test needs changed.
mod configured {
    use super::*;

    async fn with(
        backend: Backend,
        adjust: impl FnOnce(&mut cognate::config::Config),
    ) -> Option<TestServer> {
        TestServer::start_with(backend, adjust).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite_hosted_sessions_end_after_their_absolute_lifetime() {
        let s = with(Backend::Sqlite, |c| c.sso_session_seconds = 180)
            .await
            .unwrap();
        hosted_sessions_end_after_their_absolute_lifetime(s).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres_hosted_sessions_end_after_their_absolute_lifetime() {
        if let Some(s) = with(Backend::Postgres, |c| c.sso_session_seconds = 180).await {
            hosted_sessions_end_after_their_absolute_lifetime(s).await;
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite_one_access_token_cannot_send_unbounded_codes() {
        let s = with(Backend::Sqlite, |c| {
            c.rate_limit_messages_per_user_per_hour = 3
        })
        .await
        .unwrap();
        one_access_token_cannot_send_unbounded_codes(s).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite_token_authorized_actions_are_limited_per_user() {
        let s = with(Backend::Sqlite, |c| c.rate_limit_per_user = 2.0)
            .await
            .unwrap();
        token_authorized_actions_are_limited_per_user(s).await;
    }
}
