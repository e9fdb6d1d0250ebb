//! Federation's management actions through the AWS SDK for Rust, on SQLite
//! and PostgreSQL (Cognito API: CreateIdentityProvider …
//! ListIdentityProviders, GetIdentityProviderByIdentifier,
//! AdminLinkProviderForUser, AdminDisableProviderForUser), with a second
//! pool of the same server as the upstream OpenID Connect provider whose
//! discovery document CreateIdentityProvider reads.

use std::collections::HashMap;

use crate::common::{TestServer, error_name};
use aws_sdk_cognitoidentityprovider as cip;
use cip::types::{IdentityProviderTypeType, ProviderUserIdentifierType};
use serde_json::json;

on_both_backends!(
    oidc_provider_endpoints_come_from_the_issuers_discovery_document,
    providers_are_updated_listed_found_by_identifier_and_deleted,
    provider_details_are_checked_per_type,
    an_unreachable_oidc_issuer_is_invalid_parameter,
    social_providers_answer_their_derived_endpoints_and_keep_secrets_sealed,
    app_clients_name_only_existing_providers,
    upstream_identities_are_linked_to_users_and_disabled,
    federation_management_requires_sigv4,
    the_signing_certificate_is_made_once_per_pool,
);

fn details(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// An OIDC provider's details with the upstream pool's issuer.
fn oidc_details(issuer: &str) -> HashMap<String, String> {
    details(&[
        ("client_id", "upstream-client"),
        ("client_secret", "upstream-secret-value"),
        ("oidc_issuer", issuer),
        ("authorize_scopes", "openid email profile"),
    ])
}

/// Two pools: the upstream (whose issuer the provider names) and the pool
/// under test.
async fn pools(s: &TestServer) -> (String, String) {
    let upstream = s.pool(|b| b.pool_name("upstream")).await;
    let pool = s.pool(|b| b.pool_name("federated")).await;
    (upstream, pool)
}

async fn create_oidc(
    s: &TestServer,
    pool: &str,
    name: &str,
    details: HashMap<String, String>,
) -> Result<cip::types::IdentityProviderType, String> {
    s.admin()
        .create_identity_provider()
        .user_pool_id(pool)
        .provider_name(name)
        .provider_type(IdentityProviderTypeType::Oidc)
        .set_provider_details(Some(details))
        .attribute_mapping("email", "email")
        .idp_identifiers("example.com")
        .send()
        .await
        .map(|o| o.identity_provider.expect("provider"))
        .map_err(|e| {
            format!(
                "{}: {}",
                error_name(&e),
                cip::error::ProvideErrorMetadata::message(&e).unwrap_or_default()
            )
        })
}

async fn oidc_provider_endpoints_come_from_the_issuers_discovery_document(s: TestServer) {
    let (upstream, pool) = pools(&s).await;
    let issuer = format!("{}/{upstream}", s.url);
    let created = create_oidc(&s, &pool, "Upstream", oidc_details(&issuer))
        .await
        .expect("create");
    assert_eq!(created.provider_name(), Some("Upstream"));
    assert_eq!(
        created.provider_type(),
        Some(&IdentityProviderTypeType::Oidc)
    );
    let described = s
        .admin()
        .describe_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Upstream")
        .send()
        .await
        .unwrap()
        .identity_provider
        .unwrap();
    let d = described.provider_details().unwrap();
    assert_eq!(d["oidc_issuer"], issuer);
    assert_eq!(d["authorize_url"], format!("{issuer}/oauth2/authorize"));
    assert_eq!(d["token_url"], format!("{issuer}/oauth2/token"));
    assert_eq!(d["attributes_url"], format!("{issuer}/oauth2/userInfo"));
    assert_eq!(d["jwks_uri"], format!("{issuer}/.well-known/jwks.json"));
    assert_eq!(d["attributes_request_method"], "GET");
    assert_eq!(d["attributes_url_add_attributes"], "false");
    // Cognito answers the client secret of an OIDC provider.
    assert_eq!(d["client_secret"], "upstream-secret-value");
    // The upstream's subject is the username unless mapped otherwise.
    let mapping = described.attribute_mapping().unwrap();
    assert_eq!(mapping["username"], "sub");
    assert_eq!(mapping["email"], "email");
    assert_eq!(described.idp_identifiers(), ["example.com"]);
    assert!(described.creation_date().is_some());
    assert!(described.last_modified_date().is_some());
    // A trailing slash on the issuer is not kept.
    let mut slashed = oidc_details(&format!("{issuer}/"));
    slashed.insert("authorize_url".into(), "https://idp.example.com/a".into());
    let c = s
        .admin()
        .create_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Slashed")
        .provider_type(IdentityProviderTypeType::Oidc)
        .set_provider_details(Some(slashed))
        .send()
        .await
        .expect("create with one endpoint given");
    let d = c.identity_provider().unwrap().provider_details().unwrap();
    assert_eq!(d["oidc_issuer"], issuer);
    // An endpoint the request names wins over discovery.
    assert_eq!(d["authorize_url"], "https://idp.example.com/a");
    assert_eq!(d["token_url"], format!("{issuer}/oauth2/token"));
}

async fn providers_are_updated_listed_found_by_identifier_and_deleted(s: TestServer) {
    let (upstream, pool) = pools(&s).await;
    let issuer = format!("{}/{upstream}", s.url);
    create_oidc(&s, &pool, "Upstream", oidc_details(&issuer))
        .await
        .unwrap();
    // A name is unique in its pool.
    let again = create_oidc(&s, &pool, "Upstream", oidc_details(&issuer)).await;
    assert!(
        again
            .as_ref()
            .is_err_and(|e| e.starts_with("DuplicateProviderException")),
        "{again:?}"
    );
    // An identifier names one provider.
    let clash = create_oidc(&s, &pool, "Second", oidc_details(&issuer)).await;
    assert!(
        clash
            .as_ref()
            .is_err_and(|e| e.starts_with("InvalidParameterException")),
        "{clash:?}"
    );

    // Update: the scopes change, the secret left out is kept, the mapping
    // and identifiers are replaced.
    let mut new_details = oidc_details(&issuer);
    new_details.remove("client_secret");
    new_details.insert("authorize_scopes".into(), "openid".into());
    let updated = s
        .admin()
        .update_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Upstream")
        .set_provider_details(Some(new_details))
        .attribute_mapping("name", "name")
        .idp_identifiers("corp")
        .send()
        .await
        .unwrap()
        .identity_provider
        .unwrap();
    let d = updated.provider_details().unwrap();
    assert_eq!(d["authorize_scopes"], "openid");
    assert_eq!(d["client_secret"], "upstream-secret-value");
    let mapping = updated.attribute_mapping().unwrap();
    assert_eq!(mapping.get("email"), None);
    assert_eq!(mapping["name"], "name");
    assert_eq!(updated.idp_identifiers(), ["corp"]);

    let by_id = s
        .admin()
        .get_identity_provider_by_identifier()
        .user_pool_id(&pool)
        .idp_identifier("corp")
        .send()
        .await
        .unwrap();
    assert_eq!(
        by_id.identity_provider().unwrap().provider_name(),
        Some("Upstream")
    );
    let e = s
        .admin()
        .get_identity_provider_by_identifier()
        .user_pool_id(&pool)
        .idp_identifier("example.com")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&e), "ResourceNotFoundException");

    // Listing, page by page, in name order.
    for name in ["Alpha", "Beta"] {
        let mut d = oidc_details(&issuer);
        d.insert("authorize_url".into(), "https://a.example.com/auth".into());
        d.insert("token_url".into(), "https://a.example.com/token".into());
        d.insert("jwks_uri".into(), "https://a.example.com/jwks".into());
        s.admin()
            .create_identity_provider()
            .user_pool_id(&pool)
            .provider_name(name)
            .provider_type(IdentityProviderTypeType::Oidc)
            .set_provider_details(Some(d))
            .send()
            .await
            .unwrap();
    }
    let mut names = Vec::new();
    let mut token = None;
    loop {
        let page = s
            .admin()
            .list_identity_providers()
            .user_pool_id(&pool)
            .max_results(2)
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        for p in page.providers() {
            assert_eq!(p.provider_type(), Some(&IdentityProviderTypeType::Oidc));
            names.push(p.provider_name().unwrap().to_owned());
        }
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(names, ["Alpha", "Beta", "Upstream"]);
    let e = s
        .admin()
        .list_identity_providers()
        .user_pool_id(&pool)
        .max_results(61)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&e), "InvalidParameterException");

    s.admin()
        .delete_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Upstream")
        .send()
        .await
        .unwrap();
    let e = s
        .admin()
        .describe_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Upstream")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&e), "ResourceNotFoundException");
    let e = s
        .admin()
        .delete_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Upstream")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&e), "ResourceNotFoundException");
}

