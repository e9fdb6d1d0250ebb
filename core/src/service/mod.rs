//! The operations of a user pool, shared by every face: the Cognito API,
//! the OAuth endpoints and the hosted UI call these, so lockout, password
//! policy, MFA and token contents are the same whichever face a user came
//! through. One file per Cognito action family.

use std::sync::Arc;

use crate::clock::Clock;
use crate::credential::PasswordHasher;
use crate::crypto::MasterKey;
use crate::error::{CognitoError, Result};
use crate::model::{UserPool, UserPoolClient};
use crate::store::Store;

pub mod access;
pub mod account;
pub mod admin_users;
pub mod attributes;
pub mod auth;
pub mod client_secret;
pub mod clients;
pub mod codes;
mod config_cache;
pub mod credentials;
pub mod custom_auth;
pub mod custom_senders;
pub mod devices;
pub mod domains;
pub mod external_logins;
pub mod federation;
pub use federation::{SAML_ISSUER_CLAIM, SAML_NAME_ID_CLAIM};
pub mod groups;
pub mod identity_credentials;
pub mod identity_issuer;
pub mod identity_pools;
pub mod identity_providers;
pub mod keys;
pub mod list_users;
pub mod lockout;
pub mod locks;
pub mod messages;
pub mod mfa;
pub mod oauth;
pub mod pacing;
pub mod passkeys;
pub mod pools;
pub mod pre_token_generation;
pub mod recovery;
pub mod resource_servers;
pub mod saml_certificate;
pub mod session;
pub mod sign_in_triggers;
pub mod sign_out;
pub mod signup;
pub mod sts;
pub mod tiers;
pub mod tokens;
pub mod triggers;
pub mod ui_customization;
pub mod user_auth;
pub mod user_migration;
pub mod user_sessions;
pub mod users;

/// Settings the operations need from the server's configuration.
#[derive(Clone, Debug)]
pub struct IdpSettings {
    /// The public URL; a pool's issuer is `{public_url}/{pool_id}`.
    pub public_url: String,
    /// The region in new pool ids.
    pub region: String,
    /// The absolute lifetime of a hosted-UI session (see `access.rs`).
    pub sso_session_seconds: i64,
    /// Refuse what a pool's feature plan (UserPoolTier) lacks, as Cognito
    /// does (see `tiers.rs`); off for self-hosted use.
    pub enforce_feature_plans: bool,
    /// The endpoints of social providers, where the configuration moves
    /// them from Cognito's built-in ones (tests point them at a local
    /// provider).
    pub federation_presets: std::collections::HashMap<
        crate::model::identity_provider::ProviderType,
        crate::model::identity_provider::Preset,
    >,
}

/// The identity provider: the store, the keys and the clock, and the
/// operations of every action family.
#[derive(Clone)]
pub struct Idp {
    pub store: Arc<dyn Store>,
    pub clock: Clock,
    pub master_key: MasterKey,
    /// Password work runs here, bounded to one task per CPU.
    pub hasher: PasswordHasher,
    pub settings: IdpSettings,
    /// Each pool's opened signing keys (see `keys.rs`).
    keys: Arc<keys::KeyCache>,
    /// Where codes and invitations go (see `messages.rs`).
    pub sender: Arc<dyn messages::MessageSender>,
    /// The hourly cap on messages to one user (see `messages.rs`).
    message_budget: Arc<dyn messages::MessageBudget>,
    /// Where Lambda trigger events go (see `triggers.rs`).
    functions: Arc<dyn triggers::FunctionInvoker>,
    /// Encrypts the custom senders' codes with KMS (see `custom_senders.rs`).
    code_encryptor: Arc<dyn custom_senders::CodeEncryptor>,
    /// Upstream OpenID Connect providers (see `identity_providers.rs`).
    upstream: Arc<dyn identity_providers::UpstreamOidc>,
    /// Serializes read-modify-write of one user (see `locks.rs`).
    user_locks: Arc<locks::UserLocks>,
    /// Equal time for unknown users (see `pacing.rs`).
    pacing: Arc<pacing::Pacing>,
    /// Pools and clients read in the last second (see `config_cache.rs`).
    config: Arc<config_cache::ConfigCache>,
    /// The identity issuer's opened keys (see `identity_issuer.rs`).
    identity_keys: Arc<identity_issuer::IssuerKeyCache>,
    /// The STS identity pools get credentials from; None: the built-in
    /// one (see `sts.rs`).
    sts: Option<Arc<dyn sts::StsPort>>,
    /// Checks logins from OIDC and social providers; None: refused (see
    /// `external_logins.rs`).
    pub(crate) external_logins: Option<Arc<dyn external_logins::ExternalLogins>>,
}

