//! What the shared store code asks of a backend: its pools, how it runs a
//! write transaction, and the few facts where SQLite and PostgreSQL differ.
//! Each capability file writes its queries once (`$N` placeholders, which
//! sqlx's SQLite driver takes too) inside [`each_backend!`], which compiles
//! them for both stores.

use futures::future::BoxFuture;
use sqlx::{Pool, Transaction};
use uuid::Uuid;

use super::common::db;
use crate::error::{CognitoError, Result};

/// How a write transaction failed: a database error (which PostgreSQL may
/// retry) or an answer for the caller.
pub(crate) enum TxError {
    Db(sqlx::Error),
    Fail(CognitoError),
}

impl From<sqlx::Error> for TxError {
    fn from(e: sqlx::Error) -> Self {
        Self::Db(e)
    }
}

impl From<CognitoError> for TxError {
    fn from(e: CognitoError) -> Self {
        Self::Fail(e)
    }
}

impl From<TxError> for CognitoError {
    fn from(e: TxError) -> Self {
        match e {
            TxError::Db(e) => db(e),
            TxError::Fail(e) => e,
        }
    }
}

pub(crate) type TxResult<T> = std::result::Result<T, TxError>;

/// Which SQL a query speaks, where the two truly differ.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// One of two texts of a query, kept side by side where it is used.
    pub(crate) const fn pick(self, sqlite: &'static str, postgres: &'static str) -> &'static str {
        match self {
            Self::Sqlite => sqlite,
            Self::Postgres => postgres,
        }
    }
}

/// A backend of the store: SQLite (`sqlite.rs`) or PostgreSQL (`postgres.rs`).
pub(crate) trait Backend: Send + Sync + 'static {
    type Db: sqlx::Database;
    /// A user's sub as bound to a query: text in SQLite, uuid in PostgreSQL.
    type Sub: Send + 'static;
    const DIALECT: Dialect;
    /// Shards of a pool's user counter: one where writers queue anyway.
    const COUNT_SHARDS: u8;
    /// Rows per multi-row INSERT when seeding; under the bind limit.
    const BULK_CHUNK: usize;

    /// Where single-statement writes go.
    fn writer(&self) -> &Pool<Self::Db>;
    fn reader(&self) -> &Pool<Self::Db>;
    fn sub(sub: Uuid) -> Self::Sub;
    /// Runs `body` in a write transaction, as this backend keeps writers
    /// apart (SQLite: the single writer; PostgreSQL: run again when it lost
    /// a deadlock or serialization race, so `body` is `Fn`). The body gets
    /// the open transaction and commits it.
    fn transaction<'a, T, F>(&'a self, body: F) -> BoxFuture<'a, Result<T>>
    where
        T: Send + 'a,
        F: Fn(Transaction<'static, Self::Db>) -> BoxFuture<'a, TxResult<T>> + Send + Sync + 'a;
    /// A transaction for seeding many rows (benchmarks); not retried.
    fn bulk_transaction(&self) -> BoxFuture<'_, Result<Transaction<'static, Self::Db>>>;
}

/// Compiles the items given once for each backend, in a module per backend
/// where `DbStore` is the store, `Db` its sqlx database, `Tx` a
/// transaction, `DbRow` a row and `Query` a query of it.
macro_rules! each_backend {
    (@one $module:ident, $store:ident :: $name:ident, $db:ty, $row:ty; $($item:item)*) => {
        mod $module {
            #![allow(unused_imports, dead_code)]
            use super::*;
            use $crate::store::backend::{Backend, TxError, TxResult};
            type DbStore = $crate::store::$store::$name;
            type Db = $db;
            type Tx = sqlx::Transaction<'static, Db>;
            type DbRow = $row;
            type Query<'q> = sqlx::query::Query<'q, Db, <Db as sqlx::Database>::Arguments<'q>>;
            $($item)*
        }
    };
    ($($item:item)*) => {
        each_backend!(@one on_sqlite, sqlite::SqliteStore, sqlx::Sqlite, sqlx::sqlite::SqliteRow;
            $($item)*);
        each_backend!(@one on_postgres, postgres::PgStore, sqlx::Postgres, sqlx::postgres::PgRow;
            $($item)*);
    };
}
