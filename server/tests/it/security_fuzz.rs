//! Issue 12, "Done when": every action of the API table, sent malformed
//! input — wrong JSON types for every member, 100 kB strings, invalid
//! UTF-8, deep nesting, empty and non-JSON bodies, arrays and strings
//! instead of objects — answers a 4xx carrying `__type` (the AWS JSON
//! protocol's error shape), never a 5xx, and the server keeps serving.
//! Administrative actions are sent both unsigned (refused at SigV4) and
//! signed with the admin key, which is what reaches the parser.

use std::sync::Arc;

use crate::common::{ADMIN_KEY_ID, ADMIN_SECRET, Backend, TestServer};
use aws_lc_rs::{digest, hmac};
use futures::StreamExt as _;
use serde_json::{Map, Value, json};

/// The members of Cognito's action inputs (and of their nested shapes)
/// that Cognate reads: each gets every wrong type in turn.
const MEMBERS: &[&str] = &[
    "AccessToken",
    "AccessTokenValidity",
    "AccountRecoverySetting",
    "AdminCreateUserConfig",
    "AliasAttributes",
    "AllowAdminCreateUserOnly",
    "AllowedOAuthFlows",
    "AllowedOAuthFlowsUserPoolClient",
    "AllowedOAuthScopes",
    "AnalyticsConfiguration",
    "AnalyticsMetadata",
    "AttributeDataType",
    "AttributeName",
    "AttributesRequireVerificationBeforeUpdate",
    "AttributesToGet",
    "AuthFlow",
    "AuthParameters",
    "AuthSessionValidity",
    "AutoVerifiedAttributes",
    "CSS",
    "CallbackURLs",
    "CertificateArn",
    "ChallengeName",
    "ChallengeResponses",
    "ClientId",
    "ClientMetadata",
    "ClientName",
    "ClientSecret",
    "Code",
    "ConfirmationCode",
    "CustomDomainConfig",
    "DefaultEmailOption",
    "DefaultRedirectURI",
    "DeletionProtection",
    "Description",
    "DesiredDeliveryMediums",
    "DeveloperOnlyAttribute",
    "ChallengeRequiredOnNewDevice",
    "DeviceConfiguration",
    "DeviceKey",
    "DeviceName",
    "DeviceOnlyRememberedOnUserPrompt",
    "DeviceRememberedStatus",
    "DeviceSecretVerifierConfig",
    "Domain",
    "EmailConfiguration",
    "EmailMessage",
    "EmailMfaConfiguration",
    "EmailMfaSettings",
    "EmailSubject",
    "EmailVerificationMessage",
    "EmailVerificationSubject",
    "EnablePropagateAdditionalUserContextData",
    "EnableTokenRevocation",
    "Enabled",
    "ExplicitAuthFlows",
    "Filter",
    "ForceAliasCreation",
    "FriendlyDeviceName",
    "GenerateSecret",
    "GroupName",
    "IdTokenValidity",
    "Identifier",
    "ImageFile",
    "InviteMessageTemplate",
    "LambdaConfig",
    "Limit",
    "LogoutURLs",
    "ManagedLoginVersion",
    "MaxLength",
    "MaxResults",
    "MaxValue",
    "MessageAction",
    "MfaConfiguration",
    "MinLength",
    "MinValue",
    "MinimumLength",
    "Mutable",
    "Name",
    "NextToken",
    "NumberAttributeConstraints",
    "PaginationToken",
    "Password",
    "PasswordHistorySize",
    "PasswordVerifier",
    "PasswordPolicy",
    "Permanent",
    "Policies",
    "PoolName",
    "Precedence",
    "PreferredMfa",
    "PreventUserExistenceErrors",
    "PreviousPassword",
    "Priority",
    "ProposedPassword",
    "ReadAttributes",
    "RecoveryMechanisms",
    "RefreshToken",
    "RefreshTokenValidity",
    "RequireLowercase",
    "RequireNumbers",
    "RequireSymbols",
    "RequireUppercase",
    "Required",
    "RoleArn",
    "Salt",
    "SMSMfaSettings",
    "Schema",
    "ScopeDescription",
    "ScopeName",
    "Scopes",
    "SecretHash",
    "Session",
    "SignInPolicy",
    "SmsAuthenticationMessage",
    "SmsConfiguration",
    "SmsMfaConfiguration",
    "SmsVerificationMessage",
    "SoftwareTokenMfaConfiguration",
    "SoftwareTokenMfaSettings",
    "StringAttributeConstraints",
    "SupportedIdentityProviders",
    "TemporaryPassword",
    "TemporaryPasswordValidityDays",
    "Token",
    "TokenValidityUnits",
    "UnusedAccountValidityDays",
    "UserAttributeNames",
    "UserAttributeUpdateSettings",
    "UserAttributes",
    "UserCode",
    "UserContextData",
    "UserPoolAddOns",
    "UserPoolId",
    "UserPoolTags",
    "Username",
    "UsernameAttributes",
    "UsernameConfiguration",
    "ValidationData",
    "Value",
    "VerificationMessageTemplate",
    "WriteAttributes",
];

