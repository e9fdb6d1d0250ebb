//! The preset "migrate from Amazon Cognito": a pool whose UserMigration
//! function is one of the pseudo-ARNs of `migrate_from_cognito` (config.rs)
//! has its users brought over from another Cognito user pool — Amazon's or
//! another Cognate — with no function to write. Core sees an ordinary
//! function (the `FunctionInvoker` port): this module answers the event
//! exactly as a Lambda function would, with `response` filled in.
//!
//! - UserMigration_Authentication: InitiateAuth USER_PASSWORD_AUTH at the
//!   source with the name and password given (SECRET_HASH when the source
//!   client has a secret); then GetUser with the access token it returns,
//!   whose attributes become the new user's. The source creates a new `sub`
//!   nowhere: the new pool gives the user its own, as Cognito does.
//! - UserMigration_ForgotPassword: no password to check, so the user is
//!   looked up with AdminGetUser, signed with the source's admin keys when
//!   they are configured; without them every name is unknown.
//!
//! A wrong password or an unknown name answers without `userAttributes`:
//! core then answers as for any unknown name (PreventUserExistenceErrors
//! included). A source that asks for MFA or a new password cannot vouch
//! for the user with a password alone: that is the function's error. The
//! source's own failures (unreachable, throttled, 5xx) are the function's
//! failure to answer, tried three times as a Lambda invocation is.

use std::collections::BTreeMap;
use std::time::Duration;

use cognate_core::service::client_secret::secret_hash;
use cognate_core::service::triggers::InvokeError;
use reqwest::{StatusCode, Url};
use serde_json::{Map, Value, json};

use crate::aws_signing::Signer;
use crate::config::{CognitoSource, Config};

/// A source's answer must come within what Cognito gives a function.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(5);
const ATTEMPTS: usize = 3;
const TARGET_PREFIX: &str = "AWSCognitoIdentityProviderService.";
/// Attributes a user pool makes itself: the new pool makes its own.
const NOT_COPIED: &[&str] = &["sub", "identities"];

/// The preset's sources, by pseudo-ARN.
pub struct CognitoMigration {
    http: reqwest::Client,
    sources: BTreeMap<String, Source>,
}

struct Source {
    config: CognitoSource,
    endpoint: Url,
}

/// A failed call to the source.
enum CallError {
    /// The source answered with a Cognito exception: its name and message.
    Service(String, String),
    /// The source did not answer usably.
    Unavailable(String),
}

impl CognitoMigration {
    pub fn new(config: &Config, http: reqwest::Client) -> anyhow::Result<Self> {
        let mut sources = BTreeMap::new();
        for (arn, source) in &config.migrate_from_cognito {
            let endpoint = match &source.endpoint {
                Some(url) => Url::parse(url)?,
                None => Url::parse(&format!(
                    "https://cognito-idp.{}.amazonaws.com/",
                    source.region
                ))?,
            };
            sources.insert(
                arn.clone(),
                Source {
                    config: source.clone(),
                    endpoint,
                },
            );
        }
        Ok(Self { http, sources })
    }

    /// Whether `arn` is one of the preset's functions.
    pub fn answers(&self, arn: &str) -> bool {
        self.sources.contains_key(arn)
    }

    /// Answers a UserMigration event for the source of `arn` as a Lambda
    /// function would: the event, its `response` filled in.
    pub async fn invoke(&self, arn: &str, event: &Value) -> Result<Value, InvokeError> {
        let source = self
            .sources
            .get(arn)
            .ok_or_else(|| InvokeError::Unexpected(format!("{arn} is not configured")))?;
        let name = event["userName"].as_str().unwrap_or_default();
        let found = match event["triggerSource"].as_str() {
            Some("UserMigration_Authentication") => {
                let password = event["request"]["password"].as_str().unwrap_or_default();
                self.sign_in(source, name, password).await?
            }
            Some("UserMigration_ForgotPassword") => self.look_up(source, name).await?,
            _ => {
                return Err(InvokeError::Function(
                    "the migrate-from-Cognito preset answers UserMigration events only".into(),
                ));
            }
        };
        let mut answer = event.clone();
        if let Some(attributes) = found {
            // The user already has their account: no welcome message.
            answer["response"] = json!({
                "userAttributes": attributes,
                "finalUserStatus": "CONFIRMED",
                "messageAction": "SUPPRESS",
            });
        }
        Ok(answer)
    }

