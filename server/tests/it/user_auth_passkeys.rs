//! Passkeys through the AWS SDK for Rust, with kanidm's SoftPasskey (a
//! software authenticator from webauthn-authenticator-rs) as the user's
//! device: StartWebAuthnRegistration, CompleteWebAuthnRegistration,
//! ListWebAuthnCredentials, DeleteWebAuthnCredential, and USER_AUTH's
//! WEB_AUTHN challenge; an assertion for another relying party, a
//! registration nobody started and a pool without passkeys are refused as
//! Cognito refuses them, changing nothing.

use std::collections::HashMap;

use aws_sdk_cognitoidentityprovider as cip;
use aws_smithy_types::{Document, Number};
use cip::types::{
    AuthFactorType, AuthFlowType, ChallengeNameType, ExplicitAuthFlowsType,
    PreventUserExistenceErrorTypes, SignInPolicyType, UserPoolPolicyType,
    WebAuthnConfigurationType,
};
use serde_json::Value;
use url::Url;
use webauthn_authenticator_rs::WebauthnAuthenticator;
use webauthn_authenticator_rs::softpasskey::SoftPasskey;
use webauthn_rs::prelude::{CreationChallengeResponse, RequestChallengeResponse};

use crate::common::users::PASSWORD;
use crate::common::{TestServer, error_name};

const RP_ID: &str = "auth.example.com";

fn to_document(v: &Value) -> Document {
    match v {
        Value::Null => Document::Null,
        Value::Bool(b) => Document::Bool(*b),
        Value::Number(n) => Document::Number(match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => Number::PosInt(u),
            (None, Some(i)) => Number::NegInt(i),
            _ => Number::Float(n.as_f64().unwrap_or_default()),
        }),
        Value::String(s) => Document::String(s.clone()),
        Value::Array(a) => Document::Array(a.iter().map(to_document).collect()),
        Value::Object(o) => Document::Object(
            o.iter()
                .map(|(k, v)| (k.clone(), to_document(v)))
                .collect::<HashMap<_, _>>(),
        ),
    }
}

fn to_json(d: &Document) -> Value {
    match d {
        Document::Null => Value::Null,
        Document::Bool(b) => Value::Bool(*b),
        Document::Number(Number::PosInt(u)) => Value::from(*u),
        Document::Number(Number::NegInt(i)) => Value::from(*i),
        Document::Number(Number::Float(f)) => Value::from(*f),
        Document::String(s) => Value::String(s.clone()),
        Document::Array(a) => Value::Array(a.iter().map(to_json).collect()),
        Document::Object(o) => {
            Value::Object(o.iter().map(|(k, v)| (k.clone(), to_json(v))).collect())
        }
    }
}

/// The user's device: a software passkey that verifies its user.
fn device() -> SoftPasskey {
    SoftPasskey::new(true)
}

fn origin(host: &str) -> Url {
    Url::parse(&format!("https://{host}")).unwrap()
}

/// A pool allowing passwords and passkeys under RP_ID, a USER_AUTH client,
/// and `ann`'s access token.
async fn setup(s: &TestServer) -> (String, String, String) {
    setup_for(s, RP_ID).await
}

