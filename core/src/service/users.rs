//! Finding users by the names callers give them.

use super::Idp;
use crate::error::{CognitoError, Result};
use crate::model::pool::{AliasAttribute, VerifiableAttribute};
use crate::model::user::{KeyKind, UserKey};
use crate::model::{User, UserPool};

impl Idp {
    /// Finds a user by username, or by an email, phone number or preferred
    /// username the pool signs in with (UsernameAttributes, AliasAttributes).
    pub async fn find_user_by_name(&self, pool: &UserPool, name: &str) -> Result<Option<User>> {
        if name.is_empty() || name.chars().count() > 128 {
            return Ok(None);
        }
        let value = pool.normalize(name);
        let mut kinds = vec![KeyKind::Username];
        for a in &pool.username_attributes {
            kinds.push(match a {
                VerifiableAttribute::Email => KeyKind::Email,
                VerifiableAttribute::PhoneNumber => KeyKind::PhoneNumber,
            });
        }
        for a in &pool.alias_attributes {
            kinds.push(match a {
                AliasAttribute::Email => KeyKind::Email,
                AliasAttribute::PhoneNumber => KeyKind::PhoneNumber,
                AliasAttribute::PreferredUsername => KeyKind::PreferredUsername,
            });
        }
        for kind in kinds {
            let key = UserKey {
                kind,
                value: value.clone(),
            };
            if let Some(user) = self.store.find_user(&pool.id, &key).await? {
                return Ok(Some(user));
            }
        }
        Ok(None)
    }

    /// As [`Idp::find_user_by_name`], or Cognito's UserNotFoundException —
    /// for administrative actions, where revealing existence is expected.
    pub async fn admin_find_user(&self, pool: &UserPool, name: &str) -> Result<User> {
        self.find_user_by_name(pool, name)
            .await?
            .ok_or_else(|| CognitoError::UserNotFound("User does not exist.".into()))
    }
}
