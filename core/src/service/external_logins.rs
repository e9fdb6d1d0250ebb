//! Logins from providers outside Cognate: OpenID Connect providers named
//! by the identity pool's OpenIdConnectProviderARNs (their IAM side — URL
//! and client ids — comes from the server's configuration), and the social
//! keys of SupportedLoginProviders (`accounts.google.com` and
//! `appleid.apple.com` send OIDC ID tokens; `graph.facebook.com` and
//! `www.amazon.com` send access tokens checked at the provider), and SAML
//! responses from the IAM SAML providers of SamlProviderARNs. The
//! checks that need the network run behind [`ExternalLogins`], which the
//! server implements; without it such logins are refused.

use async_trait::async_trait;
use serde_json::{Map, Value};

/// The IAM side of an OpenID Connect provider: what IAM's
/// CreateOpenIDConnectProvider records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IamOidcProvider {
    /// `arn:aws:iam::<account>:oidc-provider/<host/path>`.
    pub arn: String,
    /// The issuer, `https://<host/path>` (`iss` of its tokens).
    pub url: String,
    /// The audiences (`aud`) IAM accepts.
    pub client_ids: Vec<String>,
}

/// What to check a login token against.
#[derive(Clone, Copy, Debug)]
pub enum ExternalCheck<'a> {
    /// An OIDC ID token: signature by the issuer's published keys, `iss`
    /// the issuer, `aud` one of the audiences, not expired.
    IdToken {
        issuer: &'a str,
        audiences: &'a [String],
    },
    /// A Facebook access token issued to this app.
    Facebook { app_id: &'a str },
    /// A Login with Amazon access token issued to this app.
    Amazon { app_id: &'a str },
    /// A base64 SAML response from the IAM SAML provider of this ARN, as
    /// STS AssumeRoleWithSAML takes it: signed by a certificate of the
    /// provider's metadata, for the audience and recipient
    /// `https://signin.aws.amazon.com/saml`, not expired. Its claims: the
    /// NameID as `sub`, the IdP's entity id as `iss`, its attributes.
    Saml { arn: &'a str },
}

/// Why a login was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExternalLoginError {
    Expired,
    WrongAudience,
    WrongIssuer,
    /// Signature, format or the provider's own refusal.
    Invalid,
    /// The provider did not answer (in time, or sensibly).
    Unavailable,
}

/// The network side: the IAM OIDC provider registry, the social
/// providers' endpoints, and the checks that call them.
#[async_trait]
pub trait ExternalLogins: Send + Sync {
    /// The configured IAM OIDC provider of this ARN.
    fn oidc_provider(&self, arn: &str) -> Option<IamOidcProvider>;
    /// The issuer URL Google or Apple ID tokens carry (`iss`).
    fn social_issuer(&self, login_key: &str) -> Option<String>;
    /// Whether the IAM SAML provider of this ARN is configured.
    fn has_saml_provider(&self, _arn: &str) -> bool {
        false
    }
    /// Checks the token; its claims (for Facebook and Amazon: the user's
    /// id as `sub`, and what the provider said of the token).
    async fn verify(
        &self,
        check: ExternalCheck<'_>,
        token: &str,
    ) -> Result<Map<String, Value>, ExternalLoginError>;
}

/// The social login keys of SupportedLoginProviders.
pub const GOOGLE: &str = "accounts.google.com";
pub const APPLE: &str = "appleid.apple.com";
pub const FACEBOOK: &str = "graph.facebook.com";
pub const AMAZON: &str = "www.amazon.com";
