//! What a browser is told to protect: the hosted UI's session cookie is a
//! `__Host-` cookie whenever it is Secure (RFC 6265bis §4.1.3.2), and an
//! https server sends HSTS on every response (RFC 6797 §7.1) (issue 12,
//! items 8c and 8d).

use crate::common::users::pool;
use crate::common::{Backend, TestServer};
use aws_sdk_cognitoidentityprovider::types::OAuthFlowType;
use reqwest::header::{SET_COOKIE, STRICT_TRANSPORT_SECURITY};

const HSTS: &str = "max-age=31536000; includeSubDomains";

async fn https_server() -> TestServer {
    TestServer::start_with(Backend::Sqlite, |c| {
        c.public_url = Some("https://auth.example.com".into());
    })
    .await
    .unwrap()
}

/// The Set-Cookie of the hosted sign-in page, reached by /oauth2/authorize.
async fn session_cookie(s: &TestServer) -> String {
    let pool_id = pool(s, |b| b).await;
    let client = s
        .admin()
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("web")
        .allowed_o_auth_flows(OAuthFlowType::Code)
        .allowed_o_auth_scopes("openid")
        .allowed_o_auth_flows_user_pool_client(true)
        .callback_urls("https://app.example/callback")
        .send()
        .await
        .unwrap();
    let client_id = client.user_pool_client().unwrap().client_id().unwrap();
    let page = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!(
            "{}/{pool_id}/oauth2/authorize?response_type=code&client_id={client_id}&redirect_uri=https://app.example/callback&scope=openid&state=s&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256",
            s.url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200, "{page:?}");
    page.headers()
        .get(SET_COOKIE)
        .unwrap_or_else(|| panic!("no session cookie: {page:?}"))
        .to_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_secure_session_cookie_has_the_host_prefix() {
    let s = https_server().await;
    let cookie = session_cookie(&s).await;
    assert!(cookie.starts_with("__Host-cognate_session="), "{cookie}");
    // RFC 6265bis §4.1.3.2: Secure, Path=/ and no Domain.
    for flag in ["Secure", "Path=/", "HttpOnly", "SameSite=Lax"] {
        assert!(cookie.contains(flag), "{flag}: {cookie}");
    }
    assert!(!cookie.to_ascii_lowercase().contains("domain="), "{cookie}");
}

#[tokio::test]
async fn a_session_cookie_over_local_http_keeps_its_name_and_is_not_secure() {
    let s = TestServer::start(Backend::Sqlite).await.unwrap();
    let cookie = session_cookie(&s).await;
    assert!(cookie.starts_with("cognate_session="), "{cookie}");
    assert!(!cookie.contains("Secure"), "{cookie}");
}

#[tokio::test]
async fn an_https_server_sends_hsts_on_every_response() {
    let s = https_server().await;
    let http = reqwest::Client::new();
    let health = http.get(format!("{}/health", s.url)).send().await.unwrap();
    assert_eq!(health.headers()[STRICT_TRANSPORT_SECURITY], HSTS);
    let missing = http.get(format!("{}/nowhere", s.url)).send().await.unwrap();
    assert_eq!(missing.status(), 404);
    assert_eq!(missing.headers()[STRICT_TRANSPORT_SECURITY], HSTS);
    let (status, _, headers) = s.raw(Some("FlyToTheMoon"), "{}").await;
    assert_eq!(status, 400);
    assert_eq!(headers[STRICT_TRANSPORT_SECURITY], HSTS);
    let cookie_page = session_cookie(&s).await;
    assert!(!cookie_page.is_empty());
}

#[tokio::test]
async fn an_http_server_sends_no_hsts() {
    // RFC 6797 §7.2: HSTS over plain http is ignored; it is not sent.
    let s = TestServer::start(Backend::Sqlite).await.unwrap();
    let health = reqwest::get(format!("{}/health", s.url)).await.unwrap();
    assert!(health.headers().get(STRICT_TRANSPORT_SECURITY).is_none());
}
