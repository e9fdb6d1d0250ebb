//! Secrets at rest: what a copy of the database shows. App client secrets
//! and the outbox's codes are sealed under the master key (crypto.rs,
//! "Secrets at rest"), yet still work and still read where Cognito and the
//! tools show them (issue 12, item 8).

use crate::common::users::{PASSWORD, attr};
use crate::common::{TestServer, error_name};
use aws_lc_rs::hmac;
use aws_sdk_cognitoidentityprovider::types::{OAuthFlowType, ResourceServerScopeType};
use base64::Engine as _;

/// Cognito developer guide, "Computing secret hash values".
fn secret_hash(secret: &str, username: &str, client_id: &str) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
    let tag = hmac::sign(&key, format!("{username}{client_id}").as_bytes());
    base64::engine::general_purpose::STANDARD.encode(tag.as_ref())
}

async fn sign_up(
    s: &TestServer,
    client_id: &str,
    username: &str,
    hash: &str,
) -> Result<(), String> {
    s.public()
        .sign_up()
        .client_id(client_id)
        .username(username)
        .password(PASSWORD)
        .secret_hash(hash)
        .user_attributes(attr("email", &format!("{username}@example.com")))
        .send()
        .await
        .map(|_| ())
        .map_err(|e| error_name(&e))
}

async fn client_secrets_are_sealed_at_rest_and_still_work(s: TestServer) {
    let pool_id = s.pool(|b| b).await;
    let (client_id, secret) = s.client(&pool_id, true, false).await;
    let secret = secret.expect("CreateUserPoolClient returns the secret");

    // The raw row holds no secret.
    let rows = s.raw_rows("SELECT CAST(doc AS TEXT) FROM clients").await;
    assert_eq!(rows.len(), 1);
    assert!(
        !rows[0].contains(&secret),
        "the secret is sealed: {}",
        rows[0]
    );

    // DescribeUserPoolClient still returns it, as Cognito does.
    let described = s
        .admin()
        .describe_user_pool_client()
        .user_pool_id(&pool_id)
        .client_id(&client_id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        described.user_pool_client().and_then(|c| c.client_secret()),
        Some(secret.as_str())
    );

    // SECRET_HASH is checked against it.
    assert_eq!(
        sign_up(&s, &client_id, "ann", "bm90IHRoZSBoYXNo").await,
        Err("NotAuthorizedException".into())
    );
    sign_up(
        &s,
        &client_id,
        "ann",
        &secret_hash(&secret, "ann", &client_id),
    )
    .await
    .expect("SECRET_HASH from the sealed secret");

    // An update keeps it sealed and working.
    s.admin()
        .update_user_pool_client()
        .user_pool_id(&pool_id)
        .client_id(&client_id)
        .client_name("renamed")
        .explicit_auth_flows(
            aws_sdk_cognitoidentityprovider::types::ExplicitAuthFlowsType::AllowUserPasswordAuth,
        )
        .send()
        .await
        .unwrap();
    let rows = s.raw_rows("SELECT CAST(doc AS TEXT) FROM clients").await;
    assert!(rows[0].contains("renamed") && !rows[0].contains(&secret));
    sign_up(
        &s,
        &client_id,
        "bob",
        &secret_hash(&secret, "bob", &client_id),
    )
    .await
    .expect("SECRET_HASH after an update");
}

async fn client_secrets_are_sealed_at_rest_and_authenticate_at_the_token_endpoint(s: TestServer) {
    let pool_id = s.pool(|b| b).await;
    let admin = s.admin();
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
    let created = admin
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("machine")
        .generate_secret(true)
        .allowed_o_auth_flows(OAuthFlowType::ClientCredentials)
        .allowed_o_auth_scopes("https://api.example/read")
        .allowed_o_auth_flows_user_pool_client(true)
        .send()
        .await
        .unwrap();
    let c = created.user_pool_client().unwrap();
    let (client_id, secret) = (c.client_id().unwrap(), c.client_secret().unwrap());
    let rows = s.raw_rows("SELECT CAST(doc AS TEXT) FROM clients").await;
    assert!(rows.iter().all(|r| !r.contains(secret)), "{rows:?}");

    let token = |secret: String| {
        let url = format!("{}/{pool_id}/oauth2/token", s.url);
        let client_id = client_id.to_owned();
        async move {
            reqwest::Client::new()
                .post(url)
                .basic_auth(client_id, Some(secret))
                .form(&[
                    ("grant_type", "client_credentials"),
                    ("scope", "https://api.example/read"),
                ])
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(token(secret.to_owned()).await, 200);
    assert_eq!(token("not-the-secret".into()).await, 401);
}

/// A row written before secrets were sealed (plaintext) still reads.
async fn a_client_secret_stored_in_plaintext_before_sealing_still_works(s: TestServer) {
    let pool_id = s.pool(|b| b).await;
    let (client_id, secret) = s.client(&pool_id, true, false).await;
    let secret = secret.unwrap();
    let store = &s.state.idp.store;
    let mut legacy = store
        .get_client(&pool_id, &client_id)
        .await
        .unwrap()
        .unwrap();
    legacy.client_secret = Some(secret.clone());
    store.update_client(&legacy).await.unwrap();
    let rows = s.raw_rows("SELECT CAST(doc AS TEXT) FROM clients").await;
    assert!(rows[0].contains(&secret), "the old form is in place");

    sign_up(
        &s,
        &client_id,
        "old",
        &secret_hash(&secret, "old", &client_id),
    )
    .await
    .expect("a plaintext secret still verifies");
}

/// The outbox holds live codes for a week: its rows keep them sealed, and
/// `cognate outbox` (with the data directory's master key) opens them.
async fn outbox_codes_are_sealed_at_rest_and_the_cli_still_shows_them(s: TestServer) {
    let pool_id = s.email_pool().await;
    let (client_id, _) = s.client(&pool_id, false, false).await;
    s.public()
        .sign_up()
        .client_id(&client_id)
        .username("zoe")
        .password(PASSWORD)
        .user_attributes(attr("email", "zoe@example.com"))
        .send()
        .await
        .expect("sign up");
    let code = s.code_sent_to(&pool_id, "zoe@example.com").await;

    let rows = s
        .raw_rows("SELECT COALESCE(subject, '') || '|' || destination || '|' || body FROM outbox")
        .await;
    assert_eq!(rows.len(), 1);
    assert!(rows[0].contains("zoe@example.com"), "{}", rows[0]);
    assert!(
        !rows[0].contains(&code) && !rows[0].contains("Your verification code"),
        "subject and body are sealed: {}",
        rows[0]
    );

    let data_dir = s.state.config.data_dir.clone();
    let database_url = s.state.config.database_url();
    let printed = tokio::task::spawn_blocking(move || {
        crate::common::process::cognate(
            &["outbox", "--json"],
            &data_dir,
            &[("COGNATE_DATABASE_URL", &database_url)],
        )
        .output()
        .unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&printed.stdout);
    assert!(
        printed.status.success(),
        "{}",
        String::from_utf8_lossy(&printed.stderr)
    );
    let m: serde_json::Value = serde_json::from_str(stdout.lines().next().unwrap()).unwrap();
    assert_eq!(m["subject"], "Your verification code");
    assert_eq!(m["body"], format!("Your verification code is {code}. "));
}

on_both_backends!(
    client_secrets_are_sealed_at_rest_and_still_work,
    client_secrets_are_sealed_at_rest_and_authenticate_at_the_token_endpoint,
    a_client_secret_stored_in_plaintext_before_sealing_still_works,
    outbox_codes_are_sealed_at_rest_and_the_cli_still_shows_them,
);
