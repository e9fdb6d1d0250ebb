//! ListUsers: Cognito's filter language — `attr = "value"` (exact) and
//! `attr ^= "value"` (prefix) on the indexed attributes — answered from the
//! store's index, a page at a time.

use super::Idp;
use crate::error::{CognitoError, Result};
use crate::model::User;
use crate::model::user::INDEXED_ATTRIBUTES;
use crate::store::{Page, UserFilter};

fn parse_error() -> CognitoError {
    CognitoError::invalid_parameter("Error while parsing filter.")
}

/// Parses a ListUsers Filter (Cognito API: ListUsers, Filter): an attribute
/// name, `=` or `^=` with optional spaces around it, and a value in double
/// quotes where `\"` and `\\` escape. An empty filter lists everyone.
pub fn parse_filter(filter: &str) -> Result<Option<UserFilter>> {
    // Cognito API: ListUsers, Filter — at most 256 characters.
    crate::model::validate::len_between("filter", filter, 0, 256)?;
    let text = filter.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let name_end = text
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
        .ok_or_else(parse_error)?;
    let attribute = &text[..name_end];
    let rest = text[name_end..].trim_start();
    let (prefix, rest) = if let Some(r) = rest.strip_prefix("^=") {
        (true, r)
    } else if let Some(r) = rest.strip_prefix('=') {
        (false, r)
    } else {
        return Err(parse_error());
    };
    let mut chars = rest.trim_start().chars();
    if chars.next() != Some('"') {
        return Err(parse_error());
    }
    let mut value = String::new();
    let mut closed = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(e @ ('"' | '\\')) => value.push(e),
                _ => return Err(parse_error()),
            },
            '"' => {
                closed = true;
                break;
            }
            c => value.push(c),
        }
    }
    if !closed || !chars.as_str().trim().is_empty() {
        return Err(parse_error());
    }
    if attribute.is_empty() {
        return Err(parse_error());
    }
    if !INDEXED_ATTRIBUTES.contains(&attribute) {
        return Err(CognitoError::invalid_parameter(format!(
            "Invalid search attribute: {attribute}. Filters work on: {}.",
            INDEXED_ATTRIBUTES.join(", ")
        )));
    }
    // Cognito API: ListUsers, Filter — `status` (Enabled/Disabled) is
    // matched case-insensitively; the index holds its two title-case words.
    if attribute == "status" {
        value = title_case(&value);
    }
    let attribute = attribute.to_owned();
    Ok(Some(if prefix {
        UserFilter::Prefix { attribute, value }
    } else {
        UserFilter::Equals { attribute, value }
    }))
}

/// `eNaBlEd` → `Enabled`.
fn title_case(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first
            .to_uppercase()
            .chain(chars.flat_map(char::to_lowercase))
            .collect(),
        None => String::new(),
    }
}

impl Idp {
    /// ListUsers. `attributes_to_get` names must be in the pool's schema;
    /// the caller shows only those.
    pub async fn list_users(
        &self,
        pool_id: &str,
        filter: Option<&str>,
        limit: Option<i64>,
        token: Option<&str>,
        attributes_to_get: Option<&[String]>,
    ) -> Result<Page<User>> {
        let pool = self.pool(pool_id).await?;
        let limit = super::page_size(limit, 60, "limit")?;
        let filter = parse_filter(filter.unwrap_or(""))?;
        for name in attributes_to_get.unwrap_or(&[]) {
            if !pool.schema_attributes.iter().any(|s| &s.name == name) {
                return Err(CognitoError::invalid_parameter(format!(
                    "One or more requested attributes do not exist: {name}"
                )));
            }
        }
        self.store
            .list_users(&pool.id, filter.as_ref(), limit, token)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eq(a: &str, v: &str) -> Option<UserFilter> {
        Some(UserFilter::Equals {
            attribute: a.into(),
            value: v.into(),
        })
    }

    #[test]
    fn grammar() {
        assert_eq!(parse_filter("").unwrap(), None);
        assert_eq!(parse_filter("  ").unwrap(), None);
        assert_eq!(
            parse_filter("email = \"a@b.example\"").unwrap(),
            eq("email", "a@b.example")
        );
        assert_eq!(parse_filter("email=\"x\"").unwrap(), eq("email", "x"));
        assert_eq!(
            parse_filter("cognito:user_status=\"UNCONFIRMED\"").unwrap(),
            eq("cognito:user_status", "UNCONFIRMED")
        );
        assert_eq!(
            parse_filter("name ^= \"Jo\"").unwrap(),
            Some(UserFilter::Prefix {
                attribute: "name".into(),
                value: "Jo".into()
            })
        );
        assert_eq!(
            parse_filter(r#"name = "say \"hi\" \\ ok""#).unwrap(),
            eq("name", r#"say "hi" \ ok"#)
        );
        assert_eq!(parse_filter("name = \"\"").unwrap(), eq("name", ""));
        // status is case-insensitive, cognito:user_status is not.
        assert_eq!(
            parse_filter("status = \"dISABLED\"").unwrap(),
            eq("status", "Disabled")
        );
        assert_eq!(
            parse_filter("status ^= \"en\"").unwrap(),
            Some(UserFilter::Prefix {
                attribute: "status".into(),
                value: "En".into()
            })
        );
        assert_eq!(
            parse_filter("cognito:user_status = \"confirmed\"").unwrap(),
            eq("cognito:user_status", "confirmed")
        );
        for bad in [
            "email",
            "email = a",
            "email = \"a",
            "email != \"a\"",
            "email = \"a\" extra",
            "= \"a\"",
            "email = \"a\\x\"",
            "email ~ \"a\"",
        ] {
            assert_eq!(
                parse_filter(bad).unwrap_err().wire_name(),
                "InvalidParameterException",
                "{bad}"
            );
        }
        assert!(
            parse_filter("custom:tier = \"1\"")
                .unwrap_err()
                .message()
                .contains("Invalid search attribute")
        );
        assert!(parse_filter(&format!("name = \"{}\"", "x".repeat(300))).is_err());
    }
}
