//! The public side of identity pools: GetId, GetOpenIdToken,
//! GetCredentialsForIdentity (the enhanced flow: role chosen here, then
//! STS), UnlinkIdentity, and the developer side's
//! GetOpenIdTokenForDeveloperIdentity. Every login is verified first:
//! a Cognate user pool's ID token under either of its provider names
//! (signature, `iss`, `aud` among the pool's CognitoIdentityProviders,
//! expiry, revocation under ServerSideTokenCheck), or an OpenID token of
//! the identity issuer (`cognito-identity.amazonaws.com`), or a token of
//! an OIDC or social provider (see `external_logins.rs`).

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::Idp;
use super::external_logins::{AMAZON, APPLE, ExternalCheck, ExternalLoginError, FACEBOOK, GOOGLE};
use super::identity_issuer::{
    DEVELOPER_TOKEN_DEFAULT_SECONDS, DEVELOPER_TOKEN_MAX_SECONDS, OPEN_ID_TOKEN_SECONDS,
    OpenIdClaims,
};
use super::identity_pools::identity_not_found;
use super::sts::{AssumeRoleRequest, AwsCredentials};
use crate::crypto::SecretString;
use crate::error::{CognitoError, Result};
use crate::model::identity_pool::{
    self as model, Identity, IdentityLogin, IdentityPool, RoleMapping,
};
use crate::tokens::{TokenError, TokenUse};

/// The login key of the identity issuer's own tokens (developer identities).
pub const IDENTITY_PROVIDER_KEY: &str = "cognito-identity.amazonaws.com";
/// Cognito Identity API: Logins — at most 10 entries, keys 1–128, tokens
/// 1–50000 characters.
const MAX_LOGINS: usize = 10;
const MAX_TOKEN_CHARS: usize = 50_000;
/// The role session name Cognito uses for the enhanced flow.
const SESSION_NAME: &str = "CognitoIdentityCredentials";

/// A verified login.
#[derive(Debug, Clone)]
pub struct VerifiedLogin {
    /// The login as kept (provider name, subject); None for an identity
    /// issuer token, which names its identity directly.
    pub login: Option<IdentityLogin>,
    /// The identity an identity issuer token names.
    pub identity_id: Option<String>,
    /// The provider's name as the role mappings and tag maps name it.
    pub provider: String,
    pub claims: Map<String, Value>,
    /// amr entries beyond "authenticated".
    pub amr: Vec<String>,
}

fn invalid_login(why: &str) -> CognitoError {
    CognitoError::NotAuthorized(format!("Invalid login token. {why}"))
}

fn unsupported_provider() -> CognitoError {
    CognitoError::NotAuthorized(
        "Token is not from a supported provider of this identity pool.".into(),
    )
}

fn unauthenticated_off() -> CognitoError {
    CognitoError::NotAuthorized(
        "Unauthenticated access is not supported for this identity pool.".into(),
    )
}

fn no_role() -> CognitoError {
    CognitoError::InvalidIdentityPoolConfiguration(
        "Invalid identity pool configuration. Check assigned IAM roles for this pool.".into(),
    )
}

fn logins_dont_match() -> CognitoError {
    CognitoError::NotAuthorized(
        "Logins don't match. Please include at least one valid login for this identity or identity pool."
            .into(),
    )
}

impl Idp {
    /// Verifies every login of a request (Cognito Identity API: Logins).
    pub async fn verify_logins(
        &self,
        pool: &IdentityPool,
        logins: &BTreeMap<String, String>,
    ) -> Result<Vec<VerifiedLogin>> {
        if logins.len() > MAX_LOGINS {
            return Err(CognitoError::invalid_parameter(
                "1 validation error detected: Value at 'logins' failed to satisfy constraint: Member must have length less than or equal to 10",
            ));
        }
        let mut out = Vec::with_capacity(logins.len());
        for (key, token) in logins {
            crate::model::validate::len_between("logins.key", key, 1, 128)?;
            crate::model::validate::len_between("logins.value", token, 1, MAX_TOKEN_CHARS)?;
            out.push(self.verify_login(pool, key, token).await?);
        }
        Ok(out)
    }

