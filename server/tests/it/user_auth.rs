//! USER_AUTH, choice-based sign-in, through the AWS SDK for Rust: the
//! pool's SignInPolicy, ALLOW_USER_AUTH, SELECT_CHALLENGE with
//! AvailableChallenges, EMAIL_OTP and SMS_OTP first factors (eight-digit
//! codes from the outbox, single use, limited tries), PASSWORD and
//! PASSWORD_SRP, MFA after a password, GetUserAuthFactors and its Admin
//! variant, and no user enumeration.

use crate::common::users::{PASSWORD, attr};
use crate::common::{TestServer, error_name};
use aws_sdk_cognitoidentityprovider as cip;
use cip::types::{
    AuthFactorType, AuthFlowType, ChallengeNameType, EmailMfaConfigType, EmailMfaSettingsType,
    ExplicitAuthFlowsType, PreventUserExistenceErrorTypes, SignInPolicyType, UserPoolMfaType,
    UserPoolPolicyType,
};
use cognate_core::srp::{self, client::SrpClient};

const EMAIL: &str = "ann@example.com";
const PHONE: &str = "+12065551212";

type Initiated = Result<
    cip::operation::initiate_auth::InitiateAuthOutput,
    cip::error::SdkError<cip::operation::initiate_auth::InitiateAuthError>,
>;
type Responded = Result<
    cip::operation::respond_to_auth_challenge::RespondToAuthChallengeOutput,
    cip::error::SdkError<cip::operation::respond_to_auth_challenge::RespondToAuthChallengeError>,
>;

fn policy(factors: &[AuthFactorType]) -> UserPoolPolicyType {
    UserPoolPolicyType::builder()
        .sign_in_policy(
            SignInPolicyType::builder()
                .set_allowed_first_auth_factors(Some(factors.to_vec()))
                .build(),
        )
        .build()
}

/// The eight-digit code in the newest message to `to`.
async fn eight_digit_code(s: &TestServer, pool_id: &str, to: &str) -> String {
    let messages = s.outbox(pool_id).await;
    let m = messages
        .iter()
        .find(|m| m.destination == to)
        .unwrap_or_else(|| panic!("no message to {to} in {messages:?}"));
    let digits: Vec<String> = m
        .body
        .split(|c: char| !c.is_ascii_digit())
        .filter(|w| w.len() == 8)
        .map(str::to_owned)
        .collect();
    assert_eq!(digits.len(), 1, "one eight-digit code in {:?}", m.body);
    digits[0].clone()
}

fn sms_configuration() -> cip::types::SmsConfigurationType {
    cip::types::SmsConfigurationType::builder()
        .sns_caller_arn("arn:aws:iam::123456789012:role/sms")
        .build()
}

/// A pool allowing every first factor but passkeys, a USER_AUTH client,
/// and `ann` with a password, a verified email and a verified phone.
async fn setup(s: &TestServer, prevent: bool) -> (String, String) {
    let pool_id = s
        .pool(|b| {
            b.policies(policy(&[
                AuthFactorType::Password,
                AuthFactorType::EmailOtp,
                AuthFactorType::SmsOtp,
            ]))
            .sms_configuration(sms_configuration())
        })
        .await;
    let (client_id, _) = s
        .app_client(&pool_id, |c| {
            c.explicit_auth_flows(ExplicitAuthFlowsType::AllowUserAuth)
                .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
                .prevent_user_existence_errors(if prevent {
                    PreventUserExistenceErrorTypes::Enabled
                } else {
                    PreventUserExistenceErrorTypes::Legacy
                })
        })
        .await;
    s.admin_user(
        &pool_id,
        "ann",
        PASSWORD,
        &[
            ("email", EMAIL),
            ("email_verified", "true"),
            ("phone_number", PHONE),
            ("phone_number_verified", "true"),
        ],
    )
    .await;
    (pool_id, client_id)
}

async fn user_auth(
    s: &TestServer,
    client_id: &str,
    user: &str,
    extra: &[(&str, &str)],
) -> Initiated {
    let mut req = s
        .public()
        .initiate_auth()
        .client_id(client_id)
        .auth_flow(AuthFlowType::UserAuth)
        .auth_parameters("USERNAME", user);
    for (k, v) in extra {
        req = req.auth_parameters(*k, *v);
    }
    req.send().await
}

