//! Forgot password: the username to send a reset code to.

use leptos::prelude::*;

use super::{
    FormContext, FormErrors, NOTICE, UsernameKind, form, link_line, render_page, submit,
    username_field,
};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ForgotPasswordProps {
    pub username_kind: UsernameKind,
    pub username: String,
    pub sign_in_url: Option<String>,
    pub errors: FormErrors,
}

pub fn render(ctx: &FormContext, props: ForgotPasswordProps) -> String {
    let lang = ctx.lang;
    let ForgotPasswordProps {
        username_kind,
        username,
        sign_in_url,
        errors,
    } = props;
    let fields = view! {
        <p class=NOTICE>{lang.t("forgot.intro")}</p>
        {username_field(lang, username_kind, username, &errors)}
        {submit(lang.t("forgot.submit"))}
    }
    .into_any();
    let form = form(ctx, &errors, fields);
    render_page(ctx, lang.t("forgot.title").to_owned(), move || {
        view! {
            {form}
            {link_line(None, sign_in_url, lang.t("common.back_to_sign_in"))}
        }
        .into_any()
    })
}
