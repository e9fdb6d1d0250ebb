//! `GET /_dev/outbox` (`cognate dev` only): the local outbox as a page, or
//! as a JSON array for `Accept: application/json`.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use cognate_app::layout::render_document;
use cognate_app::pages::outbox::{OutboxEntry, OutboxPage, OutboxPageProps};

use crate::outbox::{message_json, rfc3339};
use crate::state::AppState;

/// How many messages the page shows.
const SHOWN: usize = 100;

pub async fn page(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let messages = match state.idp.outbox(None, SHOWN).await {
        Ok(m) => m,
        Err(e) => {
            tracing::error!(error = %e, "cannot read the outbox");
            return (StatusCode::INTERNAL_SERVER_ERROR, "cannot read the outbox").into_response();
        }
    };
    let wants_json = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("application/json"));
    if wants_json {
        return Json(messages.iter().map(message_json).collect::<Vec<_>>()).into_response();
    }
    let entries = messages
        .into_iter()
        .map(|m| OutboxEntry {
            time: rfc3339(m.created),
            channel: m.channel.as_str().to_owned(),
            recipient: m.destination,
            subject: m.subject,
            body: m.body,
            user_pool_id: m.pool_id,
        })
        .collect();
    let notice = crate::mail::outbox_notice(&state.config);
    Html(render_document(move || {
        OutboxPage(OutboxPageProps {
            messages: entries,
            notice,
        })
    }))
    .into_response()
}
