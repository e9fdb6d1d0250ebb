//! login-front, the relying-party library, against a real Cognate: a test
//! app mounts its router on a random port, a cookie-keeping HTTP client
//! signs in through the hosted UI, and the sessions live in real SQLite,
//! PostgreSQL and Redis stores whose raw records are read back.

use crate::common::hosted::{browser, location};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime};

use crate::common::{Backend, TestServer};
use aws_sdk_cognitoidentityprovider::types::ExplicitAuthFlowsType;
use axum::Router;
use axum::routing::get;
use login_front::{AccessToken, LoginFront, LoginFrontConfig, ProviderLogout, SessionKeys, User};
use reqwest::StatusCode;
use reqwest::header::SET_COOKIE;
use tower_sessions::SessionStore;

const PASSWORD: &str = "Correct-Horse-9";
const EMAIL: &str = "ann@example.com";

/// Cognate with a pool, a code-flow app client for the test app, and ann.
struct Provider {
    server: TestServer,
    pool_id: String,
    client_id: String,
    issuer: String,
}

/// The test app: login-front mounted under /auth, a public page, a guarded
/// page and a page that uses the access token (it shows a digest only:
/// tokens never reach the browser).
struct App {
    url: String,
    front: LoginFront,
    /// Seconds added to the app's clock (moved with Cognate's).
    offset: Arc<AtomicI64>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for App {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn provider(app_origin: &str) -> Provider {
    let server = TestServer::start(Backend::Sqlite).await.unwrap();
    let pool_id = server.pool(|b| b).await;
    let client_id = app_client(&server, &pool_id, app_origin).await;
    server
        .admin_user(
            &pool_id,
            "ann",
            PASSWORD,
            &[("email", EMAIL), ("email_verified", "true")],
        )
        .await;
    Provider {
        issuer: format!("{}/{pool_id}", server.url),
        server,
        pool_id,
        client_id,
    }
}

/// A code-flow app client whose callback and logout URLs are on `origin`.
async fn app_client(server: &TestServer, pool_id: &str, origin: &str) -> String {
    let (client_id, _) = server
        .code_client(
            pool_id,
            &format!("{origin}/auth/callback"),
            &["openid", "email", "profile"],
            |c| {
                c.logout_urls(format!("{origin}/"))
                    .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
            },
        )
        .await;
    client_id
}

async fn home(user: Option<User>) -> String {
    match user {
        Some(u) => format!("signed in as {}", u.claim_str("email").unwrap_or("?")),
        None => "anonymous".into(),
    }
}

async fn private(user: User) -> String {
    format!("private page of {}", user.subject)
}

async fn token(token: AccessToken) -> String {
    let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, token.secret().as_bytes());
    hex::encode(&d.as_ref()[..8])
}

/// Binds the app's port first (the client's callback URL names it), then
/// starts the app once `issuer` and `client_id` are known.
async fn start_app<S: SessionStore + Clone>(
    listener: tokio::net::TcpListener,
    issuer: &str,
    client_id: &str,
    store: S,
) -> App {
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let offset = Arc::new(AtomicI64::new(0));
    let clock_offset = offset.clone();
    let front = LoginFront::new(
        LoginFrontConfig::new(issuer, client_id, format!("{origin}/auth/callback"))
            .logout(ProviderLogout::Cognito {
                domain: issuer.into(),
            })
            .clock(Arc::new(move || {
                SystemTime::now() + Duration::from_secs(clock_offset.load(Ordering::SeqCst) as u64)
            })),
    )
    .unwrap();
    let keys = SessionKeys::generate();
    let app = Router::new()
        .route("/private", get(private))
        .route("/token", get(token))
        .route_layer(front.require_login())
        .route("/", get(home))
        .merge(front.router())
        .layer(front.session_layer(store, &keys));
    let task = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    App {
        url: origin,
        front,
        offset,
        task,
    }
}

/// Cognate and the test app on an in-memory session store.
async fn provider_and_app() -> (Provider, App) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let p = provider(&format!("http://{}", listener.local_addr().unwrap())).await;
    let store = tower_sessions::MemoryStore::default();
    let app = start_app(listener, &p.issuer, &p.client_id, store).await;
    (p, app)
}

/// The value of the form field `name` in the hosted UI's HTML.
fn field(html: &str, name: &str) -> String {
    let at = html.find(&format!("name=\"{name}\"")).expect("field");
    let tag = &html[html[..at].rfind('<').unwrap()..at + html[at..].find('>').unwrap()];
    let v = tag.split("value=\"").nth(1).expect("value");
    v[..v.find('"').unwrap()].replace("&amp;", "&")
}

