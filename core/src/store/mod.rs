//! Storage. [`Store`] is the sum of small capability traits (pools,
//! clients, users, groups, keys, …), one file each, whose queries are
//! written once for both backends — SQLite (embedded default) and
//! PostgreSQL (shared by several nodes); only connection set-up and write
//! transactions are per backend (`backend.rs`). Both pass the same
//! conformance suite (`core/tests/store_conformance.rs`).
//!
//! Uniqueness of usernames and aliases is enforced by the database (a
//! unique key table written in the same transaction as the user), so it
//! holds under concurrent writers and across nodes.

use async_trait::async_trait;

use crate::error::Result;

#[macro_use]
mod backend;
pub mod clients;
pub(crate) mod common;
pub mod devices;
pub mod domains;
pub mod ghosts;
pub mod groups;
pub mod identity_pools;
pub mod identity_providers;
pub mod keys;
pub mod oauth;
pub mod outbox;
pub mod pools;
pub mod postgres;
pub mod refresh_tokens;
pub mod resource_servers;
pub mod sqlite;
pub mod sso_sessions;
pub mod ui_customizations;
pub mod users;

pub use clients::ClientStore;
pub use devices::DeviceStore;
pub use domains::DomainStore;
pub use ghosts::GhostStore;
pub use groups::GroupStore;
pub use identity_pools::{IdentityPoolStore, StsCredential};
pub use identity_providers::{IdentityProviderStore, ProviderLink};
pub use keys::{KeyStore, SamlSigningCertificate, SigningKey};
pub use oauth::OAuthStore;
pub use outbox::OutboxStore;
pub use pools::PoolStore;
pub use refresh_tokens::RefreshTokenStore;
pub use resource_servers::ResourceServerStore;
pub use sso_sessions::SsoSessionStore;
pub use ui_customizations::UiCustomizationStore;
pub use users::{UserFilter, UserStore};

pub use postgres::PgStore;
pub use sqlite::SqliteStore;

/// One page of a listing and the token for the next one, if any. Tokens are
/// opaque to callers and stay valid while the listing changes (they name
/// the last key returned, not an offset).
#[derive(Clone, Debug, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<String>,
}

#[async_trait]
pub trait Store:
    PoolStore
    + ClientStore
    + UserStore
    + GroupStore
    + KeyStore
    + RefreshTokenStore
    + OutboxStore
    + OAuthStore
    + ResourceServerStore
    + DomainStore
    + UiCustomizationStore
    + GhostStore
    + IdentityPoolStore
    + IdentityProviderStore
    + DeviceStore
    + SsoSessionStore
    + Send
    + Sync
    + 'static
{
    /// Checks that the database answers.
    async fn ping(&self) -> Result<()>;
}

each_backend! {
    #[async_trait]
    impl Store for DbStore {
        async fn ping(&self) -> Result<()> {
            sqlx::query("SELECT 1")
                .execute(self.reader())
                .await
                .map_err(common::db)?;
            Ok(())
        }
    }
}
