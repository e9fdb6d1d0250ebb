//! User sessions through Cognito's JSON protocol (this AWS SDK for Rust
//! has no session operations yet, so the calls are signed as the SDKs sign
//! them): the pool's and the client's session configuration, listing a
//! user's token sessions by access token and as an administrator, revoking
//! one (its refresh, access and ID tokens stop working), DeviceType and
//! LastIPAddress of the last caller (API and token endpoint), MaxPerUser
//! evicting the least recently used session, the client's SSO
//! MaxValidityMinutes on the hosted UI, `LINKED` ending hosted-UI sessions,
//! and every refusal with Cognito's error.

use crate::common::hosted::{PKCE_VERIFIER, browser, hidden, location, query_param, s256};
use crate::common::users::PASSWORD;
use crate::common::{TestServer, error_name};
use aws_sdk_cognitoidentityprovider as cip;
use cip::types::{AuthFlowType, ExplicitAuthFlowsType, UserPoolTierType};
use serde_json::{Value, json};

/// A pool with `ann` and `bob`, and a public password client.
async fn setup(s: &TestServer) -> (String, String) {
    let pool_id = s.pool(|b| b).await;
    let (client_id, _) = s
        .app_client(&pool_id, |c| {
            c.explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
                .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        })
        .await;
    s.admin_user(&pool_id, "ann", PASSWORD, &[]).await;
    s.admin_user(&pool_id, "bob", PASSWORD, &[]).await;
    (pool_id, client_id)
}

/// The error type of a JSON answer.
fn error_of(answer: &(u16, Value)) -> &str {
    assert_eq!(answer.0, 400, "{answer:?}");
    answer.1["__type"].as_str().unwrap_or("?")
}

async fn track(s: &TestServer, pool_id: &str, max: i64) -> (u16, Value) {
    s.call_signed(
        "SetUserPoolSessionConfiguration",
        &json!({
            "UserPoolId": pool_id,
            "UserSessionTracking": "ENABLED",
            "TokenSession": { "MaxPerUser": max },
        }),
    )
    .await
}

/// (access token, refresh token) of a sign-in of `user`.
async fn sign_in(s: &TestServer, client_id: &str, user: &str) -> (String, String) {
    let t = s.signed_in(client_id, user, PASSWORD).await;
    (
        t.access_token().unwrap().to_owned(),
        t.refresh_token().unwrap().to_owned(),
    )
}

async fn refresh(
    s: &TestServer,
    client_id: &str,
    refresh_token: &str,
) -> Result<
    cip::operation::initiate_auth::InitiateAuthOutput,
    cip::error::SdkError<cip::operation::initiate_auth::InitiateAuthError>,
> {
    s.public()
        .initiate_auth()
        .client_id(client_id)
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", refresh_token)
        .send()
        .await
}

async fn get_user(s: &TestServer, access: &str) -> Result<(), String> {
    s.public()
        .get_user()
        .access_token(access)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| error_name(&e))
}

async fn own_sessions(s: &TestServer, access: &str) -> Vec<Value> {
    let (status, body) = s
        .call_public("ListUserSessions", &json!({ "AccessToken": access }))
        .await;
    assert_eq!(status, 200, "{body}");
    body["Sessions"].as_array().unwrap().clone()
}

