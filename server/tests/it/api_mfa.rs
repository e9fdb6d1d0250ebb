//! MFA through the AWS SDK for Rust: the pool's MFA configuration, an
//! authenticator app (AssociateSoftwareToken, VerifySoftwareToken), the
//! user's preferences, and every challenge after the first factor —
//! SOFTWARE_TOKEN_MFA, SMS_MFA, EMAIL_OTP, SELECT_MFA_TYPE, MFA_SETUP —
//! and the legacy SetUserSettings / AdminSetUserSettings and
//! AdminDeleteSoftwareToken.
//! TOTP codes come from an independent RFC 6238 implementation below.

use crate::common::users::PASSWORD;
use crate::common::{TestServer, error_name};
use aws_sdk_cognitoidentityprovider as cip;
use cip::types::{
    AuthFlowType, ChallengeNameType, DeliveryMediumType, EmailMfaConfigType, EmailMfaSettingsType,
    MfaOptionType, SoftwareTokenMfaConfigType, SoftwareTokenMfaSettingsType, UserPoolMfaType,
};
use hmac::{Hmac, Mac};

/// RFC 6238 §4 / RFC 4226 §5.3, written here from the RFCs so the test
/// does not trust the server's own TOTP code.
fn totp_at(secret_base32: &str, unix_seconds: i64) -> String {
    let key = data_encoding::BASE32_NOPAD
        .decode(secret_base32.trim_end_matches('=').as_bytes())
        .expect("base32 secret");
    let counter = (unix_seconds / 30) as u64;
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(&key).unwrap();
    mac.update(&counter.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = (digest[19] & 0x0f) as usize;
    let bin = u32::from_be_bytes(digest[offset..offset + 4].try_into().unwrap()) & 0x7fff_ffff;
    format!("{:06}", bin % 1_000_000)
}

fn now_seconds(s: &TestServer) -> i64 {
    s.clock.now().millis() / 1000
}

#[test]
fn the_test_totp_matches_rfc_6238() {
    // "12345678901234567890" in base32; RFC 6238 Appendix B (last six digits).
    let secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    assert_eq!(totp_at(secret, 59), "287082");
    assert_eq!(totp_at(secret, 1_111_111_109), "081804");
}

/// A pool with an email-confirmed user `ann`, and a public client.
async fn setup(s: &TestServer) -> (String, String) {
    let pool_id = s.email_pool().await;
    let (client_id, _) = s.client(&pool_id, false, false).await;
    s.confirmed_user(&pool_id, &client_id, "ann", "ann@example.com")
        .await;
    (pool_id, client_id)
}

async fn sign_in(
    s: &TestServer,
    client_id: &str,
    password: &str,
) -> Result<
    cip::operation::initiate_auth::InitiateAuthOutput,
    cip::error::SdkError<cip::operation::initiate_auth::InitiateAuthError>,
> {
    s.public()
        .initiate_auth()
        .client_id(client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "ann")
        .auth_parameters("PASSWORD", password)
        .send()
        .await
}

async fn respond(
    s: &TestServer,
    client_id: &str,
    challenge: ChallengeNameType,
    session: &str,
    answers: &[(&str, &str)],
) -> Result<
    cip::operation::respond_to_auth_challenge::RespondToAuthChallengeOutput,
    cip::error::SdkError<cip::operation::respond_to_auth_challenge::RespondToAuthChallengeError>,
> {
    let mut req = s
        .public()
        .respond_to_auth_challenge()
        .client_id(client_id)
        .challenge_name(challenge)
        .session(session)
        .challenge_responses("USERNAME", "ann");
    for (k, v) in answers {
        req = req.challenge_responses(*k, *v);
    }
    req.send().await
}

/// Associates and verifies an authenticator app with an access token;
/// returns the secret.
async fn add_authenticator(s: &TestServer, token: &str) -> String {
    let secret = s
        .public()
        .associate_software_token()
        .access_token(token)
        .send()
        .await
        .expect("associate")
        .secret_code()
        .expect("secret")
        .to_owned();
    let status = s
        .public()
        .verify_software_token()
        .access_token(token)
        .user_code(totp_at(&secret, now_seconds(s)))
        .friendly_device_name("phone")
        .send()
        .await
        .expect("verify");
    assert_eq!(status.status().map(|s| s.as_str()), Some("SUCCESS"));
    secret
}

async fn pool_mfa_config_round_trips_and_refuses_mfa_without_factors(s: TestServer) {
    let (pool_id, _) = setup(&s).await;
    let out = s
        .set_mfa(&pool_id, UserPoolMfaType::Optional, true, true, false)
        .await;
    assert_eq!(out.mfa_configuration(), Some(&UserPoolMfaType::Optional));
    let got = s
        .admin()
        .get_user_pool_mfa_config()
        .user_pool_id(&pool_id)
        .send()
        .await
        .unwrap();
    assert_eq!(got.mfa_configuration(), Some(&UserPoolMfaType::Optional));
    assert_eq!(
        got.software_token_mfa_configuration().map(|c| c.enabled()),
        Some(true)
    );
    assert_eq!(
        got.email_mfa_configuration().and_then(|c| c.subject()),
        Some("Your code")
    );
    assert!(got.sms_mfa_configuration().is_none());

    // Cognito API: SetUserPoolMfaConfig — MFA ON needs a factor.
    let err = s
        .admin()
        .set_user_pool_mfa_config()
        .user_pool_id(&pool_id)
        .mfa_configuration(UserPoolMfaType::On)
        .software_token_mfa_configuration(
            SoftwareTokenMfaConfigType::builder().enabled(false).build(),
        )
        .email_mfa_configuration(EmailMfaConfigType::builder().build())
        .send()
        .await;
    // Email MFA is still configured, so this is allowed; turning every
    // factor off is not (a fresh pool).
    assert!(err.is_ok());
    let bare = s.email_pool().await;
    let err = s
        .admin()
        .set_user_pool_mfa_config()
        .user_pool_id(&bare)
        .mfa_configuration(UserPoolMfaType::On)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "InvalidParameterException");
    // A message without the code placeholder is refused.
    let err = s
        .admin()
        .set_user_pool_mfa_config()
        .user_pool_id(&bare)
        .email_mfa_configuration(EmailMfaConfigType::builder().message("no code").build())
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "InvalidParameterException");
}

