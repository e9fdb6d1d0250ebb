//! Codes and invitations on their way to people: the texts, built from the
//! pool's templates with Cognito's defaults, and the [`MessageSender`] seam
//! they leave through — the local outbox by default (docs/architecture.md, "Mail and
//! SMS"); the server plugs SMTP and an SMS webhook in behind the same trait.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use serde_json::{Value, json};

use super::Idp;
use super::auth::{Metadata, NO_METADATA};
use super::triggers::{Invocation, Trigger, metadata, user_attributes};
use crate::crypto::{MasterKey, SecretString};
use crate::error::{CognitoError, Result};
use crate::model::{User, UserPool};
use crate::store::Store;
use crate::store::outbox::{Channel, OutboxMessage};

/// Cognito's texts when a pool sets none (Cognito API: UserPoolType,
/// VerificationMessageTemplate and AdminCreateUserConfig).
pub const DEFAULT_VERIFICATION_MESSAGE: &str = "Your verification code is {####}. ";
pub const DEFAULT_VERIFICATION_SUBJECT: &str = "Your verification code";
pub const DEFAULT_INVITATION_MESSAGE: &str =
    "Your username is {username} and temporary password is {####}. ";
pub const DEFAULT_INVITATION_SUBJECT: &str = "Your temporary password";

/// The texts of one message: the subject (email only), the plain-text body
/// (what SMS, the outbox and a mail's text part carry) and, for email, an
/// HTML body. Built with the code in it, so `Debug` shows neither body.
#[derive(Clone, PartialEq, Eq)]
pub struct MessageText {
    pub subject: Option<String>,
    pub body: String,
    pub html: Option<String>,
}

impl fmt::Debug for MessageText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MessageText")
            .field("subject", &self.subject)
            .finish_non_exhaustive()
    }
}

/// A plain text and its subject; senders that need HTML derive it.
impl From<(Option<String>, String)> for MessageText {
    fn from((subject, body): (Option<String>, String)) -> Self {
        Self {
            subject,
            body,
            html: None,
        }
    }
}

impl MessageText {
    /// An email from a pool's template. Cognito sends an email message as
    /// HTML (Cognito API: MessageTemplateType, EmailMessage "can include
    /// HTML tags"): the HTML body is the template with the values escaped;
    /// the text body is the template's text with the values as they are.
    /// A template without markup is plain text, its line breaks kept.
    pub fn email(subject: &str, template: &str, values: &[(&str, &str)]) -> Self {
        let (body, html) = if looks_like_html(template) {
            (
                fill(&html_to_text(template), values, push_str),
                fill(template, values, escape_html_into),
            )
        } else {
            let body = fill(template, values, push_str);
            let html = text_to_html(&body);
            (body, html)
        };
        Self {
            subject: Some(subject.to_owned()),
            body,
            html: Some(html),
        }
    }

    /// An SMS from a pool's template: plain text.
    pub fn sms(template: &str, values: &[(&str, &str)]) -> Self {
        Self {
            subject: None,
            body: fill(template, values, push_str),
            html: None,
        }
    }
}

