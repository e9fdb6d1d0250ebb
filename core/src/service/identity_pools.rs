//! Identity pools and their identities (the cognito-identity API's
//! management operations): create, describe, update, delete and list
//! pools; roles and role mappings; principal tag maps; tags; identities
//! and developer-authenticated identities. Logins are verified in
//! `identity_logins.rs`, credentials come from `identity_credentials.rs`.

use std::collections::BTreeMap;

use super::Idp;
use crate::error::{CognitoError, Result};
use crate::ids::ACCOUNT_ID;
use crate::model::identity_pool::{
    self as model, Identity, IdentityLogin, IdentityPool, IdentityPoolConfig, PrincipalTagMap,
    RoleMapping, check_identity_id, check_pool_id, check_role_arn,
};
use crate::store::Page;

/// Cognito Identity API: ListIdentityPools/ListIdentities MaxResults 1–60.
pub const MAX_RESULTS: i64 = 60;

pub fn identity_pool_not_found(id: &str) -> CognitoError {
    CognitoError::ResourceNotFound(format!("IdentityPool '{id}' not found."))
}

pub fn identity_not_found(id: &str) -> CognitoError {
    CognitoError::ResourceNotFound(format!("Identity '{id}' not found."))
}

/// `arn:aws:cognito-identity:<region>:<account>:identitypool/<id>`.
pub fn identity_pool_arn(pool_id: &str) -> String {
    let region = pool_id.split(':').next().unwrap_or_default();
    format!("arn:aws:cognito-identity:{region}:{ACCOUNT_ID}:identitypool/{pool_id}")
}

fn max_results(n: i64) -> Result<usize> {
    super::page_size(Some(n), MAX_RESULTS, "maxResults")
}

impl Idp {
    pub async fn create_identity_pool(&self, config: IdentityPoolConfig) -> Result<IdentityPool> {
        config.validate()?;
        let now = self.clock.now();
        let pool = IdentityPool {
            id: model::new_id(&self.settings.region),
            config,
            roles: BTreeMap::new(),
            role_mappings: BTreeMap::new(),
            principal_tags: BTreeMap::new(),
            created: now,
            modified: now,
        };
        self.store.create_identity_pool(&pool).await?;
        Ok(pool)
    }

    /// The pool, or ResourceNotFoundException.
    pub async fn identity_pool(&self, id: &str) -> Result<IdentityPool> {
        check_pool_id(id)?;
        self.store
            .get_identity_pool(id)
            .await?
            .ok_or_else(|| identity_pool_not_found(id))
    }

    /// UpdateIdentityPool: the whole configuration is replaced, as the API
    /// reference says; tags given replace the pool's tags.
    pub async fn update_identity_pool(
        &self,
        id: &str,
        config: IdentityPoolConfig,
        tags_given: bool,
    ) -> Result<IdentityPool> {
        config.validate()?;
        let mut pool = self.identity_pool(id).await?;
        let tags = std::mem::take(&mut pool.config.identity_pool_tags);
        pool.config = config;
        if !tags_given {
            pool.config.identity_pool_tags = tags;
        }
        pool.modified = self.clock.now();
        self.store.update_identity_pool(&pool).await?;
        Ok(pool)
    }

    pub async fn delete_identity_pool(&self, id: &str) -> Result<()> {
        check_pool_id(id)?;
        if !self.store.delete_identity_pool(id).await? {
            return Err(identity_pool_not_found(id));
        }
        Ok(())
    }

    pub async fn list_identity_pools(
        &self,
        max: i64,
        token: Option<&str>,
    ) -> Result<Page<IdentityPool>> {
        self.store
            .list_identity_pools(max_results(max)?, token)
            .await
    }