async fn software_token_challenge_accepts_each_code_once(s: TestServer) {
    let (pool_id, client_id) = setup(&s).await;
    s.set_mfa(&pool_id, UserPoolMfaType::Optional, true, false, false)
        .await;
    // OPTIONAL and no factor yet: tokens at once.
    let first = sign_in(&s, &client_id, PASSWORD).await.unwrap();
    let token = first
        .authentication_result()
        .unwrap()
        .access_token()
        .unwrap();

    // A wrong first code does not verify the app.
    let secret = s
        .public()
        .associate_software_token()
        .access_token(token)
        .send()
        .await
        .unwrap()
        .secret_code()
        .unwrap()
        .to_owned();
    assert_eq!(secret.len(), 32, "160-bit secret in base32");
    let wrong = if totp_at(&secret, now_seconds(&s)) == "000000" {
        "111111"
    } else {
        "000000"
    };
    let err = s
        .public()
        .verify_software_token()
        .access_token(token)
        .user_code(wrong)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "EnableSoftwareTokenMFAException");
    // Enabling before verifying is refused.
    let err = s
        .public()
        .set_user_mfa_preference()
        .access_token(token)
        .software_token_mfa_settings(
            SoftwareTokenMfaSettingsType::builder()
                .enabled(true)
                .preferred_mfa(true)
                .build(),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "InvalidParameterException");

    let secret = add_authenticator(&s, token).await;
    s.public()
        .set_user_mfa_preference()
        .access_token(token)
        .software_token_mfa_settings(
            SoftwareTokenMfaSettingsType::builder()
                .enabled(true)
                .preferred_mfa(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let me = s
        .public()
        .get_user()
        .access_token(token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.preferred_mfa_setting(), Some("SOFTWARE_TOKEN_MFA"));
    assert_eq!(me.user_mfa_setting_list(), ["SOFTWARE_TOKEN_MFA"]);

    // The next step of time: the code used to verify is spent.
    s.clock.advance((30) * 1000);
    let out = sign_in(&s, &client_id, PASSWORD).await.unwrap();
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::SoftwareTokenMfa)
    );
    assert!(out.authentication_result().is_none());
    let session = out.session().unwrap().to_owned();
    let err = respond(
        &s,
        &client_id,
        ChallengeNameType::SoftwareTokenMfa,
        &session,
        &[(
            "SOFTWARE_TOKEN_MFA_CODE",
            if totp_at(&secret, now_seconds(&s)) == "000000" {
                "111111"
            } else {
                "000000"
            },
        )],
    )
    .await
    .unwrap_err();
    assert_eq!(error_name(&err), "CodeMismatchException");
    let code = totp_at(&secret, now_seconds(&s));
    let ok = respond(
        &s,
        &client_id,
        ChallengeNameType::SoftwareTokenMfa,
        &session,
        &[("SOFTWARE_TOKEN_MFA_CODE", &code)],
    )
    .await
    .unwrap();
    assert!(
        ok.authentication_result()
            .and_then(|r| r.id_token())
            .is_some()
    );

    // RFC 6238 §5.2: the same code is not accepted twice.
    let again = sign_in(&s, &client_id, PASSWORD).await.unwrap();
    let err = respond(
        &s,
        &client_id,
        ChallengeNameType::SoftwareTokenMfa,
        again.session().unwrap(),
        &[("SOFTWARE_TOKEN_MFA_CODE", &code)],
    )
    .await
    .unwrap_err();
    assert_eq!(error_name(&err), "CodeMismatchException");

    // A session past AuthSessionValidity (3 minutes by default) is refused.
    let late = sign_in(&s, &client_id, PASSWORD).await.unwrap();
    s.clock.advance((4 * 60) * 1000);
    let err = respond(
        &s,
        &client_id,
        ChallengeNameType::SoftwareTokenMfa,
        late.session().unwrap(),
        &[(
            "SOFTWARE_TOKEN_MFA_CODE",
            &totp_at(&secret, now_seconds(&s)),
        )],
    )
    .await
    .unwrap_err();
    assert_eq!(error_name(&err), "NotAuthorizedException");
}

