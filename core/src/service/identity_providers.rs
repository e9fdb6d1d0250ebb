//! CreateIdentityProvider, DescribeIdentityProvider, UpdateIdentityProvider,
//! DeleteIdentityProvider, ListIdentityProviders,
//! GetIdentityProviderByIdentifier, AdminLinkProviderForUser,
//! AdminDisableProviderForUser; and the port to upstream OpenID Connect
//! providers that CreateIdentityProvider asks for their endpoints.

use std::collections::BTreeMap;

use async_trait::async_trait;
use serde_json::json;

use super::Idp;
use crate::crypto::MasterKey;
use crate::error::{CognitoError, Result};
use crate::model::identity_provider::{
    DEFAULT_FACEBOOK_API_VERSION, IdentityProvider, MAX_LINKS_PER_USER, OidcEndpoints, Preset,
    ProviderInput, ProviderType, SECRET_DETAILS, validate_identifier, validate_provider_name,
};
use crate::model::{User, UserPool, UserStatus};
use crate::store::{Page, ProviderLink};

/// The port to upstream OpenID Connect providers (adapter:
/// `server/src/federation/upstream.rs`).
#[async_trait]
pub trait UpstreamOidc: Send + Sync {
    /// OpenID Connect Discovery 1.0 §4: the provider's endpoints, read from
    /// `{issuer}/.well-known/openid-configuration`, its `issuer` checked.
    /// The error says why, in words for the caller.
    async fn discover(&self, issuer: &str) -> std::result::Result<OidcEndpoints, String>;

    /// A SAML identity provider's metadata, from `MetadataURL` (fetched in
    /// bounded time) or `MetadataFile`: checked to name an IDPSSODescriptor,
    /// a signing certificate and an HTTP-Redirect SSO endpoint. The error
    /// says what is wrong, in words for the caller.
    async fn saml_metadata(
        &self,
        source: MetadataSource<'_>,
    ) -> std::result::Result<SamlMetadata, String>;
}

/// Where a SAML provider's metadata comes from (Cognito API:
/// CreateIdentityProvider, ProviderDetails for SAML).
#[derive(Clone, Copy, Debug)]
pub enum MetadataSource<'a> {
    Url(&'a str),
    File(&'a str),
}

/// What Cognate keeps of a SAML identity provider's metadata.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SamlMetadata {
    /// The IdP's SingleSignOnService for the HTTP-Redirect binding.
    pub sso_redirect_url: String,
    /// Its SingleLogoutService for the HTTP-Redirect binding, if any.
    pub slo_redirect_url: Option<String>,
    /// The metadata document itself: the sign-in verifies against the
    /// certificates and entity id it names.
    pub document: String,
}

/// The provider detail that keeps a SAML provider's metadata document (as
/// read from MetadataURL or MetadataFile); never answered to callers.
pub const SAML_METADATA_DETAIL: &str = "_cognate_saml_metadata";

/// The default: no upstream can be reached (the server configures one).
pub struct NoUpstream;

#[async_trait]
impl UpstreamOidc for NoUpstream {
    async fn discover(&self, _: &str) -> std::result::Result<OidcEndpoints, String> {
        Err("no outbound HTTP client is configured".into())
    }

    async fn saml_metadata(
        &self,
        _: MetadataSource<'_>,
    ) -> std::result::Result<SamlMetadata, String> {
        Err("no SAML metadata reader is configured".into())
    }
}

/// Cognito API: AdminLinkProviderForUser, ProviderUserIdentifierType.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ProviderUserIdentifier {
    #[serde(default)]
    pub provider_name: Option<String>,
    #[serde(default)]
    pub provider_attribute_name: Option<String>,
    #[serde(default)]
    pub provider_attribute_value: Option<String>,
}

/// The attribute name that means "the upstream's own id for the user".
pub const COGNITO_SUBJECT: &str = "Cognito_Subject";

fn not_found(name: &str) -> CognitoError {
    CognitoError::ResourceNotFound(format!("Identity provider {name} does not exist."))
}

