//! User attributes after creation: UpdateUserAttributes,
//! DeleteUserAttributes, GetUserAttributeVerificationCode,
//! VerifyUserAttribute, and their administrative twins
//! AdminUpdateUserAttributes and AdminDeleteUserAttributes. Also the write
//! rules every attribute-writing action shares (SignUp, AdminCreateUser).

use std::collections::BTreeSet;

use super::Idp;
use super::auth::Metadata;
use super::codes::{CodeDeliveryDetails, CodePurpose, channel_of};
use super::messages::{Purpose, verification_text};
use crate::error::{CognitoError, Result};
use crate::model::attributes::check_values;
use crate::model::pool::VerifiableAttribute;
use crate::model::{AttributeType, User, UserPool, UserPoolClient};

/// Who writes attributes: an app client on the user's behalf (limited by
/// its WriteAttributes) or an administrator.
#[derive(Clone, Copy, Debug)]
pub enum Writer<'a> {
    Client(&'a UserPoolClient),
    Admin,
}

/// `email` and `phone_number`: the attributes that are verified.
pub fn is_verifiable(name: &str) -> bool {
    name == "email" || name == "phone_number"
}

fn verified_flag(name: &str) -> String {
    format!("{name}_verified")
}

fn unauthorized_write() -> CognitoError {
    CognitoError::NotAuthorized("A client attempted to write unauthorized attribute".into())
}

/// Whether a client may write `name`: the names in its WriteAttributes, or
/// when it lists none, every attribute but the verified flags and
/// developer-only ones (Cognito API: UserPoolClientType, WriteAttributes).
fn client_may_write(pool: &UserPool, client: &UserPoolClient, name: &str) -> bool {
    let developer_only = pool
        .schema_attributes
        .iter()
        .any(|s| s.name == name && s.developer_only_attribute);
    if developer_only {
        return false;
    }
    match &client.config.write_attributes {
        Some(list) => list.iter().any(|n| n == name),
        None => name != "email_verified" && name != "phone_number_verified",
    }
}

/// When attributes are written, for the rules on immutable and required
/// attributes.
#[derive(Clone, Copy, Debug)]
pub enum WriteTime<'a> {
    /// SignUp, AdminCreateUser: any attribute may be set.
    Creation,
    /// UpdateUserAttributes and AdminUpdateUserAttributes: immutable
    /// attributes stay as they are.
    Update,
    /// NEW_PASSWORD_REQUIRED's `userAttributes.*` for this user (Cognito
    /// API: RespondToAuthChallenge, ChallengeResponses): the required
    /// attributes still missing and other writable ones; an immutable one
    /// only while it has no value, and a required one that already has a
    /// value cannot be given again.
    NewPasswordChallenge(&'a User),
}

/// The checks before any attribute write: the schema (names, types,
/// lengths, formats), one value per name, the writer's permissions, and
/// the immutability rules of `when`.
pub fn check_writes(
    pool: &UserPool,
    writer: Writer<'_>,
    attrs: &[AttributeType],
    when: WriteTime<'_>,
) -> Result<()> {
    crate::model::validate::max_items("userAttributes", attrs, 100)?;
    let mut seen = BTreeSet::new();
    for a in attrs {
        if !seen.insert(a.name.as_str()) {
            return Err(CognitoError::invalid_parameter(format!(
                "Duplicate attribute name: {}",
                a.name
            )));
        }
    }
    check_values(&pool.schema_attributes, attrs)?;
    for a in attrs {
        if let Writer::Client(client) = writer
            && !client_may_write(pool, client, &a.name)
        {
            return Err(unauthorized_write());
        }
        let schema = pool.schema_attributes.iter().find(|s| s.name == a.name);
        let mutable = schema.is_none_or(|s| s.mutable);
        let immutable_error = || {
            // Cognito API: SchemaAttributeType, Mutable — set once, at creation.
            CognitoError::invalid_parameter(format!(
                "Cannot modify the non-mutable attribute {}",
                a.name
            ))
        };
        match when {
            WriteTime::Creation => {}
            WriteTime::Update if !mutable => return Err(immutable_error()),
            WriteTime::Update => {}
            WriteTime::NewPasswordChallenge(user) => {
                let has_value = user.attribute(&a.name).is_some();
                if has_value && schema.is_some_and(|s| s.required) {
                    // Cognito developer guide: in a NEW_PASSWORD_REQUIRED
                    // response you can't modify a required attribute that
                    // already has a value.
                    return Err(CognitoError::invalid_parameter(format!(
                        "Cannot modify an already provided {}",
                        a.name
                    )));
                }
                if has_value && !mutable {
                    return Err(immutable_error());
                }
            }
        }
    }
    Ok(())
}

