//! The router: the table of contents of the server. Every surface of
//! DESIGN.md hangs off this one listener.

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue};
use axum::routing::get;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::state::{AppState, Mode};
use crate::{api, health, oidc, ui};

pub fn build(state: AppState) -> Router {
    // development pages: `cognate dev` only; under `cognate serve` they do not exist (404)
    let dev = if state.mode == Mode::Dev {
        Router::new().route("/_dev/outbox", get(ui::outbox::page))
    } else {
        Router::new()
    };
    Router::new()
        // operations
        .route("/health", get(health::health))
        // the Cognito user-pool API (POST) and the landing page (GET)
        .route("/", get(ui::home::page).post(api::handle))
        .route("/static/{*path}", get(ui::assets::serve))
        // OIDC discovery and keys, under each pool's issuer
        .route(
            "/{pool_id}/.well-known/openid-configuration",
            get(oidc::discovery::openid_configuration),
        )
        .route("/{pool_id}/.well-known/jwks.json", get(oidc::jwks::jwks))
        // hosted-UI logos set with SetUICustomization (their ImageUrl)
        .route("/{pool_id}/ui/logo/{file}", get(ui::logo::serve))
        .merge(dev)
        // Cognito's largest request bodies are well under this.
        .layer(DefaultBodyLimit::max(1024 * 1024))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("x-content-type-options"),
            HeaderValue::from_static("nosniff"),
        ))
        .with_state(state)
}
