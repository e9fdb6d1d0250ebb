//! The router: the table of contents of the server. Every surface of
//! docs/architecture.md hangs off this one listener.

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue};
use axum::routing::{get, post};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::state::{AppState, Mode};
use crate::ui::hosted;
use crate::{cors, front, health, oauth, oidc, sessions, ui};

pub fn build(state: AppState) -> Router {
    // development pages: `cognate dev` only; under `cognate serve` they do not exist (404)
    let dev = if state.mode == Mode::Dev {
        Router::new().route("/_dev/outbox", get(ui::outbox::page))
    } else {
        Router::new()
    };
    // the hosted UI: pages with a browser session (sealed, see sessions.rs)
    let hosted = Router::new()
        .route(
            "/{pool_id}/oauth2/authorize",
            get(hosted::authorize::authorize),
        )
        .route(
            "/{pool_id}/login",
            get(hosted::authorize::login_page).post(hosted::sign_in::login),
        )
        .route("/{pool_id}/challenge", post(hosted::sign_in::challenge))
        // the offer of a passkey after a sign-in
        .route("/{pool_id}/passkey", post(hosted::sign_in::passkey))
        // "Remember this device?" after MFA
        .route("/{pool_id}/device", post(hosted::sign_in::remember_device))
        .route(
            "/{pool_id}/signup",
            get(hosted::sign_up::sign_up_form).post(hosted::sign_up::sign_up),
        )
        .route("/{pool_id}/confirmUser", post(hosted::sign_up::confirm))
        .route(
            "/{pool_id}/forgotPassword",
            get(hosted::recovery::forgot_form).post(hosted::recovery::forgot),
        )
        .route(
            "/{pool_id}/confirmForgotPassword",
            post(hosted::recovery::reset),
        )
        .route("/{pool_id}/logout", get(hosted::logout::logout))
        // federation: to an upstream identity provider and back
        .route("/{pool_id}/federate", post(hosted::federation::federate))
        .route(
            "/{pool_id}/oauth2/idpresponse",
            get(hosted::federation::idp_response).post(hosted::federation::idp_form_post),
        )
        .route(
            "/{pool_id}/saml2/idpresponse",
            get(hosted::saml::idp_response).post(hosted::saml::idp_post),
        )
        .route(
            "/{pool_id}/saml2/logout",
            get(hosted::saml::logout_response),
        )
        .route(
            "/{pool_id}/oauth2/idplogout",
            get(hosted::logout::idp_logout),
        )
        .layer(sessions::layer(&state.idp, &state.public_url))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            hosted::csrf::cookie,
        ));
    let app = Router::new()
        // OAuth 2.0 endpoints for clients (no browser session)
        .route(
            "/{pool_id}/oauth2/token",
            post(oauth::token::token).layer(cors::any_origin()),
        )
        .route(
            "/{pool_id}/oauth2/userInfo",
            get(oauth::userinfo::userinfo)
                .post(oauth::userinfo::userinfo)
                .layer(cors::any_origin()),
        )
        .route(
            "/{pool_id}/oauth2/revoke",
            post(oauth::revoke::revoke).layer(cors::any_origin()),
        )
        .merge(hosted)
        // operations
        .route("/health", get(health::health))
        // the AWS APIs (POST: user pools, identity pools, STS; front.rs)
        // and the landing page (GET)
        .route(
            "/",
            get(ui::home::page).merge(post(front::post).layer(cors::any_origin())),
        )
        .route("/static/{*path}", get(ui::assets::serve))
        // OIDC discovery and keys, under each pool's issuer
        .route(
            "/{pool_id}/.well-known/openid-configuration",
            get(oidc::discovery::openid_configuration).layer(cors::any_origin()),
        )
        .route(
            "/{pool_id}/.well-known/jwks.json",
            get(oidc::jwks::jwks).layer(cors::any_origin()),
        )
        // the identity issuer of identity pools' OpenID tokens
        .route(
            "/identity/.well-known/openid-configuration",
            get(oidc::identity_issuer::openid_configuration).layer(cors::any_origin()),
        )
        .route(
            "/identity/.well-known/jwks.json",
            get(oidc::identity_issuer::jwks).layer(cors::any_origin()),
        )
        // hosted-UI logos set with SetUICustomization (their ImageUrl)
        .route("/{pool_id}/ui/logo/{file}", get(ui::logo::serve))
        .route("/{pool_id}/ui/theme/{file}", get(ui::theme::serve))
        .merge(dev)
        // The per-IP limits of each route (limits::ROUTES).
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::throttle::by_route,
        ))
        // Cognito's largest request bodies are well under this.
        .layer(DefaultBodyLimit::max(1024 * 1024))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("x-content-type-options"),
            HeaderValue::from_static("nosniff"),
        ))
        .with_state(state.clone());
    // Requests to a pool's own domain: the same routes under its issuer.
    let inner = app.clone();
    let https = state.public_url.starts_with("https://");
    let app = app.fallback(move |req: axum::extract::Request| {
        crate::domain_routing::route(state.clone(), inner.clone(), req)
    });
    // RFC 6797 §7.1: on an https server every response carries HSTS, so a
    // browser never again tries the server over plain http. Outermost, so
    // the fallback's answers carry it too.
    if https {
        app.layer(SetResponseHeaderLayer::overriding(
            axum::http::header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        ))
    } else {
        app
    }
}
