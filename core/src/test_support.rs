//! What the tests of every crate share (feature `test-support`): the two
//! backends, a PostgreSQL schema of one test's own, and
//! [`on_both_backends!`](crate::on_both_backends), which runs one test body
//! on each backend (docs/architecture.md, "Tests").

use std::time::Duration;

use sqlx::Connection;

/// The store a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The test PostgreSQL: `COGNATE_TEST_POSTGRES_URL`, by default the local
/// server's `test` database.
pub fn postgres_url() -> String {
    std::env::var("COGNATE_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// A schema of one test's own in the test PostgreSQL, dropped with it (also
/// when the test panicked), so tests never see each other's rows.
pub struct PgSchema {
    name: String,
    url: String,
    /// Whether dropping it drops the schema (a second node of the same
    /// deployment shares the first one's and leaves it alone).
    owned: bool,
}

impl PgSchema {
    /// A new empty schema; None (the test is skipped) when PostgreSQL
    /// cannot be reached, unless `COGNATE_REQUIRE_POSTGRES=1` makes that a
    /// failure.
    pub async fn create() -> Option<Self> {
        let base = postgres_url();
        let connect = sqlx::PgConnection::connect(&base);
        let mut conn = match tokio::time::timeout(Duration::from_secs(5), connect).await {
            Ok(Ok(c)) => c,
            other => {
                let why = match other {
                    Ok(Err(e)) => e.to_string(),
                    _ => "timed out".into(),
                };
                if std::env::var("COGNATE_REQUIRE_POSTGRES").as_deref() == Ok("1") {
                    panic!(
                        "PostgreSQL is required (COGNATE_REQUIRE_POSTGRES=1) but not reachable at {base}: {why}"
                    );
                }
                eprintln!("SKIPPED: PostgreSQL not reachable at {base}: {why}");
                return None;
            }
        };
        let name = format!("t_{}", uuid::Uuid::new_v4().simple());
        sqlx::query(&format!("CREATE SCHEMA {name}"))
            .execute(&mut conn)
            .await
            .expect("create the test's schema");
        let _ = conn.close().await;
        let sep = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{sep}options=-c%20search_path%3D{name}");
        Some(Self {
            name,
            url,
            owned: true,
        })
    }

    /// The same schema, not dropped by this handle.
    pub fn share(&self) -> Self {
        Self {
            name: self.name.clone(),
            url: self.url.clone(),
            owned: false,
        }
    }

    /// A database URL whose connections use only this schema.
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for PgSchema {
    fn drop(&mut self) {
        if !self.owned {
            return;
        }
        let drop_it = format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name);
        // Its own thread and runtime: Drop may run inside a runtime.
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async {
                if let Ok(mut c) = sqlx::PgConnection::connect(&postgres_url()).await {
                    let _ = sqlx::query(&drop_it).execute(&mut c).await;
                    let _ = c.close().await;
                }
            });
        })
        .join();
    }
}

/// Makes `sqlite::<name>` and `postgres::<name>` tests of each
/// `async fn <name>(x)`: `start(Backend)` gives `Option<T>` (None skips the
/// test) and `|t| arg` what the body takes, when that is not `T` itself.
#[macro_export]
macro_rules! on_both_backends {
    ($start:expr, |$t:ident| $arg:expr; $($name:ident),* $(,)?) => {
        mod sqlite {
            #[allow(unused_imports)]
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some($t) = ($start)($crate::test_support::Backend::Sqlite).await else {
                        return;
                    };
                    super::$name($arg).await;
                }
            )*
        }
        mod postgres {
            #[allow(unused_imports)]
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some($t) = ($start)($crate::test_support::Backend::Postgres).await else {
                        return;
                    };
                    super::$name($arg).await;
                }
            )*
        }
    };
    ($start:expr; $($name:ident),* $(,)?) => {
        $crate::on_both_backends!($start, |t| t; $($name),*);
    };
}
