//! SigV4 on administrative actions: a signature authorizes only what it
//! covers, so the headers that say which action, when and for which body
//! must be among its SignedHeaders (AWS General Reference, "Create a
//! canonical request"; issue 12, item 3).

use crate::common::users::PASSWORD;
use crate::common::{ADMIN_KEY_ID, ADMIN_SECRET, Backend, TestServer};
use aws_lc_rs::{digest, hmac};

const PREFIX: &str = "AWSCognitoIdentityProviderService.";

fn sha256_hex(data: &[u8]) -> String {
    hex::encode(digest::digest(&digest::SHA256, data).as_ref())
}

fn hmac_sha256(key: &[u8], data: &[u8]) -> Vec<u8> {
    hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), data)
        .as_ref()
        .to_vec()
}

/// `20261126T140313Z` for the server's (manual) clock.
fn amz_date(s: &TestServer) -> String {
    let secs = s.clock.now().seconds();
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}{m:02}{d:02}T{:02}{:02}{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// A request signed by hand over `signed` only (a subset of the headers
/// it carries), as a careless or hostile signer would.
struct HandSigned {
    headers: Vec<(&'static str, String)>,
    authorization: String,
}

fn sign_over(s: &TestServer, signed: &[&'static str], target: &str, body: &str) -> HandSigned {
    let host = s.url.trim_start_matches("http://").to_owned();
    let date = amz_date(s);
    let headers = vec![
        ("host", host),
        ("x-amz-date", date.clone()),
        ("x-amz-target", format!("{PREFIX}{target}")),
        ("content-type", "application/x-amz-json-1.1".to_owned()),
    ];
    let canonical_headers: String = signed
        .iter()
        .map(|name| {
            let value = &headers.iter().find(|(n, _)| n == name).unwrap().1;
            format!("{name}:{value}\n")
        })
        .collect();
    let signed_list = signed.join(";");
    let canonical = format!(
        "POST\n/\n\n{canonical_headers}\n{signed_list}\n{}",
        sha256_hex(body.as_bytes())
    );
    let day = &date[..8];
    let scope = format!("{day}/us-east-1/cognito-idp/aws4_request");
    let to_sign = format!(
        "AWS4-HMAC-SHA256\n{date}\n{scope}\n{}",
        sha256_hex(canonical.as_bytes())
    );
    let k = hmac_sha256(format!("AWS4{ADMIN_SECRET}").as_bytes(), day.as_bytes());
    let k = hmac_sha256(&k, b"us-east-1");
    let k = hmac_sha256(&k, b"cognito-idp");
    let k = hmac_sha256(&k, b"aws4_request");
    let signature = hex::encode(hmac_sha256(&k, to_sign.as_bytes()));
    HandSigned {
        headers,
        authorization: format!(
            "AWS4-HMAC-SHA256 Credential={ADMIN_KEY_ID}/{scope}, SignedHeaders={signed_list}, Signature={signature}"
        ),
    }
}

/// Sends the signed request, with its X-Amz-Target replaced by `target`.
async fn send_as(
    s: &TestServer,
    req: &HandSigned,
    target: &str,
    body: &str,
) -> (u16, serde_json::Value) {
    let mut r = reqwest::Client::new()
        .post(&s.url)
        .header("authorization", &req.authorization)
        .body(body.to_owned());
    for (name, value) in &req.headers {
        let value = if *name == "x-amz-target" {
            format!("{PREFIX}{target}")
        } else {
            value.clone()
        };
        if *name != "host" {
            r = r.header(*name, value);
        }
    }
    let resp = r.send().await.unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)),
    )
}

async fn enabled(s: &TestServer, pool_id: &str, username: &str) -> bool {
    s.admin()
        .admin_get_user()
        .user_pool_id(pool_id)
        .username(username)
        .send()
        .await
        .expect("the SDK's own signature verifies")
        .enabled()
}

#[tokio::test]
async fn x_amz_target_must_be_a_signed_header_so_a_signature_cannot_replay_as_another_action() {
    let s = TestServer::start(Backend::Sqlite).await.unwrap();
    let pool_id = s.pool(|b| b).await;
    s.admin()
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("victim")
        .temporary_password(PASSWORD)
        .message_action(aws_sdk_cognitoidentityprovider::types::MessageActionType::Suppress)
        .send()
        .await
        .expect("a real SDK call works");
    let body = format!("{{\"UserPoolId\":\"{pool_id}\",\"Username\":\"victim\"}}");

    // Signed as AdminGetUser over host and x-amz-date only, replayed within
    // the skew window as AdminDisableUser.
    let req = sign_over(&s, &["host", "x-amz-date"], "AdminGetUser", &body);
    let (status, json) = send_as(&s, &req, "AdminDisableUser", &body).await;
    assert_eq!(status, 400, "{json}");
    assert_eq!(json["__type"], "InvalidSignatureException", "{json}");
    assert!(
        enabled(&s, &pool_id, "victim").await,
        "the replay did nothing"
    );

    // Everything but the target signed: refused, naming the target.
    let req = sign_over(
        &s,
        &["content-type", "host", "x-amz-date"],
        "AdminGetUser",
        &body,
    );
    let (status, json) = send_as(&s, &req, "AdminDisableUser", &body).await;
    assert_eq!(status, 400, "{json}");
    assert_eq!(json["__type"], "InvalidSignatureException", "{json}");
    assert_eq!(
        json["message"], "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization.",
        "{json}"
    );
    assert!(enabled(&s, &pool_id, "victim").await);
}

#[tokio::test]
async fn a_sent_content_type_must_be_a_signed_header() {
    let s = TestServer::start(Backend::Sqlite).await.unwrap();
    let body = "{\"MaxResults\":10}";
    let req = sign_over(
        &s,
        &["host", "x-amz-date", "x-amz-target"],
        "ListUserPools",
        body,
    );
    let (status, json) = send_as(&s, &req, "ListUserPools", body).await;
    assert_eq!(status, 400, "{json}");
    assert_eq!(
        json["message"], "'Content-Type' must be a 'SignedHeader' in the AWS Authorization.",
        "{json}"
    );
    // Signed over all it sends, the same request is accepted.
    let req = sign_over(
        &s,
        &["content-type", "host", "x-amz-date", "x-amz-target"],
        "ListUserPools",
        body,
    );
    let (status, json) = send_as(&s, &req, "ListUserPools", body).await;
    assert_eq!(status, 200, "{json}");
    // And the AWS SDK, which signs every header it sends, still works.
    s.admin()
        .list_user_pools()
        .max_results(10)
        .send()
        .await
        .expect("SDK call");
}
