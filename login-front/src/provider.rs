//! The provider as the relying party sees it: discovery (OpenID Connect
//! Discovery 1.0 §4) read once and kept, its keys (JWKS) fetched again —
//! once — when an ID token names a `kid` they lack (key rotation), and the
//! ID token checks of OIDC Core §3.1.3.7 with `at_hash` (§3.1.3.8).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use openidconnect::core::{CoreClient, CoreIdToken, CoreJsonWebKeySet};
use openidconnect::{
    AccessToken, AccessTokenHash, ClaimsVerificationError, ClientId, ClientSecret,
    EndpointMaybeSet, EndpointNotSet, EndpointSet, IdTokenVerifier, IssuerUrl, Nonce,
    NonceVerifier, ProviderMetadataWithLogout, RedirectUrl, SignatureVerificationError,
};
use serde_json::{Map, Value};

use crate::config::{ClockFn, LoginFrontConfig};
use crate::error::LoginFrontError;

pub(crate) type Metadata = ProviderMetadataWithLogout;
pub(crate) type OidcClient = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

pub(crate) struct Provider {
    pub http: reqwest::Client,
    issuer: IssuerUrl,
    client_id: ClientId,
    client_secret: Option<ClientSecret>,
    redirect: RedirectUrl,
    clock: ClockFn,
    metadata: RwLock<Option<Arc<Metadata>>>,
    /// Serializes discovery and key refetches: concurrent callbacks that
    /// meet the same new `kid` cause one fetch.
    fetching: tokio::sync::Mutex<()>,
    jwks_fetches: AtomicU64,
}

/// Claims of a verified ID token, as the token carried them.
pub(crate) struct Verified {
    pub claims: Map<String, Value>,
}

impl Provider {
    pub fn new(config: &LoginFrontConfig) -> Result<Self, LoginFrontError> {
        let issuer = IssuerUrl::new(config.issuer_url.clone())
            .map_err(|e| LoginFrontError::Config(format!("issuer URL: {e}")))?;
        let redirect = RedirectUrl::new(config.redirect_url.clone())
            .map_err(|e| LoginFrontError::Config(format!("redirect URL: {e}")))?;
        let http = reqwest::Client::builder()
            // OIDC endpoints answer directly; a redirect would be SSRF bait.
            .redirect(reqwest::redirect::Policy::none())
            .timeout(config.http_timeout)
            .build()
            .map_err(|e| LoginFrontError::Config(format!("HTTP client: {e}")))?;
        Ok(Self {
            http,
            issuer,
            client_id: ClientId::new(config.client_id.clone()),
            client_secret: config.client_secret.clone().map(ClientSecret::new),
            redirect,
            clock: config.clock.clone(),
            metadata: RwLock::new(None),
            fetching: tokio::sync::Mutex::new(()),
            jwks_fetches: AtomicU64::new(0),
        })
    }

    pub fn jwks_fetches(&self) -> u64 {
        self.jwks_fetches.load(Ordering::Relaxed)
    }

    fn cached(&self) -> Option<Arc<Metadata>> {
        self.metadata.read().expect("metadata lock").clone()
    }

    /// The provider's metadata, discovered on first use.
    pub async fn metadata(&self) -> Result<Arc<Metadata>, LoginFrontError> {
        if let Some(m) = self.cached() {
            return Ok(m);
        }
        let _one = self.fetching.lock().await;
        if let Some(m) = self.cached() {
            return Ok(m);
        }
        // discover_async checks that the document's issuer is ours
        // (Discovery §4.3) and fetches the JWKS.
        let m = Metadata::discover_async(self.issuer.clone(), &self.http)
            .await
            .map_err(|e| LoginFrontError::ProviderUnavailable(format!("discovery: {e}")))?;
        self.jwks_fetches.fetch_add(1, Ordering::Relaxed);
        let m = Arc::new(m);
        *self.metadata.write().expect("metadata lock") = Some(m.clone());
        Ok(m)
    }

    /// Fetches the keys again unless another task already replaced `stale`.
    async fn refetch_keys(&self, stale: &Arc<Metadata>) -> Result<Arc<Metadata>, LoginFrontError> {
        let _one = self.fetching.lock().await;
        if let Some(current) = self.cached()
            && !Arc::ptr_eq(&current, stale)
        {
            return Ok(current);
        }
        let jwks = CoreJsonWebKeySet::fetch_async(stale.jwks_uri(), &self.http)
            .await
            .map_err(|e| LoginFrontError::ProviderUnavailable(format!("keys: {e}")))?;
        self.jwks_fetches.fetch_add(1, Ordering::Relaxed);
        tracing::info!("an ID token named an unknown key: fetched the provider's keys again");
        let m = Arc::new(stale.as_ref().clone().set_jwks(jwks));
        *self.metadata.write().expect("metadata lock") = Some(m.clone());
        Ok(m)
    }

