//! The network side of identity-pool logins from outside Cognate (core's
//! `external_logins::ExternalLogins`): the IAM OIDC providers of the
//! configuration (`iam_oidc_providers`), its IAM SAML providers
//! (`iam_saml_providers`, responses checked by `federation/saml.rs`), and the social providers'
//! endpoints (`identity_login_endpoints`, defaulting to the providers'
//! own). ID tokens are checked with jsonwebtoken against the keys the
//! issuer publishes (its discovery document's `jwks_uri`), cached per
//! issuer and read again when a token names an unknown key; Facebook and
//! Login with Amazon access tokens are checked at the provider. Every call
//! has a deadline and a bounded answer.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use cognate_core::clock::Clock;
use cognate_core::service::external_logins::{
    AMAZON, APPLE, ExternalCheck, ExternalLoginError, ExternalLogins, FACEBOOK, GOOGLE,
    IamOidcProvider,
};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value};
use tokio::sync::Mutex;

use crate::config::Config;
use crate::federation::saml;
use cognate_core::service::{SAML_ISSUER_CLAIM, SAML_NAME_ID_CLAIM};

/// One request to a provider, connection included.
const TIMEOUT: Duration = Duration::from_secs(5);
/// The largest answer read from a provider.
const MAX_BODY: usize = 1 << 20;
/// How long an issuer's keys are used before they are read again.
const KEYS_FRESH: Duration = Duration::from_secs(3600);
/// The least time between two reads of one issuer's keys (a token naming
/// an unknown key reads them again, at most this often).
const KEYS_MIN_REFRESH: Duration = Duration::from_secs(30);

type Error = ExternalLoginError;

pub struct ExternalVerifier {
    http: reqwest::Client,
    clock: Clock,
    oidc: BTreeMap<String, IamOidcProvider>,
    /// IAM SAML providers: ARN → the IdP's metadata document.
    saml: BTreeMap<String, String>,
    google_issuer: String,
    apple_issuer: String,
    facebook_api: String,
    amazon_api: String,
    keys: Mutex<HashMap<String, (Instant, Arc<JwkSet>)>>,
}

impl ExternalVerifier {
    pub fn new(config: &Config, clock: Clock) -> anyhow::Result<Self> {
        let endpoint = |key: &str, default: &str| {
            config
                .identity_login_endpoints
                .get(key)
                .and_then(|e| e.oidc_issuer.clone().or(e.api_url.clone()))
                .unwrap_or_else(|| default.to_owned())
                .trim_end_matches('/')
                .to_owned()
        };
        let mut saml = BTreeMap::new();
        for (arn, p) in &config.iam_saml_providers {
            let document = std::fs::read_to_string(&p.metadata_file).map_err(|e| {
                anyhow::anyhow!(
                    "iam_saml_providers {arn:?}: metadata_file {}: {e}",
                    p.metadata_file
                )
            })?;
            crate::federation::saml::check_metadata(&document).map_err(|why| {
                anyhow::anyhow!("iam_saml_providers {arn:?}: metadata_file: {why}")
            })?;
            saml.insert(arn.clone(), document);
        }
        Ok(Self {
            saml,
            http: reqwest::Client::builder()
                .timeout(TIMEOUT)
                .connect_timeout(TIMEOUT)
                .redirect(reqwest::redirect::Policy::none())
                .build()?,
            clock,
            oidc: config
                .iam_oidc_providers
                .iter()
                .map(|(arn, p)| {
                    let provider = IamOidcProvider {
                        arn: arn.clone(),
                        url: p.url.trim_end_matches('/').to_owned(),
                        client_ids: p.client_ids.clone(),
                    };
                    (arn.clone(), provider)
                })
                .collect(),
            google_issuer: endpoint(GOOGLE, "https://accounts.google.com"),
            apple_issuer: endpoint(APPLE, "https://appleid.apple.com"),
            facebook_api: endpoint(FACEBOOK, "https://graph.facebook.com"),
            amazon_api: endpoint(AMAZON, "https://api.amazon.com"),
            keys: Mutex::default(),
        })
    }

