//! CreateResourceServer, DescribeResourceServer, UpdateResourceServer,
//! DeleteResourceServer, ListResourceServers; and the custom scopes that
//! app clients may allow (Cognito API: CreateUserPoolClient,
//! AllowedOAuthScopes).

use std::collections::BTreeSet;

use super::Idp;
use crate::error::{CognitoError, Result};
use crate::model::client::STANDARD_SCOPES;
use crate::model::resource_server::{
    MAX_RESOURCE_SERVERS_PER_POOL, ResourceServer, ResourceServerScope, validate_identifier,
};
use crate::store::Page;

fn not_found(identifier: &str) -> CognitoError {
    CognitoError::ResourceNotFound(format!("Resource server {identifier} does not exist."))
}

impl Idp {
    pub async fn create_resource_server(
        &self,
        pool_id: &str,
        identifier: &str,
        name: &str,
        scopes: Vec<ResourceServerScope>,
    ) -> Result<ResourceServer> {
        let server = ResourceServer::new(pool_id, identifier, name, scopes)?;
        self.pool(pool_id).await?;
        self.store.create_resource_server(&server).await?;
        Ok(server)
    }

    pub async fn describe_resource_server(
        &self,
        pool_id: &str,
        identifier: &str,
    ) -> Result<ResourceServer> {
        validate_identifier(identifier)?;
        self.pool(pool_id).await?;
        self.store
            .get_resource_server(pool_id, identifier)
            .await?
            .ok_or_else(|| not_found(identifier))
    }

    /// Cognito API: UpdateResourceServer — name and scopes are replaced;
    /// scopes left out become none.
    pub async fn update_resource_server(
        &self,
        pool_id: &str,
        identifier: &str,
        name: &str,
        scopes: Vec<ResourceServerScope>,
    ) -> Result<ResourceServer> {
        let server = ResourceServer::new(pool_id, identifier, name, scopes)?;
        self.pool(pool_id).await?;
        self.store.update_resource_server(&server).await?;
        Ok(server)
    }

    /// Cognito API: DeleteResourceServer — afterwards no token carries its
    /// scopes (the token endpoint grants only scopes that exist).
    pub async fn delete_resource_server(&self, pool_id: &str, identifier: &str) -> Result<()> {
        validate_identifier(identifier)?;
        self.pool(pool_id).await?;
        if !self
            .store
            .delete_resource_server(pool_id, identifier)
            .await?
        {
            return Err(not_found(identifier));
        }
        Ok(())
    }

    /// Cognito API: ListResourceServers — MaxResults 1–50.
    pub async fn list_resource_servers(
        &self,
        pool_id: &str,
        max_results: Option<i64>,
        token: Option<&str>,
    ) -> Result<Page<ResourceServer>> {
        let limit = super::page_size(max_results, 50, "maxResults")?;
        self.pool(pool_id).await?;
        self.store
            .list_resource_servers(pool_id, limit, token)
            .await
    }

    /// Every custom scope of a pool, spelled `{Identifier}/{ScopeName}`.
    pub async fn custom_scopes(&self, pool_id: &str) -> Result<BTreeSet<String>> {
        let page = self
            .store
            .list_resource_servers(pool_id, MAX_RESOURCE_SERVERS_PER_POOL * 4, None)
            .await?;
        Ok(page.items.iter().flat_map(|s| s.scope_strings()).collect())
    }

    /// Cognito API: CreateUserPoolClient, Errors — an AllowedOAuthScopes
    /// entry that is neither a standard scope nor a scope of one of the
    /// pool's resource servers is ScopeDoesNotExistException.
    pub(crate) async fn check_client_scopes(
        &self,
        pool_id: &str,
        scopes: Option<&[String]>,
    ) -> Result<()> {
        let custom: Vec<&String> = scopes
            .unwrap_or_default()
            .iter()
            .filter(|s| !STANDARD_SCOPES.contains(&s.as_str()))
            .collect();
        if custom.is_empty() {
            return Ok(());
        }
        let known = self.custom_scopes(pool_id).await?;
        match custom.into_iter().find(|s| !known.contains(*s)) {
            Some(s) => Err(CognitoError::ScopeDoesNotExist(format!(
                "Invalid scope requested: {s}"
            ))),
            None => Ok(()),
        }
    }
}