/// A message ready to go. The bodies carry a code or a password: `Debug`
/// hides them.
#[derive(Clone)]
pub struct OutgoingMessage {
    pub pool_id: String,
    pub channel: Channel,
    pub destination: String,
    pub subject: Option<String>,
    pub body: SecretString,
    /// Email only: the HTML alternative of `body`, when the sender built one.
    pub html: Option<SecretString>,
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
/// Accepting may mean queued: a sender that talks to the network hands the
/// message to a background queue, as Cognito hands it to SES or SNS.
#[async_trait]
pub trait MessageSender: Send + Sync {
    async fn send(&self, message: &OutgoingMessage) -> Result<()>;
}

/// The cap on how many messages one person is sent (SMS pumping, mail
/// bombing): every code and invitation is counted here before it leaves,
/// whichever action or face caused it. The server answers with its
/// limiter (server/src/limits.rs); the default caps nothing.
pub trait MessageBudget: Send + Sync {
    /// Counts one message to `recipient` in pool `pool_id`; `Err(wait)`
    /// when the cap is spent. `recipient` is a user's `sub`, or
    /// [`ghost_recipient`] of the name a simulated delivery answers.
    fn spend(&self, pool_id: &str, recipient: &str) -> std::result::Result<(), Duration>;
}

/// No cap.
pub struct Unlimited;

impl MessageBudget for Unlimited {
    fn spend(&self, _: &str, _: &str) -> std::result::Result<(), Duration> {
        Ok(())
    }
}

/// The budget key of a name no user has: a simulated delivery spends the
/// budget as a real one does, so the cap reveals nothing about existence.
pub fn ghost_recipient(name: &str) -> String {
    format!("name:{}", name.to_lowercase())
}

/// Over the cap: Cognito API, Common Errors — TooManyRequestsException.
pub fn budget_spent() -> CognitoError {
    CognitoError::TooManyRequests("Rate exceeded".into())
}

/// How long the outbox keeps a message: a week, Cognito's default
/// TemporaryPasswordValidityDays and well past a code's 24 hours. Their
/// codes and temporary passwords are secrets, so they do not stay.
pub const OUTBOX_KEEP_SECONDS: i64 = 7 * 86_400;

/// The default sender: every message lands in the store's outbox, its
/// subject and body sealed under the master key (crypto.rs, "Secrets at
/// rest"): they hold live codes and passwords for a week.
pub struct OutboxSender {
    store: Arc<dyn Store>,
    clock: crate::Clock,
    key: MasterKey,
}

impl OutboxSender {
    pub fn new(store: Arc<dyn Store>, clock: crate::Clock, key: MasterKey) -> Self {
        Self { store, clock, key }
    }
}

#[async_trait]
impl MessageSender for OutboxSender {
    async fn send(&self, m: &OutgoingMessage) -> Result<()> {
        let message = OutboxMessage {
            id: 0,
            pool_id: m.pool_id.clone(),
            channel: m.channel,
            destination: m.destination.clone(),
            subject: m.subject.clone(),
            body: m.body.expose().to_owned(),
            created: self.clock.now(),
        };
        self.store
            .push_message(&seal_message(&self.key, message))
            .await?;
        Ok(())
    }
}

/// What a message shows when it does not open (sealed under another master
/// key, or altered): the listing goes on without it.
pub const UNREADABLE_MESSAGE: &str = "(sealed under another master key: cannot be read)";

/// The associated data of a sealed outbox text: the message's pool,
/// channel, destination and time (its id is the store's, known only after
/// the insert), and which part it is, so no text moves to another message
/// or part unnoticed.
fn outbox_record(m: &OutboxMessage, part: &str) -> String {
    format!(
        "outbox:{}:{}:{}:{}:{part}",
        m.pool_id,
        m.channel.as_str(),
        m.destination,
        m.created.0
    )
}

/// The message as the outbox keeps it: subject and body sealed. Every
/// write to the outbox goes through here.
fn seal_message(key: &MasterKey, mut m: OutboxMessage) -> OutboxMessage {
    m.body = key.seal_text(&outbox_record(&m, "body"), &m.body);
    m.subject = m
        .subject
        .take()
        .map(|s| key.seal_text(&outbox_record(&m, "subject"), &s));
    m
}

/// The message as the outbox had it, opened. Every read of the outbox goes
/// through here. Texts kept before sealing read as they are.
fn open_message(key: &MasterKey, mut m: OutboxMessage) -> OutboxMessage {
    let open = |part: &str, text: &str| match key.open_text(&outbox_record(&m, part), text) {
        Ok(opened) => opened.into_inner(),
        Err(_) => {
            tracing::warn!(id = m.id, part, "an outbox message does not open");
            UNREADABLE_MESSAGE.to_owned()
        }
    };
    let body = open("body", &m.body);
    let subject = m.subject.as_deref().map(|s| open("subject", s));
    m.body = body;
    m.subject = subject;
    m
}

/// The newest `limit` messages of the outbox (of one pool when given),
/// newest first, opened: what `cognate outbox` and `/_dev/outbox` show.
pub async fn read_outbox(
    store: &dyn Store,
    key: &MasterKey,
    pool_id: Option<&str>,
    limit: usize,
) -> Result<Vec<OutboxMessage>> {
    Ok(store
        .recent_messages(pool_id, limit)
        .await?
        .into_iter()
        .map(|m| open_message(key, m))
        .collect())
}

impl Idp {
    /// The outbox, opened (see [`read_outbox`]).
    pub async fn outbox(&self, pool_id: Option<&str>, limit: usize) -> Result<Vec<OutboxMessage>> {
        read_outbox(self.store.as_ref(), &self.master_key, pool_id, limit).await
    }
}

/// The texts of a verification code: sign-up confirmation, password reset
/// and attribute verification all use the pool's verification template, as
/// in Cognito.
pub fn verification_text(pool: &UserPool, channel: Channel, code: &str) -> MessageText {
    let c = &pool.config;
    let t = &c.verification_message_template;
    let values = [("{####}", code)];
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
            MessageText::email(subject, body, &values)
        }
        Channel::Sms => {
            let body = t
                .sms_message
                .as_deref()
                .or(c.sms_verification_message.as_deref())
                .unwrap_or(DEFAULT_VERIFICATION_MESSAGE);
            MessageText::sms(body, &values)
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
) -> MessageText {
    let t = pool
        .config
        .admin_create_user_config
        .invite_message_template
        .clone()
        .unwrap_or_default();
    let values = [("{username}", username), ("{####}", password)];
    match channel {
        Channel::Email => MessageText::email(
            t.email_subject
                .as_deref()
                .unwrap_or(DEFAULT_INVITATION_SUBJECT),
            t.email_message
                .as_deref()
                .unwrap_or(DEFAULT_INVITATION_MESSAGE),
            &values,
        ),
        Channel::Sms => MessageText::sms(
            t.sms_message
                .as_deref()
                .unwrap_or(DEFAULT_INVITATION_MESSAGE),
            &values,
        ),
    }
}

/// Replaces each placeholder in one pass, so a value that contains a
/// placeholder (a username `{####}`) is never filled in again.
fn fill(template: &str, values: &[(&str, &str)], put: impl Fn(&str, &mut String)) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    'scan: while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        for (name, value) in values {
            if let Some(after) = rest.strip_prefix(name) {
                put(value, &mut out);
                rest = after;
                continue 'scan;
            }
        }
        out.push('{');
        rest = &rest[1..];
    }
    out.push_str(rest);
    out
}

