//! The refresh_tokens capability of the store (one small trait per capability), with
//! its SQLite and PostgreSQL implementations.

use async_trait::async_trait;

use super::postgres::PgStore;
use super::sqlite::SqliteStore;

#[async_trait]
pub trait RefreshTokenStore: Send + Sync {}

impl RefreshTokenStore for SqliteStore {}
impl RefreshTokenStore for PgStore {}