async fn required_mfa_sets_up_an_authenticator_during_sign_in(s: TestServer) {
    let (pool_id, client_id) = setup(&s).await;
    s.set_mfa(&pool_id, UserPoolMfaType::On, true, false, false)
        .await;
    let out = sign_in(&s, &client_id, PASSWORD).await.unwrap();
    assert_eq!(out.challenge_name(), Some(&ChallengeNameType::MfaSetup));
    assert_eq!(
        out.challenge_parameters()
            .and_then(|p| p.get("MFAS_CAN_SETUP"))
            .map(String::as_str),
        Some("[\"SOFTWARE_TOKEN_MFA\"]")
    );
    let session = out.session().unwrap();
    // Answering MFA_SETUP before verifying an app is refused.
    let err = respond(&s, &client_id, ChallengeNameType::MfaSetup, session, &[])
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "NotAuthorizedException");

    let assoc = s
        .public()
        .associate_software_token()
        .session(session)
        .send()
        .await
        .unwrap();
    let secret = assoc.secret_code().unwrap().to_owned();
    let verified = s
        .public()
        .verify_software_token()
        .session(assoc.session().unwrap())
        .user_code(totp_at(&secret, now_seconds(&s)))
        .send()
        .await
        .unwrap();
    let done = respond(
        &s,
        &client_id,
        ChallengeNameType::MfaSetup,
        verified.session().unwrap(),
        &[],
    )
    .await
    .unwrap();
    assert!(
        done.authentication_result()
            .and_then(|r| r.access_token())
            .is_some()
    );

    // From now on the app's code is asked for.
    s.clock.advance((30) * 1000);
    let next = sign_in(&s, &client_id, PASSWORD).await.unwrap();
    assert_eq!(
        next.challenge_name(),
        Some(&ChallengeNameType::SoftwareTokenMfa)
    );
    let ok = respond(
        &s,
        &client_id,
        ChallengeNameType::SoftwareTokenMfa,
        next.session().unwrap(),
        &[(
            "SOFTWARE_TOKEN_MFA_CODE",
            &totp_at(&secret, now_seconds(&s)),
        )],
    )
    .await
    .unwrap();
    assert!(ok.authentication_result().is_some());
}

