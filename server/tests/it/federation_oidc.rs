//! Signing in through an upstream OpenID Connect provider, on SQLite and
//! PostgreSQL: a second Cognate pool of the same server is the upstream,
//! both driven through their hosted UIs as a browser would (reqwest with
//! cookies, no redirects followed). Covers the redirect upstream
//! (identity_provider, idp_identifier, the sign-in page's button), the
//! callback's checks (state, denied consent), the user Cognito creates
//! (`<Provider>_<sub>`, EXTERNAL_PROVIDER, mapped attributes, `identities`,
//! the automatic group), account linking, no password flows for
//! federated users, and an upstream that hangs.

use std::collections::HashMap;

use crate::common::hosted::{
    PKCE_VERIFIER, browser, hidden, location, query_param, redeem_code, s256,
};
use crate::common::{TestServer, error_name, jwt_claims};
use aws_sdk_cognitoidentityprovider as cip;
use cip::types::{IdentityProviderTypeType, OAuthFlowType, ProviderUserIdentifierType};
use reqwest::StatusCode;

on_both_backends!(
    a_federated_sign_in_creates_the_external_user_and_issues_cognates_tokens,
    the_sign_in_page_offers_each_supported_provider,
    an_idp_identifier_picks_its_provider,
    a_denied_consent_comes_back_to_the_app_as_access_denied,
    a_tampered_or_replayed_state_is_refused_and_writes_nothing,
    a_linked_identity_signs_in_as_the_local_user,
    mapped_attributes_are_written_on_every_sign_in,
    an_unsupported_provider_is_an_error_for_the_app,
    a_client_without_cognito_signs_in_only_through_its_providers,
    deleting_the_provider_keeps_its_users_and_ends_its_sign_ins,
    the_callback_follows_the_pool_domain_the_browser_came_in_on,
);

const APP_CALLBACK: &str = "https://app.example.com/cb";
const PASSWORD: &str = "Upstream-Passw0rd!";
/// The federated pool's domain prefix (`fed.auth.localhost`).
const DOMAIN: &str = "fed";

/// `http://fed.auth.localhost:<port>`: the federated pool's domain on the
/// test server's port.
fn domain_origin(s: &TestServer) -> String {
    let port = s.url.rsplit(':').next().expect("port");
    format!("http://{DOMAIN}.auth.localhost:{port}")
}

/// The upstream pool (with its user alice and a confidential code client
/// whose callback is the federated pool's idpresponse), the federated pool
/// with its provider "Upstream", and the app's client of it.
struct Setup {
    upstream_pool: String,
    /// The upstream pool's client that the provider "Upstream" uses.
    up_client: String,
    pool: String,
    client_id: String,
    alice_sub: String,
}

