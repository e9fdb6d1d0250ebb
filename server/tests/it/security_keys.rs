//! Issue 12, item 9a: a pool's signing keys are read from the store at most
//! once per reload interval — JWKS requests are served from the cached key
//! set, and a flood of tokens naming unknown kids makes one store read, not
//! one each — while a key made on another node still appears (in the JWKS,
//! and as a verifying key) once the interval has passed.

use crate::common::users::PASSWORD;
use crate::common::{Backend, TestServer, error_name};
use aws_sdk_cognitoidentityprovider::types::AuthFlowType;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use cognate_core::service::keys::RELOAD_INTERVAL_MILLIS;
use cognate_core::tokens::new_signing_key;
use futures::StreamExt as _;

on_both_backends!(
    jwks_is_served_from_the_cache_and_shows_another_nodes_key_after_the_interval,
    unknown_kid_floods_read_the_store_at_most_once_per_interval,
);

/// A key another node made for the pool: written straight to the store,
/// past this node's cache, and newer than the pool's first key.
async fn key_made_elsewhere(s: &TestServer, pool: &str) -> String {
    let later = s.clock.now().plus_seconds(1);
    let (record, _) = new_signing_key(&s.state.idp.master_key, pool, later).unwrap();
    s.state.idp.store.put_signing_key(&record).await.unwrap();
    record.kid
}

async fn jwks_kids(s: &TestServer, pool: &str) -> Vec<String> {
    let jwks: serde_json::Value = reqwest::get(format!("{}/{pool}/.well-known/jwks.json", s.url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_owned())
        .collect()
}

async fn jwks_is_served_from_the_cache_and_shows_another_nodes_key_after_the_interval(
    s: TestServer,
) {
    let pool = s.email_pool().await;
    let first = jwks_kids(&s, &pool).await;
    assert_eq!(first.len(), 1, "{first:?}");
    let reads = s.state.idp.signing_key_reads();

    let new_kid = key_made_elsewhere(&s, &pool).await;
    // Within the interval the cached set answers: no store read.
    for _ in 0..20 {
        assert_eq!(jwks_kids(&s, &pool).await, first);
    }
    assert_eq!(
        s.state.idp.signing_key_reads(),
        reads,
        "JWKS read the store"
    );

    // Past it, the other node's key is published.
    s.clock.advance(RELOAD_INTERVAL_MILLIS);
    let kids = jwks_kids(&s, &pool).await;
    assert!(kids.contains(&new_kid), "{kids:?}");
    assert_eq!(kids.len(), 2, "{kids:?}");
    assert_eq!(s.state.idp.signing_key_reads(), reads + 1);
}

/// A token that names a kid the pool never had, with a valid issuer: it
/// gets as far as the key lookup.
fn token_with_unknown_kid(issuer: &str, n: usize) -> String {
    let header = serde_json::json!({"alg": "RS256", "kid": format!("no-such-kid-{n}")});
    let claims = serde_json::json!({
        "iss": issuer,
        "sub": uuid::Uuid::new_v4(),
        "token_use": "access",
        "exp": 4_000_000_000u64,
    });
    format!(
        "{}.{}.{}",
        B64URL.encode(header.to_string()),
        B64URL.encode(claims.to_string()),
        B64URL.encode([7u8; 256]),
    )
}

async fn unknown_kid_floods_read_the_store_at_most_once_per_interval(s: TestServer) {
    let pool = s.email_pool().await;
    let (client, _) = s.client(&pool, false, false).await;
    s.confirmed_user(&pool, &client, "alice", "alice@example.com")
        .await;
    let access = s.access_token(&client, "alice", PASSWORD).await;
    s.public()
        .get_user()
        .access_token(&access)
        .send()
        .await
        .unwrap();
    // Past the interval, so that one reload is due.
    s.clock.advance(RELOAD_INTERVAL_MILLIS);
    let reads = s.state.idp.signing_key_reads();

    let issuer = s.state.idp.issuer(&pool);
    let public = s.public();
    let answers: Vec<String> = futures::stream::iter(0..200)
        .map(|n| {
            let (public, token) = (public.clone(), token_with_unknown_kid(&issuer, n));
            async move {
                let err = public
                    .get_user()
                    .access_token(token)
                    .send()
                    .await
                    .unwrap_err();
                error_name(&err)
            }
        })
        .buffer_unordered(32)
        .collect()
        .await;
    assert!(
        answers.iter().all(|a| a == "NotAuthorizedException"),
        "{answers:?}"
    );
    let made = s.state.idp.signing_key_reads() - reads;
    assert!(made <= 1, "200 unknown kids made {made} store reads");

    // The pool's own tokens still verify from the cache.
    let me = public
        .get_user()
        .access_token(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(me.username(), "alice");
}

/// Two nodes on one PostgreSQL database: node B signs with a key node A
/// has not cached; A verifies B's tokens once the interval has passed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_signed_with_another_nodes_new_key_verify_after_the_interval() {
    let Some(a) = TestServer::start(Backend::Postgres).await else {
        return;
    };
    let pool = a.email_pool().await;
    let (client, _) = a.client(&pool, false, false).await;
    a.confirmed_user(&pool, &client, "alice", "alice@example.com")
        .await;
    // A caches the pool's first key.
    let on_a = a.access_token(&client, "alice", PASSWORD).await;
    a.public()
        .get_user()
        .access_token(&on_a)
        .send()
        .await
        .unwrap();

    // Another node rotates in a newer key; node B, starting afterwards,
    // signs with it.
    let new_kid = key_made_elsewhere(&a, &pool).await;
    let b = a.start_node_beside().await.expect("a second node");
    let on_b = b
        .public()
        .initiate_auth()
        .client_id(&client)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "alice")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .unwrap()
        .authentication_result()
        .unwrap()
        .access_token()
        .unwrap()
        .to_owned();
    let header = jsonwebtoken::decode_header(&on_b).unwrap();
    assert_eq!(header.kid.as_deref(), Some(new_kid.as_str()));

    a.clock.advance(RELOAD_INTERVAL_MILLIS);
    let me = a
        .public()
        .get_user()
        .access_token(&on_b)
        .send()
        .await
        .unwrap();
    assert_eq!(me.username(), "alice");
    assert!(jwks_kids(&a, &pool).await.contains(&new_kid));
}
