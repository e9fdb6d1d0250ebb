//! The management actions of the OAuth face through the AWS SDK for Rust,
//! on SQLite and PostgreSQL (Cognito API: CreateResourceServer …
//! ListResourceServers, CreateUserPoolDomain … DeleteUserPoolDomain,
//! SetUICustomization, GetUICustomization), and the logo route they name.

use crate::common::{TestServer, error_name};
use aws_sdk_cognitoidentityprovider as cip;
use cip::primitives::Blob;
use cip::types::{
    CustomDomainConfigType, OAuthFlowType, ResourceServerScopeType, ResourceServerType,
};
use serde_json::json;

on_both_backends!(
    resource_servers_are_created_described_updated_listed_and_deleted,
    resource_server_rules_are_enforced,
    client_scopes_must_name_existing_resource_server_scopes,
    prefix_and_custom_domains,
    domain_rules_are_enforced,
    ui_customization_is_set_and_read_with_client_fallback,
    ui_customization_rules_are_enforced,
    deleting_a_pool_or_client_removes_what_it_owned,
    oauth_management_requires_sigv4,
);

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR-not-really-but-png-signed";
const CERT: &str = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d";

fn scope(name: &str) -> ResourceServerScopeType {
    ResourceServerScopeType::builder()
        .scope_name(name)
        .scope_description(format!("{name} access"))
        .build()
        .unwrap()
}

fn scope_names(rs: &ResourceServerType) -> Vec<&str> {
    rs.scopes().iter().map(|s| s.scope_name()).collect()
}

async fn new_pool(s: &TestServer, name: &str) -> String {
    s.pool(|b| b.pool_name(name)).await
}

async fn new_client(s: &TestServer, pool: &str) -> String {
    s.app_client(pool, |c| c.client_name("web")).await.0
}

async fn new_domain(s: &TestServer, pool: &str, prefix: &str) {
    s.admin()
        .create_user_pool_domain()
        .user_pool_id(pool)
        .domain(prefix)
        .send()
        .await
        .unwrap();
}

/// A prefix no other test uses, so PostgreSQL-backed runs never share one.
fn unique_prefix(tag: &str) -> String {
    format!("{tag}-{}", &uuid::Uuid::new_v4().simple().to_string()[..8])
}

async fn resource_servers_are_created_described_updated_listed_and_deleted(s: TestServer) {
    let admin = s.admin();
    let pool = new_pool(&s, "api").await;
    let created = admin
        .create_resource_server()
        .user_pool_id(&pool)
        .identifier("https://api.example.com")
        .name("Example API")
        .scopes(scope("read"))
        .scopes(scope("write"))
        .send()
        .await
        .unwrap();
    let rs = created.resource_server().unwrap();
    assert_eq!(rs.user_pool_id(), Some(pool.as_str()));
    assert_eq!(rs.identifier(), Some("https://api.example.com"));
    assert_eq!(rs.name(), Some("Example API"));
    assert_eq!(scope_names(rs), ["read", "write"]);
    assert_eq!(rs.scopes()[0].scope_description(), "read access");

    let described = admin
        .describe_resource_server()
        .user_pool_id(&pool)
        .identifier("https://api.example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(described.resource_server(), Some(rs));

    // UpdateResourceServer replaces the name and the whole scope list.
    let updated = admin
        .update_resource_server()
        .user_pool_id(&pool)
        .identifier("https://api.example.com")
        .name("Renamed")
        .scopes(scope("admin"))
        .send()
        .await
        .unwrap();
    assert_eq!(scope_names(updated.resource_server().unwrap()), ["admin"]);
    let described = admin
        .describe_resource_server()
        .user_pool_id(&pool)
        .identifier("https://api.example.com")
        .send()
        .await
        .unwrap();
    let rs = described.resource_server().unwrap();
    assert_eq!(rs.name(), Some("Renamed"));
    assert_eq!(scope_names(rs), ["admin"]);

    for id in ["orders", "billing"] {
        admin
            .create_resource_server()
            .user_pool_id(&pool)
            .identifier(id)
            .name(id)
            .send()
            .await
            .unwrap();
    }
    let mut seen = Vec::new();
    let mut token = None;
    loop {
        let page = admin
            .list_resource_servers()
            .user_pool_id(&pool)
            .max_results(2)
            .set_next_token(token.clone())
            .send()
            .await
            .unwrap();
        assert!(page.resource_servers().len() <= 2);
        seen.extend(
            page.resource_servers()
                .iter()
                .map(|r| r.identifier().unwrap().to_owned()),
        );
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(seen, ["billing", "https://api.example.com", "orders"]);
    // Cognito API: ListResourceServers — MaxResults 1–50.
    for bad in [0, 51] {
        let err = admin
            .list_resource_servers()
            .user_pool_id(&pool)
            .max_results(bad)
            .send()
            .await
            .unwrap_err();
        assert_eq!(error_name(&err), "InvalidParameterException", "{bad}");
    }

    admin
        .delete_resource_server()
        .user_pool_id(&pool)
        .identifier("orders")
        .send()
        .await
        .unwrap();
    let err = admin
        .describe_resource_server()
        .user_pool_id(&pool)
        .identifier("orders")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "ResourceNotFoundException");
    let err = admin
        .delete_resource_server()
        .user_pool_id(&pool)
        .identifier("orders")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "ResourceNotFoundException");
}