/// The associated data of a provider's sealed secret: it opens only for
/// its own pool, provider and key.
fn record_id(pool_id: &str, provider: &str, key: &str) -> String {
    format!("idp-secret:{pool_id}:{provider}:{key}")
}

fn sealed_for_store(key: &MasterKey, idp: &IdentityProvider) -> IdentityProvider {
    let mut stored = idp.clone();
    for k in SECRET_DETAILS {
        if let Some(v) = stored.provider_details.get_mut(*k) {
            *v = key.seal_text(&record_id(&idp.user_pool_id, &idp.provider_name, k), v);
        }
    }
    stored
}

fn opened_from_store(key: &MasterKey, mut idp: IdentityProvider) -> Result<IdentityProvider> {
    for k in SECRET_DETAILS {
        if let Some(v) = idp.provider_details.get_mut(*k) {
            let id = record_id(&idp.user_pool_id, &idp.provider_name, k);
            *v = key.open_text(&id, v)?.into_inner();
        }
    }
    Ok(idp)
}

/// A `<ProviderName>_<id>` username, as Cognito names federated users.
pub fn federated_username(provider_name: &str, upstream_id: &str) -> String {
    format!("{provider_name}_{upstream_id}")
}

impl Idp {
    /// The endpoints of a social provider: the configuration's, else
    /// Cognito's built-in ones.
    pub fn preset(&self, idp: &IdentityProvider) -> Option<Preset> {
        let t = idp.provider_type;
        if let Some(p) = self.settings.federation_presets.get(&t) {
            return Some(p.clone());
        }
        let version = idp
            .provider_details
            .get("api_version")
            .map(String::as_str)
            .unwrap_or(DEFAULT_FACEBOOK_API_VERSION);
        Preset::builtin(t, version)
    }

    /// Cognito API: DescribeIdentityProvider — the provider as Cognito
    /// answers it: the derived endpoints of a social provider added, Apple's
    /// private key left out.
    pub fn described(&self, mut idp: IdentityProvider) -> IdentityProvider {
        let t = idp.provider_type;
        if let Some(p) = self.preset(&idp) {
            let d = &mut idp.provider_details;
            d.insert("authorize_url".into(), p.authorize_url);
            d.insert("token_url".into(), p.token_url);
            if let Some(u) = p.attributes_url {
                d.insert("attributes_url".into(), u);
            }
            if let Some(i) = p.oidc_issuer
                && t != ProviderType::Facebook
                && t != ProviderType::LoginWithAmazon
            {
                d.insert("oidc_issuer".into(), i);
            }
            let add = matches!(t, ProviderType::Google | ProviderType::Facebook);
            d.insert("attributes_url_add_attributes".into(), add.to_string());
            let method = if t == ProviderType::Facebook {
                "GET"
            } else {
                "POST"
            };
            d.insert("token_request_method".into(), method.into());
        }
        if t == ProviderType::Oidc {
            idp.provider_details
                .insert("attributes_url_add_attributes".into(), "false".into());
        }
        idp.provider_details.remove("private_key");
        idp.provider_details.remove(SAML_METADATA_DETAIL);
        idp
    }

    /// An OIDC provider's endpoints: those the request names, the rest
    /// from its discovery document. An issuer that cannot be read is the
    /// caller's error (Cognito API: CreateIdentityProvider, Errors).
    async fn complete_oidc_endpoints(&self, details: &mut BTreeMap<String, String>) -> Result<()> {
        let given = ["authorize_url", "token_url", "jwks_uri"]
            .iter()
            .all(|k| details.contains_key(*k));
        if given {
            return Ok(());
        }
        let issuer = details["oidc_issuer"].clone();
        let found = self.upstream.discover(&issuer).await.map_err(|why| {
            CognitoError::invalid_parameter(format!(
                "Unable to contact well-known endpoint of oidc_issuer {issuer}: {why}"
            ))
        })?;
        details
            .entry("authorize_url".into())
            .or_insert(found.authorize_url);
        details.entry("token_url".into()).or_insert(found.token_url);
        details.entry("jwks_uri".into()).or_insert(found.jwks_uri);
        if let Some(u) = found.attributes_url {
            details.entry("attributes_url".into()).or_insert(u);
        }
        Ok(())
    }

