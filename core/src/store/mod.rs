//! Storage. One [`Store`] trait, two implementations — SQLite (embedded
//! default) and PostgreSQL (shared by several nodes) — that pass the same
//! conformance suite (`core/tests/store_conformance.rs`).
//!
//! Uniqueness of usernames and aliases is enforced by the database (a
//! unique key table written in the same transaction as the user), so it
//! holds under concurrent writers and across nodes.

use async_trait::async_trait;
use uuid::Uuid;

use crate::clock::Timestamp;
use crate::error::Result;
use crate::model::user::UserKey;
use crate::model::{Group, User, UserPool, UserPoolClient};

mod common;
pub mod domains;
pub mod ghosts;
pub mod oauth;
pub mod outbox;
pub mod postgres;
pub mod refresh_tokens;
pub mod resource_servers;
pub mod sqlite;
pub mod ui_customizations;

pub use domains::DomainStore;
pub use ghosts::GhostStore;
pub use oauth::OAuthStore;
pub use outbox::OutboxStore;
pub use refresh_tokens::RefreshTokenStore;
pub use resource_servers::ResourceServerStore;
pub use ui_customizations::UiCustomizationStore;

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

/// A ListUsers filter on an indexed attribute (Cognito API: ListUsers, Filter).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UserFilter {
    /// `attr = "value"`
    Equals { attribute: String, value: String },
    /// `attr ^= "value"`
    Prefix { attribute: String, value: String },
}

/// A per-pool RS256 signing key; the private half is sealed by the caller.
#[derive(Clone, Debug, PartialEq)]
pub struct SigningKey {
    pub pool_id: String,
    pub kid: String,
    pub sealed_private_key: Vec<u8>,
    /// The public key as a JWK (JSON text).
    pub public_jwk: String,
    pub created: Timestamp,
    /// Once set, the key no longer signs but still verifies until dropped.
    pub retired: Option<Timestamp>,
}

#[async_trait]
pub trait Store:
    RefreshTokenStore
    + OutboxStore
    + OAuthStore
    + ResourceServerStore
    + DomainStore
    + UiCustomizationStore
    + GhostStore
    + Send
    + Sync
    + 'static
{
    /// Checks that the database answers.
    async fn ping(&self) -> Result<()>;

    // --- user pools ---
    /// Fails with ResourceNotFound-free semantics: a clashing id is an internal error.
    async fn create_pool(&self, pool: &UserPool) -> Result<()>;
    /// The pool with EstimatedNumberOfUsers from a counter kept in the same
    /// transactions as user writes (cheap to read; `count_users` counts rows).
    async fn get_pool(&self, pool_id: &str) -> Result<Option<UserPool>>;
    /// Replaces a pool's stored settings; ResourceNotFound if it is gone.
    async fn update_pool(&self, pool: &UserPool) -> Result<()>;
    /// Deletes a pool and everything in it; false if it did not exist.
    async fn delete_pool(&self, pool_id: &str) -> Result<bool>;
    async fn list_pools(&self, limit: usize, token: Option<&str>) -> Result<Page<UserPool>>;

    // --- app clients ---
    async fn create_client(&self, client: &UserPoolClient) -> Result<()>;
    async fn get_client(&self, pool_id: &str, client_id: &str) -> Result<Option<UserPoolClient>>;
    /// Finds a client by id alone (public actions name only the client).
    async fn find_client(&self, client_id: &str) -> Result<Option<UserPoolClient>>;
    async fn update_client(&self, client: &UserPoolClient) -> Result<()>;
    async fn delete_client(&self, pool_id: &str, client_id: &str) -> Result<bool>;
    async fn list_clients(
        &self,
        pool_id: &str,
        limit: usize,
        token: Option<&str>,
    ) -> Result<Page<UserPoolClient>>;

    // --- users ---
    /// Inserts a user with its unique keys and index rows in one
    /// transaction. A clash fails with `KeyKind::conflict_error` for the pool
    /// (UsernameExists or AliasExists) and writes nothing.
    async fn create_user(&self, pool: &UserPool, user: &User) -> Result<()>;
    /// Finds a user by one of its unique keys (value normalized by the caller).
    async fn find_user(&self, pool_id: &str, key: &UserKey) -> Result<Option<User>>;
    async fn get_user_by_sub(&self, pool_id: &str, sub: Uuid) -> Result<Option<User>>;
    /// The user, and whether the sign-in `origin_jti` was revoked: what a
    /// token-authorized action checks, in one read.
    async fn get_user_and_revocation(
        &self,
        pool_id: &str,
        sub: Uuid,
        origin_jti: &str,
    ) -> Result<Option<(User, bool)>>;
    /// Replaces a user, its keys and index rows atomically; clashes as in
    /// `create_user`; UserNotFound if it is gone.
    async fn update_user(&self, pool: &UserPool, user: &User) -> Result<()>;
    /// Deletes a user with its keys, index rows and memberships.
    async fn delete_user(&self, pool_id: &str, sub: Uuid) -> Result<bool>;
    /// Lists users in a stable order, optionally filtered through the index.
    async fn list_users(
        &self,
        pool_id: &str,
        filter: Option<&UserFilter>,
        limit: usize,
        token: Option<&str>,
    ) -> Result<Page<User>>;
    async fn count_users(&self, pool_id: &str) -> Result<i64>;

    // --- groups ---
    /// GroupExists if the name is taken in the pool.
    async fn create_group(&self, group: &Group) -> Result<()>;
    async fn get_group(&self, pool_id: &str, name: &str) -> Result<Option<Group>>;
    async fn update_group(&self, group: &Group) -> Result<()>;
    /// Deletes a group and its memberships.
    async fn delete_group(&self, pool_id: &str, name: &str) -> Result<bool>;
    async fn list_groups(
        &self,
        pool_id: &str,
        limit: usize,
        token: Option<&str>,
    ) -> Result<Page<Group>>;
    /// Idempotent, as AdminAddUserToGroup is. ResourceNotFound if the group
    /// is gone, UserNotFound if the user is.
    async fn add_user_to_group(&self, pool_id: &str, group: &str, sub: Uuid) -> Result<()>;
    /// Idempotent; the same errors as `add_user_to_group`.
    async fn remove_user_from_group(&self, pool_id: &str, group: &str, sub: Uuid) -> Result<()>;
    /// Every group the user is in, in one read and unpaged (for the
    /// tokens' `cognito:groups`); none for an unknown user.
    async fn groups_of_user(&self, pool_id: &str, sub: Uuid) -> Result<Vec<Group>>;
    /// UserNotFound if the user is gone.
    async fn list_groups_for_user(
        &self,
        pool_id: &str,
        sub: Uuid,
        limit: usize,
        token: Option<&str>,
    ) -> Result<Page<Group>>;
    /// ResourceNotFound if the group is gone.
    async fn list_users_in_group(
        &self,
        pool_id: &str,
        group: &str,
        limit: usize,
        token: Option<&str>,
    ) -> Result<Page<User>>;

    // --- signing keys ---
    async fn put_signing_key(&self, key: &SigningKey) -> Result<()>;
    /// Every key of a pool, newest first.
    async fn signing_keys(&self, pool_id: &str) -> Result<Vec<SigningKey>>;
}
