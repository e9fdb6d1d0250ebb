//! Email over SMTP with lettre: each message is multipart/alternative, a
//! plain-text part and an HTML part built from the pool's template. Lives
//! in the server, not in core: core does no network I/O beyond its store,
//! and sees only the `MessageSender` seam.

use async_trait::async_trait;
use cognate_core::service::messages::{OutgoingMessage, text_to_html};
use lettre::address::Envelope;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::queue::{Failure, Transport};
use crate::config::{SmtpConfig, SmtpSecurity};

pub struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

/// A message built once: its envelope and its bytes as sent.
pub struct Prepared {
    envelope: Envelope,
    bytes: Vec<u8>,
}

impl Smtp {
    pub fn new(config: &SmtpConfig, timeout: std::time::Duration) -> anyhow::Result<Self> {
        let from: Mailbox = config.from.parse().map_err(|e| {
            anyhow::anyhow!("smtp_from {:?} is not a mail address: {e}", config.from)
        })?;
        let tls = |host: &str| {
            TlsParameters::new(host.to_owned())
                .map_err(|e| anyhow::anyhow!("cannot set up TLS for {host}: {e}"))
        };
        let tls = match config.security {
            // The upgrade is required: a server that does not offer
            // STARTTLS gets no credentials and no mail (no downgrade).
            SmtpSecurity::Starttls => Tls::Required(tls(&config.host)?),
            SmtpSecurity::Tls => Tls::Wrapper(tls(&config.host)?),
            SmtpSecurity::None => Tls::None,
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host)
            .port(config.port)
            .tls(tls)
            .timeout(Some(timeout));
        if let (Some(user), Some(password)) = (&config.username, &config.password) {
            builder =
                builder.credentials(Credentials::new(user.clone(), password.expose().to_owned()));
        }
        Ok(Self {
            transport: builder.build(),
            from,
        })
    }
}

/// The HTML part as a document; a template that is one already stays whole.
fn html_document(html: &str) -> String {
    if html
        .trim_start()
        .get(..5)
        .is_some_and(|s| s.eq_ignore_ascii_case("<!doc") || s.eq_ignore_ascii_case("<html"))
    {
        return html.to_owned();
    }
    format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head><body>\n{html}\n</body></html>\n"
    )
}

#[async_trait]
impl Transport for Smtp {
    type Prepared = Prepared;
    const NAME: &'static str = "smtp";

    fn prepare(&self, m: &OutgoingMessage) -> Result<Prepared, String> {
        let to: Mailbox = m
            .destination
            .parse()
            .map_err(|e| format!("the recipient is not a mail address: {e}"))?;
        let plain = m.body.expose().to_owned();
        let html = match &m.html {
            Some(h) => html_document(h.expose()),
            None => html_document(&text_to_html(&plain)),
        };
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(m.subject.clone().unwrap_or_default())
            .message_id(None)
            .multipart(MultiPart::alternative_plain_html(plain, html))
            .map_err(|e| format!("cannot build the message: {e}"))?;
        Ok(Prepared {
            envelope: message.envelope().clone(),
            bytes: message.formatted(),
        })
    }

    async fn deliver(&self, p: &Prepared) -> Result<(), Failure> {
        match self.transport.send_raw(&p.envelope, &p.bytes).await {
            Ok(_) => Ok(()),
            Err(e) => Err(Failure {
                // RFC 5321 §4.2.1: 5yz replies are permanent.
                permanent: e.is_permanent(),
                reason: e.to_string(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cognate_core::crypto::SecretString;
    use cognate_core::store::outbox::Channel;

    fn smtp() -> Smtp {
        Smtp::new(
            &SmtpConfig {
                host: "127.0.0.1".into(),
                port: 2525,
                security: SmtpSecurity::None,
                username: None,
                password: None,
                from: "Cognate <no-reply@example.com>".into(),
            },
            std::time::Duration::from_secs(1),
        )
        .unwrap()
    }

    fn message(to: &str, html: Option<&str>) -> OutgoingMessage {
        OutgoingMessage {
            pool_id: "us-east-1_x".into(),
            channel: Channel::Email,
            destination: to.into(),
            subject: Some("Your code".into()),
            body: SecretString::new("Code: <1>"),
            html: html.map(SecretString::new),
        }
    }

    #[test]
    fn messages_are_multipart_alternative_with_both_parts() {
        let p = smtp()
            .prepare(&message("bob@example.com", Some("<p>Code: &lt;1&gt;</p>")))
            .unwrap();
        let text = String::from_utf8(p.bytes).unwrap();
        assert!(text.contains("multipart/alternative"), "{text}");
        assert!(text.contains("text/plain"), "{text}");
        assert!(text.contains("text/html"), "{text}");
        assert!(text.contains("<p>Code: &lt;1&gt;</p>"), "{text}");
        assert!(text.contains("Message-ID:"), "{text}");
        assert_eq!(
            p.envelope
                .to()
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            ["bob@example.com"]
        );
    }

    #[test]
    fn a_plain_body_is_escaped_into_the_html_part() {
        let p = smtp().prepare(&message("bob@example.com", None)).unwrap();
        let text = String::from_utf8(p.bytes).unwrap();
        assert!(text.contains("Code: &lt;1&gt;"), "{text}");
    }

    #[test]
    fn bad_recipients_are_refused_before_queueing() {
        assert!(smtp().prepare(&message("not an address", None)).is_err());
    }

    #[test]
    fn whole_documents_are_not_wrapped_again() {
        assert_eq!(
            html_document("<html><p>x</p></html>"),
            "<html><p>x</p></html>"
        );
        assert!(html_document("<p>x</p>").starts_with("<!DOCTYPE html>"));
    }
}
