//! Identity pools (Cognito Identity API: IdentityPool, RoleMapping,
//! MappingRule) and their identities, shaped as the cognito-identity API
//! names them, each with the validation rules of its API reference.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::validate;
use crate::clock::Timestamp;
use crate::error::{CognitoError, Result};

/// Cognito Identity API: CognitoIdentityProvider.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CognitoIdentityProvider {
    #[serde(default)]
    pub provider_name: Option<String>,
    #[serde(default)]
    pub client_id: Option<String>,
    #[serde(default)]
    pub server_side_token_check: Option<bool>,
}

/// Cognito Identity API: IdentityPool (what CreateIdentityPool takes and
/// DescribeIdentityPool answers), less the id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct IdentityPoolConfig {
    pub identity_pool_name: String,
    pub allow_unauthenticated_identities: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_classic_flow: Option<bool>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub supported_login_providers: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub developer_provider_name: Option<String>,
    #[serde(default, rename = "OpenIdConnectProviderARNs")]
    pub open_id_connect_provider_arns: Vec<String>,
    #[serde(default)]
    pub cognito_identity_providers: Vec<CognitoIdentityProvider>,
    #[serde(default, rename = "SamlProviderARNs")]
    pub saml_provider_arns: Vec<String>,
    #[serde(default)]
    pub identity_pool_tags: BTreeMap<String, String>,
}

/// Cognito Identity API: MappingRule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MappingRule {
    pub claim: String,
    pub match_type: String,
    pub value: String,
    #[serde(rename = "RoleARN")]
    pub role_arn: String,
}

/// Cognito Identity API: RulesConfigurationType.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RulesConfiguration {
    pub rules: Vec<MappingRule>,
}

/// Cognito Identity API: RoleMapping.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RoleMapping {
    #[serde(rename = "Type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ambiguous_role_resolution: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rules_configuration: Option<RulesConfiguration>,
}

/// A provider's principal tags (SetPrincipalTagAttributeMap).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PrincipalTagMap {
    pub use_defaults: bool,
    #[serde(default)]
    pub principal_tags: BTreeMap<String, String>,
}

/// An identity pool as stored: its configuration, roles, role mappings and
/// principal tag maps.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityPool {
    pub id: String,
    pub config: IdentityPoolConfig,
    #[serde(default)]
    pub roles: BTreeMap<String, String>,
    #[serde(default)]
    pub role_mappings: BTreeMap<String, RoleMapping>,
    #[serde(default)]
    pub principal_tags: BTreeMap<String, PrincipalTagMap>,
    pub created: Timestamp,
    pub modified: Timestamp,
}

/// One login linked to an identity: the provider's name as Cognate keeps
/// it (a user pool as `cognito-idp.<region>.amazonaws.com/<poolId>`) and
/// the provider's subject.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityLogin {
    pub provider: String,
    pub subject: String,
}

/// An identity of a pool.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub id: String,
    pub pool_id: String,
    pub logins: Vec<IdentityLogin>,
    pub created: Timestamp,
    pub modified: Timestamp,
    /// Its last login was unlinked: inaccessible (Cognito Identity API:
    /// UnlinkIdentity, UnlinkDeveloperIdentity), hidden by ListIdentities
    /// under HideDisabled.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub disabled: bool,
}

/// Cognito Identity API: IdentityPoolId pattern `[\w-]+:[0-9a-f-]+`, 1–55.
pub fn is_valid_pool_id(id: &str) -> bool {
    is_region_uuid(id)
}

/// Cognito Identity API: IdentityId pattern `[\w-]+:[0-9a-f-]+`, 1–55.
pub fn is_valid_identity_id(id: &str) -> bool {
    is_region_uuid(id)
}

fn is_region_uuid(id: &str) -> bool {
    id.len() <= 55
        && match id.split_once(':') {
            Some((region, rest)) => {
                !region.is_empty()
                    && region
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                    && !rest.is_empty()
                    && rest.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
            }
            None => false,
        }
}

/// `<region>:<uuid>`, the shape of identity pool and identity ids.
pub fn new_id(region: &str) -> String {
    format!("{region}:{}", uuid::Uuid::new_v4())
}

pub fn check_pool_id(id: &str) -> Result<()> {
    if is_valid_pool_id(id) {
        return Ok(());
    }
    Err(CognitoError::invalid_parameter(
        "1 validation error detected: Value at 'identityPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w-]+:[0-9a-f-]+",
    ))
}

pub fn check_identity_id(id: &str) -> Result<()> {
    if is_valid_identity_id(id) {
        return Ok(());
    }
    Err(CognitoError::invalid_parameter(
        "1 validation error detected: Value at 'identityId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w-]+:[0-9a-f-]+",
    ))
}

