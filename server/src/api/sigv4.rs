//! AWS Signature Version 4 checks for administrative actions
//! (AWS General Reference, "Signature Version 4 signing process").
//! Cognito's wire format demands this; no maintained crate verifies it
//! server-side, so it is written here, small and tested.

use aws_lc_rs::{digest, hmac};
use axum::http::HeaderMap;
use cognate_core::crypto::{SecretString, constant_time_eq};

/// An AWS access key allowed to sign administrative calls.
#[derive(Clone, Debug)]
pub struct AccessKey {
    pub id: String,
    pub secret: SecretString,
}

/// The service name in the credential scope.
pub const SERVICE: &str = "cognito-idp";
/// Clock skew allowed between the signer and us (AWS allows 5 minutes).
const MAX_SKEW_SECONDS: i64 = 300;

/// Why a request is not authenticated, named as AWS names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SigError {
    /// No Authorization header at all.
    Missing,
    /// The header is there but not a well-formed SigV4 header.
    Incomplete(String),
    /// The access key is not one we hold.
    UnknownKey,
    /// The signature does not match, or the request time is too far off.
    Invalid(String),
}

impl SigError {
    pub fn wire_name(&self) -> &'static str {
        match self {
            Self::Missing => "MissingAuthenticationTokenException",
            Self::Incomplete(_) => "IncompleteSignatureException",
            Self::UnknownKey => "UnrecognizedClientException",
            Self::Invalid(_) => "InvalidSignatureException",
        }
    }

    pub fn message(&self) -> String {
        match self {
            Self::Missing => "Missing Authentication Token".into(),
            Self::Incomplete(m) | Self::Invalid(m) => m.clone(),
            Self::UnknownKey => "The security token included in the request is invalid.".into(),
        }
    }

    pub fn http_status(&self) -> u16 {
        match self {
            Self::Missing => 403,
            _ => 400,
        }
    }
}

struct Parsed<'a> {
    key_id: &'a str,
    date: &'a str,
    region: &'a str,
    service: &'a str,
    signed_headers: Vec<&'a str>,
    signature: &'a str,
}

fn parse_authorization(value: &str) -> Result<Parsed<'_>, SigError> {
    let incomplete = |what: &str| {
        SigError::Incomplete(format!(
            "Authorization header requires '{what}' parameter. Authorization=AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=..."
        ))
    };
    let rest = value.strip_prefix("AWS4-HMAC-SHA256 ").ok_or_else(|| {
        SigError::Incomplete("Authorization header must use AWS4-HMAC-SHA256.".into())
    })?;
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let part = part.trim();
        if let Some(v) = part.strip_prefix("Credential=") {
            credential = Some(v);
        } else if let Some(v) = part.strip_prefix("SignedHeaders=") {
            signed = Some(v);
        } else if let Some(v) = part.strip_prefix("Signature=") {
            signature = Some(v);
        }
    }
    let credential = credential.ok_or_else(|| incomplete("Credential"))?;
    let signed = signed.ok_or_else(|| incomplete("SignedHeaders"))?;
    let signature = signature.ok_or_else(|| incomplete("Signature"))?;
    let scope: Vec<&str> = credential.split('/').collect();
    if scope.len() != 5 || scope[4] != "aws4_request" {
        return Err(SigError::Incomplete(format!(
            "Credential should be scoped to a valid region, service and aws4_request: {credential}"
        )));
    }
    Ok(Parsed {
        key_id: scope[0],
        date: scope[1],
        region: scope[2],
        service: scope[3],
        signed_headers: signed.split(';').collect(),
        signature,
    })
}

fn sha256_hex(data: &[u8]) -> String {
    hex::encode(digest::digest(&digest::SHA256, data).as_ref())
}

fn hmac_sha256(key: &[u8], data: &[u8]) -> Vec<u8> {
    hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), data)
        .as_ref()
        .to_vec()
}