async fn resource_server_rules_are_enforced(s: TestServer) {
    let admin = s.admin();
    let pool = new_pool(&s, "rules").await;
    let create = |id: &str, name: &str, scopes: Vec<ResourceServerScopeType>| {
        admin
            .create_resource_server()
            .user_pool_id(&pool)
            .identifier(id)
            .name(name)
            .set_scopes(Some(scopes))
            .send()
    };
    create("api", "api", vec![scope("read")]).await.unwrap();
    // Identifiers are unique in a pool.
    let err = create("api", "again", vec![]).await.unwrap_err();
    assert_eq!(error_name(&err), "InvalidParameterException");
    // Cognito API: CreateResourceServer — Identifier, Name and ScopeName patterns.
    for (id, name, scopes) in [
        ("has space", "n", vec![]),
        ("quo\"te", "n", vec![]),
        ("ok", "bad/name", vec![]),
        ("ok", "n", vec![scope("a/b")]),
        ("ok", "n", vec![scope("dup"), scope("dup")]),
        (
            "ok",
            "n",
            (0..101).map(|i| scope(&format!("s{i}"))).collect(),
        ),
    ] {
        let err = create(id, name, scopes).await.unwrap_err();
        assert_eq!(error_name(&err), "InvalidParameterException", "{id} {name}");
    }
    // Cognito's quota: 25 resource servers per pool.
    for i in 1..25 {
        create(&format!("api-{i}"), "api", vec![]).await.unwrap();
    }
    let err = create("api-25", "api", vec![]).await.unwrap_err();
    assert_eq!(error_name(&err), "LimitExceededException");
    // An unknown pool.
    let err = admin
        .create_resource_server()
        .user_pool_id("us-east-1_nothere")
        .identifier("api")
        .name("api")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "ResourceNotFoundException");
    let err = admin
        .update_resource_server()
        .user_pool_id(&pool)
        .identifier("missing")
        .name("n")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "ResourceNotFoundException");
}

