//! The sign-in page's identity-provider buttons (federation): one form
//! posting to `/federate` with the CSRF token and the sealed flow, one
//! submit button per provider the app client supports. No JavaScript.

use leptos::prelude::*;

use super::{BUTTON_SECONDARY, FormContext};

/// The providers' block, or nothing when the client supports none.
pub fn buttons(
    ctx: &FormContext,
    action: Option<String>,
    providers: Vec<String>,
) -> Option<AnyView> {
    let action = action.filter(|_| !providers.is_empty())?;
    let lang = ctx.lang;
    let csrf = ctx.csrf.clone();
    let hidden = ctx.hidden.clone();
    let label = lang.t("federation.continue_with");
    Some(
        view! {
            <section class="providers mb-6" aria-label=lang.t("federation.heading")>
                <form method="post" action=action>
                    <input type="hidden" name="csrf" value=csrf/>
                    {hidden
                        .into_iter()
                        .map(|(name, value)| view! { <input type="hidden" name=name value=value/> })
                        .collect_view()}
                    {providers
                        .into_iter()
                        .map(|p| {
                            let text = label.replace("{provider}", &p);
                            view! {
                                <button type="submit" name="provider" value=p class=BUTTON_SECONDARY>
                                    {text}
                                </button>
                            }
                        })
                        .collect_view()}
                </form>
            </section>
        }
        .into_any(),
    )
}