async fn admin_sessions(s: &TestServer, pool_id: &str, user: &str) -> Vec<Value> {
    let (status, body) = s
        .call_signed(
            "AdminListUserSessions",
            &json!({ "UserPoolId": pool_id, "Username": user }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body["Sessions"].as_array().unwrap().clone()
}

fn ids(sessions: &[Value]) -> Vec<String> {
    let mut ids: Vec<String> = sessions
        .iter()
        .map(|s| s["SessionId"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

fn is_session_id(id: &str) -> bool {
    id.len() == 28
        && id.starts_with("tkn")
        && id[3..]
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

async fn sessions_are_listed_and_revoked(s: TestServer) {
    let (pool_id, client_id) = setup(&s).await;
    let (a_access, _) = sign_in(&s, &client_id, "ann").await;

    // Cognito API: GetUserPoolSessionConfiguration — the defaults; while
    // tracking is off the sessions are not listed.
    let (status, config) = s
        .call_signed(
            "GetUserPoolSessionConfiguration",
            &json!({ "UserPoolId": pool_id }),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(config["UserSessionTracking"], "DISABLED");
    assert_eq!(config["TokenSession"]["MaxPerUser"], 20);
    let off = s
        .call_public("ListUserSessions", &json!({ "AccessToken": a_access }))
        .await;
    assert_eq!(error_of(&off), "OperationNotEnabledException");

    let set = track(&s, &pool_id, 20).await;
    assert_eq!(set.0, 200, "{set:?}");
    assert_eq!(set.1["UserSessionTracking"], "ENABLED");
    assert_eq!(set.1["UserPoolId"], pool_id.as_str());
    let (_, config) = s
        .call_signed(
            "GetUserPoolSessionConfiguration",
            &json!({ "UserPoolId": pool_id }),
        )
        .await;
    assert_eq!(config["UserSessionTracking"], "ENABLED");
    // DescribeUserPool does not carry it.
    let (_, described) = s
        .call_signed("DescribeUserPool", &json!({ "UserPoolId": pool_id }))
        .await;
    assert!(described["UserPool"].get("SessionConfiguration").is_none());

    let (b_access, b_refresh) = sign_in(&s, &client_id, "ann").await;
    let (bob_access, _) = sign_in(&s, &client_id, "bob").await;

    let mine = own_sessions(&s, &a_access).await;
    assert_eq!(mine.len(), 2, "{mine:?}");
    for session in &mine {
        assert!(is_session_id(session["SessionId"].as_str().unwrap()));
        assert_eq!(session["SessionType"], "TOKEN");
        assert_eq!(session["ClientId"], client_id.as_str());
        assert!(session["CreateDate"].is_number());
    }
    let current: Vec<&Value> = mine
        .iter()
        .filter(|s| s["IsCurrentSession"] == true)
        .collect();
    assert_eq!(current.len(), 1);
    let a_id = current[0]["SessionId"].as_str().unwrap().to_owned();
    let b_id = mine
        .iter()
        .find(|s| s["SessionId"] != a_id.as_str())
        .unwrap()["SessionId"]
        .as_str()
        .unwrap()
        .to_owned();
    // The administrator sees the same sessions, none of them current.
    let admin = admin_sessions(&s, &pool_id, "ann").await;
    assert_eq!(ids(&admin), ids(&mine));
    assert!(admin.iter().all(|s| s["IsCurrentSession"] == false));

    // A bad token or page token is refused; an unknown user too.
    let bad = s
        .call_public("ListUserSessions", &json!({ "AccessToken": "not.a.token" }))
        .await;
    assert_eq!(error_of(&bad), "NotAuthorizedException");
    let page = s
        .call_public(
            "ListUserSessions",
            &json!({ "AccessToken": a_access, "NextToken": "tkn0000000000000000000000000" }),
        )
        .await;
    assert_eq!(error_of(&page), "InvalidParameterException");
    let nobody = s
        .call_signed(
            "AdminListUserSessions",
            &json!({ "UserPoolId": pool_id, "Username": "nobody" }),
        )
        .await;
    assert_eq!(error_of(&nobody), "UserNotFoundException");

    // A refresh is the session's last activity.
    s.clock.advance(90000);
    refresh(&s, &client_id, &b_refresh).await.expect("refresh");
    let b = own_sessions(&s, &a_access)
        .await
        .into_iter()
        .find(|s| s["SessionId"] == b_id.as_str())
        .unwrap();
    assert!(b["LastActiveDate"].as_f64().unwrap() >= b["CreateDate"].as_f64().unwrap() + 90.0);

    // Cognito API: RevokeUserSession — not the caller's own session; a
    // malformed id is refused, an unknown one is not found, and another
    // user's session is not found either.
    let own = s
        .call_public(
            "RevokeUserSession",
            &json!({ "AccessToken": a_access, "SessionId": a_id }),
        )
        .await;
    assert_eq!(error_of(&own), "InvalidParameterException");
    let malformed = s
        .call_public(
            "RevokeUserSession",
            &json!({ "AccessToken": a_access, "SessionId": "tknNOT-AN-ID" }),
        )
        .await;
    assert_eq!(error_of(&malformed), "InvalidParameterException");
    let unknown = s
        .call_public(
            "RevokeUserSession",
            &json!({ "AccessToken": a_access, "SessionId": "tkn0000000000000000000000000" }),
        )
        .await;
    assert_eq!(error_of(&unknown), "ResourceNotFoundException");
    let bobs = s
        .call_public(
            "RevokeUserSession",
            &json!({ "AccessToken": bob_access, "SessionId": b_id }),
        )
        .await;
    assert_eq!(error_of(&bobs), "ResourceNotFoundException");
    let bad_enum = s
        .call_public(
            "RevokeUserSession",
            &json!({ "AccessToken": a_access, "SessionId": b_id, "RevokeAssociatedSessions": "ALL" }),
        )
        .await;
    assert_eq!(bad_enum.0, 400);
    get_user(&s, &b_access).await.expect("nothing was revoked");

    let revoked = s
        .call_public(
            "RevokeUserSession",
            &json!({ "AccessToken": a_access, "SessionId": b_id, "RevokeAssociatedSessions": "NONE" }),
        )
        .await;
    assert_eq!(revoked, (200, json!({})));
    assert_eq!(
        get_user(&s, &b_access).await.unwrap_err(),
        "NotAuthorizedException"
    );
    let err = refresh(&s, &client_id, &b_refresh).await.unwrap_err();
    assert_eq!(error_name(&err), "NotAuthorizedException");
    assert_eq!(ids(&own_sessions(&s, &a_access).await), vec![a_id.clone()]);
    get_user(&s, &a_access).await.expect("ann's other session");
    get_user(&s, &bob_access).await.expect("bob's session");

    // Cognito API: AdminRevokeUserSession — the username must be the
    // session's owner.
    let wrong_user = s
        .call_signed(
            "AdminRevokeUserSession",
            &json!({ "UserPoolId": pool_id, "Username": "bob", "SessionId": a_id }),
        )
        .await;
    assert_eq!(error_of(&wrong_user), "ResourceNotFoundException");
    let nobody = s
        .call_signed(
            "AdminRevokeUserSession",
            &json!({ "UserPoolId": pool_id, "Username": "nobody", "SessionId": a_id }),
        )
        .await;
    assert_eq!(error_of(&nobody), "UserNotFoundException");
    get_user(&s, &a_access).await.expect("still signed in");
    let revoked = s
        .call_signed(
            "AdminRevokeUserSession",
            &json!({ "UserPoolId": pool_id, "Username": "ann", "SessionId": a_id }),
        )
        .await;
    assert_eq!(revoked, (200, json!({})));
    assert_eq!(
        get_user(&s, &a_access).await.unwrap_err(),
        "NotAuthorizedException"
    );
    assert!(admin_sessions(&s, &pool_id, "ann").await.is_empty());
    assert_eq!(admin_sessions(&s, &pool_id, "bob").await.len(), 1);
}

async fn max_per_user_evicts_the_least_recently_used_session(s: TestServer) {
    let (pool_id, client_id) = setup(&s).await;
    assert_eq!(track(&s, &pool_id, 2).await.0, 200);
    let (first_access, first_refresh) = sign_in(&s, &client_id, "ann").await;
    s.clock.advance(10000);
    let (second_access, _) = sign_in(&s, &client_id, "ann").await;
    s.clock.advance(10000);
    // The first is used again: the second is now the least recently used.
    refresh(&s, &client_id, &first_refresh)
        .await
        .expect("refresh");
    s.clock.advance(10000);
    let (third_access, _) = sign_in(&s, &client_id, "ann").await;

    assert_eq!(admin_sessions(&s, &pool_id, "ann").await.len(), 2);
    assert_eq!(
        get_user(&s, &second_access).await.unwrap_err(),
        "NotAuthorizedException"
    );
    get_user(&s, &first_access).await.expect("first kept");
    get_user(&s, &third_access).await.expect("third kept");
    // Another user's sessions are not counted.
    sign_in(&s, &client_id, "bob").await;
    assert_eq!(admin_sessions(&s, &pool_id, "ann").await.len(), 2);
}

async fn session_configuration_is_validated_and_gated(s: TestServer) {
    let (pool_id, client_id) = setup(&s).await;
    for max in [0, 101] {
        let bad = track(&s, &pool_id, max).await;
        assert_eq!(error_of(&bad), "InvalidParameterException", "{max}");
    }
    let missing = s
        .call_signed(
            "SetUserPoolSessionConfiguration",
            &json!({ "UserPoolId": pool_id, "UserSessionTracking": "ENABLED" }),
        )
        .await;
    assert_eq!(error_of(&missing), "InvalidParameterException");
    let unknown_pool = track(&s, "us-east-1_Nope0000", 5).await;
    assert_eq!(error_of(&unknown_pool), "ResourceNotFoundException");

    // The client's SSO session: 60 minutes until set; set only while the
    // pool tracks sessions.
    let client_ref = json!({ "UserPoolId": pool_id, "ClientId": client_id });
    let (status, got) = s
        .call_signed("GetUserPoolClientSessionConfiguration", &client_ref)
        .await;
    assert_eq!(status, 200);
    assert_eq!(got["SSOSession"]["MaxValidityMinutes"], 60);
    assert_eq!(got["ClientId"], client_id.as_str());
    let set_client = |minutes: i64| {
        json!({
            "UserPoolId": pool_id,
            "ClientId": client_id,
            "SSOSession": { "MaxValidityMinutes": minutes },
        })
    };
    let untracked = s
        .call_signed("SetUserPoolClientSessionConfiguration", &set_client(0))
        .await;
    assert_eq!(error_of(&untracked), "OperationNotEnabledException");
    assert_eq!(track(&s, &pool_id, 5).await.0, 200);
    let too_long = s
        .call_signed(
            "SetUserPoolClientSessionConfiguration",
            &set_client(129_601),
        )
        .await;
    assert_eq!(error_of(&too_long), "InvalidParameterException");
    let set = s
        .call_signed("SetUserPoolClientSessionConfiguration", &set_client(0))
        .await;
    assert_eq!(set.0, 200, "{set:?}");
    assert_eq!(set.1["SSOSession"]["MaxValidityMinutes"], 0);
    let (_, got) = s
        .call_signed("GetUserPoolClientSessionConfiguration", &client_ref)
        .await;
    assert_eq!(got["SSOSession"]["MaxValidityMinutes"], 0);
    // UpdateUserPoolClient keeps it; DescribeUserPoolClient leaves it out.
    s.admin()
        .update_user_pool_client()
        .user_pool_id(&pool_id)
        .client_id(&client_id)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .send()
        .await
        .expect("update client");
    let (_, got) = s
        .call_signed("GetUserPoolClientSessionConfiguration", &client_ref)
        .await;
    assert_eq!(got["SSOSession"]["MaxValidityMinutes"], 0);
    let (_, described) = s.call_signed("DescribeUserPoolClient", &client_ref).await;
    assert!(described["UserPoolClient"].get("SsoSession").is_none());
    assert!(described["UserPoolClient"].get("SSOSession").is_none());

    // Cognito API: SetUserPoolSessionConfiguration — ESSENTIALS or PLUS;
    // a pool tracking sessions cannot go down to LITE.
    let down = s
        .admin()
        .update_user_pool()
        .user_pool_id(&pool_id)
        .user_pool_tier(UserPoolTierType::Lite)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&down), "TierChangeNotAllowedException");
    let lite = s.pool(|b| b.user_pool_tier(UserPoolTierType::Lite)).await;
    let refused = track(&s, &lite, 5).await;
    assert_eq!(error_of(&refused), "FeatureUnavailableInTierException");
    let (status, got) = s
        .call_signed(
            "GetUserPoolSessionConfiguration",
            &json!({ "UserPoolId": lite }),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(got["UserSessionTracking"], "DISABLED");
}

const CALLBACK: &str = "https://app.example.com/cb";

/// GET /oauth2/authorize in browser `b`: a redirect to the callback when
/// the hosted UI reuses the browser's sign-in, else the sign-in page.
async fn authorize(
    s: &TestServer,
    b: &reqwest::Client,
    pool_id: &str,
    client_id: &str,
) -> Result<String, String> {
    let url = format!(
        "{}/{pool_id}/oauth2/authorize?response_type=code&client_id={client_id}&redirect_uri={CALLBACK}&state=s&scope=openid&code_challenge={}&code_challenge_method=S256",
        s.url,
        s256(PKCE_VERIFIER)
    );
    let r = b.get(url).send().await.unwrap();
    let to = location(&r);
    if to.starts_with(CALLBACK) {
        Ok(to)
    } else {
        Err(r.text().await.unwrap())
    }
}

/// A browser signed in on the hosted UI as `ann`.
async fn hosted_sign_in(s: &TestServer, pool_id: &str, client_id: &str) -> reqwest::Client {
    let b = browser();
    let html = authorize(s, &b, pool_id, client_id).await.unwrap_err();
    let form = [
        ("csrf", hidden(&html, "csrf").expect("csrf")),
        ("flow", hidden(&html, "flow").expect("flow")),
        ("username", "ann".to_owned()),
        ("password", PASSWORD.to_owned()),
    ];
    let r = b
        .post(format!("{}/{pool_id}/login", s.url))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert!(location(&r).starts_with(CALLBACK), "signed in");
    b
}

async fn hosted_app(s: &TestServer) -> (String, String) {
    let pool_id = s.pool(|b| b).await;
    let (client_id, _) = s
        .code_client(&pool_id, CALLBACK, &["openid"], |c| {
            c.explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
                .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        })
        .await;
    s.admin_user(&pool_id, "ann", PASSWORD, &[]).await;
    (pool_id, client_id)
}

async fn client_sso_validity_limits_silent_reuse(s: TestServer) {
    let (pool_id, client_id) = hosted_app(&s).await;
    assert_eq!(track(&s, &pool_id, 20).await.0, 200);
    let b = hosted_sign_in(&s, &pool_id, &client_id).await;
    // Cognito API: ClientSSOSessionConfigType — 60 minutes by default.
    authorize(&s, &b, &pool_id, &client_id)
        .await
        .expect("reused");
    let set = |minutes: i64| {
        json!({
            "UserPoolId": pool_id,
            "ClientId": client_id,
            "SSOSession": { "MaxValidityMinutes": minutes },
        })
    };
    let answer = s
        .call_signed("SetUserPoolClientSessionConfiguration", &set(5))
        .await;
    assert_eq!(answer.0, 200, "{answer:?}");
    authorize(&s, &b, &pool_id, &client_id)
        .await
        .expect("within five minutes");
    // Tracking off: the client's setting is dormant, the server's hour
    // applies.
    let tracking = |on: &str| {
        json!({
            "UserPoolId": pool_id,
            "UserSessionTracking": on,
            "TokenSession": { "MaxPerUser": 20 },
        })
    };
    let off = s
        .call_signed("SetUserPoolSessionConfiguration", &tracking("DISABLED"))
        .await;
    assert_eq!(off.0, 200);
    s.clock.advance(6 * 60 * 1000);
    authorize(&s, &b, &pool_id, &client_id)
        .await
        .expect("reused while tracking is off");
    // Back to the real time (admin calls are signed with it), tracking on
    // again: five minutes after the sign-in it is asked again.
    s.clock.set(cognate_core::Timestamp(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64,
    ));
    let on = s
        .call_signed("SetUserPoolSessionConfiguration", &tracking("ENABLED"))
        .await;
    assert_eq!(on.0, 200);
    authorize(&s, &b, &pool_id, &client_id)
        .await
        .expect("still within five minutes");
    s.clock.advance(6 * 60 * 1000);
    let page = authorize(&s, &b, &pool_id, &client_id).await.unwrap_err();
    assert!(page.contains("name=\"password\""), "asked again: {page}");
}

/// A new API sign-in of `ann`, revoked by RevokeToken with
/// RevokeAssociatedSessions LINKED: its access token stops working.
async fn revoke_linked(s: &TestServer, client_id: &str) {
    let (access, refresh_token) = sign_in(s, client_id, "ann").await;
    let answer = s
        .call_public(
            "RevokeToken",
            &json!({ "Token": refresh_token, "ClientId": client_id, "RevokeAssociatedSessions": "LINKED" }),
        )
        .await;
    assert_eq!(answer, (200, json!({})));
    assert_eq!(
        get_user(s, &access).await.unwrap_err(),
        "NotAuthorizedException"
    );
}

async fn linked_revocation_ends_hosted_sessions(s: TestServer) {
    let (pool_id, client_id) = hosted_app(&s).await;
    // Without tracking, RevokeToken's LINKED has no effect beyond the token.
    let b = hosted_sign_in(&s, &pool_id, &client_id).await;
    revoke_linked(&s, &client_id).await;
    authorize(&s, &b, &pool_id, &client_id)
        .await
        .expect("the hosted session stays");

    // With tracking, LINKED also ends the browser's hosted-UI session.
    assert_eq!(track(&s, &pool_id, 20).await.0, 200);
    revoke_linked(&s, &client_id).await;
    authorize(&s, &b, &pool_id, &client_id)
        .await
        .expect_err("the hosted session ended");

    // The same through AdminRevokeUserSession; NONE leaves it.
    let b = hosted_sign_in(&s, &pool_id, &client_id).await;
    sign_in(&s, &client_id, "ann").await;
    sign_in(&s, &client_id, "ann").await;
    let sessions: Vec<Value> = admin_sessions(&s, &pool_id, "ann")
        .await
        .into_iter()
        .filter(|s| s["SessionType"] == "TOKEN")
        .collect();
    assert_eq!(sessions.len(), 2);
    let revoke = |id: &Value, how: &str| {
        json!({
            "UserPoolId": pool_id, "Username": "ann",
            "SessionId": id["SessionId"], "RevokeAssociatedSessions": how,
        })
    };
    let none = s
        .call_signed("AdminRevokeUserSession", &revoke(&sessions[0], "NONE"))
        .await;
    assert_eq!(none.0, 200, "{none:?}");
    authorize(&s, &b, &pool_id, &client_id)
        .await
        .expect("NONE leaves the hosted session");
    let linked = s
        .call_signed("AdminRevokeUserSession", &revoke(&sessions[1], "LINKED"))
        .await;
    assert_eq!(linked.0, 200, "{linked:?}");
    authorize(&s, &b, &pool_id, &client_id)
        .await
        .expect_err("LINKED ends it");
}

const FIREFOX_ON_LINUX: &str =
    "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

/// A refresh by REFRESH_TOKEN_AUTH from a browser-like caller.
async fn refresh_as(s: &TestServer, client_id: &str, refresh_token: &str, agent: &str) {
    let response = reqwest::Client::new()
        .post(&s.url)
        .header("content-type", "application/x-amz-json-1.1")
        .header(
            "x-amz-target",
            "AWSCognitoIdentityProviderService.InitiateAuth",
        )
        .header("user-agent", agent)
        .json(&json!({
            "ClientId": client_id,
            "AuthFlow": "REFRESH_TOKEN_AUTH",
            "AuthParameters": { "REFRESH_TOKEN": refresh_token },
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

fn session_of<'a>(sessions: &'a [Value], id: &str) -> &'a Value {
    sessions
        .iter()
        .find(|s| s["SessionId"] == id)
        .unwrap_or_else(|| panic!("{id} not in {sessions:?}"))
}

/// Cognito API: SessionDescriptionType, DeviceType and LastIPAddress — the
/// caller of the sign-in, then of each refresh, overwritten; never a
/// LastLocation (no GeoIP database).
async fn sessions_name_their_last_caller(s: TestServer) {
    let (pool_id, client_id) = setup(&s).await;
    assert_eq!(track(&s, &pool_id, 20).await.0, 200);
    // The SDK signs in: its user agent names it.
    let (access, refresh_token) = sign_in(&s, &client_id, "ann").await;
    let (watcher, _) = sign_in(&s, &client_id, "ann").await;
    let mine = own_sessions(&s, &access).await;
    assert_eq!(mine.len(), 2);
    let current = mine.iter().find(|s| s["IsCurrentSession"] == true).unwrap();
    let id = current["SessionId"].as_str().unwrap().to_owned();
    assert_eq!(current["DeviceType"], "AWS SDK for Rust", "{current}");
    assert_eq!(current["LastIPAddress"], "127.0.0.1", "{current}");
    assert!(current.get("LastLocation").is_none(), "{current}");
    let created = current["CreateDate"].as_f64().unwrap();

    // A refresh from a browser overwrites both; the other session keeps its.
    s.clock.advance(60);
    refresh_as(&s, &client_id, &refresh_token, FIREFOX_ON_LINUX).await;
    let listed = own_sessions(&s, &watcher).await;
    let refreshed = session_of(&listed, &id);
    assert_eq!(refreshed["DeviceType"], "Firefox on Linux", "{refreshed}");
    assert_eq!(refreshed["LastIPAddress"], "127.0.0.1");
    assert!(refreshed["LastActiveDate"].as_f64().unwrap() > created);
    let other = listed.iter().find(|s| s["SessionId"] != id).unwrap();
    assert_eq!(other["DeviceType"], "AWS SDK for Rust");

    // An unknown agent is said to be unknown; the admin reads the same.
    refresh_as(&s, &client_id, &refresh_token, "curl/8.5.0").await;
    let admin = admin_sessions(&s, &pool_id, "ann").await;
    assert_eq!(session_of(&admin, &id)["DeviceType"], "unknown");
}

/// A form posted to the pool's token endpoint by `agent`: its JSON.
async fn token_as(s: &TestServer, pool_id: &str, agent: &str, form: &[(&str, &str)]) -> Value {
    let r = reqwest::Client::new()
        .post(format!("{}/{pool_id}/oauth2/token", s.url))
        .header("user-agent", agent)
        .form(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

/// The token endpoint records its caller too: the code exchange, then each
/// refresh_token grant.
async fn token_endpoint_sessions_name_their_caller(s: TestServer) {
    let (pool_id, client_id) = hosted_app(&s).await;
    assert_eq!(track(&s, &pool_id, 20).await.0, 200);
    let b = hosted_sign_in(&s, &pool_id, &client_id).await;
    let callback = authorize(&s, &b, &pool_id, &client_id).await.unwrap();
    let code = query_param(&callback, "code").expect("code");
    let chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 \
                  (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
    let tokens = token_as(
        &s,
        &pool_id,
        chrome,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", &client_id),
            ("code", &code),
            ("redirect_uri", CALLBACK),
            ("code_verifier", PKCE_VERIFIER),
        ],
    )
    .await;
    // The browser's hosted sign-in is an SSO session of its own.
    let sessions: Vec<Value> = admin_sessions(&s, &pool_id, "ann")
        .await
        .into_iter()
        .filter(|s| s["SessionType"] == "TOKEN")
        .collect();
    assert_eq!(sessions.len(), 1, "{sessions:?}");
    assert_eq!(sessions[0]["DeviceType"], "Chrome on Windows");
    assert_eq!(sessions[0]["LastIPAddress"], "127.0.0.1");
    let refresh_token = tokens["refresh_token"].as_str().unwrap();
    token_as(
        &s,
        &pool_id,
        FIREFOX_ON_LINUX,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", &client_id),
            ("refresh_token", refresh_token),
        ],
    )
    .await;
    let sessions = admin_sessions(&s, &pool_id, "ann").await;
    assert_eq!(sessions[0]["DeviceType"], "Firefox on Linux");
}

on_both_backends!(
    token_endpoint_sessions_name_their_caller,
    sessions_name_their_last_caller,
    client_sso_validity_limits_silent_reuse,
    linked_revocation_ends_hosted_sessions,
    sessions_are_listed_and_revoked,
    max_per_user_evicts_the_least_recently_used_session,
    session_configuration_is_validated_and_gated,
    hosted_sign_ins_are_sso_sessions_a_revocation_signs_out,
);

/// Cognito API: ListUserSessions, SessionType SSO — a browser's hosted-UI
/// sign-in is a session of its own while the pool tracks sessions;
/// RevokeUserSession of it signs that browser out, and logout ends it.
async fn hosted_sign_ins_are_sso_sessions_a_revocation_signs_out(s: TestServer) {
    let (pool_id, client_id) = hosted_app(&s).await;
    // Not tracked: nothing is recorded of the browser.
    let untracked = hosted_sign_in(&s, &pool_id, &client_id).await;
    assert_eq!(track(&s, &pool_id, 20).await.0, 200);
    assert!(admin_sessions(&s, &pool_id, "ann").await.is_empty());

    let first = hosted_sign_in(&s, &pool_id, &client_id).await;
    // Listed oldest first: the second a second later.
    s.clock.advance(1000);
    let second = hosted_sign_in(&s, &pool_id, &client_id).await;
    let sso: Vec<Value> = admin_sessions(&s, &pool_id, "ann").await;
    assert_eq!(sso.len(), 2, "{sso:?}");
    for session in &sso {
        assert_eq!(session["SessionType"], "SSO");
        assert_eq!(session["ClientId"], client_id.as_str());
        assert!(session["SessionId"].as_str().unwrap().starts_with("sso"));
        assert_eq!(session["IsCurrentSession"], false);
        assert_eq!(session["LastIPAddress"], "127.0.0.1");
    }
    // Each browser still resumes its sign-in.
    authorize(&s, &first, &pool_id, &client_id)
        .await
        .expect("first");
    authorize(&s, &second, &pool_id, &client_id)
        .await
        .expect("second");
    authorize(&s, &untracked, &pool_id, &client_id)
        .await
        .expect("a sign-in from before tracking is not listed and not ended");

    // The first browser's session revoked: that browser signs in again,
    // the other is untouched. Which is which: the older one.
    let revoke = json!({
        "UserPoolId": pool_id, "Username": "ann", "SessionId": sso[0]["SessionId"],
    });
    let answer = s.call_signed("AdminRevokeUserSession", &revoke).await;
    assert_eq!(answer.0, 200, "{answer:?}");
    let page = authorize(&s, &first, &pool_id, &client_id)
        .await
        .expect_err("signed out");
    assert!(page.contains("name=\"password\""), "{page}");
    authorize(&s, &second, &pool_id, &client_id)
        .await
        .expect("the other browser stays signed in");
    let again = s.call_signed("AdminRevokeUserSession", &revoke).await;
    assert_eq!(error_name_of(&again), "ResourceNotFoundException");
    assert_eq!(admin_sessions(&s, &pool_id, "ann").await.len(), 1);

    // Logout ends the record too.
    let r = second
        .get(format!(
            "{}/{pool_id}/logout?client_id={client_id}&redirect_uri={CALLBACK}&response_type=code",
            s.url
        ))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection(), "{}", r.status());
    assert!(admin_sessions(&s, &pool_id, "ann").await.is_empty());
}

fn error_name_of(answer: &(u16, Value)) -> String {
    answer.1["__type"].as_str().unwrap_or_default().to_owned()
}