async fn client_scopes_must_name_existing_resource_server_scopes(s: TestServer) {
    let admin = s.admin();
    let pool = new_pool(&s, "scopes").await;
    let create_client = |scopes: &[&str]| {
        admin
            .create_user_pool_client()
            .user_pool_id(&pool)
            .client_name("m2m")
            .generate_secret(true)
            .allowed_o_auth_flows_user_pool_client(true)
            .allowed_o_auth_flows(OAuthFlowType::ClientCredentials)
            .set_allowed_o_auth_scopes(Some(scopes.iter().map(|s| (*s).to_owned()).collect()))
            .send()
    };
    // Cognito API: CreateUserPoolClient — ScopeDoesNotExistException.
    let err = create_client(&["https://api.example.com/read"])
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "ScopeDoesNotExistException");
    assert!(
        format!("{:?}", err.into_service_error()).contains("Invalid scope requested"),
        "message names the scope"
    );

    admin
        .create_resource_server()
        .user_pool_id(&pool)
        .identifier("https://api.example.com")
        .name("api")
        .scopes(scope("read"))
        .scopes(scope("write"))
        .send()
        .await
        .unwrap();
    let client = create_client(&["https://api.example.com/read"])
        .await
        .unwrap();
    let client = client.user_pool_client().unwrap();
    assert_eq!(
        client.allowed_o_auth_scopes(),
        ["https://api.example.com/read"]
    );
    let client_id = client.client_id().unwrap().to_owned();

    // A scope of another pool's resource server is unknown here.
    let other = new_pool(&s, "other").await;
    admin
        .create_resource_server()
        .user_pool_id(&other)
        .identifier("elsewhere")
        .name("api")
        .scopes(scope("read"))
        .send()
        .await
        .unwrap();
    let update = |scopes: &[&str]| {
        admin
            .update_user_pool_client()
            .user_pool_id(&pool)
            .client_id(&client_id)
            .client_name("m2m")
            .allowed_o_auth_flows_user_pool_client(true)
            .allowed_o_auth_flows(OAuthFlowType::ClientCredentials)
            .set_allowed_o_auth_scopes(Some(scopes.iter().map(|s| (*s).to_owned()).collect()))
            .send()
    };
    for bad in [
        "elsewhere/read",
        "https://api.example.com/delete",
        "https://api.example.com",
    ] {
        let err = update(&[bad]).await.unwrap_err();
        assert_eq!(error_name(&err), "ScopeDoesNotExistException", "{bad}");
    }
    update(&[
        "https://api.example.com/read",
        "https://api.example.com/write",
    ])
    .await
    .unwrap();

    // Standard scopes need no resource server.
    admin
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("web")
        .allowed_o_auth_flows_user_pool_client(true)
        .allowed_o_auth_flows(OAuthFlowType::Code)
        .callback_urls("https://app.example.com/cb")
        .allowed_o_auth_scopes("openid")
        .allowed_o_auth_scopes("email")
        .allowed_o_auth_scopes("aws.cognito.signin.user.admin")
        .send()
        .await
        .unwrap();
}

