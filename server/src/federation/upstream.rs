//! The adapter of `identity_providers::UpstreamOidc`: OpenID Connect
//! discovery through the openidconnect crate over reqwest, every call
//! bounded by `federation_timeout_secs`, no redirects followed.

use std::time::Duration;

use async_trait::async_trait;
use cognate_core::model::identity_provider::OidcEndpoints;
use cognate_core::service::identity_providers::{MetadataSource, SamlMetadata, UpstreamOidc};
use openidconnect::IssuerUrl;
use openidconnect::core::CoreProviderMetadata;

use crate::config::Config;

#[derive(Clone)]
pub struct Upstream {
    http: reqwest::Client,
}

impl Upstream {
    pub fn new(config: &Config) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            // An upstream's endpoints answer directly; a redirect would be
            // a way to make Cognate call somewhere else.
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs_f64(config.federation_timeout_secs))
            .build()?;
        Ok(Self { http })
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }
}

#[async_trait]
impl UpstreamOidc for Upstream {
    async fn discover(&self, issuer: &str) -> Result<OidcEndpoints, String> {
        let url = IssuerUrl::new(issuer.to_owned()).map_err(|e| e.to_string())?;
        // OpenID Connect Discovery 1.0 §4.3: the document's issuer is the
        // one asked for (discover_async checks it, and reads the JWKS).
        let m = CoreProviderMetadata::discover_async(url, &self.http)
            .await
            .map_err(|e| crate::http::error_chain(&e))?;
        let token_url = m
            .token_endpoint()
            .ok_or("the discovery document names no token_endpoint")?;
        Ok(OidcEndpoints {
            authorize_url: m.authorization_endpoint().to_string(),
            token_url: token_url.to_string(),
            attributes_url: m.userinfo_endpoint().map(|u| u.to_string()),
            jwks_uri: m.jwks_uri().to_string(),
        })
    }
    async fn saml_metadata(&self, source: MetadataSource<'_>) -> Result<SamlMetadata, String> {
        super::saml::read_metadata(&self.http, source).await
    }
}
