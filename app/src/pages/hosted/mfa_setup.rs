//! MFA setup (MFA_SETUP with an authenticator app): the QR code and the
//! secret to type in, then the first code to prove the app has it.

use leptos::prelude::*;

use super::{FormContext, FormErrors, NOTICE, TextField, code_field, form, render_page, submit};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MfaSetupProps {
    /// An `<svg>` made by the server's own QR encoder (never user input),
    /// inserted as markup. It must carry no `style` attributes (CSP).
    pub qr_svg: String,
    /// The base32 secret, shown in groups of four.
    pub secret: String,
    pub device_name: String,
    pub errors: FormErrors,
}

/// `JBSWY3DPEHPK3PXP` → `JBSW Y3DP EHPK 3PXP`.
pub fn group_secret(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().filter(|c| !c.is_whitespace()).collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn render(ctx: &FormContext, props: MfaSetupProps) -> String {
    let lang = ctx.lang;
    let MfaSetupProps {
        qr_svg,
        secret,
        device_name,
        errors,
    } = props;
    let grouped = group_secret(&secret);
    let fields = view! {
        <p class=NOTICE>{lang.t("mfa_setup.scan")}</p>
        <div
            class="qr mx-auto mt-4 w-full max-w-56 rounded-[var(--radius)] bg-white p-3 [&>svg]:h-auto [&>svg]:w-full"
            role="img"
            aria-label=lang.t("mfa_setup.qr_label")
            inner_html=qr_svg
        ></div>
        <p class=NOTICE>{lang.t("mfa_setup.manual")}</p>
        <p class="mt-2 break-words font-mono text-lg tracking-wider">
            <code id="secret">{grouped}</code>
        </p>
        <p class=NOTICE>{lang.t("mfa_setup.code_intro")}</p>
        {code_field(lang, &errors)}
        {TextField {
            value: Some(device_name),
            required: false,
            error: errors.fields.get("device_name").cloned(),
            ..TextField::new("device_name", lang.t("field.device_name"))
        }
        .view(lang)}
        {submit(lang.t("mfa_setup.submit"))}
    }
    .into_any();
    let form = form(ctx, &errors, fields);
    render_page(ctx, lang.t("mfa_setup.title").to_owned(), move || form)
}
