//! Mail over real SMTP conversations (docs/architecture.md, "Mail and SMS"): a mail
//! server started inside each test (mailin-embedded, over a socket) receives
//! the codes and invitations Cognate sends, and the tests read them back
//! with a MIME parser. A hung or refusing server never fails the request:
//! the message is queued, retried, and given up, as the logs and counters
//! show. SMTP does not depend on the store, so these run on SQLite only.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::common::users::{PASSWORD, attr, six_digits};
use crate::common::{Backend, TestServer};
use aws_sdk_cognitoidentityprovider as cip;
use cip::types::{
    AdminCreateUserConfigType, AuthFlowType, ChallengeNameType, DeliveryMediumType,
    MessageTemplateType, VerificationMessageTemplateType, VerifiedAttributeType,
};
use cognate::config::{Config, SmtpSecurity};
use mailin_embedded::{AuthMechanism, Handler, Response, Server, SslConfig, response};

/// One mail as the server received it: the envelope and the bytes of DATA.
#[derive(Clone, Debug)]
struct Received {
    from: String,
    to: Vec<String>,
    data: Vec<u8>,
}

/// What the test mail server saw.
#[derive(Default)]
struct Inbox {
    mails: Mutex<Vec<Received>>,
    sessions: AtomicUsize,
    /// The user names that authenticated (mailin allows AUTH only after
    /// STARTTLS).
    logins: Mutex<Vec<String>>,
}

impl Inbox {
    fn mails(&self) -> Vec<Received> {
        self.mails.lock().unwrap().clone()
    }
}

/// The mailin-embedded handler: keeps every mail; with `refuse`, answers
/// every recipient `550 Mailbox unavailable`.
#[derive(Clone)]
struct Keeper {
    inbox: Arc<Inbox>,
    refuse: bool,
    /// With Some, AUTH PLAIN with this user and password is required.
    login: Option<(String, String)>,
    current: Option<Received>,
}

impl Handler for Keeper {
    fn helo(&mut self, _ip: std::net::IpAddr, _domain: &str) -> Response {
        self.inbox.sessions.fetch_add(1, Ordering::SeqCst);
        response::OK
    }

    fn rcpt(&mut self, _to: &str) -> Response {
        if self.refuse {
            response::NO_MAILBOX
        } else {
            response::OK
        }
    }

    fn data_start(&mut self, _domain: &str, from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.current = Some(Received {
            from: from.to_owned(),
            to: to.to_vec(),
            data: Vec::new(),
        });
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        if let Some(m) = &mut self.current {
            m.data.extend_from_slice(buf);
        }
        Ok(())
    }

    fn auth_plain(&mut self, _authz: &str, user: &str, password: &str) -> Response {
        match &self.login {
            Some((u, p)) if u == user && p == password => {
                self.inbox.logins.lock().unwrap().push(user.to_owned());
                response::AUTH_OK
            }
            _ => response::INVALID_CREDENTIALS,
        }
    }

    fn data_end(&mut self) -> Response {
        if let Some(m) = self.current.take() {
            self.inbox.mails.lock().unwrap().push(m);
        }
        response::OK
    }
}

/// Starts a real SMTP server on a free local port.
fn mail_server(refuse: bool) -> (SocketAddr, Arc<Inbox>) {
    start_mail_server(refuse, None)
}

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// Starts a real SMTP server that offers STARTTLS with the test
/// certificate (tests/fixtures) and requires AUTH PLAIN as `user`.
fn tls_mail_server(user: &str, password: &str) -> (SocketAddr, Arc<Inbox>) {
    // The test binary links rustls with two providers; mailin uses the default.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    start_mail_server(false, Some((user.to_owned(), password.to_owned())))
}