async fn provider_details_are_checked_per_type(s: TestServer) {
    let (upstream, pool) = pools(&s).await;
    let issuer = format!("{}/{upstream}", s.url);
    let create = |name: &'static str, t: IdentityProviderTypeType, d: HashMap<String, String>| {
        let admin = s.admin();
        let pool = pool.clone();
        async move {
            let e = admin
                .create_identity_provider()
                .user_pool_id(pool)
                .provider_name(name)
                .provider_type(t)
                .set_provider_details(Some(d))
                .send()
                .await
                .expect_err("refused");
            (
                error_name(&e),
                cip::error::ProvideErrorMetadata::message(&e)
                    .unwrap_or_default()
                    .to_owned(),
            )
        }
    };
    // A missing required key is named.
    let mut no_client = oidc_details(&issuer);
    no_client.remove("client_id");
    let (code, msg) = create("Upstream", IdentityProviderTypeType::Oidc, no_client).await;
    assert_eq!(code, "InvalidParameterException");
    assert!(msg.contains("client_id"), "{msg}");
    let (code, msg) = create(
        "SignInWithApple",
        IdentityProviderTypeType::SignInWithApple,
        details(&[
            ("client_id", "com.example"),
            ("team_id", "T"),
            ("key_id", "K"),
            ("authorize_scopes", "email"),
        ]),
    )
    .await;
    assert_eq!(code, "InvalidParameterException");
    assert!(msg.contains("private_key"), "{msg}");
    // A key the type does not take.
    let mut extra = oidc_details(&issuer);
    extra.insert("MetadataURL".into(), "https://x.example.com".into());
    let (code, msg) = create("Upstream", IdentityProviderTypeType::Oidc, extra).await;
    assert_eq!(code, "InvalidParameterException");
    assert!(msg.contains("MetadataURL"), "{msg}");
    // OIDC asks for openid.
    let mut no_openid = oidc_details(&issuer);
    no_openid.insert("authorize_scopes".into(), "email".into());
    let (code, msg) = create("Upstream", IdentityProviderTypeType::Oidc, no_openid).await;
    assert_eq!(code, "InvalidParameterException");
    assert!(msg.contains("openid"), "{msg}");
    // A social provider's name is its type.
    let google = details(&[
        ("client_id", "g"),
        ("client_secret", "s"),
        ("authorize_scopes", "openid email"),
    ]);
    let (code, msg) = create("MyGoogle", IdentityProviderTypeType::Google, google).await;
    assert_eq!(code, "InvalidParameterException");
    assert!(msg.contains("Google"), "{msg}");
    // OIDC may not take a social or the pool's own name.
    let (code, _) = create(
        "Cognito",
        IdentityProviderTypeType::Oidc,
        oidc_details(&issuer),
    )
    .await;
    assert_eq!(code, "InvalidParameterException");
    // SAML needs exactly one metadata source.
    let (code, msg) = create("Corp", IdentityProviderTypeType::Saml, details(&[])).await;
    assert_eq!(code, "InvalidParameterException");
    assert!(msg.contains("MetadataURL"), "{msg}");
    // An unknown type.
    let (code, _) = create(
        "Upstream",
        IdentityProviderTypeType::from("Myspace"),
        oidc_details(&issuer),
    )
    .await;
    assert_eq!(code, "InvalidParameterException");
    // A mapping onto an attribute the pool does not have.
    let e = s
        .admin()
        .create_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Upstream")
        .provider_type(IdentityProviderTypeType::Oidc)
        .set_provider_details(Some(oidc_details(&issuer)))
        .attribute_mapping("custom:nope", "x")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&e), "InvalidParameterException");
    // A bad name.
    let (code, _) = create("_x", IdentityProviderTypeType::Oidc, oidc_details(&issuer)).await;
    assert_eq!(code, "InvalidParameterException");
    // Nothing was written.
    let listed = s
        .admin()
        .list_identity_providers()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap();
    assert!(listed.providers().is_empty());
    // A pool that does not exist.
    let e = s
        .admin()
        .create_identity_provider()
        .user_pool_id("us-east-1_Nope12345")
        .provider_name("Upstream")
        .provider_type(IdentityProviderTypeType::Oidc)
        .set_provider_details(Some(oidc_details(&issuer)))
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&e), "ResourceNotFoundException");
}