fn push_str(value: &str, out: &mut String) {
    out.push_str(value);
}

fn escape_html_into(value: &str, out: &mut String) {
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// Plain text as HTML: escaped, line breaks kept.
pub fn text_to_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push_str("<br>\n");
        }
        escape_html_into(line.trim_end_matches('\r'), &mut out);
    }
    out
}

/// A template is markup when it has a tag or an entity in it.
fn looks_like_html(template: &str) -> bool {
    let b = template.as_bytes();
    let tag = b
        .windows(2)
        .any(|w| w[0] == b'<' && (w[1].is_ascii_alphabetic() || w[1] == b'/' || w[1] == b'!'));
    tag || ENTITIES.iter().any(|(e, _)| template.contains(e)) || template.contains("&#")
}

/// The entities templates commonly use; others stay as they are.
const ENTITIES: [(&str, char); 19] = [
    ("&amp;", '&'),
    ("&lt;", '<'),
    ("&gt;", '>'),
    ("&quot;", '"'),
    ("&#39;", '\''),
    ("&apos;", '\''),
    ("&nbsp;", ' '),
    ("&mdash;", '—'),
    ("&ndash;", '–'),
    ("&hellip;", '…'),
    ("&lsquo;", '‘'),
    ("&rsquo;", '’'),
    ("&ldquo;", '“'),
    ("&rdquo;", '”'),
    ("&laquo;", '«'),
    ("&raquo;", '»'),
    ("&copy;", '©'),
    ("&reg;", '®'),
    ("&euro;", '€'),
];

