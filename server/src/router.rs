//! The router: the table of contents of the server. Every surface of
//! DESIGN.md hangs off this one listener.

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue};
use axum::routing::get;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::state::AppState;
use crate::{api, health, ui};

pub fn build(state: AppState) -> Router {
    Router::new()
        // operations
        .route("/health", get(health::health))
        // the Cognito user-pool API (POST) and the landing page (GET)
        .route("/", get(ui::home::page).post(api::handle))
        .route("/static/{*path}", get(ui::assets::serve))
        // Cognito's largest request bodies are well under this.
        .layer(DefaultBodyLimit::max(1024 * 1024))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("x-content-type-options"),
            HeaderValue::from_static("nosniff"),
        ))
        .with_state(state)
}
