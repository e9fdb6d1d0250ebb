//! The built-in STS face: `POST /` with a form body (the AWS query
//! protocol, `Action=AssumeRoleWithWebIdentity` or `GetCallerIdentity`,
//! `Version=2011-06-15`) and XML answers as botocore and the Rust SDK
//! parse them. AssumeRoleWithWebIdentity takes no credentials, as in AWS;
//! GetCallerIdentity must be signed (SigV4, service `sts`) with credentials
//! this STS minted and their session token. `remote.rs` is the adapter
//! that delegates to a configured STS instead.

pub mod remote;

use std::collections::BTreeMap;
use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use cognate_core::clock::Timestamp;
use cognate_core::crypto::SecretString;
use cognate_core::service::sts::{AssumeRoleRequest, StsError};

use crate::api::sigv4::{self, AccessKey, Request, SigError};
use crate::limits::{Caller, Category};
use crate::state::AppState;

/// The service name in the credential scope.
pub const SERVICE: &str = "sts";
const XMLNS: &str = "https://sts.amazonaws.com/doc/2011-06-15/";

/// A query-protocol request: a form body and no X-Amz-Target.
pub fn is_sts_request(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"))
}

/// Text for XML element content (XML 1.0 §2.4).
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// ISO 8601 in UTC, as STS writes dates.
fn iso8601(t: Timestamp) -> String {
    time::OffsetDateTime::from_unix_timestamp(t.seconds())
        .ok()
        .and_then(|d| {
            d.format(&time::macros::format_description!(
                "[year]-[month]-[day]T[hour]:[minute]:[second]Z"
            ))
            .ok()
        })
        .unwrap_or_default()
}

fn xml(status: StatusCode, body: String) -> Response {
    let mut r = (status, body).into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/xml"));
    r
}

/// STS API: Common Errors, as an ErrorResponse document.
fn error(e: &StsError, request_id: &str) -> Response {
    let kind = if e.status >= 500 {
        "Receiver"
    } else {
        "Sender"
    };
    let body = format!(
        "<ErrorResponse xmlns=\"{XMLNS}\"><Error><Type>{kind}</Type><Code>{}</Code><Message>{}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>",
        e.code,
        esc(&e.message)
    );
    xml(
        StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST),
        body,
    )
}

fn sig_error(e: SigError) -> StsError {
    let code = match e {
        SigError::Missing => "MissingAuthenticationToken",
        SigError::Incomplete(_) => "IncompleteSignature",
        SigError::UnknownKey => "InvalidClientTokenId",
        SigError::Invalid(_) => "SignatureDoesNotMatch",
    };
    StsError::new(code, 403, e.message())
}

fn ok(action: &str, result: String, request_id: &str) -> Response {
    xml(
        StatusCode::OK,
        format!(
            "<{action}Response xmlns=\"{XMLNS}\"><{action}Result>{result}</{action}Result><ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></{action}Response>"
        ),
    )
}

pub async fn handle(
    state: &AppState,
    peer: SocketAddr,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let request_id = uuid::Uuid::new_v4().to_string();
    let result = match body {
        Ok(body) => dispatch(state, peer, method, uri, headers, &body, &request_id).await,
        Err(e) => Err(StsError::validation(format!(
            "The request body could not be read: {}",
            e.body_text()
        ))),
    };
    match result {
        Ok(r) => r,
        Err(e) => error(&e, &request_id),
    }
}

async fn dispatch(
    state: &AppState,
    peer: SocketAddr,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
    request_id: &str,
) -> Result<Response, StsError> {
    let form: BTreeMap<String, String> = serde_urlencoded::from_bytes(body)
        .map_err(|_| StsError::new("MalformedQueryString", 400, "The form body does not parse."))?;
    let field = |name: &str| -> Result<&str, StsError> {
        form.get(name).map(String::as_str).ok_or_else(|| {
            StsError::new(
                "MissingParameter",
                400,
                format!("The request must contain the parameter {name}."),
            )
        })
    };
    let action = field("Action")?;
    match action {
        "AssumeRoleWithWebIdentity" => {
            let caller = Caller {
                ip: Some(peer.ip()),
                user: None,
            };
            if state
                .limits
                .check(Category::Authentication, &caller)
                .is_err()
            {
                return Err(StsError::new("Throttling", 400, "Rate exceeded"));
            }
            let duration = match form.get("DurationSeconds") {
                Some(d) => Some(
                    d.parse::<i64>()
                        .map_err(|_| StsError::validation("DurationSeconds must be a number."))?,
                ),
                None => None,
            };
            let request = AssumeRoleRequest {
                role_arn: field("RoleArn")?.to_owned(),
                role_session_name: field("RoleSessionName")?.to_owned(),
                web_identity_token: SecretString::new(field("WebIdentityToken")?),
                duration_seconds: duration,
            };
            let r = state.idp.assume_role_with_web_identity(&request).await?;
            let c = &r.credentials;
            let result = format!(
                "<SubjectFromWebIdentityToken>{}</SubjectFromWebIdentityToken><Audience>{}</Audience><AssumedRoleUser><Arn>{}</Arn><AssumedRoleId>{}</AssumedRoleId></AssumedRoleUser><Credentials><AccessKeyId>{}</AccessKeyId><SecretAccessKey>{}</SecretAccessKey><SessionToken>{}</SessionToken><Expiration>{}</Expiration></Credentials><Provider>{}</Provider>",
                esc(&r.subject),
                esc(&r.audience),
                esc(&r.assumed_role_arn),
                esc(&r.assumed_role_id),
                c.access_key_id,
                esc(c.secret_access_key.expose()),
                esc(c.session_token.expose()),
                iso8601(c.expiration),
                esc(&r.provider),
            );
            Ok(ok(action, result, request_id))
        }
        "GetCallerIdentity" => {
            let key_id =
                sigv4::claimed_key_id(headers).ok_or_else(|| sig_error(SigError::Missing))?;
            let token = headers
                .get("x-amz-security-token")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            let invalid = || {
                StsError::new(
                    "InvalidClientTokenId",
                    403,
                    "The security token included in the request is invalid.",
                )
            };
            let caller = state
                .idp
                .sts_caller(&key_id, token)
                .await?
                .ok_or_else(invalid)?;
            let key = AccessKey {
                id: key_id,
                secret: caller.secret.clone(),
            };
            sigv4::verify_for(
                SERVICE,
                &Request {
                    method: method.as_str(),
                    path_and_query: uri.path_and_query().map_or("/", |p| p.as_str()),
                    headers,
                    body,
                },
                &[key],
                state.idp.clock.now().seconds(),
            )
            .map_err(sig_error)?;
            let s = &caller.session;
            let result = format!(
                "<Arn>{}</Arn><UserId>{}</UserId><Account>{}</Account>",
                esc(&s.assumed_role_arn),
                esc(&s.assumed_role_id),
                esc(&s.account)
            );
            Ok(ok(action, result, request_id))
        }
        other => Err(StsError::new(
            "InvalidAction",
            400,
            format!(
                "Could not find operation {} for version 2011-06-15",
                esc(other)
            ),
        )),
    }
}
