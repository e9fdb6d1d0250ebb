//! CreateGroup, GetGroup, UpdateGroup, DeleteGroup, ListGroups,
//! AdminAddUserToGroup, AdminRemoveUserFromGroup, AdminListGroupsForUser,
//! ListUsersInGroup.

use super::Idp;
use crate::error::{CognitoError, Result};
use crate::model::{Group, User};
use crate::store::Page;

/// Fields UpdateGroup may change; `None` leaves a field as it is.
#[derive(Clone, Debug, Default)]
pub struct GroupUpdate {
    pub description: Option<String>,
    pub role_arn: Option<String>,
    pub precedence: Option<i64>,
}

impl Idp {
    pub async fn create_group(
        &self,
        pool_id: &str,
        name: &str,
        description: Option<String>,
        role_arn: Option<String>,
        precedence: Option<i64>,
    ) -> Result<Group> {
        self.pool(pool_id).await?;
        let group = Group::new(
            pool_id,
            name,
            description,
            role_arn,
            precedence,
            self.clock.now(),
        )?;
        self.store.create_group(&group).await?;
        Ok(group)
    }

    pub async fn get_group(&self, pool_id: &str, name: &str) -> Result<Group> {
        self.pool(pool_id).await?;
        self.store
            .get_group(pool_id, name)
            .await?
            .ok_or_else(|| CognitoError::ResourceNotFound("Group not found.".into()))
    }

    pub async fn update_group(
        &self,
        pool_id: &str,
        name: &str,
        update: GroupUpdate,
    ) -> Result<Group> {
        let mut group = self.get_group(pool_id, name).await?;
        if update.description.is_some() {
            group.description = update.description;
        }
        if update.role_arn.is_some() {
            group.role_arn = update.role_arn;
        }
        if update.precedence.is_some() {
            group.precedence = update.precedence;
        }
        group.validate()?;
        group.last_modified_date = self.clock.now();
        self.store.update_group(&group).await?;
        Ok(group)
    }

    pub async fn delete_group(&self, pool_id: &str, name: &str) -> Result<()> {
        self.pool(pool_id).await?;
        if !self.store.delete_group(pool_id, name).await? {
            return Err(CognitoError::ResourceNotFound("Group not found.".into()));
        }
        Ok(())
    }

    pub async fn list_groups(
        &self,
        pool_id: &str,
        limit: Option<i64>,
        token: Option<&str>,
    ) -> Result<Page<Group>> {
        self.pool(pool_id).await?;
        let limit = super::page_size(limit, 60, "limit")?;
        self.store.list_groups(pool_id, limit, token).await
    }

    pub async fn add_user_to_group(
        &self,
        pool_id: &str,
        username: &str,
        group: &str,
    ) -> Result<()> {
        let pool = self.pool(pool_id).await?;
        let user = self.admin_find_user(&pool, username).await?;
        self.get_group(pool_id, group).await?;
        self.store.add_user_to_group(pool_id, group, user.sub).await
    }

    pub async fn remove_user_from_group(
        &self,
        pool_id: &str,
        username: &str,
        group: &str,
    ) -> Result<()> {
        let pool = self.pool(pool_id).await?;
        let user = self.admin_find_user(&pool, username).await?;
        self.get_group(pool_id, group).await?;
        self.store
            .remove_user_from_group(pool_id, group, user.sub)
            .await
    }

    pub async fn list_groups_for_user(
        &self,
        pool_id: &str,
        username: &str,
        limit: Option<i64>,
        token: Option<&str>,
    ) -> Result<Page<Group>> {
        let pool = self.pool(pool_id).await?;
        let user = self.admin_find_user(&pool, username).await?;
        let limit = super::page_size(limit, 60, "limit")?;
        self.store
            .list_groups_for_user(pool_id, user.sub, limit, token)
            .await
    }

    pub async fn list_users_in_group(
        &self,
        pool_id: &str,
        group: &str,
        limit: Option<i64>,
        token: Option<&str>,
    ) -> Result<Page<User>> {
        self.get_group(pool_id, group).await?;
        let limit = super::page_size(limit, 60, "limit")?;
        self.store
            .list_users_in_group(pool_id, group, limit, token)
            .await
    }
}
