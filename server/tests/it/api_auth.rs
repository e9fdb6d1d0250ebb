//! Sign-in and tokens through the AWS SDK for Rust, on SQLite and
//! PostgreSQL (Cognito API: InitiateAuth, AdminInitiateAuth,
//! RespondToAuthChallenge, RevokeToken, GlobalSignOut,
//! AdminUserGlobalSignOut), with tokens checked by an independent JWT
//! library against the JWKS the discovery document points to.

use crate::common::{TestServer, error_name, jwt_claims};
use aws_lc_rs::hmac;
use aws_sdk_cognitoidentityprovider as cip;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use cip::error::ProvideErrorMetadata;
use cip::types::{
    AuthFlowType, ChallengeNameType, ExplicitAuthFlowsType, PreventUserExistenceErrorTypes,
};
use cognate_core::crypto::SecretString;
use cognate_core::model::{User, UserStatus};
use cognate_core::srp::{self, client::SrpClient};
use serde_json::{Value, json};

on_both_backends!(
    user_password_auth_tokens_verify_against_the_published_jwks,
    wrong_password_and_unknown_user_are_indistinguishable,
    legacy_clients_reveal_unknown_users,
    flows_must_be_enabled_for_the_client,
    secret_hash_is_required_and_checked,
    user_state_is_checked_after_the_password,
    new_password_required_round_trip,
    new_password_sessions_are_bound_and_expire,
    refresh_token_auth_and_revoke_token,
    global_sign_out_revokes_every_sign_in,
    access_tokens_expire_on_the_server_clock,
    admin_initiate_auth_requires_sigv4,
    user_srp_auth_with_the_reference_client,
    lockout_after_five_failures_doubles_and_resets,
    unknown_names_lock_out_like_users,
    oidc_documents_of_unknown_pools_are_404,
    admin_created_users_choose_a_password_then_sign_out,
);

const PASSWORD: &str = "Correct-Horse-9";

struct App {
    pool_id: String,
    client_id: String,
    secret: Option<String>,
}

struct ClientOptions {
    flows: Vec<ExplicitAuthFlowsType>,
    secret: bool,
    legacy: bool,
    revocation: bool,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            flows: vec![
                ExplicitAuthFlowsType::AllowUserPasswordAuth,
                ExplicitAuthFlowsType::AllowAdminUserPasswordAuth,
                ExplicitAuthFlowsType::AllowUserSrpAuth,
                ExplicitAuthFlowsType::AllowRefreshTokenAuth,
            ],
            secret: false,
            legacy: false,
            revocation: true,
        }
    }
}

async fn pool(s: &TestServer) -> String {
    s.pool(|b| b.pool_name("auth")).await
}

async fn client(s: &TestServer, pool_id: &str, o: ClientOptions) -> App {
    let (client_id, secret) = s
        .app_client(pool_id, |c| {
            c.set_explicit_auth_flows(Some(o.flows))
                .generate_secret(o.secret)
                .prevent_user_existence_errors(if o.legacy {
                    PreventUserExistenceErrorTypes::Legacy
                } else {
                    PreventUserExistenceErrorTypes::Enabled
                })
                .enable_token_revocation(o.revocation)
        })
        .await;
    App {
        pool_id: pool_id.to_owned(),
        client_id,
        secret,
    }
}

async fn app(s: &TestServer, o: ClientOptions) -> App {
    let pool_id = pool(s).await;
    client(s, &pool_id, o).await
}

/// Creates a user through the core (AdminCreateUser and SignUp belong to
/// another action family's tests).
async fn user(
    s: &TestServer,
    pool_id: &str,
    username: &str,
    status: UserStatus,
    attrs: &[(&str, &str)],
) -> User {
    let idp = &s.state.idp;
    let pool = idp.pool(pool_id).await.unwrap();
    let mut u = User::new(pool_id, username, idp.clock.now());
    for (k, v) in attrs {
        u.set_attribute(k, v);
    }
    let temporary = status == UserStatus::ForceChangePassword;
    idp.set_password(&pool, &mut u, &SecretString::new(PASSWORD), temporary)
        .await
        .unwrap();
    u.status = status;
    idp.store.create_user(&pool, &u).await.unwrap();
    u
}

/// SECRET_HASH computed here, independently of the server.
fn secret_hash(secret: &str, username: &str, client_id: &str) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
    B64.encode(hmac::sign(&key, format!("{username}{client_id}").as_bytes()).as_ref())
}

async fn password_auth(
    s: &TestServer,
    app: &App,
    username: &str,
    password: &str,
) -> Result<
    cip::operation::initiate_auth::InitiateAuthOutput,
    cip::error::SdkError<cip::operation::initiate_auth::InitiateAuthError>,
> {
    let mut req = s
        .public()
        .initiate_auth()
        .client_id(&app.client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", username)
        .auth_parameters("PASSWORD", password);
    if let Some(secret) = &app.secret {
        req = req.auth_parameters("SECRET_HASH", secret_hash(secret, username, &app.client_id));
    }
    req.send().await
}

struct Tokens {
    access: String,
    id: String,
    refresh: Option<String>,
}

async fn sign_in(s: &TestServer, app: &App, username: &str) -> Tokens {
    let out = password_auth(s, app, username, PASSWORD).await.unwrap();
    let r = out.authentication_result().expect("tokens");
    Tokens {
        access: r.access_token().unwrap().to_owned(),
        id: r.id_token().unwrap().to_owned(),
        refresh: r.refresh_token().map(str::to_owned),
    }
}

async fn refresh(
    s: &TestServer,
    app: &App,
    token: &str,
) -> Result<
    cip::operation::initiate_auth::InitiateAuthOutput,
    cip::error::SdkError<cip::operation::initiate_auth::InitiateAuthError>,
> {
    s.public()
        .initiate_auth()
        .client_id(&app.client_id)
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", token)
        .send()
        .await
}

/// The name and message of a service error.
fn failure<E, R>(err: &cip::error::SdkError<E, R>) -> (String, String)
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let message = match err {
        cip::error::SdkError::ServiceError(e) => e.err().message().unwrap_or("").to_owned(),
        _ => String::new(),
    };
    (error_name(err), message)
}