/// Cognito API: SignUp, Errors — every required attribute has a value.
pub fn check_required(pool: &UserPool, user: &User) -> Result<()> {
    if let Some(missing) = pool
        .schema_attributes
        .iter()
        .find(|s| s.required && s.name != "sub" && user.attribute(&s.name).is_none())
    {
        return Err(CognitoError::invalid_parameter(format!(
            "Attributes did not conform to the schema: {0}: The attribute {0} is required",
            missing.name
        )));
    }
    Ok(())
}

/// Sets attributes on a user being created; empty values are left out.
pub fn apply_new(user: &mut User, attrs: &[AttributeType]) {
    for a in attrs {
        user.set_attribute(&a.name, &a.value);
    }
}

/// A code to send after an attribute write.
pub(crate) struct PendingCode {
    attribute: &'static str,
    destination: String,
    pending_value: Option<String>,
}

fn static_name(name: &str) -> &'static str {
    if name == "email" {
        "email"
    } else {
        "phone_number"
    }
}

fn auto_verified(pool: &UserPool, name: &str) -> bool {
    pool.config
        .auto_verified_attributes
        .iter()
        .any(|a| a.attribute_name() == name)
}

fn verify_before_update(pool: &UserPool, name: &str) -> bool {
    pool.config
        .user_attribute_update_settings
        .attributes_require_verification_before_update
        .iter()
        .any(|a: &VerifiableAttribute| a.attribute_name() == name)
}

/// Applies checked attribute changes to `user` in memory: the write path
/// every action that changes an existing user's attributes shares. A
/// changed email or phone number is no longer verified (unless an
/// administrator sets the flag in the same call) and, when the pool
/// auto-verifies it, a code goes to the new value. With
/// AttributesRequireVerificationBeforeUpdate the old verified value stays
/// until the new one is verified. Returns the codes to send.
pub(crate) fn stage_attribute_writes(
    pool: &UserPool,
    writer: Writer<'_>,
    user: &mut User,
    attrs: &[AttributeType],
) -> Vec<PendingCode> {
    let mut codes = Vec::new();
    let given = |name: &str| attrs.iter().any(|a| a.name == name);
    for a in attrs {
        let old = user.attribute(&a.name).map(str::to_owned);
        if !is_verifiable(&a.name) || old.as_deref() == Some(a.value.as_str()) {
            user.set_attribute(&a.name, &a.value);
            if a.value.is_empty() && is_verifiable(&a.name) {
                user.remove_attribute(&verified_flag(&a.name));
            }
            continue;
        }
        let flag = verified_flag(&a.name);
        let admin_verified = matches!(writer, Writer::Admin) && given(&flag);
        if a.value.is_empty() {
            user.remove_attribute(&a.name);
            user.remove_attribute(&flag);
            user.settings
                .codes
                .remove(&CodePurpose::VerifyAttribute(&a.name).key());
            continue;
        }
        let send = auto_verified(pool, &a.name) && !admin_verified;
        if send && verify_before_update(pool, &a.name) && user.is_verified(&a.name) {
            // Cognito API: UserAttributeUpdateSettingsType — the old value
            // stays in effect until the new one is verified.
            codes.push(PendingCode {
                attribute: static_name(&a.name),
                destination: a.value.clone(),
                pending_value: Some(a.value.clone()),
            });
            continue;
        }
        user.set_attribute(&a.name, &a.value);
        if !admin_verified {
            user.set_attribute(&flag, "false");
        }
        if send {
            codes.push(PendingCode {
                attribute: static_name(&a.name),
                destination: a.value.clone(),
                pending_value: None,
            });
        }
    }
    codes
}

impl Idp {
    /// Applies attribute changes to an existing user (UpdateUserAttributes,
    /// AdminUpdateUserAttributes): checked, written, and the codes they
    /// call for sent.
    async fn write_attributes(
        &self,
        pool: &UserPool,
        writer: Writer<'_>,
        user: &User,
        attrs: &[AttributeType],
        metadata: &Metadata,
    ) -> Result<Vec<CodeDeliveryDetails>> {
        check_writes(pool, writer, attrs, WriteTime::Update)?;
        let (_guard, original) = self.lock_user(pool, user).await?;
        let mut user = original.clone();
        let codes = stage_attribute_writes(pool, writer, &mut user, attrs);
        check_required(pool, &user)?;
        let client_id = match writer {
            Writer::Client(c) => Some(c.client_id.as_str()),
            _ => None,
        };
        self.commit_with_codes(pool, &original, &mut user, codes, client_id, metadata)
            .await
    }

