//! The error page: what went wrong, in words a person understands. Shown
//! where a redirect would be unsafe (unknown client, unregistered redirect
//! URI), so it never redirects.

use leptos::prelude::*;

use super::{FormContext, HINT, NOTICE, link_line, render_page};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ErrorProps {
    /// The heading; "Something went wrong" when absent.
    pub title: Option<String>,
    pub message: String,
    /// Quoted so that an operator can find the request in the logs.
    pub request_id: Option<String>,
    /// An optional link back (e.g. to the application).
    pub back_url: Option<String>,
}

/// `ctx` needs no action or CSRF token: see [`FormContext::page`].
pub fn render(ctx: &FormContext, props: ErrorProps) -> String {
    let lang = ctx.lang;
    let ErrorProps {
        title,
        message,
        request_id,
        back_url,
    } = props;
    let title = title.unwrap_or_else(|| lang.t("error.title").to_owned());
    render_page(ctx, title, move || {
        view! {
            <p id="error-message" class=NOTICE>{message}</p>
            {request_id.map(|id| view! {
                <p class=HINT>{lang.t("error.request_id")} " " <code id="request-id">{id}</code></p>
            })}
            {link_line(None, back_url, lang.t("error.back"))}
        }
        .into_any()
    })
}
