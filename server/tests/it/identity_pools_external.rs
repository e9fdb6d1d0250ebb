//! Identity-pool logins from outside Cognate, through the AWS SDK for
//! Rust against the running server: an OpenID Connect provider named by
//! the pool's OpenIdConnectProviderARNs (its IAM side configured in
//! `iam_oidc_providers`), Google (`accounts.google.com`, its issuer
//! overridden in `identity_login_endpoints`), Facebook and Login with
//! Amazon. The OIDC issuer is a user pool of a second, real Cognate server
//! (its ID tokens are OIDC ID tokens; it serves discovery and JWKS);
//! Facebook's Graph API and Amazon's tokeninfo are a small in-test HTTP
//! peer answering as those APIs do and checking the token it is sent.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use aws_sdk_cognitoidentity as ci;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use ci::error::ProvideErrorMetadata;
use cognate::config::{IamOidcProviderConfig, LoginEndpoint};
use cognate_core::test_support::Backend;
use serde_json::json;

use crate::common::TestServer;
use crate::identity_pools::{caller_arn, credentials_of, identity_client, identity_of};

const PASSWORD: &str = "Correct-Horse-9";
const AUTH_ROLE: &str = "arn:aws:iam::123456789012:role/Cognito_Federated_Role";
const FACEBOOK_APP: &str = "1234567890123456";
const FACEBOOK_USER: &str = "10158000000000001";
const AMAZON_APP: &str = "amzn1.application-oa2-client.0123456789abcdef";
const AMAZON_USER: &str = "amzn1.account.AGEXAMPLEUSER";
const UNKNOWN_ARN: &str = "arn:aws:iam::123456789012:oidc-provider/login.example.com";

/// Facebook's Graph API (`/app`, `/me`) and Login with Amazon's tokeninfo,
/// as they answer; it records every token it was sent.
#[derive(Default)]
struct SocialPeer {
    tokens: Mutex<Vec<String>>,
}

impl SocialPeer {
    fn was_sent(&self, token: &str) -> bool {
        self.tokens.lock().unwrap().iter().any(|t| t == token)
    }
}

fn bearer(headers: &HeaderMap) -> String {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default()
        .to_owned()
}

fn facebook_refusal() -> Response {
    (
        StatusCode::BAD_REQUEST,
        axum::Json(
            json!({"error": {"message": "Invalid OAuth access token - Cannot parse access token",
            "type": "OAuthException", "code": 190, "fbtrace_id": "AbCdEf"}}),
        ),
    )
        .into_response()
}

async fn facebook_app(State(peer): State<Arc<SocialPeer>>, headers: HeaderMap) -> Response {
    let token = bearer(&headers);
    peer.tokens.lock().unwrap().push(token.clone());
    match token.as_str() {
        "EAAfb-good" => axum::Json(json!({"id": FACEBOOK_APP, "name": "My App"})).into_response(),
        "EAAfb-other-app" => axum::Json(json!({"id": "999", "name": "Other"})).into_response(),
        _ => facebook_refusal(),
    }
}

async fn facebook_me(
    State(peer): State<Arc<SocialPeer>>,
    headers: HeaderMap,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let token = bearer(&headers);
    peer.tokens.lock().unwrap().push(token.clone());
    if token != "EAAfb-good" || q.get("fields").map(String::as_str) != Some("id") {
        return facebook_refusal();
    }
    axum::Json(json!({"id": FACEBOOK_USER})).into_response()
}

async fn amazon_tokeninfo(
    State(peer): State<Arc<SocialPeer>>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let token = q.get("access_token").cloned().unwrap_or_default();
    peer.tokens.lock().unwrap().push(token.clone());
    let aud = match token.as_str() {
        "Atza|good" => AMAZON_APP,
        "Atza|other-app" => "amzn1.application-oa2-client.other",
        _ => {
            return (
                StatusCode::BAD_REQUEST,
                axum::Json(json!({"error": "invalid_token",
                    "error_description": "The request has an invalid parameter : access_token"})),
            )
                .into_response();
        }
    };
    axum::Json(
        json!({"iss": "https://www.amazon.com", "user_id": AMAZON_USER, "aud": aud,
        "app_id": "amzn1.application.0123", "exp": 3597, "iat": 1_700_000_000}),
    )
    .into_response()
}

