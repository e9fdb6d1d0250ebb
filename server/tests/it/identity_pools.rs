//! Identity pools (the cognito-identity API) and the built-in STS, through
//! the AWS SDK for Rust (aws-sdk-cognitoidentity, aws-sdk-sts) against the
//! running server: the seed's snippet (GetId, GetCredentialsForIdentity),
//! the classic flow (GetOpenIdToken, then STS), the OpenID token checked
//! against the identity issuer's published JWKS with jsonwebtoken, role
//! mappings proved by GetCallerIdentity, developer identities, merges and
//! unlinks, and every error path in AWS's shape with nothing written.

use aws_sdk_cognitoidentity as ci;
use aws_sdk_cognitoidentityprovider as cip;
use aws_sdk_sts as sts;
use ci::types::{
    AmbiguousRoleResolutionType, CognitoIdentityProvider, MappingRule, MappingRuleMatchType,
    RoleMapping, RoleMappingType, RulesConfigurationType,
};
use cip::config::{BehaviorVersion, Credentials, Region};
use serde_json::Value;

use crate::common::{ADMIN_KEY_ID, ADMIN_SECRET, TestServer, error_name, jwt_claims};

const PASSWORD: &str = "Correct-Horse-9";
const AUTH_ROLE: &str = "arn:aws:iam::123456789012:role/Cognito_AppAuth_Role";
const UNAUTH_ROLE: &str = "arn:aws:iam::123456789012:role/Cognito_AppUnauth_Role";
const ADMIN_ROLE: &str = "arn:aws:iam::123456789012:role/Admins";
const READER_ROLE: &str = "arn:aws:iam::123456789012:role/Readers";

fn admin_credentials() -> Credentials {
    Credentials::new(ADMIN_KEY_ID, ADMIN_SECRET, None, None, "tests")
}

/// A cognito-identity client; `signed` uses the admin key.
pub fn identity_client(url: &str, signed: bool) -> ci::Client {
    let mut config = ci::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(url);
    if signed {
        config = config.credentials_provider(admin_credentials());
    }
    ci::Client::from_conf(config.build())
}

/// An STS client at `url`, with `credentials` or none.
pub fn sts_client(url: &str, credentials: Option<Credentials>) -> sts::Client {
    let mut config = sts::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(url);
    if let Some(c) = credentials {
        config = config.credentials_provider(c);
    }
    sts::Client::from_conf(config.build())
}

/// A user pool with a client and a user "alice" (email on
/// `alice@example.com`), signed in: (pool id, client id, ID token, access
/// token).
async fn signed_in_user(server: &TestServer, email: &str) -> (String, String, String, String) {
    let pool = server.pool(|b| b).await;
    let (client, _) = server.client(&pool, false, false).await;
    server.verified_user(&pool, "alice", PASSWORD, email).await;
    let tokens = server.signed_in(&client, "alice", PASSWORD).await;
    (
        pool,
        client,
        tokens.id_token().unwrap().to_owned(),
        tokens.access_token().unwrap().to_owned(),
    )
}

fn provider_name(pool: &str) -> String {
    format!("cognito-idp.us-east-1.amazonaws.com/{pool}")
}

/// An identity pool trusting `pool`'s `client`, with both roles set.
async fn identity_pool(
    server: &TestServer,
    pool: &str,
    client: &str,
    shape: impl FnOnce(
        ci::operation::create_identity_pool::builders::CreateIdentityPoolFluentBuilder,
    )
        -> ci::operation::create_identity_pool::builders::CreateIdentityPoolFluentBuilder,
) -> String {
    let admin = identity_client(&server.url, true);
    let created = shape(
        admin
            .create_identity_pool()
            .identity_pool_name("app identities")
            .allow_unauthenticated_identities(true)
            .cognito_identity_providers(
                CognitoIdentityProvider::builder()
                    .provider_name(provider_name(pool))
                    .client_id(client)
                    .server_side_token_check(true)
                    .build(),
            ),
    )
    .send()
    .await
    .expect("create identity pool");
    let id = created.identity_pool_id().to_owned();
    admin
        .set_identity_pool_roles()
        .identity_pool_id(&id)
        .roles("authenticated", AUTH_ROLE)
        .roles("unauthenticated", UNAUTH_ROLE)
        .send()
        .await
        .expect("set roles");
    id
}

/// GetId with one login.
pub async fn identity_of(public: &ci::Client, pool: &str, key: &str, token: &str) -> String {
    public
        .get_id()
        .identity_pool_id(pool)
        .logins(key, token)
        .send()
        .await
        .expect("GetId")
        .identity_id()
        .unwrap()
        .to_owned()
}

