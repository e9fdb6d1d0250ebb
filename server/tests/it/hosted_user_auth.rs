//! Issue 17, the hosted UI's sign-in without a password: "Email me a code"
//! and "Text me a code" offered as the pool's SignInPolicy allows, an
//! eight-digit code typed on the next page (single use, a wrong one keeps
//! the page), the same page for a name no user has, and the authorization
//! code exchanged for tokens at the end.

use crate::common::hosted::{PKCE_VERIFIER, browser, location, post_page_form, query_param, s256};
use crate::common::users::PASSWORD;
use crate::common::{TestServer, jwt_claims};
use aws_sdk_cognitoidentityprovider::types::{
    AuthFactorType, SignInPolicyType, UserPoolPolicyType,
};
use reqwest::StatusCode;

const CALLBACK: &str = "https://app.example/callback";
const EMAIL: &str = "ann@example.com";
const PHONE: &str = "+12065551212";

struct App {
    pool_id: String,
    client_id: String,
}

/// A pool allowing `factors` first, a code-flow client, and `ann` with a
/// password, a verified email and a verified phone.
async fn app(s: &TestServer, factors: &[AuthFactorType]) -> App {
    let policy = UserPoolPolicyType::builder()
        .sign_in_policy(
            SignInPolicyType::builder()
                .set_allowed_first_auth_factors(Some(factors.to_vec()))
                .build(),
        )
        .build();
    let sms = aws_sdk_cognitoidentityprovider::types::SmsConfigurationType::builder()
        .sns_caller_arn("arn:aws:iam::123456789012:role/sms")
        .build();
    let pool_id = s.pool(|b| b.policies(policy).sms_configuration(sms)).await;
    let (client_id, _) = s.code_client(&pool_id, CALLBACK, &["openid"], |c| c).await;
    s.admin_user(
        &pool_id,
        "ann",
        PASSWORD,
        &[
            ("email", EMAIL),
            ("email_verified", "true"),
            ("phone_number", PHONE),
            ("phone_number_verified", "true"),
        ],
    )
    .await;
    App { pool_id, client_id }
}

/// The sign-in page of a new authorization request, in `lang`.
async fn sign_in_page(s: &TestServer, app: &App, b: &reqwest::Client, lang: &str) -> String {
    let url = format!(
        "{}/{}/oauth2/authorize?response_type=code&client_id={}&redirect_uri={CALLBACK}&state=s&scope=openid&code_challenge={}&code_challenge_method=S256&lang={lang}",
        s.url,
        app.pool_id,
        app.client_id,
        s256(PKCE_VERIFIER)
    );
    let r = b.get(url).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.text().await.unwrap()
}

/// Posts a page's form to `action` with `fields` besides its CSRF token and
/// flow.
async fn post(
    s: &TestServer,
    app: &App,
    b: &reqwest::Client,
    html: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    post_page_form(&s.url, &app.pool_id, b, html, action, fields).await
}

/// The sign-in form posted with `username` and a code button (`method`).
async fn ask_code(
    s: &TestServer,
    app: &App,
    b: &reqwest::Client,
    html: &str,
    username: &str,
    method: &str,
) -> reqwest::Response {
    let fields = [("username", username), ("method", method)];
    post(s, app, b, html, "login", &fields).await
}

/// The eight-digit code in the newest message to `to`, and how many
/// messages went there.
async fn eight_digit_code(s: &TestServer, pool_id: &str, to: &str) -> (String, usize) {
    let messages = s.outbox(pool_id).await;
    let to_them: Vec<_> = messages.iter().filter(|m| m.destination == to).collect();
    let m = to_them.first().expect("a message");
    let digits: Vec<&str> = m
        .body
        .split(|c: char| !c.is_ascii_digit())
        .filter(|w| w.len() == 8)
        .collect();
    assert_eq!(digits.len(), 1, "one eight-digit code in {:?}", m.body);
    (digits[0].to_owned(), to_them.len())
}

/// A page with its field values and its masked address (`x***@y***`)
/// blanked out.
fn normalised(page: &str) -> String {
    let mut out = String::new();
    let mut rest = page;
    while let Some(i) = rest.find("value=\"") {
        out.push_str(&rest[..i + 7]);
        rest = &rest[i + 7..];
        rest = &rest[rest.find('"').unwrap()..];
    }
    out.push_str(rest);
    let at = out.find("***@").expect("a masked address");
    out.replace_range(at - 1..at + 8, "MASK");
    out
}

fn other_than(code: &str) -> &'static str {
    if code == "12345678" {
        "87654321"
    } else {
        "12345678"
    }
}

/// RFC 6749 §4.1.3: the authorization code for tokens; the ID token's
/// username.
async fn exchange(s: &TestServer, app: &App, done: &reqwest::Response) -> String {
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    let to = location(done);
    assert!(to.starts_with(CALLBACK), "{to}");
    let code = query_param(&to, "code").expect("code");
    let r = reqwest::Client::new()
        .post(format!("{}/{}/oauth2/token", s.url, app.pool_id))
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", &app.client_id),
            ("code", &code),
            ("redirect_uri", CALLBACK),
            ("code_verifier", PKCE_VERIFIER),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body: serde_json::Value = r.json().await.unwrap();
    let id = jwt_claims(body["id_token"].as_str().expect("id_token"));
    id["cognito:username"].as_str().unwrap().to_owned()
}