async fn prefix_and_custom_domains(s: TestServer) {
    let admin = s.admin();
    let pool = new_pool(&s, "domains").await;
    let prefix = unique_prefix("shop");

    let created = admin
        .create_user_pool_domain()
        .user_pool_id(&pool)
        .domain(&prefix)
        .send()
        .await
        .unwrap();
    assert_eq!(created.managed_login_version(), Some(1));
    assert_eq!(created.cloud_front_domain(), None);

    let described = admin
        .describe_user_pool_domain()
        .domain(&prefix)
        .send()
        .await
        .unwrap();
    let d = described.domain_description().unwrap();
    assert_eq!(d.user_pool_id(), Some(pool.as_str()));
    assert_eq!(d.domain(), Some(prefix.as_str()));
    assert_eq!(d.aws_account_id(), Some("000000000000"));
    assert_eq!(d.status(), Some(&cip::types::DomainStatusType::Active));
    assert_eq!(d.managed_login_version(), Some(1));
    assert!(d.custom_domain_config().is_none());

    // DescribeUserPool shows the domain.
    let described = admin
        .describe_user_pool()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap();
    assert_eq!(
        described.user_pool().unwrap().domain(),
        Some(prefix.as_str())
    );
    assert_eq!(described.user_pool().unwrap().custom_domain(), None);

    // The hosted UI finds the pool by Host header.
    let host = format!("{prefix}.auth.localhost:9229");
    let found = s.state.idp.pool_by_domain(&host).await.unwrap().unwrap();
    assert_eq!(found.id, pool);
    assert!(
        s.state
            .idp
            .pool_by_domain("nobody.auth.localhost")
            .await
            .unwrap()
            .is_none()
    );

    // A custom domain beside the prefix domain, with its certificate.
    let custom = format!("{}.example.com", unique_prefix("auth"));
    let created = admin
        .create_user_pool_domain()
        .user_pool_id(&pool)
        .domain(&custom)
        .custom_domain_config(
            CustomDomainConfigType::builder()
                .certificate_arn(CERT)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(created.cloud_front_domain(), Some("127.0.0.1"));
    let described = admin
        .describe_user_pool_domain()
        .domain(&custom)
        .send()
        .await
        .unwrap();
    let d = described.domain_description().unwrap();
    assert_eq!(d.custom_domain_config().unwrap().certificate_arn(), CERT);
    assert_eq!(d.cloud_front_distribution(), Some("127.0.0.1"));
    let described = admin
        .describe_user_pool()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap();
    assert_eq!(
        described.user_pool().unwrap().custom_domain(),
        Some(custom.as_str())
    );
    let found = s.state.idp.pool_by_domain(&custom).await.unwrap().unwrap();
    assert_eq!(found.id, pool);

    // UpdateUserPoolDomain: a new certificate and managed-login version.
    let renewed = "arn:aws:acm:us-east-1:123456789012:certificate/renewed";
    let updated = admin
        .update_user_pool_domain()
        .user_pool_id(&pool)
        .domain(&custom)
        .managed_login_version(2)
        .custom_domain_config(
            CustomDomainConfigType::builder()
                .certificate_arn(renewed)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(updated.managed_login_version(), Some(2));
    let described = admin
        .describe_user_pool_domain()
        .domain(&custom)
        .send()
        .await
        .unwrap();
    let d = described.domain_description().unwrap();
    assert_eq!(d.custom_domain_config().unwrap().certificate_arn(), renewed);
    assert_eq!(d.managed_login_version(), Some(2));

    // DeleteUserPoolDomain; an unknown domain then describes as empty.
    admin
        .delete_user_pool_domain()
        .user_pool_id(&pool)
        .domain(&prefix)
        .send()
        .await
        .unwrap();
    let described = admin
        .describe_user_pool_domain()
        .domain(&prefix)
        .send()
        .await
        .unwrap();
    let empty = described.domain_description().unwrap();
    assert_eq!(empty.domain(), None);
    assert_eq!(empty.user_pool_id(), None);
    let described = admin
        .describe_user_pool()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap();
    assert_eq!(described.user_pool().unwrap().domain(), None);
    assert!(s.state.idp.pool_by_domain(&host).await.unwrap().is_none());
}

async fn domain_rules_are_enforced(s: TestServer) {
    let admin = s.admin();
    let a = new_pool(&s, "a").await;
    let b = new_pool(&s, "b").await;
    let prefix = unique_prefix("taken");
    new_domain(&s, &a, &prefix).await;

    let create = |pool: &str, domain: &str| {
        admin
            .create_user_pool_domain()
            .user_pool_id(pool)
            .domain(domain)
            .send()
    };
    // Globally unique, and one prefix domain per pool.
    let err = create(&b, &prefix).await.unwrap_err();
    assert_eq!(error_name(&err), "InvalidParameterException");
    let err = create(&a, &unique_prefix("second")).await.unwrap_err();
    assert_eq!(error_name(&err), "InvalidParameterException");
    // Cognito API: DomainType pattern; and the reserved words.
    for bad in [
        "Upper",
        "under_score",
        "-lead",
        "trail-",
        "dot.ted",
        "my-aws-app",
        "amazon",
        "cognito1",
    ] {
        let err = create(&b, bad).await.unwrap_err();
        assert_eq!(error_name(&err), "InvalidParameterException", "{bad}");
    }
    let err = create(&b, &"a".repeat(64)).await.unwrap_err();
    assert_eq!(error_name(&err), "InvalidParameterException");
    let err = admin
        .create_user_pool_domain()
        .user_pool_id(&b)
        .domain(unique_prefix("v"))
        .managed_login_version(3)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "InvalidParameterException");
    // A custom domain needs a full host name and a certificate ARN.
    let err = admin
        .create_user_pool_domain()
        .user_pool_id(&b)
        .domain("localhost")
        .custom_domain_config(
            CustomDomainConfigType::builder()
                .certificate_arn(CERT)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "InvalidParameterException");
    let err = admin
        .create_user_pool_domain()
        .user_pool_id(&b)
        .domain("auth.b.example.com")
        .custom_domain_config(
            CustomDomainConfigType::builder()
                .certificate_arn("not an arn, really not")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "InvalidParameterException");
    // Unknown pool.
    let err = create("us-east-1_nothere", &unique_prefix("x"))
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "ResourceNotFoundException");
    // Only the owning pool updates or deletes a domain.
    let err = admin
        .delete_user_pool_domain()
        .user_pool_id(&b)
        .domain(&prefix)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "InvalidParameterException");
    let err = admin
        .update_user_pool_domain()
        .user_pool_id(&b)
        .domain(&prefix)
        .managed_login_version(2)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "InvalidParameterException");
    // A prefix domain has no certificate to update.
    let err = admin
        .update_user_pool_domain()
        .user_pool_id(&a)
        .domain(&prefix)
        .custom_domain_config(
            CustomDomainConfigType::builder()
                .certificate_arn(CERT)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "InvalidParameterException");
    // After its owner deletes it, another pool may take the name.
    admin
        .delete_user_pool_domain()
        .user_pool_id(&a)
        .domain(&prefix)
        .send()
        .await
        .unwrap();
    create(&b, &prefix).await.unwrap();
}

