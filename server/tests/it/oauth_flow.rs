//! The hosted UI and the OAuth 2.0 / OpenID Connect endpoints, driven by
//! the `openidconnect` crate as the relying party (discovery, PKCE, ID token
//! verification against the JWKS, userInfo, refresh, revocation) and by a
//! cookie-keeping HTTP client that fills in the sign-in form as a browser
//! would. Then the negative paths of RFC 6749, RFC 7636 and OIDC Core.

use crate::common::hosted::{browser, hidden, location, query_param};
use crate::common::{Backend, TestServer};
use aws_sdk_cognitoidentityprovider::types::{
    ExplicitAuthFlowsType, OAuthFlowType, ResourceServerScopeType,
};
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AccessTokenHash, AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce,
    OAuth2TokenResponse, PkceCodeChallenge, RedirectUrl, Scope, TokenResponse,
};
use reqwest::StatusCode;
use reqwest::header::LOCATION;

const CALLBACK: &str = "https://app.example/callback";
const SIGNED_OUT: &str = "https://app.example/signed-out";
const PASSWORD: &str = "Correct-Horse-9";

struct App {
    pool_id: String,
    client_id: String,
    secret: Option<String>,
    issuer: String,
}

async fn app(s: &TestServer, secret: bool) -> App {
    let admin = s.admin();
    let pool_id = s.pool(|b| b.pool_name("hosted")).await;
    admin
        .create_resource_server()
        .user_pool_id(&pool_id)
        .identifier("https://api.example")
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
    // Cognito API: client_credentials cannot be combined with user flows.
    let (flows, scopes) = if secret {
        (
            vec![OAuthFlowType::ClientCredentials],
            vec!["https://api.example/read"],
        )
    } else {
        (
            vec![OAuthFlowType::Code],
            vec!["openid", "email", "profile"],
        )
    };
    let (client_id, secret) = s
        .code_client(&pool_id, CALLBACK, &scopes, |c| {
            c.generate_secret(secret)
                .set_allowed_o_auth_flows(Some(flows))
                .logout_urls(SIGNED_OUT)
                .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        })
        .await;
    s.verified_user(&pool_id, "ann", PASSWORD, "ann@example.com")
        .await;
    App {
        issuer: format!("{}/{pool_id}", s.url),
        pool_id,
        client_id,
        secret,
    }
}

/// The relying party's HTTP client (openidconnect wants no redirects).
fn rp_http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Posts the sign-in form found in `html`.
async fn sign_in(
    s: &TestServer,
    b: &reqwest::Client,
    pool_id: &str,
    html: &str,
    password: &str,
) -> reqwest::Response {
    let form = [
        ("csrf", hidden(html, "csrf").expect("csrf field")),
        ("flow", hidden(html, "flow").expect("flow field")),
        ("username", "ann".to_owned()),
        ("password", password.to_owned()),
    ];
    b.post(format!("{}/{pool_id}/login", s.url))
        .form(&form)
        .send()
        .await
        .unwrap()
}