    /// GET `url` (with `bearer` as the Authorization), its JSON answer and
    /// status; Unavailable when there is none in time.
    async fn get_json(
        &self,
        url: reqwest::Url,
        bearer: Option<&str>,
    ) -> Result<(u16, Value), Error> {
        let mut request = self.http.get(url);
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        let mut response = request.send().await.map_err(|_| Error::Unavailable)?;
        let status = response.status().as_u16();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|_| Error::Unavailable)? {
            body.extend_from_slice(&chunk);
            if body.len() > MAX_BODY {
                return Err(Error::Unavailable);
            }
        }
        let json = serde_json::from_slice(&body).map_err(|_| Error::Unavailable)?;
        Ok((status, json))
    }

    /// The issuer's published keys (discovery, then `jwks_uri`).
    async fn fetch_keys(&self, issuer: &str) -> Result<JwkSet, Error> {
        let discovery = reqwest::Url::parse(&format!("{issuer}/.well-known/openid-configuration"))
            .map_err(|_| Error::Invalid)?;
        let (status, doc) = self.get_json(discovery, None).await?;
        if status != 200 || doc.get("issuer").and_then(Value::as_str) != Some(issuer) {
            return Err(Error::Unavailable);
        }
        let jwks_uri = doc
            .get("jwks_uri")
            .and_then(Value::as_str)
            .and_then(|u| reqwest::Url::parse(u).ok())
            .filter(|u| matches!(u.scheme(), "https" | "http"))
            .ok_or(Error::Unavailable)?;
        let (status, jwks) = self.get_json(jwks_uri, None).await?;
        if status != 200 {
            return Err(Error::Unavailable);
        }
        serde_json::from_value(jwks).map_err(|_| Error::Unavailable)
    }

    /// The issuer's keys, from the cache or read again (when stale, or
    /// when `kid` is not among them and they were not read just now).
    /// The lock is not held while reading, so one slow issuer does not
    /// hold up the logins of others.
    async fn keys(&self, issuer: &str, kid: &str) -> Result<Arc<JwkSet>, Error> {
        if let Some((at, set)) = self.keys.lock().await.get(issuer) {
            let fresh = at.elapsed() < KEYS_FRESH;
            if fresh && (set.find(kid).is_some() || at.elapsed() < KEYS_MIN_REFRESH) {
                return Ok(set.clone());
            }
        }
        let set = Arc::new(self.fetch_keys(issuer).await?);
        self.keys
            .lock()
            .await
            .insert(issuer.to_owned(), (Instant::now(), set.clone()));
        Ok(set)
    }

    async fn verify_id_token(
        &self,
        issuer: &str,
        audiences: &[String],
        token: &str,
    ) -> Result<Map<String, Value>, Error> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| Error::Invalid)?;
        // Asymmetric algorithms only: never HS* (the key is public) or none.
        if !matches!(
            header.alg,
            Algorithm::RS256
                | Algorithm::RS384
                | Algorithm::RS512
                | Algorithm::PS256
                | Algorithm::PS384
                | Algorithm::PS512
                | Algorithm::ES256
                | Algorithm::ES384
                | Algorithm::EdDSA
        ) {
            return Err(Error::Invalid);
        }
        let kid = header.kid.ok_or(Error::Invalid)?;
        let set = self.keys(issuer, &kid).await?;
        let jwk = set.find(&kid).ok_or(Error::Invalid)?;
        let key = DecodingKey::from_jwk(jwk).map_err(|_| Error::Invalid)?;
        let mut validation = Validation::new(header.alg);
        validation.set_issuer(&[issuer]);
        validation.set_audience(audiences);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        // Expiry against the server's clock, below.
        validation.validate_exp = false;
        let claims = jsonwebtoken::decode::<Map<String, Value>>(token, &key, &validation)
            .map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::InvalidAudience => Error::WrongAudience,
                jsonwebtoken::errors::ErrorKind::InvalidIssuer => Error::WrongIssuer,
                _ => Error::Invalid,
            })?
            .claims;
        let exp = claims
            .get("exp")
            .and_then(Value::as_i64)
            .ok_or(Error::Invalid)?;
        if exp <= self.clock.now().seconds() {
            return Err(Error::Expired);
        }
        Ok(claims)
    }

    /// Facebook: the app the token was issued to (`GET /app`), then the
    /// user (`GET /me`), both with the token as the bearer.
    async fn verify_facebook(
        &self,
        app_id: &str,
        token: &str,
    ) -> Result<Map<String, Value>, Error> {
        let url = |path: &str| {
            reqwest::Url::parse(&format!("{}/{path}", self.facebook_api))
                .map_err(|_| Error::Invalid)
        };
        let (status, app) = self.get_json(url("app")?, Some(token)).await?;
        facebook_status(status)?;
        if app.get("id").and_then(Value::as_str) != Some(app_id) {
            return Err(Error::WrongAudience);
        }
        let (status, me) = self.get_json(url("me?fields=id")?, Some(token)).await?;
        facebook_status(status)?;
        let id = me.get("id").and_then(Value::as_str).ok_or(Error::Invalid)?;
        let mut claims = Map::new();
        claims.insert("sub".into(), id.into());
        claims.insert("aud".into(), app_id.into());
        Ok(claims)
    }

    /// Login with Amazon: `GET /auth/o2/tokeninfo`; the token's `aud` (the
    /// client id) or `app_id` must be the app's.
    async fn verify_amazon(&self, app_id: &str, token: &str) -> Result<Map<String, Value>, Error> {
        let url = reqwest::Url::parse_with_params(
            &format!("{}/auth/o2/tokeninfo", self.amazon_api),
            [("access_token", token)],
        )
        .map_err(|_| Error::Invalid)?;
        let (status, info) = self.get_json(url, None).await?;
        match status {
            200 => {}
            400 | 401 => {
                let expired = info
                    .get("error_description")
                    .and_then(Value::as_str)
                    .is_some_and(|d| d.contains("expired"));
                return Err(if expired {
                    Error::Expired
                } else {
                    Error::Invalid
                });
            }
            _ => return Err(Error::Unavailable),
        }
        let field = |k: &str| info.get(k).and_then(Value::as_str);
        if field("aud") != Some(app_id) && field("app_id") != Some(app_id) {
            return Err(Error::WrongAudience);
        }
        if info
            .get("exp")
            .and_then(Value::as_i64)
            .is_some_and(|left| left <= 0)
        {
            return Err(Error::Expired);
        }
        let user = field("user_id").ok_or(Error::Invalid)?;
        let mut claims = Map::new();
        claims.insert("sub".into(), user.into());
        claims.insert("aud".into(), app_id.into());
        Ok(claims)
    }
}

