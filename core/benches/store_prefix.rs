//! ListUsers filter latency on a large pool, on both backends: a narrow
//! prefix (`email ^= "user12345"`), a broad one that fills a page, and an
//! exact match, each with Cognito's largest page (60).
//!
//! `COGNATE_BENCH_USERS` (default 100000) users are seeded per backend;
//! PostgreSQL comes from `COGNATE_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`) in a throw-away schema, and
//! is skipped when unreachable. Results: docs/benchmarks/store.md.

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use cognate_core::Timestamp;
use cognate_core::model::pool::{AliasAttribute, NewUserPool, UsernameConfiguration};
use cognate_core::model::{User, UserPool, UserStatus};
use cognate_core::store::{PgStore, PoolStore, SqliteStore, Store, UserFilter};
use criterion::{Criterion, criterion_group, criterion_main};
use sqlx::Executor;
use sqlx::postgres::PgPoolOptions;
use tokio::runtime::Runtime;

const SEED_BATCH: usize = 10_000;
const PAGE: usize = 60;

fn user_count() -> usize {
    std::env::var("COGNATE_BENCH_USERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000)
}

fn bench_pool() -> UserPool {
    UserPool::create(
        NewUserPool {
            pool_name: "bench".into(),
            alias_attributes: vec![AliasAttribute::Email],
            username_configuration: Some(UsernameConfiguration {
                case_sensitive: false,
            }),
            ..Default::default()
        },
        "us-east-1",
        Timestamp(1_700_000_000_000),
    )
    .expect("valid pool")
}

/// Users `user{i}` with a verified email, a name and a sealed-credential
/// sized blob, so rows are about as large as real ones.
fn bench_users(pool: &UserPool, from: usize, to: usize) -> Vec<User> {
    (from..to)
        .map(|i| {
            let mut u = User::new(&pool.id, &format!("user{i}"), Timestamp(1_700_000_000_000));
            u.set_attribute("email", &format!("user{i}@example.com"));
            u.set_attribute("email_verified", "true");
            u.set_attribute("name", &format!("User Number {i}"));
            u.status = UserStatus::Confirmed;
            u.credential = Some(vec![(i % 251) as u8; 256]);
            u
        })
        .collect()
}

/// Seeds in batches of one transaction each; returns the time taken.
async fn seed<F, Fut>(pool: &UserPool, n: usize, insert: F) -> Duration
where
    F: Fn(Vec<User>) -> Fut,
    Fut: Future<Output = ()>,
{
    let start = Instant::now();
    let mut from = 0;
    while from < n {
        let to = (from + SEED_BATCH).min(n);
        insert(bench_users(pool, from, to)).await;
        from = to;
    }
    start.elapsed()
}

fn queries(c: &mut Criterion, rt: &Runtime, backend: &str, store: Arc<dyn Store>, pool_id: &str) {
    let cases = [
        (
            "prefix_narrow",
            UserFilter::Prefix {
                attribute: "email".into(),
                value: "user12345".into(),
            },
        ),
        (
            "prefix_broad",
            UserFilter::Prefix {
                attribute: "email".into(),
                value: "user1".into(),
            },
        ),
        (
            "exact",
            UserFilter::Equals {
                attribute: "email".into(),
                value: "user54321@example.com".into(),
            },
        ),
    ];
    let mut group = c.benchmark_group(format!("store_prefix/{backend}"));
    group.measurement_time(Duration::from_secs(5));
    for (name, filter) in &cases {
        // A wrong answer would make the numbers meaningless.
        let page = rt
            .block_on(store.list_users(pool_id, Some(filter), PAGE, None))
            .expect("query");
        assert!(!page.items.is_empty(), "{name} found nothing");
        group.bench_function(*name, |b| {
            b.to_async(rt).iter(|| async {
                black_box(
                    store
                        .list_users(pool_id, Some(filter), PAGE, None)
                        .await
                        .expect("query"),
                )
            })
        });
    }
    group.finish();
}

fn sqlite(c: &mut Criterion, rt: &Runtime, n: usize) {
    let dir = tempfile::TempDir::new().expect("temp dir");
    let pool = bench_pool();
    let store = rt.block_on(async {
        let store = SqliteStore::open(&dir.path().join("bench.db"))
            .await
            .expect("open sqlite");
        store.create_pool(&pool).await.expect("pool");
        let (st, p) = (&store, &pool);
        let took = seed(&pool, n, move |batch| async move {
            st.bulk_insert_users(p, &batch).await.expect("seed sqlite")
        })
        .await;
        eprintln!("SEED sqlite users={n} seconds={:.1}", took.as_secs_f64());
        store
    });
    queries(c, rt, "sqlite", Arc::new(store), &pool.id);
}

fn postgres(c: &mut Criterion, rt: &Runtime, n: usize) {
    let url = std::env::var("COGNATE_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let schema = format!("bench_{}", uuid::Uuid::new_v4().simple());
    let pool = bench_pool();
    let setup = rt.block_on(async {
        let admin = PgPoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(3))
            .connect(&url)
            .await
            .ok()?;
        admin
            .execute(format!("CREATE SCHEMA {schema}").as_str())
            .await
            .expect("create schema");
        let search_path = format!("SET search_path TO {schema}");
        let pg = PgPoolOptions::new()
            .max_connections(4)
            .after_connect(move |conn, _| {
                let set = search_path.clone();
                Box::pin(async move {
                    conn.execute(set.as_str()).await?;
                    Ok(())
                })
            })
            .connect_with(PgStore::connect_options(&url).expect("postgres url"))
            .await
            .expect("connect");
        let store = PgStore::from_pool(pg.clone()).await.expect("migrate");
        store.create_pool(&pool).await.expect("pool");
        let (st, p) = (&store, &pool);
        let took = seed(&pool, n, move |batch| async move {
            st.bulk_insert_users(p, &batch)
                .await
                .expect("seed postgres")
        })
        .await;
        // Fresh tables have no statistics until autovacuum runs; give the
        // planner what a settled database would have.
        pg.execute("ANALYZE").await.expect("analyze");
        eprintln!("SEED postgres users={n} seconds={:.1}", took.as_secs_f64());
        Some((admin, store))
    });
    let Some((admin, store)) = setup else {
        eprintln!("SKIPPED: PostgreSQL not reachable at {url}");
        return;
    };
    queries(c, rt, "postgres", Arc::new(store), &pool.id);
    rt.block_on(async {
        let _ = admin
            .execute(format!("DROP SCHEMA {schema} CASCADE").as_str())
            .await;
    });
}

fn benches(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let n = user_count();
    let only = std::env::var("COGNATE_BENCH_BACKEND").unwrap_or_default();
    if only.is_empty() || only == "sqlite" {
        sqlite(c, &rt, n);
    }
    if only.is_empty() || only == "postgres" {
        postgres(c, &rt, n);
    }
}

criterion_group!(store_prefix, benches);
criterion_main!(store_prefix);