async fn ui_customization_is_set_and_read_with_client_fallback(s: TestServer) {
    let admin = s.admin();
    let pool = new_pool(&s, "branded").await;
    let client = new_client(&s, &pool).await;
    new_domain(&s, &pool, &unique_prefix("brand")).await;

    // Nothing set yet: an empty UICustomization.
    let got = admin
        .get_ui_customization()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap();
    let empty = got.ui_customization().unwrap();
    assert_eq!(empty.css(), None);
    assert_eq!(empty.image_url(), None);

    let css = ".banner-customizable { background-color: #0b5fff; }\n:root { --radius: 6px; }";
    let set = admin
        .set_ui_customization()
        .user_pool_id(&pool)
        .client_id("ALL")
        .css(css)
        .image_file(Blob::new(PNG))
        .send()
        .await
        .unwrap();
    let c = set.ui_customization().unwrap();
    assert_eq!(c.user_pool_id(), Some(pool.as_str()));
    assert_eq!(c.client_id(), Some("ALL"));
    assert_eq!(c.css(), Some(css));
    assert!(c.css_version().is_some());
    assert!(c.creation_date().is_some());
    assert_eq!(c.creation_date(), c.last_modified_date());
    let url = c.image_url().unwrap().to_owned();
    assert!(
        url.starts_with(&format!("{}/{pool}/ui/logo/ALL.png?v=", s.url)),
        "{url}"
    );

    // The logo is served from the URL, as a PNG the browser may not re-guess.
    let resp = reqwest::get(&url).await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "image/png");
    assert_eq!(resp.headers()["x-content-type-options"], "nosniff");
    assert_eq!(resp.bytes().await.unwrap().as_ref(), PNG);
    let resp = reqwest::get(format!("{}/{pool}/ui/logo/ALL.jpg", s.url))
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);

    // Without ClientId, and for a client with none of its own: the pool's.
    for client_id in [None, Some(client.as_str())] {
        let got = admin
            .get_ui_customization()
            .user_pool_id(&pool)
            .set_client_id(client_id.map(str::to_owned))
            .send()
            .await
            .unwrap();
        let c = got.ui_customization().unwrap();
        assert_eq!(c.client_id(), Some("ALL"));
        assert_eq!(c.css(), Some(css));
        assert_eq!(c.image_url(), Some(url.as_str()));
    }

    // A client's own customization overrides the pool's.
    s.clock.advance(1_000);
    let set = admin
        .set_ui_customization()
        .user_pool_id(&pool)
        .client_id(&client)
        .css(".submitButton-customizable { color: white; }")
        .send()
        .await
        .unwrap();
    let own_version = set
        .ui_customization()
        .unwrap()
        .css_version()
        .unwrap()
        .to_owned();
    let got = admin
        .get_ui_customization()
        .user_pool_id(&pool)
        .client_id(&client)
        .send()
        .await
        .unwrap();
    let c = got.ui_customization().unwrap();
    assert_eq!(c.client_id(), Some(client.as_str()));
    assert_eq!(
        c.css(),
        Some(".submitButton-customizable { color: white; }")
    );
    assert_eq!(c.image_url(), None);
    assert_eq!(c.css_version(), Some(own_version.as_str()));

    // Setting again replaces CSS and logo together, keeps CreationDate and
    // gives a new CSSVersion.
    let before = admin
        .get_ui_customization()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap();
    let before = before.ui_customization().unwrap();
    let set = admin
        .set_ui_customization()
        .user_pool_id(&pool)
        .css(".x { color: red }")
        .send()
        .await
        .unwrap();
    let after = set.ui_customization().unwrap();
    assert_eq!(after.creation_date(), before.creation_date());
    assert_ne!(after.last_modified_date(), before.last_modified_date());
    assert_ne!(after.css_version(), before.css_version());
    assert_eq!(after.image_url(), None);
    assert_eq!(reqwest::get(&url).await.unwrap().status(), 404);
}

