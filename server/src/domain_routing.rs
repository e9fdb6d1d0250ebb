//! A pool's hosted UI on its own domain (docs/architecture.md, Surfaces): a request
//! whose Host is a pool's domain (`<prefix>.auth.<anything>` registered with
//! CreateUserPoolDomain, or its custom domain) and whose path is one of the
//! hosted-UI or OAuth paths is answered as the same path under the pool's
//! issuer — `https://myapp.auth.example.com/oauth2/authorize` is
//! `{public_url}/{poolId}/oauth2/authorize`.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;

use crate::state::AppState;

/// The paths a pool's domain serves, as Cognito's user pool domains do.
const PATHS: &[&str] = &[
    "/oauth2/authorize",
    "/oauth2/token",
    "/oauth2/userInfo",
    "/oauth2/revoke",
    "/login",
    "/federate",
    "/oauth2/idpresponse",
    "/oauth2/idplogout",
    "/saml2/idpresponse",
    "/saml2/logout",
    "/logout",
    "/signup",
    "/confirmUser",
    "/forgotPassword",
    "/confirmForgotPassword",
    "/challenge",
    "/passkey",
    "/device",
    "/.well-known/openid-configuration",
    "/.well-known/jwks.json",
];

/// The origin (`{scheme}://{host}`) a browser reached a pool's domain on,
/// in the extensions of the request routed to the issuer path: a sign-in
/// that leaves for an upstream provider comes back to this host, where the
/// browser's session cookie is (Cognito's `/oauth2/idpresponse` is on the
/// pool's domain).
#[derive(Clone, Debug)]
pub struct PoolDomainOrigin(pub String);

/// The fallback of the router: a pool-domain request, or 404.
pub async fn route(state: AppState, inner: Router, mut req: Request<Body>) -> Response {
    let not_found = || (StatusCode::NOT_FOUND, "not found").into_response();
    let path = req.uri().path().to_owned();
    if !PATHS.contains(&path.as_str()) {
        return not_found();
    }
    let Some(host) = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_owned)
    else {
        return not_found();
    };
    let pool = match state.idp.pool_by_domain(&host).await {
        Ok(Some(pool)) => pool,
        Ok(None) => return not_found(),
        Err(e) => {
            tracing::error!(error = %e, "domain lookup failed");
            return (StatusCode::INTERNAL_SERVER_ERROR, "domain lookup failed").into_response();
        }
    };
    let rewritten = match req.uri().query() {
        Some(q) => format!("/{}{path}?{q}", pool.id),
        None => format!("/{}{path}", pool.id),
    };
    let Ok(uri) = rewritten.parse::<Uri>() else {
        return not_found();
    };
    *req.uri_mut() = uri;
    // The host matched a registered domain; the scheme is the server's.
    let scheme = if state.public_url.starts_with("https://") {
        "https"
    } else {
        "http"
    };
    req.extensions_mut().insert(PoolDomainOrigin(format!(
        "{scheme}://{}",
        host.to_ascii_lowercase()
    )));
    match inner.oneshot(req).await {
        Ok(r) => r,
        Err(never) => match never {},
    }
}