/// From the app's `/auth/login?...` to the provider's redirect back to the
/// callback (not followed): the hosted UI's form filled in as a person would.
async fn to_callback(p: &Provider, b: &reqwest::Client, login_url: &str) -> String {
    let start = b.get(login_url).send().await.unwrap();
    assert_eq!(start.status(), StatusCode::SEE_OTHER);
    let authorize = location(&start);
    assert!(authorize.starts_with(&p.issuer), "{authorize}");
    assert!(
        authorize.contains("code_challenge_method=S256"),
        "{authorize}"
    );
    assert!(authorize.contains("nonce="), "{authorize}");
    let page = b.get(&authorize).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    let done = b
        .post(format!("{}/{}/login", p.server.url, p.pool_id))
        .form(&[
            ("csrf", field(&html, "csrf")),
            ("flow", field(&html, "flow")),
            ("username", "ann".into()),
            ("password", PASSWORD.into()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    location(&done)
}

/// Signs in from `path` and returns the callback's redirect (the app path
/// the browser is sent back to) and the session cookie it set.
async fn sign_in(p: &Provider, app: &App, b: &reqwest::Client, path: &str) -> (String, String) {
    let guarded = b.get(format!("{}{path}", app.url)).send().await.unwrap();
    assert_eq!(guarded.status(), StatusCode::SEE_OTHER, "{path} is guarded");
    let login = format!("{}{}", app.url, location(&guarded));
    let callback = to_callback(p, b, &login).await;
    let back = b.get(&callback).send().await.unwrap();
    assert_eq!(
        back.status(),
        StatusCode::SEE_OTHER,
        "{:?}",
        back.text().await
    );
    let cookie = back.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    (location(&back), cookie)
}

async fn text(b: &reqwest::Client, url: String) -> (StatusCode, String) {
    let r = b.get(url).send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

/// Texts that must never appear in a cookie or a stored record.
fn secrets(user_sub: &str) -> Vec<String> {
    vec![
        EMAIL.into(),
        user_sub.into(),
        // The start of a JWT, `{"kid":` or `{"alg":` in base64url: long
        // enough that sealed (random) base64 does not hold it by chance,
        // as a bare "eyJ" does about once in a hundred records.
        "eyJraWQiOi".into(),
        "eyJhbGciOi".into(),
        "access_token".into(),
    ]
}

fn assert_sealed(what: &str, raw: &[u8], sub: &str) {
    let raw = String::from_utf8_lossy(raw);
    for s in secrets(sub) {
        assert!(!raw.contains(&s), "{what} shows {s:?}: {raw}");
    }
}

async fn sub_of(p: &Provider) -> String {
    p.server
        .admin()
        .admin_get_user()
        .user_pool_id(&p.pool_id)
        .username("ann")
        .send()
        .await
        .unwrap()
        .user_attributes()
        .iter()
        .find(|a| a.name() == "sub")
        .and_then(|a| a.value())
        .unwrap()
        .to_owned()
}

async fn sqlite_store(
    dir: &std::path::Path,
) -> (tower_sessions_sqlx_store::SqliteStore, sqlx::SqlitePool) {
    let url = format!("sqlite://{}?mode=rwc", dir.join("sessions.db").display());
    let db = sqlx::SqlitePool::connect(&url).await.unwrap();
    let store = tower_sessions_sqlx_store::SqliteStore::new(db.clone());
    store.migrate().await.unwrap();
    (store, db)
}

/// The whole journey on a SQLite session store: guarded page → hosted UI →
/// back signed in (claims) → access token refreshed past expiry → sign out
/// → guarded page redirects to sign in. The cookie and the stored record
/// show no token or claim; a tampered cookie is a fresh anonymous session.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_refresh_and_sign_out_with_sealed_sqlite_sessions() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let p = provider(&format!("http://{}", listener.local_addr().unwrap())).await;
    let dir = tempfile::tempdir().unwrap();
    let (store, db) = sqlite_store(dir.path()).await;
    let app = start_app(listener, &p.issuer, &p.client_id, store).await;
    let b = browser();

    let (back, cookie) = sign_in(&p, &app, &b, "/private?tab=1").await;
    assert_eq!(back, "/private?tab=1", "back where the user was going");
    let sub = sub_of(&p).await;
    assert_eq!(
        text(&b, format!("{}/", app.url)).await.1,
        format!("signed in as {EMAIL}")
    );
    assert_eq!(
        text(&b, format!("{}/private?tab=1", app.url)).await,
        (StatusCode::OK, format!("private page of {sub}"))
    );

    // The cookie: HttpOnly, SameSite=Lax, not Secure on http://127.0.0.1,
    // and its value (the encrypted session id) reveals nothing.
    for flag in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(flag), "{cookie}");
    }
    assert!(!cookie.contains("Secure"), "{cookie}");
    assert_sealed("the cookie", cookie.as_bytes(), &sub);
    // The stored record: one row, sealed.
    let rows: Vec<(Vec<u8>,)> = sqlx::query_as("select data from tower_sessions")
        .fetch_all(&db)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1, "the pre-sign-in session id was replaced");
    assert_sealed("the SQLite record", &rows[0].0, &sub);

    // Past the access token's expiry (an hour on both clocks): the next use
    // refreshes it once; the one after reuses the new token.
    let (_, before) = text(&b, format!("{}/token", app.url)).await;
    assert_eq!(app.front.refreshes(), 0);
    p.server.clock.advance(3_700_000);
    app.offset.store(3_700, Ordering::SeqCst);
    let (status, after) = text(&b, format!("{}/token", app.url)).await;
    assert_eq!(status, StatusCode::OK);
    assert_ne!(before, after, "a new access token");
    assert_eq!(text(&b, format!("{}/token", app.url)).await.1, after);
    assert_eq!(app.front.refreshes(), 1);
    let rows: Vec<(Vec<u8>,)> = sqlx::query_as("select data from tower_sessions")
        .fetch_all(&db)
        .await
        .unwrap();
    assert_sealed("the refreshed record", &rows[0].0, &sub);

    // A tampered cookie is a fresh anonymous session.
    let value = cookie.split(';').next().unwrap();
    let (name, v) = value.split_once('=').unwrap();
    let mut bytes = v.as_bytes().to_vec();
    bytes[10] = if bytes[10] == b'A' { b'B' } else { b'A' };
    let forged = format!("{name}={}", String::from_utf8(bytes).unwrap());
    let r = reqwest::Client::new()
        .get(format!("{}/", app.url))
        .header("cookie", forged)
        .send()
        .await
        .unwrap();
    assert_eq!(r.text().await.unwrap(), "anonymous");

    // Sign-out is a POST from the app's own pages: a link another site
    // could embed (GET), or a POST from another origin, signs no one out.
    let logout = format!("{}/auth/logout", app.url);
    let get = b.get(&logout).send().await.unwrap();
    assert_eq!(get.status(), StatusCode::METHOD_NOT_ALLOWED);
    let foreign = b
        .post(&logout)
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), StatusCode::FORBIDDEN);
    let no_origin = b.post(&logout).send().await.unwrap();
    assert_eq!(no_origin.status(), StatusCode::FORBIDDEN);
    assert_ne!(text(&b, format!("{}/", app.url)).await.1, "anonymous");

    // Sign out: the session is gone and Cognate's logout ends its SSO session.
    let out = b
        .post(&logout)
        .header("origin", app.url.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    let to = location(&out);
    assert!(
        to.starts_with(&format!("{}/logout?client_id={}", p.issuer, p.client_id)),
        "{to}"
    );
    let done = b.get(&to).send().await.unwrap();
    assert_eq!(location(&done), format!("{}/", app.url));
    assert_eq!(text(&b, format!("{}/", app.url)).await.1, "anonymous");
    let again = b.get(format!("{}/private", app.url)).send().await.unwrap();
    assert_eq!(location(&again), "/auth/login?return_to=%2Fprivate");
    let rows: Vec<(Vec<u8>,)> = sqlx::query_as("select data from tower_sessions")
        .fetch_all(&db)
        .await
        .unwrap();
    assert!(rows.is_empty(), "signed out sessions leave no record");
}