    async fn verify_login(
        &self,
        pool: &IdentityPool,
        key: &str,
        token: &str,
    ) -> Result<VerifiedLogin> {
        if key == IDENTITY_PROVIDER_KEY {
            let claims = self
                .verify_open_id_token(token)
                .await
                .map_err(|e| match e {
                    TokenError::Expired => invalid_login("Token expired."),
                    _ => invalid_login("Couldn't verify signed token."),
                })?;
            if claims.get("aud").and_then(Value::as_str) != Some(pool.id.as_str()) {
                return Err(invalid_login("Incorrect token audience."));
            }
            let sub = claims
                .get("sub")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            return Ok(VerifiedLogin {
                login: None,
                identity_id: Some(sub),
                provider: IDENTITY_PROVIDER_KEY.into(),
                amr: vec![IDENTITY_PROVIDER_KEY.into()],
                claims,
            });
        }
        if let Some(verified) = self.verify_external_login(pool, key, token).await? {
            return Ok(verified);
        }
        let Some(user_pool_id) = model::user_pool_of_provider(key) else {
            return Err(unsupported_provider());
        };
        let canonical = model::user_pool_provider_name(user_pool_id);
        let own_host = self
            .settings
            .public_url
            .split_once("://")
            .map_or(self.settings.public_url.as_str(), |(_, h)| h);
        let host = &key[..key.len() - user_pool_id.len() - 1];
        if key != canonical && host != own_host {
            return Err(unsupported_provider());
        }
        let providers: Vec<_> = pool
            .config
            .cognito_identity_providers
            .iter()
            .filter(|p| {
                p.provider_name
                    .as_deref()
                    .and_then(model::user_pool_of_provider)
                    == Some(user_pool_id)
            })
            .collect();
        if providers.is_empty() {
            return Err(unsupported_provider());
        }
        let user_pool = match self.pool(user_pool_id).await {
            Ok(p) => p,
            Err(CognitoError::ResourceNotFound(_)) => {
                return Err(invalid_login("Couldn't verify signed token."));
            }
            Err(e) => return Err(e),
        };
        let now = self.clock.now();
        let keys = self.pool_keys(&user_pool.id).await?;
        let claims = match keys.verifier.verify(token, TokenUse::Id, None, now) {
            Err(TokenError::UnknownKey) => self
                .reload_pool_keys(&user_pool.id)
                .await?
                .verifier
                .verify(token, TokenUse::Id, None, now),
            other => other,
        }
        .map_err(|e| match e {
            TokenError::Expired => invalid_login("Token expired."),
            TokenError::WrongTokenUse => {
                invalid_login("Not a valid OpenId Connect identity token.")
            }
            _ => invalid_login("Couldn't verify signed token."),
        })?;
        let aud = claims
            .get("aud")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let Some(provider) = providers
            .iter()
            .find(|p| p.client_id.as_deref() == Some(aud))
        else {
            return Err(invalid_login("Incorrect token audience."));
        };
        let sub = claims
            .get("sub")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        if provider.server_side_token_check == Some(true) {
            let parsed = uuid::Uuid::parse_str(&sub)
                .map_err(|_| invalid_login("Couldn't verify signed token."))?;
            let origin = claims
                .get("origin_jti")
                .and_then(Value::as_str)
                .unwrap_or_default();
            match self
                .store
                .get_user_and_revocation(&user_pool.id, parsed, origin)
                .await?
            {
                Some((user, false)) if user.enabled => {}
                _ => return Err(invalid_login("Token has been revoked.")),
            }
        }
        // The provider is known in role mappings and tag maps by the name
        // the pool was configured with.
        let configured = provider.provider_name.clone().unwrap_or(canonical.clone());
        Ok(VerifiedLogin {
            login: Some(IdentityLogin {
                provider: canonical.clone(),
                subject: sub.clone(),
            }),
            identity_id: None,
            amr: vec![
                canonical.clone(),
                format!("{canonical}:CognitoSignIn:{sub}"),
            ],
            provider: configured,
            claims,
        })
    }

    /// GetId: the identity of these logins (made on first use), or a new
    /// unauthenticated identity.
    pub async fn get_id(&self, pool_id: &str, logins: &BTreeMap<String, String>) -> Result<String> {
        let pool = self.identity_pool(pool_id).await?;
        if logins.is_empty() {
            if !pool.config.allow_unauthenticated_identities {
                return Err(unauthenticated_off());
            }
            return Ok(self.identity_for_logins(&pool, Vec::new()).await?.id);
        }
        let verified = self.verify_logins(&pool, logins).await?;
        Ok(self.identity_of_verified(&pool, &verified).await?.id)
    }

