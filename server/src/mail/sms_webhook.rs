//! SMS through an HTTP webhook: each message is POSTed as JSON
//! `{"destination", "message", "pool_id"}` to the configured URL, which
//! hands it to whatever SMS gateway the operator uses. A 2xx answer is a
//! delivery; 4xx (but 408 and 429) is permanent; anything else is retried.
//!
//! With `sms_webhook_secret` set, each request is signed as
//! `X-Cognate-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret,
//! "<t>.<body>")>`: the receiver recomputes it over the raw body and
//! checks `t` is recent, which also refuses a replayed request.

use async_trait::async_trait;
use aws_lc_rs::hmac;
use cognate_core::service::messages::OutgoingMessage;
use reqwest::{StatusCode, Url};

use super::queue::{Failure, Transport};

pub struct SmsWebhook {
    client: reqwest::Client,
    url: Url,
    signing_key: Option<hmac::Key>,
}

/// The header a signed request carries.
pub(crate) const SIGNATURE_HEADER: &str = "x-cognate-signature";

/// `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`.
pub(crate) fn signature(key: &hmac::Key, unix_seconds: u64, body: &[u8]) -> String {
    let mut ctx = hmac::Context::with_key(key);
    ctx.update(unix_seconds.to_string().as_bytes());
    ctx.update(b".");
    ctx.update(body);
    let hex = hex::encode(ctx.sign());
    format!("t={unix_seconds},v1={hex}")
}

impl SmsWebhook {
    pub fn new(
        url: Url,
        secret: Option<&str>,
        timeout: std::time::Duration,
    ) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            // The message carries a code: it goes to the configured URL only.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("cognate/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| anyhow::anyhow!("cannot build the SMS webhook client: {e}"))?;
        Ok(Self {
            client,
            url,
            signing_key: secret.map(|s| hmac::Key::new(hmac::HMAC_SHA256, s.as_bytes())),
        })
    }
}

#[async_trait]
impl Transport for SmsWebhook {
    type Prepared = Vec<u8>;
    const NAME: &'static str = "sms_webhook";

    fn prepare(&self, m: &OutgoingMessage) -> Result<Vec<u8>, String> {
        serde_json::to_vec(&serde_json::json!({
            "destination": m.destination,
            "message": m.body.expose(),
            "pool_id": m.pool_id,
        }))
        .map_err(|e| format!("cannot encode the message: {e}"))
    }

    async fn deliver(&self, body: &Vec<u8>) -> Result<(), Failure> {
        let mut request = self
            .client
            .post(self.url.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/json");
        if let Some(key) = &self.signing_key {
            // Signed at each attempt, so a retry carries a fresh time.
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            request = request.header(SIGNATURE_HEADER, signature(key, now, body));
        }
        let response = request
            .body(body.clone())
            .send()
            .await
            .map_err(|e| Failure {
                permanent: false,
                // Without the URL: it may carry a token in its query.
                reason: e.without_url().to_string(),
            })?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        Err(Failure {
            permanent: status.is_client_error()
                && status != StatusCode::REQUEST_TIMEOUT
                && status != StatusCode::TOO_MANY_REQUESTS,
            reason: format!("the webhook answered {status}"),
        })
    }
}
