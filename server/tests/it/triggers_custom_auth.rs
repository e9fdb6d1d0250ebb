//! CUSTOM_AUTH through the AWS SDK for Rust, with DefineAuthChallenge,
//! CreateAuthChallenge and VerifyAuthChallengeResponse running at a real
//! Lambda Invoke API peer (`common::lambda`): the events Cognito sends,
//! the `session` array's growth, failures, the round limit, the SRP-first
//! variant, and the administrative actions.

use aws_sdk_cognitoidentityprovider as cip;
use cip::error::ProvideErrorMetadata;
use cip::operation::initiate_auth::InitiateAuthOutput;
use cip::operation::respond_to_auth_challenge::RespondToAuthChallengeOutput;
use cip::types::{
    AuthFlowType, ChallengeNameType, ExplicitAuthFlowsType, PreventUserExistenceErrorTypes,
};
use cognate_core::srp::{self, client::SrpClient};
use serde_json::{Value, json};

use crate::common::lambda::{Peer, arn, create_pool, function_error, server_with_peer};
use crate::common::users::PASSWORD;
use crate::common::{TestServer, jwt_claims};

/// The one-time code the OTP functions expect.
const CODE: &str = "424242";

/// An error's name and message.
fn failure<E, R>(err: &cip::error::SdkError<E, R>) -> (String, String)
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let message = err
        .as_service_error()
        .and_then(ProvideErrorMetadata::message)
        .unwrap_or("")
        .to_owned();
    (crate::common::error_name(err), message)
}

fn incorrect() -> (String, String) {
    (
        "NotAuthorizedException".to_owned(),
        "Incorrect username or password.".to_owned(),
    )
}

fn invalid_session() -> (String, String) {
    (
        "NotAuthorizedException".to_owned(),
        "Invalid session for the user.".to_owned(),
    )
}