/// Concurrent requests of one session past expiry share one refresh; a
/// refused refresh (the user was signed out everywhere) ends the session
/// and sends the browser to sign in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_refresh_per_session_and_a_refused_refresh_signs_out() {
    let (p, app) = provider_and_app().await;
    let b = browser();
    sign_in(&p, &app, &b, "/token").await;

    p.server.clock.advance(3_700_000);
    app.offset.store(3_700, Ordering::SeqCst);
    let all =
        futures::future::join_all((0..6).map(|_| text(&b, format!("{}/token", app.url)))).await;
    assert!(all.iter().all(|r| r.0 == StatusCode::OK), "{all:?}");
    assert!(all.windows(2).all(|w| w[0].1 == w[1].1), "{all:?}");
    assert_eq!(app.front.refreshes(), 1, "one refresh for six requests");

    // Back to the real time for the SDK's SigV4, then sign ann out everywhere.
    p.server.clock.advance(-3_700_000);
    p.server
        .admin()
        .admin_user_global_sign_out()
        .user_pool_id(&p.pool_id)
        .username("ann")
        .send()
        .await
        .unwrap();
    p.server.clock.advance(7_400_000);
    app.offset.store(7_400, Ordering::SeqCst);
    let refused = b.get(format!("{}/token", app.url)).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&refused), "/auth/login?return_to=%2Ftoken");
    assert_eq!(text(&b, format!("{}/", app.url)).await.1, "anonymous");
}

