//! Passkeys: signing in with one, and the offer to add one after a
//! sign-in (as Cognito's managed login makes it). WebAuthn has no HTML-only
//! form, so these two pages are the hosted UI's only use of JavaScript:
//! `/static/passkey.js`, a file (the CSP allows scripts from the server
//! itself, never inline), reads the ceremony's options from
//! `data-options`, asks the browser, and posts the credential back through
//! this CSRF-protected form. Without JavaScript the page says so and links
//! back to the other ways to sign in.

use leptos::prelude::*;

use super::{
    BUTTON, BUTTON_SECONDARY, FormContext, FormErrors, NOTICE, form, link_line, render_page,
};

/// The script of these pages.
pub const SCRIPT: &str = "/static/passkey.js";

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PasskeyMode {
    /// `navigator.credentials.get`: USER_AUTH's WEB_AUTHN challenge.
    #[default]
    SignIn,
    /// `navigator.credentials.create`: a new passkey after a sign-in.
    Register,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PasskeyProps {
    pub mode: PasskeyMode,
    /// The ceremony's options (PublicKeyCredentialRequestOptions or
    /// CreationOptions), as JSON with base64url binary members.
    pub options: String,
    pub errors: FormErrors,
    /// Back to the sign-in page (its other methods).
    pub back_url: Option<String>,
}

pub fn render(ctx: &FormContext, props: PasskeyProps) -> String {
    let lang = ctx.lang;
    let PasskeyProps {
        mode,
        options,
        errors,
        back_url,
    } = props;
    let (title, intro, start, ceremony) = match mode {
        PasskeyMode::SignIn => ("passkey.title", "passkey.intro", "passkey.use", "get"),
        PasskeyMode::Register => (
            "passkey_offer.title",
            "passkey_offer.intro",
            "passkey_offer.add",
            "create",
        ),
    };
    let skip = (mode == PasskeyMode::Register).then(|| {
        view! {
            <button type="submit" class=BUTTON_SECONDARY>{lang.t("passkey_offer.skip")}</button>
        }
    });
    let fields = view! {
        <p class=NOTICE>{lang.t(intro)}</p>
        <div id="webauthn" data-ceremony=ceremony data-options=options>
            <input type="hidden" name="credential" value=""/>
            <p class=NOTICE data-webauthn-nojs="">{lang.t("passkey.needs_javascript")}</p>
            <p class=NOTICE role="alert" data-webauthn-failed="" hidden=true>
                {lang.t("passkey.failed")}
            </p>
            <button type="button" class=BUTTON data-webauthn-start="" hidden=true>
                {lang.t(start)}
            </button>
        </div>
        {skip}
    }
    .into_any();
    let form = form(ctx, &errors, fields);
    render_page(ctx, lang.t(title).to_owned(), move || {
        view! {
            {form}
            {link_line(None, back_url, lang.t("passkey.other_methods"))}
            <script src=SCRIPT defer=true></script>
        }
        .into_any()
    })
}