/// Verifies a token with `jsonwebtoken` against the JWKS found through the
/// pool's discovery document, as any relying party would.
async fn verify_with_jwks(
    s: &TestServer,
    pool_id: &str,
    token: &str,
    audience: Option<&str>,
) -> Value {
    let issuer = format!("{}/{pool_id}", s.url);
    let discovery: Value = reqwest::get(format!("{issuer}/.well-known/openid-configuration"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(discovery["issuer"], issuer);
    assert_eq!(
        discovery["id_token_signing_alg_values_supported"],
        json!(["RS256"])
    );
    let jwks: jsonwebtoken::jwk::JwkSet = reqwest::get(discovery["jwks_uri"].as_str().unwrap())
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
    match audience {
        Some(aud) => validation.set_audience(&[aud]),
        None => validation.validate_aud = false,
    }
    jsonwebtoken::decode::<Value>(token, &key, &validation)
        .expect("token verifies against the JWKS")
        .claims
}

// ---------------------------------------------------------------- tests

/// Cognito developer guide: "Understanding the identity (ID) token" and
/// "the access token" — the claims, checked against the published JWKS.
async fn user_password_auth_tokens_verify_against_the_published_jwks(s: TestServer) {
    let app = app(&s, ClientOptions::default()).await;
    let alice = user(
        &s,
        &app.pool_id,
        "alice",
        UserStatus::Confirmed,
        &[
            ("email", "alice@example.com"),
            ("email_verified", "true"),
            ("name", "Alice"),
        ],
    )
    .await;
    let admin = s.admin();
    admin
        .create_group()
        .user_pool_id(&app.pool_id)
        .group_name("admins")
        .precedence(1)
        .send()
        .await
        .unwrap();
    admin
        .admin_add_user_to_group()
        .user_pool_id(&app.pool_id)
        .username("alice")
        .group_name("admins")
        .send()
        .await
        .unwrap();

    let out = password_auth(&s, &app, "alice", PASSWORD).await.unwrap();
    assert!(out.challenge_name().is_none());
    let r = out.authentication_result().unwrap();
    assert_eq!(r.token_type(), Some("Bearer"));
    assert_eq!(r.expires_in(), 3600);
    let refresh = r.refresh_token().expect("a refresh token on sign-in");
    assert!(!refresh.contains(&alice.sub.to_string()));

    let now = s.clock.now().seconds();
    let id = verify_with_jwks(
        &s,
        &app.pool_id,
        r.id_token().unwrap(),
        Some(&app.client_id),
    )
    .await;
    assert_eq!(id["token_use"], "id");
    assert_eq!(id["sub"], alice.sub.to_string());
    assert_eq!(id["cognito:username"], "alice");
    assert_eq!(id["email"], "alice@example.com");
    assert_eq!(id["email_verified"], true);
    assert_eq!(id["name"], "Alice");
    assert_eq!(id["aud"], app.client_id);
    assert_eq!(id["cognito:groups"], json!(["admins"]));
    assert_eq!(id["auth_time"], now);
    assert_eq!(id["iat"], now);
    assert_eq!(id["exp"], now + 3600);
    assert!(id.get("phone_number").is_none());

    let access = verify_with_jwks(&s, &app.pool_id, r.access_token().unwrap(), None).await;
    assert_eq!(access["token_use"], "access");
    assert_eq!(access["sub"], alice.sub.to_string());
    assert_eq!(access["client_id"], app.client_id);
    assert_eq!(access["username"], "alice");
    assert_eq!(access["scope"], "aws.cognito.signin.user.admin");
    assert_eq!(access["cognito:groups"], json!(["admins"]));
    assert!(access.get("aud").is_none());
    // One sign-in: one origin_jti, distinct jti.
    assert_eq!(access["origin_jti"], id["origin_jti"]);
    assert_ne!(access["jti"], id["jti"]);
    assert!(access["event_id"].is_string());

    // The core accepts it for token-authorized actions.
    let (_, user, claims) = s
        .state
        .idp
        .authenticate_access_token(r.access_token().unwrap())
        .await
        .unwrap();
    assert_eq!(user.username, "alice");
    assert_eq!(claims["client_id"], app.client_id);
    // An ID token is not an access token.
    let err = s
        .state
        .idp
        .authenticate_access_token(r.id_token().unwrap())
        .await
        .unwrap_err();
    assert_eq!(err.message(), "Invalid Access Token");
}

/// CONVENTIONS 5; Cognito: PreventUserExistenceErrors ENABLED — a wrong
/// password and an unknown user get the same status and body.
async fn wrong_password_and_unknown_user_are_indistinguishable(s: TestServer) {
    let app = app(&s, ClientOptions::default()).await;
    user(&s, &app.pool_id, "alice", UserStatus::Confirmed, &[]).await;
    let body = |name: &str| {
        json!({
            "AuthFlow": "USER_PASSWORD_AUTH",
            "ClientId": app.client_id,
            "AuthParameters": {"USERNAME": name, "PASSWORD": "Wrong-Password-1"},
        })
        .to_string()
    };
    let (status_a, wrong_password, _) = s.raw(Some("InitiateAuth"), &body("alice")).await;
    let (status_b, unknown_user, _) = s.raw(Some("InitiateAuth"), &body("nobody")).await;
    assert_eq!(status_a, 400);
    assert_eq!((status_a, &wrong_password), (status_b, &unknown_user));
    assert_eq!(
        wrong_password,
        json!({"__type": "NotAuthorizedException", "message": "Incorrect username or password."})
    );
}

/// Cognito: PreventUserExistenceErrors LEGACY returns UserNotFoundException.
async fn legacy_clients_reveal_unknown_users(s: TestServer) {
    let app = app(
        &s,
        ClientOptions {
            legacy: true,
            ..Default::default()
        },
    )
    .await;
    user(&s, &app.pool_id, "alice", UserStatus::Confirmed, &[]).await;
    let err = password_auth(&s, &app, "nobody", PASSWORD)
        .await
        .unwrap_err();
    assert_eq!(
        failure(&err),
        (
            "UserNotFoundException".into(),
            "User does not exist.".into()
        )
    );
    let err = password_auth(&s, &app, "alice", "Wrong-Password-1")
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "NotAuthorizedException");
}

/// Cognito API: UserPoolClientType, ExplicitAuthFlows.
async fn flows_must_be_enabled_for_the_client(s: TestServer) {
    let app = app(
        &s,
        ClientOptions {
            flows: vec![
                ExplicitAuthFlowsType::AllowUserSrpAuth,
                ExplicitAuthFlowsType::AllowCustomAuth,
            ],
            ..Default::default()
        },
    )
    .await;
    user(&s, &app.pool_id, "alice", UserStatus::Confirmed, &[]).await;
    let err = password_auth(&s, &app, "alice", PASSWORD)
        .await
        .unwrap_err();
    assert_eq!(
        failure(&err),
        (
            "InvalidParameterException".into(),
            "USER_PASSWORD_AUTH flow not enabled for this client".into()
        )
    );
    let err = refresh(&s, &app, "v1.whatever").await.unwrap_err();
    assert_eq!(
        failure(&err).1,
        "REFRESH_TOKEN_AUTH flow not enabled for this client"
    );
    let err = s
        .admin()
        .admin_initiate_auth()
        .user_pool_id(&app.pool_id)
        .client_id(&app.client_id)
        .auth_flow(AuthFlowType::AdminUserPasswordAuth)
        .auth_parameters("USERNAME", "alice")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        failure(&err).1,
        "ADMIN_USER_PASSWORD_AUTH flow not enabled for this client"
    );
    // InitiateAuth takes no ADMIN_* flow, whatever the client allows.
    let err = s
        .public()
        .initiate_auth()
        .client_id(&app.client_id)
        .auth_flow(AuthFlowType::AdminUserPasswordAuth)
        .auth_parameters("USERNAME", "alice")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "InvalidParameterException");
    // An unknown client.
    let err = password_auth(
        &s,
        &App {
            client_id: "nosuchclient0000000000000".into(),
            ..app
        },
        "alice",
        PASSWORD,
    )
    .await
    .unwrap_err();
    assert_eq!(error_name(&err), "ResourceNotFoundException");
}

