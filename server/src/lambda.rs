//! Lambda triggers leave here: each event is sent to its function through
//! the AWS Lambda Invoke API (`POST /2015-03-31/functions/{name}/invocations`,
//! RequestResponse, SigV4-signed) at `lambda_endpoint` — AWS's regional
//! endpoint by default, or any server speaking that API (`sam local
//! start-lambda`, serverless-offline, LocalStack) — or, for a function
//! mapped in `lambda_webhooks`, POSTed to a plain HTTPS webhook signed as
//! the SMS webhook is (`X-Cognate-Signature`).
//!
//! A pseudo-ARN of the preset "migrate from Amazon Cognito"
//! (`migrate_from_cognito`) is answered here by Cognate itself
//! (`migrate_from_cognito.rs`), as that function would answer.
//!
//! Cognito's budget (developer guide, "Things to know about Lambda
//! triggers"): 5 s an attempt; an attempt that timed out, was throttled or
//! met a server error is tried again, three attempts in all.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use aws_lc_rs::hmac;
use cognate_core::service::triggers::{FunctionInvoker, InvokeError};
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use reqwest::{StatusCode, Url};
use serde_json::Value;

use crate::aws_signing::Signer;
use crate::config::{Config, Secret, is_migration_preset_arn};
use crate::mail::sms_webhook::{SIGNATURE_HEADER, signature};
use crate::migrate_from_cognito::CognitoMigration;

/// Cognito waits this long for one attempt.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(5);
/// Attempts of one invocation, the first included.
const ATTEMPTS: usize = 3;
/// The Lambda Invoke API's synchronous payload limit: a larger answer is
/// not an event.
const MAX_ANSWER: usize = 6 * 1024 * 1024;

/// Where and how functions are invoked.
pub struct Functions {
    http: reqwest::Client,
    endpoint: Url,
    /// Whether `endpoint` is AWS's: it takes the whole ARN; a local runtime
    /// knows its functions by name.
    aws: bool,
    region: String,
    credentials: Option<(String, Secret)>,
    webhooks: BTreeMap<String, Url>,
    webhook_key: Option<hmac::Key>,
    /// The preset's functions.
    cognito: CognitoMigration,
}

/// One attempt's failure, and whether another attempt may succeed.
struct Failed {
    error: InvokeError,
    retry: bool,
}

impl Failed {
    fn retry(message: impl Into<String>) -> Self {
        Self {
            error: InvokeError::Unexpected(message.into()),
            retry: true,
        }
    }

    fn last(error: InvokeError) -> Self {
        Self {
            error,
            retry: false,
        }
    }
}

impl Functions {
    pub fn new(config: &Config) -> anyhow::Result<Self> {
        let region = config
            .lambda_region
            .clone()
            .unwrap_or_else(|| config.region.clone());
        let (endpoint, aws) = match &config.lambda_endpoint {
            Some(url) => (Url::parse(url)?, false),
            None => (
                Url::parse(&format!("https://lambda.{region}.amazonaws.com"))?,
                true,
            ),
        };
        let credentials = config
            .lambda_access_key_id
            .clone()
            .zip(config.lambda_secret_access_key.clone());
        let http = reqwest::Client::builder()
            .connect_timeout(ATTEMPT_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("cognate/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            cognito: CognitoMigration::new(config, http.clone())?,
            http,
            endpoint,
            aws,
            region,
            credentials,
            webhooks: config.lambda_webhook_map().map_err(anyhow::Error::msg)?,
            webhook_key: config
                .lambda_webhook_secret
                .as_ref()
                .map(|s| hmac::Key::new(hmac::HMAC_SHA256, s.expose().as_bytes())),
        })
    }

