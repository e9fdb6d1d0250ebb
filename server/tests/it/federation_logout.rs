//! `/logout` after a federated sign-in ends the upstream session too where
//! the OpenID provider offers it (RP-Initiated Logout 1.0: its discovery
//! document's `end_session_endpoint`, with `id_token_hint`, `client_id`,
//! `post_logout_redirect_uri` and `state`), on SQLite and PostgreSQL.
//! Cognate's own discovery names no end-session endpoint (nor does
//! Cognito's), so the upstream is the small OpenID provider of
//! `common/oidc_peer.rs`.

use std::collections::HashMap;

use crate::common::TestServer;
use crate::common::hosted::{PKCE_VERIFIER, browser, location, query_param, s256};
use crate::common::oidc_peer::{Peer, start_peer};
use aws_sdk_cognitoidentityprovider::types::IdentityProviderTypeType;

on_both_backends!(
    logout_ends_the_upstream_session_and_comes_back_to_the_logout_uri,
    a_provider_without_an_end_session_endpoint_is_left_alone,
);

const APP_CALLBACK: &str = "https://app.example.com/cb";
const APP_LOGOUT: &str = "https://app.example.com/bye";
const PEER_CLIENT: &str = "peer-client";

/// A pool with the peer as provider "Peer" and an app client of it with a
/// sign-out URL; the browser signed in through the peer. Returns the pool,
/// the client and the browser.
async fn signed_in_through(s: &TestServer, peer: &Peer) -> (String, String, reqwest::Client) {
    let pool = s.pool(|b| b.pool_name("federated")).await;
    let details: HashMap<String, String> = [
        ("client_id", PEER_CLIENT),
        ("client_secret", "peer-secret"),
        ("oidc_issuer", peer.base.as_str()),
        ("authorize_scopes", "openid email"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    s.admin()
        .create_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Peer")
        .provider_type(IdentityProviderTypeType::Oidc)
        .set_provider_details(Some(details))
        .attribute_mapping("email", "email")
        .send()
        .await
        .expect("create provider");
    let (client, _) = s
        .code_client(&pool, APP_CALLBACK, &["openid", "email"], |c| {
            c.supported_identity_providers("COGNITO")
                .supported_identity_providers("Peer")
                .logout_urls(APP_LOGOUT)
        })
        .await;
    let b = browser();
    let authorize = format!(
        "{}/{pool}/oauth2/authorize?response_type=code&client_id={client}&redirect_uri={APP_CALLBACK}&state=app-state&scope=openid+email&code_challenge={}&code_challenge_method=S256&identity_provider=Peer",
        s.url,
        s256(PKCE_VERIFIER)
    );
    let mut at = authorize;
    for _ in 0..3 {
        let r = b.get(&at).send().await.unwrap();
        assert!(r.status().is_redirection(), "{at}: {}", r.status());
        at = location(&r);
    }
    assert!(at.starts_with(APP_CALLBACK), "{at}");
    assert!(query_param(&at, "code").is_some(), "{at}");
    (pool, client, b)
}

async fn logout_ends_the_upstream_session_and_comes_back_to_the_logout_uri(s: TestServer) {
    let peer = start_peer(true, None).await;
    let (pool, client, b) = signed_in_through(&s, &peer).await;
    let r = b
        .get(format!(
            "{}/{pool}/logout?client_id={client}&logout_uri={APP_LOGOUT}",
            s.url
        ))
        .send()
        .await
        .unwrap();
    let to = location(&r);
    assert!(
        to.starts_with(&format!("{}/end_session?", peer.base)),
        "{to}"
    );
    assert_eq!(
        query_param(&to, "id_token_hint"),
        peer.issued.lock().unwrap().clone(),
        "the upstream's own ID token as the hint"
    );
    assert_eq!(query_param(&to, "client_id").as_deref(), Some(PEER_CLIENT));
    assert_eq!(
        query_param(&to, "post_logout_redirect_uri"),
        Some(format!("{}/{pool}/oauth2/idplogout", s.url))
    );
    // The upstream ends its session and sends the browser back; Cognate
    // goes on to the app's sign-out URL.
    let r = b.get(&to).send().await.unwrap();
    let back = location(&r);
    assert_eq!(peer.logouts.lock().unwrap().len(), 1);
    let r = b.get(&back).send().await.unwrap();
    assert_eq!(location(&r), APP_LOGOUT);
    // The state is used once: again, it is only the signed-out page.
    let r = b.get(&back).send().await.unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::OK);
    assert!(location(&r).is_empty());
    // The Cognate session is over too: a new authorize request without a
    // provider shows the sign-in page instead of answering a code.
    let r = b
        .get(format!(
            "{}/{pool}/oauth2/authorize?response_type=code&client_id={client}&redirect_uri={APP_CALLBACK}&scope=openid&code_challenge={}&code_challenge_method=S256",
            s.url,
            s256(PKCE_VERIFIER)
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::OK);
    // A second logout has no upstream session left to end.
    let r = b
        .get(format!(
            "{}/{pool}/logout?client_id={client}&logout_uri={APP_LOGOUT}",
            s.url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(location(&r), APP_LOGOUT);
    assert_eq!(peer.logouts.lock().unwrap().len(), 1);
}

async fn a_provider_without_an_end_session_endpoint_is_left_alone(s: TestServer) {
    let peer = start_peer(false, None).await;
    let (pool, client, b) = signed_in_through(&s, &peer).await;
    let r = b
        .get(format!(
            "{}/{pool}/logout?client_id={client}&logout_uri={APP_LOGOUT}",
            s.url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(location(&r), APP_LOGOUT);
    assert!(peer.logouts.lock().unwrap().is_empty());
}