async fn start_peer() -> (String, Arc<SocialPeer>) {
    let peer = Arc::new(SocialPeer::default());
    let app = axum::Router::new()
        .route("/app", get(facebook_app))
        .route("/me", get(facebook_me))
        .route("/auth/o2/tokeninfo", get(amazon_tokeninfo))
        .with_state(peer.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), peer)
}

/// The provider (a second Cognate with a user pool, two app clients and a
/// signed-in user), the social peer, and the server under test configured
/// with both.
struct Fixture {
    server: TestServer,
    _provider: TestServer,
    peer: Arc<SocialPeer>,
    /// The provider pool's issuer without its scheme: the Logins key.
    issuer_key: String,
    arn: String,
    /// An ID token for `client`, and one for a client IAM does not list.
    id_token: String,
    foreign_aud_token: String,
}

impl Fixture {
    async fn start(backend: Backend) -> Option<Self> {
        let provider = TestServer::start(backend).await?;
        let pool = provider.pool(|b| b).await;
        let (client, _) = provider.client(&pool, false, false).await;
        let (other_client, _) = provider.client(&pool, false, false).await;
        provider
            .verified_user(&pool, "alice", PASSWORD, "alice@example.com")
            .await;
        let id_token = |c: String| {
            let p = &provider;
            async move {
                let t = p.signed_in(&c, "alice", PASSWORD).await;
                t.id_token().unwrap().to_owned()
            }
        };
        let good = id_token(client.clone()).await;
        let foreign = id_token(other_client).await;
        let issuer = format!("{}/{pool}", provider.state.public_url);
        let issuer_key = issuer.trim_start_matches("http://").to_owned();
        let arn = format!("arn:aws:iam::123456789012:oidc-provider/{issuer_key}");
        let (peer_url, peer) = start_peer().await;
        // Apple's issuer: a port nothing listens on any more.
        let silent = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap()
            .local_addr()
            .unwrap();
        let server = TestServer::start_with(backend, |c| {
            c.iam_oidc_providers.insert(
                arn.clone(),
                IamOidcProviderConfig {
                    url: issuer.clone(),
                    client_ids: vec!["another-audience".into(), client.clone()],
                    thumbprints: vec![],
                },
            );
            c.identity_login_endpoints.insert(
                "accounts.google.com".into(),
                LoginEndpoint {
                    oidc_issuer: Some(issuer.clone()),
                    api_url: None,
                },
            );
            c.identity_login_endpoints.insert(
                "appleid.apple.com".into(),
                LoginEndpoint {
                    oidc_issuer: Some(format!("http://{silent}")),
                    api_url: None,
                },
            );
            for key in ["graph.facebook.com", "www.amazon.com"] {
                c.identity_login_endpoints.insert(
                    key.into(),
                    LoginEndpoint {
                        oidc_issuer: None,
                        api_url: Some(peer_url.clone()),
                    },
                );
            }
        })
        .await?;
        Some(Self {
            server,
            _provider: provider,
            peer,
            issuer_key,
            arn,
            id_token: good,
            foreign_aud_token: foreign,
        })
    }

    /// An identity pool (authenticated role set) made by `shape`.
    async fn identity_pool(
        &self,
        shape: impl FnOnce(
            ci::operation::create_identity_pool::builders::CreateIdentityPoolFluentBuilder,
        )
            -> ci::operation::create_identity_pool::builders::CreateIdentityPoolFluentBuilder,
    ) -> String {
        let admin = identity_client(&self.server.url, true);
        let id = shape(
            admin
                .create_identity_pool()
                .identity_pool_name("federated")
                .allow_unauthenticated_identities(false),
        )
        .send()
        .await
        .expect("create identity pool")
        .identity_pool_id()
        .to_owned();
        admin
            .set_identity_pool_roles()
            .identity_pool_id(&id)
            .roles("authenticated", AUTH_ROLE)
            .send()
            .await
            .expect("set roles");
        id
    }