async fn an_unreachable_oidc_issuer_is_invalid_parameter(s: TestServer) {
    let (_, pool) = pools(&s).await;
    // A port nothing listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let issuer = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let e = create_oidc(&s, &pool, "Upstream", oidc_details(&issuer))
        .await
        .unwrap_err();
    assert!(e.starts_with("InvalidParameterException"), "{e}");
    assert!(e.contains("oidc_issuer"), "{e}");
    // An issuer whose document names another issuer.
    let other = s.pool(|b| b.pool_name("other")).await;
    let wrong = format!("{}/{other}/", s.url);
    let mut d = oidc_details(&format!("{}/{other}", s.url));
    d.insert("oidc_issuer".into(), format!("{wrong}x"));
    let e = create_oidc(&s, &pool, "Upstream", d).await.unwrap_err();
    assert!(e.starts_with("InvalidParameterException"), "{e}");
}

/// A social provider of `pool`, named by its type, as created.
async fn social(
    s: &TestServer,
    pool: &str,
    t: IdentityProviderTypeType,
    pairs: &[(&str, &str)],
) -> cip::types::IdentityProviderType {
    s.admin()
        .create_identity_provider()
        .user_pool_id(pool)
        .provider_name(t.as_str())
        .provider_type(t.clone())
        .set_provider_details(Some(details(pairs)))
        .send()
        .await
        .unwrap()
        .identity_provider
        .unwrap()
}

