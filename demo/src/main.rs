//! The login-front demo: a small server-rendered app whose home page says
//! who is signed in (with the ID token's claims), whose protected page uses
//! a refreshed access token, and whose sign-in goes through Cognate's
//! hosted UI (or Amazon Cognito, or any OpenID provider).
//!
//! `cargo run -p login-front-demo` next to `cargo run --release -- dev`;
//! the environment variables are listed in README.md.

mod pages;
mod settings;

use std::sync::OnceLock;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use login_front::{AccessToken, LoginFront, SessionKeys, User};
use tower_sessions::MemoryStore;

use settings::Settings;

/// No script at all, nothing from elsewhere. The sign-in link leads to the
/// provider by plain navigation; the sign-out form POSTs here and is then
/// redirected to the provider's logout, which `form-action` must allow.
static CSP: OnceLock<HeaderValue> = OnceLock::new();

fn csp(logout_origin: &str) -> anyhow::Result<HeaderValue> {
    Ok(HeaderValue::from_str(&format!(
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self' {logout_origin}; base-uri 'none'; frame-ancestors 'none'"
    ))?)
}

fn page(html: String) -> Response {
    let mut r = Html(html).into_response();
    let h = r.headers_mut();
    if let Some(csp) = CSP.get() {
        h.insert(header::CONTENT_SECURITY_POLICY, csp.clone());
    }
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

async fn home(user: Option<User>) -> Response {
    page(pages::home(user))
}

async fn protected(user: User, token: AccessToken) -> Response {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, token.secret().as_bytes());
    let fingerprint = hex::encode(&digest.as_ref()[..8]);
    page(pages::protected(user, fingerprint))
}

async fn stylesheet() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        pages::STYLESHEET,
    )
}

/// The demo's router: the protected page behind login-front's guard, the
/// login front's own routes, and the session layer around all of it.
fn app(login: &LoginFront, keys: &SessionKeys) -> Router {
    Router::new()
        .route("/protected", get(protected))
        .route_layer(login.require_login())
        .route("/", get(home))
        .route("/demo.css", get(stylesheet))
        .merge(login.router())
        .layer(login.session_layer(MemoryStore::default(), keys))
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // The cause chain on one line, without a backtrace: these are
            // configuration mistakes, told to the person who made them.
            eprintln!("login-front-demo: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("DEMO_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .init();
    let settings = Settings::from_env()?;
    CSP.set(csp(&settings.logout_origin)?)
        .map_err(|_| anyhow::anyhow!("the CSP is set once"))?;
    let keys = match &settings.session_secret {
        Some(secret) => SessionKeys::from_secret(secret.as_bytes())?,
        None => SessionKeys::generate(),
    };
    let login = LoginFront::new(settings.login)?;
    let listener = tokio::net::TcpListener::bind(settings.listen).await?;
    println!(
        "login-front demo listening on {} (provider {})",
        settings.public_url, settings.issuer
    );
    axum::serve(listener, app(&login, &keys)).await?;
    Ok(())
}
