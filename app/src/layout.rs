//! The document shell every page shares.

use leptos::prelude::*;

use crate::i18n::Lang;

/// A built-in theme: the value of `data-theme` on `<html>`, which selects the
/// CSS variables in style/input.css.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Theme {
    #[default]
    Light,
    Dark,
}

impl Theme {
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
}

/// Renders a full HTML document around `children`. `theme_css_url` (a pool's
/// or app client's stylesheet) is linked after cognate.css so it overrides it.
#[component]
pub fn Shell(
    title: String,
    #[prop(default = Lang::En)] lang: Lang,
    #[prop(default = Theme::Light)] theme: Theme,
    #[prop(default = None)] theme_css_url: Option<String>,
    children: Children,
) -> impl IntoView {
    view! {
        <html lang=lang.code() data-theme=theme.as_str()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <title>{title}</title>
                <link rel="icon" href="/static/favicon.svg" type="image/svg+xml"/>
                <link rel="stylesheet" href="/static/cognate.css"/>
                {theme_css_url.map(|href| view! { <link rel="stylesheet" href=href/> })}
            </head>
            <body class="min-h-screen bg-[var(--bg)] text-[var(--fg)]">
                <main class="mx-auto max-w-md px-4 py-6 sm:p-6">{children()}</main>
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
    // `<!>` marks where hydration would put dynamic content; with no
    // hydration it is only noise (and an HTML parse error). Text and
    // attribute values are escaped, so the sequence occurs nowhere else.
    let html = html.replace("<!>", "");
    format!("<!DOCTYPE html>{html}")
}