/// Cognito developer guide: "Computing secret hash values".
async fn secret_hash_is_required_and_checked(s: TestServer) {
    let app = app(
        &s,
        ClientOptions {
            secret: true,
            ..Default::default()
        },
    )
    .await;
    let secret = app.secret.clone().expect("a client secret");
    let alice = user(
        &s,
        &app.pool_id,
        "alice",
        UserStatus::Confirmed,
        &[("email", "alice@example.com")],
    )
    .await;
    let public = s.public();
    let base = || {
        public
            .initiate_auth()
            .client_id(&app.client_id)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", "alice")
            .auth_parameters("PASSWORD", PASSWORD)
    };
    let err = base().send().await.unwrap_err();
    assert_eq!(
        failure(&err),
        (
            "NotAuthorizedException".into(),
            format!(
                "Client {} is configured with secret but SECRET_HASH was not received",
                app.client_id
            )
        )
    );
    for wrong in [
        secret_hash(&secret, "bob", &app.client_id),
        secret_hash("not-the-secret", "alice", &app.client_id),
        "garbage".to_owned(),
    ] {
        let err = base()
            .auth_parameters("SECRET_HASH", wrong)
            .send()
            .await
            .unwrap_err();
        assert_eq!(
            failure(&err),
            (
                "NotAuthorizedException".into(),
                format!("Unable to verify secret hash for client {}", app.client_id)
            )
        );
    }
    let tokens = sign_in(&s, &app, "alice").await;
    let refresh_token = tokens.refresh.unwrap();

    // REFRESH_TOKEN_AUTH: the hash is over the user's username or sub.
    let err = refresh(&s, &app, &refresh_token).await.unwrap_err();
    assert_eq!(error_name(&err), "NotAuthorizedException");
    for name in ["alice".to_owned(), alice.sub.to_string()] {
        let out = public
            .initiate_auth()
            .client_id(&app.client_id)
            .auth_flow(AuthFlowType::RefreshTokenAuth)
            .auth_parameters("REFRESH_TOKEN", &refresh_token)
            .auth_parameters("SECRET_HASH", secret_hash(&secret, &name, &app.client_id))
            .send()
            .await
            .unwrap();
        assert!(
            out.authentication_result()
                .unwrap()
                .access_token()
                .is_some()
        );
    }
    let err = public
        .initiate_auth()
        .client_id(&app.client_id)
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", &refresh_token)
        .auth_parameters(
            "SECRET_HASH",
            secret_hash(&secret, "mallory", &app.client_id),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        failure(&err).1,
        format!("Unable to verify secret hash for client {}", app.client_id)
    );

    // RevokeToken: a secret client must send its secret.
    let err = public
        .revoke_token()
        .client_id(&app.client_id)
        .token(&refresh_token)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "UnauthorizedException");
    public
        .revoke_token()
        .client_id(&app.client_id)
        .client_secret(&secret)
        .token(&refresh_token)
        .send()
        .await
        .unwrap();
}

