//! Sign in: username and password, buttons for a passkey and a one-time
//! code by email or SMS when the pool allows them, links to sign up and to reset a
//! forgotten password.

use leptos::prelude::*;

use super::{
    BUTTON_SECONDARY, FormContext, FormErrors, TextField, UsernameKind, form, link_line,
    render_page, submit, username_field,
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
    /// The pool's SignInPolicy allows a one-time code by email / by SMS as
    /// the first factor: "Email me a code", "Text me a code".
    pub email_code: bool,
    pub sms_code: bool,
    /// The pool takes passkeys: "Sign in with a passkey".
    pub passkey: bool,
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
        email_code,
        sms_code,
        passkey,
    } = props;
    let code_buttons = (email_code || sms_code || passkey).then(|| {
        view! {
            <p class="mt-4">{lang.t("sign_in.or_code")}</p>
            {passkey.then(|| code_button(lang.t("passkey.sign_in"), "WEB_AUTHN"))}
            {email_code.then(|| code_button(lang.t("sign_in.email_code"), "EMAIL_OTP"))}
            {sms_code.then(|| code_button(lang.t("sign_in.sms_code"), "SMS_OTP"))}
        }
    });
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
        {code_buttons}
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

/// A second submit button of the sign-in form: it names the method (a
/// one-time code, a passkey), and needs no password (`formnovalidate`).
fn code_button(label: &'static str, method: &'static str) -> AnyView {
    view! {
        <button type="submit" name="method" value=method formnovalidate class=BUTTON_SECONDARY>
            {label}
        </button>
    }
    .into_any()
}