/// Parses `20261126T140313Z` into Unix seconds.
fn parse_amz_date(s: &str) -> Option<i64> {
    if s.len() != 16 || &s[8..9] != "T" || !s.ends_with('Z') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let (y, m, d) = (num(0..4)?, num(4..6)?, num(6..8)?);
    let (hh, mm, ss) = (num(9..11)?, num(11..13)?, num(13..15)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    // Days from civil (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hh * 3600 + mm * 60 + ss)
}

/// The headers a signature must cover so that what it authorizes cannot be
/// changed within the skew window: where the request goes (`host`), when it
/// was made (`x-amz-date`, the only time `verify` reads), which action it is
/// (`x-amz-target`: otherwise an AdminGetUser signature replays as
/// AdminDisableUser), and, when sent, how the body reads (`content-type`,
/// `x-amz-content-sha256`). AWS General Reference, "Create a canonical
/// request": host and x-amz-* headers must be signed; each missing one is
/// refused as AWS words it.
fn check_signed_headers(signed: &[&str], headers: &HeaderMap) -> Result<(), SigError> {
    const ALWAYS: [(&str, &str); 2] = [("host", "Host"), ("x-amz-date", "X-Amz-Date")];
    // The STS query protocol names its action in the (signed) body and
    // sends no X-Amz-Target; where a target is sent it must be signed.
    const WHEN_SENT: [(&str, &str); 4] = [
        ("x-amz-target", "X-Amz-Target"),
        ("content-type", "Content-Type"),
        ("x-amz-content-sha256", "X-Amz-Content-Sha256"),
        ("x-amz-security-token", "X-Amz-Security-Token"),
    ];
    let must = ALWAYS.iter().chain(
        WHEN_SENT
            .iter()
            .filter(|(name, _)| headers.contains_key(*name)),
    );
    for (name, shown) in must {
        // SignedHeaders are lowercase (AWS General Reference); compare so.
        if !signed.iter().any(|s| s.eq_ignore_ascii_case(name)) {
            return Err(SigError::Invalid(format!(
                "'{shown}' must be a 'SignedHeader' in the AWS Authorization."
            )));
        }
    }
    Ok(())
}

/// Checks a request's signature against the keys the server holds.
/// `now_seconds` comes from the server's clock.
pub fn verify(
    method: &str,
    path_and_query: &str,
    headers: &HeaderMap,
    body: &[u8],
    keys: &[AccessKey],
    now_seconds: i64,
) -> Result<String, SigError> {
    // The user-pool API's requests always carry X-Amz-Target (dispatch
    // requires it), so `check_signed_headers` holds it signed.
    verify_for(
        SERVICE,
        &Request {
            method,
            path_and_query,
            headers,
            body,
        },
        keys,
        now_seconds,
    )
}

/// A request as the signature covers it.
pub struct Request<'a> {
    pub method: &'a str,
    pub path_and_query: &'a str,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
}

/// The access key id a request says it is signed with, before any check:
/// only to look up that key's secret.
pub fn claimed_key_id(headers: &HeaderMap) -> Option<String> {
    let auth = headers.get("authorization")?.to_str().ok()?;
    parse_authorization(auth).ok().map(|p| p.key_id.to_owned())
}

