//! `/logout` after a federated sign-in ends the upstream session too where
//! the OpenID provider offers it (RP-Initiated Logout 1.0: its discovery
//! document's `end_session_endpoint`, with `id_token_hint`, `client_id`,
//! `post_logout_redirect_uri` and `state`), on SQLite and PostgreSQL.
//! Cognate's own discovery names no end-session endpoint (nor does
//! Cognito's), so the upstream is a small OpenID provider in the test, on a
//! random local port: discovery, authorize, token (an RS256 ID token), JWKS
//! and an end-session endpoint that records what it was sent.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Form, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use cognate_core::Timestamp;
use cognate_core::crypto::MasterKey;
use cognate_core::tokens::{Signer, new_signing_key};
use serde_json::{Value, json};

use crate::common::TestServer;
use crate::common::hosted::{PKCE_VERIFIER, browser, location, query_param, s256};
use aws_sdk_cognitoidentityprovider::types::IdentityProviderTypeType;

on_both_backends!(
    logout_ends_the_upstream_session_and_comes_back_to_the_logout_uri,
    a_provider_without_an_end_session_endpoint_is_left_alone,
);

const APP_CALLBACK: &str = "https://app.example.com/cb";
const APP_LOGOUT: &str = "https://app.example.com/bye";
const PEER_CLIENT: &str = "peer-client";

/// The provider in the test: what it issued and what it was asked.
struct Peer {
    base: String,
    signer: Signer,
    end_session: bool,
    nonce: Mutex<Option<String>>,
    issued: Mutex<Option<String>>,
    logouts: Mutex<Vec<HashMap<String, String>>>,
}

async fn discovery(State(p): State<Arc<Peer>>) -> Json<Value> {
    let b = &p.base;
    let mut doc = json!({
        "issuer": b,
        "authorization_endpoint": format!("{b}/authorize"),
        "token_endpoint": format!("{b}/token"),
        "jwks_uri": format!("{b}/jwks"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
    });
    if p.end_session {
        doc["end_session_endpoint"] = json!(format!("{b}/end_session"));
    }
    Json(doc)
}

/// Signs the user in at once: back to the redirect URI with a code.
async fn authorize(
    State(p): State<Arc<Peer>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    *p.nonce.lock().unwrap() = q.get("nonce").cloned();
    let back = format!(
        "{}?code=peer-code&state={}",
        q["redirect_uri"],
        urlencode(&q["state"])
    );
    Redirect::to(&back).into_response()
}

async fn token(State(p): State<Arc<Peer>>, Form(f): Form<HashMap<String, String>>) -> Response {
    if f.get("code").map(String::as_str) != Some("peer-code") {
        return (
            axum::http::StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid_grant"})),
        )
            .into_response();
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let mut claims = serde_json::Map::new();
    for (k, v) in [
        ("iss", json!(p.base)),
        ("sub", json!("peer-user-1")),
        ("aud", json!(PEER_CLIENT)),
        ("iat", json!(now)),
        ("exp", json!(now + 600)),
        ("nonce", json!(p.nonce.lock().unwrap().clone())),
        ("email", json!("pat@peer.example")),
    ] {
        claims.insert(k.into(), v);
    }
    let id_token = p.signer.sign(&claims).unwrap();
    *p.issued.lock().unwrap() = Some(id_token.clone());
    Json(json!({
        "access_token": "peer-access-token",
        "token_type": "Bearer",
        "expires_in": 600,
        "id_token": id_token,
    }))
    .into_response()
}

async fn jwks(State(p): State<Arc<Peer>>) -> Json<Value> {
    Json(json!({ "keys": [p.signer.jwk()] }))
}

/// RP-Initiated Logout 1.0 §2–3: records the request, back with `state`.
async fn end_session(
    State(p): State<Arc<Peer>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    p.logouts.lock().unwrap().push(q.clone());
    let back = format!(
        "{}?state={}",
        q["post_logout_redirect_uri"],
        urlencode(&q["state"])
    );
    Redirect::to(&back).into_response()
}

fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("v", s)]).unwrap()[2..].to_owned()
}

async fn start_peer(end_session_endpoint: bool) -> Arc<Peer> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (_, signer) = new_signing_key(&MasterKey::generate(), "peer", Timestamp(0)).unwrap();
    let peer = Arc::new(Peer {
        base,
        signer,
        end_session: end_session_endpoint,
        nonce: Mutex::new(None),
        issued: Mutex::new(None),
        logouts: Mutex::new(Vec::new()),
    });
    let app = Router::new()
        .route("/.well-known/openid-configuration", get(discovery))
        .route("/authorize", get(authorize))
        .route("/token", post(token))
        .route("/jwks", get(jwks))
        .route("/end_session", get(end_session))
        .with_state(peer.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    peer
}

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
    let peer = start_peer(true).await;
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
    let peer = start_peer(false).await;
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