    /// GetId's refusal: (error code, message).
    async fn refusal(&self, pool: &str, key: &str, token: &str) -> (String, String) {
        let err = identity_client(&self.server.url, false)
            .get_id()
            .identity_pool_id(pool)
            .logins(key, token)
            .send()
            .await
            .expect_err("refused");
        let e = err.into_service_error();
        (
            e.code().unwrap_or("?").to_owned(),
            e.message().unwrap_or_default().to_owned(),
        )
    }

    /// The identity and the caller ARN of its credentials, for one login.
    async fn signs_in(&self, pool: &str, key: &str, token: &str) -> (String, String) {
        let public = identity_client(&self.server.url, false);
        let identity = identity_of(&public, pool, key, token).await;
        let out = credentials_of(&public, &identity, key, token).await;
        assert_eq!(out.identity_id(), Some(identity.as_str()));
        let arn = caller_arn(&self.server.url, out.credentials().expect("credentials")).await;
        (identity, arn)
    }
}

fn not_authorized(message: &str) -> (String, String) {
    ("NotAuthorizedException".into(), message.into())
}

fn tampered(token: &str) -> String {
    let (rest, sig) = token.rsplit_once('.').unwrap();
    let mut sig = sig.as_bytes().to_vec();
    sig[10] = if sig[10] == b'A' { b'B' } else { b'A' };
    format!("{rest}.{}", String::from_utf8(sig).unwrap())
}

/// An OIDC provider's ID token (the second Cognate's user pool) under its
/// issuer without the scheme: identity and credentials of the role; the
/// same login finds the same identity. A client IAM does not list, a
/// tampered signature, an expired token, a pool not naming the ARN, an ARN
/// with no IAM provider configured → NotAuthorizedException.
async fn oidc_provider_logins(f: Fixture) {
    let pool = f
        .identity_pool(|b| b.open_id_connect_provider_arns(&f.arn))
        .await;
    let (identity, arn) = f.signs_in(&pool, &f.issuer_key, &f.id_token).await;
    assert!(identity.starts_with("us-east-1:"), "{identity}");
    assert_eq!(
        arn,
        "arn:aws:sts::123456789012:assumed-role/Cognito_Federated_Role/CognitoIdentityCredentials"
    );
    let public = identity_client(&f.server.url, false);
    assert_eq!(
        identity_of(&public, &pool, &f.issuer_key, &f.id_token).await,
        identity
    );
    let described = identity_client(&f.server.url, true)
        .describe_identity()
        .identity_id(&identity)
        .send()
        .await
        .unwrap();
    assert_eq!(described.logins(), std::slice::from_ref(&f.issuer_key));

    assert_eq!(
        f.refusal(&pool, &f.issuer_key, &f.foreign_aud_token).await,
        not_authorized("Invalid login token. Incorrect token audience.")
    );
    assert_eq!(
        f.refusal(&pool, &f.issuer_key, &tampered(&f.id_token))
            .await,
        not_authorized("Invalid login token. Couldn't verify signed token.")
    );
    // The same claims under the issuer's kid, but HS256 (keyed with text an
    // attacker chose) or unsigned: refused.
    let kid = jsonwebtoken::decode_header(&f.id_token).unwrap().kid;
    let claims = crate::common::jwt_claims(&f.id_token);
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    header.kid = kid;
    let forged = jsonwebtoken::encode(
        &header,
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(b"attacker"),
    )
    .unwrap();
    let (_, rest) = f.id_token.split_once('.').unwrap();
    let unsigned_head = {
        use base64::Engine as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#)
    };
    let payload = rest.split_once('.').unwrap().0;
    let unsigned = format!("{unsigned_head}.{payload}.");
    for token in [forged, unsigned] {
        assert_eq!(
            f.refusal(&pool, &f.issuer_key, &token).await,
            not_authorized("Invalid login token. Couldn't verify signed token.")
        );
    }
    // A pool without the ARN does not take the provider's logins.
    let other = f
        .identity_pool(|b| b.supported_login_providers("graph.facebook.com", FACEBOOK_APP))
        .await;
    assert_eq!(
        f.refusal(&other, &f.issuer_key, &f.id_token).await,
        not_authorized("Token is not from a supported provider of this identity pool.")
    );
    // An ARN IAM (the configuration) does not know.
    let unknown = f
        .identity_pool(|b| b.open_id_connect_provider_arns(UNKNOWN_ARN))
        .await;
    let (code, message) = f.refusal(&unknown, "login.example.com", &f.id_token).await;
    assert_eq!(code, "NotAuthorizedException");
    assert!(message.contains(UNKNOWN_ARN), "{message}");
    // Two hours later the ID token (one hour) has expired.
    f.server.clock.advance(2 * 3600 * 1000);
    assert_eq!(
        f.refusal(&pool, &f.issuer_key, &f.id_token).await,
        not_authorized("Invalid login token. Token expired.")
    );
}

