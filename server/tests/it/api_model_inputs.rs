//! The botocore model's input shapes against the server: for every action
//! Cognate answers, every input member the model defines is taken (a
//! type-correct value never meets the "unknown member" error, nor a 500),
//! a member the model does not define is refused, and the members this
//! server refuses get their error with nothing written. The model comes
//! from tests/fixtures/botocore-inputs.json (scripts/botocore-inputs.py),
//! so botocore is not needed here.

use crate::common::{TestServer, error_name};
use cognate::api::Access;
use serde_json::{Map, Value, json};

fn model() -> Value {
    serde_json::from_str(include_str!("../fixtures/botocore-inputs.json")).expect("fixture")
}

/// A value of the type the model describes.
fn sample(t: &Value) -> Value {
    if let Some(values) = t.get("enum").and_then(Value::as_array) {
        return values[0].clone();
    }
    if let Some(item) = t.get("list") {
        return json!([sample(item)]);
    }
    if let Some(value) = t.get("map") {
        let mut m = Map::new();
        m.insert("key".into(), sample(value));
        return Value::Object(m);
    }
    if let Some(members) = t.get("structure").and_then(Value::as_object) {
        return Value::Object(
            members
                .iter()
                .map(|(k, v)| (k.clone(), sample(v)))
                .collect(),
        );
    }
    let min = t.get("min").and_then(Value::as_i64).unwrap_or(0);
    match t.get("type").and_then(Value::as_str) {
        Some("string") => json!("a".repeat(min.clamp(1, 64) as usize)),
        Some("integer" | "long") => json!(min.max(1)),
        Some("double" | "float") => json!(1.0),
        Some("boolean") => json!(false),
        Some("timestamp") => json!(1_700_000_000),
        Some("blob") => json!("AAAA"),
        _ => json!({}),
    }
}

async fn call(s: &TestServer, action: &str, body: &Value) -> (u16, Value) {
    match cognate::api::actions::access(action) {
        Some(Access::Admin) => s.call_signed(action, body).await,
        _ => s.call_public(action, body).await,
    }
}

fn is_unknown_member(answer: &(u16, Value)) -> bool {
    answer.1["__type"] == "SerializationException"
        && answer.1["message"]
            .as_str()
            .is_some_and(|m| m.contains("Unknown member"))
}

async fn every_model_member_is_taken_and_no_other(s: TestServer) {
    let model = model();
    let operations = model["operations"].as_object().unwrap();
    let mut checked = 0;
    for action in cognate::api::actions::names() {
        let op = operations
            .get(action)
            .unwrap_or_else(|| panic!("{action} is not in the botocore model"));
        for (member, t) in op["members"].as_object().unwrap() {
            let body = json!({ member.as_str(): sample(t) });
            let answer = call(&s, action, &body).await;
            assert!(
                !is_unknown_member(&answer),
                "{action}.{member} is a model member but was refused as unknown: {answer:?}"
            );
            assert_ne!(answer.0, 500, "{action}.{member}: {answer:?}");
            checked += 1;
        }
        let answer = call(&s, action, &json!({ "NotAModelMember": "x" })).await;
        assert!(
            is_unknown_member(&answer),
            "{action} took a member the model does not define: {answer:?}"
        );
    }
    assert!(checked > 300, "only {checked} members walked");
}

/// The members this server refuses, each with a value that asks for what
/// it does not do, and the error it answers.
fn refused() -> Vec<(&'static str, Value, &'static str)> {
    let pool = json!({ "PoolName": "p" });
    let with = |base: &Value, member: &str, value: Value| {
        let mut b = base.clone();
        b[member] = value;
        b
    };
    vec![
        (
            "CreateUserPool",
            with(
                &pool,
                "DcrConfiguration",
                json!({ "EnableStatus": "ENABLED" }),
            ),
            "InvalidParameterException",
        ),
        (
            "CreateUserPool",
            with(
                &pool,
                "KeyConfiguration",
                json!({ "KeyType": "CUSTOMER_MANAGED_KEY" }),
            ),
            "InvalidParameterException",
        ),
        (
            "CreateUserPool",
            with(&pool, "IssuerConfiguration", json!({ "Type": "CUSTOM" })),
            "InvalidParameterException",
        ),
        (
            "CreateUserPool",
            with(&pool, "AcrConfiguration", json!({ "Level1": "urn:x" })),
            "InvalidParameterException",
        ),
    ]
}

