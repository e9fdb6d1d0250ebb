//! The domain capability of the store (one small trait per capability),
//! one implementation for both backends. The database keeps a
//! domain unique across pools (primary key) and a pool to one domain of
//! each kind (a unique key), under concurrent writers and across nodes.

use async_trait::async_trait;
use sqlx::Row;

use super::common::{db, from_json, is_fk_violation, is_unique_violation, pool_not_found, to_json};
use crate::clock::Timestamp;
use crate::error::{CognitoError, Result};
use crate::model::domain::{CustomDomainConfig, DomainKind, UserPoolDomain};

#[async_trait]
pub trait DomainStore: Send + Sync {
    /// Adds a domain to its pool. ResourceNotFound if the pool is gone;
    /// InvalidParameter if the domain is taken (by any pool) or the pool
    /// already has a domain of that kind.
    async fn create_domain(&self, domain: &UserPoolDomain) -> Result<()>;
    /// The domain with this name, of any pool.
    async fn get_domain(&self, domain: &str) -> Result<Option<UserPoolDomain>>;
    /// A pool's domains (at most one of each kind).
    async fn pool_domains(&self, pool_id: &str) -> Result<Vec<UserPoolDomain>>;
    /// Replaces a domain's settings; InvalidParameter if the pool has no
    /// such domain.
    async fn update_domain(&self, domain: &UserPoolDomain) -> Result<()>;
    /// False if the pool has no such domain.
    async fn delete_domain(&self, pool_id: &str, domain: &str) -> Result<bool>;
}

/// Cognito API: CreateUserPoolDomain — a domain belongs to one pool.
fn taken(existing_pool: Option<&str>, domain: &UserPoolDomain) -> CognitoError {
    if existing_pool == Some(domain.pool_id.as_str()) {
        CognitoError::invalid_parameter(format!(
            "Domain {} is already associated with this user pool.",
            domain.domain
        ))
    } else {
        CognitoError::invalid_parameter("Domain already associated with another user pool.")
    }
}

/// Cognito API: CreateUserPoolDomain — one prefix domain (and one custom
/// domain) per pool.
fn pool_has_one(domain: &UserPoolDomain) -> CognitoError {
    CognitoError::invalid_parameter(match domain.kind {
        DomainKind::Prefix => "User pool already has a domain configured.",
        DomainKind::Custom => "User pool already has a custom domain configured.",
    })
}

pub(crate) fn no_such_domain() -> CognitoError {
    CognitoError::invalid_parameter("No such domain or user pool exists.")
}

fn config_json(domain: &UserPoolDomain) -> Result<Option<String>> {
    domain
        .custom_domain_config
        .as_ref()
        .map(to_json)
        .transpose()
}

const COLUMNS: &str =
    "domain, pool_id, kind, custom_config, managed_login_version, created, modified";
const OWNER: &str = "SELECT pool_id FROM domains WHERE domain = $1";
const UPDATE: &str = "UPDATE domains SET custom_config = $1, managed_login_version = $2, \
     modified = $3 WHERE domain = $4 AND pool_id = $5";
const DELETE: &str = "DELETE FROM domains WHERE domain = $1 AND pool_id = $2";

each_backend! {
    fn domain_from_row(row: &DbRow) -> Result<UserPoolDomain> {
        let kind: String = row.try_get("kind").map_err(db)?;
        let config: Option<String> = row.try_get("custom_config").map_err(db)?;
        Ok(UserPoolDomain {
            domain: row.try_get("domain").map_err(db)?,
            pool_id: row.try_get("pool_id").map_err(db)?,
            kind: DomainKind::parse(&kind)
                .ok_or_else(|| CognitoError::internal(format!("bad domain kind {kind}")))?,
            custom_domain_config: config
                .map(|c| from_json::<CustomDomainConfig>(&c))
                .transpose()?,
            managed_login_version: row.try_get("managed_login_version").map_err(db)?,
            created: Timestamp(row.try_get("created").map_err(db)?),
            modified: Timestamp(row.try_get("modified").map_err(db)?),
        })
    }

    #[async_trait]
    impl DomainStore for DbStore {
        async fn create_domain(&self, d: &UserPoolDomain) -> Result<()> {
            let r = sqlx::query(&format!(
                "INSERT INTO domains ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
            ))
            .bind(&d.domain)
            .bind(&d.pool_id)
            .bind(d.kind.as_str())
            .bind(config_json(d)?)
            .bind(d.managed_login_version)
            .bind(d.created.0)
            .bind(d.modified.0)
            .execute(self.writer())
            .await;
            match r {
                Ok(_) => Ok(()),
                Err(e) if is_fk_violation(&e) => Err(pool_not_found(&d.pool_id)),
                Err(e) if is_unique_violation(&e) => {
                    // Which key clashed: the domain's own (it has an owner
                    // now), or else the pool's one domain per kind.
                    let owner: Option<String> = sqlx::query_scalar(OWNER)
                        .bind(&d.domain)
                        .fetch_optional(self.writer())
                        .await
                        .map_err(db)?;
                    match owner {
                        Some(owner) => Err(taken(Some(owner.as_str()), d)),
                        None => Err(pool_has_one(d)),
                    }
                }
                Err(e) => Err(db(e)),
            }
        }

        async fn get_domain(&self, domain: &str) -> Result<Option<UserPoolDomain>> {
            sqlx::query(&format!("SELECT {COLUMNS} FROM domains WHERE domain = $1"))
                .bind(domain)
                .fetch_optional(self.reader())
                .await
                .map_err(db)?
                .as_ref()
                .map(domain_from_row)
                .transpose()
        }

        async fn pool_domains(&self, pool_id: &str) -> Result<Vec<UserPoolDomain>> {
            sqlx::query(&format!(
                "SELECT {COLUMNS} FROM domains WHERE pool_id = $1 ORDER BY kind DESC"
            ))
            .bind(pool_id)
            .fetch_all(self.reader())
            .await
            .map_err(db)?
            .iter()
            .map(domain_from_row)
            .collect()
        }

        async fn update_domain(&self, d: &UserPoolDomain) -> Result<()> {
            let query = sqlx::query(UPDATE)
                .bind(config_json(d)?)
                .bind(d.managed_login_version)
                .bind(d.modified.0)
                .bind(&d.domain)
                .bind(&d.pool_id);
            if self.affected(query).await? == 0 {
                return Err(no_such_domain());
            }
            Ok(())
        }

        async fn delete_domain(&self, pool_id: &str, domain: &str) -> Result<bool> {
            let query = sqlx::query(DELETE).bind(domain).bind(pool_id);
            Ok(self.affected(query).await? > 0)
        }
    }
}
