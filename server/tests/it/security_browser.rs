//! What a browser is told to protect: the hosted UI's session, CSRF and
//! remembered-device cookies are `__Host-` cookies whenever they are Secure
//! (RFC 6265bis §4.1.3.2), and an
//! https server sends HSTS on every response (RFC 6797 §7.1) (issue 12,
//! items 8c and 8d).

use crate::common::hosted::hidden;
use crate::common::{Backend, TestServer};
use reqwest::header::{SET_COOKIE, STRICT_TRANSPORT_SECURITY};

const PASSWORD: &str = "Corr3ct-horse!";
const HSTS: &str = "max-age=31536000; includeSubDomains";

async fn https_server() -> TestServer {
    TestServer::start_with(Backend::Sqlite, |c| {
        c.public_url = Some("https://auth.example.com".into());
    })
    .await
    .unwrap()
}

/// The first Set-Cookie of a response whose cookie is named `name`.
fn set_cookie(r: &reqwest::Response, name: &str) -> Option<String> {
    r.headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

/// Ann's hosted sign-in by hand (the server believes it is https, so no
/// client keeps its cookies): a new authorization request (`prompt=login`)
/// sent with `cookies` (`name=value`), its form posted with her password.
/// The page's CSRF Set-Cookie, the answer to the password, and the
/// cookies sent with it.
async fn sign_in_by_hand(
    s: &TestServer,
    pool_id: &str,
    client_id: &str,
    mut cookies: Vec<String>,
) -> (String, reqwest::Response, Vec<String>) {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = http
        .get(format!(
            "{}/{pool_id}/oauth2/authorize?response_type=code&client_id={client_id}&redirect_uri=https://app.example/callback&scope=openid&state=s&prompt=login&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256",
            s.url
        ))
        .header("cookie", cookies.join("; "))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200, "{page:?}");
    let csrf_cookie = set_cookie(&page, "__Host-cognate_csrf")
        .or_else(|| set_cookie(&page, "cognate_csrf"))
        .unwrap_or_else(|| panic!("no CSRF cookie: {page:?}"));
    cookies.push(csrf_cookie.split(';').next().unwrap().to_owned());
    let html = page.text().await.unwrap();
    let answer = http
        .post(format!("{}/{pool_id}/login", s.url))
        .header("cookie", cookies.join("; "))
        .form(&[
            ("csrf", hidden(&html, "csrf").unwrap()),
            ("flow", hidden(&html, "flow").unwrap()),
            ("username", "ann".to_owned()),
            ("password", PASSWORD.to_owned()),
        ])
        .send()
        .await
        .unwrap();
    (csrf_cookie, answer, cookies)
}

/// The cookies a browser is given by the hosted UI, as Set-Cookie values:
/// the sign-in page's CSRF seed, then the session the sign-in starts.
async fn hosted_cookies(s: &TestServer) -> (String, String) {
    let pool_id = s.pool(|b| b).await;
    let (client_id, _) = s
        .code_client(&pool_id, "https://app.example/callback", &["openid"], |c| c)
        .await;
    s.admin_user(&pool_id, "ann", PASSWORD, &[]).await;
    let (csrf_cookie, signed_in, _) = sign_in_by_hand(s, &pool_id, &client_id, Vec::new()).await;
    assert!(signed_in.status().is_redirection(), "{signed_in:?}");
    let session_cookie = signed_in
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.contains("cognate_session="))
        .unwrap_or_else(|| panic!("no session cookie: {signed_in:?}"))
        .to_owned();
    (csrf_cookie, session_cookie)
}

async fn session_cookie(s: &TestServer) -> String {
    hosted_cookies(s).await.1
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
async fn a_secure_csrf_cookie_has_the_host_prefix() {
    let s = https_server().await;
    let (cookie, _) = hosted_cookies(&s).await;
    assert!(cookie.starts_with("__Host-cognate_csrf="), "{cookie}");
    for flag in ["Secure", "Path=/", "HttpOnly"] {
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

/// The remembered-device cookie of an https server: `__Host-`, Secure,
/// HttpOnly, SameSite=Lax, Path=/, no Domain, sealed (no device key in
/// it); presented again (by hand: the server believes it is https), it
/// lets the next sign-in skip MFA.
#[tokio::test]
async fn a_secure_device_cookie_has_the_host_prefix_and_is_read_back() {
    use aws_sdk_cognitoidentityprovider::types::{DeviceConfigurationType, UserPoolMfaType};
    const PHONE: &str = "+12065551212";
    let s = https_server().await;
    let pool_id = s
        .pool(|b| {
            b.device_configuration(
                DeviceConfigurationType::builder()
                    .challenge_required_on_new_device(true)
                    .device_only_remembered_on_user_prompt(false)
                    .build(),
            )
        })
        .await;
    let (client_id, _) = s
        .code_client(&pool_id, "https://app.example/callback", &["openid"], |c| c)
        .await;
    s.admin_user(&pool_id, "ann", PASSWORD, &[("phone_number", PHONE)])
        .await;
    s.set_mfa(&pool_id, UserPoolMfaType::On, false, false, true)
        .await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let (_, r, cookies) = sign_in_by_hand(&s, &pool_id, &client_id, Vec::new()).await;
    assert_eq!(r.status(), 200, "the MFA page");
    let html = r.text().await.unwrap();
    let code = s.code_sent_to(&pool_id, PHONE).await;
    let done = http
        .post(format!("{}/{pool_id}/challenge", s.url))
        .header("cookie", cookies.join("; "))
        .form(&[
            ("csrf", hidden(&html, "csrf").unwrap()),
            ("flow", hidden(&html, "flow").unwrap()),
            ("code", code),
        ])
        .send()
        .await
        .unwrap();
    assert!(done.status().is_redirection(), "{done:?}");
    let name = format!("__Host-cognate_device_{pool_id}");
    let cookie = set_cookie(&done, &name).expect("the device cookie");
    for flag in ["Secure", "Path=/", "HttpOnly", "SameSite=Lax"] {
        assert!(cookie.contains(flag), "{flag}: {cookie}");
    }
    assert!(!cookie.to_ascii_lowercase().contains("domain="), "{cookie}");
    let key = s
        .admin()
        .admin_list_devices()
        .user_pool_id(&pool_id)
        .username("ann")
        .send()
        .await
        .unwrap()
        .devices()[0]
        .device_key()
        .unwrap()
        .to_owned();
    assert!(!cookie.contains(&key), "sealed: {cookie}");

    // Presented again: no MFA, straight to the app.
    let device = cookie.split(';').next().unwrap().to_owned();
    let (_, again, _) = sign_in_by_hand(&s, &pool_id, &client_id, vec![device.clone()]).await;
    assert!(again.status().is_redirection(), "{again:?}");
    // Under the name a plain-http server would use, it is not read.
    let plain = device.trim_start_matches("__Host-").to_owned();
    let (_, asked, _) = sign_in_by_hand(&s, &pool_id, &client_id, vec![plain]).await;
    assert_eq!(asked.status(), 200, "MFA again");
}
