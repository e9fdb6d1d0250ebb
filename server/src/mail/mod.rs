//! Where codes and invitations go (docs/architecture.md, "Mail and SMS"): email to the
//! SMTP server when one is configured, SMS to the webhook when one is, and
//! the rest to the store's outbox. Network deliveries are queued and retried
//! in the background (`queue.rs`), so the API answers as Cognito does: the
//! request is accepted and the message follows.

pub mod queue;
pub mod sms_webhook;
pub mod smtp;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use cognate_core::Clock;
use cognate_core::crypto::MasterKey;
use cognate_core::error::Result;
use cognate_core::service::messages::{MessageSender, OutboxSender, OutgoingMessage};
use cognate_core::store::Store;
use cognate_core::store::outbox::Channel;

use crate::config::Config;
use queue::{Queue, RetryPolicy, Stats, Tracker};

/// The senders of one server and what their queues did.
pub struct Delivery {
    sender: Arc<dyn MessageSender>,
    tracker: Arc<Tracker>,
}

impl Delivery {
    /// The senders the configuration asks for.
    pub fn start(
        config: &Config,
        store: Arc<dyn Store>,
        clock: Clock,
        key: MasterKey,
    ) -> anyhow::Result<Self> {
        let outbox: Arc<dyn MessageSender> = Arc::new(OutboxSender::new(store, clock, key));
        let tracker = Arc::new(Tracker::default());
        let policy = RetryPolicy {
            timeout: config.delivery_timeout(),
            retries: config.delivery_retries,
        };
        let email: Arc<dyn MessageSender> = match config.smtp() {
            Some(smtp) => {
                tracing::info!(
                    host = %smtp.host,
                    port = smtp.port,
                    security = ?smtp.security,
                    "email goes to SMTP"
                );
                let transport = smtp::Smtp::new(&smtp, policy.timeout)?;
                Arc::new(Queue::new(transport, policy, tracker.clone()))
            }
            None => outbox.clone(),
        };
        let sms: Arc<dyn MessageSender> = match &config.sms_webhook_url {
            Some(url) => {
                let url = reqwest::Url::parse(url)
                    .map_err(|e| anyhow::anyhow!("sms_webhook_url is not a URL: {e}"))?;
                tracing::info!(webhook = %shown_url(&url), "SMS goes to the webhook");
                let transport = sms_webhook::SmsWebhook::new(
                    url,
                    config.sms_webhook_secret.as_ref().map(|s| s.expose()),
                    policy.timeout,
                )?;
                Arc::new(Queue::new(transport, policy, tracker.clone()))
            }
            None => outbox,
        };
        Ok(Self {
            sender: Arc::new(ByChannel { email, sms }),
            tracker,
        })
    }

    /// The sender to give the core (`Idp::with_sender`).
    pub fn sender(&self) -> Arc<dyn MessageSender> {
        self.sender.clone()
    }

    pub fn stats(&self) -> Stats {
        self.tracker.stats()
    }

    /// Gives queued messages up to `within` to go out, at shutdown.
    pub async fn drain(&self, within: Duration) {
        let pending = self.tracker.stats().pending;
        if pending == 0 {
            return;
        }
        tracing::info!(pending, "waiting for queued messages");
        if !self.tracker.drain(within).await {
            tracing::warn!(
                pending = self.tracker.stats().pending,
                "stopping with messages undelivered"
            );
        }
    }
}

/// Email one way, SMS another.
struct ByChannel {
    email: Arc<dyn MessageSender>,
    sms: Arc<dyn MessageSender>,
}

#[async_trait]
impl MessageSender for ByChannel {
    async fn send(&self, message: &OutgoingMessage) -> Result<()> {
        match message.channel {
            Channel::Email => self.email.send(message).await,
            Channel::Sms => self.sms.send(message).await,
        }
    }
}

/// A URL as logs and pages may show it: no credentials, no query.
fn shown_url(url: &reqwest::Url) -> String {
    format!(
        "{}://{}{}",
        url.scheme(),
        url.host_str().unwrap_or(""),
        url.port().map(|p| format!(":{p}")).unwrap_or_default()
    ) + url.path()
}

/// What the outbox no longer receives, said where the outbox is shown
/// (`cognate outbox`, `/_dev/outbox`); None when everything lands there.
pub fn outbox_notice(config: &Config) -> Option<String> {
    let smtp = config
        .smtp()
        .map(|s| format!("the SMTP server {}:{}", s.host, s.port));
    let webhook = config
        .sms_webhook_url
        .as_deref()
        .and_then(|u| reqwest::Url::parse(u).ok())
        .map(|u| format!("the webhook {}", shown_url(&u)));
    match (smtp, webhook) {
        (None, None) => None,
        (Some(s), None) => Some(format!(
            "Email goes to {s}, not to this outbox: only SMS messages land here."
        )),
        (None, Some(w)) => Some(format!(
            "SMS goes to {w}, not to this outbox: only email lands here."
        )),
        (Some(s), Some(w)) => Some(format!(
            "Email goes to {s} and SMS to {w}: no new messages land in this outbox."
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_notice_says_where_messages_go_instead() {
        assert_eq!(outbox_notice(&Config::default()), None);
        let config = Config {
            smtp_host: Some("mail.example.com".into()),
            smtp_from: Some("a@example.com".into()),
            sms_webhook_url: Some("https://user:pw@sms.example.com/hook?token=x".into()),
            ..Config::default()
        };
        assert_eq!(
            outbox_notice(&config).unwrap(),
            "Email goes to the SMTP server mail.example.com:587 and SMS to the webhook https://sms.example.com/hook: no new messages land in this outbox."
        );
    }
}
