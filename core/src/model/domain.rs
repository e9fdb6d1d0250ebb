//! User pool domains: where a pool's hosted UI and OAuth endpoints answer
//! (Cognito API: CreateUserPoolDomain, DomainDescriptionType). A pool has at
//! most one prefix domain (`<prefix>.auth.<host>`) and one custom domain (a
//! full host name with its certificate); every domain belongs to one pool.

use serde::{Deserialize, Serialize};

use super::validate;
use crate::clock::Timestamp;
use crate::error::{CognitoError, Result};

/// The label between a prefix and the server's host: `<prefix>.auth.…`, as
/// in Cognito's `<prefix>.auth.<region>.amazoncognito.com`.
pub const PREFIX_DOMAIN_LABEL: &str = "auth";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DomainKind {
    /// A Cognito prefix domain: one DNS label.
    Prefix,
    /// A custom domain: a host name the pool's owner controls.
    Custom,
}

impl DomainKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Prefix => "prefix",
            Self::Custom => "custom",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "prefix" => Some(Self::Prefix),
            "custom" => Some(Self::Custom),
            _ => None,
        }
    }
}

/// Cognito API: CustomDomainConfigType.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CustomDomainConfig {
    pub certificate_arn: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_policy: Option<String>,
}

/// Cognito API: SecurityPolicyType.
const SECURITY_POLICIES: &[&str] = &["TLS_V1", "TLS_V1_2_2021", "TLS_V1_3_2025"];

impl CustomDomainConfig {
    pub fn validate(&self) -> Result<()> {
        let field = "customDomainConfig.certificateArn";
        validate::len_between(field, &self.certificate_arn, 20, 2048)?;
        if !is_arn(&self.certificate_arn) {
            return Err(CognitoError::invalid_parameter(format!(
                "1 validation error detected: Value at '{field}' failed to satisfy constraint: \
                 Member must satisfy regular expression pattern: \
                 arn:[\\w+=/,.@-]+:[\\w+=/,.@-]+:([\\w+=/,.@-]*)?:[0-9]+:[\\w+=/,.@-]+(:[\\w+=/,.@-]+)?(:[\\w+=/,.@-]+)?"
            )));
        }
        if let Some(p) = &self.security_policy
            && !SECURITY_POLICIES.contains(&p.as_str())
        {
            return Err(CognitoError::invalid_parameter(format!(
                "1 validation error detected: Value '{p}' at 'customDomainConfig.securityPolicy' \
                 failed to satisfy constraint: Member must satisfy enum value set: {SECURITY_POLICIES:?}"
            )));
        }
        Ok(())
    }
}

/// Cognito API: ArnType —
/// `arn:P:S:(R)?:[0-9]+:X(:X)?(:X)?` with `P, S, R, X` in `[\w+=/,.@-]`.
fn is_arn(arn: &str) -> bool {
    let word = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_alphanumeric() || c == '_' || "+=/,.@-".contains(c))
    };
    let parts: Vec<&str> = arn.split(':').collect();
    (6..=8).contains(&parts.len())
        && parts[0] == "arn"
        && word(parts[1])
        && word(parts[2])
        && (parts[3].is_empty() || word(parts[3]))
        && !parts[4].is_empty()
        && parts[4].bytes().all(|b| b.is_ascii_digit())
        && parts[5..].iter().all(|p| word(p))
}

/// A domain of a pool, as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserPoolDomain {
    /// The prefix alone, or the custom domain's full host name (lowercase).
    pub domain: String,
    pub pool_id: String,
    pub kind: DomainKind,
    /// Custom domains only.
    pub custom_domain_config: Option<CustomDomainConfig>,
    /// 1: hosted UI (classic); 2: managed login.
    pub managed_login_version: i64,
    pub created: Timestamp,
    pub modified: Timestamp,
}

