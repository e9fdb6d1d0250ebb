//! Federation: the adapter of the core's port to upstream identity
//! providers (`upstream.rs`) and the sign-in through an OpenID Connect
//! or OAuth 2.0 upstream (`oidc.rs`) or a SAML 2.0 identity provider
//! (`saml.rs`).

pub mod oidc;
pub mod saml;
pub mod upstream;