    /// A SAML provider's metadata read (MetadataURL fetched now, in
    /// bounded time) and checked, its SSO and SLO endpoints answered as
    /// Cognito derives them (SSORedirectBindingURI, SLORedirectBindingURI).
    /// Metadata that cannot be read or used is the caller's error, and
    /// nothing is written (Cognito API: CreateIdentityProvider, Errors).
    async fn complete_saml_metadata(&self, details: &mut BTreeMap<String, String>) -> Result<()> {
        let found = match (details.get("MetadataURL"), details.get("MetadataFile")) {
            (Some(url), _) => self
                .upstream
                .saml_metadata(MetadataSource::Url(url))
                .await
                .map_err(|why| {
                    CognitoError::invalid_parameter(format!(
                        "Unable to read the SAML metadata at MetadataURL {url}: {why}"
                    ))
                })?,
            (None, Some(file)) => self
                .upstream
                .saml_metadata(MetadataSource::File(file))
                .await
                .map_err(|why| {
                    CognitoError::invalid_parameter(format!("MetadataFile is not usable: {why}"))
                })?,
            (None, None) => {
                return Err(CognitoError::invalid_parameter(
                    "MetadataURL or MetadataFile is required for provider type SAML.",
                ));
            }
        };
        details.insert("SSORedirectBindingURI".into(), found.sso_redirect_url);
        if let Some(slo) = found.slo_redirect_url {
            details.insert("SLORedirectBindingURI".into(), slo);
        }
        details.insert(SAML_METADATA_DETAIL.into(), found.document);
        Ok(())
    }

    async fn checked_provider(
        &self,
        pool: &UserPool,
        provider_name: &str,
        mut input: ProviderInput,
    ) -> Result<ProviderInput> {
        input.provider_details.remove(SAML_METADATA_DETAIL);
        input.validate(pool, provider_name)?;
        match input.provider_type {
            ProviderType::Oidc => {
                self.complete_oidc_endpoints(&mut input.provider_details)
                    .await?;
            }
            ProviderType::Saml => {
                self.complete_saml_metadata(&mut input.provider_details)
                    .await?;
                // Cognito API: ProviderDetails, EncryptedResponses and
                // ActiveEncryptionCertificate: the certificate the IdP
                // encrypts assertions to (the pool's SAML certificate, the
                // one GetSigningCertificate answers).
                if input
                    .provider_details
                    .get("EncryptedResponses")
                    .map(String::as_str)
                    == Some("true")
                {
                    let cert = self.get_signing_certificate(&pool.id).await?;
                    input
                        .provider_details
                        .insert("ActiveEncryptionCertificate".into(), cert);
                }
            }
            _ => {}
        }
        Ok(input)
    }

    pub async fn create_identity_provider(
        &self,
        pool_id: &str,
        provider_name: &str,
        input: ProviderInput,
    ) -> Result<IdentityProvider> {
        let pool = self.pool(pool_id).await?;
        validate_provider_name(provider_name)?;
        if self
            .store
            .get_identity_provider(pool_id, provider_name)
            .await?
            .is_some()
        {
            return Err(CognitoError::DuplicateProvider(format!(
                "A provider with the name {provider_name} already exists in this user pool."
            )));
        }
        let input = self.checked_provider(&pool, provider_name, input).await?;
        let now = self.clock.now();
        let idp = IdentityProvider {
            user_pool_id: pool.id.clone(),
            provider_name: provider_name.to_owned(),
            provider_type: input.provider_type,
            provider_details: input.provider_details,
            attribute_mapping: input.attribute_mapping,
            idp_identifiers: input.idp_identifiers,
            last_modified_date: now,
            creation_date: now,
        };
        self.store
            .create_identity_provider(&sealed_for_store(&self.master_key, &idp))
            .await?;
        Ok(self.described(idp))
    }

    /// The provider with its secrets opened, as sign-in needs it.
    pub async fn identity_provider(
        &self,
        pool_id: &str,
        provider_name: &str,
    ) -> Result<IdentityProvider> {
        validate_provider_name(provider_name).map_err(|_| not_found(provider_name))?;
        let stored = self
            .store
            .get_identity_provider(pool_id, provider_name)
            .await?
            .ok_or_else(|| not_found(provider_name))?;
        opened_from_store(&self.master_key, stored)
    }