/// GetCredentialsForIdentity with one login.
pub async fn credentials_of(
    public: &ci::Client,
    identity: &str,
    key: &str,
    token: &str,
) -> ci::operation::get_credentials_for_identity::GetCredentialsForIdentityOutput {
    public
        .get_credentials_for_identity()
        .identity_id(identity)
        .logins(key, token)
        .send()
        .await
        .expect("GetCredentialsForIdentity")
}

/// GetCallerIdentity's ARN with these credentials.
pub async fn caller_arn(url: &str, c: &ci::types::Credentials) -> String {
    let creds = Credentials::new(
        c.access_key_id().unwrap(),
        c.secret_key().unwrap(),
        c.session_token().map(str::to_owned),
        None,
        "identity-pool",
    );
    sts_client(url, Some(creds))
        .get_caller_identity()
        .send()
        .await
        .expect("GetCallerIdentity")
        .arn()
        .unwrap()
        .to_owned()
}

/// The seed's snippet: GetId with the user pool's ID token under the
/// `cognito-idp.<region>.amazonaws.com/<poolId>` key, then
/// GetCredentialsForIdentity; the credentials are real (GetCallerIdentity
/// answers the authenticated role's assumed-role ARN) and grant nothing on
/// Cognate's administrative API. The identity is stable per login, under
/// either of the pool's names.
async fn snippet_gets_working_credentials(server: TestServer) {
    let (pool, client, id_token, _) = signed_in_user(&server, "alice@example.com").await;
    let ipool = identity_pool(&server, &pool, &client, |b| b).await;
    let public = identity_client(&server.url, false);
    let key = provider_name(&pool);

    let identity = identity_of(&public, &ipool, &key, &id_token).await;
    assert!(identity.starts_with("us-east-1:"), "{identity}");
    // The same login under the pool's issuer without its scheme.
    let issuer_key = format!("{}/{pool}", server.url.trim_start_matches("http://"));
    let again = public
        .get_id()
        .identity_pool_id(&ipool)
        .logins(&issuer_key, &id_token)
        .send()
        .await
        .expect("GetId by issuer");
    assert_eq!(again.identity_id(), Some(identity.as_str()));

    let out = credentials_of(&public, &identity, &key, &id_token).await;
    assert_eq!(out.identity_id(), Some(identity.as_str()));
    let c = out.credentials().expect("credentials");
    assert!(c.access_key_id().unwrap().starts_with("ASIA"));
    let expires = c.expiration().unwrap().secs();
    let now = server.clock.now().seconds();
    assert!((now + 3500..=now + 3600).contains(&expires), "{expires}");
    assert_eq!(
        caller_arn(&server.url, c).await,
        "arn:aws:sts::123456789012:assumed-role/Cognito_AppAuth_Role/CognitoIdentityCredentials"
    );

    // Minted keys are not administrative keys.
    let minted = Credentials::new(
        c.access_key_id().unwrap(),
        c.secret_key().unwrap(),
        c.session_token().map(str::to_owned),
        None,
        "identity-pool",
    );
    let err = server
        .client_with(Some(minted))
        .list_user_pools()
        .max_results(10)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "UnrecognizedClientException");

    // Credentials without their session token are refused by STS.
    let no_token = Credentials::new(
        c.access_key_id().unwrap(),
        c.secret_key().unwrap(),
        None,
        None,
        "identity-pool",
    );
    let err = sts_client(&server.url, Some(no_token))
        .get_caller_identity()
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "InvalidClientTokenId");

    // An unauthenticated identity gets the unauthenticated role.
    let guest = public
        .get_id()
        .identity_pool_id(&ipool)
        .send()
        .await
        .expect("GetId unauthenticated")
        .identity_id()
        .unwrap()
        .to_owned();
    assert_ne!(guest, identity);
    let out = public
        .get_credentials_for_identity()
        .identity_id(&guest)
        .send()
        .await
        .expect("unauthenticated credentials");
    assert_eq!(
        caller_arn(&server.url, out.credentials().unwrap()).await,
        "arn:aws:sts::123456789012:assumed-role/Cognito_AppUnauth_Role/CognitoIdentityCredentials"
    );

    // DescribeIdentity names the login's provider.
    let admin = identity_client(&server.url, true);
    let d = admin
        .describe_identity()
        .identity_id(&identity)
        .send()
        .await
        .unwrap();
    assert_eq!(d.logins(), std::slice::from_ref(&key));
    let listed = admin
        .list_identities()
        .identity_pool_id(&ipool)
        .max_results(60)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.identities().len(), 2);
}