/// IAM role ARNs: `arn:aws:iam::<account>:role/<path/name>`, 20–2048.
pub fn check_role_arn(field: &str, arn: &str) -> Result<()> {
    validate::len_between(field, arn, 20, 2048)?;
    if parse_role_arn(arn).is_none() {
        return Err(CognitoError::invalid_parameter(format!(
            "1 validation error detected: Value '{arn}' at '{field}' is not a valid IAM role ARN (arn:aws:iam::<account>:role/<name>)."
        )));
    }
    Ok(())
}

/// The account and role name of an IAM role ARN.
pub fn parse_role_arn(arn: &str) -> Option<(&str, &str)> {
    let rest = arn.strip_prefix("arn:")?;
    let mut parts = rest.splitn(5, ':');
    let partition = parts.next()?;
    let service = parts.next()?;
    let _region = parts.next()?;
    let account = parts.next()?;
    let resource = parts.next()?;
    if partition.is_empty() || service != "iam" || account.is_empty() {
        return None;
    }
    if !account.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let path = resource.strip_prefix("role/")?;
    let name = path.rsplit('/').next()?;
    let ok = |c: char| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c);
    (!name.is_empty() && name.chars().all(ok)).then_some((account, name))
}

impl IdentityPoolConfig {
    /// Cognito Identity API: CreateIdentityPool, Request Parameters.
    pub fn validate(&self) -> Result<()> {
        validate::len_between("identityPoolName", &self.identity_pool_name, 1, 128)?;
        validate::pattern(
            "identityPoolName",
            &self.identity_pool_name,
            validate::name_chars,
            "[\\w\\s+=,.@-]+",
        )?;
        if self.supported_login_providers.len() > 10 {
            return Err(CognitoError::invalid_parameter(
                "1 validation error detected: Value at 'supportedLoginProviders' failed to satisfy constraint: Member must have length less than or equal to 10",
            ));
        }
        for (k, v) in &self.supported_login_providers {
            validate::len_between("supportedLoginProviders.key", k, 1, 128)?;
            validate::len_between("supportedLoginProviders.value", v, 1, 128)?;
        }
        if let Some(d) = &self.developer_provider_name {
            validate::len_between("developerProviderName", d, 1, 128)?;
            validate::pattern(
                "developerProviderName",
                d,
                |c| c.is_alphanumeric() || "_.-".contains(c),
                "[\\w._-]+",
            )?;
        }
        for arn in self
            .open_id_connect_provider_arns
            .iter()
            .chain(&self.saml_provider_arns)
        {
            validate::len_between("providerARN", arn, 20, 2048)?;
            if !arn.starts_with("arn:") {
                return Err(CognitoError::invalid_parameter(format!(
                    "1 validation error detected: Value '{arn}' is not a valid ARN."
                )));
            }
        }
        for p in &self.cognito_identity_providers {
            let name = p.provider_name.as_deref().unwrap_or_default();
            validate::len_between("cognitoIdentityProviders.member.providerName", name, 1, 128)?;
            if user_pool_of_provider(name).is_none() {
                return Err(CognitoError::invalid_parameter(format!(
                    "Invalid provider name {name}: expected cognito-idp.<region>.amazonaws.com/<userPoolId> or a Cognate issuer without its scheme."
                )));
            }
            let client = p.client_id.as_deref().unwrap_or_default();
            validate::len_between("cognitoIdentityProviders.member.clientId", client, 1, 128)?;
            validate::pattern(
                "cognitoIdentityProviders.member.clientId",
                client,
                |c| c.is_ascii_alphanumeric() || c == '_',
                "[\\w_]+",
            )?;
        }
        if self.identity_pool_tags.len() > 50 {
            return Err(CognitoError::invalid_parameter(
                "1 validation error detected: Value at 'identityPoolTags' failed to satisfy constraint: Member must have length less than or equal to 50",
            ));
        }
        for (k, v) in &self.identity_pool_tags {
            validate::len_between("identityPoolTags.key", k, 1, 128)?;
            validate::len_between("identityPoolTags.value", v, 0, 256)?;
        }
        Ok(())
    }
}

/// The user pool id a provider name names: `cognito-idp.<region>.amazonaws.com/<poolId>`
/// or `<host>/<poolId>` (a Cognate issuer without its scheme). The caller
/// checks the host against its own issuer where it matters.
pub fn user_pool_of_provider(name: &str) -> Option<&str> {
    let (_host, pool) = name.rsplit_once('/')?;
    crate::ids::is_valid_user_pool_id(pool).then_some(pool)
}

