//! Sign in with Apple, on SQLite and PostgreSQL, against the OpenID
//! provider of `common/oidc_peer.rs` in Apple's mode, where
//! `federation_endpoints` moves Apple's endpoints: the client secret at the
//! token endpoint is an ES256 JWT signed with the provider's `private_key`
//! (kid `key_id`, iss `team_id`, sub `client_id`, aud
//! `https://appleid.apple.com`) — the peer refuses any other — and the
//! answer comes by form_post with Apple's `user` JSON on a first sign-in.

use std::collections::HashMap;
use std::sync::OnceLock;

use cognate_core::model::identity_provider::Preset;
use cognate_core::test_support::Backend;

use crate::common::TestServer;
use crate::common::hosted::{PKCE_VERIFIER, browser, location, query_param, s256};
use crate::common::oidc_peer::{Apple, start_peer};
use aws_sdk_cognitoidentityprovider::types::IdentityProviderTypeType;

const APP_CALLBACK: &str = "https://app.example.com/cb";
const TEAM: &str = "TEAM123456";
const KEY_ID: &str = "KEY7890AB";
const SERVICES_ID: &str = "com.example.web";

/// The developer's key from Apple (PKCS #8 PEM, P-256): private, public.
fn key() -> &'static (String, String) {
    static KEY: OnceLock<(String, String)> = OnceLock::new();
    KEY.get_or_init(|| {
        let k = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        (k.serialize_pem(), k.public_key_pem())
    })
}

async fn start(backend: Backend) -> Option<TestServer> {
    let peer = start_peer(
        false,
        Some(Apple {
            public_pem: key().1.clone(),
            key_id: KEY_ID.into(),
            team_id: TEAM.into(),
        }),
    )
    .await;
    let b = peer.base.clone();
    // The peer lives as long as its server task (the runtime of the test).
    std::mem::forget(peer);
    TestServer::start_with(backend, |c| {
        c.federation_endpoints.insert(
            "SignInWithApple".into(),
            Preset {
                authorize_url: format!("{b}/authorize"),
                token_url: format!("{b}/token"),
                attributes_url: None,
                oidc_issuer: Some(b.clone()),
                jwks_uri: Some(format!("{b}/jwks")),
            },
        );
    })
    .await
}

cognate_core::on_both_backends!(start; apple_signs_in_with_a_client_secret_jwt_and_form_post);

async fn apple_signs_in_with_a_client_secret_jwt_and_form_post(s: TestServer) {
    let pool = s.pool(|b| b.pool_name("apple")).await;
    let details = |key_id: &str| -> HashMap<String, String> {
        [
            ("client_id", SERVICES_ID),
            ("team_id", TEAM),
            ("key_id", key_id),
            ("private_key", key().0.as_str()),
            ("authorize_scopes", "name email"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
    };
    s.admin()
        .create_identity_provider()
        .user_pool_id(&pool)
        .provider_name("SignInWithApple")
        .provider_type(IdentityProviderTypeType::SignInWithApple)
        .set_provider_details(Some(details(KEY_ID)))
        .attribute_mapping("email", "email")
        .attribute_mapping("given_name", "firstName")
        .attribute_mapping("family_name", "lastName")
        .send()
        .await
        .expect("create provider");
    let (client, _) = s
        .code_client(&pool, APP_CALLBACK, &["openid", "email", "profile"], |c| {
            c.supported_identity_providers("SignInWithApple")
        })
        .await;
    let sign_in = || async {
        let b = browser();
        let r = b
            .get(format!(
                "{}/{pool}/oauth2/authorize?response_type=code&client_id={client}&redirect_uri={APP_CALLBACK}&state=st&scope=openid+email+profile&code_challenge={}&code_challenge_method=S256",
                s.url,
                s256(PKCE_VERIFIER)
            ))
            .send()
            .await
            .unwrap();
        let upstream = location(&r);
        assert_eq!(
            query_param(&upstream, "response_mode").as_deref(),
            Some("form_post")
        );
        // Apple answers with a form the browser posts to the callback.
        let form: serde_json::Value = b.get(&upstream).send().await.unwrap().json().await.unwrap();
        let action = form["action"].as_str().unwrap().to_owned();
        assert_eq!(action, format!("{}/{pool}/oauth2/idpresponse", s.url));
        let user =
            r#"{"name":{"firstName":"Pat","lastName":"Apple"},"email":"pat@privaterelay.example"}"#;
        let r = b
            .post(&action)
            .form(&[
                ("code", form["code"].as_str().unwrap()),
                ("state", form["state"].as_str().unwrap()),
                ("user", user),
            ])
            .send()
            .await
            .unwrap();
        // A cross-site POST carries no Lax cookie: on by a 303 to a GET.
        assert_eq!(r.status(), reqwest::StatusCode::SEE_OTHER);
        let again = location(&r);
        assert!(again.starts_with("idpresponse?form="), "{again}");
        assert!(!again.contains("Pat"), "the answer travels sealed");
        b.get(format!("{action}{}", &again["idpresponse".len()..]))
            .send()
            .await
            .unwrap()
    };
    let r = sign_in().await;
    let done = location(&r);
    assert!(done.starts_with(APP_CALLBACK), "{} {done}", r.status());
    assert!(query_param(&done, "code").is_some());
    let username = "SignInWithApple_peer-user-1";
    assert_eq!(s.admin_status(&pool, username).await, "EXTERNAL_PROVIDER");
    assert_eq!(
        s.admin_attr(&pool, username, "given_name").await.as_deref(),
        Some("Pat")
    );
    assert_eq!(
        s.admin_attr(&pool, username, "family_name")
            .await
            .as_deref(),
        Some("Apple")
    );
    assert_eq!(
        s.admin_attr(&pool, username, "email").await.as_deref(),
        Some("pat@peer.example"),
        "the ID token's email, not the form's"
    );

    // Signed with another key id, the client secret is refused at Apple's
    // token endpoint: an error page, no sign-in.
    s.admin()
        .update_identity_provider()
        .user_pool_id(&pool)
        .provider_name("SignInWithApple")
        .set_provider_details(Some(details("OTHERKEY")))
        .send()
        .await
        .unwrap();
    let r = sign_in().await;
    assert!(!r.status().is_redirection(), "{}", r.status());
    assert!(location(&r).is_empty());
}
