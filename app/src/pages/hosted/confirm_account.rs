//! Confirm account: the code sent at sign-up, and a second button that asks
//! for a new one (`intent=resend`).

use leptos::prelude::*;

use super::{
    BUTTON, BUTTON_SECONDARY, CodeDelivery, FormContext, FormErrors, NOTICE, UsernameKind,
    code_field, form, link_line, render_page, username_field,
};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConfirmAccountProps {
    pub username: String,
    /// Show the username as an input (e.g. when the user came here from a
    /// link without one); otherwise it is posted as a hidden field.
    pub username_editable: bool,
    pub username_kind: UsernameKind,
    /// Where the code went, when known.
    pub delivery: Option<CodeDelivery>,
    pub sign_in_url: Option<String>,
    pub errors: FormErrors,
}

pub fn render(ctx: &FormContext, props: ConfirmAccountProps) -> String {
    let lang = ctx.lang;
    let ConfirmAccountProps {
        username,
        username_editable,
        username_kind,
        delivery,
        sign_in_url,
        errors,
    } = props;
    let username_view = if username_editable {
        username_field(lang, username_kind, username, &errors)
    } else {
        let account = lang.tf("confirm.account", &[("username", &username)]);
        view! {
            <input type="hidden" name="username" value=username/>
            <p class=NOTICE>{account}</p>
        }
        .into_any()
    };
    let fields = view! {
        {delivery.map(|d| d.view(lang))}
        {username_view}
        {code_field(lang, &errors)}
        // The first submit button is the one Enter presses.
        <button type="submit" name="intent" value="confirm" class=BUTTON>
            {lang.t("confirm.submit")}
        </button>
        // A new code needs no code: skip the browser's required check.
        <button type="submit" name="intent" value="resend" formnovalidate=true class=BUTTON_SECONDARY>
            {lang.t("confirm.resend")}
        </button>
    }
    .into_any();
    let form = form(ctx, &errors, fields);
    render_page(ctx, lang.t("confirm.title").to_owned(), move || {
        view! {
            {form}
            {link_line(None, sign_in_url, lang.t("common.back_to_sign_in"))}
        }
        .into_any()
    })
}
