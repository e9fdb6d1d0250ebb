//! SMS through an HTTP webhook: each message is POSTed as JSON
//! `{"destination", "message", "pool_id"}` to the configured URL, which
//! hands it to whatever SMS gateway the operator uses. A 2xx answer is a
//! delivery; 4xx (but 408 and 429) is permanent; anything else is retried.

use async_trait::async_trait;
use cognate_core::service::messages::OutgoingMessage;
use reqwest::{StatusCode, Url};

use super::queue::{Failure, Transport};

pub struct SmsWebhook {
    client: reqwest::Client,
    url: Url,
}

impl SmsWebhook {
    pub fn new(url: Url, timeout: std::time::Duration) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            // The message carries a code: it goes to the configured URL only.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("cognate/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| anyhow::anyhow!("cannot build the SMS webhook client: {e}"))?;
        Ok(Self { client, url })
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
        let response = self
            .client
            .post(self.url.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
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