async fn code_pkce_flow_with_the_openidconnect_crate(s: TestServer) {
    let app = app(&s, false).await;
    let http = rp_http();
    let metadata =
        CoreProviderMetadata::discover_async(IssuerUrl::new(app.issuer.clone()).unwrap(), &http)
            .await
            .expect("discovery");
    let client =
        CoreClient::from_provider_metadata(metadata, ClientId::new(app.client_id.clone()), None)
            .set_redirect_uri(RedirectUrl::new(CALLBACK.into()).unwrap());
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, csrf_state, nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("email".into()))
        .set_pkce_challenge(challenge)
        .url();

    // The browser: the sign-in page, with a strict CSP and no caching.
    let b = browser();
    let page = b.get(url.as_str()).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    assert_eq!(page.headers()["cache-control"], "no-store");
    let cookie = page.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let html = page.text().await.unwrap();
    assert!(!html.contains("<script"), "no script on the page");

    // A wrong password shows the form again.
    let wrong = sign_in(&s, &b, &app.pool_id, &html, "Wrong-Horse-1").await;
    assert_eq!(wrong.status(), StatusCode::BAD_REQUEST);
    let html = wrong.text().await.unwrap();
    assert!(html.contains("Incorrect username or password."));

    let done = sign_in(&s, &b, &app.pool_id, &html, PASSWORD).await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER, "{:?}", done.headers());
    let to = location(&done);
    assert!(to.starts_with(CALLBACK), "{to}");
    assert_eq!(
        query_param(&to, "state").as_deref(),
        Some(csrf_state.secret().as_str())
    );
    // RFC 9207: the issuer identifies itself.
    assert_eq!(
        query_param(&to, "iss").as_deref(),
        Some(app.issuer.as_str())
    );
    let code = query_param(&to, "code").expect("code");

    // The relying party: code + verifier for tokens; the ID token verified
    // (signature by the JWKS, iss, aud, exp, nonce) and its at_hash.
    let tokens = client
        .exchange_code(AuthorizationCode::new(code.clone()))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .expect("token exchange");
    let id_token = tokens.id_token().expect("id token");
    let verifier = client.id_token_verifier();
    let claims = id_token.claims(&verifier, &nonce).expect("valid ID token");
    assert_eq!(claims.email().map(|e| e.as_str()), Some("ann@example.com"));
    assert!(claims.auth_time().is_some());
    let at_hash = AccessTokenHash::from_token(
        tokens.access_token(),
        id_token.signing_alg().unwrap(),
        id_token.signing_key(&verifier).unwrap(),
    )
    .unwrap();
    assert_eq!(claims.access_token_hash(), Some(&at_hash));

    // userInfo by the access token's scopes.
    let info: openidconnect::core::CoreUserInfoClaims = client
        .user_info(tokens.access_token().clone(), None)
        .unwrap()
        .request_async(&http)
        .await
        .expect("userinfo");
    assert_eq!(info.email().map(|e| e.as_str()), Some("ann@example.com"));

    // Refresh, then revoke: the refresh token stops working.
    let refresh = tokens.refresh_token().expect("refresh token").clone();
    let refreshed = client
        .exchange_refresh_token(&refresh)
        .unwrap()
        .request_async(&http)
        .await
        .expect("refresh");
    assert!(refreshed.id_token().is_some());
    // (openidconnect revokes only over https; RFC 7009 by hand here.)
    let revoked = reqwest::Client::new()
        .post(format!("{}/oauth2/revoke", app.issuer))
        .form(&[
            ("token", refresh.secret().as_str()),
            ("client_id", app.client_id.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), StatusCode::OK);
    assert!(
        client
            .exchange_refresh_token(&refresh)
            .unwrap()
            .request_async(&http)
            .await
            .is_err()
    );
    // The access token of the revoked sign-in is refused too.
    let info = b
        .get(format!("{}/oauth2/userInfo", app.issuer))
        .bearer_auth(tokens.access_token().secret())
        .send()
        .await
        .unwrap();
    assert_eq!(info.status(), StatusCode::UNAUTHORIZED);

    // SSO: a second authorize from the same browser skips the form.
    let (challenge, _) = PkceCodeChallenge::new_random_sha256();
    let (url, _, _) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .set_pkce_challenge(challenge.clone())
        .url();
    let again = b.get(url.as_str()).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::SEE_OTHER);
    assert!(location(&again).starts_with(CALLBACK));
    // …unless prompt=login.
    let forced = b.get(format!("{url}&prompt=login")).send().await.unwrap();
    assert_eq!(forced.status(), StatusCode::OK);

    // Logout ends the SSO session and returns to a registered URL.
    let out = b
        .get(format!(
            "{}/logout?client_id={}&logout_uri={SIGNED_OUT}",
            app.issuer, app.client_id
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(location(&out), SIGNED_OUT);
    let none = b.get(format!("{url}&prompt=none")).send().await.unwrap();
    assert_eq!(
        query_param(&location(&none), "error").as_deref(),
        Some("login_required")
    );
    // An unregistered logout URI is an error page, and signs no one out.
    let bad = b
        .get(format!(
            "{}/logout?client_id={}&logout_uri=https://evil.example/",
            app.issuer, app.client_id
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert!(bad.headers().get(LOCATION).is_none());
}

/// An authorize URL for `app` with `extra` query members.
fn authorize(app: &App, extra: &str) -> String {
    format!(
        "{}/oauth2/authorize?response_type=code&client_id={}&redirect_uri={CALLBACK}&state=xyz&scope=openid{extra}",
        app.issuer, app.client_id
    )
}

/// Signs in through the form and returns the code; `challenge` is the S256
/// challenge sent.
async fn code_for(s: &TestServer, app: &App, challenge: &str) -> String {
    let b = browser();
    let page = b
        .get(authorize(
            app,
            &format!("&code_challenge={challenge}&code_challenge_method=S256"),
        ))
        .send()
        .await
        .unwrap();
    let html = page.text().await.unwrap();
    let done = sign_in(s, &b, &app.pool_id, &html, PASSWORD).await;
    query_param(&location(&done), "code").expect("code")
}

async fn token_request(
    s: &TestServer,
    app: &App,
    form: &[(&str, &str)],
) -> (StatusCode, serde_json::Value) {
    let r = reqwest::Client::new()
        .post(format!("{}/oauth2/token", app.issuer))
        .form(form)
        .send()
        .await
        .unwrap();
    let status = r.status();
    let _ = s;
    (status, r.json().await.unwrap_or_default())
}

async fn an_unregistered_redirect_uri_is_never_redirected_to(s: TestServer) {
    let app = app(&s, false).await;
    let b = browser();

    // RFC 6749 §4.1.2.1: an unregistered redirect URI is never redirected to.
    let r = b
        .get(format!(
            "{}/oauth2/authorize?response_type=code&client_id={}&redirect_uri=https://evil.example/cb",
            app.issuer, app.client_id
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.headers().get(LOCATION).is_none());
}

async fn a_public_client_must_send_an_s256_challenge(s: TestServer) {
    let app = app(&s, false).await;
    let b = browser();
    let (challenge, _) = PkceCodeChallenge::new_random_sha256();
    let challenge = challenge.as_str().to_owned();

    // RFC 7636 §4.3 / §7.2: plain is refused; a public client must send S256.
    for extra in [
        format!("&code_challenge={challenge}&code_challenge_method=plain"),
        String::new(),
    ] {
        let r = b.get(authorize(&app, &extra)).send().await.unwrap();
        let to = location(&r);
        assert!(to.starts_with(CALLBACK), "{to}");
        assert_eq!(
            query_param(&to, "error").as_deref(),
            Some("invalid_request")
        );
        assert_eq!(query_param(&to, "state").as_deref(), Some("xyz"));
    }
}

async fn prompt_none_without_a_session_is_login_required(s: TestServer) {
    let app = app(&s, false).await;
    let b = browser();
    let (challenge, _) = PkceCodeChallenge::new_random_sha256();
    let challenge = challenge.as_str().to_owned();

    // OIDC Core §3.1.2.6: prompt=none without a session.
    let r = b
        .get(authorize(
            &app,
            &format!("&code_challenge={challenge}&code_challenge_method=S256&prompt=none"),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(
        query_param(&location(&r), "error").as_deref(),
        Some("login_required")
    );
}

async fn a_login_form_without_its_csrf_token_is_refused(s: TestServer) {
    let app = app(&s, false).await;
    let b = browser();
    let (challenge, _) = PkceCodeChallenge::new_random_sha256();
    let challenge = challenge.as_str().to_owned();

    // A form without its CSRF token is refused.
    let page = b
        .get(authorize(
            &app,
            &format!("&code_challenge={challenge}&code_challenge_method=S256"),
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let r = b
        .post(format!("{}/login", app.issuer))
        .form(&[
            ("flow", hidden(&page, "flow").unwrap()),
            ("username", "ann".into()),
            ("password", PASSWORD.into()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

async fn a_wrong_code_verifier_is_invalid_grant(s: TestServer) {
    let app = app(&s, false).await;
    let (challenge, _) = PkceCodeChallenge::new_random_sha256();
    let challenge = challenge.as_str().to_owned();

    // Wrong code_verifier.
    let code = code_for(&s, &app, &challenge).await;
    let wrong = "x".repeat(43);
    let (status, body) = token_request(
        &s,
        &app,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", &app.client_id),
            ("code", &code),
            ("redirect_uri", CALLBACK),
            ("code_verifier", &wrong),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
}

async fn a_code_is_single_use_and_its_replay_revokes_its_tokens(s: TestServer) {
    let app = app(&s, false).await;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let challenge = challenge.as_str().to_owned();

    // A code is single use; a replay revokes what the first use issued.
    let code = code_for(&s, &app, &challenge).await;
    let form = [
        ("grant_type", "authorization_code"),
        ("client_id", app.client_id.as_str()),
        ("code", code.as_str()),
        ("redirect_uri", CALLBACK),
        ("code_verifier", verifier.secret().as_str()),
    ];
    let (status, first) = token_request(&s, &app, &form).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let (status, body) = token_request(&s, &app, &form).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
    let (_, body) = token_request(
        &s,
        &app,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", &app.client_id),
            ("refresh_token", first["refresh_token"].as_str().unwrap()),
        ],
    )
    .await;
    assert_eq!(body["error"].as_str(), Some("invalid_grant"), "{body}");
}

async fn codes_expire_after_five_minutes(s: TestServer) {
    let app = app(&s, false).await;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let challenge = challenge.as_str().to_owned();

    // Codes expire after five minutes (the test clock).
    let code = code_for(&s, &app, &challenge).await;
    s.clock.advance(301_000);
    let (_, body) = token_request(
        &s,
        &app,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", &app.client_id),
            ("code", &code),
            ("redirect_uri", CALLBACK),
            ("code_verifier", verifier.secret()),
        ],
    )
    .await;
    assert_eq!(body["error"].as_str(), Some("invalid_grant"));
}

async fn unknown_grant_types_are_unsupported(s: TestServer) {
    let app = app(&s, false).await;

    // Unknown grant types and missing parameters.
    let (_, body) = token_request(
        &s,
        &app,
        &[("grant_type", "password"), ("client_id", &app.client_id)],
    )
    .await;
    assert_eq!(body["error"].as_str(), Some("unsupported_grant_type"));
}

async fn confidential_clients_authenticate_and_use_client_credentials(s: TestServer) {
    let app = app(&s, true).await;
    let secret = app.secret.clone().unwrap();
    let http = rp_http();
    // client_credentials with a resource-server scope, client_secret_basic.
    let oauth = oauth2_client(&app, &secret);
    let token = oauth
        .exchange_client_credentials()
        .add_scope(Scope::new("https://api.example/read".into()))
        .request_async(&http)
        .await
        .expect("client credentials");
    let payload = token
        .access_token()
        .secret()
        .split('.')
        .nth(1)
        .unwrap()
        .to_owned();
    use base64::Engine as _;
    let claims: serde_json::Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(claims["scope"], "https://api.example/read");
    assert_eq!(claims["sub"], app.client_id.as_str());
    assert_eq!(claims["token_use"], "access");
    // A user scope is not for machines.
    let err = oauth
        .exchange_client_credentials()
        .add_scope(Scope::new("openid".into()))
        .request_async(&http)
        .await;
    assert!(err.is_err());
    // A wrong secret: 401 invalid_client.
    let r = reqwest::Client::new()
        .post(format!("{}/oauth2/token", app.issuer))
        .basic_auth(&app.client_id, Some("not-the-secret"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"], "invalid_client");
    // client_secret_post works as well as basic.
    let r = reqwest::Client::new()
        .post(format!("{}/oauth2/token", app.issuer))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", &app.client_id),
            ("client_secret", &secret),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert!(body.get("refresh_token").is_none() && body.get("id_token").is_none());
}

type Oauth2Client = openidconnect::core::CoreClient<
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
>;

fn oauth2_client(app: &App, secret: &str) -> Oauth2Client {
    CoreClient::new(
        ClientId::new(app.client_id.clone()),
        IssuerUrl::new(app.issuer.clone()).unwrap(),
        openidconnect::JsonWebKeySet::default(),
    )
    .set_client_secret(ClientSecret::new(secret.into()))
    .set_token_uri(openidconnect::TokenUrl::new(format!("{}/oauth2/token", app.issuer)).unwrap())
}

on_both_backends!(
    code_pkce_flow_with_the_openidconnect_crate,
    an_unregistered_redirect_uri_is_never_redirected_to,
    a_public_client_must_send_an_s256_challenge,
    prompt_none_without_a_session_is_login_required,
    a_login_form_without_its_csrf_token_is_refused,
    a_wrong_code_verifier_is_invalid_grant,
    a_code_is_single_use_and_its_replay_revokes_its_tokens,
    codes_expire_after_five_minutes,
    unknown_grant_types_are_unsupported,
    confidential_clients_authenticate_and_use_client_credentials,
);

#[tokio::test]
async fn discovery_advertises_only_what_is_supported() {
    let s = TestServer::start(Backend::Sqlite).await.unwrap();
    let app = app(&s, false).await;
    let doc: serde_json::Value =
        reqwest::get(format!("{}/.well-known/openid-configuration", app.issuer))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    assert_eq!(doc["issuer"], app.issuer);
    assert_eq!(
        doc["code_challenge_methods_supported"],
        serde_json::json!(["S256"])
    );
    assert_eq!(doc["authorization_response_iss_parameter_supported"], true);
}

/// docs/architecture.md, Themes: the customization set with SetUICustomization (the
/// client's over the pool's) reaches the page: its CSS linked and served
/// as text/css, `color-scheme: dark` choosing the built-in dark theme.
#[tokio::test]
async fn hosted_pages_wear_the_pool_and_client_theme() {
    let s = TestServer::start(Backend::Sqlite).await.unwrap();
    let app = app(&s, false).await;
    let b = browser();
    let url = authorize(
        &app,
        &format!(
            "&code_challenge={}&code_challenge_method=S256",
            "a".repeat(43)
        ),
    );
    let plain = b.get(&url).send().await.unwrap().text().await.unwrap();
    assert!(plain.contains("data-theme=\"light\""));
    assert!(!plain.contains("/ui/theme/"));

    // Cognito API: SetUICustomization needs the pool to have a domain.
    s.admin()
        .create_user_pool_domain()
        .user_pool_id(&app.pool_id)
        .domain("hosted-theme-test")
        .send()
        .await
        .unwrap();
    s.admin()
        .set_ui_customization()
        .user_pool_id(&app.pool_id)
        .css(":root { --accent: #7a1fa2; }")
        .send()
        .await
        .unwrap();
    s.admin()
        .set_ui_customization()
        .user_pool_id(&app.pool_id)
        .client_id(&app.client_id)
        .css(":root { color-scheme: dark; --accent: #ffb000; }")
        .send()
        .await
        .unwrap();
    let themed = b.get(&url).send().await.unwrap().text().await.unwrap();
    assert!(
        themed.contains("data-theme=\"dark\""),
        "the client's CSS asks for dark: {}",
        &themed[..themed.len().min(700)]
    );
    let href = format!("/{}/ui/theme/{}.css", app.pool_id, app.client_id);
    assert!(themed.contains(&href), "the client's theme is linked");
    let css = b.get(format!("{}{href}", s.url)).send().await.unwrap();
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
    assert!(css.text().await.unwrap().contains("#ffb000"));
    // CSS that would load from elsewhere was refused when it was set.
    let err = s
        .admin()
        .set_ui_customization()
        .user_pool_id(&app.pool_id)
        .css("@import url(https://evil.example/x.css);")
        .send()
        .await
        .unwrap_err();
    assert_eq!(crate::common::error_name(&err), "InvalidParameterException");
}

/// docs/architecture.md, Surfaces: the hosted UI on the pool's own domain
/// (`<prefix>.auth.<host>`) answers as it does under the issuer path.
#[tokio::test]
async fn a_pool_domain_serves_its_hosted_ui() {
    let s = TestServer::start(Backend::Sqlite).await.unwrap();
    let app = app(&s, false).await;
    s.admin()
        .create_user_pool_domain()
        .user_pool_id(&app.pool_id)
        .domain("myapp")
        .send()
        .await
        .unwrap();
    let get = |path: String, host: &'static str| {
        let url = format!("{}{path}", s.url);
        async move {
            browser()
                .get(url)
                .header("host", host)
                .send()
                .await
                .unwrap()
        }
    };
    let doc: serde_json::Value = get(
        "/.well-known/openid-configuration".into(),
        "myapp.auth.localhost:9229",
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(doc["issuer"], app.issuer);
    let query = authorize(
        &app,
        &format!(
            "&code_challenge={}&code_challenge_method=S256",
            "a".repeat(43)
        ),
    );
    let path = &query[query.find("/oauth2/").unwrap()..];
    let page = get(path.to_owned(), "MyApp.auth.localhost").await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("name=\"csrf\""));
    // Another host, or a path the domain does not serve: 404.
    assert_eq!(
        get(path.to_owned(), "other.auth.localhost").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get("/nothing".into(), "myapp.auth.localhost")
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}