async fn respond(
    s: &TestServer,
    client_id: &str,
    challenge: ChallengeNameType,
    session: &str,
    answers: &[(&str, &str)],
) -> Responded {
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

/// Answers EMAIL_OTP with `code`.
async fn email_code(s: &TestServer, client_id: &str, session: &str, code: &str) -> Responded {
    respond(
        s,
        client_id,
        ChallengeNameType::EmailOtp,
        session,
        &[("EMAIL_OTP_CODE", code)],
    )
    .await
}

/// An eight-digit code that is not `code`.
fn other_than(code: &str) -> &'static str {
    if code == "00000000" {
        "11111111"
    } else {
        "00000000"
    }
}

fn names(list: &[ChallengeNameType]) -> Vec<&str> {
    list.iter().map(|c| c.as_str()).collect()
}

async fn sign_in_policy_round_trips_and_is_validated(s: TestServer) {
    let (pool_id, _) = setup(&s, false).await;
    let described = s
        .admin()
        .describe_user_pool()
        .user_pool_id(&pool_id)
        .send()
        .await
        .unwrap();
    let factors = described
        .user_pool()
        .and_then(|p| p.policies())
        .and_then(|p| p.sign_in_policy())
        .map(|p| p.allowed_first_auth_factors().to_vec());
    assert_eq!(
        factors,
        Some(vec![
            AuthFactorType::Password,
            AuthFactorType::EmailOtp,
            AuthFactorType::SmsOtp
        ])
    );
    // A pool that sets none signs in with a password, and says so.
    let plain = s.pool(|b| b).await;
    let described = s
        .admin()
        .describe_user_pool()
        .user_pool_id(&plain)
        .send()
        .await
        .unwrap();
    assert_eq!(
        described
            .user_pool()
            .and_then(|p| p.policies())
            .and_then(|p| p.sign_in_policy())
            .map(|p| p.allowed_first_auth_factors().to_vec()),
        Some(vec![AuthFactorType::Password])
    );
    // Cognito API: AllowedFirstAuthFactorsListType — a passkey cannot be the
    // only way in; no factor twice; at least one.
    for bad in [
        vec![AuthFactorType::WebAuthn],
        vec![AuthFactorType::Password, AuthFactorType::Password],
        vec![],
    ] {
        let err = s
            .admin()
            .create_user_pool()
            .pool_name("bad")
            .policies(policy(&bad))
            .send()
            .await
            .unwrap_err();
        assert_eq!(error_name(&err), "InvalidParameterException", "{bad:?}");
    }
    // UpdateUserPool without Policies returns the policy to its default.
    s.admin()
        .update_user_pool()
        .user_pool_id(&pool_id)
        .send()
        .await
        .unwrap();
    let described = s
        .admin()
        .describe_user_pool()
        .user_pool_id(&pool_id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        described
            .user_pool()
            .and_then(|p| p.policies())
            .and_then(|p| p.sign_in_policy())
            .map(|p| p.allowed_first_auth_factors().to_vec()),
        Some(vec![AuthFactorType::Password])
    );
}

async fn select_challenge_then_email_otp_signs_in_once(s: TestServer) {
    let (pool_id, client_id) = setup(&s, false).await;
    let out = user_auth(&s, &client_id, "ann", &[]).await.unwrap();
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::SelectChallenge)
    );
    assert_eq!(
        names(out.available_challenges()),
        ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP"]
    );
    let session = out.session().unwrap();
    let out = respond(
        &s,
        &client_id,
        ChallengeNameType::SelectChallenge,
        session,
        &[("ANSWER", "EMAIL_OTP")],
    )
    .await
    .unwrap();
    assert_eq!(out.challenge_name(), Some(&ChallengeNameType::EmailOtp));
    let p = out.challenge_parameters().unwrap();
    assert_eq!(p["CODE_DELIVERY_DELIVERY_MEDIUM"], "EMAIL");
    assert_eq!(p["CODE_DELIVERY_DESTINATION"], "a***@e***");
    let session = out.session().unwrap().to_owned();
    let code = eight_digit_code(&s, &pool_id, EMAIL).await;

    // A wrong code: CodeMismatchException, and the session goes on.
    let err = email_code(&s, &client_id, &session, other_than(&code))
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "CodeMismatchException");
    let out = email_code(&s, &client_id, &session, &code).await.unwrap();
    let tokens = out.authentication_result().expect("tokens");
    let me = s
        .public()
        .get_user()
        .access_token(tokens.access_token().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(me.username(), "ann");
    // The code is spent: a replay signs no one in.
    let err = email_code(&s, &client_id, &session, &code)
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "NotAuthorizedException");
}