/// The text of an HTML template, for the plain part of a mail: tags go,
/// blocks and `<br>` become line breaks, entities are decoded, and runs of
/// white space collapse as a browser would collapse them.
fn html_to_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(c) = rest.chars().next() {
        if c == '<' {
            let Some(end) = rest.find('>') else {
                text.push_str(rest);
                break;
            };
            let tag = rest[1..end].trim().to_ascii_lowercase();
            rest = &rest[end + 1..];
            let name: String = tag
                .trim_start_matches('/')
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            if !tag.starts_with('/') && matches!(name.as_str(), "style" | "script" | "head") {
                let close = format!("</{name}");
                match rest.to_ascii_lowercase().find(&close) {
                    Some(i) => rest = &rest[i..],
                    None => rest = "",
                }
                continue;
            }
            let block = matches!(
                name.as_str(),
                "br" | "p"
                    | "div"
                    | "li"
                    | "tr"
                    | "table"
                    | "ul"
                    | "ol"
                    | "h1"
                    | "h2"
                    | "h3"
                    | "h4"
                    | "h5"
                    | "h6"
                    | "blockquote"
                    | "hr"
            );
            if block {
                text.push('\n');
            }
        } else if c == '&' {
            let decoded = ENTITIES
                .iter()
                .find(|(e, _)| rest.starts_with(e))
                .map(|(e, ch)| (e.len(), *ch))
                .or_else(|| numeric_entity(rest));
            match decoded {
                Some((len, ch)) => {
                    text.push(ch);
                    rest = &rest[len..];
                }
                None => {
                    text.push('&');
                    rest = &rest[1..];
                }
            }
        } else {
            // Source line breaks and tabs are white space in HTML.
            text.push(if c.is_whitespace() { ' ' } else { c });
            rest = &rest[c.len_utf8()..];
        }
    }
    // Collapse: spaces within lines, blank lines to at most one.
    let mut out = String::with_capacity(text.len());
    let mut blank = 0;
    for line in text.split('\n') {
        let line = line
            .split(' ')
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>();
        if line.is_empty() {
            blank += 1;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank > 0 { "\n\n" } else { "\n" });
        }
        blank = 0;
        out.push_str(&line.join(" "));
    }
    out
}

/// `&#233;` or `&#xE9;`: its length and character.
fn numeric_entity(s: &str) -> Option<(usize, char)> {
    let body = s.strip_prefix("&#")?;
    let end = body.find(';')?;
    let digits = &body[..end];
    let n = match digits.strip_prefix(['x', 'X']) {
        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
        None => digits.parse().ok()?,
    };
    Some((end + 3, char::from_u32(n)?))
}

impl Idp {
    /// Housekeeping: deletes outbox messages older than
    /// [`OUTBOX_KEEP_SECONDS`]; how many.
    pub async fn purge_old_outbox_messages(&self) -> Result<u64> {
        let before = self.clock.now().plus_seconds(-OUTBOX_KEEP_SECONDS);
        self.store.delete_messages_before(before).await
    }

    /// Counts one message to `recipient` against the hourly cap.
    pub(crate) fn spend_message_budget(&self, pool: &UserPool, recipient: &str) -> Result<()> {
        self.message_budget.spend(&pool.id, recipient).map_err(|wait| {
            tracing::info!(pool = %pool.id, retry_after_s = wait.as_secs(), "message cap reached");
            budget_spent()
        })
    }

