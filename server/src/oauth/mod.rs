//! The OAuth 2.0 endpoints that are not pages: token (RFC 6749 §3.2),
//! userInfo (OpenID Connect Core §5.3) and revocation (RFC 7009). The
//! authorization endpoint and logout are hosted-UI pages (`ui::hosted`).

pub mod error;
pub mod revoke;
pub mod token;
pub mod userinfo;