/// [`setup`] with the relying party `rp_id`.
async fn setup_for(s: &TestServer, rp_id: &str) -> (String, String, String) {
    let pool_id = s
        .pool(|b| {
            b.policies(
                UserPoolPolicyType::builder()
                    .sign_in_policy(
                        SignInPolicyType::builder()
                            .allowed_first_auth_factors(AuthFactorType::Password)
                            .allowed_first_auth_factors(AuthFactorType::WebAuthn)
                            .build(),
                    )
                    .build(),
            )
        })
        .await;
    s.admin()
        .set_user_pool_mfa_config()
        .user_pool_id(&pool_id)
        .web_authn_configuration(
            WebAuthnConfigurationType::builder()
                .relying_party_id(rp_id)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let (client_id, _) = s
        .app_client(&pool_id, |c| {
            c.explicit_auth_flows(ExplicitAuthFlowsType::AllowUserAuth)
                .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
                // The user's own factors are offered (see user_auth.rs for
                // PreventUserExistenceErrors).
                .prevent_user_existence_errors(PreventUserExistenceErrorTypes::Legacy)
        })
        .await;
    s.admin_user(&pool_id, "ann", PASSWORD, &[]).await;
    let token = s.access_token(&client_id, "ann", PASSWORD).await;
    (pool_id, client_id, token)
}

/// Registers a passkey on `dev` for the holder of `token`.
async fn register(
    s: &TestServer,
    token: &str,
    dev: &mut SoftPasskey,
) -> Result<(), Box<dyn std::error::Error>> {
    register_at(s, token, dev, origin(RP_ID), RP_ID).await?;
    Ok(())
}

/// [`register`] from a page at `at`, for the relying party `rp_id`.
async fn register_at(
    s: &TestServer,
    token: &str,
    dev: &mut SoftPasskey,
    at: Url,
    rp_id: &str,
) -> Result<
    cip::operation::complete_web_authn_registration::CompleteWebAuthnRegistrationOutput,
    cip::error::SdkError<
        cip::operation::complete_web_authn_registration::CompleteWebAuthnRegistrationError,
    >,
> {
    let started = s
        .public()
        .start_web_authn_registration()
        .access_token(token)
        .send()
        .await
        .unwrap();
    let options = to_json(started.credential_creation_options());
    assert_eq!(options["rp"]["id"], rp_id);
    let options: CreationChallengeResponse =
        serde_json::from_value(serde_json::json!({ "publicKey": options })).unwrap();
    let credential = dev.do_registration(at, options).unwrap();
    s.public()
        .complete_web_authn_registration()
        .access_token(token)
        .credential(to_document(&serde_json::to_value(&credential).unwrap()))
        .send()
        .await
}

/// USER_AUTH with PREFERRED_CHALLENGE WEB_AUTHN: the options and session.
async fn passkey_challenge(s: &TestServer, client_id: &str) -> (RequestChallengeResponse, String) {
    let out = s
        .public()
        .initiate_auth()
        .client_id(client_id)
        .auth_flow(AuthFlowType::UserAuth)
        .auth_parameters("USERNAME", "ann")
        .auth_parameters("PREFERRED_CHALLENGE", "WEB_AUTHN")
        .send()
        .await
        .unwrap();
    assert_eq!(out.challenge_name(), Some(&ChallengeNameType::WebAuthn));
    let options: Value =
        serde_json::from_str(&out.challenge_parameters().unwrap()["CREDENTIAL_REQUEST_OPTIONS"])
            .unwrap();
    let options = serde_json::from_value(serde_json::json!({ "publicKey": options })).unwrap();
    (options, out.session().unwrap().to_owned())
}

/// A WEB_AUTHN ceremony of `ann` answered by `dev` on RP_ID's page: the
/// assertion (not sent yet) and its session.
async fn assertion(s: &TestServer, client_id: &str, dev: &mut SoftPasskey) -> (Value, String) {
    let (options, session) = passkey_challenge(s, client_id).await;
    let credential = dev.do_authentication(origin(RP_ID), options).unwrap();
    (serde_json::to_value(&credential).unwrap(), session)
}

/// ListWebAuthnCredentials of the holder of `token`.
async fn credentials(
    s: &TestServer,
    token: &str,
) -> Vec<cip::types::WebAuthnCredentialDescription> {
    s.public()
        .list_web_authn_credentials()
        .access_token(token)
        .send()
        .await
        .unwrap()
        .credentials()
        .to_vec()
}

async fn answer(
    s: &TestServer,
    client_id: &str,
    session: &str,
    credential: &Value,
) -> Result<
    cip::operation::respond_to_auth_challenge::RespondToAuthChallengeOutput,
    cip::error::SdkError<cip::operation::respond_to_auth_challenge::RespondToAuthChallengeError>,
> {
    s.public()
        .respond_to_auth_challenge()
        .client_id(client_id)
        .challenge_name(ChallengeNameType::WebAuthn)
        .session(session)
        .challenge_responses("USERNAME", "ann")
        .challenge_responses("CREDENTIAL", credential.to_string())
        .send()
        .await
}

async fn a_registered_passkey_signs_in_and_can_be_deleted(s: TestServer) {
    let (_, client_id, token) = setup(&s).await;
    let mut dev = device();
    register(&s, &token, &mut dev).await.unwrap();
    let listed = credentials(&s, &token).await;
    assert_eq!(listed.len(), 1);
    let id = listed[0].credential_id().to_owned();
    assert_eq!(listed[0].relying_party_id(), RP_ID);
    let factors = s
        .public()
        .get_user_auth_factors()
        .access_token(&token)
        .send()
        .await
        .unwrap();
    assert!(
        factors
            .configured_user_auth_factors()
            .contains(&AuthFactorType::WebAuthn)
    );

    // Signing in twice moves the sign counter on each time.
    for _ in 0..2 {
        let (credential, session) = assertion(&s, &client_id, &mut dev).await;
        let out = answer(&s, &client_id, &session, &credential).await.unwrap();
        assert!(out.authentication_result().is_some());
    }

    s.public()
        .delete_web_authn_credential()
        .access_token(&token)
        .credential_id(&id)
        .send()
        .await
        .unwrap();
    let err = s
        .public()
        .delete_web_authn_credential()
        .access_token(&token)
        .credential_id(&id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "ResourceNotFoundException");
    // No passkey: WEB_AUTHN is no longer among the choices.
    let out = s
        .public()
        .initiate_auth()
        .client_id(&client_id)
        .auth_flow(AuthFlowType::UserAuth)
        .auth_parameters("USERNAME", "ann")
        .send()
        .await
        .unwrap();
    let names: Vec<&str> = out
        .available_challenges()
        .iter()
        .map(|c| c.as_str())
        .collect();
    assert_eq!(names, ["PASSWORD", "PASSWORD_SRP"]);
}

async fn bad_ceremonies_are_refused(s: TestServer) {
    let (_, client_id, token) = setup(&s).await;
    // Completing a registration nobody started.
    let mut dev = device();
    let err = s
        .public()
        .complete_web_authn_registration()
        .access_token(&token)
        .credential(to_document(&serde_json::json!({ "id": "x" })))
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "WebAuthnChallengeNotFoundException");
    register(&s, &token, &mut dev).await.unwrap();

    // An assertion from another origin, or made for another relying
    // party, signs no one in.
    let (options, session) = passkey_challenge(&s, &client_id).await;
    let mut forged = options.clone();
    forged.public_key.rp_id = "evil.example".into();
    let credential = dev
        .do_authentication(origin("evil.example"), forged)
        .unwrap();
    let err = answer(
        &s,
        &client_id,
        &session,
        &serde_json::to_value(&credential).unwrap(),
    )
    .await
    .unwrap_err();
    assert_eq!(error_name(&err), "WebAuthnOriginNotAllowedException");
    let (options, session) = passkey_challenge(&s, &client_id).await;
    let mut forged = options.clone();
    forged.public_key.rp_id = "example.com".into();
    let credential = dev.do_authentication(origin(RP_ID), forged).unwrap();
    let err = answer(
        &s,
        &client_id,
        &session,
        &serde_json::to_value(&credential).unwrap(),
    )
    .await
    .unwrap_err();
    assert_eq!(error_name(&err), "WebAuthnRelyingPartyMismatchException");
    // The same passkey still signs in properly afterwards.
    let (credential, session) = assertion(&s, &client_id, &mut dev).await;
    assert!(answer(&s, &client_id, &session, &credential).await.is_ok());

    // A pool whose SignInPolicy has no WEB_AUTHN registers no passkey.
    let plain = s.pool(|b| b).await;
    let (c2, _) = s.client(&plain, false, false).await;
    s.admin_user(&plain, "bob", PASSWORD, &[]).await;
    let t2 = s.access_token(&c2, "bob", PASSWORD).await;
    let err = s
        .public()
        .start_web_authn_registration()
        .access_token(&t2)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "WebAuthnNotEnabledException");
}

