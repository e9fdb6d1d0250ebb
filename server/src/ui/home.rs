//! `GET /`: what this server is, and its pools.

use axum::extract::State;
use axum::response::Html;
use cognate_app::layout::render_document;
use cognate_app::pages::home::{HomePage, HomePageProps};

use crate::state::{AppState, Mode};

pub async fn page(State(state): State<AppState>) -> Html<String> {
    // The pool list is a development aid; production shows none.
    let pools = if state.mode == Mode::Dev {
        state
            .idp
            .store
            .list_pools(60, None)
            .await
            .map(|p| p.items.into_iter().map(|p| (p.id, p.name)).collect())
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let dev = state.mode == Mode::Dev;
    Html(render_document(move || {
        HomePage(HomePageProps {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            pools,
            dev,
        })
    }))
}