/// Cognito API: InitiateAuth, Errors — the user's state is told only to
/// someone who knows the password.
async fn user_state_is_checked_after_the_password(s: TestServer) {
    let app = app(&s, ClientOptions::default()).await;
    let mut disabled = user(&s, &app.pool_id, "dora", UserStatus::Confirmed, &[]).await;
    disabled.enabled = false;
    let pool = s.state.idp.pool(&app.pool_id).await.unwrap();
    s.state
        .idp
        .store
        .update_user(&pool, &disabled)
        .await
        .unwrap();
    user(&s, &app.pool_id, "una", UserStatus::Unconfirmed, &[]).await;
    user(&s, &app.pool_id, "rita", UserStatus::ResetRequired, &[]).await;

    let cases = [
        ("dora", "NotAuthorizedException", "User is disabled."),
        ("una", "UserNotConfirmedException", "User is not confirmed."),
        (
            "rita",
            "PasswordResetRequiredException",
            "Password reset required for the user",
        ),
    ];
    for (name, error, message) in cases {
        let err = password_auth(&s, &app, name, PASSWORD).await.unwrap_err();
        assert_eq!(failure(&err), (error.into(), message.into()), "{name}");
        let err = password_auth(&s, &app, name, "Wrong-Password-1")
            .await
            .unwrap_err();
        assert_eq!(
            failure(&err),
            (
                "NotAuthorizedException".into(),
                "Incorrect username or password.".into()
            ),
            "{name} with a wrong password"
        );
    }

    // An expired temporary password (Cognito API: AdminCreateUser,
    // TemporaryPasswordValidityDays).
    let mut late = user(
        &s,
        &app.pool_id,
        "late",
        UserStatus::ForceChangePassword,
        &[],
    )
    .await;
    late.password_expires = Some(s.clock.now().plus_seconds(-1));
    s.state.idp.store.update_user(&pool, &late).await.unwrap();
    let err = password_auth(&s, &app, "late", PASSWORD).await.unwrap_err();
    assert_eq!(
        failure(&err).1,
        "Temporary password has expired and must be reset by an administrator."
    );
}

/// Cognito API: RespondToAuthChallenge, NEW_PASSWORD_REQUIRED.
async fn new_password_required_round_trip(s: TestServer) {
    let app = app(&s, ClientOptions::default()).await;
    user(
        &s,
        &app.pool_id,
        "nina",
        UserStatus::ForceChangePassword,
        &[("email", "nina@example.com")],
    )
    .await;
    let out = password_auth(&s, &app, "nina", PASSWORD).await.unwrap();
    assert!(out.authentication_result().is_none());
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::NewPasswordRequired)
    );
    let params = out.challenge_parameters().unwrap();
    assert_eq!(params["USER_ID_FOR_SRP"], "nina");
    assert_eq!(params["requiredAttributes"], "[]");
    let attrs: Value = serde_json::from_str(&params["userAttributes"]).unwrap();
    assert_eq!(attrs["email"], "nina@example.com");
    let session = out.session().unwrap().to_owned();
    assert!(!session.contains("nina"));

    let respond = |password: &str| {
        s.public()
            .respond_to_auth_challenge()
            .client_id(&app.client_id)
            .challenge_name(ChallengeNameType::NewPasswordRequired)
            .session(&session)
            .challenge_responses("USERNAME", "nina")
            .challenge_responses("NEW_PASSWORD", password)
            .challenge_responses("userAttributes.name", "Nina")
    };
    let err = respond("short").send().await.unwrap_err();
    assert_eq!(error_name(&err), "InvalidPasswordException");
    let out = respond("Brand-New-Pass-7").send().await.unwrap();
    let r = out
        .authentication_result()
        .expect("tokens after the new password");
    assert!(r.refresh_token().is_some());
    let id = jwt_claims(r.id_token().unwrap());
    assert_eq!(id["name"], "Nina");

    let pool = s.state.idp.pool(&app.pool_id).await.unwrap();
    let nina = s.state.idp.admin_find_user(&pool, "nina").await.unwrap();
    assert_eq!(nina.status, UserStatus::Confirmed);
    assert_eq!(nina.password_expires, None);
    // The session is spent; the new password works, the temporary one not.
    let err = respond("Another-Pass-8").send().await.unwrap_err();
    assert_eq!(
        failure(&err),
        (
            "NotAuthorizedException".into(),
            "Invalid session for the user.".into()
        )
    );
    password_auth(&s, &app, "nina", "Brand-New-Pass-7")
        .await
        .unwrap();
    let err = password_auth(&s, &app, "nina", PASSWORD).await.unwrap_err();
    assert_eq!(error_name(&err), "NotAuthorizedException");
}

/// A session names its client and user, and lasts AuthSessionValidity
/// (3 minutes by default).
async fn new_password_sessions_are_bound_and_expire(s: TestServer) {
    let app = app(&s, ClientOptions::default()).await;
    let other = client(&s, &app.pool_id, ClientOptions::default()).await;
    for name in ["nina", "otto"] {
        user(&s, &app.pool_id, name, UserStatus::ForceChangePassword, &[]).await;
    }
    let out = password_auth(&s, &app, "nina", PASSWORD).await.unwrap();
    let session = out.session().unwrap().to_owned();
    let respond = |client_id: &str, username: &str, session: &str| {
        s.public()
            .respond_to_auth_challenge()
            .client_id(client_id)
            .challenge_name(ChallengeNameType::NewPasswordRequired)
            .session(session)
            .challenge_responses("USERNAME", username)
            .challenge_responses("NEW_PASSWORD", "Brand-New-Pass-7")
            .send()
    };
    let invalid = (
        "NotAuthorizedException".to_owned(),
        "Invalid session for the user.".to_owned(),
    );
    let err = respond(&other.client_id, "nina", &session)
        .await
        .unwrap_err();
    assert_eq!(failure(&err), invalid, "another client");
    let err = respond(&app.client_id, "otto", &session).await.unwrap_err();
    assert_eq!(failure(&err), invalid, "another user");
    let mut forged = session.clone();
    forged.replace_range(10..11, if &session[10..11] == "A" { "B" } else { "A" });
    let err = respond(&app.client_id, "nina", &forged).await.unwrap_err();
    assert_eq!(failure(&err), invalid, "a forged session");

    s.clock.advance(3 * 60 * 1000);
    let err = respond(&app.client_id, "nina", &session).await.unwrap_err();
    assert_eq!(
        failure(&err),
        (
            "NotAuthorizedException".into(),
            "Invalid session for the user, session is expired.".into()
        )
    );
}

