//! MFA code entry: the code from the authenticator app, a text message or
//! an email (SOFTWARE_TOKEN_MFA, SMS_MFA, EMAIL_OTP challenges).

use leptos::prelude::*;

use super::{
    CodeDelivery, DeliveryMedium, FormContext, FormErrors, MfaFactor, NOTICE, code_field, form,
    render_page, submit,
};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MfaCodeProps {
    pub factor: MfaFactor,
    /// The masked phone number or email address the code went to.
    pub destination: Option<String>,
    pub errors: FormErrors,
}

pub fn render(ctx: &FormContext, props: MfaCodeProps) -> String {
    let lang = ctx.lang;
    let MfaCodeProps {
        factor,
        destination,
        errors,
    } = props;
    let medium = match factor {
        MfaFactor::SoftwareToken => None,
        MfaFactor::Sms => Some(DeliveryMedium::Sms),
        MfaFactor::Email => Some(DeliveryMedium::Email),
    };
    let intro = match medium {
        Some(medium) => CodeDelivery {
            medium,
            destination,
        }
        .view(lang),
        None => view! { <p class=NOTICE>{lang.t("mfa_code.totp_intro")}</p> }.into_any(),
    };
    let fields = view! {
        {intro}
        {code_field(lang, &errors)}
        {submit(lang.t("mfa_code.submit"))}
    }
    .into_any();
    let form = form(ctx, &errors, fields);
    render_page(ctx, lang.t("mfa_code.title").to_owned(), move || form)
}