    pub async fn describe_identity_provider(
        &self,
        pool_id: &str,
        provider_name: &str,
    ) -> Result<IdentityProvider> {
        self.pool(pool_id).await?;
        validate_provider_name(provider_name)?;
        let idp = self.identity_provider(pool_id, provider_name).await?;
        Ok(self.described(idp))
    }

    /// Cognito API: UpdateIdentityProvider — each member given replaces
    /// the stored one; a secret the new ProviderDetails leave out is kept
    /// (DescribeIdentityProvider does not answer Apple's private key).
    pub async fn update_identity_provider(
        &self,
        pool_id: &str,
        provider_name: &str,
        provider_details: Option<BTreeMap<String, String>>,
        attribute_mapping: Option<BTreeMap<String, String>>,
        idp_identifiers: Option<Vec<String>>,
    ) -> Result<IdentityProvider> {
        let pool = self.pool(pool_id).await?;
        validate_provider_name(provider_name)?;
        let old = self.identity_provider(pool_id, provider_name).await?;
        let mut details = provider_details.unwrap_or_else(|| old.provider_details.clone());
        for k in SECRET_DETAILS {
            if let Some(v) = old.provider_details.get(*k) {
                details.entry((*k).into()).or_insert_with(|| v.clone());
            }
        }
        let input = ProviderInput {
            provider_type: old.provider_type,
            provider_details: details,
            attribute_mapping: attribute_mapping.unwrap_or_else(|| old.attribute_mapping.clone()),
            idp_identifiers: idp_identifiers.unwrap_or_else(|| old.idp_identifiers.clone()),
        };
        let input = self.checked_provider(&pool, provider_name, input).await?;
        let idp = IdentityProvider {
            provider_details: input.provider_details,
            attribute_mapping: input.attribute_mapping,
            idp_identifiers: input.idp_identifiers,
            last_modified_date: self.clock.now(),
            ..old
        };
        self.store
            .update_identity_provider(&sealed_for_store(&self.master_key, &idp))
            .await?;
        Ok(self.described(idp))
    }

    /// Cognito API: DeleteIdentityProvider — its users stay (ListUsers
    /// shows them) and cannot sign in through it any more; an app client
    /// that still names it cannot send users to it.
    pub async fn delete_identity_provider(&self, pool_id: &str, provider_name: &str) -> Result<()> {
        self.pool(pool_id).await?;
        validate_provider_name(provider_name)?;
        if !self
            .store
            .delete_identity_provider(pool_id, provider_name)
            .await?
        {
            return Err(not_found(provider_name));
        }
        Ok(())
    }

    /// Cognito API: ListIdentityProviders — MaxResults 1–60.
    pub async fn list_identity_providers(
        &self,
        pool_id: &str,
        max_results: Option<i64>,
        token: Option<&str>,
    ) -> Result<Page<IdentityProvider>> {
        let limit = super::page_size(max_results, 60, "maxResults")?;
        self.pool(pool_id).await?;
        self.store
            .list_identity_providers(pool_id, limit, token)
            .await
    }

    pub async fn get_identity_provider_by_identifier(
        &self,
        pool_id: &str,
        identifier: &str,
    ) -> Result<IdentityProvider> {
        self.pool(pool_id).await?;
        validate_identifier(identifier)?;
        let stored = self
            .store
            .find_identity_provider_by_identifier(pool_id, identifier)
            .await?
            .ok_or_else(|| {
                CognitoError::ResourceNotFound(format!(
                    "Identity provider with identifier {identifier} does not exist."
                ))
            })?;
        let idp = opened_from_store(&self.master_key, stored)?;
        Ok(self.described(idp))
    }