    /// SetIdentityPoolRoles: `authenticated` and `unauthenticated` roles,
    /// and the role mappings by provider name (at most 10).
    pub async fn set_identity_pool_roles(
        &self,
        id: &str,
        roles: BTreeMap<String, String>,
        mappings: BTreeMap<String, RoleMapping>,
    ) -> Result<()> {
        for (k, arn) in &roles {
            if k != "authenticated" && k != "unauthenticated" {
                return Err(CognitoError::invalid_parameter(format!(
                    "Invalid role key '{k}': the keys are 'authenticated' and 'unauthenticated'."
                )));
            }
            check_role_arn("roles", arn)?;
        }
        if mappings.len() > 10 {
            return Err(CognitoError::invalid_parameter(
                "1 validation error detected: Value at 'roleMappings' failed to satisfy constraint: Member must have length less than or equal to 10",
            ));
        }
        let mut pool = self.identity_pool(id).await?;
        for (provider, m) in &mappings {
            m.validate(provider)?;
            if !self.is_provider_of(&pool, provider) {
                return Err(CognitoError::invalid_parameter(format!(
                    "Role mapping key '{provider}' is not a provider of this identity pool."
                )));
            }
        }
        pool.roles = roles;
        pool.role_mappings = mappings;
        pool.modified = self.clock.now();
        self.store.update_identity_pool(&pool).await
    }

    /// SetPrincipalTagAttributeMap for one provider of the pool.
    pub async fn set_principal_tag_map(
        &self,
        id: &str,
        provider: &str,
        map: PrincipalTagMap,
    ) -> Result<PrincipalTagMap> {
        crate::model::validate::len_between("identityProviderName", provider, 1, 128)?;
        if map.principal_tags.len() > 50 {
            return Err(CognitoError::invalid_parameter(
                "1 validation error detected: Value at 'principalTags' failed to satisfy constraint: Member must have length less than or equal to 50",
            ));
        }
        for (k, v) in &map.principal_tags {
            crate::model::validate::len_between("principalTags.key", k, 1, 128)?;
            crate::model::validate::len_between("principalTags.value", v, 1, 256)?;
        }
        let mut pool = self.identity_pool(id).await?;
        if !self.is_provider_of(&pool, provider) {
            return Err(CognitoError::invalid_parameter(format!(
                "'{provider}' is not a provider of this identity pool."
            )));
        }
        pool.principal_tags.insert(provider.to_owned(), map.clone());
        pool.modified = self.clock.now();
        self.store.update_identity_pool(&pool).await?;
        Ok(map)
    }

    /// The pool named by an identity pool ARN (TagResource and friends).
    pub async fn identity_pool_by_arn(&self, arn: &str) -> Result<IdentityPool> {
        let id = arn
            .strip_prefix("arn:aws:cognito-identity:")
            .and_then(|r| r.split_once(":identitypool/"))
            .map(|(_, id)| id)
            .ok_or_else(|| {
                CognitoError::invalid_parameter(format!(
                    "Invalid identity pool ARN '{arn}': expected arn:aws:cognito-identity:<region>:<account>:identitypool/<id>."
                ))
            })?;
        self.identity_pool(id).await
    }

    /// TagResource / UntagResource: `set` adds or replaces, `remove` drops.
    pub async fn tag_identity_pool(
        &self,
        arn: &str,
        set: BTreeMap<String, String>,
        remove: &[String],
    ) -> Result<()> {
        let mut pool = self.identity_pool_by_arn(arn).await?;
        pool.config.identity_pool_tags.extend(set);
        for k in remove {
            pool.config.identity_pool_tags.remove(k);
        }
        pool.config.validate()?;
        pool.modified = self.clock.now();
        self.store.update_identity_pool(&pool).await
    }

    /// Whether `provider` names one of the pool's providers (a user pool by
    /// either of its names, an OIDC issuer, a SAML ARN, a social key or the
    /// developer provider).
    pub(crate) fn is_provider_of(&self, pool: &IdentityPool, provider: &str) -> bool {
        let c = &pool.config;
        if let Some(user_pool) = model::user_pool_of_provider(provider)
            && c.cognito_identity_providers.iter().any(|p| {
                p.provider_name
                    .as_deref()
                    .and_then(model::user_pool_of_provider)
                    == Some(user_pool)
            })
        {
            return true;
        }
        c.supported_login_providers.contains_key(provider)
            || c.developer_provider_name.as_deref() == Some(provider)
            || c.saml_provider_arns.iter().any(|a| a == provider)
            || c.open_id_connect_provider_arns
                .iter()
                .any(|a| a == provider || oidc_issuer_of_arn(a) == Some(provider))
    }

