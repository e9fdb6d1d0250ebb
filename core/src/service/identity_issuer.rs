//! The identity issuer: the OpenID tokens of identity pools
//! (GetOpenIdToken, GetOpenIdTokenForDeveloperIdentity) are RS256 JWTs
//! signed with the issuer's own keys — sealed in the store like a pool's,
//! cached opened — and published at `{public_url}/identity/.well-known/…`.
//! `iss` is that issuer, `aud` the identity pool id, `sub` the identity id,
//! `amr` as AWS sets it.

use std::sync::Arc;

use serde_json::{Map, Value, json};
use tokio::sync::Mutex;

use super::Idp;
use super::keys::{PoolKeySet, RELOAD_INTERVAL_MILLIS};
use crate::clock::Timestamp;
use crate::error::{CognitoError, Result};
use crate::tokens::{PoolKeys, TokenError, new_signing_key};

/// The path of the identity issuer under the public URL.
pub const ISSUER_PATH: &str = "identity";
/// The name the issuer's keys are kept under (their record ids too).
const KEY_OWNER: &str = "cognito-identity";
/// Cognito Identity API: GetOpenIdToken — "The OpenID token is valid for
/// 10 minutes."
pub const OPEN_ID_TOKEN_SECONDS: i64 = 600;
/// Cognito Identity API: GetOpenIdTokenForDeveloperIdentity TokenDuration
/// (default 15 minutes, at most 24 hours).
pub const DEVELOPER_TOKEN_DEFAULT_SECONDS: i64 = 900;
pub const DEVELOPER_TOKEN_MAX_SECONDS: i64 = 86_400;
/// The claim AssumeRoleWithWebIdentity reads session tags from (IAM User
/// Guide, "Passing session tags using AssumeRoleWithWebIdentity").
pub const TAGS_CLAIM: &str = "https://aws.amazon.com/tags";

/// The issuer's opened keys and when they were read.
#[derive(Default)]
pub struct IssuerKeyCache {
    cached: Mutex<Option<(Arc<PoolKeySet>, Timestamp)>>,
}

/// What an OpenID token says about an identity.
pub struct OpenIdClaims<'a> {
    pub identity_id: &'a str,
    pub pool_id: &'a str,
    pub amr: Vec<String>,
    pub principal_tags: Map<String, Value>,
    pub lifetime_seconds: i64,
}

impl Idp {
    /// `{public_url}/identity`: the `iss` of OpenID tokens.
    pub fn identity_issuer(&self) -> String {
        format!("{}/{ISSUER_PATH}", self.settings.public_url)
    }

    /// The issuer's keys, made on first use; read from the store again
    /// when `reload` and older than the reload interval.
    async fn issuer_keys(&self, reload: bool) -> Result<Arc<PoolKeySet>> {
        let mut cached = self.identity_keys.cached.lock().await;
        let now = self.clock.now();
        if let Some((set, read_at)) = cached.as_ref() {
            let age = now.millis() - read_at.millis();
            if !reload || (0..RELOAD_INTERVAL_MILLIS).contains(&age) {
                return Ok(set.clone());
            }
        }
        let mut records = self.store.issuer_keys(KEY_OWNER).await?;
        if PoolKeys::open(&self.master_key, &records)?.is_none() {
            let (master, now2) = (self.master_key.clone(), now);
            let (record, _) = self
                .hasher
                .run(move || new_signing_key(&master, KEY_OWNER, now2))
                .await??;
            self.store.put_issuer_key(&record).await?;
            // Another node may have raced: every node picks the newest.
            records = self.store.issuer_keys(KEY_OWNER).await?;
        }
        let keys = PoolKeys::open(&self.master_key, &records)?
            .ok_or_else(|| CognitoError::internal("the identity issuer has no readable key"))?;
        let set = Arc::new(PoolKeySet {
            verifier: keys.verifier(&self.identity_issuer())?,
            keys,
        });
        *cached = Some((set.clone(), now));
        Ok(set)
    }

    /// The identity issuer's JWKS document.
    pub async fn identity_jwks(&self) -> Result<Value> {
        Ok(self.issuer_keys(true).await?.keys.jwks())
    }

    /// Signs an OpenID token.
    pub(crate) async fn sign_open_id_token(&self, c: OpenIdClaims<'_>) -> Result<String> {
        let now = self.clock.now();
        let mut claims = Map::new();
        claims.insert("sub".into(), json!(c.identity_id));
        claims.insert("aud".into(), json!(c.pool_id));
        claims.insert("amr".into(), json!(c.amr));
        claims.insert("iss".into(), json!(self.identity_issuer()));
        claims.insert("iat".into(), json!(now.seconds()));
        claims.insert(
            "exp".into(),
            json!(now.plus_seconds(c.lifetime_seconds).seconds()),
        );
        claims.insert(
            "https://cognito-identity.amazonaws.com/identity-pool-arn".into(),
            json!(super::identity_pools::identity_pool_arn(c.pool_id)),
        );
        if !c.principal_tags.is_empty() {
            claims.insert(
                TAGS_CLAIM.into(),
                json!({ "principal_tags": c.principal_tags }),
            );
        }
        let keys = self.issuer_keys(false).await?;
        keys.keys.active.sign(&claims)
    }

    /// Verifies an OpenID token of the identity issuer: signature, `iss`,
    /// expiry. The caller checks `aud`.
    pub async fn verify_open_id_token(
        &self,
        token: &str,
    ) -> std::result::Result<Map<String, Value>, TokenError> {
        if token.len() > 16 * 1024 {
            return Err(TokenError::Malformed);
        }
        let now = self.clock.now();
        let keys = self
            .issuer_keys(false)
            .await
            .map_err(|_| TokenError::Malformed)?;
        match keys.verifier.verify_claims(token, now) {
            Err(TokenError::UnknownKey) => self
                .issuer_keys(true)
                .await
                .map_err(|_| TokenError::Malformed)?
                .verifier
                .verify_claims(token, now),
            other => other,
        }
    }
}