/// Cognito API: DomainType — `^[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?$`:
/// one DNS label of lowercase letters, digits and inner hyphens.
fn is_label(s: &str) -> bool {
    (1..=63).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// Checks a prefix for CreateUserPoolDomain.
pub fn validate_prefix(prefix: &str) -> Result<()> {
    validate::len_between("domain", prefix, 1, 63)?;
    if !is_label(prefix) {
        return Err(CognitoError::invalid_parameter(
            "1 validation error detected: Value at 'domain' failed to satisfy constraint: \
             Member must satisfy regular expression pattern: ^[a-z0-9](?:[a-z0-9\\-]{0,61}[a-z0-9])?$",
        ));
    }
    // Cognito developer guide, "Using the Amazon Cognito prefix domain": a
    // prefix can't contain the reserved words aws, amazon or cognito.
    if let Some(word) = ["aws", "amazon", "cognito"]
        .into_iter()
        .find(|w| prefix.contains(w))
    {
        return Err(CognitoError::invalid_parameter(format!(
            "The domain prefix {prefix} contains the reserved word {word}; prefixes can't contain aws, amazon or cognito."
        )));
    }
    Ok(())
}

/// Checks a custom domain's host name: dot-separated labels, as DomainType
/// allows each one, at least two of them, 253 characters at most.
pub fn validate_custom_domain(domain: &str) -> Result<()> {
    let labels: Vec<&str> = domain.split('.').collect();
    if domain.len() > 253 || labels.len() < 2 || !labels.iter().all(|l| is_label(l)) {
        return Err(CognitoError::invalid_parameter(format!(
            "Custom domain {domain} is not a valid fully-qualified domain name: use lowercase labels of letters, digits and hyphens separated by dots, such as auth.example.com."
        )));
    }
    Ok(())
}

/// Checks a domain named in a request that may be either kind
/// (DescribeUserPoolDomain, UpdateUserPoolDomain, DeleteUserPoolDomain).
pub fn validate_any(domain: &str) -> Result<()> {
    if domain.contains('.') {
        validate_custom_domain(domain)
    } else {
        validate::len_between("domain", domain, 1, 63)?;
        if is_label(domain) {
            Ok(())
        } else {
            Err(CognitoError::invalid_parameter(
                "1 validation error detected: Value at 'domain' failed to satisfy constraint: \
                 Member must satisfy regular expression pattern: ^[a-z0-9](?:[a-z0-9\\-]{0,61}[a-z0-9])?$",
            ))
        }
    }
}

/// Cognito API: CreateUserPoolDomain, ManagedLoginVersion — 1 (hosted UI,
/// classic) or 2 (managed login); 1 when left out.
pub fn validate_managed_login_version(v: i64) -> Result<()> {
    if v == 1 || v == 2 {
        Ok(())
    } else {
        Err(CognitoError::invalid_parameter(format!(
            "ManagedLoginVersion {v} is not valid: use 1 (hosted UI, classic) or 2 (managed login)."
        )))
    }
}

/// Where a Host header points, as domain look-ups need it: lowercased,
/// without port and trailing dot. `None` for an empty or malformed host.
pub fn normalize_host(host: &str) -> Option<String> {
    let host = host.trim();
    // An IPv6 literal has no domain.
    if host.starts_with('[') {
        return None;
    }
    let name = match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        Some(_) => return None,
        None => host,
    };
    let name = name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase();
    (!name.is_empty()).then_some(name)
}

/// The prefix a host names when it has the shape `<prefix>.auth.<anything>`.
pub fn prefix_of_host(host: &str) -> Option<&str> {
    let (prefix, rest) = host.split_once('.')?;
    let (label, parent) = rest.split_once('.')?;
    (label == PREFIX_DOMAIN_LABEL && !parent.is_empty() && is_label(prefix)).then_some(prefix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_rules() {
        assert!(validate_prefix("myapp").is_ok());
        assert!(validate_prefix("my-app-2").is_ok());
        assert!(validate_prefix("a").is_ok());
        for bad in [
            "",
            "-app",
            "app-",
            "My-App",
            "my_app",
            "my.app",
            "myaws",
            "amazonia",
            "cognito-x",
        ] {
            assert_eq!(
                validate_prefix(bad).unwrap_err().wire_name(),
                "InvalidParameterException",
                "{bad}"
            );
        }
        assert!(validate_prefix(&"a".repeat(63)).is_ok());
        assert!(validate_prefix(&"a".repeat(64)).is_err());
    }

    #[test]
    fn custom_domain_rules() {
        assert!(validate_custom_domain("auth.example.com").is_ok());
        assert!(validate_custom_domain("login.myapp.test").is_ok());
        for bad in [
            "localhost",
            "Auth.example.com",
            "auth..example.com",
            "-a.example.com",
            "a b.com",
        ] {
            assert!(validate_custom_domain(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn certificate_arns() {
        let ok = CustomDomainConfig {
            certificate_arn: "arn:aws:acm:us-east-1:123456789012:certificate/abc-123".into(),
            security_policy: None,
        };
        assert!(ok.validate().is_ok());
        let bad = CustomDomainConfig {
            certificate_arn: "not-an-arn-at-all-really".into(),
            security_policy: None,
        };
        assert!(bad.validate().is_err());
        let bad_policy = CustomDomainConfig {
            security_policy: Some("TLS_V0".into()),
            ..ok
        };
        assert!(bad_policy.validate().is_err());
    }

    #[test]
    fn hosts_name_prefixes() {
        assert_eq!(
            normalize_host("MyApp.Auth.localhost:9229").as_deref(),
            Some("myapp.auth.localhost")
        );
        assert_eq!(
            normalize_host("auth.example.com.").as_deref(),
            Some("auth.example.com")
        );
        assert_eq!(normalize_host("[::1]:9229"), None);
        assert_eq!(prefix_of_host("myapp.auth.localhost"), Some("myapp"));
        assert_eq!(
            prefix_of_host("myapp.auth.us-east-1.example.com"),
            Some("myapp")
        );
        assert_eq!(prefix_of_host("myapp.login.localhost"), None);
        assert_eq!(prefix_of_host("auth.localhost"), None);
        assert_eq!(prefix_of_host("localhost"), None);
    }
}