async fn social_providers_answer_their_derived_endpoints_and_keep_secrets_sealed(s: TestServer) {
    let pool = s.pool(|b| b.pool_name("social")).await;
    let google = social(
        &s,
        &pool,
        IdentityProviderTypeType::Google,
        &[
            ("client_id", "1example.apps.googleusercontent.com"),
            ("client_secret", "google-secret-value"),
            ("authorize_scopes", "email profile openid"),
        ],
    )
    .await;
    let d = google.provider_details().unwrap();
    assert_eq!(
        d["authorize_url"],
        "https://accounts.google.com/o/oauth2/v2/auth"
    );
    assert_eq!(d["token_url"], "https://www.googleapis.com/oauth2/v4/token");
    assert_eq!(d["oidc_issuer"], "https://accounts.google.com");
    assert_eq!(d["token_request_method"], "POST");
    assert_eq!(d["attributes_url_add_attributes"], "true");
    assert_eq!(d["client_secret"], "google-secret-value");
    assert_eq!(google.attribute_mapping().unwrap()["username"], "sub");

    let facebook = social(
        &s,
        &pool,
        IdentityProviderTypeType::Facebook,
        &[
            ("client_id", "1example"),
            ("client_secret", "fb-secret-value"),
            ("authorize_scopes", "public_profile, email"),
            ("api_version", "v17.0"),
        ],
    )
    .await;
    let d = facebook.provider_details().unwrap();
    assert_eq!(
        d["authorize_url"],
        "https://www.facebook.com/v17.0/dialog/oauth"
    );
    assert_eq!(d["token_request_method"], "GET");
    assert_eq!(facebook.attribute_mapping().unwrap()["username"], "id");

    let apple = social(
        &s,
        &pool,
        IdentityProviderTypeType::SignInWithApple,
        &[
            ("client_id", "com.example.cognito"),
            ("team_id", "TEAM123"),
            ("key_id", "KEY123"),
            ("private_key", "apple-private-key-value"),
            ("authorize_scopes", "email name"),
        ],
    )
    .await;
    let d = apple.provider_details().unwrap();
    // Cognito never answers Apple's private key.
    assert!(!d.contains_key("private_key"), "{d:?}");
    assert_eq!(d["oidc_issuer"], "https://appleid.apple.com");
    // An update that leaves the key out keeps it (it is still required).
    s.admin()
        .update_identity_provider()
        .user_pool_id(&pool)
        .provider_name("SignInWithApple")
        .set_provider_details(Some(d.clone()))
        .send()
        .await
        .expect("update without the private key");

    // At rest, no secret is readable in the database.
    let docs = s.raw_rows("SELECT doc FROM identity_providers").await;
    assert_eq!(docs.len(), 3);
    let all = docs.join("\n");
    for secret in [
        "google-secret-value",
        "fb-secret-value",
        "apple-private-key-value",
    ] {
        assert!(!all.contains(secret), "{secret} in clear: {all}");
    }
    assert!(all.contains("sealed:v1:"), "{all}");
}