    async fn attempt(&self, arn: &str, body: &[u8]) -> Result<Value, Failed> {
        let request = match self.webhooks.get(arn) {
            Some(url) => self.webhook_request(url, body),
            None => self.invoke_request(arn, body)?,
        };
        let response = request.timeout(ATTEMPT_TIMEOUT).send().await.map_err(|e| {
            if e.is_timeout() {
                Failed::retry("Socket timeout while invoking Lambda function")
            } else {
                Failed::retry(e.without_url().to_string())
            }
        })?;
        let status = response.status();
        let function_error = response.headers().contains_key("x-amz-function-error");
        let error_type = response
            .headers()
            .get("x-amzn-errortype")
            .and_then(|v| v.to_str().ok())
            .map(|t| t.split(':').next().unwrap_or(t).to_owned());
        let bytes = read_limited(response).await?;
        if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
            return Err(Failed::retry(
                error_type.unwrap_or_else(|| format!("HTTP {status}")),
            ));
        }
        let answer: Option<Value> = serde_json::from_slice(&bytes).ok();
        // The function ran and threw (Invoke API: X-Amz-Function-Error); a
        // webhook says so with a 4xx and the same body.
        if function_error || (self.webhooks.contains_key(arn) && status.is_client_error()) {
            let message = answer
                .as_ref()
                .and_then(|a| a.get("errorMessage"))
                .and_then(Value::as_str)
                .unwrap_or("the function failed")
                .to_owned();
            return Err(Failed::last(InvokeError::Function(message)));
        }
        if !status.is_success() {
            return Err(Failed::last(InvokeError::Unexpected(
                error_type.unwrap_or_else(|| format!("HTTP {status}")),
            )));
        }
        answer.ok_or_else(|| {
            Failed::last(InvokeError::InvalidResponse(
                "the answer is not JSON".into(),
            ))
        })
    }

    /// Invoke API, signed with the configured credentials (unsigned
    /// without them: a local runtime does not check).
    fn invoke_request(&self, arn: &str, body: &[u8]) -> Result<reqwest::RequestBuilder, Failed> {
        let name = if self.aws {
            arn.to_owned()
        } else {
            // A local runtime knows `name` (or `name:qualifier`).
            arn.splitn(7, ':').nth(6).unwrap_or(arn).to_owned()
        };
        let mut url = self.endpoint.clone();
        url.path_segments_mut()
            .map_err(|_| Failed::last(InvokeError::Unexpected("bad lambda_endpoint".into())))?
            .pop_if_empty()
            .extend(["2015-03-31", "functions", &name, "invocations"]);
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        headers.insert(
            HeaderName::from_static("x-amz-invocation-type"),
            HeaderValue::from_static("RequestResponse"),
        );
        if let Some((key_id, secret)) = &self.credentials {
            let signer = Signer {
                access_key_id: key_id,
                secret_access_key: secret.expose(),
                region: &self.region,
                service: "lambda",
            };
            let signed = signer
                .post_headers(
                    &url,
                    &[
                        ("content-type", "application/json"),
                        ("x-amz-invocation-type", "RequestResponse"),
                    ],
                    body,
                )
                .map_err(|e| Failed::last(InvokeError::Unexpected(e)))?;
            for (name, value) in &signed {
                if let (Ok(n), Ok(v)) = (
                    HeaderName::from_bytes(name.as_bytes()),
                    HeaderValue::from_str(value),
                ) {
                    headers.insert(n, v);
                }
            }
        }
        Ok(self.http.post(url).headers(headers).body(body.to_vec()))
    }

    fn webhook_request(&self, url: &Url, body: &[u8]) -> reqwest::RequestBuilder {
        let mut request = self
            .http
            .post(url.clone())
            .header(CONTENT_TYPE, "application/json");
        if let Some(key) = &self.webhook_key {
            let now = SystemTime::now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            request = request.header(SIGNATURE_HEADER, signature(key, now, body));
        }
        request.body(body.to_vec())
    }
}

/// The answer's body, refused past [`MAX_ANSWER`].
async fn read_limited(mut response: reqwest::Response) -> Result<Vec<u8>, Failed> {
    let mut out = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| Failed::retry(e.without_url().to_string()))?
    {
        if out.len() + chunk.len() > MAX_ANSWER {
            return Err(Failed::last(InvokeError::InvalidResponse(
                "the answer is larger than 6 MB".into(),
            )));
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

#[async_trait]
impl FunctionInvoker for Functions {
    async fn invoke(&self, arn: &str, event: &Value) -> Result<Value, InvokeError> {
        if self.cognito.answers(arn) {
            return self.cognito.invoke(arn, event).await;
        }
        if is_migration_preset_arn(arn) {
            return Err(InvokeError::Unexpected(format!(
                "{arn} is not in migrate_from_cognito"
            )));
        }
        let body = serde_json::to_vec(event)
            .map_err(|e| InvokeError::Unexpected(format!("cannot encode the event: {e}")))?;
        let mut last = InvokeError::Unexpected("not invoked".into());
        for _ in 0..ATTEMPTS {
            match self.attempt(arn, &body).await {
                Ok(answer) => return Ok(answer),
                Err(Failed { error, retry }) => {
                    last = error;
                    if !retry {
                        break;
                    }
                }
            }
        }
        Err(last)
    }
}