/// RFC 6749 §10.12 and §10.15: a callback without `state`, with a tampered
/// `state`, or replayed, ends on a clear error page; a return path to
/// another origin is not followed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_checks_replays_and_open_redirects() {
    let (p, app) = provider_and_app().await;
    let b = browser();

    let callback = to_callback(
        &p,
        &b,
        &format!("{}/auth/login?return_to=//evil.example/x", app.url),
    )
    .await;
    let url = reqwest::Url::parse(&callback).unwrap();
    let state: String = url
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into();
    let code: String = url
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into();
    let cb = format!("{}/auth/callback", app.url);

    let (status, page) = text(&b, format!("{cb}?code={code}")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        page.contains("The sign-in response is incomplete"),
        "{page}"
    );
    assert!(page.contains("href=\"/auth/login\""), "{page}");
    let (status, page) = text(&b, format!("{cb}?code={code}&state={state}x")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        page.contains("does not belong to a sign-in in progress"),
        "{page}"
    );
    assert_eq!(text(&b, format!("{}/", app.url)).await.1, "anonymous");

    // The genuine response signs in and lands on the app, not on evil.example.
    let ok = b.get(&callback).send().await.unwrap();
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&ok), "/");
    // Replayed: refused, and the signed-in session is left as it was.
    let (status, page) = text(&b, callback.clone()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("already used"), "{page}");
    assert_eq!(
        text(&b, format!("{}/", app.url)).await.1,
        format!("signed in as {EMAIL}")
    );
    // The same response in another browser: no sign-in there either.
    let other = browser();
    let (status, _) = text(&other, callback).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    for evil in [
        "/\\evil.example",
        "https://evil.example/",
        "/..//evil.example",
    ] {
        let start = b
            .get(format!("{}/auth/login", app.url))
            .query(&[("return_to", evil)])
            .send()
            .await
            .unwrap();
        assert_eq!(start.status(), StatusCode::SEE_OTHER, "{evil}");
    }
}

/// A rotated signing key: the first ID token it signs names a `kid` the
/// cached JWKS lacks, which costs exactly one refetch. A provider that does
/// not answer is a clear 502 page, not a panic.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotated_keys_are_fetched_once_and_a_down_provider_is_a_clear_error() {
    let (p, app) = provider_and_app().await;

    sign_in(&p, &app, &browser(), "/private").await;
    assert_eq!(app.front.key_fetches(), 1, "discovery fetched the keys");

    // Rotate: a newer key becomes the pool's signing key.
    let idp = &p.server.state.idp;
    let (record, _) = cognate_core::tokens::new_signing_key(
        &idp.master_key,
        &p.pool_id,
        p.server.clock.now().plus_seconds(1),
    )
    .unwrap();
    idp.store.put_signing_key(&record).await.unwrap();
    // A key written on this node takes effect at once (reloads prompted by
    // unknown kids are throttled; see core's keys.rs).
    idp.forget_pool_keys(&p.pool_id).await;

    sign_in(&p, &app, &browser(), "/private").await;
    assert_eq!(app.front.key_fetches(), 2, "one refetch for the new kid");
    sign_in(&p, &app, &browser(), "/private").await;
    assert_eq!(app.front.key_fetches(), 2, "the new key is cached");

    // Nothing listens on the issuer's port.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let dead_issuer = format!("http://{}/pool", closed.local_addr().unwrap());
    drop(closed);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let down = start_app(
        listener,
        &dead_issuer,
        "client",
        tower_sessions::MemoryStore::default(),
    )
    .await;
    let (status, page) = text(&browser(), format!("{}/auth/login", down.url)).await;
    assert_eq!(status, StatusCode::BAD_GATEWAY);
    assert!(page.contains("identity provider is unavailable"), "{page}");
    assert!(matches!(
        down.front.discover().await,
        Err(login_front::LoginFrontError::ProviderUnavailable(_))
    ));
}

