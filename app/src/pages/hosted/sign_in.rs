//! Sign in: username and password, with links to sign up and to reset a
//! forgotten password.

use leptos::prelude::*;

use super::{
    FormContext, FormErrors, TextField, UsernameKind, form, link_line, render_page, submit,
    username_field,
};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SignInProps {
    pub username_kind: UsernameKind,
    /// The username typed before, or the authorize request's `login_hint`.
    pub username: String,
    /// Shown when the app client allows self sign-up.
    pub sign_up_url: Option<String>,
    pub forgot_password_url: Option<String>,
    pub errors: FormErrors,
    /// Federation: where the provider buttons post, and the providers the
    /// app client supports (their names), one button each.
    pub federate_url: Option<String>,
    pub providers: Vec<String>,
    /// For an app client without COGNITO among its providers: the page
    /// offers only the providers' buttons.
    pub providers_only: bool,
}

pub fn render(ctx: &FormContext, props: SignInProps) -> String {
    let lang = ctx.lang;
    let SignInProps {
        username_kind,
        username,
        sign_up_url,
        forgot_password_url,
        errors,
        federate_url,
        providers,
        providers_only,
    } = props;
    let providers = super::providers::buttons(ctx, federate_url, providers);
    // Cognito's hosted UI: a client that supports only external providers
    // gets their buttons and no password form (nor sign-up, nor reset).
    if providers_only {
        return render_page(ctx, lang.t("sign_in.title").to_owned(), move || {
            view! { {providers} }.into_any()
        });
    }
    let fields = view! {
        {username_field(lang, username_kind, username, &errors)}
        {TextField {
            kind: "password",
            autocomplete: Some("current-password"),
            error: errors.fields.get("password").cloned(),
            ..TextField::new("password", lang.t("field.password"))
        }
        .view(lang)}
        {link_line(None, forgot_password_url, lang.t("sign_in.forgot_password"))}
        {submit(lang.t("sign_in.submit"))}
    }
    .into_any();
    let form = form(ctx, &errors, fields);
    render_page(ctx, lang.t("sign_in.title").to_owned(), move || {
        view! {
            {providers}
            {form}
            {link_line(Some(lang.t("sign_in.no_account")), sign_up_url, lang.t("sign_in.sign_up"))}
        }
        .into_any()
    })
}