    /// The identity verified logins belong to, linking them to it.
    async fn identity_of_verified(
        &self,
        pool: &IdentityPool,
        verified: &[VerifiedLogin],
    ) -> Result<Identity> {
        let logins: Vec<IdentityLogin> = verified.iter().filter_map(|v| v.login.clone()).collect();
        if let Some(id) = verified.iter().find_map(|v| v.identity_id.as_deref()) {
            let identity = self.identity(id).await?;
            let missing: Vec<_> = logins
                .into_iter()
                .filter(|l| !identity.logins.contains(l))
                .collect();
            if missing.is_empty() {
                return Ok(identity);
            }
            return self.store.link_logins(id, &missing).await;
        }
        self.identity_for_logins(pool, logins).await
    }

    /// The identity and its pool, with the request's logins checked
    /// against it: an authenticated identity needs one of its logins; an
    /// unauthenticated one given logins becomes theirs.
    async fn identity_with_logins(
        &self,
        identity_id: &str,
        logins: &BTreeMap<String, String>,
    ) -> Result<(IdentityPool, Identity, Vec<VerifiedLogin>)> {
        let identity = self.identity(identity_id).await?;
        let pool = self.identity_pool(&identity.pool_id).await?;
        if identity.disabled {
            return Err(CognitoError::NotAuthorized(format!(
                "Access to Identity '{}' is forbidden.",
                identity.id
            )));
        }
        if logins.is_empty() {
            if !identity.logins.is_empty() {
                return Err(logins_dont_match());
            }
            if !pool.config.allow_unauthenticated_identities {
                return Err(unauthenticated_off());
            }
            return Ok((pool, identity, Vec::new()));
        }
        let verified = self.verify_logins(&pool, logins).await?;
        let found = self.identity_of_verified(&pool, &verified).await?;
        if found.id != identity.id {
            // Logins of another identity: link them here only if this one
            // is unauthenticated (AWS merges the unauthenticated identity
            // into the authenticated one; the caller gets the latter).
            if identity.logins.is_empty() {
                self.store.delete_identity(&identity.id).await?;
                return Ok((pool, found, verified));
            }
            return Err(logins_dont_match());
        }
        Ok((pool, found, verified))
    }

    /// The principal tags of verified logins (SetPrincipalTagAttributeMap;
    /// the user-pool defaults are `client` = `aud` and `username` = `sub`).
    fn principal_tags(pool: &IdentityPool, verified: &[VerifiedLogin]) -> Map<String, Value> {
        let mut tags = Map::new();
        for v in verified {
            let Some(map) = by_provider(&pool.principal_tags, &v.provider) else {
                continue;
            };
            let mut pairs: BTreeMap<String, String> = map.principal_tags.clone();
            if map.use_defaults && v.login.is_some() {
                pairs.entry("client".into()).or_insert_with(|| "aud".into());
                pairs
                    .entry("username".into())
                    .or_insert_with(|| "sub".into());
            }
            for (tag, claim) in pairs {
                if let Some(value) = v.claims.get(&claim).and_then(Value::as_str) {
                    tags.insert(tag, json!([value]));
                }
            }
        }
        tags
    }

    async fn open_id_token_for(
        &self,
        pool: &IdentityPool,
        identity: &Identity,
        verified: &[VerifiedLogin],
        lifetime_seconds: i64,
    ) -> Result<String> {
        let amr = if verified.is_empty() && identity.logins.is_empty() {
            vec!["unauthenticated".to_owned()]
        } else {
            std::iter::once("authenticated".to_owned())
                .chain(verified.iter().flat_map(|v| v.amr.clone()))
                .collect()
        };
        self.sign_open_id_token(OpenIdClaims {
            identity_id: &identity.id,
            pool_id: &pool.id,
            amr,
            principal_tags: Self::principal_tags(pool, verified),
            lifetime_seconds,
        })
        .await
    }