    /// The user's attributes if `password` is theirs at the source.
    async fn sign_in(
        &self,
        source: &Source,
        name: &str,
        password: &str,
    ) -> Result<Option<Map<String, Value>>, InvokeError> {
        let c = &source.config;
        let mut parameters = json!({"USERNAME": name, "PASSWORD": password});
        if let Some(secret) = &c.client_secret {
            parameters["SECRET_HASH"] = json!(secret_hash(secret.expose(), name, &c.client_id));
        }
        let body = json!({
            "AuthFlow": "USER_PASSWORD_AUTH",
            "ClientId": c.client_id,
            "AuthParameters": parameters,
        });
        let signed_in = match self.call(source, "InitiateAuth", &body, false).await {
            Ok(v) => v,
            Err(CallError::Service(kind, _)) if unknown(&kind) => return Ok(None),
            Err(e) => return Err(function_error(e)),
        };
        let Some(token) = signed_in["AuthenticationResult"]["AccessToken"].as_str() else {
            let challenge = signed_in["ChallengeName"].as_str().unwrap_or("a challenge");
            return Err(InvokeError::Function(format!(
                "the source user pool answers {challenge}: the user cannot be migrated with a password alone"
            )));
        };
        let user = self
            .call(source, "GetUser", &json!({"AccessToken": token}), false)
            .await
            .map_err(function_error)?;
        Ok(Some(copied_attributes(&user)))
    }

    /// The user's attributes, looked up without a password (AdminGetUser);
    /// None without admin keys, for an unknown name, or a disabled user.
    async fn look_up(
        &self,
        source: &Source,
        name: &str,
    ) -> Result<Option<Map<String, Value>>, InvokeError> {
        if source.config.admin_access_key_id.is_none() {
            return Ok(None);
        }
        let body = json!({"UserPoolId": source.config.user_pool_id, "Username": name});
        let user = match self.call(source, "AdminGetUser", &body, true).await {
            Ok(v) => v,
            Err(CallError::Service(kind, _)) if kind == "UserNotFoundException" => {
                return Ok(None);
            }
            Err(e) => return Err(function_error(e)),
        };
        if user["Enabled"] == json!(false) {
            return Ok(None);
        }
        Ok(Some(copied_attributes(&user)))
    }

    /// One action of the Cognito API (JSON 1.1), tried again when the
    /// source did not answer or was throttled.
    async fn call(
        &self,
        source: &Source,
        action: &str,
        body: &Value,
        signed: bool,
    ) -> Result<Value, CallError> {
        let bytes = serde_json::to_vec(body).map_err(|e| CallError::Unavailable(e.to_string()))?;
        let mut last = CallError::Unavailable("not called".into());
        for _ in 0..ATTEMPTS {
            match self.attempt(source, action, &bytes, signed).await {
                Ok(v) => return Ok(v),
                Err((e, retry)) => {
                    last = e;
                    if !retry {
                        break;
                    }
                }
            }
        }
        Err(last)
    }

    async fn attempt(
        &self,
        source: &Source,
        action: &str,
        body: &[u8],
        signed: bool,
    ) -> Result<Value, (CallError, bool)> {
        let target = format!("{TARGET_PREFIX}{action}");
        let mut headers = vec![
            (
                "content-type".to_owned(),
                "application/x-amz-json-1.1".to_owned(),
            ),
            ("x-amz-target".to_owned(), target),
        ];
        if signed {
            headers.extend(sign_admin(source, body, &headers).map_err(|e| (e, false))?);
        }
        let mut request = self
            .http
            .post(source.endpoint.clone())
            .timeout(ATTEMPT_TIMEOUT)
            .body(body.to_vec());
        for (name, value) in headers {
            request = request.header(name, value);
        }
        let response = request.send().await.map_err(|e| {
            let why = if e.is_timeout() {
                "the source user pool did not answer in time".to_owned()
            } else {
                format!("the source user pool is unreachable: {}", e.without_url())
            };
            (CallError::Unavailable(why), true)
        })?;
        let status = response.status();
        let answer: Value = response.json().await.map_err(|_| {
            (
                CallError::Unavailable("the source's answer is not JSON".into()),
                true,
            )
        })?;
        if status.is_success() {
            return Ok(answer);
        }
        let kind = answer["__type"]
            .as_str()
            .map(|t| t.rsplit('#').next().unwrap_or(t).to_owned())
            .unwrap_or_else(|| format!("HTTP {status}"));
        let retry = status == StatusCode::TOO_MANY_REQUESTS
            || status.is_server_error()
            || kind == "TooManyRequestsException";
        if retry {
            return Err((CallError::Unavailable(kind), true));
        }
        let message = answer["message"]
            .as_str()
            .or(answer["Message"].as_str())
            .unwrap_or("")
            .to_owned();
        Err((CallError::Service(kind, message), false))
    }
}