async fn sms_mfa_sends_a_code_to_the_phone(s: TestServer) {
    let (pool_id, client_id) = setup(&s).await;
    s.admin_set_attr(&pool_id, "ann", "phone_number", "+12065551212")
        .await;
    s.set_mfa(&pool_id, UserPoolMfaType::On, false, false, true)
        .await;
    let out = sign_in(&s, &client_id, PASSWORD).await.unwrap();
    assert_eq!(out.challenge_name(), Some(&ChallengeNameType::SmsMfa));
    let params = out.challenge_parameters().unwrap();
    assert_eq!(
        params
            .get("CODE_DELIVERY_DELIVERY_MEDIUM")
            .map(String::as_str),
        Some("SMS")
    );
    assert_eq!(
        params.get("CODE_DELIVERY_DESTINATION").map(String::as_str),
        Some("+*******1212")
    );
    let session = out.session().unwrap();
    let code = s.code_sent_to(&pool_id, "+12065551212").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let err = respond(
        &s,
        &client_id,
        ChallengeNameType::SmsMfa,
        session,
        &[("SMS_MFA_CODE", wrong)],
    )
    .await
    .unwrap_err();
    assert_eq!(error_name(&err), "CodeMismatchException");
    let ok = respond(
        &s,
        &client_id,
        ChallengeNameType::SmsMfa,
        session,
        &[("SMS_MFA_CODE", &code)],
    )
    .await
    .unwrap();
    assert!(ok.authentication_result().is_some());
    // The code is single use.
    let err = respond(
        &s,
        &client_id,
        ChallengeNameType::SmsMfa,
        session,
        &[("SMS_MFA_CODE", &code)],
    )
    .await
    .unwrap_err();
    assert_eq!(error_name(&err), "NotAuthorizedException");
}