    /// GetOpenIdToken (the classic flow's second step).
    pub async fn get_open_id_token(
        &self,
        identity_id: &str,
        logins: &BTreeMap<String, String>,
    ) -> Result<(String, String)> {
        let (pool, identity, verified) = self.identity_with_logins(identity_id, logins).await?;
        if pool.config.allow_classic_flow != Some(true) {
            return Err(CognitoError::invalid_parameter(
                "Basic (classic) flow is not enabled for this identity pool.",
            ));
        }
        let token = self
            .open_id_token_for(&pool, &identity, &verified, OPEN_ID_TOKEN_SECONDS)
            .await?;
        Ok((identity.id, token))
    }

    /// GetCredentialsForIdentity (the enhanced flow): the role chosen by
    /// the pool's roles and role mappings, assumed at STS with an OpenID
    /// token issued now.
    pub async fn get_credentials_for_identity(
        &self,
        identity_id: &str,
        logins: &BTreeMap<String, String>,
        custom_role_arn: Option<&str>,
    ) -> Result<(String, AwsCredentials)> {
        if let Some(arn) = custom_role_arn {
            model::check_role_arn("customRoleArn", arn)?;
        }
        let (pool, identity, verified) = self.identity_with_logins(identity_id, logins).await?;
        let role = if verified.is_empty() {
            pool.roles
                .get("unauthenticated")
                .cloned()
                .ok_or_else(no_role)?
        } else {
            choose_role(&pool, &verified, custom_role_arn)?
        };
        let token = self
            .open_id_token_for(&pool, &identity, &verified, OPEN_ID_TOKEN_SECONDS)
            .await?;
        let request = AssumeRoleRequest {
            role_arn: role,
            role_session_name: SESSION_NAME.into(),
            web_identity_token: SecretString::new(token),
            duration_seconds: None,
        };
        let credentials = self.obtain_credentials(&request).await.map_err(|e| {
            tracing::info!(code = e.code, message = %e.message, "STS refused the identity's role");
            match e.code {
                "AccessDenied" | "InvalidIdentityToken" | "ValidationError" => no_role(),
                _ => CognitoError::ExternalService(format!(
                    "STS could not issue credentials: {}",
                    e.code
                )),
            }
        })?;
        Ok((identity.id, credentials))
    }

    /// UnlinkIdentity: removes the providers of `remove` from the identity
    /// the logins prove.
    pub async fn unlink_identity(
        &self,
        identity_id: &str,
        logins: &BTreeMap<String, String>,
        remove: &[String],
    ) -> Result<()> {
        if logins.is_empty() {
            return Err(logins_dont_match());
        }
        let (_pool, identity, _verified) = self.identity_with_logins(identity_id, logins).await?;
        if identity.id != identity_id {
            return Err(logins_dont_match());
        }
        let names: Vec<String> = remove
            .iter()
            .map(|r| match model::user_pool_of_provider(r) {
                Some(p) => model::user_pool_provider_name(p),
                None => r.clone(),
            })
            .collect();
        let gone: Vec<IdentityLogin> = identity
            .logins
            .iter()
            .filter(|l| names.contains(&l.provider))
            .cloned()
            .collect();
        self.store.unlink_logins(&identity.id, &gone).await?;
        Ok(())
    }

