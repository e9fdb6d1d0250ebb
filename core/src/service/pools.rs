//! CreateUserPool, DescribeUserPool, UpdateUserPool, DeleteUserPool,
//! ListUserPools.

use super::Idp;
use crate::error::{CognitoError, Result};
use crate::model::UserPool;
use crate::model::pool::{DeletionProtection, NewUserPool, UserPoolConfig};
use crate::store::Page;

impl Idp {
    pub async fn create_pool(&self, input: NewUserPool) -> Result<UserPool> {
        let pool = UserPool::create(input, &self.settings.region, self.clock.now())?;
        self.check_pool_tier(&pool)?;
        self.store.create_pool(&pool).await?;
        Ok(pool)
    }

    /// Cognito API: DescribeUserPool — with the pool's `Domain` (prefix) and
    /// `CustomDomain`, which live with the domains, not in the pool.
    pub async fn describe_pool(&self, pool_id: &str) -> Result<UserPool> {
        let mut pool = self.pool_from_store(pool_id).await?;
        (pool.domain, pool.custom_domain) = self.pool_domain_names(pool_id).await?;
        // GetUserPoolSessionConfiguration answers for it, not DescribeUserPool.
        pool.session_configuration = None;
        Ok(pool)
    }

    /// Cognito API: UpdateUserPool — settings left out return to their
    /// defaults, as Cognito documents; immutable ones stay.
    pub async fn update_pool(&self, pool_id: &str, config: UserPoolConfig) -> Result<UserPool> {
        let mut pool = self.pool_from_store(pool_id).await?;
        pool.update(config, self.clock.now())?;
        self.check_pool_tier(&pool)?;
        self.check_clients_fit_tier(&pool).await?;
        self.store.update_pool(&pool).await?;
        self.config.forget_pool(pool_id);
        Ok(pool)
    }

    /// Cognito API: DeleteUserPool — refused while deletion protection is active.
    pub async fn delete_pool(&self, pool_id: &str) -> Result<()> {
        let pool = self.pool_from_store(pool_id).await?;
        if pool.config.deletion_protection == DeletionProtection::Active {
            return Err(CognitoError::invalid_parameter(
                "The user pool cannot be deleted because deletion protection is activated. Deletion protection must be inactivated first.",
            ));
        }
        if !self.store.delete_pool(pool_id).await? {
            return Err(CognitoError::ResourceNotFound(format!(
                "User pool {pool_id} does not exist."
            )));
        }
        self.config.forget_pool_and_clients(pool_id);
        self.forget_pool_keys(pool_id).await;
        Ok(())
    }

    /// Cognito API: ListUserPools — MaxResults 1–60 is required.
    pub async fn list_pools(
        &self,
        max_results: i64,
        token: Option<&str>,
    ) -> Result<Page<UserPool>> {
        let limit = super::page_size(Some(max_results), 60, "maxResults")?;
        self.store.list_pools(limit, token).await
    }
}
