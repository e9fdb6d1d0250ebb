//! User attributes and the pool schema that constrains them: the standard
//! OIDC attributes every pool has, and up to 50 `custom:` attributes.

use serde::{Deserialize, Serialize};

use super::validate;
use crate::error::{CognitoError, Result};

/// A `{Name, Value}` pair, as Cognito's AttributeType.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttributeType {
    pub name: String,
    #[serde(default)]
    pub value: String,
}

impl AttributeType {
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            value: value.into(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum AttributeDataType {
    #[default]
    String,
    Number,
    DateTime,
    Boolean,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct StringAttributeConstraints {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_length: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_length: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct NumberAttributeConstraints {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_value: Option<String>,
}

/// Cognito's SchemaAttributeType.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SchemaAttribute {
    pub name: String,
    #[serde(default)]
    pub attribute_data_type: AttributeDataType,
    #[serde(default)]
    pub developer_only_attribute: bool,
    #[serde(default = "yes")]
    pub mutable: bool,
    #[serde(default)]
    pub required: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub string_attribute_constraints: Option<StringAttributeConstraints>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number_attribute_constraints: Option<NumberAttributeConstraints>,
}

fn yes() -> bool {
    true
}

/// The standard attributes of every pool, with their types (OIDC Core §5.1).
pub const STANDARD_ATTRIBUTES: &[(&str, AttributeDataType)] = &[
    ("sub", AttributeDataType::String),
    ("name", AttributeDataType::String),
    ("given_name", AttributeDataType::String),
    ("family_name", AttributeDataType::String),
    ("middle_name", AttributeDataType::String),
    ("nickname", AttributeDataType::String),
    ("preferred_username", AttributeDataType::String),
    ("profile", AttributeDataType::String),
    ("picture", AttributeDataType::String),
    ("website", AttributeDataType::String),
    ("email", AttributeDataType::String),
    ("email_verified", AttributeDataType::Boolean),
    ("gender", AttributeDataType::String),
    ("birthdate", AttributeDataType::String),
    ("zoneinfo", AttributeDataType::String),
    ("locale", AttributeDataType::String),
    ("phone_number", AttributeDataType::String),
    ("phone_number_verified", AttributeDataType::Boolean),
    ("address", AttributeDataType::String),
    ("updated_at", AttributeDataType::Number),
];

pub fn is_standard(name: &str) -> bool {
    STANDARD_ATTRIBUTES.iter().any(|(n, _)| *n == name)
}

impl SchemaAttribute {
    fn standard(name: &str, data_type: AttributeDataType) -> Self {
        let (string, number) = match data_type {
            AttributeDataType::String => (
                Some(StringAttributeConstraints {
                    min_length: Some(if name == "sub" { "1" } else { "0" }.into()),
                    max_length: Some("2048".into()),
                }),
                None,
            ),
            AttributeDataType::Number => (
                None,
                Some(NumberAttributeConstraints {
                    min_value: Some("0".into()),
                    max_value: None,
                }),
            ),
            _ => (None, None),
        };
        Self {
            name: name.into(),
            attribute_data_type: data_type,
            developer_only_attribute: false,
            mutable: name != "sub",
            required: name == "sub",
            string_attribute_constraints: string,
            number_attribute_constraints: number,
        }
    }

    /// The schema of a new pool: every standard attribute, overlaid with the
    /// caller's settings for standard ones and extended by custom ones.
    pub fn build_schema(requested: &[SchemaAttribute]) -> Result<Vec<SchemaAttribute>> {
        validate::max_items("schema", requested, 50)?;
        let mut schema: Vec<SchemaAttribute> = STANDARD_ATTRIBUTES
            .iter()
            .map(|(n, t)| Self::standard(n, *t))
            .collect();
        let mut customs = 0;
        for attr in requested {
            let name = attr.name.strip_prefix("custom:").unwrap_or(&attr.name);
            validate::len_between("schema.name", name, 1, 20)?;
            if let Some(existing) = schema.iter_mut().find(|s| s.name == attr.name) {
                // Cognito API: CreateUserPool, Schema — standard attributes keep their type.
                if existing.name == "sub" {
                    return Err(CognitoError::invalid_parameter(
                        "The attribute sub cannot be modified.",
                    ));
                }
                if attr.attribute_data_type != existing.attribute_data_type {
                    return Err(CognitoError::invalid_parameter(format!(
                        "You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute {}",
                        attr.name
                    )));
                }
                existing.required = attr.required;
                existing.mutable = attr.mutable;
                if attr.string_attribute_constraints.is_some() {
                    existing.string_attribute_constraints =
                        attr.string_attribute_constraints.clone();
                }
                continue;
            }
            if is_standard(name) && !attr.name.starts_with("custom:") {
                continue;
            }
            validate::pattern(
                "schema.name",
                name,
                |c| c.is_alphanumeric() || "_-:".contains(c),
                "[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+",
            )?;
            if attr.required {
                // Cognito API: custom attributes cannot be required.
                return Err(CognitoError::invalid_parameter(format!(
                    "Required custom attributes are not supported currently: custom:{name}"
                )));
            }
            let full = format!("custom:{name}");
            if schema.iter().any(|s| s.name == full) {
                return Err(CognitoError::invalid_parameter(format!(
                    "Existing attribute already has name custom:{name}."
                )));
            }
            customs += 1;
            if customs > 50 {
                return Err(CognitoError::LimitExceeded(
                    "A user pool can have at most 50 custom attributes.".into(),
                ));
            }
            check_constraints(&full, attr)?;
            schema.push(SchemaAttribute {
                name: full,
                ..attr.clone()
            });
        }
        Ok(schema)
    }
}

fn check_constraints(name: &str, attr: &SchemaAttribute) -> Result<()> {
    let parse = |v: &Option<String>| -> Result<Option<i64>> {
        v.as_deref()
            .map(|s| {
                s.parse::<i64>().map_err(|_| {
                    CognitoError::invalid_parameter(format!(
                        "Invalid constraint value {s} for {name}"
                    ))
                })
            })
            .transpose()
    };
    if let Some(c) = &attr.string_attribute_constraints {
        let (min, max) = (parse(&c.min_length)?, parse(&c.max_length)?);
        if min.is_some_and(|m| !(0..=2048).contains(&m))
            || max.is_some_and(|m| !(0..=2048).contains(&m))
            || matches!((min, max), (Some(a), Some(b)) if a > b)
        {
            return Err(CognitoError::invalid_parameter(format!(
                "Invalid StringAttributeConstraints for {name}: lengths must be within 0..=2048 and MinLength <= MaxLength."
            )));
        }
    }
    if let Some(c) = &attr.number_attribute_constraints {
        let (min, max) = (parse(&c.min_value)?, parse(&c.max_value)?);
        if matches!((min, max), (Some(a), Some(b)) if a > b) {
            return Err(CognitoError::invalid_parameter(format!(
                "Invalid NumberAttributeConstraints for {name}: MinValue must not exceed MaxValue."
            )));
        }
    }
    Ok(())
}

/// Checks attribute values against the schema: known names, lengths,
/// numbers, booleans. `sub` can never be written by a caller.
pub fn check_values(schema: &[SchemaAttribute], attrs: &[AttributeType]) -> Result<()> {
    for a in attrs {
        let Some(def) = schema.iter().find(|s| s.name == a.name) else {
            return Err(CognitoError::invalid_parameter(format!(
                "Attribute does not exist in the schema: {}",
                a.name
            )));
        };
        if def.name == "sub" {
            return Err(CognitoError::invalid_parameter(
                "Cannot modify the non-mutable attribute sub",
            ));
        }
        match def.attribute_data_type {
            AttributeDataType::String | AttributeDataType::DateTime => {
                let (min, max) = def
                    .string_attribute_constraints
                    .as_ref()
                    .map(|c| {
                        (
                            c.min_length
                                .as_deref()
                                .and_then(|v| v.parse().ok())
                                .unwrap_or(0),
                            c.max_length
                                .as_deref()
                                .and_then(|v| v.parse().ok())
                                .unwrap_or(2048),
                        )
                    })
                    .unwrap_or((0, 2048));
                let n = a.value.chars().count();
                if n < min || n > max {
                    return Err(CognitoError::invalid_parameter(format!(
                        "{}: String must be between {min} and {max} characters long.",
                        a.name
                    )));
                }
            }
            AttributeDataType::Number => {
                let v: i64 = a.value.parse().map_err(|_| {
                    CognitoError::invalid_parameter(format!(
                        "{}: Number must be an integer.",
                        a.name
                    ))
                })?;
                if let Some(c) = &def.number_attribute_constraints {
                    let min = c.min_value.as_deref().and_then(|v| v.parse::<i64>().ok());
                    let max = c.max_value.as_deref().and_then(|v| v.parse::<i64>().ok());
                    if min.is_some_and(|m| v < m) || max.is_some_and(|m| v > m) {
                        return Err(CognitoError::invalid_parameter(format!(
                            "{}: Number is out of the allowed range.",
                            a.name
                        )));
                    }
                }
            }
            AttributeDataType::Boolean => {
                if a.value != "true" && a.value != "false" {
                    return Err(CognitoError::invalid_parameter(format!(
                        "{}: Boolean must be \"true\" or \"false\".",
                        a.name
                    )));
                }
            }
        }
        if a.name == "email" && !a.value.is_empty() && !looks_like_email(&a.value) {
            return Err(CognitoError::invalid_parameter(
                "Invalid email address format.",
            ));
        }
        if a.name == "phone_number" && !a.value.is_empty() && !is_e164(&a.value) {
            return Err(CognitoError::invalid_parameter(
                "Invalid phone number format. Phone numbers must follow the E.164 format, e.g. +12065551212.",
            ));
        }
    }
    Ok(())
}

pub fn looks_like_email(v: &str) -> bool {
    match v.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !v.chars().any(|c| c.is_whitespace() || c.is_control())
                && !domain.contains('@')
        }
        None => false,
    }
}

/// E.164: a plus sign and 2–15 digits.
pub fn is_e164(v: &str) -> bool {
    v.strip_prefix('+')
        .is_some_and(|d| (2..=15).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_has_standard_attributes_and_prefixes_custom_ones() {
        let custom = SchemaAttribute {
            name: "tier".into(),
            attribute_data_type: AttributeDataType::Number,
            developer_only_attribute: false,
            mutable: true,
            required: false,
            string_attribute_constraints: None,
            number_attribute_constraints: None,
        };
        let schema = SchemaAttribute::build_schema(&[custom]).unwrap();
        assert!(schema.iter().any(|s| s.name == "email"));
        assert!(schema.iter().any(|s| s.name == "custom:tier"));
        assert!(!schema.iter().find(|s| s.name == "sub").unwrap().mutable);
    }

    #[test]
    fn required_custom_attributes_are_refused() {
        let custom = SchemaAttribute {
            name: "custom:x".into(),
            attribute_data_type: AttributeDataType::String,
            developer_only_attribute: false,
            mutable: true,
            required: true,
            string_attribute_constraints: None,
            number_attribute_constraints: None,
        };
        assert!(SchemaAttribute::build_schema(&[custom]).is_err());
    }

    #[test]
    fn values_are_checked_against_types() {
        let schema = SchemaAttribute::build_schema(&[]).unwrap();
        assert!(check_values(&schema, &[AttributeType::new("email", "a@b.example")]).is_ok());
        assert!(check_values(&schema, &[AttributeType::new("email", "nope")]).is_err());
        assert!(check_values(&schema, &[AttributeType::new("email_verified", "yes")]).is_err());
        assert!(check_values(&schema, &[AttributeType::new("custom:none", "1")]).is_err());
        assert!(check_values(&schema, &[AttributeType::new("sub", "x")]).is_err());
        assert!(
            check_values(
                &schema,
                &[AttributeType::new("phone_number", "+12065551212")]
            )
            .is_ok()
        );
        assert!(check_values(&schema, &[AttributeType::new("phone_number", "206-555")]).is_err());
    }
}