    /// Writes `user` (changed from `original`, both read under the user's
    /// lock) with the verification codes its attribute writes call for,
    /// then sends them. A message that cannot be sent puts the user back as
    /// `original`: the caller gets the error and nothing changed.
    pub(crate) async fn commit_with_codes(
        &self,
        pool: &UserPool,
        original: &User,
        user: &mut User,
        codes: Vec<PendingCode>,
        client_id: Option<&str>,
        metadata: &Metadata,
    ) -> Result<Vec<CodeDeliveryDetails>> {
        let mut issued = Vec::new();
        for c in codes {
            let code = self.issue_code(
                pool,
                user,
                CodePurpose::VerifyAttribute(c.attribute),
                Some(c.attribute),
                c.pending_value,
            );
            issued.push((c.attribute, c.destination, code));
        }
        user.modified = self.clock.now();
        self.store.update_user(pool, user).await?;
        let mut details = Vec::new();
        for (attribute, destination, code) in issued {
            let channel = channel_of(attribute);
            let text = verification_text(pool, channel, code.expose());
            let purpose = Purpose {
                client_id,
                metadata,
                ..Purpose::new("CustomMessage_UpdateUserAttribute", code.expose())
            };
            if let Err(e) = self
                .deliver(pool, user, channel, &destination, text, purpose)
                .await
            {
                self.store.update_user(pool, original).await?;
                return Err(e);
            }
            details.push(CodeDeliveryDetails::new(attribute, &destination));
        }
        Ok(details)
    }

    /// Removes attributes. Required ones and `sub` cannot go; removing
    /// `email` or `phone_number` removes its verified flag too.
    async fn remove_attributes(
        &self,
        pool: &UserPool,
        writer: Writer<'_>,
        user: &User,
        names: &[String],
    ) -> Result<()> {
        crate::model::validate::max_items("userAttributeNames", names, 100)?;
        for name in names {
            let Some(def) = pool.schema_attributes.iter().find(|s| &s.name == name) else {
                return Err(CognitoError::invalid_parameter(format!(
                    "Attribute does not exist in the schema: {name}"
                )));
            };
            if name == "sub" || !def.mutable {
                return Err(CognitoError::invalid_parameter(format!(
                    "Cannot modify the non-mutable attribute {name}"
                )));
            }
            if def.required {
                return Err(CognitoError::invalid_parameter(format!(
                    "Attributes did not conform to the schema: {name}: The attribute {name} is required"
                )));
            }
            if let Writer::Client(client) = writer
                && !client_may_write(pool, client, name)
            {
                return Err(unauthorized_write());
            }
        }
        let (_guard, mut user) = self.lock_user(pool, user).await?;
        for name in names {
            user.remove_attribute(name);
            if is_verifiable(name) {
                user.remove_attribute(&verified_flag(name));
                user.settings
                    .codes
                    .remove(&CodePurpose::VerifyAttribute(name).key());
            }
        }
        user.modified = self.clock.now();
        self.store.update_user(pool, &user).await
    }

    /// UpdateUserAttributes: the codes sent, as CodeDeliveryDetailsList.
    pub async fn update_user_attributes(
        &self,
        access_token: &str,
        attrs: &[AttributeType],
        metadata: &Metadata,
    ) -> Result<Vec<CodeDeliveryDetails>> {
        let (pool, user, claims) = self.authenticate_access_token(access_token).await?;
        let client = self.token_client(&pool, &claims).await?;
        self.write_attributes(&pool, Writer::Client(&client), &user, attrs, metadata)
            .await
    }

    /// AdminUpdateUserAttributes.
    pub async fn admin_update_user_attributes(
        &self,
        pool_id: &str,
        username: &str,
        attrs: &[AttributeType],
        metadata: &Metadata,
    ) -> Result<()> {
        let pool = self.pool(pool_id).await?;
        let user = self.admin_find_user(&pool, username).await?;
        self.write_attributes(&pool, Writer::Admin, &user, attrs, metadata)
            .await
            .map(|_| ())
    }

    /// DeleteUserAttributes.
    pub async fn delete_user_attributes(&self, access_token: &str, names: &[String]) -> Result<()> {
        let (pool, user, claims) = self.authenticate_access_token(access_token).await?;
        let client = self.token_client(&pool, &claims).await?;
        self.remove_attributes(&pool, Writer::Client(&client), &user, names)
            .await
    }

    /// AdminDeleteUserAttributes.
    pub async fn admin_delete_user_attributes(
        &self,
        pool_id: &str,
        username: &str,
        names: &[String],
    ) -> Result<()> {
        let pool = self.pool(pool_id).await?;
        let user = self.admin_find_user(&pool, username).await?;
        self.remove_attributes(&pool, Writer::Admin, &user, names)
            .await
    }