async fn app_clients_name_only_existing_providers(s: TestServer) {
    let (upstream, pool) = pools(&s).await;
    let e = s
        .admin()
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("web")
        .supported_identity_providers("COGNITO")
        .supported_identity_providers("Upstream")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&e), "InvalidParameterException");
    create_oidc(
        &s,
        &pool,
        "Upstream",
        oidc_details(&format!("{}/{upstream}", s.url)),
    )
    .await
    .unwrap();
    let (client, _) = s
        .app_client(&pool, |c| {
            c.supported_identity_providers("COGNITO")
                .supported_identity_providers("Upstream")
        })
        .await;
    let e = s
        .admin()
        .update_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&client)
        .supported_identity_providers("Google")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&e), "InvalidParameterException");
}

fn who(provider: &str, name: Option<&str>, value: &str) -> ProviderUserIdentifierType {
    ProviderUserIdentifierType::builder()
        .provider_name(provider)
        .set_provider_attribute_name(name.map(str::to_owned))
        .provider_attribute_value(value)
        .build()
}

async fn upstream_identities_are_linked_to_users_and_disabled(s: TestServer) {
    let (upstream, pool) = pools(&s).await;
    create_oidc(
        &s,
        &pool,
        "Upstream",
        oidc_details(&format!("{}/{upstream}", s.url)),
    )
    .await
    .unwrap();
    s.admin_user(&pool, "alice", "Passw0rd!x", &[]).await;
    let link = |dest: ProviderUserIdentifierType, src: ProviderUserIdentifierType| {
        s.admin()
            .admin_link_provider_for_user()
            .user_pool_id(&pool)
            .destination_user(dest)
            .source_user(src)
            .send()
    };
    link(
        who("Cognito", None, "alice"),
        who("Upstream", Some("Cognito_Subject"), "up-123"),
    )
    .await
    .expect("link");
    let identities = s
        .admin_attr(&pool, "alice", "identities")
        .await
        .expect("identities attribute");
    let parsed: serde_json::Value = serde_json::from_str(&identities).unwrap();
    assert_eq!(parsed[0]["userId"], "up-123");
    assert_eq!(parsed[0]["providerName"], "Upstream");
    assert_eq!(parsed[0]["providerType"], "OIDC");
    assert_eq!(parsed[0]["primary"], "false");

    // Each refusal: (destination username, source provider, attribute,
    // value) and Cognito's exception.
    s.admin_user(&pool, "bob", "Passw0rd!x", &[]).await;
    for (dest, provider, attribute, value, expected) in [
        // The identity is linked once.
        (
            "bob",
            "Upstream",
            "Cognito_Subject",
            "up-123",
            "InvalidParameterException",
        ),
        // No such destination user.
        (
            "nobody",
            "Upstream",
            "Cognito_Subject",
            "up-9",
            "UserNotFoundException",
        ),
        // No such provider; a source that is a user of the pool.
        (
            "bob",
            "Nowhere",
            "Cognito_Subject",
            "up-9",
            "InvalidParameterException",
        ),
        (
            "bob",
            "Cognito",
            "Cognito_Subject",
            "alice",
            "InvalidParameterException",
        ),
        // An attribute the provider does not map.
        (
            "bob",
            "Upstream",
            "phone_number",
            "+15550100",
            "InvalidParameterException",
        ),
    ] {
        let e = link(
            who("Cognito", None, dest),
            who(provider, Some(attribute), value),
        )
        .await
        .unwrap_err();
        assert_eq!(error_name(&e), expected, "{provider} {attribute} {value}");
    }
    // At most five identities per user.
    for i in 0..4 {
        link(
            who("Cognito", None, "bob"),
            who("Upstream", Some("Cognito_Subject"), &format!("bob-{i}")),
        )
        .await
        .unwrap();
    }
    link(
        who("Cognito", None, "bob"),
        who("Upstream", Some("email"), "bob@example.com"),
    )
    .await
    .expect("a mapped attribute");
    let e = link(
        who("Cognito", None, "bob"),
        who("Upstream", Some("Cognito_Subject"), "bob-5"),
    )
    .await
    .unwrap_err();
    assert_eq!(error_name(&e), "LimitExceededException");

    // Disabling the identity ends its link.
    s.admin()
        .admin_disable_provider_for_user()
        .user_pool_id(&pool)
        .user(who("Upstream", Some("Cognito_Subject"), "up-123"))
        .send()
        .await
        .unwrap();
    assert_eq!(s.admin_attr(&pool, "alice", "identities").await, None);
    // The identity may be linked again, to another user.
    link(
        who("Cognito", None, "alice"),
        who("Upstream", Some("Cognito_Subject"), "up-123"),
    )
    .await
    .expect("linked again");
}