    /// GetOpenIdTokenForDeveloperIdentity: the identity of the developer
    /// user (and any other logins), made on first use; its OpenID token.
    pub async fn get_open_id_token_for_developer_identity(
        &self,
        pool_id: &str,
        identity_id: Option<&str>,
        logins: &BTreeMap<String, String>,
        principal_tags: &BTreeMap<String, String>,
        token_duration: Option<i64>,
    ) -> Result<(String, String)> {
        let duration = token_duration.unwrap_or(DEVELOPER_TOKEN_DEFAULT_SECONDS);
        crate::model::validate::int_between(
            "tokenDuration",
            duration,
            1,
            DEVELOPER_TOKEN_MAX_SECONDS,
        )?;
        let pool = self.identity_pool(pool_id).await?;
        let Some(dev) = pool.config.developer_provider_name.clone() else {
            return Err(CognitoError::NotAuthorized(
                "The identity pool has no developer provider.".into(),
            ));
        };
        let Some(user) = logins.get(&dev) else {
            return Err(CognitoError::invalid_parameter(format!(
                "Logins must include the developer provider '{dev}'."
            )));
        };
        crate::model::validate::len_between("developerUserIdentifier", user, 1, 1024)?;
        let others: BTreeMap<String, String> = logins
            .iter()
            .filter(|(k, _)| **k != dev)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let mut verified = self.verify_logins(&pool, &others).await?;
        verified.push(VerifiedLogin {
            login: Some(IdentityLogin {
                provider: dev.clone(),
                subject: user.clone(),
            }),
            identity_id: None,
            provider: dev.clone(),
            claims: Map::new(),
            amr: vec![dev.clone(), format!("{dev}:{}:{user}", pool.id)],
        });
        let identity = match identity_id {
            Some(id) => {
                let identity = self.identity(id).await?;
                if identity.pool_id != pool.id {
                    return Err(identity_not_found(id));
                }
                if let Some(owner) = self.store.identity_of_login(&pool.id, &dev, user).await?
                    && owner != identity.id
                {
                    return Err(CognitoError::DeveloperUserAlreadyRegistered(
                        "Developer user is already linked to another identity.".into(),
                    ));
                }
                let missing: Vec<_> = verified
                    .iter()
                    .filter_map(|v| v.login.clone())
                    .filter(|l| !identity.logins.contains(l))
                    .collect();
                if missing.is_empty() {
                    identity
                } else {
                    self.store.link_logins(&identity.id, &missing).await?
                }
            }
            None => self.identity_of_verified(&pool, &verified).await?,
        };
        let mut tags = Self::principal_tags(&pool, &verified);
        for (k, v) in principal_tags {
            tags.insert(k.clone(), json!([v]));
        }
        let amr = std::iter::once("authenticated".to_owned())
            .chain(verified.iter().flat_map(|v| v.amr.clone()))
            .collect();
        let token = self
            .sign_open_id_token(OpenIdClaims {
                identity_id: &identity.id,
                pool_id: &pool.id,
                amr,
                principal_tags: tags,
                lifetime_seconds: duration,
            })
            .await?;
        Ok((identity.id, token))
    }
}

/// Cognito Developer Guide, "Role-based access control": the role mapping
/// of the first login whose provider has one decides; Token reads
/// `cognito:preferred_role` / `cognito:roles` (CustomRoleArn picks among
/// them), Rules take the first rule that matches; otherwise
/// AmbiguousRoleResolution: the authenticated role, or Deny.
fn choose_role(
    pool: &IdentityPool,
    verified: &[VerifiedLogin],
    custom_role_arn: Option<&str>,
) -> Result<String> {
    let authenticated = || pool.roles.get("authenticated").cloned().ok_or_else(no_role);
    let Some((mapping, login)) = verified
        .iter()
        .find_map(|v| mapping_of(pool, &v.provider).map(|m| (m, v)))
    else {
        return authenticated();
    };
    let chosen = match mapping.kind.as_str() {
        "Token" => {
            let roles: Vec<&str> = login
                .claims
                .get("cognito:roles")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            match custom_role_arn {
                Some(c) if roles.contains(&c) => Some(c.to_owned()),
                _ => login
                    .claims
                    .get("cognito:preferred_role")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .or_else(|| (roles.len() == 1).then(|| roles[0].to_owned())),
            }
        }
        _ => mapping.rules_configuration.as_ref().and_then(|c| {
            c.rules
                .iter()
                .find(|r| match login.claims.get(&r.claim) {
                    Some(Value::String(s)) => r.matches(s),
                    Some(Value::Array(items)) => {
                        items.iter().filter_map(Value::as_str).any(|s| r.matches(s))
                    }
                    Some(other) => r.matches(&other.to_string()),
                    None => false,
                })
                .map(|r| r.role_arn.clone())
        }),
    };
    match chosen {
        Some(role) => Ok(role),
        None => match mapping.ambiguous_role_resolution.as_deref() {
            Some("Deny") => Err(CognitoError::NotAuthorized(
                "No role mapping applies to this login and AmbiguousRoleResolution is Deny.".into(),
            )),
            _ => authenticated(),
        },
    }
}

/// The role mapping of a provider, by either of a user pool's names.
fn mapping_of<'a>(pool: &'a IdentityPool, provider: &str) -> Option<&'a RoleMapping> {
    by_provider(&pool.role_mappings, provider)
}