    /// Hands a message for `user` to the sender, once the user's message
    /// budget allows it and the pool's CustomMessage function, if any, has
    /// written it — or to the pool's custom sender for the channel, if it
    /// has one (`custom_senders.rs`). Only the channel and pool are logged.
    pub(crate) async fn deliver(
        &self,
        pool: &UserPool,
        user: &User,
        channel: Channel,
        destination: &str,
        text: impl Into<MessageText>,
        purpose: Purpose<'_>,
    ) -> Result<()> {
        self.spend_message_budget(pool, &user.sub.to_string())?;
        // A custom sender for the channel delivers the message itself
        // (developer guide, "Custom sender Lambda triggers"). CustomMessage
        // is not invoked then: it writes a text, and the sender's event
        // carries only the code, so the text would go nowhere.
        if self.has_custom_sender(pool, channel) {
            return self
                .send_through_custom_sender(pool, user, channel, purpose)
                .await;
        }
        let text = self
            .custom_message(pool, user, channel, text.into(), purpose)
            .await?;
        let message = OutgoingMessage {
            pool_id: pool.id.clone(),
            channel,
            destination: destination.to_owned(),
            subject: text.subject,
            body: SecretString::new(text.body),
            html: text.html.map(SecretString::new),
        };
        tracing::debug!(pool = %pool.id, channel = channel.as_str(), "message sent");
        self.sender.send(&message).await
    }
}

/// What a message is for: CustomMessage's `triggerSource`, and the values
/// its templates take.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Purpose<'a> {
    /// E.g. `CustomMessage_SignUp`.
    pub source: &'static str,
    /// The code, or AdminCreateUser's temporary password: `{####}`.
    pub code: &'a str,
    /// AdminCreateUser's `{username}`.
    pub username: Option<&'a str>,
    pub client_id: Option<&'a str>,
    pub metadata: &'a Metadata,
}

impl<'a> Purpose<'a> {
    pub fn new(source: &'static str, code: &'a str) -> Self {
        Self {
            source,
            code,
            username: None,
            client_id: None,
            metadata: &NO_METADATA,
        }
    }

    pub fn for_client(self, client_id: &'a str, metadata: &'a Metadata) -> Self {
        Self {
            client_id: Some(client_id),
            metadata,
            ..self
        }
    }
}

impl Idp {
    /// CustomMessage: the pool's function may replace the message's text
    /// (developer guide: "Custom message Lambda trigger"). Its templates
    /// take `{####}` (and `{username}` for invitations) as the pool's do;
    /// a message it leaves null keeps the pool's text.
    async fn custom_message(
        &self,
        pool: &UserPool,
        user: &User,
        channel: Channel,
        text: MessageText,
        purpose: Purpose<'_>,
    ) -> Result<MessageText> {
        if !Trigger::CustomMessage.configured(pool) {
            return Ok(text);
        }
        let request = json!({
            "userAttributes": user_attributes(user),
            "codeParameter": "{####}",
            "linkParameter": "{##Click Here##}",
            "usernameParameter": purpose.username.map(|_| "{username}"),
            "clientMetadata": metadata(purpose.metadata),
        });
        let answer = self
            .run_trigger(
                pool,
                Invocation {
                    trigger: Trigger::CustomMessage,
                    source: purpose.source,
                    user_name: &user.username,
                    client_id: purpose.client_id,
                    request,
                    response: json!({"smsMessage": null, "emailMessage": null, "emailSubject": null}),
                },
            )
            .await?
            .unwrap_or_default();
        let field = |name: &str| match answer.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            Some(_) => Err(CognitoError::InvalidLambdaResponse(
                "Unrecognizable lambda output".into(),
            )),
        };
        let mut values = vec![("{####}", purpose.code)];
        if let Some(name) = purpose.username {
            values.push(("{username}", name));
        }
        Ok(match channel {
            Channel::Email => match field("emailMessage")? {
                Some(template) => {
                    let subject = field("emailSubject")?
                        .map(str::to_owned)
                        .or(text.subject)
                        .unwrap_or_default();
                    MessageText::email(&subject, template, &values)
                }
                None => text,
            },
            Channel::Sms => match field("smsMessage")? {
                Some(template) => MessageText::sms(template, &values),
                None => text,
            },
        })
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