    /// Cognito API: CreateUserPoolClient, SupportedIdentityProviders — each
    /// name is COGNITO or a provider of the pool.
    pub(crate) async fn check_client_providers(
        &self,
        pool_id: &str,
        providers: Option<&[String]>,
    ) -> Result<()> {
        for name in providers.unwrap_or_default() {
            if name == "COGNITO" {
                continue;
            }
            let exists = validate_provider_name(name).is_ok()
                && self
                    .store
                    .get_identity_provider(pool_id, name)
                    .await?
                    .is_some();
            if !exists {
                return Err(CognitoError::invalid_parameter(format!(
                    "The provider {name} does not exist for User Pool {pool_id}"
                )));
            }
        }
        Ok(())
    }

    /// The user a federated identity names, if it exists.
    async fn federated_user(
        &self,
        pool: &UserPool,
        provider_name: &str,
        upstream_id: &str,
    ) -> Result<Option<User>> {
        self.find_user_by_name(pool, &federated_username(provider_name, upstream_id))
            .await
            .map(|u| u.filter(|u| u.status == UserStatus::ExternalProvider))
    }

    /// Cognito API: AdminLinkProviderForUser — the source identity, an
    /// upstream user who need not have signed in yet, signs in from now on
    /// as the destination user (same `sub`).
    pub async fn admin_link_provider_for_user(
        &self,
        pool_id: &str,
        destination: &ProviderUserIdentifier,
        source: &ProviderUserIdentifier,
    ) -> Result<()> {
        let pool = self.pool(pool_id).await?;
        let required = |v: &Option<String>, field: &str| -> Result<String> {
            v.clone()
                .filter(|s| !s.is_empty())
                .ok_or_else(|| CognitoError::invalid_parameter(format!("{field} is required.")))
        };
        let dest_provider = required(&destination.provider_name, "DestinationUser.ProviderName")?;
        let dest_value = required(
            &destination.provider_attribute_value,
            "DestinationUser.ProviderAttributeValue",
        )?;
        let src_provider = required(&source.provider_name, "SourceUser.ProviderName")?;
        let src_name = required(
            &source.provider_attribute_name,
            "SourceUser.ProviderAttributeName",
        )?;
        let src_value = required(
            &source.provider_attribute_value,
            "SourceUser.ProviderAttributeValue",
        )?;
        if src_provider.eq_ignore_ascii_case("Cognito") {
            return Err(CognitoError::invalid_parameter(
                "SourceUser must be a federated user, not a user of the user pool.",
            ));
        }
        let src_idp = self
            .identity_provider(pool_id, &src_provider)
            .await
            .map_err(|_| {
                CognitoError::invalid_parameter(format!(
                    "Identity provider {src_provider} does not exist for User Pool {pool_id}"
                ))
            })?;
        if src_name != COGNITO_SUBJECT && !src_idp.attribute_mapping.contains_key(&src_name) {
            return Err(CognitoError::invalid_parameter(format!(
                "ProviderAttributeName {src_name} is neither Cognito_Subject nor mapped by \
                 provider {src_provider}."
            )));
        }
        let destination_user = if dest_provider.eq_ignore_ascii_case("Cognito") {
            self.admin_find_user(&pool, &dest_value).await?
        } else {
            self.federated_user(&pool, &dest_provider, &dest_value)
                .await?
                .ok_or_else(|| CognitoError::UserNotFound("User does not exist.".into()))?
        };
        // Cognito API: AdminLinkProviderForUser — a source identity that
        // already has its own user cannot be merged into another.
        if src_name == COGNITO_SUBJECT
            && self
                .federated_user(&pool, &src_provider, &src_value)
                .await?
                .is_some()
        {
            return Err(CognitoError::invalid_parameter(
                "Merging is not currently supported, provide a SourceUser that has not been linked",
            ));
        }
        let (_guard, mut user) = self.lock_user(&pool, &destination_user).await?;
        let link = ProviderLink {
            pool_id: pool.id.clone(),
            provider_name: src_provider.clone(),
            attribute_name: src_name,
            attribute_value: src_value.clone(),
            sub: user.sub,
            created: self.clock.now(),
        };
        self.store.link_provider(&link, MAX_LINKS_PER_USER).await?;
        self.write_identities(&pool, &mut user).await
    }