    /// GetUserAttributeVerificationCode: a new code for `email` or
    /// `phone_number`, to the value awaiting verification if there is one.
    pub async fn get_user_attribute_verification_code(
        &self,
        access_token: &str,
        attribute: &str,
        metadata: &Metadata,
    ) -> Result<CodeDeliveryDetails> {
        let (pool, user, claims) = self.authenticate_access_token(access_token).await?;
        let client = self.token_client(&pool, &claims).await?;
        if !is_verifiable(attribute) {
            return Err(CognitoError::invalid_parameter(format!(
                "Invalid attribute name: {attribute}. Only email and phone_number can be verified."
            )));
        }
        let attribute = static_name(attribute);
        let (_guard, original) = self.lock_user(&pool, &user).await?;
        let mut user = original.clone();
        let purpose = CodePurpose::VerifyAttribute(attribute);
        let pending = user
            .settings
            .codes
            .get(&purpose.key())
            .and_then(|c| c.pending_value.clone());
        let Some(destination) = pending
            .clone()
            .or_else(|| user.attribute(attribute).map(str::to_owned))
        else {
            return Err(CognitoError::invalid_parameter(format!(
                "The user has no {attribute} to verify."
            )));
        };
        let code = self.issue_code(&pool, &mut user, purpose, Some(attribute), pending);
        self.store.update_user(&pool, &user).await?;
        let channel = channel_of(attribute);
        let text = verification_text(&pool, channel, code.expose());
        let purpose = Purpose::new("CustomMessage_VerifyUserAttribute", code.expose())
            .for_client(&client.client_id, metadata);
        if let Err(e) = self
            .deliver(&pool, &user, channel, &destination, text, purpose)
            .await
        {
            self.store.update_user(&pool, &original).await?;
            return Err(e);
        }
        Ok(CodeDeliveryDetails::new(attribute, &destination))
    }

    /// VerifyUserAttribute: with the right code the attribute is verified
    /// (and a value awaiting verification takes effect).
    pub async fn verify_user_attribute(
        &self,
        access_token: &str,
        attribute: &str,
        code: &str,
    ) -> Result<()> {
        let (pool, user, _) = self.authenticate_access_token(access_token).await?;
        if !is_verifiable(attribute) {
            return Err(CognitoError::invalid_parameter(format!(
                "Invalid attribute name: {attribute}. Only email and phone_number can be verified."
            )));
        }
        let (_guard, mut user) = self.lock_user(&pool, &user).await?;
        let stored = self
            .check_code(
                &pool,
                &mut user,
                CodePurpose::VerifyAttribute(attribute),
                code,
                false,
            )
            .await?;
        if let Some(value) = stored.pending_value {
            user.set_attribute(attribute, &value);
        }
        if user.attribute(attribute).is_none() {
            return Err(super::codes::code_expired());
        }
        user.set_attribute(&verified_flag(attribute), "true");
        user.modified = self.clock.now();
        self.store.update_user(&pool, &user).await
    }

    /// The app client an access token was issued to, for its read and
    /// write permissions.
    pub(crate) async fn token_client(
        &self,
        pool: &UserPool,
        claims: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<UserPoolClient> {
        let client_id = claims
            .get("client_id")
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default();
        match self.client(&pool.id, client_id).await {
            Err(CognitoError::ResourceNotFound(_) | CognitoError::InvalidParameter(_)) => {
                Err(CognitoError::NotAuthorized("Invalid Access Token".into()))
            }
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Timestamp;
    use crate::model::client::UserPoolClientConfig;
    use crate::model::pool::NewUserPool;

    fn pool() -> UserPool {
        UserPool::create(
            NewUserPool {
                pool_name: "p".into(),
                ..Default::default()
            },
            "us-east-1",
            Timestamp(0),
        )
        .unwrap()
    }

    fn client(write: Option<Vec<&str>>) -> UserPoolClient {
        UserPoolClient::create(
            "us-east-1_x",
            UserPoolClientConfig {
                client_name: "c".into(),
                write_attributes: write.map(|w| w.into_iter().map(String::from).collect()),
                ..Default::default()
            },
            false,
            Timestamp(0),
        )
        .unwrap()
    }

    #[test]
    fn clients_write_what_they_are_allowed() {
        let p = pool();
        let all = client(None);
        let name_only = client(Some(vec!["name"]));
        let email = [AttributeType::new("email", "a@b.example")];
        assert!(check_writes(&p, Writer::Client(&all), &email, WriteTime::Creation).is_ok());
        assert_eq!(
            check_writes(&p, Writer::Client(&name_only), &email, WriteTime::Creation)
                .unwrap_err()
                .wire_name(),
            "NotAuthorizedException"
        );
        let flag = [AttributeType::new("email_verified", "true")];
        assert!(check_writes(&p, Writer::Client(&all), &flag, WriteTime::Creation).is_err());
        assert!(check_writes(&p, Writer::Admin, &flag, WriteTime::Creation).is_ok());
        let twice = [
            AttributeType::new("name", "a"),
            AttributeType::new("name", "b"),
        ];
        assert!(check_writes(&p, Writer::Admin, &twice, WriteTime::Creation).is_err());
    }
}