async fn setup(s: &TestServer) -> Setup {
    let upstream_pool = s.pool(|b| b.pool_name("upstream")).await;
    let pool = s.pool(|b| b.pool_name("federated")).await;
    let idpresponse = format!("{}/{pool}/oauth2/idpresponse", s.url);
    let (up_client, up_secret) = s
        .code_client(
            &upstream_pool,
            &idpresponse,
            &["openid", "email", "profile"],
            |c| c.generate_secret(true),
        )
        .await;
    s.admin_user(
        &upstream_pool,
        "alice",
        PASSWORD,
        &[
            ("email", "alice@example.com"),
            ("email_verified", "true"),
            ("name", "Alice Liddell"),
        ],
    )
    .await;
    let alice_sub = s
        .admin_attr(&upstream_pool, "alice", "sub")
        .await
        .expect("sub");
    let details: HashMap<String, String> = [
        ("client_id", up_client.as_str()),
        ("client_secret", up_secret.as_deref().unwrap()),
        ("oidc_issuer", &format!("{}/{upstream_pool}", s.url)),
        ("authorize_scopes", "openid email profile"),
        ("attributes_request_method", "GET"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    s.admin()
        .create_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Upstream")
        .provider_type(IdentityProviderTypeType::Oidc)
        .set_provider_details(Some(details))
        .attribute_mapping("email", "email")
        .attribute_mapping("name", "name")
        .idp_identifiers("example.com")
        .send()
        .await
        .expect("create provider");
    let (client_id, _) = s
        .code_client(&pool, APP_CALLBACK, &["openid", "email", "profile"], |c| {
            c.supported_identity_providers("COGNITO")
                .supported_identity_providers("Upstream")
                .allowed_o_auth_flows(OAuthFlowType::Code)
        })
        .await;
    Setup {
        upstream_pool,
        up_client,
        pool,
        client_id,
        alice_sub,
    }
}

/// The app's authorization request to the federated pool, with `extra`.
fn authorize_url(s: &TestServer, x: &Setup, extra: &str) -> String {
    format!(
        "{}/{}/oauth2/authorize?response_type=code&client_id={}&redirect_uri={APP_CALLBACK}&state=app-state&scope=openid+email+profile&code_challenge={}&code_challenge_method=S256{extra}",
        s.url,
        x.pool,
        x.client_id,
        s256(PKCE_VERIFIER)
    )
}

/// Follows the browser from the upstream's authorization URL through its
/// sign-in page: the response is the upstream's redirect to idpresponse.
async fn sign_in_upstream(
    s: &TestServer,
    x: &Setup,
    b: &reqwest::Client,
    upstream_authorize: &str,
    password: &str,
) -> String {
    let to = upstream_answer(s, x, b, upstream_authorize, password).await;
    assert!(
        to.starts_with(&format!("{}/{}/oauth2/idpresponse?", s.url, x.pool)),
        "{to}"
    );
    to
}

/// The upstream's sign-in from its authorization URL: where it sends the
/// browser back.
async fn upstream_answer(
    s: &TestServer,
    x: &Setup,
    b: &reqwest::Client,
    upstream_authorize: &str,
    password: &str,
) -> String {
    assert!(
        upstream_authorize.starts_with(&format!("{}/{}/oauth2/authorize?", s.url, x.upstream_pool)),
        "{upstream_authorize}"
    );
    assert_eq!(
        query_param(upstream_authorize, "code_challenge_method").as_deref(),
        Some("S256"),
        "PKCE towards the upstream"
    );
    assert!(query_param(upstream_authorize, "nonce").is_some());
    let html = b
        .get(upstream_authorize)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let form = [
        ("csrf", hidden(&html, "csrf").expect("csrf")),
        ("flow", hidden(&html, "flow").expect("flow")),
        ("username", "alice".to_owned()),
        ("password", password.to_owned()),
    ];
    let r = b
        .post(format!("{}/{}/login", s.url, x.upstream_pool))
        .form(&form)
        .send()
        .await
        .unwrap();
    location(&r)
}

/// The app's request with identity_provider=Upstream: where Cognate sends
/// the browser (the upstream's authorization URL).
async fn to_upstream(s: &TestServer, x: &Setup, b: &reqwest::Client) -> String {
    let r = b
        .get(authorize_url(s, x, "&identity_provider=Upstream"))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection(), "{}", r.status());
    location(&r)
}

/// The whole federated sign-in from the app's request: the app's callback
/// URL with Cognate's code.
async fn federated_sign_in(s: &TestServer, x: &Setup, b: &reqwest::Client, extra: &str) -> String {
    let r = b.get(authorize_url(s, x, extra)).send().await.unwrap();
    assert!(r.status().is_redirection(), "{}", r.status());
    let callback = sign_in_upstream(s, x, b, &location(&r), PASSWORD).await;
    let r = b.get(&callback).send().await.unwrap();
    let to = location(&r);
    assert!(to.starts_with(APP_CALLBACK), "{} {to}", r.status());
    to
}

/// The app redeems Cognate's code: the ID token's claims and the access token.
async fn redeem(s: &TestServer, x: &Setup, app_callback: &str) -> (serde_json::Value, String) {
    let pool_url = format!("{}/{}", s.url, x.pool);
    let body = redeem_code(&pool_url, &x.client_id, APP_CALLBACK, app_callback).await;
    (
        jwt_claims(body["id_token"].as_str().unwrap()),
        body["access_token"].as_str().unwrap().to_owned(),
    )
}

async fn user_count(s: &TestServer, pool: &str) -> usize {
    s.admin()
        .list_users()
        .user_pool_id(pool)
        .send()
        .await
        .unwrap()
        .users()
        .len()
}

async fn a_federated_sign_in_creates_the_external_user_and_issues_cognates_tokens(s: TestServer) {
    let x = setup(&s).await;
    let b = browser();
    let done = federated_sign_in(&s, &x, &b, "&identity_provider=Upstream").await;
    let (id, _access) = redeem(&s, &x, &done).await;
    let username = format!("Upstream_{}", x.alice_sub);
    assert_eq!(id["cognito:username"], username);
    assert_eq!(id["iss"], format!("{}/{}", s.url, x.pool));
    assert_eq!(id["email"], "alice@example.com");
    // A mapped email is unverified unless email_verified is mapped too.
    assert_eq!(id["email_verified"], false);
    assert_eq!(id["name"], "Alice Liddell");
    let identities = id["identities"].as_array().expect("identities claim");
    assert_eq!(identities[0]["providerName"], "Upstream");
    assert_eq!(identities[0]["providerType"], "OIDC");
    assert_eq!(identities[0]["userId"], x.alice_sub);
    assert_eq!(identities[0]["primary"], "true");
    let group = format!("{}_Upstream", x.pool);
    assert_eq!(id["cognito:groups"], serde_json::json!([group]));

    // The user as the API sees it.
    assert_eq!(
        s.admin_status(&x.pool, &username).await,
        "EXTERNAL_PROVIDER"
    );
    assert_eq!(user_count(&s, &x.pool).await, 1);
    let g = s
        .admin()
        .get_group()
        .user_pool_id(&x.pool)
        .group_name(&group)
        .send()
        .await
        .expect("the automatic group");
    assert!(
        g.group()
            .unwrap()
            .description()
            .unwrap()
            .contains("Upstream")
    );

    // Federated users have no password: password flows refuse them.
    let (password_client, _) = s.client(&x.pool, false, false).await;
    let e = s
        .password_initiate(&password_client, &username, PASSWORD)
        .await
        .unwrap_err();
    assert_eq!(error_name(&e), "NotAuthorizedException");

    // A second sign-in lands on the same user; the browser's Cognate
    // session is kept as for any sign-in.
    let b2 = browser();
    let done = federated_sign_in(&s, &x, &b2, "&identity_provider=Upstream").await;
    let (id2, _) = redeem(&s, &x, &done).await;
    assert_eq!(id2["sub"], id["sub"]);
    assert_eq!(user_count(&s, &x.pool).await, 1);
}

async fn the_sign_in_page_offers_each_supported_provider(s: TestServer) {
    let x = setup(&s).await;
    let b = browser();
    let html = b
        .get(authorize_url(&s, &x, ""))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains(&format!("action=\"/{}/federate\"", x.pool)),
        "{html}"
    );
    assert!(
        html.contains("name=\"provider\" value=\"Upstream\""),
        "{html}"
    );
    assert!(!html.contains("<script"), "no JavaScript");
    // The button's form: CSRF token and flow, as every form.
    let at = html.find("/federate").unwrap();
    let block = &html[at..];
    let form = [
        ("csrf", hidden(block, "csrf").expect("csrf")),
        ("flow", hidden(block, "flow").expect("flow")),
        ("provider", "Upstream".to_owned()),
    ];
    let r = b
        .post(format!("{}/{}/federate", s.url, x.pool))
        .form(&form)
        .send()
        .await
        .unwrap();
    let callback = sign_in_upstream(&s, &x, &b, &location(&r), PASSWORD).await;
    let done = location(&b.get(&callback).send().await.unwrap());
    let (id, _) = redeem(&s, &x, &done).await;
    assert_eq!(id["cognito:username"], format!("Upstream_{}", x.alice_sub));
    // Without the CSRF token the button does nothing.
    let r = b
        .post(format!("{}/{}/federate", s.url, x.pool))
        .form(&[("flow", form[1].1.as_str()), ("provider", "Upstream")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

async fn an_idp_identifier_picks_its_provider(s: TestServer) {
    let x = setup(&s).await;
    let b = browser();
    let done = federated_sign_in(&s, &x, &b, "&idp_identifier=example.com").await;
    let (id, _) = redeem(&s, &x, &done).await;
    assert_eq!(id["cognito:username"], format!("Upstream_{}", x.alice_sub));
}

async fn a_denied_consent_comes_back_to_the_app_as_access_denied(s: TestServer) {
    let x = setup(&s).await;
    let b = browser();
    let upstream = to_upstream(&s, &x, &b).await;
    let upstream_state = query_param(&upstream, "state").expect("state upstream");
    // The upstream answers as RFC 6749 §4.1.2.1 says when the user refuses.
    let r = b
        .get(format!(
            "{}/{}/oauth2/idpresponse?error=access_denied&error_description=User+declined&state={upstream_state}",
            s.url, x.pool
        ))
        .send()
        .await
        .unwrap();
    let to = location(&r);
    assert!(to.starts_with(APP_CALLBACK), "{to}");
    assert_eq!(query_param(&to, "error").as_deref(), Some("access_denied"));
    assert_eq!(query_param(&to, "state").as_deref(), Some("app-state"));
    assert!(query_param(&to, "code").is_none());
    assert_eq!(user_count(&s, &x.pool).await, 0);
}

async fn a_tampered_or_replayed_state_is_refused_and_writes_nothing(s: TestServer) {
    let x = setup(&s).await;
    let b = browser();
    let upstream = to_upstream(&s, &x, &b).await;
    let callback = sign_in_upstream(&s, &x, &b, &upstream, PASSWORD).await;
    let state = query_param(&callback, "state").unwrap();
    let tampered = callback.replace(&state, &format!("{state}x"));
    let r = b.get(&tampered).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(location(&r).is_empty());
    assert_eq!(user_count(&s, &x.pool).await, 0);
    // Another browser cannot use this browser's callback.
    let r = browser().get(&callback).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(user_count(&s, &x.pool).await, 0);
    // The real one works, once.
    let r = b.get(&callback).send().await.unwrap();
    assert!(location(&r).starts_with(APP_CALLBACK));
    let r = b.get(&callback).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(user_count(&s, &x.pool).await, 1);
}

async fn a_linked_identity_signs_in_as_the_local_user(s: TestServer) {
    let x = setup(&s).await;
    s.admin_user(&x.pool, "bob", "Local-Passw0rd!", &[]).await;
    let bob_sub = s.admin_attr(&x.pool, "bob", "sub").await.unwrap();
    s.link_subject(&x.pool, "bob", "Upstream", &x.alice_sub)
        .await;
    let b = browser();
    let done = federated_sign_in(&s, &x, &b, "&identity_provider=Upstream").await;
    let (id, _) = redeem(&s, &x, &done).await;
    assert_eq!(id["sub"], bob_sub);
    assert_eq!(id["cognito:username"], "bob");
    let identities = id["identities"].as_array().expect("identities claim");
    assert_eq!(identities[0]["userId"], x.alice_sub);
    assert_eq!(user_count(&s, &x.pool).await, 1, "no second user");

    // Once the identity is disabled, it is a user of its own again.
    s.admin()
        .admin_disable_provider_for_user()
        .user_pool_id(&x.pool)
        .user(
            ProviderUserIdentifierType::builder()
                .provider_name("Upstream")
                .provider_attribute_name("Cognito_Subject")
                .provider_attribute_value(&x.alice_sub)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let done = federated_sign_in(&s, &x, &browser(), "&identity_provider=Upstream").await;
    let (id, _) = redeem(&s, &x, &done).await;
    assert_ne!(id["sub"], bob_sub);
    assert_eq!(user_count(&s, &x.pool).await, 2);
}

async fn mapped_attributes_are_written_on_every_sign_in(s: TestServer) {
    let x = setup(&s).await;
    federated_sign_in(&s, &x, &browser(), "&identity_provider=Upstream").await;
    let username = format!("Upstream_{}", x.alice_sub);
    assert_eq!(
        s.admin_attr(&x.pool, &username, "name").await.as_deref(),
        Some("Alice Liddell")
    );
    s.admin_set_attr(&x.upstream_pool, "alice", "name", "Alice Pleasance")
        .await;
    let done = federated_sign_in(&s, &x, &browser(), "&identity_provider=Upstream").await;
    let (id, _) = redeem(&s, &x, &done).await;
    assert_eq!(id["name"], "Alice Pleasance");
    assert_eq!(
        s.admin_attr(&x.pool, &username, "name").await.as_deref(),
        Some("Alice Pleasance")
    );
}

async fn an_unsupported_provider_is_an_error_for_the_app(s: TestServer) {
    let x = setup(&s).await;
    let (other_client, _) = s
        .code_client(&x.pool, APP_CALLBACK, &["openid"], |c| c)
        .await;
    let r = browser()
        .get(format!(
            "{}/{}/oauth2/authorize?response_type=code&client_id={other_client}&redirect_uri={APP_CALLBACK}&state=st&scope=openid&identity_provider=Upstream",
            s.url, x.pool
        ))
        .send()
        .await
        .unwrap();
    let to = location(&r);
    assert!(to.starts_with(APP_CALLBACK), "{to}");
    assert_eq!(
        query_param(&to, "error").as_deref(),
        Some("invalid_request")
    );
    let r = browser()
        .get(authorize_url(&s, &x, "&identity_provider=Nowhere"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        query_param(&location(&r), "error").as_deref(),
        Some("invalid_request")
    );
}

/// An upstream whose token endpoint accepts connections and never answers:
/// the browser gets an error page within the configured bound, and
/// nothing is written.
mod hanging {
    use super::*;
    use cognate_core::test_support::Backend;

    async fn start(backend: Backend) -> Option<TestServer> {
        TestServer::start_with(backend, |c| c.federation_timeout_secs = 1.0).await
    }

    cognate_core::on_both_backends!(start; an_upstream_that_hangs_is_an_error_page_in_bounded_time);

    async fn an_upstream_that_hangs_is_an_error_page_in_bounded_time(s: TestServer) {
        let x = setup(&s).await;
        // A token endpoint that takes the connection and says nothing.
        let hang = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let token_url = format!("http://{}/token", hang.local_addr().unwrap());
        let held = tokio::spawn(async move {
            let mut open = Vec::new();
            while let Ok((c, _)) = hang.accept().await {
                open.push(c);
            }
        });
        let issuer = format!("{}/{}", s.url, x.upstream_pool);
        s.admin()
            .update_identity_provider()
            .user_pool_id(&x.pool)
            .provider_name("Upstream")
            .provider_details("token_url", &token_url)
            .provider_details("authorize_url", format!("{issuer}/oauth2/authorize"))
            .provider_details("jwks_uri", format!("{issuer}/.well-known/jwks.json"))
            .provider_details("oidc_issuer", &issuer)
            .provider_details("client_id", "ignored-by-the-hang")
            .provider_details("authorize_scopes", "openid email profile")
            .send()
            .await
            .expect("point the token endpoint at the hang");
        let b = browser();
        let upstream = to_upstream(&s, &x, &b).await;
        let state = query_param(&upstream, "state").unwrap();
        let started = std::time::Instant::now();
        let r = b
            .get(format!(
                "{}/{}/oauth2/idpresponse?code=any-code&state={state}",
                s.url, x.pool
            ))
            .send()
            .await
            .unwrap();
        let took = started.elapsed();
        assert_eq!(r.status(), StatusCode::BAD_GATEWAY);
        assert!(took < std::time::Duration::from_secs(5), "{took:?}");
        let page = r.text().await.unwrap();
        assert!(page.contains("did not answer"), "{page}");
        assert_eq!(user_count(&s, &x.pool).await, 0);
        held.abort();
    }
}

/// PreSignUp with `PreSignUp_ExternalProvider` before a federated user is
/// created: a refusing function writes nothing, an accepting one may verify
/// the provider's email (through a real Lambda Invoke API peer).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pre_sign_up_external_provider_runs_before_the_user_is_created() {
    use crate::common::lambda::{arn, function_error, server_with_peer};
    use cip::types::LambdaConfigType;
    let (s, peer, _) = server_with_peer().await;
    let x = setup(&s).await;
    s.admin()
        .update_user_pool()
        .user_pool_id(&x.pool)
        .lambda_config(
            LambdaConfigType::builder()
                .pre_sign_up(arn("outsiders"))
                .build(),
        )
        .send()
        .await
        .unwrap();
    peer.define_raw("outsiders", |_| function_error("No outsiders today."));
    let b = browser();
    let upstream = to_upstream(&s, &x, &b).await;
    let callback = sign_in_upstream(&s, &x, &b, &upstream, PASSWORD).await;
    let r = b.get(&callback).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let page = r.text().await.unwrap();
    assert!(page.contains("No outsiders today."), "{page}");
    assert_eq!(user_count(&s, &x.pool).await, 0);

    peer.define("outsiders", |mut e| {
        e["response"]["autoVerifyEmail"] = serde_json::json!(true);
        e
    });
    let done = federated_sign_in(&s, &x, &browser(), "&identity_provider=Upstream").await;
    let (id, _) = redeem(&s, &x, &done).await;
    assert_eq!(id["email_verified"], true);
    let events = peer.events_of("outsiders");
    let e = events.last().unwrap();
    assert_eq!(e["triggerSource"], "PreSignUp_ExternalProvider");
    assert_eq!(e["userName"], format!("Upstream_{}", x.alice_sub));
    assert_eq!(e["callerContext"]["clientId"], x.client_id.as_str());
    assert_eq!(e["request"]["userAttributes"]["email"], "alice@example.com");
    // Only the first sign-in creates the user: no event the second time.
    let n = peer.events_of("outsiders").len();
    federated_sign_in(&s, &x, &browser(), "&identity_provider=Upstream").await;
    assert_eq!(peer.events_of("outsiders").len(), n);
}

async fn a_client_without_cognito_signs_in_only_through_its_providers(s: TestServer) {
    let x = setup(&s).await;
    // One provider and not COGNITO: the hosted UI goes straight there.
    let (only, _) = s
        .code_client(&x.pool, APP_CALLBACK, &["openid"], |c| {
            c.supported_identity_providers("Upstream")
        })
        .await;
    let authorize = |client: &str| {
        format!(
            "{}/{}/oauth2/authorize?response_type=code&client_id={client}&redirect_uri={APP_CALLBACK}&state=st&scope=openid&code_challenge={}&code_challenge_method=S256",
            s.url,
            x.pool,
            s256(PKCE_VERIFIER)
        )
    };
    let r = browser().get(authorize(&only)).send().await.unwrap();
    assert!(
        location(&r).starts_with(&format!("{}/{}/oauth2/authorize?", s.url, x.upstream_pool)),
        "{}",
        location(&r)
    );
    // Two providers and not COGNITO: the page offers them, and its
    // password form signs no one in.
    let issuer = format!("{}/{}", s.url, x.upstream_pool);
    let endpoints: HashMap<String, String> = [
        ("client_id", "c".to_owned()),
        ("client_secret", "s".to_owned()),
        ("oidc_issuer", issuer.clone()),
        ("authorize_scopes", "openid".to_owned()),
        ("authorize_url", format!("{issuer}/oauth2/authorize")),
        ("token_url", format!("{issuer}/oauth2/token")),
        ("jwks_uri", format!("{issuer}/.well-known/jwks.json")),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    s.admin()
        .create_identity_provider()
        .user_pool_id(&x.pool)
        .provider_name("Second")
        .provider_type(IdentityProviderTypeType::Oidc)
        .set_provider_details(Some(endpoints))
        .send()
        .await
        .unwrap();
    s.admin_user(&x.pool, "carol", PASSWORD, &[]).await;
    let (two, _) = s
        .code_client(&x.pool, APP_CALLBACK, &["openid"], |c| {
            c.supported_identity_providers("Upstream")
                .supported_identity_providers("Second")
        })
        .await;
    let b = browser();
    let html = b
        .get(authorize(&two))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("value=\"Second\""), "{html}");
    assert!(html.contains("value=\"Upstream\""), "{html}");
    // Only the providers' buttons: no password form, no sign-up link.
    assert!(!html.contains("name=\"password\""), "{html}");
    assert!(!html.contains("name=\"username\""), "{html}");
    assert!(!html.contains("/signup"), "{html}");
    let form = [
        ("csrf", hidden(&html, "csrf").expect("csrf")),
        ("flow", hidden(&html, "flow").expect("flow")),
        ("username", "carol".to_owned()),
        ("password", PASSWORD.to_owned()),
    ];
    let r = b
        .post(format!("{}/{}/login", s.url, x.pool))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(location(&r).is_empty());
    assert!(!r.text().await.unwrap().contains("name=\"password\""));
    // A client with COGNITO among its providers keeps the password form
    // beside the buttons.
    let html = browser()
        .get(authorize_url(&s, &x, ""))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("name=\"password\""), "{html}");
    assert!(html.contains("value=\"Upstream\""), "{html}");
}

async fn deleting_the_provider_keeps_its_users_and_ends_its_sign_ins(s: TestServer) {
    let x = setup(&s).await;
    federated_sign_in(&s, &x, &browser(), "&identity_provider=Upstream").await;
    s.admin()
        .delete_identity_provider()
        .user_pool_id(&x.pool)
        .provider_name("Upstream")
        .send()
        .await
        .unwrap();
    // Its users stay (ListUsers shows them) ...
    let username = format!("Upstream_{}", x.alice_sub);
    assert_eq!(user_count(&s, &x.pool).await, 1);
    assert_eq!(
        s.admin_status(&x.pool, &username).await,
        "EXTERNAL_PROVIDER"
    );
    // ... and no sign-in goes through it any more.
    let r = browser()
        .get(authorize_url(&s, &x, "&identity_provider=Upstream"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        query_param(&location(&r), "error").as_deref(),
        Some("invalid_request")
    );
}

/// Cognito: on a pool's domain, the upstream sends the browser back to
/// `https://<domain>/oauth2/idpresponse` — the host it came in on, where its
/// session cookie is — and the sign-in finishes there.
async fn the_callback_follows_the_pool_domain_the_browser_came_in_on(s: TestServer) {
    let x = setup(&s).await;
    s.admin()
        .create_user_pool_domain()
        .user_pool_id(&x.pool)
        .domain(DOMAIN)
        .send()
        .await
        .unwrap();
    let origin = domain_origin(&s);
    // The upstream client accepts the domain's callback. Cognito's API takes
    // http only for localhost and this test server speaks http, so the
    // callback is added in the upstream's store (https in production).
    let store = &s.state.idp.store;
    let mut up = store
        .get_client(&x.upstream_pool, &x.up_client)
        .await
        .unwrap()
        .unwrap();
    up.config
        .callback_urls
        .get_or_insert_default()
        .push(format!("{origin}/oauth2/idpresponse"));
    store.update_client(&up).await.unwrap();
    let addr: std::net::SocketAddr = s.url.trim_start_matches("http://").parse().unwrap();
    // A browser that finds fed.auth.localhost at the test server.
    let b = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .resolve(&format!("{DOMAIN}.auth.localhost"), addr)
        .build()
        .unwrap();
    let on_domain = authorize_url(&s, &x, "&identity_provider=Upstream")
        .replace(&format!("{}/{}", s.url, x.pool), &origin);
    assert!(on_domain.starts_with(&format!("{origin}/oauth2/authorize?")));
    let r = b.get(&on_domain).send().await.unwrap();
    assert!(r.status().is_redirection(), "{}", r.status());
    let upstream = location(&r);
    assert_eq!(
        query_param(&upstream, "redirect_uri"),
        Some(format!("{origin}/oauth2/idpresponse")),
        "back to the domain"
    );

    // The upstream's sign-in, then its redirect to the domain's callback.
    let callback = upstream_answer(&s, &x, &b, &upstream, PASSWORD).await;
    assert!(
        callback.starts_with(&format!("{origin}/oauth2/idpresponse?")),
        "{callback}"
    );
    let r = b.get(&callback).send().await.unwrap();
    let done = location(&r);
    assert!(done.starts_with(APP_CALLBACK), "{} {done}", r.status());
    let (id, _) = redeem(&s, &x, &done).await;
    assert_eq!(id["cognito:username"], format!("Upstream_{}", x.alice_sub));

    // The same callback without the browser's session (another browser)
    // is refused: the state lives in the cookie of the domain.
    let stranger = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .resolve(&format!("{DOMAIN}.auth.localhost"), addr)
        .build()
        .unwrap();
    let r = stranger.get(&callback).send().await.unwrap();
    assert!(!r.status().is_redirection(), "{}", r.status());

    // Under the issuer path, the callback stays the issuer's.
    let r = browser()
        .get(authorize_url(&s, &x, "&identity_provider=Upstream"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        query_param(&location(&r), "redirect_uri"),
        Some(format!("{}/{}/oauth2/idpresponse", s.url, x.pool))
    );
}
