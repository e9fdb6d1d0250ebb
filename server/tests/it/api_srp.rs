//! Details of USER_SRP_AUTH → PASSWORD_VERIFIER that real clients depend
//! on, through the AWS SDK for Rust on SQLite and PostgreSQL, with the
//! reference client in cognate_core::srp. (The real clients themselves,
//! amazon-cognito-identity-js and pycognito, run in end2end/tests/srp.test.mjs.)

use crate::common::{TestServer, error_name};
use aws_sdk_cognitoidentityprovider as cip;
use cip::error::ProvideErrorMetadata;
use cip::types::{AuthFlowType, ChallengeNameType, ExplicitAuthFlowsType};
use cognate_core::Timestamp;
use cognate_core::srp::{self, client::SrpClient};

on_both_backends!(the_proof_covers_the_timestamp_in_cognitos_form);

const PASSWORD: &str = "Correct-Horse-9";

/// A pool, an SRP client without a secret, and a user with a permanent password.
async fn setup(s: &TestServer) -> (String, String) {
    let pool_id = s.pool(|b| b.pool_name("srp")).await;
    let (client_id, _) = s
        .app_client(&pool_id, |c| {
            c.client_name("web")
                .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserSrpAuth)
                .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        })
        .await;
    s.admin_user(&pool_id, "alice", PASSWORD, &[]).await;
    (pool_id, client_id)
}

/// USER_SRP_AUTH, then PASSWORD_VERIFIER signed over `timestamp` as written.
/// Ok(()) with tokens, or the error's name and message.
async fn sign_in_at(
    s: &TestServer,
    pool_id: &str,
    client_id: &str,
    timestamp: &str,
) -> Result<(), (String, String)> {
    let c = SrpClient::new();
    let out = s
        .public()
        .initiate_auth()
        .client_id(client_id)
        .auth_flow(AuthFlowType::UserSrpAuth)
        .auth_parameters("USERNAME", "alice")
        .auth_parameters("SRP_A", c.srp_a_hex())
        .send()
        .await
        .unwrap();
    let p = out.challenge_parameters().unwrap();
    let signature = c
        .password_claim_signature(
            srp::pool_name_for_srp(pool_id),
            &p["USER_ID_FOR_SRP"],
            PASSWORD,
            &p["SALT"],
            &p["SRP_B"],
            &p["SECRET_BLOCK"],
            timestamp,
        )
        .unwrap();
    let answer = s
        .public()
        .respond_to_auth_challenge()
        .client_id(client_id)
        .challenge_name(ChallengeNameType::PasswordVerifier)
        .challenge_responses("USERNAME", &p["USER_ID_FOR_SRP"])
        .challenge_responses("PASSWORD_CLAIM_SECRET_BLOCK", &p["SECRET_BLOCK"])
        .challenge_responses("PASSWORD_CLAIM_SIGNATURE", signature)
        .challenge_responses("TIMESTAMP", timestamp)
        .send()
        .await;
    match answer {
        Ok(out) => {
            assert!(out.authentication_result().is_some(), "{out:?}");
            Ok(())
        }
        Err(e) => {
            let message = match &e {
                cip::error::SdkError::ServiceError(se) => {
                    se.err().message().unwrap_or("").to_owned()
                }
                _ => String::new(),
            };
            Err((error_name(&e), message))
        }
    }
}

/// Cognito checks PASSWORD_CLAIM_SIGNATURE over the TIMESTAMP in its own
/// spelling, `ddd MMM d HH:mm:ss UTC yyyy` with the day not zero-padded:
/// it refused warrant's `Wed Apr 05 …` (signed as sent) with "Incorrect
/// username or password." until the client wrote `Wed Apr 5 …`, as
/// amazon-cognito-identity-js and pycognito do.
async fn the_proof_covers_the_timestamp_in_cognitos_form(s: TestServer) {
    let (pool_id, client_id) = setup(&s).await;
    // Tuesday 3 November 2026, 00:18:20 UTC: a one-digit day.
    let now = Timestamp(1_793_665_100_000);
    s.clock.set(now);
    let canonical = srp::cognito_timestamp(now);
    assert_eq!(canonical, "Tue Nov 3 00:18:20 UTC 2026");

    let incorrect = Err((
        "NotAuthorizedException".to_owned(),
        "Incorrect username or password.".to_owned(),
    ));
    for other in [
        "Tue Nov 03 00:18:20 UTC 2026",
        "Wed Nov 3 00:18:20 UTC 2026",
        "Tue  Nov 3 00:18:20 UTC 2026",
    ] {
        assert_eq!(
            sign_in_at(&s, &pool_id, &client_id, other).await,
            incorrect,
            "{other}"
        );
    }
    assert_eq!(
        sign_in_at(&s, &pool_id, &client_id, &canonical).await,
        Ok(())
    );
    // Not a time at all: a malformed request, not a wrong password.
    let (name, _) = sign_in_at(&s, &pool_id, &client_id, "yesterday")
        .await
        .unwrap_err();
    assert_eq!(name, "InvalidParameterException");
}