fn start_mail_server(refuse: bool, login: Option<(String, String)>) -> (SocketAddr, Arc<Inbox>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let inbox = Arc::new(Inbox::default());
    let tls = login.is_some();
    let mut server = Server::new(Keeper {
        inbox: inbox.clone(),
        refuse,
        login,
        current: None,
    });
    server.with_name("inbox.test").with_tcp_listener(listener);
    if tls {
        server
            .with_ssl(SslConfig::SelfSigned {
                cert_path: fixture("smtp-test-cert.pem"),
                key_path: fixture("smtp-test-key.pem"),
            })
            .expect("the test certificate loads")
            .with_auth(AuthMechanism::Plain);
    }
    std::thread::spawn(move || {
        let _ = server.serve();
    });
    (addr, inbox)
}

/// A server that takes connections and never says a word: not even the
/// SMTP greeting. Counts the connections it holds.
async fn silent_server() -> (SocketAddr, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let connections = Arc::new(AtomicUsize::new(0));
    let count = connections.clone();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            held.push(socket);
        }
    });
    (addr, connections)
}

const FROM: &str = "Shop <no-reply@shop.example>";

/// Mail goes to `addr` in clear (a server on this machine); attempts time
/// out after `timeout_secs`, and one retry follows a failure.
fn smtp_to(addr: SocketAddr, timeout_secs: f64) -> impl FnOnce(&mut Config) {
    move |c: &mut Config| {
        c.smtp_host = Some(addr.ip().to_string());
        c.smtp_port = Some(addr.port());
        c.smtp_security = SmtpSecurity::None;
        c.smtp_from = Some(FROM.into());
        c.delivery_timeout_secs = timeout_secs;
        c.delivery_retries = 1;
    }
}