/// Cognito API: InitiateAuth REFRESH_TOKEN_AUTH; RevokeToken.
async fn refresh_token_auth_and_revoke_token(s: TestServer) {
    let app = app(&s, ClientOptions::default()).await;
    user(&s, &app.pool_id, "alice", UserStatus::Confirmed, &[]).await;
    let first = sign_in(&s, &app, "alice").await;
    let second = sign_in(&s, &app, "alice").await;
    let refresh_token = first.refresh.clone().unwrap();

    s.clock.advance(60_000);
    let out = refresh(&s, &app, &refresh_token).await.unwrap();
    let r = out.authentication_result().unwrap();
    // Cognito API: AuthenticationResultType — no new refresh token.
    assert!(r.refresh_token().is_none());
    let old = jwt_claims(&first.access);
    assert_eq!(jwt_claims(&first.id)["origin_jti"], old["origin_jti"]);
    let new = verify_with_jwks(&s, &app.pool_id, r.access_token().unwrap(), None).await;
    assert_eq!(new["origin_jti"], old["origin_jti"]);
    assert_eq!(new["auth_time"], old["auth_time"]);
    assert_eq!(new["iat"], old["iat"].as_i64().unwrap() + 60);
    let id = jwt_claims(r.id_token().unwrap());
    assert_eq!(id["origin_jti"], old["origin_jti"]);
    // REFRESH_TOKEN is the same flow under its older name.
    s.public()
        .initiate_auth()
        .client_id(&app.client_id)
        .auth_flow(AuthFlowType::RefreshToken)
        .auth_parameters("REFRESH_TOKEN", &refresh_token)
        .send()
        .await
        .unwrap();

    for bad in [
        "v1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "garbage",
        first.access.as_str(),
    ] {
        let err = refresh(&s, &app, bad).await.unwrap_err();
        assert_eq!(
            failure(&err),
            (
                "NotAuthorizedException".into(),
                "Invalid Refresh Token".into()
            )
        );
    }
    // Another client of the pool cannot use it.
    let other = client(&s, &app.pool_id, ClientOptions::default()).await;
    let err = refresh(&s, &other, &refresh_token).await.unwrap_err();
    assert_eq!(failure(&err).1, "Invalid Refresh Token");
    let err = s
        .public()
        .revoke_token()
        .client_id(&other.client_id)
        .token(&refresh_token)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "UnauthorizedException");

    // RevokeToken: the refresh token and every access token of its sign-in.
    s.public()
        .revoke_token()
        .client_id(&app.client_id)
        .token(&refresh_token)
        .send()
        .await
        .unwrap();
    let err = refresh(&s, &app, &refresh_token).await.unwrap_err();
    assert_eq!(
        failure(&err),
        (
            "NotAuthorizedException".into(),
            "Refresh Token has been revoked".into()
        )
    );
    for access in [&first.access, &r.access_token().unwrap().to_owned()] {
        let err = s
            .state
            .idp
            .authenticate_access_token(access)
            .await
            .unwrap_err();
        assert_eq!(err.message(), "Access Token has been revoked");
    }
    // The other sign-in is untouched.
    s.state
        .idp
        .authenticate_access_token(&second.access)
        .await
        .unwrap();
    refresh(&s, &app, second.refresh.as_ref().unwrap())
        .await
        .unwrap();
    // RFC 7009 §2.2: revoking again, or an unknown token, is not an error.
    s.public()
        .revoke_token()
        .client_id(&app.client_id)
        .token(&refresh_token)
        .send()
        .await
        .unwrap();
    // Only refresh tokens can be revoked.
    let err = s
        .public()
        .revoke_token()
        .client_id(&app.client_id)
        .token(&second.access)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "UnsupportedTokenTypeException");

    // Cognito API: EnableTokenRevocation false.
    let closed = client(
        &s,
        &app.pool_id,
        ClientOptions {
            revocation: false,
            ..Default::default()
        },
    )
    .await;
    let t = sign_in(&s, &closed, "alice").await;
    let err = s
        .public()
        .revoke_token()
        .client_id(&closed.client_id)
        .token(t.refresh.as_ref().unwrap())
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "UnsupportedOperationException");
}

/// Cognito API: GlobalSignOut and AdminUserGlobalSignOut revoke every
/// sign-in of the user, in every client.
async fn global_sign_out_revokes_every_sign_in(s: TestServer) {
    let app = app(&s, ClientOptions::default()).await;
    let other = client(&s, &app.pool_id, ClientOptions::default()).await;
    user(&s, &app.pool_id, "alice", UserStatus::Confirmed, &[]).await;
    user(&s, &app.pool_id, "bob", UserStatus::Confirmed, &[]).await;
    let a1 = sign_in(&s, &app, "alice").await;
    let a2 = sign_in(&s, &other, "alice").await;
    let bob = sign_in(&s, &app, "bob").await;

    let err = s
        .public()
        .global_sign_out()
        .access_token("not-a-token")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        failure(&err),
        (
            "NotAuthorizedException".into(),
            "Invalid Access Token".into()
        )
    );
    s.public()
        .global_sign_out()
        .access_token(&a1.access)
        .send()
        .await
        .unwrap();
    for (a, c) in [(&a1, &app), (&a2, &other)] {
        let err = refresh(&s, c, a.refresh.as_ref().unwrap())
            .await
            .unwrap_err();
        assert_eq!(failure(&err).1, "Refresh Token has been revoked");
        let err = s
            .state
            .idp
            .authenticate_access_token(&a.access)
            .await
            .unwrap_err();
        assert_eq!(err.message(), "Access Token has been revoked");
    }
    // Signed out, the token cannot sign out again.
    let err = s
        .public()
        .global_sign_out()
        .access_token(&a1.access)
        .send()
        .await
        .unwrap_err();
    assert_eq!(failure(&err).1, "Access Token has been revoked");
    // Bob is untouched; a new sign-in works.
    refresh(&s, &app, bob.refresh.as_ref().unwrap())
        .await
        .unwrap();
    let a3 = sign_in(&s, &app, "alice").await;
    s.state
        .idp
        .authenticate_access_token(&a3.access)
        .await
        .unwrap();

    s.admin()
        .admin_user_global_sign_out()
        .user_pool_id(&app.pool_id)
        .username("alice")
        .send()
        .await
        .unwrap();
    let err = refresh(&s, &app, a3.refresh.as_ref().unwrap())
        .await
        .unwrap_err();
    assert_eq!(failure(&err).1, "Refresh Token has been revoked");
    let err = s
        .admin()
        .admin_user_global_sign_out()
        .user_pool_id(&app.pool_id)
        .username("nobody")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "UserNotFoundException");
    // Public callers cannot sign others out.
    let (status, body, _) = s
        .raw(
            Some("AdminUserGlobalSignOut"),
            &json!({"UserPoolId": app.pool_id, "Username": "bob"}).to_string(),
        )
        .await;
    assert_eq!(status, 403);
    assert_eq!(body["__type"], "MissingAuthenticationTokenException");
}