async fn refused_members_get_their_error_and_write_nothing(s: TestServer) {
    for (action, body, error) in refused() {
        let answer = call(&s, action, &body).await;
        assert_eq!(answer.1["__type"], error, "{action} {body}: {answer:?}");
    }
    let pools = s
        .admin()
        .list_user_pools()
        .max_results(60)
        .send()
        .await
        .unwrap();
    assert!(pools.user_pools().is_empty(), "a refused pool was made");

    let pool_id = s.pool(|b| b).await;
    let (client_id, _) = s.app_client(&pool_id, |c| c).await;
    let cases = [
        (
            "CreateUserPoolClient",
            json!({ "UserPoolId": pool_id, "ClientName": "c", "PublishSecretsInAWSSecretsManager": true }),
        ),
        (
            "UpdateUserPoolClient",
            json!({ "UserPoolId": pool_id, "ClientId": client_id, "PublishSecretsInAWSSecretsManager": true }),
        ),
        (
            "CreateUserPoolDomain",
            json!({ "UserPoolId": pool_id, "Domain": "refused-routing", "Routing": { "Failover": "x" } }),
        ),
        (
            "CreateIdentityProvider",
            json!({
                "UserPoolId": pool_id, "ProviderName": "Oidc", "ProviderType": "OIDC",
                "ProviderDetails": {}, "AcrMapping": { "Level1": "x" },
            }),
        ),
        (
            "AdminSetUserMFAPreference",
            json!({ "UserPoolId": pool_id, "Username": "ann", "WebAuthnMfaSettings": { "Enabled": true } }),
        ),
        (
            "SetUserPoolMfaConfig",
            json!({
                "UserPoolId": pool_id,
                "WebAuthnConfiguration": { "FactorConfiguration": "MULTI_FACTOR_WITH_USER_VERIFICATION" },
            }),
        ),
    ];
    for (action, body) in cases {
        let answer = call(&s, action, &body).await;
        assert_eq!(
            answer.1["__type"], "InvalidParameterException",
            "{action}: {answer:?}"
        );
    }
    // A sign-in-after-sign-up Session this server never issued.
    s.admin_user(&pool_id, "ann", crate::common::users::PASSWORD, &[])
        .await;
    for (action, body) in [
        (
            "InitiateAuth",
            json!({ "ClientId": client_id, "AuthFlow": "USER_AUTH", "AuthParameters": { "USERNAME": "ann" }, "Session": "x" }),
        ),
        (
            "AdminInitiateAuth",
            json!({ "UserPoolId": pool_id, "ClientId": client_id, "AuthFlow": "USER_AUTH", "AuthParameters": { "USERNAME": "ann" }, "Session": "x" }),
        ),
        (
            "ConfirmSignUp",
            json!({ "ClientId": client_id, "Username": "ann", "ConfirmationCode": "123456", "Session": "x" }),
        ),
    ] {
        let answer = call(&s, action, &body).await;
        assert_eq!(
            answer.1["__type"], "NotAuthorizedException",
            "{action}: {answer:?}"
        );
    }
    let clients = s
        .admin()
        .list_user_pool_clients()
        .user_pool_id(&pool_id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        clients.user_pool_clients().len(),
        1,
        "only the first client"
    );
    let domain = s
        .admin()
        .describe_user_pool_domain()
        .domain("refused-routing")
        .send()
        .await
        .unwrap();
    assert!(
        domain
            .domain_description()
            .and_then(|d| d.domain())
            .is_none()
    );
    // Off is what this server does: accepted.
    let answer = call(
        &s,
        "UpdateUserPoolClient",
        &json!({ "UserPoolId": pool_id, "ClientId": client_id, "PublishSecretsInAWSSecretsManager": false }),
    )
    .await;
    assert_eq!(answer.0, 200, "{answer:?}");
}

/// Members that were once dropped and are now implemented.
async fn client_secret_and_client_type_are_implemented(s: TestServer) {
    let pool_id = s.pool(|b| b).await;
    let custom = "my_own_secret_of_thirty_two_chars";
    let (status, created) = call(
        &s,
        "CreateUserPoolClient",
        &json!({ "UserPoolId": pool_id, "ClientName": "c", "ClientSecret": custom }),
    )
    .await;
    assert_eq!(status, 200, "{created}");
    assert_eq!(created["UserPoolClient"]["ClientSecret"], custom);
    let client_id = created["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_owned();
    let described = s
        .admin()
        .describe_user_pool_client()
        .user_pool_id(&pool_id)
        .client_id(&client_id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        described.user_pool_client().unwrap().client_secret(),
        Some(custom)
    );
    for (body, error) in [
        (
            json!({ "UserPoolId": pool_id, "ClientName": "c", "ClientSecret": "short" }),
            "InvalidParameterException",
        ),
        (
            json!({ "UserPoolId": pool_id, "ClientName": "c", "ClientSecret": custom, "GenerateSecret": true }),
            "InvalidParameterException",
        ),
    ] {
        let answer = call(&s, "CreateUserPoolClient", &body).await;
        assert_eq!(answer.1["__type"], error, "{answer:?}");
    }

    let listed = |t: &'static str| {
        let s = &s;
        let pool_id = pool_id.clone();
        async move {
            let (status, body) = call(
                s,
                "ListUserPoolClients",
                &json!({ "UserPoolId": pool_id, "MaxResults": 10, "ClientType": t }),
            )
            .await;
            assert_eq!(status, 200, "{body}");
            body["UserPoolClients"].as_array().unwrap().len()
        }
    };
    assert_eq!(listed("REGULAR").await, 1);
    assert_eq!(listed("DCR").await, 0);
    let err = s
        .admin()
        .list_user_pool_clients()
        .user_pool_id("us-east-1_Nope0000")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_name(&err), "ResourceNotFoundException");
}

on_both_backends!(
    every_model_member_is_taken_and_no_other,
    refused_members_get_their_error_and_write_nothing,
    client_secret_and_client_type_are_implemented,
);
