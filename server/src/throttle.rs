//! The per-route limits of the HTTP faces (`limits::ROUTES`), as a layer
//! before the handlers: one source address trying too many codes, refresh
//! tokens or client secrets gets 429 with Retry-After — a page in its
//! language on the hosted UI, JSON on the OAuth endpoints.

use std::time::Duration;

use crate::limits::{Caller, RateLimits, Rule};

/// The per-IP count of `limits::ROUTES`, before the handler runs.
pub async fn by_route(
    axum::extract::State(state): axum::extract::State<crate::state::AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::extract::{ConnectInfo, MatchedPath};
    let path = request.extensions().get::<MatchedPath>();
    let peer = request
        .extensions()
        .get::<ConnectInfo<std::net::SocketAddr>>();
    if let (Some(path), Some(ConnectInfo(peer))) = (path, peer)
        && let Rule::Counted(category) =
            RateLimits::for_route(request.method().as_str(), path.as_str())
    {
        let caller = Caller {
            ip: Some(peer.ip()),
            user: None,
        };
        if let Err(limited) = state.limits.check(category, &caller) {
            tracing::info!(
                method = %request.method(),
                route = path.as_str(),
                retry_after_ms = limited.retry_after.as_millis() as u64,
                "rate limited"
            );
            // A hosted-UI form gets a page in its language; an OAuth
            // client gets JSON.
            return if path.as_str().contains("/oauth2/") {
                too_many(limited.retry_after)
            } else {
                use axum::response::IntoResponse;
                let lang = crate::ui::hosted::flow::language(None, request.headers());
                crate::ui::hosted::error::HostedError::too_many(lang, limited.retry_after)
                    .into_response()
            };
        }
    }
    next.run(request).await
}

/// HTTP 429 with Retry-After (RFC 6585 §4) in the OAuth error format
/// (RFC 6749 §5.2 names no code for it; Cognito's endpoints answer so).
fn too_many(retry_after: Duration) -> axum::response::Response {
    use axum::response::IntoResponse;
    let secs = retry_after.as_secs().max(1).to_string();
    (
        axum::http::StatusCode::TOO_MANY_REQUESTS,
        [
            (axum::http::header::RETRY_AFTER, secs),
            (axum::http::header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        axum::Json(serde_json::json!({ "error": "too_many_requests" })),
    )
        .into_response()
}