    pub fn client(&self, m: &Metadata) -> OidcClient {
        CoreClient::from_provider_metadata(
            m.clone(),
            self.client_id.clone(),
            self.client_secret.clone(),
        )
        .set_redirect_uri(self.redirect.clone())
    }

    fn verifier<'a>(
        &self,
        m: &'a Metadata,
    ) -> IdTokenVerifier<'a, openidconnect::core::CoreJsonWebKey> {
        let clock = self.clock.clone();
        let (id, iss, keys) = (
            self.client_id.clone(),
            self.issuer.clone(),
            m.jwks().clone(),
        );
        let v = match &self.client_secret {
            Some(s) => IdTokenVerifier::new_confidential_client(id, s.clone(), iss, keys),
            None => IdTokenVerifier::new_public_client(id, iss, keys),
        };
        v.set_time_fn(move || DateTime::<Utc>::from(clock()))
    }

    /// Verifies an ID token (signature, iss, aud/azp, exp, nonce) and, when
    /// it carries `at_hash`, that it belongs to `access_token`. An unknown
    /// `kid` fetches the keys again once, then verifies once more.
    pub async fn verify_id_token<N: NonceVerifier + Clone>(
        &self,
        id_token: &CoreIdToken,
        access_token: &AccessToken,
        nonce: N,
    ) -> Result<Verified, LoginFrontError> {
        let m = self.metadata().await?;
        match self.verify_with(&m, id_token, access_token, nonce.clone()) {
            Err(VerifyError::UnknownKey) => {
                let fresh = self.refetch_keys(&m).await?;
                self.verify_with(&fresh, id_token, access_token, nonce)
                    .map_err(VerifyError::into_error)
            }
            other => other.map_err(VerifyError::into_error),
        }
    }

    fn verify_with<N: NonceVerifier>(
        &self,
        m: &Metadata,
        id_token: &CoreIdToken,
        access_token: &AccessToken,
        nonce: N,
    ) -> Result<Verified, VerifyError> {
        let verifier = self.verifier(m);
        let claims = id_token.claims(&verifier, nonce).map_err(|e| match e {
            ClaimsVerificationError::SignatureVerification(
                SignatureVerificationError::NoMatchingKey,
            ) => VerifyError::UnknownKey,
            other => VerifyError::Invalid(other.to_string()),
        })?;
        // OIDC Core §3.1.3.8: at_hash, when present, must match the access token.
        if let Some(expected) = claims.access_token_hash() {
            let alg = id_token
                .signing_alg()
                .map_err(|e| VerifyError::Invalid(e.to_string()))?;
            let key = id_token
                .signing_key(&verifier)
                .map_err(|e| VerifyError::Invalid(e.to_string()))?;
            let actual = AccessTokenHash::from_token(access_token, alg, key)
                .map_err(|e| VerifyError::Invalid(e.to_string()))?;
            if &actual != expected {
                return Err(VerifyError::Invalid(
                    "at_hash does not match the access token".into(),
                ));
            }
        }
        Ok(Verified {
            claims: payload(&id_token.to_string())
                .ok_or_else(|| VerifyError::Invalid("unreadable claims".into()))?,
        })
    }
}

enum VerifyError {
    UnknownKey,
    Invalid(String),
}

impl VerifyError {
    fn into_error(self) -> LoginFrontError {
        match self {
            Self::UnknownKey => LoginFrontError::InvalidIdToken(
                "signed by a key the provider does not publish".into(),
            ),
            Self::Invalid(why) => LoginFrontError::InvalidIdToken(why),
        }
    }
}

/// The JSON claims of a (verified) compact JWS.
fn payload(jwt: &str) -> Option<Map<String, Value>> {
    let part = jwt.split('.').nth(1)?;
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).ok()?).ok()
}

/// A nonce check for refreshed ID tokens, which carry none or the
/// original one (OIDC Core §12.2).
#[derive(Clone)]
pub(crate) struct AnyNonce;
impl NonceVerifier for AnyNonce {
    fn verify(self, _nonce: Option<&Nonce>) -> Result<(), String> {
        Ok(())
    }
}

/// How a token request failed: the provider said no (the grant is bad),
/// or it could not be asked.
pub(crate) enum TokenFailure {
    Refused(String),
    Unavailable(String),
}

pub(crate) fn token_failure<RE, T>(e: openidconnect::RequestTokenError<RE, T>) -> TokenFailure
where
    RE: std::error::Error + 'static,
    T: openidconnect::ErrorResponse + 'static,
{
    use openidconnect::RequestTokenError as E;
    match e {
        E::ServerResponse(r) => TokenFailure::Refused(r.to_string()),
        E::Request(r) => TokenFailure::Unavailable(r.to_string()),
        E::Parse(p, _) => TokenFailure::Unavailable(format!("unreadable token response: {p}")),
        E::Other(o) => TokenFailure::Unavailable(o),
    }
}