/// The same sealed records in PostgreSQL and Redis stores (each skipped,
/// with a note, when its server is not running — unless
/// COGNATE_REQUIRE_POSTGRES=1 / COGNATE_REQUIRE_REDIS=1).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_and_redis_session_records_are_sealed() {
    use tower_sessions_redis_store::fred::prelude::{ClientLike, Config, KeysInterface, Pool};

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let p = provider(&format!("http://{}", listener.local_addr().unwrap())).await;
    let sub = sub_of(&p).await;

    // PostgreSQL: the store's table in a schema of this test's own.
    let pg_url = std::env::var("COGNATE_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    match sqlx::PgPool::connect(&pg_url).await {
        Ok(db) => {
            let schema = format!("s_{}", uuid::Uuid::new_v4().simple());
            let store = tower_sessions_sqlx_store::PostgresStore::new(db.clone())
                .with_schema_name(&schema)
                .unwrap();
            store.migrate().await.unwrap();
            let app = start_app(listener, &p.issuer, &p.client_id, store).await;
            let b = browser();
            sign_in(&p, &app, &b, "/private").await;
            assert_eq!(
                text(&b, format!("{}/", app.url)).await.1,
                format!("signed in as {EMAIL}")
            );
            let rows: Vec<(Vec<u8>,)> =
                sqlx::query_as(&format!("select data from \"{schema}\".session"))
                    .fetch_all(&db)
                    .await
                    .unwrap();
            assert_eq!(rows.len(), 1);
            assert_sealed("the PostgreSQL record", &rows[0].0, &sub);
            sqlx::query(&format!("drop schema \"{schema}\" cascade"))
                .execute(&db)
                .await
                .unwrap();
        }
        Err(e) if std::env::var("COGNATE_REQUIRE_POSTGRES").as_deref() != Ok("1") => {
            eprintln!("SKIPPED (PostgreSQL store): {e}");
        }
        Err(e) => panic!("PostgreSQL is required: {e}"),
    }

    // Redis: each record under its session id's key.
    let redis_url =
        std::env::var("COGNATE_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    let redis = Pool::new(Config::from_url(&redis_url).unwrap(), None, None, None, 1).unwrap();
    let connected = tokio::time::timeout(Duration::from_secs(5), async {
        redis.init().await?;
        redis.ping::<String>(None).await
    })
    .await;
    if !matches!(connected, Ok(Ok(_))) {
        if std::env::var("COGNATE_REQUIRE_REDIS").as_deref() == Ok("1") {
            panic!("Redis is required but not reachable at {redis_url}: {connected:?}");
        }
        eprintln!("SKIPPED (Redis store): not reachable at {redis_url}");
        return;
    }
    // A second app on the same client registration is not possible (its
    // callback port differs), so a second pool client for it.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let client_id = app_client(&p.server, &p.pool_id, &origin).await;
    let store = tower_sessions_redis_store::RedisStore::new(redis.clone());
    let app = start_app(listener, &p.issuer, &client_id, store).await;
    let b = browser();
    sign_in(&p, &app, &b, "/private").await;
    assert_eq!(
        text(&b, format!("{}/", app.url)).await.1,
        format!("signed in as {EMAIL}")
    );
    // The key is the session id, which the test cannot read from the
    // cookie: look at every record this store wrote.
    let keys: Vec<String> = redis
        .next()
        .custom(
            tower_sessions_redis_store::fred::types::CustomCommand::new_static(
                "KEYS",
                tower_sessions_redis_store::fred::types::ClusterHash::Random,
                false,
            ),
            vec!["*"],
        )
        .await
        .unwrap();
    let mut sealed = 0;
    for key in keys {
        if let Ok(Some(raw)) = redis.get::<Option<Vec<u8>>, _>(key.as_str()).await
            && String::from_utf8_lossy(&raw).contains("sealed.v1")
        {
            assert_sealed("the Redis record", &raw, &sub);
            sealed += 1;
        }
    }
    assert!(sealed >= 1, "the session record is in Redis");
}
