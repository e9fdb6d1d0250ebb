//! The landing page of a running server: what it is and where to go.

use leptos::prelude::*;

use crate::layout::Shell;

#[component]
pub fn HomePage(version: String, pools: Vec<(String, String)>, dev: bool) -> impl IntoView {
    view! {
        <Shell title="Cognate".to_string()>
            <h1 class="text-2xl font-semibold">"Cognate"</h1>
            <p class="mt-2">"An identity server that speaks Amazon Cognito's languages. Version " {version} "."</p>
            <h2 class="mt-6 text-lg font-semibold">"User pools"</h2>
            <ul id="pools">
                {pools
                    .into_iter()
                    .map(|(id, name)| view! { <li><code>{id}</code> " — " {name}</li> })
                    .collect_view()}
            </ul>
            {dev.then(|| view! { <p class="mt-6"><a href="/_dev/outbox">"Development outbox"</a></p> })}
        </Shell>
    }
}