/// The members of the cognito-identity operations' inputs.
const IDENTITY_MEMBERS: &[&str] = &[
    "AllowClassicFlow",
    "AllowUnauthenticatedIdentities",
    "CognitoIdentityProviders",
    "CustomRoleArn",
    "DestinationUserIdentifier",
    "DeveloperProviderName",
    "DeveloperUserIdentifier",
    "IdentityId",
    "IdentityIdsToDelete",
    "IdentityPoolId",
    "IdentityPoolName",
    "IdentityPoolTags",
    "IdentityProviderName",
    "Logins",
    "LoginsToRemove",
    "MaxResults",
    "NextToken",
    "OpenIdConnectProviderARNs",
    "PrincipalTags",
    "ResourceArn",
    "RoleMappings",
    "Roles",
    "SamlProviderARNs",
    "SourceUserIdentifier",
    "SupportedLoginProviders",
    "TagKeys",
    "Tags",
    "TokenDuration",
    "UseDefaults",
];

/// A body some action may take as well-formed (and answer 2xx).
const WELL_TYPED: &str = "every member = \"x\"";

/// Bodies sent to every action whose inputs have `members`.
fn bodies(members: &[&str]) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = Vec::new();
    let mut add = |why: String, body: Vec<u8>| out.push((why, body));
    let all =
        |v: &Value| Value::Object(members.iter().map(|m| (m.to_string(), v.clone())).collect());
    // One member of a wrong type at a time: the parser stops at the first.
    for m in members {
        for wrong in [json!([1]), json!({"a": 1}), json!(-1.5e300)] {
            add(
                format!("{m} = {wrong}"),
                json!({ *m: wrong }).to_string().into_bytes(),
            );
        }
    }
    // Every member at once, of one type; and nested shapes of wrong types.
    for v in [
        json!(1),
        json!(true),
        json!("x"),
        json!([]),
        json!({}),
        json!([[1]]),
    ] {
        add(
            format!("every member = {v}"),
            all(&v).to_string().into_bytes(),
        );
    }
    add(
        "every member an object of wrong members".into(),
        all(&all(&json!([1]))).to_string().into_bytes(),
    );
    // 100 kB strings, nine members a request (under the 1 MiB body limit).
    let long = Value::String("a".repeat(100 * 1024));
    for chunk in members.chunks(9) {
        let map: Map<String, Value> = chunk
            .iter()
            .map(|m| (m.to_string(), long.clone()))
            .collect();
        add(
            format!("100 kB strings in {chunk:?}"),
            Value::Object(map).to_string().into_bytes(),
        );
    }
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    add("10,000 nested arrays".into(), deep.clone().into_bytes());
    add(
        "10,000 nested arrays in a member".into(),
        format!("{{\"UserPoolId\":{deep}}}").into_bytes(),
    );
    let deep_objects = format!("{}1{}", "{\"a\":".repeat(10_000), "}".repeat(10_000));
    add("10,000 nested objects".into(), deep_objects.into_bytes());
    add(
        "invalid UTF-8 in a string".into(),
        b"{\"Username\":\"\xff\xfe\xc3\x28\",\"ClientId\":\"\xed\xa0\x80\"}".to_vec(),
    );
    add(
        "invalid UTF-8 outside strings".into(),
        b"\xff\xfe{}".to_vec(),
    );
    add(
        "a lone surrogate escape".into(),
        br#"{"Username":"\ud800","Password":"\udfff"}"#.to_vec(),
    );
    add(
        "a NUL in a string".into(),
        br#"{"Username":"a\u0000b","UserPoolId":"us-east-1_\u0000"}"#.to_vec(),
    );
    add("empty".into(), Vec::new());
    for text in [
        "not json",
        "{",
        "{\"UserPoolId\":",
        "[]",
        "[{}]",
        "\"a string\"",
        "123",
        "null",
        "true",
        "{}{}",
        "{\"a\":1,}",
    ] {
        add(format!("body {text:?}"), text.as_bytes().to_vec());
    }
    out
}

/// `YYYYMMDDTHHMMSSZ` of epoch seconds.
fn amz_date(secs: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(secs).unwrap();
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        t.year(),
        t.month() as u8,
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

fn mac(key: &[u8], data: &[u8]) -> Vec<u8> {
    hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), data)
        .as_ref()
        .to_vec()
}