/// RFC 7519 §4.1.4 on the server's clock; the refresh token outlives it.
async fn access_tokens_expire_on_the_server_clock(s: TestServer) {
    let app = app(&s, ClientOptions::default()).await;
    let mut alice = user(&s, &app.pool_id, "alice", UserStatus::Confirmed, &[]).await;
    let t = sign_in(&s, &app, "alice").await;
    s.clock.advance(3_599 * 1000);
    s.state
        .idp
        .authenticate_access_token(&t.access)
        .await
        .unwrap();
    s.clock.advance(1000);
    let err = s
        .state
        .idp
        .authenticate_access_token(&t.access)
        .await
        .unwrap_err();
    assert_eq!(
        (err.wire_name(), err.message()),
        ("NotAuthorizedException", "Access Token has expired")
    );
    let out = refresh(&s, &app, t.refresh.as_ref().unwrap())
        .await
        .unwrap();
    let fresh = out.authentication_result().unwrap().access_token().unwrap();
    s.state.idp.authenticate_access_token(fresh).await.unwrap();

    // A disabled user's tokens stop working, and refresh fails.
    alice.enabled = false;
    let pool = s.state.idp.pool(&app.pool_id).await.unwrap();
    s.state.idp.store.update_user(&pool, &alice).await.unwrap();
    let err = s
        .state
        .idp
        .authenticate_access_token(fresh)
        .await
        .unwrap_err();
    assert_eq!(err.message(), "User is disabled.");
    let err = refresh(&s, &app, t.refresh.as_ref().unwrap())
        .await
        .unwrap_err();
    assert_eq!(failure(&err).1, "User is disabled.");

    // A deleted user's refresh token is gone with them.
    s.state
        .idp
        .store
        .delete_user(&app.pool_id, alice.sub)
        .await
        .unwrap();
    let err = refresh(&s, &app, t.refresh.as_ref().unwrap())
        .await
        .unwrap_err();
    assert_eq!(failure(&err).1, "Invalid Refresh Token");

    // RefreshTokenValidity (30 days by default).
    user(&s, &app.pool_id, "bob", UserStatus::Confirmed, &[]).await;
    let b = sign_in(&s, &app, "bob").await;
    s.clock.advance(30 * 86_400 * 1000);
    let err = refresh(&s, &app, b.refresh.as_ref().unwrap())
        .await
        .unwrap_err();
    assert_eq!(failure(&err).1, "Refresh Token has expired");
    // Kept a day past expiry (an access token may outlive its refresh
    // token by that much), then purged.
    assert_eq!(s.state.idp.purge_expired_refresh_tokens().await.unwrap(), 0);
    s.clock.advance(86_401 * 1000);
    assert_eq!(s.state.idp.purge_expired_refresh_tokens().await.unwrap(), 1);
}

/// AdminInitiateAuth is administrative: SigV4 only.
async fn admin_initiate_auth_requires_sigv4(s: TestServer) {
    let app = app(&s, ClientOptions::default()).await;
    user(&s, &app.pool_id, "alice", UserStatus::Confirmed, &[]).await;
    user(
        &s,
        &app.pool_id,
        "nina",
        UserStatus::ForceChangePassword,
        &[],
    )
    .await;
    let body = json!({
        "UserPoolId": app.pool_id,
        "ClientId": app.client_id,
        "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
        "AuthParameters": {"USERNAME": "alice", "PASSWORD": PASSWORD},
    })
    .to_string();
    let (status, err, _) = s.raw(Some("AdminInitiateAuth"), &body).await;
    assert_eq!(status, 403);
    assert_eq!(err["__type"], "MissingAuthenticationTokenException");

    let admin = s.admin();
    for flow in [
        AuthFlowType::AdminUserPasswordAuth,
        AuthFlowType::AdminNoSrpAuth,
    ] {
        let out = admin
            .admin_initiate_auth()
            .user_pool_id(&app.pool_id)
            .client_id(&app.client_id)
            .auth_flow(flow)
            .auth_parameters("USERNAME", "alice")
            .auth_parameters("PASSWORD", PASSWORD)
            .send()
            .await
            .unwrap();
        assert!(
            out.authentication_result()
                .unwrap()
                .refresh_token()
                .is_some()
        );
    }
    // The client must belong to the named pool.
    let elsewhere = pool(&s).await;
    let err = admin
        .admin_initiate_auth()
        .user_pool_id(&elsewhere)
        .client_id(&app.client_id)
        .auth_flow(AuthFlowType::AdminUserPasswordAuth)
        .auth_parameters("USERNAME", "alice")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "ResourceNotFoundException");
    // AdminInitiateAuth takes no USER_PASSWORD_AUTH.
    let err = admin
        .admin_initiate_auth()
        .user_pool_id(&app.pool_id)
        .client_id(&app.client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "alice")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "InvalidParameterException");

    // AdminRespondToAuthChallenge answers NEW_PASSWORD_REQUIRED.
    let out = admin
        .admin_initiate_auth()
        .user_pool_id(&app.pool_id)
        .client_id(&app.client_id)
        .auth_flow(AuthFlowType::AdminUserPasswordAuth)
        .auth_parameters("USERNAME", "nina")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::NewPasswordRequired)
    );
    let out = admin
        .admin_respond_to_auth_challenge()
        .user_pool_id(&app.pool_id)
        .client_id(&app.client_id)
        .challenge_name(ChallengeNameType::NewPasswordRequired)
        .session(out.session().unwrap())
        .challenge_responses("USERNAME", "nina")
        .challenge_responses("NEW_PASSWORD", "Brand-New-Pass-7")
        .send()
        .await
        .unwrap();
    assert!(
        out.authentication_result()
            .unwrap()
            .access_token()
            .is_some()
    );
}