/// A provider's entry of a map keyed by provider name, a user pool found
/// under either of its names.
fn by_provider<'a, T>(map: &'a BTreeMap<String, T>, provider: &str) -> Option<&'a T> {
    if let Some(m) = map.get(provider) {
        return Some(m);
    }
    let user_pool = model::user_pool_of_provider(provider)?;
    map.iter()
        .find(|(k, _)| model::user_pool_of_provider(k) == Some(user_pool))
        .map(|(_, m)| m)
}

impl Idp {
    /// A login from an OIDC provider the pool names (by issuer, in
    /// OpenIdConnectProviderARNs) or from a social provider of its
    /// SupportedLoginProviders; None when `key` is neither.
    async fn verify_external_login(
        &self,
        pool: &IdentityPool,
        key: &str,
        token: &str,
    ) -> Result<Option<VerifiedLogin>> {
        let oidc_arn = pool
            .config
            .open_id_connect_provider_arns
            .iter()
            .find(|a| super::identity_pools::oidc_issuer_of_arn(a) == Some(key));
        let social = pool.config.supported_login_providers.get(key);
        // Cognito Identity API: Logins — a SAML login's key is the ARN of
        // the IAM SAML provider, its value the base64 SAML response.
        let saml_arn = pool
            .config
            .saml_provider_arns
            .iter()
            .find(|a| a.as_str() == key);
        if oidc_arn.is_none() && social.is_none() && saml_arn.is_none() {
            return Ok(None);
        }
        let Some(external) = self.external_logins.as_ref() else {
            return Err(CognitoError::NotAuthorized(format!(
                "Cognate cannot verify logins from '{key}': no verifier of external logins is configured."
            )));
        };
        let audiences: Vec<String>;
        let issuer: String;
        let check = if let Some(arn) = saml_arn {
            if !external.has_saml_provider(arn) {
                return Err(CognitoError::NotAuthorized(format!(
                    "Cognate cannot verify logins from '{key}': no IAM SAML provider {arn} is configured (iam_saml_providers)."
                )));
            }
            ExternalCheck::Saml { arn }
        } else if let Some(arn) = oidc_arn {
            let Some(provider) = external.oidc_provider(arn) else {
                return Err(CognitoError::NotAuthorized(format!(
                    "Cognate cannot verify logins from '{key}': no IAM OIDC provider {arn} is configured (iam_oidc_providers)."
                )));
            };
            audiences = provider.client_ids;
            issuer = provider.url;
            ExternalCheck::IdToken {
                issuer: &issuer,
                audiences: &audiences,
            }
        } else {
            let app_id = social.map(String::as_str).unwrap_or_default();
            match key {
                GOOGLE | APPLE => {
                    // Cognito takes several Google client ids separated by commas.
                    audiences = app_id
                        .split(',')
                        .map(|a| a.trim().to_owned())
                        .filter(|a| !a.is_empty())
                        .collect();
                    issuer = external
                        .social_issuer(key)
                        .unwrap_or_else(|| format!("https://{key}"));
                    ExternalCheck::IdToken {
                        issuer: &issuer,
                        audiences: &audiences,
                    }
                }
                FACEBOOK => ExternalCheck::Facebook { app_id },
                AMAZON => ExternalCheck::Amazon { app_id },
                _ => return Err(unsupported_provider()),
            }
        };
        let claims = external.verify(check, token).await.map_err(|e| match e {
            ExternalLoginError::Expired => invalid_login("Token expired."),
            ExternalLoginError::WrongAudience => invalid_login("Incorrect token audience."),
            ExternalLoginError::WrongIssuer => invalid_login("Issuer doesn't match providerName"),
            ExternalLoginError::Invalid => invalid_login("Couldn't verify signed token."),
            ExternalLoginError::Unavailable => CognitoError::ExternalService(format!(
                "The login provider {key} did not answer; try again later."
            )),
        })?;
        let sub = claims
            .get("sub")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| invalid_login("Couldn't verify signed token."))?
            .to_owned();
        Ok(Some(VerifiedLogin {
            login: Some(IdentityLogin {
                provider: key.to_owned(),
                subject: sub.clone(),
            }),
            identity_id: None,
            amr: vec![key.to_owned(), format!("{key}:{sub}")],
            provider: key.to_owned(),
            claims,
        }))
    }
}