/// The Authorization header of an SDK's SigV4 signature for `service` (the
/// signed headers: host, x-amz-date, x-amz-target).
fn authorization(service: &str, host: &str, amz: &str, target: &str, body: &[u8]) -> String {
    let signed = "host;x-amz-date;x-amz-target";
    let canonical = format!(
        "POST\n/\n\nhost:{host}\nx-amz-date:{amz}\nx-amz-target:{target}\n\n{signed}\n{}",
        hex::encode(digest::digest(&digest::SHA256, body).as_ref())
    );
    let date = &amz[..8];
    let scope = format!("{date}/us-east-1/{service}/aws4_request");
    let sts = format!(
        "AWS4-HMAC-SHA256\n{amz}\n{scope}\n{}",
        hex::encode(digest::digest(&digest::SHA256, canonical.as_bytes()).as_ref())
    );
    let k = mac(format!("AWS4{ADMIN_SECRET}").as_bytes(), date.as_bytes());
    let k = mac(&k, b"us-east-1");
    let k = mac(&k, service.as_bytes());
    let k = mac(&k, b"aws4_request");
    let sig = hex::encode(mac(&k, sts.as_bytes()));
    format!(
        "AWS4-HMAC-SHA256 Credential={ADMIN_KEY_ID}/{scope}, SignedHeaders={signed}, Signature={sig}"
    )
}

/// One face of the JSON protocol: its target prefix, SigV4 service, input
/// members, and each action with whether it is administrative.
struct Face {
    prefix: &'static str,
    service: &'static str,
    members: &'static [&'static str],
    actions: Vec<(&'static str, bool)>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_action_answers_malformed_input_with_a_4xx_carrying_its_type() {
    fuzz(Face {
        prefix: "AWSCognitoIdentityProviderService.",
        service: "cognito-idp",
        members: MEMBERS,
        actions: cognate::api::actions::names()
            .map(|a| {
                let admin = cognate::api::actions::access(a) == Some(cognate::api::Access::Admin);
                (a, admin)
            })
            .collect(),
    })
    .await;
}

/// Issue 16: the same for every operation of the identity-pool API.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_identity_operation_answers_malformed_input_with_a_4xx_carrying_its_type() {
    const PUBLIC: [&str; 4] = [
        "GetId",
        "GetCredentialsForIdentity",
        "GetOpenIdToken",
        "UnlinkIdentity",
    ];
    fuzz(Face {
        prefix: "AWSCognitoIdentityService.",
        service: "cognito-identity",
        members: IDENTITY_MEMBERS,
        actions: cognate::identity::names()
            .map(|a| (a, !PUBLIC.contains(&a)))
            .collect(),
    })
    .await;
}

async fn fuzz(face: Face) {
    let s = TestServer::start(Backend::Sqlite).await.unwrap();
    let host = s.url.trim_start_matches("http://").to_owned();
    let amz = amz_date(s.clock.now().seconds());
    let bodies = Arc::new(bodies(face.members));
    let http = reqwest::Client::new();
    // (action, signed, body index): unsigned for every action (public
    // ones reach the parser), signed for every administrative one.
    let mut cases = Vec::new();
    for &(action, admin) in &face.actions {
        for i in 0..bodies.len() {
            // Unsigned admin calls stop at SigV4: a few bodies show that.
            if !admin || i % 50 == 0 {
                cases.push((action, false, i));
            }
            if admin {
                cases.push((action, true, i));
            }
        }
    }
    let total = cases.len();
    let (prefix, service) = (face.prefix, face.service);
    let failures: Vec<String> = futures::stream::iter(cases)
        .map(|(action, signed, i)| {
            let (http, bodies, url) = (http.clone(), bodies.clone(), s.url.clone());
            let (host, amz) = (host.clone(), amz.clone());
            async move {
                let (why, body) = &bodies[i];
                let target = format!("{prefix}{action}");
                let mut req = http
                    .post(&url)
                    .header("content-type", "application/x-amz-json-1.1")
                    .header("x-amz-target", &target)
                    .body(body.clone());
                if signed {
                    req = req.header("x-amz-date", &amz).header(
                        "authorization",
                        authorization(service, &host, &amz, &target, body),
                    );
                }
                let what = format!(
                    "{action} ({}) with {why:.80}",
                    if signed { "signed" } else { "unsigned" }
                );
                let resp = match req.send().await {
                    Ok(r) => r,
                    Err(e) => return Some(format!("{what}: no answer: {e}")),
                };
                let status = resp.status().as_u16();
                let text = resp.text().await.unwrap_or_default();
                let typed = serde_json::from_str::<Value>(&text)
                    .ok()
                    .and_then(|v| v.get("__type").and_then(Value::as_str).map(str::to_owned));
                match (status, typed) {
                    (400..=499, Some(_)) => None,
                    // DescribeUserPoolDomain of an unknown domain: `{}`.
                    (200..=299, _) if why == WELL_TYPED => None,
                    (status, _) => Some(format!("{what}: {status} {text:.200}")),
                }
            }
        })
        .buffer_unordered(16)
        .filter_map(|f| async move { f })
        .collect()
        .await;
    assert!(
        failures.is_empty(),
        "{} of {total} requests were not a 4xx with __type:\n{}",
        failures.len(),
        failures
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    let health = reqwest::get(format!("{}/health", s.url)).await.unwrap();
    assert_eq!(health.status(), 200);
}