impl Idp {
    pub fn new(
        store: Arc<dyn Store>,
        clock: Clock,
        master_key: MasterKey,
        settings: IdpSettings,
    ) -> Self {
        let sender = Arc::new(messages::OutboxSender::new(
            store.clone(),
            clock.clone(),
            master_key.clone(),
        ));
        Self {
            store,
            clock,
            hasher: PasswordHasher::new(&master_key),
            master_key,
            settings,
            keys: Arc::default(),
            sender,
            message_budget: Arc::new(messages::Unlimited),
            functions: Arc::new(triggers::NoInvoker),
            code_encryptor: Arc::new(custom_senders::NoEncryptor),
            upstream: Arc::new(identity_providers::NoUpstream),
            user_locks: Arc::default(),
            pacing: Arc::default(),
            config: Arc::default(),
            identity_keys: Arc::default(),
            sts: None,
            external_logins: None,
        }
    }

    /// Sends codes and invitations through `sender` instead of the outbox.
    pub fn with_sender(mut self, sender: Arc<dyn messages::MessageSender>) -> Self {
        self.sender = sender;
        self
    }

    /// Counts every message against `budget` before it is sent.
    pub fn with_message_budget(mut self, budget: Arc<dyn messages::MessageBudget>) -> Self {
        self.message_budget = budget;
        self
    }

    /// Invokes the pools' Lambda triggers through `functions`.
    pub fn with_functions(mut self, functions: Arc<dyn triggers::FunctionInvoker>) -> Self {
        self.functions = functions;
        self
    }

    /// Encrypts the custom senders' codes through `encryptor`.
    pub fn with_code_encryptor(
        mut self,
        encryptor: Arc<dyn custom_senders::CodeEncryptor>,
    ) -> Self {
        self.code_encryptor = encryptor;
        self
    }

    /// Verifies identity-pool logins from OIDC and social providers with
    /// `external`.
    pub fn with_external_logins(
        mut self,
        external: Arc<dyn external_logins::ExternalLogins>,
    ) -> Self {
        self.external_logins = Some(external);
        self
    }

    /// Gets identity-pool credentials from `sts` instead of the built-in STS.
    pub fn with_sts(mut self, sts: Arc<dyn sts::StsPort>) -> Self {
        self.sts = Some(sts);
        self
    }

    /// Reaches upstream identity providers through `upstream`.
    pub fn with_upstream(mut self, upstream: Arc<dyn identity_providers::UpstreamOidc>) -> Self {
        self.upstream = upstream;
        self
    }

    /// `{public_url}/{pool_id}`: the `iss` of a pool's tokens.
    pub fn issuer(&self, pool_id: &str) -> String {
        format!("{}/{}", self.settings.public_url, pool_id)
    }

    /// The pool, or Cognito's ResourceNotFoundException; from the
    /// configuration cache (at most a second old for changes made on
    /// another node).
    pub async fn pool(&self, pool_id: &str) -> Result<UserPool> {
        // Only valid ids are ever kept; a miss checks the id in
        // `pool_from_store`.
        if let Some(pool) = self.config.pool(pool_id) {
            return Ok(pool);
        }
        let ticket = self.config.ticket();
        let pool = self.pool_from_store(pool_id).await?;
        self.config.keep_pool(&pool, ticket);
        Ok(pool)
    }