/// Cognito's SRP (USER_SRP_AUTH, PASSWORD_VERIFIER) with the reference
/// client from cognate_core::srp, as amazon-cognito-identity-js computes it.
async fn user_srp_auth_with_the_reference_client(s: TestServer) {
    let app = app(&s, ClientOptions::default()).await;
    user(&s, &app.pool_id, "alice", UserStatus::Confirmed, &[]).await;
    let attempt =
        |username: &'static str, password: &'static str| srp_sign_in(&s, &app, username, password);
    let out = attempt("alice", PASSWORD).await.unwrap();
    let access = out.authentication_result().unwrap().access_token().unwrap();
    let claims = verify_with_jwks(&s, &app.pool_id, access, None).await;
    assert_eq!(claims["username"], "alice");

    let incorrect = (
        "NotAuthorizedException".to_owned(),
        "Incorrect username or password.".to_owned(),
    );
    let err = attempt("alice", "Wrong-Password-1").await.unwrap_err();
    assert_eq!(failure(&err), incorrect);
    // An unknown user gets a challenge too, and the same refusal.
    let err = attempt("nobody", PASSWORD).await.unwrap_err();
    assert_eq!(failure(&err), incorrect);
}

type SrpResult = Result<
    cip::operation::respond_to_auth_challenge::RespondToAuthChallengeOutput,
    cip::error::SdkError<cip::operation::respond_to_auth_challenge::RespondToAuthChallengeError>,
>;

/// USER_SRP_AUTH then PASSWORD_VERIFIER with the reference client.
async fn srp_sign_in(s: &TestServer, app: &App, username: &str, password: &str) -> SrpResult {
    let c = SrpClient::new();
    let out = s
        .public()
        .initiate_auth()
        .client_id(&app.client_id)
        .auth_flow(AuthFlowType::UserSrpAuth)
        .auth_parameters("USERNAME", username)
        .auth_parameters("SRP_A", c.srp_a_hex())
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::PasswordVerifier)
    );
    let p = out.challenge_parameters().unwrap();
    let timestamp = srp::cognito_timestamp(s.clock.now());
    let signature = c
        .password_claim_signature(
            srp::pool_name_for_srp(&app.pool_id),
            &p["USER_ID_FOR_SRP"],
            password,
            &p["SALT"],
            &p["SRP_B"],
            &p["SECRET_BLOCK"],
            &timestamp,
        )
        .unwrap();
    s.public()
        .respond_to_auth_challenge()
        .client_id(&app.client_id)
        .challenge_name(ChallengeNameType::PasswordVerifier)
        .challenge_responses("USERNAME", &p["USER_ID_FOR_SRP"])
        .challenge_responses("PASSWORD_CLAIM_SECRET_BLOCK", &p["SECRET_BLOCK"])
        .challenge_responses("PASSWORD_CLAIM_SIGNATURE", signature)
        .challenge_responses("TIMESTAMP", timestamp)
        .send()
        .await
}

/// Cognito developer guide, "lockout behavior for failed sign-in attempts":
/// five failures lock the user out for 1 s, doubling with each further
/// failure; attempts during a lockout fail without extending it; a
/// successful sign-in or 15 quiet minutes clear the count. Password and
/// SRP failures count alike.
async fn lockout_after_five_failures_doubles_and_resets(s: TestServer) {
    let app = app(&s, ClientOptions::default()).await;
    user(&s, &app.pool_id, "alice", UserStatus::Confirmed, &[]).await;
    let password = |pw: &'static str| {
        let s = &s;
        let app = &app;
        async move {
            s.public()
                .initiate_auth()
                .client_id(&app.client_id)
                .auth_flow(AuthFlowType::UserPasswordAuth)
                .auth_parameters("USERNAME", "alice")
                .auth_parameters("PASSWORD", pw)
                .send()
                .await
                .map_err(|e| failure(&e).1)
                .map(|_| ())
        }
    };
    let incorrect = Err("Incorrect username or password.".to_owned());
    let locked = Err("Password attempts exceeded".to_owned());
    for _ in 0..4 {
        assert_eq!(password("Wrong-Password-1").await, incorrect);
    }
    // The fifth failure is by SRP.
    let err = srp_sign_in(&s, &app, "alice", "Wrong-Password-1")
        .await
        .unwrap_err();
    assert_eq!(failure(&err).1, "Incorrect username or password.");
    // Locked for one second: even the right password is refused, by SRP too.
    assert_eq!(password(PASSWORD).await, locked);
    let err = srp_sign_in(&s, &app, "alice", PASSWORD).await.unwrap_err();
    assert_eq!(failure(&err).1, "Password attempts exceeded");
    s.clock.advance(1_001);
    // A sixth failure locks for two seconds.
    assert_eq!(password("Wrong-Password-1").await, incorrect);
    s.clock.advance(1_500);
    // Attempts during the lockout do not extend it.
    assert_eq!(password("Wrong-Password-1").await, locked);
    assert_eq!(password(PASSWORD).await, locked);
    s.clock.advance(501);
    assert_eq!(password(PASSWORD).await, Ok(()));

    // Success cleared the count: four failures lock nothing.
    for _ in 0..4 {
        assert_eq!(password("Wrong-Password-1").await, incorrect);
    }
    assert_eq!(password(PASSWORD).await, Ok(()));

    // Fifteen quiet minutes clear it too.
    for _ in 0..4 {
        assert_eq!(password("Wrong-Password-1").await, incorrect);
    }
    s.clock.advance(15 * 60 * 1000);
    assert_eq!(password("Wrong-Password-1").await, incorrect);
    assert_eq!(password(PASSWORD).await, Ok(()));
}