/// RS256 verification of an OpenID token against the identity issuer's
/// JWKS found through its discovery document, with jsonwebtoken.
async fn verify_with_published_jwks(server: &TestServer, token: &str, pool: &str) -> Value {
    let http = reqwest::Client::new();
    let discovery: Value = http
        .get(format!(
            "{}/identity/.well-known/openid-configuration",
            server.url
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let issuer = discovery["issuer"].as_str().unwrap().to_owned();
    assert_eq!(issuer, format!("{}/identity", server.url));
    let jwks: jsonwebtoken::jwk::JwkSet = http
        .get(discovery["jwks_uri"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let header = jsonwebtoken::decode_header(token).unwrap();
    assert_eq!(header.alg, jsonwebtoken::Algorithm::RS256);
    let jwk = jwks
        .find(header.kid.as_deref().unwrap())
        .expect("kid in JWKS");
    let key = jsonwebtoken::DecodingKey::from_jwk(jwk).unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_issuer(&[&issuer]);
    validation.set_audience(&[pool]);
    jsonwebtoken::decode::<Value>(token, &key, &validation)
        .expect("the OpenID token verifies against the published JWKS")
        .claims
}

/// The classic flow: GetOpenIdToken (only with AllowClassicFlow), an
/// RS256 token with iss/aud/sub/amr and a 10-minute life, which the STS
/// face exchanges for the role's credentials (AssumeRoleWithWebIdentity,
/// unsigned), refusing a role the pool does not name.
async fn classic_flow_open_id_token_and_sts(server: TestServer) {
    let (pool, client, id_token, _) = signed_in_user(&server, "alice@example.com").await;
    let ipool = identity_pool(&server, &pool, &client, |b| b).await;
    let public = identity_client(&server.url, false);
    let key = provider_name(&pool);
    let identity = identity_of(&public, &ipool, &key, &id_token).await;
    // Classic flow off (the default): refused.
    let err = public
        .get_open_id_token()
        .identity_id(&identity)
        .logins(&key, &id_token)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "InvalidParameterException");
    let admin = identity_client(&server.url, true);
    admin
        .update_identity_pool()
        .identity_pool_id(&ipool)
        .identity_pool_name("app identities")
        .allow_unauthenticated_identities(true)
        .allow_classic_flow(true)
        .cognito_identity_providers(
            CognitoIdentityProvider::builder()
                .provider_name(&key)
                .client_id(&client)
                .build(),
        )
        .send()
        .await
        .expect("update identity pool");

    let out = public
        .get_open_id_token()
        .identity_id(&identity)
        .logins(&key, &id_token)
        .send()
        .await
        .expect("GetOpenIdToken");
    let token = out.token().unwrap().to_owned();
    let claims = verify_with_published_jwks(&server, &token, &ipool).await;
    assert_eq!(claims["sub"], identity.as_str());
    assert_eq!(claims["aud"], ipool.as_str());
    let amr: Vec<&str> = claims["amr"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(amr[0], "authenticated");
    assert_eq!(amr[1], key);
    assert!(amr[2].starts_with(&format!("{key}:CognitoSignIn:")));
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        600
    );

    let sts = sts_client(&server.url, None);
    let assumed = sts
        .assume_role_with_web_identity()
        .role_arn(AUTH_ROLE)
        .role_session_name("web")
        .web_identity_token(&token)
        .send()
        .await
        .expect("AssumeRoleWithWebIdentity");
    assert_eq!(
        assumed.assumed_role_user().unwrap().arn(),
        "arn:aws:sts::123456789012:assumed-role/Cognito_AppAuth_Role/web"
    );
    assert_eq!(
        assumed.subject_from_web_identity_token(),
        Some(identity.as_str())
    );
    let c = assumed.credentials().unwrap();
    let creds = Credentials::new(
        c.access_key_id(),
        c.secret_access_key(),
        Some(c.session_token().to_owned()),
        None,
        "sts",
    );
    let me = sts_client(&server.url, Some(creds))
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    assert_eq!(me.account(), Some("123456789012"));
    assert!(me.user_id().unwrap().ends_with(":web"));

    // A role the pool does not name; a token that is not ours; a token
    // that expired.
    let err = sts
        .assume_role_with_web_identity()
        .role_arn("arn:aws:iam::123456789012:role/SomethingElse")
        .role_session_name("web")
        .web_identity_token(&token)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "AccessDenied");
    let err = sts
        .assume_role_with_web_identity()
        .role_arn(AUTH_ROLE)
        .role_session_name("web")
        .web_identity_token(&id_token)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "InvalidIdentityToken");
    server.clock.advance(601_000);
    let err = sts
        .assume_role_with_web_identity()
        .role_arn(AUTH_ROLE)
        .role_session_name("web")
        .web_identity_token(&token)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "ExpiredTokenException");
}