    // ------------------------------------------------------------ identities

    /// The identity, or ResourceNotFoundException.
    pub async fn identity(&self, id: &str) -> Result<Identity> {
        check_identity_id(id)?;
        self.store
            .get_identity(id)
            .await?
            .ok_or_else(|| identity_not_found(id))
    }

    /// ListIdentities; `hide_disabled` leaves disabled identities out (a
    /// page may then be shorter than MaxResults and still have a NextToken).
    pub async fn list_identities(
        &self,
        pool_id: &str,
        max: i64,
        token: Option<&str>,
        hide_disabled: bool,
    ) -> Result<Page<Identity>> {
        self.identity_pool(pool_id).await?;
        let mut page = self
            .store
            .list_identities(pool_id, max_results(max)?, token)
            .await?;
        if hide_disabled {
            page.items.retain(|i| !i.disabled);
        }
        Ok(page)
    }

    /// DeleteIdentities: the ids that could not be deleted (none known to
    /// fail: an unknown id is already gone).
    pub async fn delete_identities(&self, ids: &[String]) -> Result<Vec<String>> {
        if ids.is_empty() || ids.len() > 60 {
            return Err(CognitoError::invalid_parameter(
                "1 validation error detected: Value at 'identityIdsToDelete' failed to satisfy constraint: Member must have length between 1 and 60 inclusive",
            ));
        }
        for id in ids {
            check_identity_id(id)?;
        }
        for id in ids {
            self.store.delete_identity(id).await?;
        }
        Ok(Vec::new())
    }

    /// Finds the identity of the first login that has one, links the other
    /// logins to it (merging the identities they belong to, as AWS merges
    /// identities whose logins are presented together), or creates one.
    pub(crate) async fn identity_for_logins(
        &self,
        pool: &IdentityPool,
        logins: Vec<IdentityLogin>,
    ) -> Result<Identity> {
        let mut owners = Vec::new();
        for l in &logins {
            if let Some(owner) = self
                .store
                .identity_of_login(&pool.id, &l.provider, &l.subject)
                .await?
                && !owners.contains(&owner)
            {
                owners.push(owner);
            }
        }
        let Some(first) = owners.first().cloned() else {
            let now = self.clock.now();
            let identity = Identity {
                id: model::new_id(pool.id.split(':').next().unwrap_or("us-east-1")),
                pool_id: pool.id.clone(),
                logins,
                created: now,
                modified: now,
                disabled: false,
            };
            return self.store.create_identity(&identity).await;
        };
        for other in &owners[1..] {
            self.store.merge_identities(other, &first).await?;
        }
        let identity = self.identity(&first).await?;
        let missing: Vec<IdentityLogin> = logins
            .into_iter()
            .filter(|l| !identity.logins.contains(l))
            .collect();
        if missing.is_empty() {
            return Ok(identity);
        }
        self.store.link_logins(&first, &missing).await
    }

    // ----------------------------------------------- developer identities

    fn developer_provider(pool: &IdentityPool, name: &str) -> Result<()> {
        if pool.config.developer_provider_name.as_deref() != Some(name) {
            return Err(CognitoError::NotAuthorized(
                "The developer provider name does not match the identity pool's.".into(),
            ));
        }
        Ok(())
    }

