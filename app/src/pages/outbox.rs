//! The development outbox (`cognate dev` only): the codes and invitations
//! that went to no mail server, newest first, so a sign-up can be finished
//! without one.

use leptos::prelude::*;

use crate::layout::Shell;

/// One message as the page shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboxEntry {
    pub time: String,
    pub channel: String,
    pub recipient: String,
    pub subject: Option<String>,
    pub body: String,
    pub user_pool_id: String,
}

/// `notice` says what goes elsewhere (a mail server, an SMS webhook).
#[component]
pub fn OutboxPage(messages: Vec<OutboxEntry>, notice: Option<String>) -> impl IntoView {
    let empty = messages.is_empty();
    view! {
        <Shell title="Outbox — Cognate".to_string()>
            <h1 class="text-2xl font-semibold">"Outbox"</h1>
            <p class="mt-2">
                "Messages that went to no mail server or SMS gateway, newest first. "
                <a href="/_dev/outbox">"Reload"</a>
            </p>
            {notice.map(|n| view! { <p class="mt-2 font-semibold" id="notice">{n}</p> })}
            {empty.then(|| view! { <p class="mt-6" id="empty">"No messages yet."</p> })}
            <ol id="messages" class="mt-6 space-y-4">
                {messages
                    .into_iter()
                    .map(|m| {
                        view! {
                            <li class="rounded border p-3">
                                <p class="text-sm">
                                    <time>{m.time}</time> " · " {m.channel} " · "
                                    <span class="recipient">{m.recipient}</span> " · "
                                    <code>{m.user_pool_id}</code>
                                </p>
                                {m.subject.map(|s| view! { <p class="font-semibold">{s}</p> })}
                                <pre class="body whitespace-pre-wrap">{m.body}</pre>
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
        </Shell>
    }
}