/// Role mappings: Rules (first match on a claim; AmbiguousRoleResolution
/// AuthenticatedRole, then Deny) and Token (the group's role from
/// `cognito:preferred_role`), each proved by GetCallerIdentity.
async fn role_mappings_choose_the_role(server: TestServer) {
    let (pool, client, id_token, _) = signed_in_user(&server, "alice@admins.example").await;
    let ipool = identity_pool(&server, &pool, &client, |b| b).await;
    let admin = identity_client(&server.url, true);
    let public = identity_client(&server.url, false);
    let key = provider_name(&pool);
    let rules = |ambiguous| {
        RoleMapping::builder()
            .r#type(RoleMappingType::Rules)
            .ambiguous_role_resolution(ambiguous)
            .rules_configuration(
                RulesConfigurationType::builder()
                    .rules(
                        MappingRule::builder()
                            .claim("email")
                            .match_type(MappingRuleMatchType::Contains)
                            .value("@admins.")
                            .role_arn(ADMIN_ROLE)
                            .build()
                            .unwrap(),
                    )
                    .build()
                    .unwrap(),
            )
            .build()
            .unwrap()
    };
    admin
        .set_identity_pool_roles()
        .identity_pool_id(&ipool)
        .roles("authenticated", AUTH_ROLE)
        .role_mappings(&key, rules(AmbiguousRoleResolutionType::AuthenticatedRole))
        .send()
        .await
        .expect("set rules");
    let identity = identity_of(&public, &ipool, &key, &id_token).await;
    let creds = |token: String| {
        let public = public.clone();
        let (identity, key) = (identity.clone(), key.clone());
        async move {
            public
                .get_credentials_for_identity()
                .identity_id(identity)
                .logins(key, token)
                .send()
                .await
        }
    };
    let out = creds(id_token.clone()).await.expect("rule match");
    assert_eq!(
        caller_arn(&server.url, out.credentials().unwrap()).await,
        "arn:aws:sts::123456789012:assumed-role/Admins/CognitoIdentityCredentials"
    );

    // Another user: no rule matches, the authenticated role; then Deny.
    server
        .verified_user(&pool, "bob", PASSWORD, "bob@example.com")
        .await;
    let bob_token = server
        .signed_in(&client, "bob", PASSWORD)
        .await
        .id_token()
        .unwrap()
        .to_owned();
    let bob = identity_of(&public, &ipool, &key, &bob_token).await;
    assert_ne!(bob, identity);
    let bob_creds = || {
        let (public, bob, key, token) =
            (public.clone(), bob.clone(), key.clone(), bob_token.clone());
        async move {
            public
                .get_credentials_for_identity()
                .identity_id(bob)
                .logins(key, token)
                .send()
                .await
        }
    };
    let out = bob_creds().await.expect("ambiguous: authenticated role");
    assert_eq!(
        caller_arn(&server.url, out.credentials().unwrap()).await,
        "arn:aws:sts::123456789012:assumed-role/Cognito_AppAuth_Role/CognitoIdentityCredentials"
    );
    admin
        .set_identity_pool_roles()
        .identity_pool_id(&ipool)
        .roles("authenticated", AUTH_ROLE)
        .role_mappings(&key, rules(AmbiguousRoleResolutionType::Deny))
        .send()
        .await
        .unwrap();
    let err = bob_creds().await.unwrap_err();
    assert_eq!(error_name(&err), "NotAuthorizedException");

    // Token: the group's role, as the ID token carries it.
    let idp = server.admin();
    idp.create_group()
        .user_pool_id(&pool)
        .group_name("readers")
        .role_arn(READER_ROLE)
        .precedence(1)
        .send()
        .await
        .unwrap();
    idp.admin_add_user_to_group()
        .user_pool_id(&pool)
        .username("alice")
        .group_name("readers")
        .send()
        .await
        .unwrap();
    admin
        .set_identity_pool_roles()
        .identity_pool_id(&ipool)
        .roles("authenticated", AUTH_ROLE)
        .role_mappings(
            &key,
            RoleMapping::builder()
                .r#type(RoleMappingType::Token)
                .ambiguous_role_resolution(AmbiguousRoleResolutionType::AuthenticatedRole)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let fresh = server
        .signed_in(&client, "alice", PASSWORD)
        .await
        .id_token()
        .unwrap()
        .to_owned();
    assert_eq!(jwt_claims(&fresh)["cognito:preferred_role"], READER_ROLE);
    let out = creds(fresh).await.expect("token mapping");
    assert_eq!(
        caller_arn(&server.url, out.credentials().unwrap()).await,
        "arn:aws:sts::123456789012:assumed-role/Readers/CognitoIdentityCredentials"
    );
}

/// Bad input as a new user would try it: each refused in AWS's shape,
/// and no identity written.
async fn bad_input_is_refused_and_nothing_written(server: TestServer) {
    let (pool, client, id_token, access_token) = signed_in_user(&server, "alice@example.com").await;
    let ipool = identity_pool(&server, &pool, &client, |b| b).await;
    let public = identity_client(&server.url, false);
    let admin = identity_client(&server.url, true);
    let key = provider_name(&pool);
    let get_id = |pool_id: &str, key: &str, token: &str| {
        let (public, pool_id, key, token) = (
            public.clone(),
            pool_id.to_owned(),
            key.to_owned(),
            token.to_owned(),
        );
        async move {
            let err = public
                .get_id()
                .identity_pool_id(pool_id)
                .logins(key, token)
                .send()
                .await
                .unwrap_err();
            let message = err
                .as_service_error()
                .and_then(|e| ci::error::ProvideErrorMetadata::message(e))
                .unwrap_or_default()
                .to_owned();
            (error_name(&err), message)
        }
    };
    // Unknown pool.
    let (name, _) = get_id(
        "us-east-1:00000000-0000-0000-0000-000000000000",
        &key,
        &id_token,
    )
    .await;
    assert_eq!(name, "ResourceNotFoundException");
    // Malformed and foreign Logins keys.
    let (name, message) = get_id(&ipool, "cognito-idp.us-east-1.amazonaws.com", &id_token).await;
    assert_eq!(name, "NotAuthorizedException");
    assert!(
        message.contains("not from a supported provider"),
        "{message}"
    );
    let (name, _) = get_id(&ipool, "evil.example/us-east-1_abc", &id_token).await;
    assert_eq!(name, "NotAuthorizedException");
    // An access token instead of an ID token.
    let (name, message) = get_id(&ipool, &key, &access_token).await;
    assert_eq!(name, "NotAuthorizedException");
    assert!(message.contains("Invalid login token"), "{message}");
    // A tampered token.
    let (name, _) = get_id(&ipool, &key, &format!("{id_token}x")).await;
    assert_eq!(name, "NotAuthorizedException");
    // A token of a client the identity pool does not trust.
    let (other_client, _) = server.client(&pool, false, false).await;
    let other_token = server
        .signed_in(&other_client, "alice", PASSWORD)
        .await
        .id_token()
        .unwrap()
        .to_owned();
    let (name, message) = get_id(&ipool, &key, &other_token).await;
    assert_eq!(name, "NotAuthorizedException");
    assert!(message.contains("audience"), "{message}");
    // A 2 MB token.
    let (name, _) = get_id(&ipool, &key, &"a".repeat(2 * 1024 * 1024)).await;
    assert!(
        name == "SerializationException" || name == "InvalidParameterException",
        "{name}"
    );
    let (name, _) = get_id(&ipool, &key, &"a".repeat(60_000)).await;
    assert_eq!(name, "InvalidParameterException");
    // A RoleMappings rule with an unknown MatchType: refused, roles kept.
    let err = admin
        .set_identity_pool_roles()
        .identity_pool_id(&ipool)
        .roles("authenticated", AUTH_ROLE)
        .role_mappings(
            &key,
            RoleMapping::builder()
                .r#type(RoleMappingType::Rules)
                .ambiguous_role_resolution(AmbiguousRoleResolutionType::Deny)
                .rules_configuration(
                    RulesConfigurationType::builder()
                        .rules(
                            MappingRule::builder()
                                .claim("email")
                                .match_type(MappingRuleMatchType::from("Matches"))
                                .value("x")
                                .role_arn(ADMIN_ROLE)
                                .build()
                                .unwrap(),
                        )
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "InvalidParameterException");
    let roles = admin
        .get_identity_pool_roles()
        .identity_pool_id(&ipool)
        .send()
        .await
        .unwrap();
    assert_eq!(
        roles
            .roles()
            .unwrap()
            .get("unauthenticated")
            .map(String::as_str),
        Some(UNAUTH_ROLE)
    );
    assert!(roles.role_mappings().is_none());
    // Unsigned administrative calls (the SDK will not send one: raw).
    let resp = reqwest::Client::new()
        .post(&server.url)
        .header("content-type", "application/x-amz-json-1.1")
        .header(
            "x-amz-target",
            "AWSCognitoIdentityService.ListIdentityPools",
        )
        .body(r#"{"MaxResults": 10}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 403);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["__type"], "MissingAuthenticationTokenException");
    // A revoked sign-in, under ServerSideTokenCheck.
    server
        .public()
        .global_sign_out()
        .access_token(&access_token)
        .send()
        .await
        .unwrap();
    let (name, message) = get_id(&ipool, &key, &id_token).await;
    assert_eq!(name, "NotAuthorizedException");
    assert!(message.contains("revoked"), "{message}");
    // An expired token.
    let fresh = server
        .signed_in(&client, "alice", PASSWORD)
        .await
        .id_token()
        .unwrap()
        .to_owned();
    server.clock.advance(3_601_000);
    let (name, message) = get_id(&ipool, &key, &fresh).await;
    assert_eq!(name, "NotAuthorizedException");
    assert!(message.contains("expired"), "{message}");
    // Back to the real time, for the signed calls below.
    server.clock.advance(-3_601_000);
    // Nothing of the above made an identity.
    let listed = admin
        .list_identities()
        .identity_pool_id(&ipool)
        .max_results(60)
        .send()
        .await
        .unwrap();
    assert!(listed.identities().is_empty());
    // Unauthenticated access off: refused.
    let closed = identity_pool(&server, &pool, &client, |b| {
        b.allow_unauthenticated_identities(false)
    })
    .await;
    let err = public
        .get_id()
        .identity_pool_id(&closed)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "NotAuthorizedException");
    // An unknown identity.
    let err = public
        .get_credentials_for_identity()
        .identity_id("us-east-1:11111111-1111-1111-1111-111111111111")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "ResourceNotFoundException");
}

/// Developer-authenticated identities: GetOpenIdTokenForDeveloperIdentity
/// (stable per developer user), LookupDeveloperIdentity,
/// MergeDeveloperIdentities, UnlinkDeveloperIdentity; the token logs in as
/// `cognito-identity.amazonaws.com` to get credentials. And UnlinkIdentity
/// of a user pool login.
async fn developer_identities_merge_and_unlink(server: TestServer) {
    let (pool, client, id_token, _) = signed_in_user(&server, "alice@example.com").await;
    let ipool = identity_pool(&server, &pool, &client, |b| {
        b.developer_provider_name("login.myapp")
    })
    .await;
    let admin = identity_client(&server.url, true);
    let public = identity_client(&server.url, false);
    let dev = |user: &str| {
        let (admin, ipool, user) = (admin.clone(), ipool.clone(), user.to_owned());
        async move {
            admin
                .get_open_id_token_for_developer_identity()
                .identity_pool_id(ipool)
                .logins("login.myapp", user)
                .token_duration(1200)
                .send()
                .await
                .expect("GetOpenIdTokenForDeveloperIdentity")
        }
    };
    let first = dev("user-1").await;
    let again = dev("user-1").await;
    assert_eq!(first.identity_id(), again.identity_id());
    let token = first.token().unwrap().to_owned();
    let claims = verify_with_published_jwks(&server, &token, &ipool).await;
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        1200
    );
    assert_eq!(claims["amr"][1], "login.myapp");
    let one = first.identity_id().unwrap().to_owned();
    let out = credentials_of(&public, &one, "cognito-identity.amazonaws.com", &token).await;
    assert_eq!(
        caller_arn(&server.url, out.credentials().unwrap()).await,
        "arn:aws:sts::123456789012:assumed-role/Cognito_AppAuth_Role/CognitoIdentityCredentials"
    );

    let two = dev("user-2").await.identity_id().unwrap().to_owned();
    assert_ne!(one, two);
    let looked = admin
        .lookup_developer_identity()
        .identity_pool_id(&ipool)
        .developer_user_identifier("user-2")
        .max_results(10)
        .send()
        .await
        .unwrap();
    assert_eq!(looked.identity_id(), Some(two.as_str()));
    let merged = admin
        .merge_developer_identities()
        .identity_pool_id(&ipool)
        .developer_provider_name("login.myapp")
        .source_user_identifier("user-2")
        .destination_user_identifier("user-1")
        .send()
        .await
        .unwrap();
    assert_eq!(merged.identity_id(), Some(one.as_str()));
    let looked = admin
        .lookup_developer_identity()
        .identity_pool_id(&ipool)
        .identity_id(&one)
        .max_results(10)
        .send()
        .await
        .unwrap();
    assert_eq!(
        looked.developer_user_identifier_list(),
        ["user-1", "user-2"]
    );
    assert_eq!(looked.next_token(), None);
    // One identifier a page: MaxResults and NextToken.
    let lookup = |token: Option<String>| {
        admin
            .lookup_developer_identity()
            .identity_pool_id(&ipool)
            .identity_id(&one)
            .max_results(1)
            .set_next_token(token)
            .send()
    };
    let first_page = lookup(None).await.unwrap();
    assert_eq!(first_page.developer_user_identifier_list(), ["user-1"]);
    let next = first_page.next_token().expect("a second page").to_owned();
    let second_page = lookup(Some(next)).await.unwrap();
    assert_eq!(second_page.developer_user_identifier_list(), ["user-2"]);
    assert_eq!(second_page.next_token(), None);
    let err = lookup(Some("not-a-token".into())).await.unwrap_err();
    assert_eq!(error_name(&err), "InvalidParameterException");
    let err = admin
        .lookup_developer_identity()
        .identity_pool_id(&ipool)
        .identity_id(&one)
        .max_results(61)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "InvalidParameterException");
    let err = admin
        .describe_identity()
        .identity_id(&two)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "ResourceNotFoundException");
    admin
        .unlink_developer_identity()
        .identity_pool_id(&ipool)
        .identity_id(&one)
        .developer_provider_name("login.myapp")
        .developer_user_identifier("user-2")
        .send()
        .await
        .unwrap();
    let err = admin
        .lookup_developer_identity()
        .identity_pool_id(&ipool)
        .developer_user_identifier("user-2")
        .max_results(10)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "ResourceNotFoundException");

    // UnlinkIdentity: the user-pool login leaves its identity; the same
    // login then makes a new identity.
    let key = provider_name(&pool);
    let alice = identity_of(&public, &ipool, &key, &id_token).await;
    public
        .unlink_identity()
        .identity_id(&alice)
        .logins(&key, &id_token)
        .logins_to_remove(&key)
        .send()
        .await
        .expect("UnlinkIdentity");
    let d = admin
        .describe_identity()
        .identity_id(&alice)
        .send()
        .await
        .unwrap();
    assert!(d.logins().is_empty());
    let anew = public
        .get_id()
        .identity_pool_id(&ipool)
        .logins(&key, &id_token)
        .send()
        .await
        .unwrap();
    assert_ne!(anew.identity_id(), Some(alice.as_str()));
    // Its last login gone, the identity is disabled: inaccessible, even as
    // an unauthenticated identity, and hidden by HideDisabled.
    let err = public
        .get_credentials_for_identity()
        .identity_id(&alice)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "NotAuthorizedException");
    let listed = |hide: bool| {
        let (admin, ipool) = (admin.clone(), ipool.clone());
        async move {
            let page = admin
                .list_identities()
                .identity_pool_id(ipool)
                .max_results(60)
                .hide_disabled(hide)
                .send()
                .await
                .unwrap();
            page.identities()
                .iter()
                .filter_map(|i| i.identity_id().map(str::to_owned))
                .collect::<Vec<_>>()
        }
    };
    let all = listed(false).await;
    assert!(all.contains(&alice), "{all:?}");
    let shown = listed(true).await;
    assert!(!shown.contains(&alice), "{shown:?}");
    assert_eq!(shown.len(), all.len() - 1);
}

