//! `GET /{pool_id}/ui/logo/{ALL|client}.{png|jpg}`: the logo set with
//! SetUICustomization, the address its ImageUrl names.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::state::AppState;

pub async fn serve(
    State(state): State<AppState>,
    Path((pool_id, file)): Path<(String, String)>,
) -> Response {
    let not_found = || (StatusCode::NOT_FOUND, "not found").into_response();
    let Some((target, ext)) = file.rsplit_once('.') else {
        return not_found();
    };
    let image = match state.idp.ui_logo(&pool_id, target).await {
        Ok(Some(image)) if image.image_type.extension() == ext => image,
        Ok(_) => return not_found(),
        Err(e) => {
            tracing::error!(error = %e, "cannot read a logo");
            return (StatusCode::INTERNAL_SERVER_ERROR, "cannot read the logo").into_response();
        }
    };
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(image.image_type.content_type()),
            ),
            // The type is ours (sniffed at upload), never the browser's guess.
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            // Opened on its own, the image can do nothing.
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("default-src 'none'; sandbox"),
            ),
            // A new logo gets a new `?v=`; an old URL may go stale briefly.
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=300"),
            ),
        ],
        image.bytes,
    )
        .into_response()
}