async fn preferred_sms_otp_goes_straight_to_the_code(s: TestServer) {
    let (pool_id, client_id) = setup(&s, false).await;
    let out = user_auth(&s, &client_id, "ann", &[("PREFERRED_CHALLENGE", "SMS_OTP")])
        .await
        .unwrap();
    assert_eq!(out.challenge_name(), Some(&ChallengeNameType::SmsOtp));
    let p = out.challenge_parameters().unwrap();
    assert_eq!(p["CODE_DELIVERY_DELIVERY_MEDIUM"], "SMS");
    assert_eq!(p["CODE_DELIVERY_DESTINATION"], "+*******1212");
    let code = eight_digit_code(&s, &pool_id, PHONE).await;
    let out = respond(
        &s,
        &client_id,
        ChallengeNameType::SmsOtp,
        out.session().unwrap(),
        &[("SMS_OTP_CODE", &code)],
    )
    .await
    .unwrap();
    assert!(out.authentication_result().is_some());
}

async fn preferred_password_and_password_srp(s: TestServer) {
    let (pool_id, client_id) = setup(&s, false).await;
    let out = user_auth(
        &s,
        &client_id,
        "ann",
        &[("PREFERRED_CHALLENGE", "PASSWORD"), ("PASSWORD", PASSWORD)],
    )
    .await
    .unwrap();
    assert!(out.authentication_result().is_some());
    let err = user_auth(
        &s,
        &client_id,
        "ann",
        &[
            ("PREFERRED_CHALLENGE", "PASSWORD"),
            ("PASSWORD", "Wr0ng!pass"),
        ],
    )
    .await
    .unwrap_err();
    assert_eq!(error_name(&err), "NotAuthorizedException");

    // PASSWORD_SRP: SRP_A now, PASSWORD_VERIFIER next.
    let c = SrpClient::new();
    let out = user_auth(
        &s,
        &client_id,
        "ann",
        &[
            ("PREFERRED_CHALLENGE", "PASSWORD_SRP"),
            ("SRP_A", &c.srp_a_hex()),
        ],
    )
    .await
    .unwrap();
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::PasswordVerifier)
    );
    let p = out.challenge_parameters().unwrap();
    let timestamp = "Sat Dec 5 10:00:00 UTC 2026";
    let signature = c
        .password_claim_signature(
            srp::pool_name_for_srp(&pool_id),
            &p["USER_ID_FOR_SRP"],
            PASSWORD,
            &p["SALT"],
            &p["SRP_B"],
            &p["SECRET_BLOCK"],
            timestamp,
        )
        .unwrap();
    let out = s
        .public()
        .respond_to_auth_challenge()
        .client_id(&client_id)
        .challenge_name(ChallengeNameType::PasswordVerifier)
        .challenge_responses("USERNAME", &p["USER_ID_FOR_SRP"])
        .challenge_responses("PASSWORD_CLAIM_SECRET_BLOCK", &p["SECRET_BLOCK"])
        .challenge_responses("PASSWORD_CLAIM_SIGNATURE", signature)
        .challenge_responses("TIMESTAMP", timestamp)
        .send()
        .await
        .unwrap();
    assert!(out.authentication_result().is_some());

    // SELECT_CHALLENGE answered PASSWORD with the password alongside.
    let out = user_auth(&s, &client_id, "ann", &[]).await.unwrap();
    let out = respond(
        &s,
        &client_id,
        ChallengeNameType::SelectChallenge,
        out.session().unwrap(),
        &[("ANSWER", "PASSWORD"), ("PASSWORD", PASSWORD)],
    )
    .await
    .unwrap();
    assert!(out.authentication_result().is_some());
}

async fn mfa_follows_a_password_first_factor(s: TestServer) {
    let (pool_id, client_id) = setup(&s, false).await;
    s.admin()
        .set_user_pool_mfa_config()
        .user_pool_id(&pool_id)
        .mfa_configuration(UserPoolMfaType::Optional)
        .email_mfa_configuration(EmailMfaConfigType::builder().build())
        .send()
        .await
        .unwrap();
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
    let out = user_auth(
        &s,
        &client_id,
        "ann",
        &[("PREFERRED_CHALLENGE", "PASSWORD"), ("PASSWORD", PASSWORD)],
    )
    .await
    .unwrap();
    assert_eq!(out.challenge_name(), Some(&ChallengeNameType::EmailOtp));
    // MFA codes are six digits, as before.
    let code = s.code_sent_to(&pool_id, EMAIL).await;
    let out = respond(
        &s,
        &client_id,
        ChallengeNameType::EmailOtp,
        out.session().unwrap(),
        &[("EMAIL_OTP_CODE", &code)],
    )
    .await
    .unwrap();
    assert!(out.authentication_result().is_some());
}