async fn several_factors_let_the_user_choose_then_email_otp(s: TestServer) {
    let (pool_id, client_id) = setup(&s).await;
    s.set_mfa(&pool_id, UserPoolMfaType::Optional, true, true, false)
        .await;
    let token = s.access_token(&client_id, "ann", PASSWORD).await;
    add_authenticator(&s, &token).await;
    s.admin()
        .admin_set_user_mfa_preference()
        .user_pool_id(&pool_id)
        .username("ann")
        .software_token_mfa_settings(
            SoftwareTokenMfaSettingsType::builder()
                .enabled(true)
                .build(),
        )
        .email_mfa_settings(EmailMfaSettingsType::builder().enabled(true).build())
        .send()
        .await
        .unwrap();
    let user = s
        .admin()
        .admin_get_user()
        .user_pool_id(&pool_id)
        .username("ann")
        .send()
        .await
        .unwrap();
    assert_eq!(
        user.user_mfa_setting_list(),
        ["EMAIL_OTP", "SOFTWARE_TOKEN_MFA"]
    );
    assert!(user.preferred_mfa_setting().is_none());

    let out = sign_in(&s, &client_id, PASSWORD).await.unwrap();
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::SelectMfaType)
    );
    let choices: Vec<String> = serde_json::from_str(
        out.challenge_parameters()
            .unwrap()
            .get("MFAS_CAN_CHOOSE")
            .unwrap(),
    )
    .unwrap();
    assert_eq!(choices, ["SOFTWARE_TOKEN_MFA", "EMAIL_OTP"]);
    // A factor the user has not turned on cannot be chosen.
    let err = respond(
        &s,
        &client_id,
        ChallengeNameType::SelectMfaType,
        out.session().unwrap(),
        &[("ANSWER", "SMS_MFA")],
    )
    .await
    .unwrap_err();
    assert_eq!(error_name(&err), "InvalidParameterException");
    let email = respond(
        &s,
        &client_id,
        ChallengeNameType::SelectMfaType,
        out.session().unwrap(),
        &[("ANSWER", "EMAIL_OTP")],
    )
    .await
    .unwrap();
    assert_eq!(email.challenge_name(), Some(&ChallengeNameType::EmailOtp));
    assert_eq!(
        email
            .challenge_parameters()
            .and_then(|p| p.get("CODE_DELIVERY_DESTINATION"))
            .map(String::as_str),
        Some("a***@e***")
    );
    let messages = s.outbox(&pool_id).await;
    assert_eq!(messages[0].subject.as_deref(), Some("Your code"));
    let code = s.code_sent_to(&pool_id, "ann@example.com").await;
    let ok = respond(
        &s,
        &client_id,
        ChallengeNameType::EmailOtp,
        email.session().unwrap(),
        &[("EMAIL_OTP_CODE", &code)],
    )
    .await
    .unwrap();
    assert!(ok.authentication_result().is_some());

    // Preferring one factor skips the choice.
    s.admin()
        .admin_set_user_mfa_preference()
        .user_pool_id(&pool_id)
        .username("ann")
        .email_mfa_settings(
            EmailMfaSettingsType::builder()
                .enabled(true)
                .preferred_mfa(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let out = sign_in(&s, &client_id, PASSWORD).await.unwrap();
    assert_eq!(out.challenge_name(), Some(&ChallengeNameType::EmailOtp));
}

async fn a_wrong_password_never_reaches_the_mfa_step(s: TestServer) {
    let (pool_id, client_id) = setup(&s).await;
    s.set_mfa(&pool_id, UserPoolMfaType::On, true, false, false)
        .await;
    let err = sign_in(&s, &client_id, "Wr0ng-password!")
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "NotAuthorizedException");
}

fn sms_option(medium: DeliveryMediumType, attribute: &str) -> MfaOptionType {
    MfaOptionType::builder()
        .delivery_medium(medium)
        .attribute_name(attribute)
        .build()
}

async fn mfa_settings(s: &TestServer, pool_id: &str) -> (Vec<String>, Option<String>) {
    let user = s.admin_get(pool_id, "ann").await;
    (
        user.user_mfa_setting_list().to_vec(),
        user.preferred_mfa_setting().map(str::to_owned),
    )
}

