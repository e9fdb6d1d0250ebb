//! Sign up: a username, a password (the policy shown before the user types)
//! and the attributes the pool requires or the client may write.

use leptos::prelude::*;

use super::{
    AttributeField, FormContext, FormErrors, PasswordPolicy, UsernameKind, form, link_line,
    new_password_field, render_page, submit, username_field,
};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SignUpProps {
    /// `Email` (or `Phone`) when the pool signs users in with it; the
    /// attribute then needs no field of its own in `attributes`.
    pub username_kind: UsernameKind,
    pub username: String,
    pub policy: PasswordPolicy,
    /// One `attr.<name>` input each, in this order.
    pub attributes: Vec<AttributeField>,
    pub sign_in_url: Option<String>,
    pub errors: FormErrors,
}

pub fn render(ctx: &FormContext, props: SignUpProps) -> String {
    let lang = ctx.lang;
    let SignUpProps {
        username_kind,
        username,
        policy,
        attributes,
        sign_in_url,
        errors,
    } = props;
    let fields = view! {
        {username_field(lang, username_kind, username, &errors)}
        {new_password_field(lang, "field.password", &policy, &errors)}
        {attributes.iter().map(|a| a.view(lang, &errors)).collect_view()}
        {submit(lang.t("sign_up.submit"))}
    }
    .into_any();
    let form = form(ctx, &errors, fields);
    render_page(ctx, lang.t("sign_up.title").to_owned(), move || {
        view! {
            {form}
            {link_line(Some(lang.t("sign_up.have_account")), sign_in_url, lang.t("sign_up.sign_in"))}
        }
        .into_any()
    })
}
