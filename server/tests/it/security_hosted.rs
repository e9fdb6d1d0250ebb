//! Issue 12, item 9b: the hosted UI's anonymous pages write nothing to the
//! session store — a GET of `/oauth2/authorize` or `/login` renders its
//! form with a stateless CSRF token (a signed double-submit cookie) — and
//! every form still refuses a POST without this browser's token.

use crate::common::hosted::{browser, hidden};
use crate::common::{Backend, TestServer};
use reqwest::StatusCode;
use sqlx::Connection as _;

const CALLBACK: &str = "https://app.example/callback";
const PASSWORD: &str = "Correct-Horse-9";

struct App {
    pool_id: String,
    client_id: String,
}

async fn app(s: &TestServer) -> App {
    let pool_id = s.pool(|b| b.pool_name("hosted")).await;
    let (client_id, _) = s.code_client(&pool_id, CALLBACK, &["openid"], |c| c).await;
    s.verified_user(&pool_id, "ann", PASSWORD, "ann@example.com")
        .await;
    App { pool_id, client_id }
}

fn authorize_url(s: &TestServer, app: &App, page: &str) -> String {
    format!(
        "{}/{}/{page}?response_type=code&client_id={}&redirect_uri={CALLBACK}&scope=openid&code_challenge={}&code_challenge_method=S256",
        s.url,
        app.pool_id,
        app.client_id,
        "a".repeat(43)
    )
}

/// The rows of the web-session table, read from the SQLite file itself.
async fn session_rows(s: &TestServer) -> i64 {
    let path = s.state.config.data_dir.join("cognate.db");
    let mut db = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    sqlx::query_scalar("SELECT COUNT(*) FROM web_sessions")
        .fetch_one(&mut db)
        .await
        .unwrap()
}

async fn page(b: &reqwest::Client, url: &str) -> String {
    let r = b.get(url).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{url}");
    r.text().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_sign_in_pages_write_no_session_row() {
    let s = TestServer::start(Backend::Sqlite).await.unwrap();
    let app = app(&s).await;
    for _ in 0..25 {
        for p in ["oauth2/authorize", "login"] {
            let html = page(&browser(), &authorize_url(&s, &app, p)).await;
            assert!(hidden(&html, "csrf").is_some(), "{p}: no CSRF field");
        }
    }
    // The pages linked from the sign-in page, and a page seen again.
    let b = browser();
    let html = page(&b, &authorize_url(&s, &app, "login")).await;
    let flow = hidden(&html, "flow").unwrap();
    for p in ["signup", "forgotPassword", "login"] {
        page(&b, &format!("{}/{}/{p}?flow={flow}", s.url, app.pool_id)).await;
    }
    assert_eq!(session_rows(&s).await, 0, "anonymous GETs wrote sessions");

    // The session row appears at sign-in (the SSO session).
    let done = b
        .post(format!("{}/{}/login", s.url, app.pool_id))
        .form(&[
            ("csrf", hidden(&html, "csrf").unwrap()),
            ("flow", flow),
            ("username", "ann".into()),
            ("password", PASSWORD.into()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert_eq!(session_rows(&s).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_form_refuses_a_post_without_this_browsers_csrf_token() {
    let s = TestServer::start(Backend::Sqlite).await.unwrap();
    let app = app(&s).await;
    let b = browser();
    let html = page(&b, &authorize_url(&s, &app, "oauth2/authorize")).await;
    let (csrf, flow) = (
        hidden(&html, "csrf").unwrap(),
        hidden(&html, "flow").unwrap(),
    );
    // A token handed to another browser (its own cookie) is not this one's.
    let other = hidden(
        &page(&browser(), &authorize_url(&s, &app, "login")).await,
        "csrf",
    )
    .unwrap();
    assert_ne!(other, csrf);
    let forms = [
        "login",
        "challenge",
        "signup",
        "confirmUser",
        "forgotPassword",
        "confirmForgotPassword",
    ];
    for form in forms {
        let url = format!("{}/{}/{form}", s.url, app.pool_id);
        for (why, token) in [
            ("no token", None),
            ("a wrong token", Some("x".repeat(43))),
            ("another browser's token", Some(other.clone())),
            ("an empty token", Some(String::new())),
        ] {
            let mut fields = vec![
                ("flow", flow.clone()),
                ("username", "ann".into()),
                ("password", PASSWORD.into()),
            ];
            if let Some(t) = token {
                fields.push(("csrf", t));
            }
            let r = b.post(&url).form(&fields).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::FORBIDDEN, "{form} with {why}");
        }
        // The browser's own token, but without its cookie.
        let r = browser()
            .post(&url)
            .form(&[("flow", flow.clone()), ("csrf", csrf.clone())])
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            StatusCode::FORBIDDEN,
            "{form} without the cookie"
        );
    }
    // With both, the form is taken.
    let r = b
        .post(format!("{}/{}/login", s.url, app.pool_id))
        .form(&[
            ("csrf", csrf),
            ("flow", flow),
            ("username", "ann".into()),
            ("password", PASSWORD.into()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(session_rows(&s).await, 1);
}