async fn wrong_codes_are_limited(s: TestServer) {
    let (pool_id, client_id) = setup(&s, false).await;
    let out = user_auth(
        &s,
        &client_id,
        "ann",
        &[("PREFERRED_CHALLENGE", "EMAIL_OTP")],
    )
    .await
    .unwrap();
    let session = out.session().unwrap().to_owned();
    let code = eight_digit_code(&s, &pool_id, EMAIL).await;
    for _ in 0..5 {
        let err = email_code(&s, &client_id, &session, other_than(&code))
            .await
            .unwrap_err();
        assert_eq!(error_name(&err), "CodeMismatchException");
    }
    // After five misses the right code is worthless too.
    let err = email_code(&s, &client_id, &session, &code)
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "NotAuthorizedException");
}

async fn flows_and_factors_are_checked(s: TestServer) {
    let (pool_id, client_id) = setup(&s, false).await;
    // A client without ALLOW_USER_AUTH.
    let (plain, _) = s.client(&pool_id, false, false).await;
    let err = user_auth(&s, &plain, "ann", &[]).await.unwrap_err();
    assert_eq!(error_name(&err), "InvalidParameterException");
    // A preferred challenge the pool does not allow: SELECT_CHALLENGE.
    let only_password = s.pool(|b| b).await;
    let (c2, _) = s
        .app_client(&only_password, |c| {
            c.explicit_auth_flows(ExplicitAuthFlowsType::AllowUserAuth)
        })
        .await;
    s.verified_user(&only_password, "ann", PASSWORD, EMAIL)
        .await;
    let out = user_auth(&s, &c2, "ann", &[("PREFERRED_CHALLENGE", "EMAIL_OTP")])
        .await
        .unwrap();
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::SelectChallenge)
    );
    assert_eq!(
        names(out.available_challenges()),
        ["PASSWORD", "PASSWORD_SRP"]
    );
    // An answer not among them is refused.
    let err = respond(
        &s,
        &c2,
        ChallengeNameType::SelectChallenge,
        out.session().unwrap(),
        &[("ANSWER", "EMAIL_OTP")],
    )
    .await
    .unwrap_err();
    assert_eq!(error_name(&err), "InvalidParameterException");
    // A name that is not a challenge.
    let err = user_auth(
        &s,
        &client_id,
        "ann",
        &[("PREFERRED_CHALLENGE", "CARRIER_PIGEON")],
    )
    .await
    .unwrap_err();
    assert_eq!(error_name(&err), "InvalidParameterException");
    // An unverified address is not offered.
    s.admin()
        .admin_update_user_attributes()
        .user_pool_id(&pool_id)
        .username("ann")
        .user_attributes(attr("email_verified", "false"))
        .send()
        .await
        .unwrap();
    let out = user_auth(&s, &client_id, "ann", &[]).await.unwrap();
    assert_eq!(
        names(out.available_challenges()),
        ["PASSWORD", "PASSWORD_SRP", "SMS_OTP"]
    );
}

async fn unknown_names_are_not_revealed(s: TestServer) {
    let (pool_id, client_id) = setup(&s, true).await;
    let known = user_auth(&s, &client_id, "ann", &[]).await.unwrap();
    let unknown = user_auth(&s, &client_id, "nobody", &[]).await.unwrap();
    assert_eq!(
        names(known.available_challenges()),
        names(unknown.available_challenges())
    );
    let out = s
        .public()
        .respond_to_auth_challenge()
        .client_id(&client_id)
        .challenge_name(ChallengeNameType::SelectChallenge)
        .session(unknown.session().unwrap())
        .challenge_responses("USERNAME", "nobody")
        .challenge_responses("ANSWER", "EMAIL_OTP")
        .send()
        .await
        .unwrap();
    assert_eq!(out.challenge_name(), Some(&ChallengeNameType::EmailOtp));
    let destination = &out.challenge_parameters().unwrap()["CODE_DELIVERY_DESTINATION"];
    assert!(destination.contains("***@"), "{destination}");
    assert!(
        s.outbox(&pool_id)
            .await
            .iter()
            .all(|m| m.destination == EMAIL || m.destination == PHONE)
    );
    let err = s
        .public()
        .respond_to_auth_challenge()
        .client_id(&client_id)
        .challenge_name(ChallengeNameType::EmailOtp)
        .session(out.session().unwrap())
        .challenge_responses("USERNAME", "nobody")
        .challenge_responses("EMAIL_OTP_CODE", "12345678")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "CodeMismatchException");
    // Without PreventUserExistenceErrors, Cognito says so.
    let (legacy, _) = s
        .app_client(&pool_id, |c| {
            c.explicit_auth_flows(ExplicitAuthFlowsType::AllowUserAuth)
                .prevent_user_existence_errors(PreventUserExistenceErrorTypes::Legacy)
        })
        .await;
    let err = user_auth(&s, &legacy, "nobody", &[]).await.unwrap_err();
    assert_eq!(error_name(&err), "UserNotFoundException");
}