    /// The pool as the store has it now: for reads that write it back and
    /// for DescribeUserPool's user count.
    pub(crate) async fn pool_from_store(&self, pool_id: &str) -> Result<UserPool> {
        check_pool_id(pool_id)?;
        self.store
            .get_pool(pool_id)
            .await?
            .ok_or_else(|| pool_not_found(pool_id))
    }

    /// The client of a pool, or ResourceNotFoundException; cached like
    /// [`Idp::pool`].
    pub async fn client(&self, pool_id: &str, client_id: &str) -> Result<UserPoolClient> {
        let client = self.cached_client(client_id).await?;
        if client.user_pool_id != pool_id {
            return Err(client_not_found(client_id));
        }
        Ok(client)
    }

    /// A client by its id alone (unique across pools), through the cache.
    async fn cached_client(&self, client_id: &str) -> Result<UserPoolClient> {
        check_client_id(client_id)?;
        if let Some(client) = self.config.client(client_id) {
            return Ok(client);
        }
        let ticket = self.config.ticket();
        let client = self
            .store
            .find_client(client_id)
            .await?
            .ok_or_else(|| client_not_found(client_id))?;
        let client = client_secret::opened_from_store(&self.master_key, client)?;
        self.config.keep_client(&client, ticket);
        Ok(client)
    }

    /// The client as the store has it now, for reads that write it back.
    pub(crate) async fn client_from_store(
        &self,
        pool_id: &str,
        client_id: &str,
    ) -> Result<UserPoolClient> {
        check_client_id(client_id)?;
        let client = self
            .store
            .get_client(pool_id, client_id)
            .await?
            .ok_or_else(|| client_not_found(client_id))?;
        client_secret::opened_from_store(&self.master_key, client)
    }

    /// A client named by id alone, as public actions name it; an unknown
    /// client is ResourceNotFoundException, as in Cognito.
    pub async fn client_by_id(&self, client_id: &str) -> Result<(UserPool, UserPoolClient)> {
        let client = self.cached_client(client_id).await?;
        let pool = self.pool(&client.user_pool_id).await?;
        Ok((pool, client))
    }
}

fn check_pool_id(pool_id: &str) -> Result<()> {
    if crate::ids::is_valid_user_pool_id(pool_id) {
        return Ok(());
    }
    Err(CognitoError::invalid_parameter(format!(
        "1 validation error detected: Value '{pool_id}' at 'userPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w-]+_[0-9a-zA-Z]+"
    )))
}

fn check_client_id(client_id: &str) -> Result<()> {
    if crate::ids::is_valid_client_id(client_id) {
        return Ok(());
    }
    Err(CognitoError::invalid_parameter(
        "1 validation error detected: Value at 'clientId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+]+",
    ))
}

fn pool_not_found(pool_id: &str) -> CognitoError {
    CognitoError::ResourceNotFound(format!("User pool {pool_id} does not exist."))
}

fn client_not_found(client_id: &str) -> CognitoError {
    CognitoError::ResourceNotFound(format!("User pool client {client_id} does not exist."))
}

/// Cognito's page-size rules: `limit` within 1..=max, defaulting to max.
pub fn page_size(limit: Option<i64>, max: i64, field: &str) -> Result<usize> {
    match limit {
        None => Ok(max as usize),
        Some(n) if (1..=max).contains(&n) => Ok(n as usize),
        Some(n) if n == 0 && field == "limit" => Ok(max as usize),
        Some(n) => Err(CognitoError::invalid_parameter(format!(
            "1 validation error detected: Value '{n}' at '{field}' failed to satisfy constraint: Member must have value between 1 and {max} inclusive"
        ))),
    }
}
