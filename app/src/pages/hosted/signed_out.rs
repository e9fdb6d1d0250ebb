//! Signed out: the SSO session has ended.

use leptos::prelude::*;

use super::{FormContext, NOTICE, link_line, render_page};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SignedOutProps {
    /// Replaces the default message when given.
    pub message: Option<String>,
    /// A link back (e.g. to sign in again).
    pub link_url: Option<String>,
}

/// `ctx` needs no action or CSRF token: see [`FormContext::page`].
pub fn render(ctx: &FormContext, props: SignedOutProps) -> String {
    let lang = ctx.lang;
    let SignedOutProps { message, link_url } = props;
    let message = message.unwrap_or_else(|| lang.t("signed_out.message").to_owned());
    render_page(ctx, lang.t("signed_out.title").to_owned(), move || {
        view! {
            <p class=NOTICE>{message}</p>
            {link_line(None, link_url, lang.t("signed_out.sign_in_again"))}
        }
        .into_any()
    })
}
