//! CreateUserPoolDomain, DescribeUserPoolDomain, UpdateUserPoolDomain,
//! DeleteUserPoolDomain; and the look-up the hosted UI routes by: which
//! pool a Host header names (docs/architecture.md, "Surfaces").

use super::Idp;
use crate::error::{CognitoError, Result};
use crate::model::UserPool;
use crate::model::domain::{
    self, CustomDomainConfig, DomainKind, UserPoolDomain, normalize_host, prefix_of_host,
};
use crate::store::domains::no_such_domain;

impl Idp {
    /// Cognito API: CreateUserPoolDomain — a prefix domain, or with
    /// CustomDomainConfig a custom domain; unique across pools, one of each
    /// kind per pool. ManagedLoginVersion defaults to 1 (hosted UI, classic).
    pub async fn create_user_pool_domain(
        &self,
        pool_id: &str,
        name: &str,
        custom_domain_config: Option<CustomDomainConfig>,
        managed_login_version: Option<i64>,
    ) -> Result<UserPoolDomain> {
        let kind = match &custom_domain_config {
            Some(config) => {
                domain::validate_custom_domain(name)?;
                config.validate()?;
                DomainKind::Custom
            }
            None => {
                domain::validate_prefix(name)?;
                DomainKind::Prefix
            }
        };
        let managed_login_version = managed_login_version.unwrap_or(1);
        domain::validate_managed_login_version(managed_login_version)?;
        let pool = self.pool(pool_id).await?;
        self.check_managed_login_tier(&pool, managed_login_version)?;
        let now = self.clock.now();
        let d = UserPoolDomain {
            domain: name.to_owned(),
            pool_id: pool_id.to_owned(),
            kind,
            custom_domain_config,
            managed_login_version,
            created: now,
            modified: now,
        };
        self.store.create_domain(&d).await?;
        Ok(d)
    }

    /// Cognito API: DescribeUserPoolDomain — an unknown domain is not an
    /// error: the answer is an empty DomainDescription (`None` here).
    pub async fn describe_user_pool_domain(&self, name: &str) -> Result<Option<UserPoolDomain>> {
        domain::validate_any(name)?;
        self.store.get_domain(name).await
    }

    /// Cognito API: UpdateUserPoolDomain — changes the certificate of a
    /// custom domain and the managed-login version; never the name.
    pub async fn update_user_pool_domain(
        &self,
        pool_id: &str,
        name: &str,
        custom_domain_config: Option<CustomDomainConfig>,
        managed_login_version: Option<i64>,
    ) -> Result<UserPoolDomain> {
        domain::validate_any(name)?;
        if let Some(c) = &custom_domain_config {
            c.validate()?;
        }
        if let Some(v) = managed_login_version {
            domain::validate_managed_login_version(v)?;
        }
        let pool = self.pool(pool_id).await?;
        if let Some(v) = managed_login_version {
            self.check_managed_login_tier(&pool, v)?;
        }
        let mut d = self
            .store
            .get_domain(name)
            .await?
            .filter(|d| d.pool_id == pool_id)
            .ok_or_else(no_such_domain)?;
        if let Some(c) = custom_domain_config {
            if d.kind != DomainKind::Custom {
                return Err(CognitoError::invalid_parameter(
                    "CustomDomainConfig applies to custom domains only; this is a prefix domain.",
                ));
            }
            d.custom_domain_config = Some(c);
        }
        if let Some(v) = managed_login_version {
            d.managed_login_version = v;
        }
        d.modified = self.clock.now();
        self.store.update_domain(&d).await?;
        Ok(d)
    }

    pub async fn delete_user_pool_domain(&self, pool_id: &str, name: &str) -> Result<()> {
        domain::validate_any(name)?;
        self.pool(pool_id).await?;
        if !self.store.delete_domain(pool_id, name).await? {
            return Err(no_such_domain());
        }
        Ok(())
    }

    /// The pool's prefix domain and custom domain, as DescribeUserPool
    /// shows them (`Domain`, `CustomDomain`).
    pub async fn pool_domain_names(
        &self,
        pool_id: &str,
    ) -> Result<(Option<String>, Option<String>)> {
        let mut prefix = None;
        let mut custom = None;
        for d in self.store.pool_domains(pool_id).await? {
            match d.kind {
                DomainKind::Prefix => prefix = Some(d.domain),
                DomainKind::Custom => custom = Some(d.domain),
            }
        }
        Ok((prefix, custom))
    }

    /// The pool whose hosted UI a Host header names: a custom domain exactly,
    /// or a prefix domain as `<prefix>.auth.<anything>` (so
    /// `myapp.auth.localhost:9229` is the pool that registered `myapp`).
    /// `None` when no pool has that domain.
    pub async fn pool_by_domain(&self, host: &str) -> Result<Option<UserPool>> {
        let Some(host) = normalize_host(host) else {
            return Ok(None);
        };
        let found = match self.store.get_domain(&host).await? {
            Some(d) if d.kind == DomainKind::Custom => Some(d),
            _ => match prefix_of_host(&host) {
                Some(prefix) => self
                    .store
                    .get_domain(prefix)
                    .await?
                    .filter(|d| d.kind == DomainKind::Prefix),
                None => None,
            },
        };
        match found {
            Some(d) => self.store.get_pool(&d.pool_id).await,
            None => Ok(None),
        }
    }

    /// Where the alias of a custom domain should point: this server's host
    /// (Cognito answers with its CloudFront distribution).
    pub fn cloudfront_domain(&self) -> String {
        let url = &self.settings.public_url;
        let rest = url.split_once("://").map_or(url.as_str(), |(_, r)| r);
        let host = rest.split(['/', '?', '#']).next().unwrap_or(rest);
        normalize_host(host).unwrap_or_else(|| host.to_owned())
    }
}
