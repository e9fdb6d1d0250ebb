//! Reset password: the code from "forgot password" and a new password.

use leptos::prelude::*;

use super::{
    CodeDelivery, FormContext, FormErrors, PasswordPolicy, code_field, form, link_line,
    new_password_field, render_page, submit,
};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResetPasswordProps {
    /// Posted back as a hidden field.
    pub username: String,
    pub delivery: Option<CodeDelivery>,
    pub policy: PasswordPolicy,
    pub sign_in_url: Option<String>,
    pub errors: FormErrors,
}

pub fn render(ctx: &FormContext, props: ResetPasswordProps) -> String {
    let lang = ctx.lang;
    let ResetPasswordProps {
        username,
        delivery,
        policy,
        sign_in_url,
        errors,
    } = props;
    let fields = view! {
        <input type="hidden" name="username" value=username/>
        {delivery.map(|d| d.view(lang))}
        {code_field(lang, &errors)}
        {new_password_field(lang, "field.new_password", &policy, &errors)}
        {submit(lang.t("reset.submit"))}
    }
    .into_any();
    let form = form(ctx, &errors, fields);
    render_page(ctx, lang.t("reset.title").to_owned(), move || {
        view! {
            {form}
            {link_line(None, sign_in_url, lang.t("common.back_to_sign_in"))}
        }
        .into_any()
    })
}