/// Waits for `done` to hold; the deadline only bounds a failing test.
async fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while !done() {
        assert!(tokio::time::Instant::now() < deadline, "never: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn wait_for_mails(inbox: &Inbox, n: usize) -> Vec<Received> {
    eventually(&format!("{n} mail(s) arrived"), || {
        inbox.mails.lock().unwrap().len() >= n
    })
    .await;
    inbox.mails()
}

/// The parts of one mail, parsed as MIME.
struct Parsed {
    content_type: String,
    from: String,
    to: String,
    subject: String,
    text: String,
    html: String,
}

fn parse(mail: &Received) -> Parsed {
    let m = mail_parser::MessageParser::default()
        .parse(&mail.data)
        .expect("a MIME message");
    Parsed {
        content_type: m.header_raw("Content-Type").unwrap_or("").trim().to_owned(),
        from: m
            .from()
            .and_then(|a| a.first())
            .and_then(|a| a.address())
            .unwrap_or("")
            .to_owned(),
        to: m
            .to()
            .and_then(|a| a.first())
            .and_then(|a| a.address())
            .unwrap_or("")
            .to_owned(),
        subject: m.subject().unwrap_or("").to_owned(),
        text: m.body_text(0).expect("a text part").replace("\r\n", "\n"),
        html: m.body_html(0).expect("an HTML part").replace("\r\n", "\n"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_up_code_arrives_by_smtp_from_the_pools_template_and_confirms_the_user() {
    let (addr, inbox) = mail_server(false);
    let s = TestServer::start_with(Backend::Sqlite, smtp_to(addr, 5.0))
        .await
        .unwrap();
    let pool_id = s
        .pool(|b| {
            b.auto_verified_attributes(VerifiedAttributeType::Email)
                .verification_message_template(
                    VerificationMessageTemplateType::builder()
                        .email_subject("Welcome to Shop")
                        .email_message(
                            "<p>Your code:\n<b>{####}</b> &mdash; thanks &amp; welcome</p>",
                        )
                        .build(),
                )
        })
        .await;
    let (client_id, _) = s.client(&pool_id, false, false).await;
    let public = s.public();
    let out = public
        .sign_up()
        .client_id(&client_id)
        .username("bob")
        .password(PASSWORD)
        .user_attributes(attr("email", "bob@example.com"))
        .send()
        .await
        .expect("sign up");
    let details = out.code_delivery_details().expect("code delivery details");
    assert_eq!(details.delivery_medium(), Some(&DeliveryMediumType::Email));
    assert_eq!(details.destination(), Some("b***@e***"));

    let mails = wait_for_mails(&inbox, 1).await;
    let mail = &mails[0];
    // The envelope: from smtp_from to the user's address.
    assert_eq!(mail.from, "no-reply@shop.example");
    assert_eq!(mail.to, ["bob@example.com"]);
    let p = parse(mail);
    assert!(
        p.content_type.starts_with("multipart/alternative"),
        "{}",
        p.content_type
    );
    assert_eq!(p.from, "no-reply@shop.example");
    assert_eq!(p.to, "bob@example.com");
    assert_eq!(p.subject, "Welcome to Shop");
    let code = six_digits(&p.text).expect("a code in the text part");
    // The text part is the template's text; the HTML part its markup.
    assert_eq!(
        p.text.trim(),
        format!("Your code: {code} — thanks & welcome")
    );
    assert!(p.html.contains(&format!("<b>{code}</b>")), "{}", p.html);

    public
        .confirm_sign_up()
        .client_id(&client_id)
        .username("bob")
        .confirmation_code(&code)
        .send()
        .await
        .expect("the mailed code confirms");
    assert_eq!(s.admin_status(&pool_id, "bob").await, "CONFIRMED");
    // With a mail server configured, email skips the outbox.
    assert!(s.outbox(&pool_id).await.is_empty());
    assert_eq!(s.state.delivery.stats().delivered, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invitation_escapes_the_values_in_html_and_keeps_them_whole_in_text() {
    let (addr, inbox) = mail_server(false);
    let s = TestServer::start_with(Backend::Sqlite, smtp_to(addr, 5.0))
        .await
        .unwrap();
    let pool_id = s
        .pool(|b| {
            b.admin_create_user_config(
            AdminCreateUserConfigType::builder()
                .invite_message_template(
                    MessageTemplateType::builder()
                        .email_subject("You are invited")
                        .email_message(
                            "<p>Hello {username},</p><p>your password is <code>{####}</code></p>",
                        )
                        .build(),
                )
                .build(),
        )
        })
        .await;
    let (client_id, _) = s.client(&pool_id, false, false).await;
    let temporary = "Tmp<&>pass1";
    s.admin()
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("carol")
        .temporary_password(temporary)
        .user_attributes(attr("email", "carol@example.com"))
        .desired_delivery_mediums(DeliveryMediumType::Email)
        .send()
        .await
        .expect("admin create user");

    let mails = wait_for_mails(&inbox, 1).await;
    let p = parse(&mails[0]);
    assert_eq!(p.to, "carol@example.com");
    assert_eq!(p.subject, "You are invited");
    assert!(
        p.html
            .contains("your password is <code>Tmp&lt;&amp;&gt;pass1</code>"),
        "{}",
        p.html
    );
    assert_eq!(
        p.text.trim(),
        "Hello carol,\n\nyour password is Tmp<&>pass1"
    );
    // The password as the text part gave it signs in.
    let password = p.text.trim().rsplit(' ').next().unwrap().to_owned();
    let auth = s
        .public()
        .initiate_auth()
        .client_id(&client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "carol")
        .auth_parameters("PASSWORD", password)
        .send()
        .await
        .expect("sign in with the mailed password");
    assert_eq!(
        auth.challenge_name(),
        Some(&ChallengeNameType::NewPasswordRequired)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_mail_server_neither_blocks_nor_fails_sign_up_and_is_retried_then_given_up() {
    let (addr, connections) = silent_server().await;
    // Attempts of 2 s: the answer to SignUp comes long before the first
    // attempt can have failed.
    let s = TestServer::start_with(Backend::Sqlite, smtp_to(addr, 2.0))
        .await
        .unwrap();
    let pool_id = s
        .pool(|b| b.auto_verified_attributes(VerifiedAttributeType::Email))
        .await;
    let (client_id, _) = s.client(&pool_id, false, false).await;
    let out = s
        .public()
        .sign_up()
        .client_id(&client_id)
        .username("dave")
        .password(PASSWORD)
        .user_attributes(attr("email", "dave@example.com"))
        .send()
        .await
        .expect("sign up succeeds while the mail server hangs");
    // Cognito accepts the request and delivers afterwards: the answer came
    // while the message was still on its way, not after the attempt failed.
    let at_answer = s.state.delivery.stats();
    assert_eq!((at_answer.pending, at_answer.failed), (1, 0));
    assert!(out.code_delivery_details().is_some());
    assert_eq!(s.admin_status(&pool_id, "dave").await, "UNCONFIRMED");

    // Each attempt times out; one retry, then the message is given up.
    eventually("the message was given up", || {
        s.state.delivery.stats().failed == 1
    })
    .await;
    let stats = s.state.delivery.stats();
    assert_eq!((stats.pending, stats.delivered, stats.retried), (0, 0, 1));
    assert_eq!(
        connections.load(Ordering::SeqCst),
        2,
        "first try and one retry"
    );
    // Nothing fell back to the outbox: codes are not stored in clear.
    assert!(s.outbox(&pool_id).await.is_empty());
    // The user can ask again, as in Cognito.
    s.public()
        .resend_confirmation_code()
        .client_id(&client_id)
        .username("dave")
        .send()
        .await
        .expect("resend");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_recipient_is_given_up_at_once_without_retries() {
    let (addr, inbox) = mail_server(true);
    let s = TestServer::start_with(Backend::Sqlite, smtp_to(addr, 5.0))
        .await
        .unwrap();
    let pool_id = s
        .pool(|b| b.auto_verified_attributes(VerifiedAttributeType::Email))
        .await;
    let (client_id, _) = s.client(&pool_id, false, false).await;
    s.public()
        .sign_up()
        .client_id(&client_id)
        .username("erin")
        .password(PASSWORD)
        .user_attributes(attr("email", "erin@example.com"))
        .send()
        .await
        .expect("sign up");
    eventually("the message was given up", || {
        s.state.delivery.stats().failed == 1
    })
    .await;
    // RFC 5321 §4.2.1: a 5yz reply is permanent, so no second session.
    assert_eq!(s.state.delivery.stats().retried, 0);
    assert_eq!(inbox.sessions.load(Ordering::SeqCst), 1);
    assert!(inbox.mails().is_empty());
}

/// The real binary, configured through COGNATE_SMTP_* variables: the banner,
/// the development page and `cognate outbox` say that mail goes to the SMTP
/// server, and a sign-up on the sample client is mailed there.
#[test]
fn cognate_dev_with_smtp_from_the_environment_mails_codes_and_says_so() {
    use crate::common::process::{Running, cognate};

    let (addr, inbox) = mail_server(false);
    let (host, port) = (addr.ip().to_string(), addr.port().to_string());
    let env = [
        ("COGNATE_SMTP_HOST", host.as_str()),
        ("COGNATE_SMTP_PORT", port.as_str()),
        ("COGNATE_SMTP_SECURITY", "none"),
        ("COGNATE_SMTP_FROM", "Dev <dev@cognate.test>"),
    ];
    let dir = tempfile::tempdir().unwrap();
    let server = Running::start(&["dev"], dir.path(), &env);
    let notice = format!("Email goes to the SMTP server {host}:{port}, not to this outbox");
    assert!(server.banner.contains(&notice), "{}", server.banner);
    assert!(
        server.get("/_dev/outbox").contains(&notice),
        "the dev page says where mail goes"
    );
    let client_id = server
        .banner
        .lines()
        .find_map(|l| l.trim().strip_prefix("app client"))
        .and_then(|rest| rest.split_whitespace().next())
        .expect("the sample client in the banner")
        .to_owned();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let sdk = crate::common::sdk_client(&server.url, None);
    rt.block_on(
        sdk.sign_up()
            .client_id(&client_id)
            .username("hal")
            .password(PASSWORD)
            .user_attributes(attr("email", "hal@example.com"))
            .send(),
    )
    .expect("sign up on the sample client");
    let mails = rt.block_on(wait_for_mails(&inbox, 1));
    assert_eq!(mails[0].to, ["hal@example.com"]);
    assert_eq!(mails[0].from, "dev@cognate.test");
    let code = six_digits(&parse(&mails[0]).text).expect("a code");
    rt.block_on(
        sdk.confirm_sign_up()
            .client_id(&client_id)
            .username("hal")
            .confirmation_code(code)
            .send(),
    )
    .expect("the mailed code confirms");
    assert_eq!(server.terminate(), Some(0));

    let listed = cognate(&["outbox"], dir.path(), &env).output().unwrap();
    assert!(listed.status.success());
    assert!(String::from_utf8_lossy(&listed.stderr).contains(&notice));
    assert!(String::from_utf8_lossy(&listed.stdout).contains("The outbox is empty."));
}

/// STARTTLS and SMTP AUTH, configured through the environment: the mail
/// server's certificate is trusted through SSL_CERT_FILE (the system's CA
/// store, as rustls-native-certs reads it), and a password of digits stays
/// a string.
#[test]
fn starttls_with_auth_from_the_environment_delivers_over_tls() {
    use crate::common::process::Running;

    let (addr, inbox) = tls_mail_server("mailer", "0123456789");
    let port = addr.port().to_string();
    let cert = fixture("smtp-test-cert.pem");
    let env = [
        ("COGNATE_SMTP_HOST", "localhost"),
        ("COGNATE_SMTP_PORT", port.as_str()),
        ("COGNATE_SMTP_SECURITY", "starttls"),
        ("COGNATE_SMTP_USERNAME", "mailer"),
        ("COGNATE_SMTP_PASSWORD", "0123456789"),
        ("COGNATE_SMTP_FROM", "Dev <dev@cognate.test>"),
        ("SSL_CERT_FILE", cert.as_str()),
    ];
    let dir = tempfile::tempdir().unwrap();
    let server = Running::start(&["dev"], dir.path(), &env);
    let client_id = server
        .banner
        .lines()
        .find_map(|l| l.trim().strip_prefix("app client"))
        .and_then(|rest| rest.split_whitespace().next())
        .expect("the sample client in the banner")
        .to_owned();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let sdk = crate::common::sdk_client(&server.url, None);
    rt.block_on(
        sdk.sign_up()
            .client_id(&client_id)
            .username("ivy")
            .password(PASSWORD)
            .user_attributes(attr("email", "ivy@example.com"))
            .send(),
    )
    .expect("sign up on the sample client");
    let mails = rt.block_on(wait_for_mails(&inbox, 1));
    assert_eq!(mails[0].to, ["ivy@example.com"]);
    assert_eq!(*inbox.logins.lock().unwrap(), ["mailer"]);
    assert!(six_digits(&parse(&mails[0]).text).is_some());
    assert_eq!(server.terminate(), Some(0));
}

/// RFC 3207 §6: with starttls, a server that does not offer the upgrade
/// gets no mail (no downgrade to clear text).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starttls_is_required_not_opportunistic() {
    let (addr, inbox) = mail_server(false);
    let s = TestServer::start_with(Backend::Sqlite, |c| {
        smtp_to(addr, 5.0)(c);
        c.smtp_security = SmtpSecurity::Starttls;
    })
    .await
    .unwrap();
    let pool_id = s
        .pool(|b| b.auto_verified_attributes(VerifiedAttributeType::Email))
        .await;
    let (client_id, _) = s.client(&pool_id, false, false).await;
    s.public()
        .sign_up()
        .client_id(&client_id)
        .username("jay")
        .password(PASSWORD)
        .user_attributes(attr("email", "jay@example.com"))
        .send()
        .await
        .expect("sign up");
    eventually("the message was given up", || {
        s.state.delivery.stats().failed == 1
    })
    .await;
    assert!(inbox.sessions.load(Ordering::SeqCst) >= 1, "it did connect");
    assert!(inbox.mails().is_empty(), "but sent nothing in clear");
}
