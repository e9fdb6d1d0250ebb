//! The user a federated sign-in lands on, as Cognito decides it: a linked
//! user (AdminLinkProviderForUser), else the user `<ProviderName>_<id>`
//! with UserStatus EXTERNAL_PROVIDER, created on the first sign-in (after
//! PreSignUp_ExternalProvider) and its mapped attributes written on every
//! sign-in; each in the automatic group `<poolId>_<ProviderName>`. The
//! upstream's answer has been verified by the face before it gets here.

use serde_json::{Map, Value, json};

use super::Idp;
use super::attributes::check_required;
use super::identity_providers::{COGNITO_SUBJECT, federated_username};
use super::triggers::{Invocation, Trigger, attribute_map};
use crate::error::{CognitoError, Result};
use crate::model::attributes::check_values;
use crate::model::identity_provider::{IdentityProvider, ProviderType};
use crate::model::user::{KeyKind, UserKey};
use crate::model::{AttributeType, Group, User, UserPool, UserPoolClient, UserStatus};

/// A claim's value as an attribute's text: strings as they are, booleans
/// and numbers spelled out, objects (an OIDC `address`) as JSON.
fn claim_text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        other => Some(other.to_string()),
    }
}

/// The claim a SAML sign-in's NameID is given as (the user's upstream id
/// unless the AttributeMapping maps `username` to an attribute).
pub const SAML_NAME_ID_CLAIM: &str = "saml:NameID";
/// The claim a SAML sign-in's assertion Issuer (the IdP's entity id) is
/// given as: the `issuer` of the user's `identities`.
pub const SAML_ISSUER_CLAIM: &str = "saml:Issuer";

fn refused(why: impl Into<String>) -> CognitoError {
    CognitoError::NotAuthorized(why.into())
}

/// The automatic group of a provider's users (Cognito's name for it).
pub fn provider_group(pool_id: &str, provider_name: &str) -> String {
    format!("{pool_id}_{provider_name}")
}