    /// LookupDeveloperIdentity: the identity and a page of its developer
    /// user identifiers (in order, MaxResults 1–60, NextToken), by identity
    /// id or by one identifier.
    pub async fn lookup_developer_identity(
        &self,
        pool_id: &str,
        identity_id: Option<&str>,
        user_identifier: Option<&str>,
        max: Option<i64>,
        token: Option<&str>,
    ) -> Result<(String, Page<String>)> {
        let limit = super::page_size(max, MAX_RESULTS, "maxResults")?;
        let after = crate::store::common::decode_key_token(token, "dui")?;
        let pool = self.identity_pool(pool_id).await?;
        let Some(provider) = pool.config.developer_provider_name.clone() else {
            return Err(CognitoError::ResourceNotFound(
                "The identity pool has no developer provider.".into(),
            ));
        };
        let id = match (identity_id, user_identifier) {
            (Some(id), _) => id.to_owned(),
            (None, Some(user)) => self
                .store
                .identity_of_login(&pool.id, &provider, user)
                .await?
                .ok_or_else(|| {
                    CognitoError::ResourceNotFound(format!(
                        "No identity is linked to developer user '{user}'."
                    ))
                })?,
            (None, None) => {
                return Err(CognitoError::invalid_parameter(
                    "Either IdentityId or DeveloperUserIdentifier must be given.",
                ));
            }
        };
        let identity = self.identity(&id).await?;
        if identity.pool_id != pool.id {
            return Err(identity_not_found(&id));
        }
        let mut users: Vec<String> = identity
            .logins
            .iter()
            .filter(|l| l.provider == provider)
            .map(|l| l.subject.clone())
            .collect();
        if let Some(user) = user_identifier
            && !users.iter().any(|u| u == user)
        {
            return Err(CognitoError::ResourceNotFound(format!(
                "No identity is linked to developer user '{user}'."
            )));
        }
        users.sort();
        users.retain(|u| after.as_deref().is_none_or(|a| u.as_str() > a));
        let next = (users.len() > limit)
            .then(|| crate::store::common::encode_token("dui", &[&users[limit - 1]]));
        users.truncate(limit);
        Ok((identity.id, Page { items: users, next }))
    }

    /// MergeDeveloperIdentities: the source user's identity into the
    /// destination user's; the destination identity id.
    pub async fn merge_developer_identities(
        &self,
        pool_id: &str,
        provider: &str,
        source: &str,
        destination: &str,
    ) -> Result<String> {
        let pool = self.identity_pool(pool_id).await?;
        Self::developer_provider(&pool, provider)?;
        let find = |user: &str| {
            let user = user.to_owned();
            let pool_id = pool.id.clone();
            let provider = provider.to_owned();
            async move {
                self.store
                    .identity_of_login(&pool_id, &provider, &user)
                    .await?
                    .ok_or_else(|| {
                        CognitoError::ResourceNotFound(format!(
                            "No identity is linked to developer user '{user}'."
                        ))
                    })
            }
        };
        let from = find(source).await?;
        let into = find(destination).await?;
        if from != into {
            self.store.merge_identities(&from, &into).await?;
        }
        Ok(into)
    }

    /// UnlinkDeveloperIdentity.
    pub async fn unlink_developer_identity(
        &self,
        pool_id: &str,
        identity_id: &str,
        provider: &str,
        user: &str,
    ) -> Result<()> {
        let pool = self.identity_pool(pool_id).await?;
        Self::developer_provider(&pool, provider)?;
        let identity = self.identity(identity_id).await?;
        let login = IdentityLogin {
            provider: provider.to_owned(),
            subject: user.to_owned(),
        };
        if identity.pool_id != pool.id || !identity.logins.contains(&login) {
            return Err(CognitoError::ResourceNotFound(format!(
                "Developer user '{user}' is not linked to identity '{identity_id}'."
            )));
        }
        self.store.unlink_logins(identity_id, &[login]).await?;
        Ok(())
    }
}

/// The issuer host and path an OIDC provider ARN names
/// (`arn:aws:iam::<account>:oidc-provider/<issuer without scheme>`).
pub fn oidc_issuer_of_arn(arn: &str) -> Option<&str> {
    arn.split_once(":oidc-provider/").map(|(_, i)| i)
}