async fn ui_customization_rules_are_enforced(s: TestServer) {
    let admin = s.admin();
    let pool = new_pool(&s, "strict").await;
    let set = |css: &str, image: Option<Vec<u8>>| {
        admin
            .set_ui_customization()
            .user_pool_id(&pool)
            .css(css)
            .set_image_file(image.map(Blob::new))
            .send()
    };
    // Cognito API: SetUICustomization — the pool must have a domain.
    let err = set(".a {}", None).await.unwrap_err();
    assert_eq!(error_name(&err), "InvalidParameterException");
    new_domain(&s, &pool, &unique_prefix("strict")).await;
    set(".a {}", None).await.unwrap();

    // CSS that loads, runs or breaks out is refused with a message naming why.
    for (css, why) in [
        ("@import url(https://evil.example/x.css);", "@import"),
        (".a { background: url(https://evil.example/k) }", "url()"),
        (".a { width: expression(alert(1)) }", "expression"),
        ("</style><script>alert(1)</script>", "'<'"),
        (".a { color: red", "not closed"),
    ] {
        let err = set(css, None).await.unwrap_err();
        assert_eq!(error_name(&err), "InvalidParameterException", "{css}");
        let message = err
            .into_service_error()
            .meta()
            .message()
            .unwrap_or_default()
            .to_owned();
        assert!(message.contains(why), "{css}: {message}");
    }
    let err = set(&"a".repeat(131_073), None).await.unwrap_err();
    assert_eq!(error_name(&err), "InvalidParameterException");
    // A data: image is fine.
    set(
        ".logo-customizable { background: url(data:image/png;base64,iVBORw0KGgo=) }",
        None,
    )
    .await
    .unwrap();

    // The logo: PNG or JPEG, at most 100 KB.
    let err = set("", Some(b"GIF89a-not-allowed".to_vec()))
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "InvalidParameterException");
    let mut big = PNG.to_vec();
    big.resize(100 * 1024 + 1, 0);
    let err = set("", Some(big)).await.unwrap_err();
    assert_eq!(error_name(&err), "InvalidParameterException");
    let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0];
    jpeg.resize(100 * 1024, 7);
    let c = set("", Some(jpeg.clone())).await.unwrap();
    let url = c
        .ui_customization()
        .unwrap()
        .image_url()
        .unwrap()
        .to_owned();
    assert!(url.contains("/ui/logo/ALL.jpg?v="), "{url}");
    let resp = reqwest::get(&url).await.unwrap();
    assert_eq!(resp.headers()["content-type"], "image/jpeg");
    assert_eq!(resp.bytes().await.unwrap().as_ref(), jpeg.as_slice());

    // Unknown clients and pools.
    let err = admin
        .set_ui_customization()
        .user_pool_id(&pool)
        .client_id("unknownclientid0000000000a")
        .css(".a {}")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "ResourceNotFoundException");
    let err = admin
        .get_ui_customization()
        .user_pool_id("us-east-1_nothere")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "ResourceNotFoundException");
}

