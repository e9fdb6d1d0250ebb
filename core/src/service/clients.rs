//! CreateUserPoolClient, DescribeUserPoolClient, UpdateUserPoolClient,
//! DeleteUserPoolClient, ListUserPoolClients.

use super::{Idp, client_secret};
use crate::error::{CognitoError, Result};
use crate::model::UserPoolClient;
use crate::model::client::UserPoolClientConfig;
use crate::store::Page;

impl Idp {
    pub async fn create_client(
        &self,
        pool_id: &str,
        config: UserPoolClientConfig,
        generate_secret: bool,
        custom_secret: Option<String>,
    ) -> Result<UserPoolClient> {
        if let Some(secret) = &custom_secret {
            check_custom_secret(secret, generate_secret)?;
        }
        let pool = self.pool(pool_id).await?;
        check_attributes(&pool, &config)?;
        self.check_client_tier(&pool, &config)?;
        let mut client =
            UserPoolClient::create(&pool.id, config, generate_secret, self.clock.now())?;
        if custom_secret.is_some() {
            client.client_secret = custom_secret;
        }
        self.check_client_scopes(&pool.id, client.config.allowed_o_auth_scopes.as_deref())
            .await?;
        self.check_client_providers(
            &pool.id,
            client.config.supported_identity_providers.as_deref(),
        )
        .await?;
        self.store
            .create_client(&client_secret::sealed_for_store(&self.master_key, &client))
            .await?;
        Ok(client)
    }

    pub async fn describe_client(&self, pool_id: &str, client_id: &str) -> Result<UserPoolClient> {
        self.pool(pool_id).await?;
        let mut client = self.client_from_store(pool_id, client_id).await?;
        // GetUserPoolClientSessionConfiguration answers for it.
        client.sso_session = None;
        Ok(client)
    }

    pub async fn update_client(
        &self,
        pool_id: &str,
        client_id: &str,
        config: UserPoolClientConfig,
    ) -> Result<UserPoolClient> {
        let pool = self.pool(pool_id).await?;
        check_attributes(&pool, &config)?;
        self.check_client_tier(&pool, &config)?;
        let mut client = self.client_from_store(pool_id, client_id).await?;
        client.update(config, self.clock.now())?;
        self.check_client_scopes(&pool.id, client.config.allowed_o_auth_scopes.as_deref())
            .await?;
        self.check_client_providers(
            &pool.id,
            client.config.supported_identity_providers.as_deref(),
        )
        .await?;
        self.store
            .update_client(&client_secret::sealed_for_store(&self.master_key, &client))
            .await?;
        self.config.forget_client(client_id);
        client.sso_session = None;
        Ok(client)
    }

    pub async fn delete_client(&self, pool_id: &str, client_id: &str) -> Result<()> {
        self.pool(pool_id).await?;
        let deleted = self.store.delete_client(pool_id, client_id).await?;
        self.config.forget_client(client_id);
        if !deleted {
            return Err(CognitoError::ResourceNotFound(format!(
                "User pool client {client_id} does not exist."
            )));
        }
        Ok(())
    }

    pub async fn list_clients(
        &self,
        pool_id: &str,
        max_results: Option<i64>,
        token: Option<&str>,
    ) -> Result<Page<UserPoolClient>> {
        self.pool(pool_id).await?;
        let limit = super::page_size(max_results, 60, "maxResults")?;
        let page = self.store.list_clients(pool_id, limit, token).await?;
        Ok(Page {
            items: page
                .items
                .into_iter()
                .map(|c| client_secret::opened_from_store(&self.master_key, c))
                .collect::<Result<_>>()?,
            next: page.next,
        })
    }
}

/// Read and write attributes must exist in the pool's schema.
fn check_attributes(pool: &crate::model::UserPool, config: &UserPoolClientConfig) -> Result<()> {
    for (field, attrs) in [
        ("ReadAttributes", &config.read_attributes),
        ("WriteAttributes", &config.write_attributes),
    ] {
        for a in attrs.iter().flatten() {
            if !pool.schema_attributes.iter().any(|s| &s.name == a) {
                return Err(CognitoError::invalid_parameter(format!(
                    "Invalid {field}: {a} is not an attribute of the user pool."
                )));
            }
        }
    }
    if let Some(w) = &config.write_attributes
        && w.iter().any(|a| a == "sub")
    {
        return Err(CognitoError::invalid_parameter(
            "Invalid WriteAttributes: sub cannot be written.",
        ));
    }
    Ok(())
}

/// Cognito API: CreateUserPoolClient, ClientSecret — 24 to 64 characters
/// of `[\w+]+`, and not with GenerateSecret.
fn check_custom_secret(secret: &str, generate_secret: bool) -> Result<()> {
    if generate_secret {
        return Err(CognitoError::invalid_parameter(
            "You cannot specify both GenerateSecret as true and a ClientSecret.",
        ));
    }
    let shaped = (24..=64).contains(&secret.chars().count())
        && secret
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '+');
    if !shaped {
        return Err(CognitoError::invalid_parameter(
            "1 validation error detected: Value at 'clientSecret' failed to satisfy constraint: \
             Member must have length between 24 and 64 and satisfy regular expression pattern: [\\w+]+",
        ));
    }
    Ok(())
}