/// CONVENTIONS 5 with PreventUserExistenceErrors ENABLED: a name no user
/// has locks out after the same failures, with the same message, by
/// password and by SRP, so the lockout does not tell which accounts exist.
async fn unknown_names_lock_out_like_users(s: TestServer) {
    let app = app(&s, ClientOptions::default()).await;
    user(&s, &app.pool_id, "alice", UserStatus::Confirmed, &[]).await;
    let attempt = |name: &'static str, pw: &'static str| {
        let s = &s;
        let app = &app;
        async move {
            s.public()
                .initiate_auth()
                .client_id(&app.client_id)
                .auth_flow(AuthFlowType::UserPasswordAuth)
                .auth_parameters("USERNAME", name)
                .auth_parameters("PASSWORD", pw)
                .send()
                .await
                .map_err(|e| failure(&e))
                .map(|_| ())
        }
    };
    let both = |pw: &'static str| async move {
        let known = attempt("alice", pw).await;
        let unknown = attempt("nobody", pw).await;
        assert_eq!(known, unknown, "alice and nobody differ with {pw}");
        unknown
    };
    let incorrect = Err((
        "NotAuthorizedException".to_owned(),
        "Incorrect username or password.".to_owned(),
    ));
    let locked = Err((
        "NotAuthorizedException".to_owned(),
        "Password attempts exceeded".to_owned(),
    ));
    for _ in 0..4 {
        assert_eq!(both("Wrong-Password-1").await, incorrect);
    }
    for name in ["alice", "nobody"] {
        let err = srp_sign_in(&s, &app, name, "Wrong-Password-1")
            .await
            .unwrap_err();
        assert_eq!(failure(&err).1, "Incorrect username or password.", "{name}");
    }
    assert_eq!(both("Wrong-Password-1").await, locked);
    for name in ["alice", "nobody"] {
        let err = srp_sign_in(&s, &app, name, "Wrong-Password-1")
            .await
            .unwrap_err();
        assert_eq!(failure(&err).1, "Password attempts exceeded", "{name}");
    }
    s.clock.advance(1_001);
    assert_eq!(both("Wrong-Password-1").await, incorrect);
    assert_eq!(both("Wrong-Password-1").await, locked);
}

/// Unknown pools have no OIDC documents.
async fn oidc_documents_of_unknown_pools_are_404(s: TestServer) {
    for path in [
        "us-east-1_NoSuchPool/.well-known/jwks.json",
        "us-east-1_NoSuchPool/.well-known/openid-configuration",
        "not a pool/.well-known/jwks.json",
    ] {
        let resp = reqwest::get(format!("{}/{path}", s.url)).await.unwrap();
        assert_eq!(resp.status(), 404, "{path}");
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["__type"], "ResourceNotFoundException");
    }
    let pool_id = pool(&s).await;
    let resp = reqwest::get(format!("{}/{pool_id}/.well-known/jwks.json", s.url))
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let jwks: Value = resp.json().await.unwrap();
    let keys = jwks["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0]["alg"], "RS256");
    assert_eq!(keys[0]["use"], "sig");
    // The key is made once: a second fetch shows the same one.
    let again: Value = reqwest::get(format!("{}/{pool_id}/.well-known/jwks.json", s.url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(again, jwks);
}

/// The whole path through the SDK: AdminCreateUser with a temporary
/// password, NEW_PASSWORD_REQUIRED, GetUser with the access token, then
/// GlobalSignOut makes GetUser refuse it.
async fn admin_created_users_choose_a_password_then_sign_out(s: TestServer) {
    let app = app(&s, ClientOptions::default()).await;
    s.admin()
        .admin_create_user()
        .user_pool_id(&app.pool_id)
        .username("carol")
        .temporary_password(PASSWORD)
        .message_action(cip::types::MessageActionType::Suppress)
        .user_attributes(
            cip::types::AttributeType::builder()
                .name("email")
                .value("carol@example.com")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let out = password_auth(&s, &app, "carol", PASSWORD).await.unwrap();
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::NewPasswordRequired)
    );
    let out = s
        .public()
        .respond_to_auth_challenge()
        .client_id(&app.client_id)
        .challenge_name(ChallengeNameType::NewPasswordRequired)
        .session(out.session().unwrap())
        .challenge_responses("USERNAME", "carol")
        .challenge_responses("NEW_PASSWORD", "Brand-New-Pass-7")
        .send()
        .await
        .unwrap();
    let access = out
        .authentication_result()
        .unwrap()
        .access_token()
        .unwrap()
        .to_owned();
    let me = s
        .public()
        .get_user()
        .access_token(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(me.username(), "carol");
    let status = s
        .admin()
        .admin_get_user()
        .user_pool_id(&app.pool_id)
        .username("carol")
        .send()
        .await
        .unwrap();
    assert_eq!(
        status.user_status(),
        Some(&cip::types::UserStatusType::Confirmed)
    );

    s.public()
        .global_sign_out()
        .access_token(&access)
        .send()
        .await
        .unwrap();
    let err = s
        .public()
        .get_user()
        .access_token(&access)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        failure(&err),
        (
            "NotAuthorizedException".into(),
            "Access Token has been revoked".into()
        )
    );
}