/// Exceptions that mean "no such user with that password" at the source.
fn unknown(kind: &str) -> bool {
    matches!(kind, "NotAuthorizedException" | "UserNotFoundException")
}

/// The source's refusal as the function's error; its silence as a
/// function that could not be reached.
fn function_error(e: CallError) -> InvokeError {
    match e {
        CallError::Service(kind, message) if message.is_empty() => {
            InvokeError::Function(format!("the source user pool answered {kind}"))
        }
        CallError::Service(kind, message) => {
            InvokeError::Function(format!("the source user pool answered {kind}: {message}"))
        }
        CallError::Unavailable(why) => InvokeError::Unexpected(why),
    }
}

/// A source user (GetUser, AdminGetUser) as the response's `userAttributes`:
/// every attribute but those the new pool makes itself, and `username`
/// when the source's username is a name of its own rather than the `sub`
/// (a pool that signs in with email or phone number uses the `sub`).
fn copied_attributes(user: &Value) -> Map<String, Value> {
    let list = user["UserAttributes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut out = Map::new();
    let mut sub = None;
    for a in &list {
        let (Some(name), Some(value)) = (a["Name"].as_str(), a["Value"].as_str()) else {
            continue;
        };
        if name == "sub" {
            sub = Some(value.to_owned());
        }
        if !NOT_COPIED.contains(&name) {
            out.insert(name.to_owned(), Value::String(value.to_owned()));
        }
    }
    if let Some(username) = user["Username"].as_str()
        && sub.as_deref() != Some(username)
    {
        out.insert("username".into(), Value::String(username.to_owned()));
    }
    out
}

/// The SigV4 headers of an administrative call (service `cognito-idp`).
fn sign_admin(
    source: &Source,
    body: &[u8],
    headers: &[(String, String)],
) -> Result<Vec<(String, String)>, CallError> {
    let c = &source.config;
    let (Some(key_id), Some(secret)) = (&c.admin_access_key_id, &c.admin_secret_access_key) else {
        return Err(CallError::Unavailable("no admin keys".into()));
    };
    let signer = Signer {
        access_key_id: key_id,
        secret_access_key: secret.expose(),
        region: &c.region,
        service: "cognito-idp",
    };
    let headers: Vec<(&str, &str)> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    signer
        .post_headers(&source.endpoint, &headers, body)
        .map_err(CallError::Unavailable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_are_copied_but_for_those_the_pool_makes() {
        let user = json!({
            "Username": "ann",
            "UserAttributes": [
                {"Name": "sub", "Value": "0f1e2d3c-0000-4000-8000-000000000001"},
                {"Name": "email", "Value": "ann@example.com"},
                {"Name": "email_verified", "Value": "true"},
                {"Name": "custom:tier", "Value": "gold"},
            ],
        });
        let copied = copied_attributes(&user);
        assert_eq!(
            Value::Object(copied),
            json!({"username": "ann", "email": "ann@example.com", "email_verified": "true", "custom:tier": "gold"})
        );
        // A pool that signs in with email names its users by their sub.
        let by_email = json!({
            "Username": "0f1e2d3c-0000-4000-8000-000000000001",
            "UserAttributes": [{"Name": "sub", "Value": "0f1e2d3c-0000-4000-8000-000000000001"}],
        });
        assert!(copied_attributes(&by_email).is_empty());
    }
}