/// Checks a request's signature for `service` (its credential scope)
/// against `keys`.
pub fn verify_for(
    service: &str,
    request: &Request<'_>,
    keys: &[AccessKey],
    now_seconds: i64,
) -> Result<String, SigError> {
    let Request {
        method,
        path_and_query,
        headers,
        body,
    } = *request;
    let auth = headers
        .get("authorization")
        .ok_or(SigError::Missing)?
        .to_str()
        .map_err(|_| SigError::Incomplete("Authorization header is not ASCII.".into()))?;
    let parsed = parse_authorization(auth)?;
    let amz_date = headers
        .get("x-amz-date")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            SigError::Incomplete("Authorization requires the X-Amz-Date header.".into())
        })?;
    let signed_at = parse_amz_date(amz_date).ok_or_else(|| {
        SigError::Incomplete(format!("X-Amz-Date {amz_date:?} is not a valid date."))
    })?;
    if !amz_date.starts_with(parsed.date) {
        return Err(SigError::Invalid(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP.".into(),
        ));
    }
    if parsed.service != service {
        return Err(SigError::Invalid(format!(
            "Credential should be scoped to correct service: '{service}'."
        )));
    }
    if (now_seconds - signed_at).abs() > MAX_SKEW_SECONDS {
        return Err(SigError::Invalid(format!(
            "Signature expired: {amz_date} is now earlier or later than the allowed 5 minutes of server time."
        )));
    }
    check_signed_headers(&parsed.signed_headers, headers)?;
    let key = keys
        .iter()
        .find(|k| constant_time_eq(k.id.as_bytes(), parsed.key_id.as_bytes()))
        .ok_or(SigError::UnknownKey)?;

    // Canonical request.
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    let mut query_pairs: Vec<(&str, &str)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| p.split_once('=').unwrap_or((p, "")))
        .collect();
    query_pairs.sort();
    let canonical_query = query_pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    let mut canonical_headers = String::new();
    for name in &parsed.signed_headers {
        let values: Vec<String> = headers
            .get_all(*name)
            .iter()
            .map(|v| {
                String::from_utf8_lossy(v.as_bytes())
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        if values.is_empty() {
            return Err(SigError::Invalid(format!(
                "Signed header {name} is missing."
            )));
        }
        canonical_headers.push_str(&format!("{name}:{}\n", values.join(",")));
    }
    let payload_hash = match headers
        .get("x-amz-content-sha256")
        .and_then(|v| v.to_str().ok())
    {
        Some(h) if h != "UNSIGNED-PAYLOAD" => {
            if !constant_time_eq(h.as_bytes(), sha256_hex(body).as_bytes()) {
                return Err(SigError::Invalid(
                    "The provided x-amz-content-sha256 header does not match what was computed."
                        .into(),
                ));
            }
            h.to_owned()
        }
        _ => sha256_hex(body),
    };
    let canonical_request = format!(
        "{method}\n{}\n{canonical_query}\n{canonical_headers}\n{}\n{payload_hash}",
        if path.is_empty() { "/" } else { path },
        parsed.signed_headers.join(";"),
    );
    let scope = format!(
        "{}/{}/{}/aws4_request",
        parsed.date, parsed.region, parsed.service
    );
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
        sha256_hex(canonical_request.as_bytes())
    );
    let k_date = hmac_sha256(
        format!("AWS4{}", key.secret.expose()).as_bytes(),
        parsed.date.as_bytes(),
    );
    let k_region = hmac_sha256(&k_date, parsed.region.as_bytes());
    let k_service = hmac_sha256(&k_region, parsed.service.as_bytes());
    let k_signing = hmac_sha256(&k_service, b"aws4_request");
    let expected = hex::encode(hmac_sha256(&k_signing, string_to_sign.as_bytes()));
    if !constant_time_eq(expected.as_bytes(), parsed.signature.as_bytes()) {
        return Err(SigError::Invalid(
            "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.".into(),
        ));
    }
    Ok(key.id.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn key() -> AccessKey {
        AccessKey {
            id: "AKIDEXAMPLE".into(),
            secret: SecretString::new("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
        }
    }

    /// Signs like an SDK would, from the spec's steps, for the tests below.
    fn sign(headers: &mut HeaderMap, body: &[u8], secret: &str, date: &str) {
        let amz = format!("{date}T120000Z");
        headers.insert("host", HeaderValue::from_static("localhost:9229"));
        headers.insert("x-amz-date", HeaderValue::from_str(&amz).unwrap());
        headers.insert(
            "x-amz-target",
            HeaderValue::from_static("AWSCognitoIdentityProviderService.ListUserPools"),
        );
        let signed = "host;x-amz-date;x-amz-target";
        let canonical = format!(
            "POST\n/\n\nhost:localhost:9229\nx-amz-date:{amz}\nx-amz-target:AWSCognitoIdentityProviderService.ListUserPools\n\n{signed}\n{}",
            sha256_hex(body)
        );
        let scope = format!("{date}/us-east-1/cognito-idp/aws4_request");
        let sts = format!(
            "AWS4-HMAC-SHA256\n{amz}\n{scope}\n{}",
            sha256_hex(canonical.as_bytes())
        );
        let k = hmac_sha256(format!("AWS4{secret}").as_bytes(), date.as_bytes());
        let k = hmac_sha256(&k, b"us-east-1");
        let k = hmac_sha256(&k, b"cognito-idp");
        let k = hmac_sha256(&k, b"aws4_request");
        let sig = hex::encode(hmac_sha256(&k, sts.as_bytes()));
        headers.insert(
            "authorization",
            HeaderValue::from_str(&format!(
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/{scope}, SignedHeaders={signed}, Signature={sig}"
            ))
            .unwrap(),
        );
    }

    fn noon(date: &str) -> i64 {
        parse_amz_date(&format!("{date}T120000Z")).unwrap()
    }

    #[test]
    fn amz_dates_parse_to_unix_seconds() {
        assert_eq!(parse_amz_date("19700101T000000Z"), Some(0));
        assert_eq!(parse_amz_date("20150830T123600Z"), Some(1_440_938_160));
        assert_eq!(parse_amz_date("2015-08-30"), None);
    }

    #[test]
    fn a_correct_signature_verifies() {
        let mut h = HeaderMap::new();
        sign(&mut h, b"{}", key().secret.expose(), "20261126");
        assert_eq!(
            verify("POST", "/", &h, b"{}", &[key()], noon("20261126")),
            Ok("AKIDEXAMPLE".into())
        );
    }

    #[test]
    fn tampered_body_wrong_secret_unknown_key_and_skew_fail_with_aws_names() {
        let mut h = HeaderMap::new();
        sign(&mut h, b"{}", key().secret.expose(), "20261126");
        let now = noon("20261126");
        assert_eq!(
            verify("POST", "/", &h, b"{\"x\":1}", &[key()], now)
                .unwrap_err()
                .wire_name(),
            "InvalidSignatureException"
        );
        assert_eq!(
            verify("POST", "/", &h, b"{}", &[key()], now + 301)
                .unwrap_err()
                .wire_name(),
            "InvalidSignatureException"
        );
        let other = AccessKey {
            id: "AKIDOTHER".into(),
            secret: SecretString::new("x"),
        };
        assert_eq!(
            verify("POST", "/", &h, b"{}", &[other], now)
                .unwrap_err()
                .wire_name(),
            "UnrecognizedClientException"
        );
        let mut wrong = HeaderMap::new();
        sign(&mut wrong, b"{}", "not-the-secret", "20261126");
        assert_eq!(
            verify("POST", "/", &wrong, b"{}", &[key()], now)
                .unwrap_err()
                .wire_name(),
            "InvalidSignatureException"
        );
        assert_eq!(
            verify("POST", "/", &HeaderMap::new(), b"{}", &[key()], now)
                .unwrap_err()
                .wire_name(),
            "MissingAuthenticationTokenException"
        );
        let mut junk = HeaderMap::new();
        junk.insert("authorization", HeaderValue::from_static("Bearer abc"));
        assert_eq!(
            verify("POST", "/", &junk, b"{}", &[key()], now)
                .unwrap_err()
                .wire_name(),
            "IncompleteSignatureException"
        );
    }
}