impl Idp {
    /// The user a verified upstream sign-in is, created or updated.
    /// `claims` are the upstream's (ID token, then its userInfo answer).
    pub async fn federated_sign_in(
        &self,
        pool: &UserPool,
        client: &UserPoolClient,
        idp: &IdentityProvider,
        claims: &Map<String, Value>,
    ) -> Result<User> {
        let subject_claim = idp
            .attribute_mapping
            .get("username")
            .map(String::as_str)
            .or(idp.provider_type.subject_attribute())
            .unwrap_or(if idp.provider_type == ProviderType::Saml {
                SAML_NAME_ID_CLAIM
            } else {
                "sub"
            });
        let upstream_id = claims
            .get(subject_claim)
            .and_then(claim_text)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                refused(format!(
                    "The identity provider's answer has no {subject_claim} claim."
                ))
            })?;
        let attrs = self.mapped_attributes(pool, idp, claims)?;
        if let Some(user) = self.linked_user(pool, idp, &upstream_id, &attrs).await? {
            return self.usable(user);
        }
        let username = federated_username(&idp.provider_name, &upstream_id);
        if username.chars().count() > 128 {
            return Err(refused("The identity provider's user id is too long."));
        }
        let key = UserKey {
            kind: KeyKind::Username,
            value: pool.normalize(&username),
        };
        let user = match self.store.find_user(&pool.id, &key).await? {
            Some(existing) => {
                let existing = self.usable(existing)?;
                let (_guard, mut user) = self.lock_user(pool, &existing).await?;
                // Cognito: mapped attributes are written on every sign-in.
                let changed = attrs
                    .iter()
                    .any(|a| user.attribute(&a.name) != Some(a.value.as_str()));
                if changed {
                    for a in &attrs {
                        user.set_attribute(&a.name, &a.value);
                    }
                    user.modified = self.clock.now();
                    self.store.update_user(pool, &user).await?;
                }
                user
            }
            None => {
                let issuer = idp
                    .provider_details
                    .get("oidc_issuer")
                    .map(|i| Value::String(i.clone()))
                    .or_else(|| claims.get(SAML_ISSUER_CLAIM).cloned());
                let who = (username.as_str(), upstream_id.as_str(), issuer);
                self.create_federated_user(pool, client, idp, who, attrs)
                    .await?
            }
        };
        self.join_provider_group(pool, idp, &user).await?;
        Ok(user)
    }

    /// A disabled user does not sign in, federated or not.
    fn usable(&self, user: User) -> Result<User> {
        if user.enabled {
            Ok(user)
        } else {
            Err(refused("User is disabled."))
        }
    }

    /// Cognito API: CreateIdentityProvider, AttributeMapping — each pool
    /// attribute from its upstream claim; an email mapped without
    /// `email_verified` is unverified.
    fn mapped_attributes(
        &self,
        pool: &UserPool,
        idp: &IdentityProvider,
        claims: &Map<String, Value>,
    ) -> Result<Vec<AttributeType>> {
        let mut attrs: Vec<AttributeType> = idp
            .attribute_mapping
            .iter()
            .filter(|(attr, _)| attr.as_str() != "username")
            .filter_map(|(attr, claim)| {
                claims
                    .get(claim)
                    .and_then(claim_text)
                    .map(|v| AttributeType::new(attr.clone(), v))
            })
            .collect();
        for (attr, flag) in [
            ("email", "email_verified"),
            ("phone_number", "phone_number_verified"),
        ] {
            let mapped = attrs.iter().any(|a| a.name == attr);
            let verified = attrs.iter().any(|a| a.name == flag);
            if mapped && !verified {
                attrs.push(AttributeType::new(flag, "false"));
            }
        }
        for a in &mut attrs {
            if a.name.ends_with("_verified") {
                a.value = (a.value == "true").to_string();
            }
        }
        check_values(&pool.schema_attributes, &attrs).map_err(|e| {
            refused(format!(
                "The identity provider's attributes do not fit the user pool: {}",
                e.message()
            ))
        })?;
        Ok(attrs)
    }

    /// The user an AdminLinkProviderForUser link names: by the upstream's
    /// subject (`Cognito_Subject`) or by a mapped attribute's value.
    async fn linked_user(
        &self,
        pool: &UserPool,
        idp: &IdentityProvider,
        upstream_id: &str,
        attrs: &[AttributeType],
    ) -> Result<Option<User>> {
        let candidates = std::iter::once((COGNITO_SUBJECT, upstream_id))
            .chain(attrs.iter().map(|a| (a.name.as_str(), a.value.as_str())));
        for (name, value) in candidates {
            if let Some(sub) = self
                .store
                .find_provider_link(&pool.id, &idp.provider_name, name, value)
                .await?
                && let Some(user) = self.store.get_user_by_sub(&pool.id, sub).await?
            {
                return Ok(Some(user));
            }
        }
        Ok(None)
    }

    /// The first sign-in: PreSignUp_ExternalProvider may refuse it (nothing
    /// is written), then the user is created as Cognito creates it.
    async fn create_federated_user(
        &self,
        pool: &UserPool,
        client: &UserPoolClient,
        idp: &IdentityProvider,
        (username, upstream_id, issuer): (&str, &str, Option<Value>),
        attrs: Vec<AttributeType>,
    ) -> Result<User> {
        let call = Invocation {
            trigger: Trigger::PreSignUp,
            source: "PreSignUp_ExternalProvider",
            user_name: username,
            client_id: Some(&client.client_id),
            request: json!({
                "userAttributes": attribute_map(&attrs),
                "validationData": null,
                "clientMetadata": {},
            }),
            response: json!({
                "autoConfirmUser": false,
                "autoVerifyEmail": false,
                "autoVerifyPhone": false,
            }),
        };
        let answer = self.run_trigger(pool, call).await?;
        let now = self.clock.now();
        let mut user = User::new(&pool.id, username, now);
        user.status = UserStatus::ExternalProvider;
        for a in &attrs {
            user.set_attribute(&a.name, &a.value);
        }
        // The function may verify what the provider gave (developer guide,
        // "Pre sign-up Lambda trigger": autoVerifyEmail, autoVerifyPhone).
        if let Some(r) = answer {
            for (flag, attr, verified) in [
                ("autoVerifyEmail", "email", "email_verified"),
                ("autoVerifyPhone", "phone_number", "phone_number_verified"),
            ] {
                if r.get(flag) == Some(&Value::Bool(true)) && user.attribute(attr).is_some() {
                    user.set_attribute(verified, "true");
                }
            }
        }
        let identities = json!([{
            "userId": upstream_id,
            "providerName": idp.provider_name,
            "providerType": idp.provider_type.as_str(),
            "issuer": issuer,
            "primary": "true",
            "dateCreated": now.millis().to_string(),
        }]);
        user.set_attribute("identities", &identities.to_string());
        check_required(pool, &user).map_err(|e| refused(e.message().to_owned()))?;
        self.store.create_user(pool, &user).await?;
        Ok(user)
    }

    /// Cognito adds each federated user to the group `<poolId>_<Provider>`,
    /// made on the first such sign-in.
    async fn join_provider_group(
        &self,
        pool: &UserPool,
        idp: &IdentityProvider,
        user: &User,
    ) -> Result<()> {
        if user.status != UserStatus::ExternalProvider {
            return Ok(());
        }
        let name = provider_group(&pool.id, &idp.provider_name);
        if self.store.get_group(&pool.id, &name).await?.is_none() {
            let group = Group::new(
                &pool.id,
                &name,
                Some(format!(
                    "Autogenerated group for users who sign in using {}",
                    idp.provider_name
                )),
                None,
                None,
                self.clock.now(),
            )?;
            match self.store.create_group(&group).await {
                Ok(()) | Err(CognitoError::GroupExists(_)) => {}
                Err(e) => return Err(e),
            }
        }
        self.store
            .add_user_to_group(&pool.id, &name, user.sub)
            .await
    }
}