/// WebAuthn on http://localhost (a secure context for browsers): accepted,
/// on any port, when the relying party is `localhost`, and only then.
async fn http_pages_are_accepted_for_localhost_only(s: TestServer) {
    let (_, client_id, token) = setup_for(&s, "localhost").await;
    let mut dev = device();
    let page = |port: u16| Url::parse(&format!("http://localhost:{port}")).unwrap();
    register_at(&s, &token, &mut dev, page(8123), "localhost")
        .await
        .unwrap();
    let (options, session) = passkey_challenge(&s, &client_id).await;
    assert_eq!(options.public_key.rp_id, "localhost");
    let credential = dev.do_authentication(page(9229), options).unwrap();
    let out = answer(
        &s,
        &client_id,
        &session,
        &serde_json::to_value(&credential).unwrap(),
    )
    .await
    .unwrap();
    assert!(out.authentication_result().is_some());

    // Another relying party takes no page from http://localhost.
    let (_, client_id, token) = setup(&s).await;
    let mut dev = device();
    register(&s, &token, &mut dev).await.unwrap();
    let (options, session) = passkey_challenge(&s, &client_id).await;
    let mut local = options.clone();
    local.public_key.rp_id = "localhost".into();
    let credential = dev.do_authentication(page(8123), local).unwrap();
    let err = answer(
        &s,
        &client_id,
        &session,
        &serde_json::to_value(&credential).unwrap(),
    )
    .await
    .unwrap_err();
    assert_eq!(error_name(&err), "WebAuthnOriginNotAllowedException");
}

/// WebAuthn §7.2 step 22: an assertion whose sign count is not above the
/// stored one (an authenticator cloned, or an assertion held back while
/// the passkey signed in again) is refused — NotAuthorizedException, the
/// stored count unchanged, the passkey still signing in.
async fn a_sign_counter_that_went_backwards_is_refused(s: TestServer) {
    let (_, client_id, token) = setup(&s).await;
    let mut dev = device();
    register(&s, &token, &mut dev).await.unwrap();
    let before = credentials(&s, &token).await;
    // Two ceremonies; the first's assertion (count 1) is held back while
    // the second's (count 2) signs in.
    let (held, held_session) = assertion(&s, &client_id, &mut dev).await;
    let (newer, session) = assertion(&s, &client_id, &mut dev).await;
    let out = answer(&s, &client_id, &session, &newer).await.unwrap();
    assert!(out.authentication_result().is_some());
    let err = answer(&s, &client_id, &held_session, &held)
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "NotAuthorizedException");
    // Nothing changed: the next assertion (count 3) signs in, and the
    // credential is listed as before.
    let (next, session) = assertion(&s, &client_id, &mut dev).await;
    let out = answer(&s, &client_id, &session, &next).await.unwrap();
    assert!(out.authentication_result().is_some());
    assert_eq!(credentials(&s, &token).await, before);
}

on_both_backends!(
    a_sign_counter_that_went_backwards_is_refused,
    a_registered_passkey_signs_in_and_can_be_deleted,
    bad_ceremonies_are_refused,
    http_pages_are_accepted_for_localhost_only,
);
