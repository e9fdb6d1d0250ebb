//! The demo's pages: server-rendered Leptos views from props, with no
//! hydration and no script.

use leptos::prelude::*;
use login_front::User;
use serde_json::Value;

/// The name a page greets the user by.
fn display_name(user: &User) -> String {
    ["email", "cognito:username", "preferred_username", "name"]
        .iter()
        .find_map(|c| user.claim_str(c))
        .unwrap_or(&user.subject)
        .to_owned()
}

#[component]
fn Shell(title: &'static str, children: Children) -> impl IntoView {
    view! {
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <title>{title}" · login-front demo"</title>
                <link rel="icon" href="data:,"/>
                <link rel="stylesheet" href="/demo.css"/>
            </head>
            <body>
                <header>
                    <a href="/">"login-front demo"</a>
                    <nav>
                        <a href="/">"Home"</a>
                        <a href="/protected">"Protected page"</a>
                    </nav>
                </header>
                <main>{children()}</main>
            </body>
        </html>
    }
}

#[component]
fn Claims(user: User) -> impl IntoView {
    let rows = user
        .claims
        .into_iter()
        .map(|(name, value)| {
            let value = match value {
                Value::String(s) => s,
                other => other.to_string(),
            };
            view! {
                <tr>
                    <th scope="row">{name}</th>
                    <td>{value}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table>
            <caption>"Claims of your ID token (verified by login-front)"</caption>
            <tbody>{rows}</tbody>
        </table>
    }
}

/// Renders a page to a complete document.
fn render<V: IntoView + 'static>(f: impl FnOnce() -> V) -> String {
    let html = Owner::new().with(|| f().to_html());
    // `<!>` marks hydration points; with no hydration it is only noise.
    format!("<!DOCTYPE html>{}", html.replace("<!>", ""))
}

pub fn home(user: Option<User>) -> String {
    render(move || match user {
        Some(user) => {
            let name = display_name(&user);
            view! {
                <Shell title="Home">
                    <h1 id="status">"Signed in as "{name}</h1>
                    <p><a href="/protected">"Open the protected page"</a></p>
                    <Claims user/>
                    <form method="post" action="/logout"><button id="sign-out" type="submit">"Sign out"</button></form>
                </Shell>
            }
            .into_any()
        }
        None => view! {
            <Shell title="Home">
                <h1 id="status">"You are not signed in"</h1>
                <p><a id="sign-in" href="/login">"Sign in"</a></p>
                <p>"The "<a href="/protected">"protected page"</a>" asks you to sign in first."</p>
            </Shell>
        }
        .into_any(),
    })
}

/// `fingerprint` identifies the access token without showing it: the first
/// bytes of its SHA-256, which change when login-front refreshes it.
pub fn protected(user: User, fingerprint: String) -> String {
    let name = display_name(&user);
    render(move || {
        view! {
            <Shell title="Protected page">
                <h1>"Protected page"</h1>
                <p id="status">"Signed in as "{name}</p>
                <p>
                    "This page took a current access token (refreshed when it was about to expire). Its SHA-256 begins "
                    <code id="token-fingerprint">{fingerprint}</code>"; the token itself never leaves the server."
                </p>
                <form method="post" action="/logout"><button id="sign-out" type="submit">"Sign out"</button></form>
            </Shell>
        }
    })
}

pub const STYLESHEET: &str = "\
:root{color-scheme:light dark;font-family:system-ui,sans-serif;line-height:1.5}\
body{margin:0}header{display:flex;gap:1rem;justify-content:space-between;padding:.75rem 1.5rem;border-bottom:1px solid #8884}\
header nav{display:flex;gap:1rem}main{max-width:48rem;margin:0 auto;padding:1rem 1.5rem}\
table{border-collapse:collapse;width:100%}caption{text-align:left;font-weight:600;padding:.5rem 0}\
th,td{text-align:left;padding:.25rem .5rem;border-bottom:1px solid #8884;overflow-wrap:anywhere}\
a:focus-visible{outline:2px solid currentColor;outline-offset:2px}\
";