async fn legacy_settings_turn_sms_mfa_on_and_off(s: TestServer) {
    let (pool_id, client_id) = setup(&s).await;
    s.set_mfa(&pool_id, UserPoolMfaType::Optional, true, false, true)
        .await;
    let token = s.access_token(&client_id, "ann", PASSWORD).await;
    let admin_set = |options: Vec<MfaOptionType>| {
        s.admin()
            .admin_set_user_settings()
            .user_pool_id(&pool_id)
            .username("ann")
            .set_mfa_options(Some(options))
            .send()
    };
    // Cognito API: MFAOptionType — SMS to phone_number only, and only for
    // a user who has a phone number.
    let err = admin_set(vec![sms_option(DeliveryMediumType::Sms, "phone_number")])
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "InvalidParameterException");
    s.admin_set_attr(&pool_id, "ann", "phone_number", "+12065551212")
        .await;
    let err = admin_set(vec![sms_option(DeliveryMediumType::Email, "email")])
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "InvalidParameterException");
    let err = admin_set(vec![sms_option(DeliveryMediumType::Sms, "email")])
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "InvalidParameterException");
    assert_eq!(mfa_settings(&s, &pool_id).await, (vec![], None));

    s.public()
        .set_user_settings()
        .access_token(&token)
        .mfa_options(sms_option(DeliveryMediumType::Sms, "phone_number"))
        .send()
        .await
        .expect("set user settings");
    assert_eq!(mfa_settings(&s, &pool_id).await.0, vec!["SMS_MFA"]);
    // The legacy view answers it back, to the administrator and the user.
    let legacy = s.admin_get(&pool_id, "ann").await;
    let options = legacy.mfa_options();
    assert_eq!(options.len(), 1);
    assert_eq!(options[0].delivery_medium(), Some(&DeliveryMediumType::Sms));
    assert_eq!(options[0].attribute_name(), Some("phone_number"));
    let own = s
        .public()
        .get_user()
        .access_token(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(own.mfa_options().len(), 1);
    let out = sign_in(&s, &client_id, PASSWORD).await.unwrap();
    assert_eq!(out.challenge_name(), Some(&ChallengeNameType::SmsMfa));

    // An empty list turns it off again.
    s.public()
        .set_user_settings()
        .access_token(&token)
        .set_mfa_options(Some(vec![]))
        .send()
        .await
        .expect("clear user settings");
    assert_eq!(mfa_settings(&s, &pool_id).await.0, Vec::<String>::new());
    assert!(s.admin_get(&pool_id, "ann").await.mfa_options().is_empty());
    admin_set(vec![sms_option(DeliveryMediumType::Sms, "phone_number")])
        .await
        .expect("admin set user settings");
    assert_eq!(mfa_settings(&s, &pool_id).await.0, vec!["SMS_MFA"]);
    let err = s
        .public()
        .set_user_settings()
        .access_token("not-a-token")
        .mfa_options(sms_option(DeliveryMediumType::Sms, "phone_number"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "NotAuthorizedException");
}

async fn admin_delete_software_token_removes_totp(s: TestServer) {
    let (pool_id, client_id) = setup(&s).await;
    s.set_mfa(&pool_id, UserPoolMfaType::Optional, true, true, false)
        .await;
    let delete = |user: &str| {
        s.admin()
            .admin_delete_software_token()
            .user_pool_id(&pool_id)
            .username(user)
            .send()
    };
    let err = delete("ann").await.unwrap_err();
    assert_eq!(error_name(&err), "ResourceNotFoundException");
    let err = delete("nobody").await.unwrap_err();
    assert_eq!(error_name(&err), "UserNotFoundException");

    let token = s.access_token(&client_id, "ann", PASSWORD).await;
    add_authenticator(&s, &token).await;
    s.public()
        .set_user_mfa_preference()
        .access_token(&token)
        .software_token_mfa_settings(
            SoftwareTokenMfaSettingsType::builder()
                .enabled(true)
                .preferred_mfa(true)
                .build(),
        )
        .email_mfa_settings(EmailMfaSettingsType::builder().enabled(true).build())
        .send()
        .await
        .expect("preference");
    assert_eq!(
        mfa_settings(&s, &pool_id).await,
        (
            vec!["EMAIL_OTP".to_owned(), "SOFTWARE_TOKEN_MFA".to_owned()],
            Some("SOFTWARE_TOKEN_MFA".to_owned())
        )
    );
    let out = sign_in(&s, &client_id, PASSWORD).await.unwrap();
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::SoftwareTokenMfa)
    );

    delete("ann").await.expect("delete software token");
    // TOTP is gone from the settings and is no longer preferred; the other
    // factor stays, and the next sign-in asks for it.
    assert_eq!(
        mfa_settings(&s, &pool_id).await,
        (vec!["EMAIL_OTP".to_owned()], None)
    );
    let out = sign_in(&s, &client_id, PASSWORD).await.unwrap();
    assert_eq!(out.challenge_name(), Some(&ChallengeNameType::EmailOtp));
    let err = delete("ann").await.unwrap_err();
    assert_eq!(error_name(&err), "ResourceNotFoundException");
    // A new authenticator can be registered.
    add_authenticator(&s, &token).await;
}

on_both_backends!(
    legacy_settings_turn_sms_mfa_on_and_off,
    admin_delete_software_token_removes_totp,
    pool_mfa_config_round_trips_and_refuses_mfa_without_factors,
    software_token_challenge_accepts_each_code_once,
    required_mfa_sets_up_an_authenticator_during_sign_in,
    sms_mfa_sends_a_code_to_the_phone,
    several_factors_let_the_user_choose_then_email_otp,
    a_wrong_password_never_reaches_the_mfa_step,
);