/// The canonical name a user pool login is kept under, whichever of its
/// two names the client used.
pub fn user_pool_provider_name(pool_id: &str) -> String {
    let region = crate::ids::region_of(pool_id).unwrap_or("us-east-1");
    format!("cognito-idp.{region}.amazonaws.com/{pool_id}")
}

const MATCH_TYPES: &[&str] = &["Equals", "Contains", "StartsWith", "NotEqual"];

impl RoleMapping {
    /// Cognito Identity API: SetIdentityPoolRoles, RoleMapping.
    pub fn validate(&self, key: &str) -> Result<()> {
        let field = format!("roleMappings.{key}");
        match self.kind.as_str() {
            "Token" | "Rules" => {}
            other => {
                return Err(CognitoError::invalid_parameter(format!(
                    "1 validation error detected: Value '{other}' at '{field}.member.type' failed to satisfy constraint: Member must satisfy enum value set: [Token, Rules]"
                )));
            }
        }
        if let Some(a) = &self.ambiguous_role_resolution
            && a != "AuthenticatedRole"
            && a != "Deny"
        {
            return Err(CognitoError::invalid_parameter(format!(
                "1 validation error detected: Value '{a}' at '{field}.member.ambiguousRoleResolution' failed to satisfy constraint: Member must satisfy enum value set: [AuthenticatedRole, Deny]"
            )));
        }
        if self.kind == "Token" || self.kind == "Rules" {
            // Cognito Identity API: RoleMapping — "Required if you specify
            // Token or Rules as the Type."
            if self.ambiguous_role_resolution.is_none() {
                return Err(CognitoError::invalid_parameter(format!(
                    "AmbiguousRoleResolution must be set for {field}."
                )));
            }
        }
        if self.kind == "Rules" {
            let rules = self
                .rules_configuration
                .as_ref()
                .map(|r| r.rules.as_slice())
                .unwrap_or_default();
            if rules.is_empty() || rules.len() > 25 {
                return Err(CognitoError::invalid_parameter(format!(
                    "RulesConfiguration of {field} must have between 1 and 25 rules."
                )));
            }
            for r in rules {
                validate::len_between("mappingRule.claim", &r.claim, 1, 64)?;
                validate::len_between("mappingRule.value", &r.value, 1, 128)?;
                if !MATCH_TYPES.contains(&r.match_type.as_str()) {
                    return Err(CognitoError::invalid_parameter(format!(
                        "1 validation error detected: Value '{}' at 'mappingRule.matchType' failed to satisfy constraint: Member must satisfy enum value set: [Equals, Contains, StartsWith, NotEqual]",
                        r.match_type
                    )));
                }
                check_role_arn("mappingRule.roleARN", &r.role_arn)?;
            }
        }
        Ok(())
    }
}

impl MappingRule {
    /// Whether a claim's value meets this rule.
    pub fn matches(&self, claim: &str) -> bool {
        match self.match_type.as_str() {
            "Equals" => claim == self.value,
            "Contains" => claim.contains(&self.value),
            "StartsWith" => claim.starts_with(&self.value),
            "NotEqual" => claim != self.value,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_the_region_uuid_shape() {
        let id = new_id("us-east-1");
        assert!(is_valid_pool_id(&id));
        assert!(!is_valid_pool_id("us-east-1_abc"));
        assert!(!is_valid_pool_id("us-east-1:xyz"));
    }

    #[test]
    fn role_arns_parse() {
        assert_eq!(
            parse_role_arn("arn:aws:iam::123456789012:role/path/Cognito_Auth"),
            Some(("123456789012", "Cognito_Auth"))
        );
        assert_eq!(parse_role_arn("arn:aws:s3:::bucket"), None);
        assert_eq!(parse_role_arn("arn:aws:iam::123:user/bob"), None);
    }

    #[test]
    fn provider_names_name_a_user_pool() {
        assert_eq!(
            user_pool_of_provider("cognito-idp.us-east-1.amazonaws.com/us-east-1_abc123"),
            Some("us-east-1_abc123")
        );
        assert_eq!(
            user_pool_of_provider("localhost:9229/us-east-1_abc123"),
            Some("us-east-1_abc123")
        );
        assert_eq!(user_pool_of_provider("accounts.google.com"), None);
    }

    #[test]
    fn rules_match_as_documented() {
        let rule = |t: &str| MappingRule {
            claim: "c".into(),
            match_type: t.into(),
            value: "adm".into(),
            role_arn: "arn:aws:iam::1:role/r".into(),
        };
        assert!(rule("Equals").matches("adm"));
        assert!(rule("Contains").matches("badmin"));
        assert!(rule("StartsWith").matches("admin"));
        assert!(rule("NotEqual").matches("user"));
        assert!(!rule("Bogus").matches("adm"));
    }
}
