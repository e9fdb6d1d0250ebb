//! Groups: Cognito's GroupType, with the rules of CreateGroup and UpdateGroup.

use serde::{Deserialize, Serialize};

use super::validate;
use crate::clock::Timestamp;
use crate::error::{CognitoError, Result};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Group {
    pub group_name: String,
    pub user_pool_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precedence: Option<i64>,
    pub creation_date: Timestamp,
    pub last_modified_date: Timestamp,
}

impl Group {
    pub fn new(
        user_pool_id: &str,
        group_name: &str,
        description: Option<String>,
        role_arn: Option<String>,
        precedence: Option<i64>,
        now: Timestamp,
    ) -> Result<Self> {
        validate::len_between("groupName", group_name, 1, 128)?;
        validate::pattern(
            "groupName",
            group_name,
            validate::visible_chars,
            "[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+",
        )?;
        let group = Self {
            group_name: group_name.to_owned(),
            user_pool_id: user_pool_id.to_owned(),
            description,
            role_arn,
            precedence,
            creation_date: now,
            last_modified_date: now,
        };
        group.validate()?;
        Ok(group)
    }

    pub fn validate(&self) -> Result<()> {
        if let Some(d) = &self.description {
            validate::len_between("description", d, 0, 2048)?;
        }
        if let Some(r) = &self.role_arn {
            validate::len_between("roleArn", r, 20, 2048)?;
            if !r.starts_with("arn:") {
                return Err(CognitoError::invalid_parameter(
                    "1 validation error detected: Value at 'roleArn' failed to satisfy constraint: \
                     Member must satisfy regular expression pattern: arn:[\\w+=/,.@-]+:[\\w+=/,.@-]+:([\\w+=/,.@-]*)?:[0-9]+:[\\w+=/,.@-]+(:[\\w+=/,.@-]+)?(:[\\w+=/,.@-]+)?",
                ));
            }
        }
        if let Some(p) = self.precedence {
            validate::int_between("precedence", p, 0, i32::MAX as i64)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_rules() {
        assert!(Group::new("p_1", "admins", None, None, Some(1), Timestamp(0)).is_ok());
        assert!(Group::new("p_1", "", None, None, None, Timestamp(0)).is_err());
        assert!(Group::new("p_1", "a b", None, None, None, Timestamp(0)).is_err());
        assert!(
            Group::new(
                "p_1",
                "g",
                None,
                Some("not-an-arn-but-long-enough".into()),
                None,
                Timestamp(0)
            )
            .is_err()
        );
        assert!(Group::new("p_1", "g", None, None, Some(-1), Timestamp(0)).is_err());
    }
}