    /// Cognito API: AdminDisableProviderForUser — the identity's links end
    /// and its own federated user, if any, is disabled: it no longer signs
    /// in as anyone.
    pub async fn admin_disable_provider_for_user(
        &self,
        pool_id: &str,
        who: &ProviderUserIdentifier,
    ) -> Result<()> {
        let pool = self.pool(pool_id).await?;
        let provider = who
            .provider_name
            .clone()
            .filter(|s| !s.is_empty())
            .ok_or_else(|| CognitoError::invalid_parameter("User.ProviderName is required."))?;
        let value = who
            .provider_attribute_value
            .clone()
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                CognitoError::invalid_parameter("User.ProviderAttributeValue is required.")
            })?;
        if provider.eq_ignore_ascii_case("Cognito") {
            return Err(CognitoError::invalid_parameter(
                "User.ProviderName must name an identity provider of the user pool.",
            ));
        }
        let name = who.provider_attribute_name.as_deref();
        let subs = self
            .store
            .unlink_provider(
                &pool.id,
                &provider,
                name.filter(|n| *n != COGNITO_SUBJECT),
                &value,
            )
            .await?;
        for sub in subs {
            if let Some(u) = self.store.get_user_by_sub(&pool.id, sub).await? {
                let (_guard, mut u) = self.lock_user(&pool, &u).await?;
                self.write_identities(&pool, &mut u).await?;
            }
        }
        if name.is_none_or(|n| n == COGNITO_SUBJECT)
            && let Some(u) = self.federated_user(&pool, &provider, &value).await?
        {
            let (_guard, mut u) = self.lock_user(&pool, &u).await?;
            if u.enabled {
                u.enabled = false;
                u.modified = self.clock.now();
                self.end_sessions(&mut u);
                self.store.update_user(&pool, &u).await?;
            }
        }
        Ok(())
    }

    /// The `identities` attribute of a user whose links changed, as Cognito
    /// writes it: one entry per linked upstream identity (its own first,
    /// for a federated user). Called with the user's lock held.
    async fn write_identities(&self, pool: &UserPool, user: &mut User) -> Result<()> {
        let links = self.store.links_of_user(&pool.id, user.sub).await?;
        let mut entries: Vec<serde_json::Value> = user
            .attribute("identities")
            .and_then(|s| serde_json::from_str::<Vec<serde_json::Value>>(s).ok())
            .unwrap_or_default()
            .into_iter()
            .filter(|e| e["primary"] == "true")
            .collect();
        for l in &links {
            let provider_type = self
                .store
                .get_identity_provider(&pool.id, &l.provider_name)
                .await?
                .map(|p| p.provider_type.as_str())
                .unwrap_or("OIDC");
            entries.push(json!({
                "userId": l.attribute_value,
                "providerName": l.provider_name,
                "providerType": provider_type,
                "issuer": null,
                "primary": "false",
                "dateCreated": l.created.millis().to_string(),
            }));
        }
        if entries.is_empty() {
            user.remove_attribute("identities");
        } else {
            user.set_attribute("identities", &serde_json::Value::from(entries).to_string());
        }
        user.modified = self.clock.now();
        self.store.update_user(pool, user).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Timestamp;

    #[test]
    fn stored_secrets_are_sealed_for_their_provider() {
        let key = MasterKey::generate();
        let idp = IdentityProvider {
            user_pool_id: "us-east-1_abc".into(),
            provider_name: "Okta".into(),
            provider_type: ProviderType::Oidc,
            provider_details: [("client_id", "c"), ("client_secret", "s3cret-value")]
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .into(),
            attribute_mapping: BTreeMap::new(),
            idp_identifiers: vec![],
            last_modified_date: Timestamp(0),
            creation_date: Timestamp(0),
        };
        let stored = sealed_for_store(&key, &idp);
        let doc = serde_json::to_string(&stored).unwrap();
        assert!(!doc.contains("s3cret-value"), "{doc}");
        assert_eq!(opened_from_store(&key, stored.clone()).unwrap(), idp);
        let mut moved = stored;
        moved.provider_name = "Other".into();
        assert!(opened_from_store(&key, moved).is_err());
    }
}
