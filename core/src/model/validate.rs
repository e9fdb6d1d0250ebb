//! Small checks shared by the models. Each error names the field, as
//! Cognito's InvalidParameterException does.

use crate::error::{CognitoError, Result};

pub fn len_between(field: &str, value: &str, min: usize, max: usize) -> Result<()> {
    let n = value.chars().count();
    if n < min || n > max {
        return Err(CognitoError::invalid_parameter(format!(
            "1 validation error detected: Value at '{field}' failed to satisfy constraint: \
             Member must have length between {min} and {max} inclusive"
        )));
    }
    Ok(())
}

pub fn int_between(field: &str, value: i64, min: i64, max: i64) -> Result<()> {
    if value < min || value > max {
        return Err(CognitoError::invalid_parameter(format!(
            "1 validation error detected: Value '{value}' at '{field}' failed to satisfy \
             constraint: Member must have value between {min} and {max} inclusive"
        )));
    }
    Ok(())
}

pub fn pattern(field: &str, value: &str, ok: impl Fn(char) -> bool, pattern: &str) -> Result<()> {
    if value.chars().all(ok) {
        Ok(())
    } else {
        Err(CognitoError::invalid_parameter(format!(
            "1 validation error detected: Value at '{field}' failed to satisfy constraint: \
             Member must satisfy regular expression pattern: {pattern}"
        )))
    }
}

/// `[\w\s+=,.@-]+`: pool, client and resource-server names.
pub fn name_chars(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c.is_whitespace() || "+=,.@-".contains(c)
}

/// `[\p{L}\p{M}\p{S}\p{N}\p{P}]+`: usernames and group names (no whitespace, no control).
pub fn visible_chars(c: char) -> bool {
    !c.is_whitespace() && !c.is_control()
}

pub fn max_items<T>(field: &str, items: &[T], max: usize) -> Result<()> {
    if items.len() > max {
        return Err(CognitoError::invalid_parameter(format!(
            "1 validation error detected: Value at '{field}' failed to satisfy constraint: \
             Member must have length less than or equal to {max}"
        )));
    }
    Ok(())
}
