//! `GET /{pool_id}/ui/theme/{ALL|client}.css`: the custom CSS set with
//! SetUICustomization (checked when it was set: no `@import`, no external
//! `url()`), linked by the hosted-UI pages after the built-in stylesheet.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::state::AppState;

pub async fn serve(
    State(state): State<AppState>,
    Path((pool_id, file)): Path<(String, String)>,
) -> Response {
    let not_found = || (StatusCode::NOT_FOUND, "not found").into_response();
    let Some(target) = file.strip_suffix(".css") else {
        return not_found();
    };
    if !cognate_core::ids::is_valid_user_pool_id(&pool_id) {
        return not_found();
    }
    let client = (target != "ALL").then_some(target);
    if client.is_some_and(|c| !cognate_core::ids::is_valid_client_id(c)) {
        return not_found();
    }
    let css = match state.idp.store.get_ui_customization(&pool_id, client).await {
        Ok(Some(c)) => c.css.unwrap_or_default(),
        Ok(None) => return not_found(),
        Err(e) => {
            tracing::error!(error = %e, "cannot read a theme");
            return (StatusCode::INTERNAL_SERVER_ERROR, "cannot read the theme").into_response();
        }
    };
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/css; charset=utf-8"),
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            // The URL carries the CSS version: a change is a new URL.
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=300"),
            ),
        ],
        css,
    )
        .into_response()
}