async fn email_code_signs_in_once_and_ends_in_tokens(s: TestServer) {
    let all = [
        AuthFactorType::Password,
        AuthFactorType::EmailOtp,
        AuthFactorType::SmsOtp,
    ];
    let app = app(&s, &all).await;
    let b = browser();
    let html = sign_in_page(&s, &app, &b, "en").await;
    assert!(html.contains("Email me a code"), "{html}");
    assert!(html.contains("Text me a code"));
    assert!(html.contains("name=\"password\""), "password stays offered");

    let r = ask_code(&s, &app, &b, &html, "ann", "EMAIL_OTP").await;
    assert_eq!(r.status(), StatusCode::OK);
    let code_page = r.text().await.unwrap();
    assert!(code_page.contains("name=\"code\""), "{code_page}");
    assert!(
        code_page.contains("a***@e***"),
        "the masked address: {code_page}"
    );
    let (code, _) = eight_digit_code(&s, &app.pool_id, EMAIL).await;

    // A wrong code keeps the page, with the core's message.
    let r = post(
        &s,
        &app,
        &b,
        &code_page,
        "challenge",
        &[("code", other_than(&code))],
    )
    .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let again = r.text().await.unwrap();
    assert!(again.contains("name=\"code\""));
    assert!(again.contains("Invalid verification code"), "{again}");

    let done = post(&s, &app, &b, &again, "challenge", &[("code", &code)]).await;
    assert_eq!(exchange(&s, &app, &done).await, "ann");

    // Single use: the same code on the same page again signs no one in.
    let replay = post(&s, &app, &b, &again, "challenge", &[("code", &code)]).await;
    assert_eq!(replay.status(), StatusCode::BAD_REQUEST);
    assert!(location(&replay).is_empty());
}

async fn sms_code_signs_in_in_french(s: TestServer) {
    let app = app(&s, &[AuthFactorType::Password, AuthFactorType::SmsOtp]).await;
    let b = browser();
    let html = sign_in_page(&s, &app, &b, "fr").await;
    assert!(html.contains("Recevoir un code par SMS"), "{html}");
    assert!(!html.contains("EMAIL_OTP"), "email codes are not allowed");
    let r = post(
        &s,
        &app,
        &b,
        &html,
        "login",
        &[("username", "ann"), ("method", "SMS_OTP"), ("lang", "fr")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let code_page = r.text().await.unwrap();
    assert!(code_page.contains("lang=\"fr\""));
    let (code, _) = eight_digit_code(&s, &app.pool_id, PHONE).await;
    let done = post(
        &s,
        &app,
        &b,
        &code_page,
        "challenge",
        &[("code", &code), ("lang", "fr")],
    )
    .await;
    assert_eq!(exchange(&s, &app, &done).await, "ann");
}

async fn a_name_no_user_has_gets_the_same_page_and_no_code(s: TestServer) {
    let app = app(&s, &[AuthFactorType::Password, AuthFactorType::EmailOtp]).await;
    let b = browser();
    let html = sign_in_page(&s, &app, &b, "en").await;
    let real = ask_code(&s, &app, &b, &html, "ann", "EMAIL_OTP").await;
    let real_status = real.status();
    let real_page = real.text().await.unwrap();
    let sent = s.outbox(&app.pool_id).await.len();

    let html = sign_in_page(&s, &app, &b, "en").await;
    let r = ask_code(&s, &app, &b, &html, "nobody", "EMAIL_OTP").await;
    assert_eq!(r.status(), real_status);
    let ghost_page = r.text().await.unwrap();
    assert!(ghost_page.contains("name=\"code\""), "{ghost_page}");
    assert!(
        ghost_page.contains("***@"),
        "a masked address like a real one"
    );
    // The two pages differ only in the masked address and sealed fields.
    assert_eq!(normalised(&ghost_page), normalised(&real_page));
    assert_eq!(s.outbox(&app.pool_id).await.len(), sent, "no code sent");

    // Any code is wrong, with the message a real user's wrong code gets.
    let r = post(
        &s,
        &app,
        &b,
        &ghost_page,
        "challenge",
        &[("code", "12345678")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let answer = r.text().await.unwrap();
    assert!(answer.contains("Invalid verification code"), "{answer}");
    assert!(answer.contains("name=\"code\""));
}

async fn codes_the_pool_does_not_allow_are_not_offered_or_sent(s: TestServer) {
    let app = app(&s, &[AuthFactorType::Password]).await;
    let b = browser();
    let html = sign_in_page(&s, &app, &b, "en").await;
    assert!(!html.contains("name=\"method\""), "{html}");
    let r = ask_code(&s, &app, &b, &html, "ann", "EMAIL_OTP").await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let page = r.text().await.unwrap();
    assert!(page.contains("SignInPolicy"), "{page}");
    assert!(s.outbox(&app.pool_id).await.is_empty());

    // A code button without a username: the form again, asking for it.
    let html = sign_in_page(&s, &app, &b, "en").await;
    let r = ask_code(&s, &app, &b, &html, "", "EMAIL_OTP").await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("Enter your username."));
}

on_both_backends!(
    email_code_signs_in_once_and_ends_in_tokens,
    sms_code_signs_in_in_french,
    a_name_no_user_has_gets_the_same_page_and_no_code,
    codes_the_pool_does_not_allow_are_not_offered_or_sent,
);