async fn deleting_a_pool_or_client_removes_what_it_owned(s: TestServer) {
    let admin = s.admin();
    let pool = new_pool(&s, "doomed").await;
    let client = new_client(&s, &pool).await;
    let prefix = unique_prefix("doomed");
    new_domain(&s, &pool, &prefix).await;
    admin
        .create_resource_server()
        .user_pool_id(&pool)
        .identifier("api")
        .name("api")
        .send()
        .await
        .unwrap();
    let pool_logo = admin
        .set_ui_customization()
        .user_pool_id(&pool)
        .image_file(Blob::new(PNG))
        .send()
        .await
        .unwrap()
        .ui_customization()
        .unwrap()
        .image_url()
        .unwrap()
        .to_owned();
    let client_logo = admin
        .set_ui_customization()
        .user_pool_id(&pool)
        .client_id(&client)
        .image_file(Blob::new(PNG))
        .send()
        .await
        .unwrap()
        .ui_customization()
        .unwrap()
        .image_url()
        .unwrap()
        .to_owned();

    // Deleting the client removes its customization, not the pool's.
    admin
        .delete_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&client)
        .send()
        .await
        .unwrap();
    assert_eq!(reqwest::get(&client_logo).await.unwrap().status(), 404);
    assert_eq!(reqwest::get(&pool_logo).await.unwrap().status(), 200);

    // Deleting the pool removes its domain, resource servers and customizations.
    admin
        .delete_user_pool()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap();
    assert_eq!(reqwest::get(&pool_logo).await.unwrap().status(), 404);
    let described = admin
        .describe_user_pool_domain()
        .domain(&prefix)
        .send()
        .await
        .unwrap();
    assert_eq!(described.domain_description().unwrap().domain(), None);
    let next = new_pool(&s, "next").await;
    new_domain(&s, &next, &prefix).await;
    let listed = admin
        .list_resource_servers()
        .user_pool_id(&next)
        .max_results(10)
        .send()
        .await
        .unwrap();
    assert!(listed.resource_servers().is_empty());
}

async fn oauth_management_requires_sigv4(s: TestServer) {
    let pool = new_pool(&s, "signed").await;
    // Unsigned calls (the SDK will not even send them without credentials).
    for (action, body) in [
        (
            "CreateResourceServer",
            json!({"UserPoolId": pool, "Identifier": "api", "Name": "api"}),
        ),
        ("ListResourceServers", json!({"UserPoolId": pool})),
        (
            "CreateUserPoolDomain",
            json!({"UserPoolId": pool, "Domain": unique_prefix("unsigned")}),
        ),
        ("DescribeUserPoolDomain", json!({"Domain": "anything"})),
        ("SetUICustomization", json!({"UserPoolId": pool, "CSS": ""})),
        ("GetUICustomization", json!({"UserPoolId": pool})),
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
        .list_resource_servers()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap();
    assert!(listed.resource_servers().is_empty());
}
