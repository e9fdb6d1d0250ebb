//! Codes and invitations on their way to people: the texts, built from the
//! pool's templates with Cognito's defaults, and the [`MessageSender`] seam
//! they leave through — the local outbox today (DESIGN.md, "Mail and SMS");
//! SMTP and an SMS webhook plug in behind the same trait.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;

use super::Idp;
use crate::crypto::SecretString;
use crate::error::Result;
use crate::model::UserPool;
use crate::store::Store;
use crate::store::outbox::{Channel, OutboxMessage};

/// Cognito's texts when a pool sets none (Cognito API: UserPoolType,
/// VerificationMessageTemplate and AdminCreateUserConfig).
pub const DEFAULT_VERIFICATION_MESSAGE: &str = "Your verification code is {####}. ";
pub const DEFAULT_VERIFICATION_SUBJECT: &str = "Your verification code";
pub const DEFAULT_INVITATION_MESSAGE: &str =
    "Your username is {username} and temporary password is {####}. ";
pub const DEFAULT_INVITATION_SUBJECT: &str = "Your temporary password";

/// A message ready to go. The body carries a code or a password: `Debug`
/// hides it.
#[derive(Clone)]
pub struct OutgoingMessage {
    pub pool_id: String,
    pub channel: Channel,
    pub destination: String,
    pub subject: Option<String>,
    pub body: SecretString,
}

impl fmt::Debug for OutgoingMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OutgoingMessage")
            .field("pool_id", &self.pool_id)
            .field("channel", &self.channel)
            .finish_non_exhaustive()
    }
}

/// Where messages go. An error means the message was not accepted; the
/// caller undoes what it promised (Cognito: CodeDeliveryFailureException).
#[async_trait]
pub trait MessageSender: Send + Sync {
    async fn send(&self, message: &OutgoingMessage) -> Result<()>;
}

/// The default sender: every message lands in the store's outbox.
pub struct OutboxSender {
    store: Arc<dyn Store>,
    clock: crate::Clock,
}

impl OutboxSender {
    pub fn new(store: Arc<dyn Store>, clock: crate::Clock) -> Self {
        Self { store, clock }
    }
}

#[async_trait]
impl MessageSender for OutboxSender {
    async fn send(&self, m: &OutgoingMessage) -> Result<()> {
        self.store
            .push_message(&OutboxMessage {
                id: 0,
                pool_id: m.pool_id.clone(),
                channel: m.channel,
                destination: m.destination.clone(),
                subject: m.subject.clone(),
                body: m.body.expose().to_owned(),
                created: self.clock.now(),
            })
            .await?;
        Ok(())
    }
}

/// The subject (email only) and body of a verification code: sign-up
/// confirmation, password reset and attribute verification all use the
/// pool's verification template, as in Cognito.
pub fn verification_text(
    pool: &UserPool,
    channel: Channel,
    code: &str,
) -> (Option<String>, String) {
    let c = &pool.config;
    let t = &c.verification_message_template;
    match channel {
        Channel::Email => {
            let body = t
                .email_message
                .as_deref()
                .or(c.email_verification_message.as_deref())
                .unwrap_or(DEFAULT_VERIFICATION_MESSAGE);
            let subject = t
                .email_subject
                .as_deref()
                .or(c.email_verification_subject.as_deref())
                .unwrap_or(DEFAULT_VERIFICATION_SUBJECT);
            (Some(subject.to_owned()), body.replace("{####}", code))
        }
        Channel::Sms => {
            let body = t
                .sms_message
                .as_deref()
                .or(c.sms_verification_message.as_deref())
                .unwrap_or(DEFAULT_VERIFICATION_MESSAGE);
            (None, body.replace("{####}", code))
        }
    }
}

/// The invitation of AdminCreateUser: `{username}` and the temporary
/// password in `{####}` (Cognito API: MessageTemplateType).
pub fn invitation_text(
    pool: &UserPool,
    channel: Channel,
    username: &str,
    password: &str,
) -> (Option<String>, String) {
    let t = pool
        .config
        .admin_create_user_config
        .invite_message_template
        .clone()
        .unwrap_or_default();
    let fill = |m: &str| {
        m.replace("{username}", username)
            .replace("{####}", password)
    };
    match channel {
        Channel::Email => (
            Some(
                t.email_subject
                    .as_deref()
                    .unwrap_or(DEFAULT_INVITATION_SUBJECT)
                    .to_owned(),
            ),
            fill(
                t.email_message
                    .as_deref()
                    .unwrap_or(DEFAULT_INVITATION_MESSAGE),
            ),
        ),
        Channel::Sms => (
            None,
            fill(
                t.sms_message
                    .as_deref()
                    .unwrap_or(DEFAULT_INVITATION_MESSAGE),
            ),
        ),
    }
}

impl Idp {
    /// Hands a message to the sender. Only the channel and pool are logged.
    pub(crate) async fn deliver(
        &self,
        pool: &UserPool,
        channel: Channel,
        destination: &str,
        (subject, body): (Option<String>, String),
    ) -> Result<()> {
        let message = OutgoingMessage {
            pool_id: pool.id.clone(),
            channel,
            destination: destination.to_owned(),
            subject,
            body: SecretString::new(body),
        };
        tracing::debug!(pool = %pool.id, channel = channel.as_str(), "message sent");
        self.sender.send(&message).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Timestamp;
    use crate::model::pool::{MessageTemplate, NewUserPool};

    fn pool() -> UserPool {
        UserPool::create(
            NewUserPool {
                pool_name: "p".into(),
                ..Default::default()
            },
            "us-east-1",
            Timestamp(0),
        )
        .unwrap()
    }

    #[test]
    fn defaults_are_cognitos() {
        let p = pool();
        assert_eq!(
            verification_text(&p, Channel::Email, "123456"),
            (
                Some("Your verification code".into()),
                "Your verification code is 123456. ".into()
            )
        );
        assert_eq!(
            invitation_text(&p, Channel::Sms, "bob", "Tmp1!pass"),
            (
                None,
                "Your username is bob and temporary password is Tmp1!pass. ".into()
            )
        );
    }

    #[test]
    fn templates_win_over_legacy_fields() {
        let mut p = pool();
        p.config.email_verification_message = Some("legacy {####}".into());
        assert_eq!(verification_text(&p, Channel::Email, "1").1, "legacy 1");
        p.config.verification_message_template.email_message = Some("new {####}".into());
        p.config.verification_message_template.email_subject = Some("Hi".into());
        assert_eq!(
            verification_text(&p, Channel::Email, "1"),
            (Some("Hi".into()), "new 1".into())
        );
        p.config.admin_create_user_config.invite_message_template = Some(MessageTemplate {
            email_message: Some("Welcome {username}: {####}".into()),
            ..Default::default()
        });
        assert_eq!(
            invitation_text(&p, Channel::Email, "ann", "pw"),
            (
                Some("Your temporary password".into()),
                "Welcome ann: pw".into()
            )
        );
    }
}