/// STS AssumeRoleWithSAML: the audience and recipient of SAML responses
/// for AWS ("Configure SAML assertions for the authentication response").
const AWS_SAML_AUDIENCE: &str = "https://signin.aws.amazon.com/saml";

impl ExternalVerifier {
    /// A base64 SAML response from the IAM SAML provider `arn`, verified as
    /// STS verifies it; its claims with the NameID as `sub` and the IdP's
    /// entity id as `iss`.
    fn verify_saml(&self, arn: &str, token: &str) -> Result<Map<String, Value>, Error> {
        let document = self.saml.get(arn).ok_or(Error::Invalid)?;
        let sp = saml::For {
            audience: AWS_SAML_AUDIENCE,
            acs_url: AWS_SAML_AUDIENCE,
        };
        let verified = saml::verify_response(document, &sp, token, None, self.clock.now(), None)
            .map_err(|why| {
                tracing::info!(%arn, %why, "SAML login refused");
                if why.contains("expired") {
                    Error::Expired
                } else if why.contains("Audience") || why.contains("audience") {
                    Error::WrongAudience
                } else {
                    Error::Invalid
                }
            })?;
        let mut claims = verified.claims;
        if let Some(name_id) = claims.get(SAML_NAME_ID_CLAIM).cloned() {
            claims.insert("sub".into(), name_id);
        }
        if let Some(issuer) = claims.get(SAML_ISSUER_CLAIM).cloned() {
            claims.insert("iss".into(), issuer);
        }
        claims.insert("aud".into(), AWS_SAML_AUDIENCE.into());
        Ok(claims)
    }
}

/// Graph API: 400/401/403 with an OAuthException is a refused token;
/// anything else but 200 is an unavailable provider.
fn facebook_status(status: u16) -> Result<(), Error> {
    match status {
        200 => Ok(()),
        400 | 401 | 403 => Err(Error::Invalid),
        _ => Err(Error::Unavailable),
    }
}

#[async_trait]
impl ExternalLogins for ExternalVerifier {
    fn oidc_provider(&self, arn: &str) -> Option<IamOidcProvider> {
        self.oidc.get(arn).cloned()
    }

    fn has_saml_provider(&self, arn: &str) -> bool {
        self.saml.contains_key(arn)
    }

    fn social_issuer(&self, login_key: &str) -> Option<String> {
        match login_key {
            GOOGLE => Some(self.google_issuer.clone()),
            APPLE => Some(self.apple_issuer.clone()),
            _ => None,
        }
    }

    async fn verify(
        &self,
        check: ExternalCheck<'_>,
        token: &str,
    ) -> Result<Map<String, Value>, ExternalLoginError> {
        match check {
            ExternalCheck::IdToken { issuer, audiences } => {
                self.verify_id_token(issuer, audiences, token).await
            }
            ExternalCheck::Facebook { app_id } => self.verify_facebook(app_id, token).await,
            ExternalCheck::Amazon { app_id } => self.verify_amazon(app_id, token).await,
            ExternalCheck::Saml { arn } => self.verify_saml(arn, token),
        }
    }
}