    fn plain(t: MessageText) -> (Option<String>, String) {
        (t.subject, t.body)
    }

    #[test]
    fn defaults_are_cognitos() {
        let p = pool();
        assert_eq!(
            plain(verification_text(&p, Channel::Email, "123456")),
            (
                Some("Your verification code".into()),
                "Your verification code is 123456. ".into()
            )
        );
        assert_eq!(
            invitation_text(&p, Channel::Sms, "bob", "Tmp1!pass"),
            MessageText {
                subject: None,
                body: "Your username is bob and temporary password is Tmp1!pass. ".into(),
                html: None,
            }
        );
    }

    #[test]
    fn templates_win_over_legacy_fields() {
        let mut p = pool();
        p.config.email_verification_message = Some("legacy {####}".into());
        assert_eq!(verification_text(&p, Channel::Email, "1").body, "legacy 1");
        p.config.verification_message_template.email_message = Some("new {####}".into());
        p.config.verification_message_template.email_subject = Some("Hi".into());
        assert_eq!(
            plain(verification_text(&p, Channel::Email, "1")),
            (Some("Hi".into()), "new 1".into())
        );
        p.config.admin_create_user_config.invite_message_template = Some(MessageTemplate {
            email_message: Some("Welcome {username}: {####}".into()),
            ..Default::default()
        });
        assert_eq!(
            plain(invitation_text(&p, Channel::Email, "ann", "pw")),
            (
                Some("Your temporary password".into()),
                "Welcome ann: pw".into()
            )
        );
    }

    #[test]
    fn html_part_escapes_the_values_and_text_part_drops_the_markup() {
        let mut p = pool();
        p.config.admin_create_user_config.invite_message_template = Some(MessageTemplate {
            email_message: Some(
                "<h1>Welcome</h1>\n<p>User <b>{username}</b>,\n   password <code>{####}</code> &amp; more.</p><p>Bye</p>"
                    .into(),
            ),
            ..Default::default()
        });
        let t = invitation_text(&p, Channel::Email, "<script>x</script>", "a&b\"<");
        assert_eq!(
            t.html.as_deref(),
            Some(
                "<h1>Welcome</h1>\n<p>User <b>&lt;script&gt;x&lt;/script&gt;</b>,\n   password <code>a&amp;b&quot;&lt;</code> &amp; more.</p><p>Bye</p>"
            )
        );
        assert_eq!(
            t.body,
            "Welcome\n\nUser <script>x</script>, password a&b\"< & more.\n\nBye"
        );
    }

    #[test]
    fn plain_templates_become_escaped_html_with_their_line_breaks() {
        let t = MessageText::email("S", "Code: {####}\nThanks & bye", &[("{####}", "<1>")]);
        assert_eq!(t.body, "Code: <1>\nThanks & bye");
        assert_eq!(
            t.html.as_deref(),
            Some("Code: &lt;1&gt;<br>\nThanks &amp; bye")
        );
    }

    #[test]
    fn placeholders_are_filled_once() {
        let t = MessageText::sms(
            "{username} {####} {other}",
            &[("{username}", "{####}"), ("{####}", "42")],
        );
        assert_eq!(t.body, "{####} 42 {other}");
    }

    #[test]
    fn entities_decode_in_the_text_part() {
        assert_eq!(
            html_to_text(
                "<p>caf&#233; &#x263A; &lt;ok&gt;&nbsp;&bogus; &mdash;</p><style>p{}</style>x"
            ),
            "café ☺ <ok> &bogus; —\nx"
        );
    }
}
