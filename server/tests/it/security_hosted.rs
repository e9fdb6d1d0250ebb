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

/// The hosted UI's error pages speak the page's language (the form's `lang`
/// field): the CSRF refusal, a flow that no longer opens, and a rate limit,
/// which is the 429 page with Retry-After rather than a message on the form.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn error_pages_speak_the_forms_language_and_a_limit_says_when_to_retry() {
    // One sign-in per 100 s per user: the second is over the limit.
    let s = TestServer::start_with(Backend::Sqlite, |c| c.rate_limit_per_user = 0.01)
        .await
        .unwrap();
    let app = app(&s).await;
    let b = browser();
    let html = page(&b, &format!("{}&lang=fr", authorize_url(&s, &app, "login"))).await;
    assert!(html.contains("lang=\"fr\""));
    let (csrf, flow) = (
        hidden(&html, "csrf").unwrap(),
        hidden(&html, "flow").unwrap(),
    );
    let login = format!("{}/{}/login", s.url, app.pool_id);
    let post = |csrf: &str, flow: &str| {
        b.post(&login)
            .form(&[
                ("lang", "fr"),
                ("csrf", csrf),
                ("flow", flow),
                ("username", "ann"),
                ("password", "Wrong-Horse-1"),
            ])
            .send()
    };

    let r = post("x", &flow).await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r.text().await.unwrap().contains("Ce formulaire a expiré"));

    let r = post(&csrf, "not-a-flow").await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("Cette connexion a expiré"));

    // A wrong password is a message on the form; the next try is limited.
    let r = post(&csrf, &flow).await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(hidden(&r.text().await.unwrap(), "flow").is_some());
    let r = post(&csrf, &flow).await.unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(wait >= 1, "Retry-After: {wait}");
    assert_eq!(r.headers()["cache-control"], "no-store");
    let html = r.text().await.unwrap();
    assert!(html.contains("lang=\"fr\""));
    assert!(html.contains("Trop de tentatives"), "{html}");
}
