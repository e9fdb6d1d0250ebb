//! The document shell every page shares.

use leptos::prelude::*;

/// Renders a full HTML document around `children`.
#[component]
pub fn Shell(title: String, children: Children) -> impl IntoView {
    view! {
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <title>{title}</title>
                <link rel="icon" href="/static/favicon.svg" type="image/svg+xml"/>
                <link rel="stylesheet" href="/static/cognate.css"/>
            </head>
            <body class="min-h-screen bg-[var(--bg)] text-[var(--fg)]">
                <main class="mx-auto max-w-md p-6">{children()}</main>
            </body>
        </html>
    }
}

/// Renders a component tree to a complete HTML document string.
pub fn render_document<F, V>(f: F) -> String
where
    F: FnOnce() -> V,
    V: IntoView + 'static,
{
    let owner = Owner::new();
    let html = owner.with(|| f().to_html());
    format!("<!DOCTYPE html>{html}")
}