async fn user_auth_factors_are_listed(s: TestServer) {
    let (pool_id, client_id) = setup(&s, false).await;
    let out = user_auth(
        &s,
        &client_id,
        "ann",
        &[("PREFERRED_CHALLENGE", "PASSWORD"), ("PASSWORD", PASSWORD)],
    )
    .await
    .unwrap();
    let token = out.authentication_result().unwrap().access_token().unwrap();
    let f = s
        .public()
        .get_user_auth_factors()
        .access_token(token)
        .send()
        .await
        .unwrap();
    assert_eq!(f.username(), "ann");
    assert_eq!(
        f.configured_user_auth_factors(),
        [
            AuthFactorType::Password,
            AuthFactorType::EmailOtp,
            AuthFactorType::SmsOtp
        ]
    );
    let a = s
        .admin()
        .admin_get_user_auth_factors()
        .user_pool_id(&pool_id)
        .username("ann")
        .send()
        .await
        .unwrap();
    assert_eq!(
        a.configured_user_auth_factors(),
        f.configured_user_auth_factors()
    );
    let err = s
        .admin()
        .admin_get_user_auth_factors()
        .user_pool_id(&pool_id)
        .username("nobody")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "UserNotFoundException");
    let err = s
        .public()
        .get_user_auth_factors()
        .access_token("not-a-token")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "NotAuthorizedException");
}

on_both_backends!(
    sign_in_policy_round_trips_and_is_validated,
    select_challenge_then_email_otp_signs_in_once,
    preferred_sms_otp_goes_straight_to_the_code,
    preferred_password_and_password_srp,
    mfa_follows_a_password_first_factor,
    wrong_codes_are_limited,
    flows_and_factors_are_checked,
    unknown_names_are_not_revealed,
    user_auth_factors_are_listed,
);

/// The sign-in code goes out as every code does: the pool's CustomMessage
/// function writes its text (CustomMessage_Authentication), and the code in
/// that text is the one that signs in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_custom_message_function_writes_the_sign_in_code() {
    use crate::common::lambda::{arn, server_with_peer};
    use cip::types::LambdaConfigType;
    use serde_json::json;
    let (s, peer, _) = server_with_peer().await;
    peer.define("writer", |mut e| {
        let source = e["triggerSource"].as_str().unwrap().to_owned();
        let code = e["request"]["codeParameter"].as_str().unwrap().to_owned();
        e["response"]["emailSubject"] = json!(source);
        e["response"]["emailMessage"] = json!(format!("{source}: {code}"));
        e
    });
    let pool_id = s
        .pool(|b| {
            b.policies(policy(&[
                AuthFactorType::Password,
                AuthFactorType::EmailOtp,
            ]))
            .lambda_config(
                LambdaConfigType::builder()
                    .custom_message(arn("writer"))
                    .build(),
            )
        })
        .await;
    let (client_id, _) = s
        .app_client(&pool_id, |c| {
            c.explicit_auth_flows(ExplicitAuthFlowsType::AllowUserAuth)
        })
        .await;
    s.verified_user(&pool_id, "ann", PASSWORD, EMAIL).await;
    let out = user_auth(
        &s,
        &client_id,
        "ann",
        &[("PREFERRED_CHALLENGE", "EMAIL_OTP")],
    )
    .await
    .unwrap();
    let sent = s.outbox(&pool_id).await;
    let body = &sent.first().expect("a message").body;
    let (source, code) = body.split_once(": ").expect("the function's text");
    assert_eq!(source, "CustomMessage_Authentication");
    assert_eq!(code, eight_digit_code(&s, &pool_id, EMAIL).await);
    let out = email_code(&s, &client_id, out.session().unwrap(), code)
        .await
        .unwrap();
    assert!(out.authentication_result().is_some());
}