/// The management operations: describe, update, list (paged), tags,
/// principal tag maps (their tags reach the OpenID token), delete.
async fn pools_are_managed(server: TestServer) {
    let (pool, client, id_token, _) = signed_in_user(&server, "alice@example.com").await;
    let admin = identity_client(&server.url, true);
    let ipool = identity_pool(&server, &pool, &client, |b| {
        b.allow_classic_flow(true).identity_pool_tags("team", "web")
    })
    .await;
    let d = admin
        .describe_identity_pool()
        .identity_pool_id(&ipool)
        .send()
        .await
        .unwrap();
    assert_eq!(d.identity_pool_name(), "app identities");
    assert!(d.allow_unauthenticated_identities());
    assert_eq!(d.allow_classic_flow(), Some(true));
    assert_eq!(
        d.cognito_identity_providers()[0].client_id(),
        Some(client.as_str())
    );
    let arn = format!("arn:aws:cognito-identity:us-east-1:000000000000:identitypool/{ipool}");
    admin
        .tag_resource()
        .resource_arn(&arn)
        .tags("env", "test")
        .send()
        .await
        .unwrap();
    admin
        .untag_resource()
        .resource_arn(&arn)
        .tag_keys("team")
        .send()
        .await
        .unwrap();
    let tags = admin
        .list_tags_for_resource()
        .resource_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(
        tags.tags().unwrap().iter().collect::<Vec<_>>(),
        [(&"env".to_owned(), &"test".to_owned())]
    );

    let key = provider_name(&pool);
    admin
        .set_principal_tag_attribute_map()
        .identity_pool_id(&ipool)
        .identity_provider_name(&key)
        .use_defaults(false)
        .principal_tags("mail", "email")
        .send()
        .await
        .unwrap();
    let map = admin
        .get_principal_tag_attribute_map()
        .identity_pool_id(&ipool)
        .identity_provider_name(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(
        map.principal_tags()
            .unwrap()
            .get("mail")
            .map(String::as_str),
        Some("email")
    );
    let public = identity_client(&server.url, false);
    let identity = identity_of(&public, &ipool, &key, &id_token).await;
    let token = public
        .get_open_id_token()
        .identity_id(&identity)
        .logins(&key, &id_token)
        .send()
        .await
        .unwrap()
        .token()
        .unwrap()
        .to_owned();
    assert_eq!(
        jwt_claims(&token)["https://aws.amazon.com/tags"]["principal_tags"]["mail"][0],
        "alice@example.com"
    );

    let second = identity_pool(&server, &pool, &client, |b| b).await;
    let page = admin
        .list_identity_pools()
        .max_results(1)
        .send()
        .await
        .unwrap();
    assert_eq!(page.identity_pools().len(), 1);
    let rest = admin
        .list_identity_pools()
        .max_results(1)
        .next_token(page.next_token().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(rest.identity_pools().len(), 1);
    let mut ids = vec![
        page.identity_pools()[0]
            .identity_pool_id()
            .unwrap()
            .to_owned(),
        rest.identity_pools()[0]
            .identity_pool_id()
            .unwrap()
            .to_owned(),
    ];
    ids.sort();
    let mut want = vec![ipool.clone(), second.clone()];
    want.sort();
    assert_eq!(ids, want);

    admin
        .delete_identities()
        .identity_ids_to_delete(&identity)
        .send()
        .await
        .unwrap();
    admin
        .delete_identity_pool()
        .identity_pool_id(&ipool)
        .send()
        .await
        .unwrap();
    let err = admin
        .describe_identity_pool()
        .identity_pool_id(&ipool)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "ResourceNotFoundException");
    let err = admin
        .create_identity_pool()
        .identity_pool_name("bad/name")
        .allow_unauthenticated_identities(false)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "InvalidParameterException");
}