/// Social providers: Google's ID token (its issuer here the second
/// Cognate's pool) with the app's client id, one of several separated by
/// commas; Facebook and Login with Amazon access tokens checked at their
/// APIs (the peer), the app id compared. Tokens of another app, refused
/// tokens and a provider not in SupportedLoginProviders are refused; a
/// provider that does not answer is ExternalServiceException.
async fn social_provider_logins(f: Fixture) {
    let google_aud = jwt_aud(&f.id_token);
    let pool = f
        .identity_pool(|b| {
            b.supported_login_providers(
                "accounts.google.com",
                format!("someone-else.apps.googleusercontent.com,{google_aud}"),
            )
            .supported_login_providers("graph.facebook.com", FACEBOOK_APP)
            .supported_login_providers("www.amazon.com", AMAZON_APP)
        })
        .await;
    let (google, arn) = f.signs_in(&pool, "accounts.google.com", &f.id_token).await;
    assert!(
        arn.ends_with("/Cognito_Federated_Role/CognitoIdentityCredentials"),
        "{arn}"
    );
    assert_eq!(
        f.refusal(&pool, "accounts.google.com", &f.foreign_aud_token)
            .await,
        not_authorized("Invalid login token. Incorrect token audience.")
    );

    let (facebook, _) = f.signs_in(&pool, "graph.facebook.com", "EAAfb-good").await;
    assert_ne!(facebook, google);
    assert!(f.peer.was_sent("EAAfb-good"));
    assert_eq!(
        f.refusal(&pool, "graph.facebook.com", "EAAfb-other-app")
            .await,
        not_authorized("Invalid login token. Incorrect token audience.")
    );
    assert_eq!(
        f.refusal(&pool, "graph.facebook.com", "EAAfb-revoked")
            .await,
        not_authorized("Invalid login token. Couldn't verify signed token.")
    );

    let (amazon, _) = f.signs_in(&pool, "www.amazon.com", "Atza|good").await;
    assert!(![&google, &facebook].contains(&&amazon));
    assert!(f.peer.was_sent("Atza|good"));
    assert_eq!(
        f.refusal(&pool, "www.amazon.com", "Atza|other-app").await,
        not_authorized("Invalid login token. Incorrect token audience.")
    );
    assert_eq!(
        f.refusal(&pool, "www.amazon.com", "Atza|bogus").await,
        not_authorized("Invalid login token. Couldn't verify signed token.")
    );
    // Apple is not among this pool's providers.
    assert_eq!(
        f.refusal(&pool, "appleid.apple.com", &f.id_token).await,
        not_authorized("Token is not from a supported provider of this identity pool.")
    );
    // A provider that does not answer: ExternalServiceException, no identity.
    let apple = f
        .identity_pool(|b| b.supported_login_providers("appleid.apple.com", "com.example.app"))
        .await;
    let (code, _) = f.refusal(&apple, "appleid.apple.com", &f.id_token).await;
    assert_eq!(code, "ExternalServiceException");
    let listed = identity_client(&f.server.url, true)
        .list_identities()
        .identity_pool_id(&apple)
        .max_results(60)
        .send()
        .await
        .unwrap();
    assert!(listed.identities().is_empty());
    // One identity, linked with the Facebook login, found again by it.
    let public = identity_client(&f.server.url, false);
    assert_eq!(
        identity_of(&public, &pool, "graph.facebook.com", "EAAfb-good").await,
        facebook
    );
}

fn jwt_aud(token: &str) -> String {
    crate::common::jwt_claims(token)["aud"]
        .as_str()
        .unwrap()
        .to_owned()
}

cognate_core::on_both_backends!(Fixture::start; oidc_provider_logins, social_provider_logins);