/// A passwordless OTP flow in three functions, as Cognito's samples write
/// it: a CUSTOM_CHALLENGE until one is answered rightly (tokens), failing
/// after three wrong answers.
fn define_otp_functions(peer: &Peer) {
    peer.define("define", |mut e| {
        let session = e["request"]["session"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let last = session.last();
        let right = last.is_some_and(|l| {
            l["challengeName"] == "CUSTOM_CHALLENGE" && l["challengeResult"] == true
        });
        if right {
            e["response"]["issueTokens"] = json!(true);
            e["response"]["failAuthentication"] = json!(false);
        } else if session.len() >= 3 {
            e["response"]["issueTokens"] = json!(false);
            e["response"]["failAuthentication"] = json!(true);
        } else {
            e["response"]["challengeName"] = json!("CUSTOM_CHALLENGE");
            e["response"]["issueTokens"] = json!(false);
            e["response"]["failAuthentication"] = json!(false);
        }
        e
    });
    peer.define("create", |mut e| {
        let round = e["request"]["session"].as_array().map_or(0, Vec::len) + 1;
        e["response"]["publicChallengeParameters"] =
            json!({"hint": "a code was sent to a***@example.com", "attempt": round});
        e["response"]["privateChallengeParameters"] = json!({ "answer": CODE });
        e["response"]["challengeMetadata"] = json!(format!("OTP-{round}"));
        e
    });
    peer.define("verify", |mut e| {
        let right =
            e["request"]["challengeAnswer"] == e["request"]["privateChallengeParameters"]["answer"];
        e["response"]["answerCorrect"] = json!(right);
        e
    });
}

fn otp_config() -> Value {
    json!({
        "DefineAuthChallenge": arn("define"),
        "CreateAuthChallenge": arn("create"),
        "VerifyAuthChallengeResponse": arn("verify"),
        "PreAuthentication": arn("pre"),
        "PostAuthentication": arn("post"),
    })
}

/// A client allowing CUSTOM_AUTH (and refresh), hiding unknown users or not.
async fn custom_client(s: &TestServer, pool_id: &str, prevent: bool) -> String {
    s.app_client(pool_id, |c| {
        c.explicit_auth_flows(ExplicitAuthFlowsType::AllowCustomAuth)
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
            .prevent_user_existence_errors(if prevent {
                PreventUserExistenceErrorTypes::Enabled
            } else {
                PreventUserExistenceErrorTypes::Legacy
            })
    })
    .await
    .0
}

/// A pool with the OTP functions, a client, and the user "ann".
async fn otp_pool(s: &TestServer, peer: &Peer, prevent: bool) -> (String, String) {
    define_otp_functions(peer);
    peer.define("pre", |e| e);
    peer.define("post", |e| e);
    let pool_id = create_pool(s, otp_config()).await.unwrap();
    let client_id = custom_client(s, &pool_id, prevent).await;
    s.verified_user(&pool_id, "ann", PASSWORD, "ann@example.com")
        .await;
    (pool_id, client_id)
}

async fn start(
    s: &TestServer,
    client_id: &str,
    username: &str,
) -> Result<InitiateAuthOutput, (String, String)> {
    s.public()
        .initiate_auth()
        .client_id(client_id)
        .auth_flow(AuthFlowType::CustomAuth)
        .auth_parameters("USERNAME", username)
        .client_metadata("app", "web")
        .send()
        .await
        .map_err(|e| failure(&e))
}

async fn answer(
    s: &TestServer,
    client_id: &str,
    username: &str,
    session: &str,
    answer: &str,
) -> Result<RespondToAuthChallengeOutput, (String, String)> {
    s.public()
        .respond_to_auth_challenge()
        .client_id(client_id)
        .challenge_name(ChallengeNameType::CustomChallenge)
        .session(session)
        .challenge_responses("USERNAME", username)
        .challenge_responses("ANSWER", answer)
        .client_metadata("step", "answer")
        .send()
        .await
        .map_err(|e| failure(&e))
}

/// The `session` entry of a custom challenge.
fn custom(result: bool, metadata: &str) -> Value {
    json!({"challengeName": "CUSTOM_CHALLENGE", "challengeResult": result, "challengeMetadata": metadata})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_otp_flow_issues_tokens_after_a_wrong_then_a_right_answer_with_cognitos_events() {
    let (s, peer, _) = server_with_peer().await;
    let (pool_id, client_id) = otp_pool(&s, &peer, false).await;

    let first = start(&s, &client_id, "ann").await.unwrap();
    assert!(first.authentication_result().is_none());
    assert_eq!(
        first.challenge_name(),
        Some(&ChallengeNameType::CustomChallenge)
    );
    let params = first.challenge_parameters().unwrap();
    assert_eq!(params["USERNAME"], "ann");
    assert_eq!(params["hint"], "a code was sent to a***@example.com");
    assert_eq!(params["attempt"], "1", "numbers reach the client as text");
    assert!(
        !params.contains_key("answer"),
        "private parameters stay private"
    );
    let session1 = first.session().expect("a session").to_owned();
    assert!(!session1.contains(CODE));

    // PreAuthentication first, with InitiateAuth's ClientMetadata.
    let pre = peer.events_of("pre");
    assert_eq!(pre.len(), 1);
    assert_eq!(pre[0]["request"]["validationData"], json!({"app": "web"}));

    let define = peer.events_of("define");
    assert_eq!(define.len(), 1);
    let d = &define[0];
    assert_eq!(d["version"], "1");
    assert_eq!(d["triggerSource"], "DefineAuthChallenge_Authentication");
    assert_eq!(d["userPoolId"], pool_id.as_str());
    assert_eq!(d["userName"], "ann");
    assert_eq!(d["callerContext"]["clientId"], client_id.as_str());
    assert_eq!(d["request"]["userAttributes"]["email"], "ann@example.com");
    assert_eq!(
        d["request"]["userAttributes"]["cognito:user_status"],
        "CONFIRMED"
    );
    assert_eq!(d["request"]["session"], json!([]));
    // Cognito API: InitiateAuth does not pass ClientMetadata to the
    // challenge functions; LEGACY clients get no userNotFound.
    assert!(d["request"].get("clientMetadata").is_none());
    assert!(d["request"].get("userNotFound").is_none());
    assert_eq!(
        d["response"],
        json!({"challengeName": null, "issueTokens": null, "failAuthentication": null})
    );
    let create = peer.events_of("create");
    assert_eq!(create.len(), 1);
    let c = &create[0];
    assert_eq!(c["triggerSource"], "CreateAuthChallenge_Authentication");
    assert_eq!(c["userName"], "ann");
    assert_eq!(c["callerContext"]["clientId"], client_id.as_str());
    assert_eq!(c["request"]["challengeName"], "CUSTOM_CHALLENGE");
    assert_eq!(c["request"]["session"], json!([]));
    assert_eq!(c["request"]["userAttributes"]["email"], "ann@example.com");
    assert_eq!(
        c["response"],
        json!({"publicChallengeParameters": null, "privateChallengeParameters": null, "challengeMetadata": null})
    );

    // A wrong answer: VerifyAuthChallengeResponse says so, the result joins
    // the session array, and DefineAuthChallenge asks again.
    let second = answer(&s, &client_id, "ann", &session1, "000000")
        .await
        .unwrap();
    assert_eq!(
        second.challenge_name(),
        Some(&ChallengeNameType::CustomChallenge)
    );
    assert_eq!(second.challenge_parameters().unwrap()["attempt"], "2");
    let session2 = second.session().expect("a new session").to_owned();
    assert_ne!(session1, session2);
    let verify = peer.events_of("verify");
    assert_eq!(verify.len(), 1);
    let v = &verify[0];
    assert_eq!(v["version"], "1");
    assert_eq!(
        v["triggerSource"],
        "VerifyAuthChallengeResponse_Authentication"
    );
    assert_eq!(v["userName"], "ann");
    assert_eq!(v["callerContext"]["clientId"], client_id.as_str());
    assert_eq!(
        v["request"]["privateChallengeParameters"],
        json!({"answer": CODE})
    );
    assert_eq!(v["request"]["challengeAnswer"], "000000");
    assert_eq!(v["request"]["clientMetadata"], json!({"step": "answer"}));
    assert_eq!(v["request"]["userAttributes"]["email"], "ann@example.com");
    assert_eq!(v["response"], json!({"answerCorrect": null}));
    let define = peer.events_of("define");
    assert_eq!(define.len(), 2);
    assert_eq!(
        define[1]["request"]["session"],
        json!([custom(false, "OTP-1")])
    );
    assert_eq!(
        define[1]["request"]["clientMetadata"],
        json!({"step": "answer"})
    );
    let create = peer.events_of("create");
    assert_eq!(
        create[1]["request"]["session"],
        json!([custom(false, "OTP-1")])
    );
    assert_eq!(
        create[1]["request"]["clientMetadata"],
        json!({"step": "answer"})
    );

    // A session answers once: the first one is spent.
    assert_eq!(
        answer(&s, &client_id, "ann", &session1, CODE)
            .await
            .unwrap_err(),
        invalid_session()
    );
    assert_eq!(peer.events_of("verify").len(), 1, "no function ran");
    assert!(peer.events_of("post").is_empty(), "no tokens yet");

    // The right answer: tokens, after PostAuthentication.
    let done = answer(&s, &client_id, "ann", &session2, CODE)
        .await
        .unwrap();
    let tokens = done.authentication_result().expect("tokens");
    assert!(done.challenge_name().is_none());
    let id = jwt_claims(tokens.id_token().unwrap());
    assert_eq!(id["cognito:username"], "ann");
    assert_eq!(id["aud"], client_id.as_str());
    assert!(tokens.refresh_token().is_some());
    let define = peer.events_of("define");
    assert_eq!(define.len(), 3);
    assert_eq!(
        define[2]["request"]["session"],
        json!([custom(false, "OTP-1"), custom(true, "OTP-2")])
    );
    assert_eq!(peer.events_of("post").len(), 1);
    // The tokens are good for the user's own actions.
    let me = s
        .public()
        .get_user()
        .access_token(tokens.access_token().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(me.username(), "ann");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fail_authentication_and_an_endless_flow_both_end_as_incorrect_username_or_password() {
    let (s, peer, _) = server_with_peer().await;
    let (_, client_id) = otp_pool(&s, &peer, false).await;

    // Three wrong answers: DefineAuthChallenge fails the flow.
    let mut session = start(&s, &client_id, "ann")
        .await
        .unwrap()
        .session()
        .unwrap()
        .to_owned();
    for _ in 0..2 {
        session = answer(&s, &client_id, "ann", &session, "111111")
            .await
            .unwrap()
            .session()
            .unwrap()
            .to_owned();
    }
    assert_eq!(
        answer(&s, &client_id, "ann", &session, "111111")
            .await
            .unwrap_err(),
        incorrect()
    );
    let last = peer.events_of("define").pop().unwrap();
    assert_eq!(last["request"]["session"].as_array().unwrap().len(), 3);
    assert!(peer.events_of("post").is_empty());

    // A DefineAuthChallenge that never decides: the session array stops at
    // its limit of ten entries.
    peer.define("endless", |mut e| {
        e["response"]["challengeName"] = json!("CUSTOM_CHALLENGE");
        e
    });
    let pool_id = create_pool(
        &s,
        json!({
            "DefineAuthChallenge": arn("endless"),
            "CreateAuthChallenge": arn("create"),
            "VerifyAuthChallengeResponse": arn("verify"),
        }),
    )
    .await
    .unwrap();
    let client_id = custom_client(&s, &pool_id, false).await;
    s.verified_user(&pool_id, "bob", PASSWORD, "bob@example.com")
        .await;
    let mut session = start(&s, &client_id, "bob")
        .await
        .unwrap()
        .session()
        .unwrap()
        .to_owned();
    for round in 1..10 {
        let next = answer(&s, &client_id, "bob", &session, "999999")
            .await
            .unwrap_or_else(|e| panic!("round {round}: {e:?}"));
        session = next.session().unwrap().to_owned();
    }
    assert_eq!(
        answer(&s, &client_id, "bob", &session, "999999")
            .await
            .unwrap_err(),
        incorrect()
    );
    let endless = peer.events_of("endless");
    assert_eq!(endless.len(), 11);
    assert_eq!(
        endless[10]["request"]["session"].as_array().unwrap().len(),
        10
    );
    let bob_creates = peer
        .events_of("create")
        .into_iter()
        .filter(|e| e["userName"] == "bob")
        .count();
    assert_eq!(bob_creates, 10, "no eleventh challenge");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_function_that_throws_ends_the_sign_in_without_tokens() {
    let (s, peer, _) = server_with_peer().await;
    let (_, client_id) = otp_pool(&s, &peer, false).await;
    peer.define_raw("verify", |_| function_error("Verifier unavailable"));
    let first = start(&s, &client_id, "ann").await.unwrap();
    let session = first.session().unwrap();
    assert_eq!(
        answer(&s, &client_id, "ann", session, CODE)
            .await
            .unwrap_err(),
        (
            "UserLambdaValidationException".to_owned(),
            "VerifyAuthChallengeResponse failed with error Verifier unavailable.".to_owned()
        )
    );
    // The session was spent by that answer; nothing else ran.
    define_otp_functions(&peer);
    assert_eq!(
        answer(&s, &client_id, "ann", session, CODE)
            .await
            .unwrap_err(),
        invalid_session()
    );
    assert_eq!(peer.events_of("define").len(), 1);
    assert!(peer.events_of("post").is_empty());

    // DefineAuthChallenge throwing at the start, CreateAuthChallenge
    // answering something that is not an event, or DefineAuthChallenge
    // naming a challenge this flow cannot give.
    peer.define("no-such-challenge", |mut e| {
        e["response"]["challengeName"] = json!("SMS_MFA");
        e
    });
    for (define, create, error) in [
        ("reject", "create", "UserLambdaValidationException"),
        ("define", "garbage", "InvalidLambdaResponseException"),
        (
            "no-such-challenge",
            "create",
            "InvalidLambdaResponseException",
        ),
    ] {
        let pool_id = create_pool(
            &s,
            json!({
                "DefineAuthChallenge": arn(define),
                "CreateAuthChallenge": arn(create),
                "VerifyAuthChallengeResponse": arn("verify"),
                "PostAuthentication": arn("post"),
            }),
        )
        .await
        .unwrap();
        let client_id = custom_client(&s, &pool_id, false).await;
        s.verified_user(&pool_id, "ann", PASSWORD, "ann@example.com")
            .await;
        let (name, _) = start(&s, &client_id, "ann").await.unwrap_err();
        assert_eq!(name, error, "{define} {create}");
    }
    assert!(peer.events_of("post").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_initiate_auth_runs_the_same_custom_flow() {
    let (s, peer, _) = server_with_peer().await;
    let (pool_id, client_id) = otp_pool(&s, &peer, false).await;
    let admin = s.admin();
    let first = admin
        .admin_initiate_auth()
        .user_pool_id(&pool_id)
        .client_id(&client_id)
        .auth_flow(AuthFlowType::CustomAuth)
        .auth_parameters("USERNAME", "ann")
        .send()
        .await
        .unwrap();
    assert_eq!(
        first.challenge_name(),
        Some(&ChallengeNameType::CustomChallenge)
    );
    let done = admin
        .admin_respond_to_auth_challenge()
        .user_pool_id(&pool_id)
        .client_id(&client_id)
        .challenge_name(ChallengeNameType::CustomChallenge)
        .session(first.session().unwrap())
        .challenge_responses("USERNAME", "ann")
        .challenge_responses("ANSWER", CODE)
        .client_metadata("via", "admin")
        .send()
        .await
        .unwrap();
    assert!(done.authentication_result().is_some());
    let verify = peer.events_of("verify");
    assert_eq!(
        verify[0]["request"]["clientMetadata"],
        json!({"via": "admin"})
    );
    assert_eq!(verify[0]["callerContext"]["clientId"], client_id.as_str());

    // A session is bound to its pool and client and to its user.
    let (other_client, _) = s.client(&pool_id, false, false).await;
    let session = start(&s, &client_id, "ann")
        .await
        .unwrap()
        .session()
        .unwrap()
        .to_owned();
    s.verified_user(&pool_id, "eve", PASSWORD, "eve@example.com")
        .await;
    assert_eq!(
        answer(&s, &client_id, "eve", &session, CODE)
            .await
            .unwrap_err(),
        invalid_session()
    );
    let wrong_client = s
        .public()
        .respond_to_auth_challenge()
        .client_id(&other_client)
        .challenge_name(ChallengeNameType::CustomChallenge)
        .session(&session)
        .challenge_responses("USERNAME", "ann")
        .challenge_responses("ANSWER", CODE)
        .send()
        .await
        .unwrap_err();
    assert_eq!(failure(&wrong_client), invalid_session());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn custom_auth_needs_allow_custom_auth_and_a_define_auth_challenge_function() {
    let (s, peer, _) = server_with_peer().await;
    let (pool_id, _) = otp_pool(&s, &peer, false).await;
    // A client with USER_PASSWORD_AUTH only.
    let (password_only, _) = s.client(&pool_id, false, false).await;
    let (name, message) = start(&s, &password_only, "ann").await.unwrap_err();
    assert_eq!(name, "InvalidParameterException");
    assert_eq!(message, "CUSTOM_AUTH flow not enabled for this client");

    let bare = create_pool(&s, json!({})).await.unwrap();
    let client_id = custom_client(&s, &bare, false).await;
    s.verified_user(&bare, "ann", PASSWORD, "ann@example.com")
        .await;
    assert_eq!(
        start(&s, &client_id, "ann").await.unwrap_err(),
        (
            "InvalidParameterException".to_owned(),
            "Custom auth lambda trigger is not configured for the user pool.".to_owned()
        )
    );
    assert!(peer.events_of("define").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_names_are_refused_or_simulated_when_the_client_hides_them() {
    let (s, peer, _) = server_with_peer().await;
    let (pool_id, legacy) = otp_pool(&s, &peer, false).await;
    assert_eq!(
        start(&s, &legacy, "nobody").await.unwrap_err(),
        (
            "UserNotFoundException".to_owned(),
            "User does not exist.".to_owned()
        )
    );
    assert!(peer.events_of("define").is_empty());

    // PreventUserExistenceErrors: the functions run with userNotFound, and
    // the flow can only fail.
    let hiding = custom_client(&s, &pool_id, true).await;
    let first = start(&s, &hiding, "nobody").await.unwrap();
    assert_eq!(first.challenge_parameters().unwrap()["USERNAME"], "nobody");
    let d = &peer.events_of("define")[0];
    assert_eq!(d["userName"], "nobody");
    assert_eq!(d["request"]["userNotFound"], true);
    assert_eq!(d["request"]["userAttributes"], json!({}));
    assert_eq!(peer.events_of("create")[0]["request"]["userNotFound"], true);
    assert_eq!(peer.events_of("pre")[0]["request"]["userNotFound"], true);
    // Even a right answer, which DefineAuthChallenge turns into tokens.
    assert_eq!(
        answer(&s, &hiding, "nobody", first.session().unwrap(), CODE)
            .await
            .unwrap_err(),
        incorrect()
    );
    assert_eq!(peer.events_of("verify")[0]["request"]["userNotFound"], true);
    assert!(peer.events_of("post").is_empty());

    // A real user through that client: userNotFound is false.
    start(&s, &hiding, "ann").await.unwrap();
    let d = peer.events_of("define").pop().unwrap();
    assert_eq!(d["request"]["userNotFound"], false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disabled_user_gets_no_tokens_from_a_custom_flow() {
    let (s, peer, _) = server_with_peer().await;
    let (pool_id, client_id) = otp_pool(&s, &peer, false).await;
    let session = start(&s, &client_id, "ann")
        .await
        .unwrap()
        .session()
        .unwrap()
        .to_owned();
    s.admin()
        .admin_disable_user()
        .user_pool_id(&pool_id)
        .username("ann")
        .send()
        .await
        .unwrap();
    assert_eq!(
        answer(&s, &client_id, "ann", &session, CODE)
            .await
            .unwrap_err(),
        (
            "NotAuthorizedException".to_owned(),
            "User is disabled.".to_owned()
        )
    );
    assert!(peer.events_of("post").is_empty());
}

/// DefineAuthChallenge of "CUSTOM_AUTH with SRP": SRP_A → PASSWORD_VERIFIER
/// → CUSTOM_CHALLENGE → tokens (developer guide's example).
fn define_srp_first(peer: &Peer) {
    peer.define("define", |mut e| {
        let session = e["request"]["session"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let at = |i: usize, name: &str| {
            session
                .get(i)
                .is_some_and(|s| s["challengeName"] == name && s["challengeResult"] == true)
        };
        let next = match session.len() {
            1 if at(0, "SRP_A") => Some("PASSWORD_VERIFIER"),
            2 if at(1, "PASSWORD_VERIFIER") => Some("CUSTOM_CHALLENGE"),
            3 if at(2, "CUSTOM_CHALLENGE") => None,
            _ => {
                e["response"]["failAuthentication"] = json!(true);
                return e;
            }
        };
        match next {
            Some(name) => e["response"]["challengeName"] = json!(name),
            None => e["response"]["issueTokens"] = json!(true),
        }
        e
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_custom_flow_may_prove_the_password_with_srp_first() {
    let (s, peer, _) = server_with_peer().await;
    define_otp_functions(&peer);
    define_srp_first(&peer);
    peer.define("post", |e| e);
    let pool_id = create_pool(
        &s,
        json!({
            "DefineAuthChallenge": arn("define"),
            "CreateAuthChallenge": arn("create"),
            "VerifyAuthChallengeResponse": arn("verify"),
            "PostAuthentication": arn("post"),
        }),
    )
    .await
    .unwrap();
    let client_id = custom_client(&s, &pool_id, false).await;
    s.verified_user(&pool_id, "alice", PASSWORD, "alice@example.com")
        .await;

    // InitiateAuth with CHALLENGE_NAME=SRP_A: DefineAuthChallenge sees
    // {SRP_A, true} and asks for PASSWORD_VERIFIER.
    let srp = |password: &'static str| {
        let s = &s;
        let client_id = client_id.clone();
        let pool_id = pool_id.clone();
        async move {
            let c = SrpClient::new();
            let out = s
                .public()
                .initiate_auth()
                .client_id(&client_id)
                .auth_flow(AuthFlowType::CustomAuth)
                .auth_parameters("USERNAME", "alice")
                .auth_parameters("CHALLENGE_NAME", "SRP_A")
                .auth_parameters("SRP_A", c.srp_a_hex())
                .send()
                .await
                .unwrap();
            assert_eq!(
                out.challenge_name(),
                Some(&ChallengeNameType::PasswordVerifier)
            );
            let p = out.challenge_parameters().unwrap().clone();
            let timestamp = srp::cognito_timestamp(s.clock.now());
            let signature = c
                .password_claim_signature(
                    srp::pool_name_for_srp(&pool_id),
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
                .client_id(&client_id)
                .challenge_name(ChallengeNameType::PasswordVerifier)
                .challenge_responses("USERNAME", &p["USER_ID_FOR_SRP"])
                .challenge_responses("PASSWORD_CLAIM_SECRET_BLOCK", &p["SECRET_BLOCK"])
                .challenge_responses("PASSWORD_CLAIM_SIGNATURE", signature)
                .challenge_responses("TIMESTAMP", timestamp)
                .client_metadata("step", "password")
                .send()
                .await
                .map_err(|e| failure(&e))
        }
    };

    // A wrong password ends there, as in USER_SRP_AUTH.
    assert_eq!(srp("Wrong-Passw0rd!").await.unwrap_err(), incorrect());
    assert_eq!(peer.events_of("define").len(), 1);
    assert!(peer.events_of("create").is_empty());

    let challenge = srp(PASSWORD).await.unwrap();
    assert_eq!(
        challenge.challenge_name(),
        Some(&ChallengeNameType::CustomChallenge)
    );
    let define = peer.events_of("define");
    assert_eq!(define.len(), 3);
    let srp_a =
        json!({"challengeName": "SRP_A", "challengeResult": true, "challengeMetadata": null});
    let verifier = json!({"challengeName": "PASSWORD_VERIFIER", "challengeResult": true, "challengeMetadata": null});
    assert_eq!(define[1]["request"]["session"], json!([srp_a]));
    assert!(define[1]["request"].get("clientMetadata").is_none());
    assert_eq!(define[2]["request"]["session"], json!([srp_a, verifier]));
    assert_eq!(
        define[2]["request"]["clientMetadata"],
        json!({"step": "password"})
    );
    let create = peer.events_of("create");
    assert_eq!(create[0]["request"]["session"], json!([srp_a, verifier]));

    let done = answer(&s, &client_id, "alice", challenge.session().unwrap(), CODE)
        .await
        .unwrap();
    assert!(done.authentication_result().is_some());
    assert_eq!(
        peer.events_of("define")[3]["request"]["session"],
        json!([srp_a, verifier, custom(true, "OTP-3")])
    );
    assert_eq!(peer.events_of("post").len(), 1);
}