async fn federation_management_requires_sigv4(s: TestServer) {
    let (upstream, pool) = pools(&s).await;
    let issuer = format!("{}/{upstream}", s.url);
    // Unsigned calls (the SDK will not even send them without credentials).
    let ids = json!({"ProviderName": "Cognito", "ProviderAttributeValue": "x"});
    for (action, body) in [
        (
            "CreateIdentityProvider",
            json!({"UserPoolId": pool, "ProviderName": "Upstream", "ProviderType": "OIDC",
                   "ProviderDetails": oidc_details(&issuer)}),
        ),
        (
            "DescribeIdentityProvider",
            json!({"UserPoolId": pool, "ProviderName": "Upstream"}),
        ),
        ("ListIdentityProviders", json!({"UserPoolId": pool})),
        (
            "GetIdentityProviderByIdentifier",
            json!({"UserPoolId": pool, "IdpIdentifier": "x"}),
        ),
        (
            "AdminLinkProviderForUser",
            json!({"UserPoolId": pool, "DestinationUser": ids, "SourceUser": ids}),
        ),
        (
            "AdminDisableProviderForUser",
            json!({"UserPoolId": pool, "User": ids}),
        ),
        ("GetSigningCertificate", json!({"UserPoolId": pool})),
    ] {
        let (status, err, _) = s.raw(Some(action), &body.to_string()).await;
        assert_eq!(status, 403, "{action}");
        assert_eq!(
            err["__type"], "MissingAuthenticationTokenException",
            "{action}"
        );
    }
    let listed = s
        .admin()
        .list_identity_providers()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap();
    assert!(listed.providers().is_empty());
}

/// Cognito API: GetSigningCertificate — the pool's SAML signing
/// certificate, base64 DER: a self-signed RSA X.509 certificate, the same
/// on every call, another for another pool; an unknown pool is
/// ResourceNotFoundException.
async fn the_signing_certificate_is_made_once_per_pool(s: TestServer) {
    use base64::Engine;
    use x509_parser::prelude::{FromDer, X509Certificate};

    let (other, pool) = pools(&s).await;
    let get = |pool: String| {
        let admin = s.admin();
        async move {
            let b64 = admin
                .get_signing_certificate()
                .user_pool_id(pool)
                .send()
                .await
                .unwrap()
                .certificate
                .expect("certificate");
            base64::engine::general_purpose::STANDARD
                .decode(b64)
                .expect("base64 DER")
        }
    };
    let first = get(pool.clone()).await;
    let (rest, cert) = X509Certificate::from_der(&first).expect("an X.509 certificate");
    assert!(rest.is_empty());
    let cn = |c: &X509Certificate| {
        c.subject()
            .iter_common_name()
            .next()
            .and_then(|n| n.as_str().ok())
            .map(str::to_owned)
    };
    assert_eq!(cn(&cert).as_deref(), Some(pool.as_str()));
    assert_eq!(cert.subject(), cert.issuer(), "self-signed");
    cert.verify_signature(None).expect("signed by its own key");
    assert_eq!(
        cert.public_key().algorithm.algorithm,
        x509_parser::oid_registry::OID_PKCS1_RSAENCRYPTION
    );
    let now = x509_parser::time::ASN1Time::now();
    assert!(cert.validity().is_valid_at(now));
    let lifetime = cert.validity().not_after.timestamp() - cert.validity().not_before.timestamp();
    assert!(lifetime >= 9 * 365 * 86_400, "years, not days: {lifetime}");

    assert_eq!(get(pool.clone()).await, first, "the same certificate again");
    let theirs = get(other.clone()).await;
    let (_, their_cert) = X509Certificate::from_der(&theirs).unwrap();
    assert_eq!(cn(&their_cert).as_deref(), Some(other.as_str()));
    assert_ne!(
        their_cert.public_key().raw,
        cert.public_key().raw,
        "each pool its own key"
    );
    assert_ne!(their_cert.raw_serial(), cert.raw_serial());

    let err = s
        .admin()
        .get_signing_certificate()
        .user_pool_id("us-east-1_nothere1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "ResourceNotFoundException");
    // A deleted pool takes its certificate with it.
    s.admin()
        .delete_user_pool()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap();
    let err = s
        .admin()
        .get_signing_certificate()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "ResourceNotFoundException");
}
