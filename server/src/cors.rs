//! Cross-origin access to the endpoints browsers' JavaScript calls: the AWS
//! APIs on `POST /` (Amplify and amazon-cognito-identity-js call
//! cognito-idp and cognito-identity straight from a web page), the OAuth
//! token, revocation and userInfo endpoints (Amplify's redirect sign-in) and
//! the OIDC documents. Cognito answers these from any origin without
//! credentials, so a page on another origin gets the answer but never sends
//! its cookies: nothing here reads a cookie. The hosted UI's pages and forms
//! get no CORS headers (the same-origin policy is part of their CSRF defence).

use axum::http::{HeaderName, Method};
use tower_http::cors::{AllowHeaders, Any, CorsLayer};

/// Answers from any origin, no credentials (Fetch §3.2.5: `*` never
/// carries cookies), for the methods these endpoints take.
pub fn any_origin() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::POST])
        // The SDKs send x-amz-target, x-amz-user-agent, amz-sdk-*,
        // authorization and content-type; the preflight names them.
        .allow_headers(AllowHeaders::mirror_request())
        // The SDKs read the error type and request id from these.
        .expose_headers([
            HeaderName::from_static("x-amzn-requestid"),
            HeaderName::from_static("x-amzn-errortype"),
            HeaderName::from_static("x-amzn-errormessage"),
            HeaderName::from_static("date"),
        ])
        .max_age(std::time::Duration::from_secs(600))
}