/// A form POST to the STS face: (status, XML text).
async fn sts_form(server: &TestServer, form: &[(&str, &str)]) -> (u16, String) {
    let resp = reqwest::Client::new()
        .post(&server.url)
        .form(form)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    assert_eq!(
        resp.headers()["content-type"],
        "text/xml",
        "STS answers in XML"
    );
    (status, resp.text().await.unwrap())
}

/// The STS face refuses bad input with STS's XML errors, and keeps no
/// minted secret in the clear.
async fn sts_face_refuses_bad_input_in_xml(server: TestServer) {
    let v = ("Version", "2011-06-15");
    let (status, xml) = sts_form(&server, &[("Action", "Nope"), v]).await;
    assert_eq!(status, 400);
    assert!(xml.contains("<Code>InvalidAction</Code>"), "{xml}");
    let (status, xml) = sts_form(&server, &[("Action", "AssumeRoleWithWebIdentity"), v]).await;
    assert_eq!(status, 400);
    assert!(xml.contains("<Code>MissingParameter</Code>"), "{xml}");
    let (status, xml) = sts_form(&server, &[("Action", "GetCallerIdentity"), v]).await;
    assert_eq!(status, 403);
    assert!(
        xml.contains("<Code>MissingAuthenticationToken</Code>"),
        "{xml}"
    );
    let assume = |name: &'static str, token: &'static str| {
        [
            ("Action", "AssumeRoleWithWebIdentity"),
            v,
            ("RoleArn", AUTH_ROLE),
            ("RoleSessionName", name),
            ("WebIdentityToken", token),
        ]
    };
    let (status, xml) = sts_form(&server, &assume("web", "not.a.jwt")).await;
    assert_eq!(status, 400);
    assert!(xml.contains("<Code>InvalidIdentityToken</Code>"), "{xml}");
    let (status, xml) = sts_form(&server, &assume("bad name!", "not.a.jwt")).await;
    assert_eq!(status, 400);
    assert!(xml.contains("<Code>ValidationError</Code>"), "{xml}");

    // Minted credentials: the secret is sealed, not in any text column.
    let (pool, client, id_token, _) = signed_in_user(&server, "alice@example.com").await;
    let ipool = identity_pool(&server, &pool, &client, |b| b).await;
    let public = identity_client(&server.url, false);
    let key = provider_name(&pool);
    let identity = identity_of(&public, &ipool, &key, &id_token).await;
    let out = credentials_of(&public, &identity, &key, &id_token).await;
    let c = out.credentials().unwrap();
    let docs = server.raw_rows("SELECT doc FROM sts_credentials").await;
    assert_eq!(docs.len(), 1);
    assert!(!docs[0].contains(c.secret_key().unwrap()));
    assert!(!docs[0].contains(c.session_token().unwrap()));
}

on_both_backends!(
    sts_face_refuses_bad_input_in_xml,
    snippet_gets_working_credentials,
    classic_flow_open_id_token_and_sts,
    role_mappings_choose_the_role,
    bad_input_is_refused_and_nothing_written,
    developer_identities_merge_and_unlink,
    pools_are_managed,
);
