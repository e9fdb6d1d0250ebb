//! Resource servers: Cognito's ResourceServerType, with the rules of
//! CreateResourceServer and UpdateResourceServer. A resource server names
//! custom OAuth scopes, which clients and tokens spell
//! `{Identifier}/{ScopeName}`.

use serde::{Deserialize, Serialize};

use super::validate;
use crate::error::{CognitoError, Result};

/// Cognito's service quota: resource servers per user pool.
pub const MAX_RESOURCE_SERVERS_PER_POOL: usize = 25;

/// Cognito API: ResourceServerScopeType.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResourceServerScope {
    pub scope_name: String,
    pub scope_description: String,
}

/// Cognito API: ResourceServerType.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResourceServer {
    pub user_pool_id: String,
    pub identifier: String,
    pub name: String,
    #[serde(default)]
    pub scopes: Vec<ResourceServerScope>,
}

/// Cognito API: ResourceServerIdentifierType — `[\x21\x23-\x5B\x5D-\x7E]+`
/// (printable ASCII without space, `"` and `\`).
fn identifier_char(c: char) -> bool {
    ('!'..='~').contains(&c) && c != '"' && c != '\\'
}

/// Cognito API: ResourceServerScopeNameType — `[\x21\x23-\x2E\x30-\x5B\x5D-\x7E]+`
/// (as an identifier, and no `/`, which separates it from the identifier).
fn scope_name_char(c: char) -> bool {
    identifier_char(c) && c != '/'
}

/// Cognito API: CreateResourceServer, Identifier — length 1–256 and its pattern.
pub fn validate_identifier(identifier: &str) -> Result<()> {
    validate::len_between("identifier", identifier, 1, 256)?;
    validate::pattern(
        "identifier",
        identifier,
        identifier_char,
        "[\\x21\\x23-\\x5B\\x5D-\\x7E]+",
    )
}

impl ResourceServer {
    /// Validates a CreateResourceServer (or UpdateResourceServer) request and
    /// builds the resource server it describes.
    pub fn new(
        user_pool_id: &str,
        identifier: &str,
        name: &str,
        scopes: Vec<ResourceServerScope>,
    ) -> Result<Self> {
        validate_identifier(identifier)?;
        // Cognito API: CreateResourceServer, Name — length 1–256, `[\w\s+=,.@-]+`.
        validate::len_between("name", name, 1, 256)?;
        validate::pattern("name", name, validate::name_chars, "[\\w\\s+=,.@-]+")?;
        // Cognito API: CreateResourceServer, Scopes — at most 100.
        validate::max_items("scopes", &scopes, 100)?;
        for (i, s) in scopes.iter().enumerate() {
            let field = format!("scopes.{}.member.scopeName", i + 1);
            validate::len_between(&field, &s.scope_name, 1, 256)?;
            validate::pattern(
                &field,
                &s.scope_name,
                scope_name_char,
                "[\\x21\\x23-\\x2E\\x30-\\x5B\\x5D-\\x7E]+",
            )?;
            let field = format!("scopes.{}.member.scopeDescription", i + 1);
            validate::len_between(&field, &s.scope_description, 1, 256)?;
        }
        for (i, s) in scopes.iter().enumerate() {
            if scopes[..i].iter().any(|t| t.scope_name == s.scope_name) {
                return Err(CognitoError::invalid_parameter(format!(
                    "Duplicate scope name {} in the resource server.",
                    s.scope_name
                )));
            }
        }
        Ok(Self {
            user_pool_id: user_pool_id.to_owned(),
            identifier: identifier.to_owned(),
            name: name.to_owned(),
            scopes,
        })
    }

    /// The scopes as clients request them and tokens carry them:
    /// `{Identifier}/{ScopeName}`.
    pub fn scope_strings(&self) -> impl Iterator<Item = String> + '_ {
        self.scopes
            .iter()
            .map(|s| format!("{}/{}", self.identifier, s.scope_name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(name: &str) -> ResourceServerScope {
        ResourceServerScope {
            scope_name: name.into(),
            scope_description: "d".into(),
        }
    }

    #[test]
    fn scopes_are_spelled_identifier_slash_name() {
        let rs = ResourceServer::new(
            "us-east-1_a",
            "https://api.example.com",
            "api",
            vec![scope("read"), scope("write")],
        )
        .unwrap();
        let all: Vec<String> = rs.scope_strings().collect();
        assert_eq!(
            all,
            [
                "https://api.example.com/read",
                "https://api.example.com/write"
            ]
        );
    }

    #[test]
    fn identifier_name_and_scope_rules() {
        let bad = |id: &str, name: &str, scopes: Vec<ResourceServerScope>| {
            ResourceServer::new("p_1", id, name, scopes)
                .unwrap_err()
                .wire_name()
        };
        assert_eq!(bad("", "n", vec![]), "InvalidParameterException");
        assert_eq!(bad("has space", "n", vec![]), "InvalidParameterException");
        assert_eq!(bad("quo\"te", "n", vec![]), "InvalidParameterException");
        assert_eq!(
            bad(&"a".repeat(257), "n", vec![]),
            "InvalidParameterException"
        );
        assert_eq!(bad("api", "bad/name", vec![]), "InvalidParameterException");
        assert_eq!(
            bad("api", "n", vec![scope("a/b")]),
            "InvalidParameterException"
        );
        assert_eq!(
            bad("api", "n", vec![scope("read"), scope("read")]),
            "InvalidParameterException"
        );
        let many: Vec<_> = (0..101).map(|i| scope(&format!("s{i}"))).collect();
        assert_eq!(bad("api", "n", many), "InvalidParameterException");
        let mut empty_description = scope("read");
        empty_description.scope_description.clear();
        assert_eq!(
            bad("api", "n", vec![empty_description]),
            "InvalidParameterException"
        );
        // `*` and URL identifiers are fine.
        assert!(ResourceServer::new("p_1", "https://x.example/v1", "n", vec![scope("*")]).is_ok());
    }
}
