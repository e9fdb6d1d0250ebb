//! The hosted UI's sign-in pages: one file per page, each a plain HTML form
//! that POSTs to the server with a CSRF token and works without JavaScript.
//! This module holds what they share: the context every page gets, the
//! props types several pages use, and the form parts (fields, errors, the
//! password policy).

use std::collections::BTreeMap;

use leptos::prelude::*;

pub use crate::i18n::Lang;
pub use crate::layout::Theme;
use crate::layout::{Shell, render_document};

pub mod confirm_account;
pub mod error;
pub mod forgot_password;
pub mod mfa_choice;
pub mod mfa_code;
pub mod mfa_setup;
pub mod new_password;
pub mod passkey;
pub mod providers;
pub mod remember_device;
pub mod reset_password;
pub mod sign_in;
pub mod sign_up;
pub mod signed_out;

#[cfg(test)]
mod tests;

/// What every hosted page needs from the request: its language, the pool's
/// (or app client's) branding, and where its form goes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FormContext {
    pub lang: Lang,
    pub branding: Branding,
    /// The form's action, path and query (e.g. `/login?client_id=…`).
    pub action: String,
    /// The CSRF token, sent back as the `csrf` field.
    pub csrf: String,
    /// Extra hidden inputs, e.g. the sealed sign-in flow.
    pub hidden: Vec<(String, String)>,
}

impl FormContext {
    /// A context for pages with no form (signed out, error).
    pub fn page(lang: Lang, branding: Branding) -> Self {
        FormContext {
            lang,
            branding,
            ..Default::default()
        }
    }
}

/// A pool's or app client's look, as SetUICustomization sets it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Branding {
    pub theme: Theme,
    /// Per-pool/client CSS, linked after cognate.css.
    pub theme_css_url: Option<String>,
    pub logo_url: Option<String>,
    /// Shown above the form and in the title; "Cognate" when absent.
    pub app_name: Option<String>,
}

/// Errors to show on a form. `general` concerns the whole form; `fields`
/// maps a field's name (`username`, `code`, `attr.email`, …) to its message.
/// Messages arrive localized (or as Cognito's English messages).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FormErrors {
    pub general: Option<String>,
    pub fields: BTreeMap<String, String>,
}

impl FormErrors {
    pub fn general(message: impl Into<String>) -> Self {
        FormErrors {
            general: Some(message.into()),
            fields: BTreeMap::new(),
        }
    }

    pub fn field(name: impl Into<String>, message: impl Into<String>) -> Self {
        FormErrors {
            general: None,
            fields: BTreeMap::from([(name.into(), message.into())]),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.general.is_none() && self.fields.is_empty()
    }

    fn for_field(&self, name: &str) -> Option<String> {
        self.fields.get(name).cloned()
    }
}

/// What the pool's users sign in with (Cognito's UsernameAttributes), which
/// decides the username field's label and input type.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum UsernameKind {
    #[default]
    Username,
    Email,
    Phone,
    EmailOrPhone,
}

impl UsernameKind {
    fn label_key(self) -> &'static str {
        match self {
            UsernameKind::Username => "field.username",
            UsernameKind::Email => "field.email",
            UsernameKind::Phone => "field.phone",
            UsernameKind::EmailOrPhone => "field.email_or_phone",
        }
    }

    fn input_type(self) -> &'static str {
        match self {
            UsernameKind::Email => "email",
            UsernameKind::Phone => "tel",
            UsernameKind::Username | UsernameKind::EmailOrPhone => "text",
        }
    }
}

/// The pool's password policy, shown as a list before the user types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PasswordPolicy {
    pub min_length: u32,
    pub require_lowercase: bool,
    pub require_uppercase: bool,
    pub require_digit: bool,
    pub require_symbol: bool,
}

impl Default for PasswordPolicy {
    /// Cognito's default policy.
    fn default() -> Self {
        PasswordPolicy {
            min_length: 8,
            require_lowercase: true,
            require_uppercase: true,
            require_digit: true,
            require_symbol: true,
        }
    }
}

/// The input type of a user attribute's field.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AttributeInput {
    #[default]
    Text,
    Email,
    Tel,
    Date,
}

impl AttributeInput {
    fn as_str(self) -> &'static str {
        match self {
            AttributeInput::Text => "text",
            AttributeInput::Email => "email",
            AttributeInput::Tel => "tel",
            AttributeInput::Date => "date",
        }
    }
}

/// One user attribute to ask for, posted as `attr.<name>`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AttributeField {
    /// The attribute's name, e.g. `email`, `given_name`, `custom:team`.
    pub name: String,
    /// The label; when absent, the translation of a standard attribute's
    /// name, or the name itself.
    pub label: Option<String>,
    pub input: AttributeInput,
    pub required: bool,
    /// What the user typed before (re-shown after an error).
    pub value: String,
}

impl AttributeField {
    fn field_name(&self) -> String {
        format!("attr.{}", self.name)
    }

    fn label(&self, lang: Lang) -> String {
        self.label.clone().unwrap_or_else(|| {
            lang.lookup(&format!("attribute.{}", self.name))
                .map(str::to_owned)
                .unwrap_or_else(|| self.name.clone())
        })
    }

    /// HTML autofill tokens for Cognito's standard attributes.
    fn autocomplete(&self) -> Option<&'static str> {
        Some(match self.name.as_str() {
            "email" => "email",
            "phone_number" => "tel",
            "name" => "name",
            "given_name" => "given-name",
            "family_name" => "family-name",
            "middle_name" => "additional-name",
            "nickname" => "nickname",
            "birthdate" => "bday",
            "address" => "street-address",
            "gender" => "sex",
            "locale" => "language",
            "website" | "profile" | "picture" => "url",
            _ => return None,
        })
    }

    fn hint(&self, lang: Lang) -> Option<String> {
        lang.lookup(&format!("hint.{}", self.name))
            .map(str::to_owned)
    }

    pub(crate) fn view(&self, lang: Lang, errors: &FormErrors) -> AnyView {
        let name = self.field_name();
        TextField {
            error: errors.for_field(&name),
            label: self.label(lang),
            kind: self.input.as_str(),
            autocomplete: self.autocomplete(),
            value: Some(self.value.clone()),
            required: self.required,
            hint: self.hint(lang),
            ..TextField::new(name, String::new())
        }
        .view(lang)
    }
}

/// How a code was sent (Cognito's CodeDeliveryDetails).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeDelivery {
    pub medium: DeliveryMedium,
    /// The masked destination, e.g. `a***@e***` or `+*******1234`.
    pub destination: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeliveryMedium {
    Email,
    Sms,
}

impl CodeDelivery {
    fn notice(&self, lang: Lang) -> String {
        match (&self.destination, self.medium) {
            (Some(d), DeliveryMedium::Email) => lang.tf("code_sent.email", &[("destination", d)]),
            (Some(d), DeliveryMedium::Sms) => lang.tf("code_sent.sms", &[("destination", d)]),
            (None, DeliveryMedium::Email) => lang.t("code_sent.email_plain").to_owned(),
            (None, DeliveryMedium::Sms) => lang.t("code_sent.sms_plain").to_owned(),
        }
    }

    pub(crate) fn view(&self, lang: Lang) -> AnyView {
        let notice = self.notice(lang);
        view! { <p id="code-sent" class=NOTICE>{notice}</p> }.into_any()
    }
}

/// A second factor, named as Cognito's ChallengeName / MFA types name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MfaFactor {
    SoftwareToken,
    Sms,
    Email,
}

impl MfaFactor {
    /// The value posted as `factor`.
    pub fn wire_name(self) -> &'static str {
        match self {
            MfaFactor::SoftwareToken => "SOFTWARE_TOKEN_MFA",
            MfaFactor::Sms => "SMS_MFA",
            MfaFactor::Email => "EMAIL_OTP",
        }
    }

    fn label_key(self) -> &'static str {
        match self {
            MfaFactor::SoftwareToken => "mfa_factor.SOFTWARE_TOKEN_MFA",
            MfaFactor::Sms => "mfa_factor.SMS_MFA",
            MfaFactor::Email => "mfa_factor.EMAIL_OTP",
        }
    }
}

// Component classes. Tailwind finds them here (it scans app/src/**/*.rs).
pub(crate) const CARD: &str =
    "rounded-[var(--radius)] border border-[var(--border)] bg-[var(--card)] p-5 shadow-sm sm:p-8";
pub(crate) const H1: &str = "text-2xl font-semibold leading-tight";
pub(crate) const LABEL: &str = "block font-medium";
pub(crate) const INPUT: &str = "mt-1 block w-full min-w-0 rounded-[var(--radius)] border border-[var(--muted)] bg-[var(--card)] px-3 py-2 text-base text-[var(--fg)] aria-invalid:border-2 aria-invalid:border-[var(--danger)]";
pub(crate) const HINT: &str = "mt-1 text-sm text-[var(--muted)]";
pub(crate) const FIELD_ERROR: &str = "mt-1 text-sm font-medium text-[var(--danger)]";
pub(crate) const BUTTON: &str = "mt-6 block w-full cursor-pointer rounded-[var(--radius)] border-2 border-[var(--accent)] bg-[var(--accent)] px-4 py-2 text-base font-semibold text-[var(--accent-fg)] hover:opacity-90";
pub(crate) const BUTTON_SECONDARY: &str = "mt-3 block w-full cursor-pointer rounded-[var(--radius)] border-2 border-[var(--accent)] bg-transparent px-4 py-2 text-base font-semibold text-[var(--accent)] hover:bg-[var(--bg)]";
pub(crate) const LINK: &str =
    "text-[var(--accent)] underline underline-offset-2 hover:no-underline";
pub(crate) const NOTICE: &str = "mt-4";
pub(crate) const ALERT: &str = "mt-4 rounded-[var(--radius)] border-2 border-[var(--danger)] p-3";

/// The form's field id: the name with `.` and `:` made safe for CSS selectors
/// and URL fragments (`attr.custom:team` → `attr-custom-team`).
pub(crate) fn field_id(name: &str) -> String {
    name.replace(['.', ':'], "-")
}

/// Renders a hosted page: the document, the branding header, one `<h1>`, and
/// `body` below it.
pub(crate) fn render_page(
    ctx: &FormContext,
    title: String,
    body: impl FnOnce() -> AnyView + Send + 'static,
) -> String {
    let lang = ctx.lang;
    let branding = ctx.branding.clone();
    let app_name = branding.app_name.clone();
    let site = app_name
        .clone()
        .unwrap_or_else(|| lang.t("brand.default_name").to_owned());
    let document_title = format!("{title} – {site}");
    render_document(move || {
        view! {
            <Shell title=document_title lang=lang theme=branding.theme theme_css_url=branding.theme_css_url>
                <div class=CARD>
                    <header class="mb-6 flex flex-wrap items-center gap-3">
                        {branding.logo_url.map(|src| {
                            // Decorative when the name is written beside it.
                            let alt = if app_name.is_some() { "" } else { lang.t("brand.logo_alt") };
                            view! { <img src=src alt=alt class="logo max-h-12 max-w-full"/> }
                        })}
                        <p class="app-name text-lg font-semibold">{site}</p>
                    </header>
                    <h1 class=H1>{title}</h1>
                    {body()}
                </div>
            </Shell>
        }
    })
}

/// The `<form>`: POSTs to the context's action with the CSRF token and the
/// hidden pairs, the error summary first, then `fields`.
pub(crate) fn form(ctx: &FormContext, errors: &FormErrors, fields: AnyView) -> AnyView {
    let action = ctx.action.clone();
    let csrf = ctx.csrf.clone();
    let hidden = ctx.hidden.clone();
    let summary = error_summary(ctx.lang, errors);
    view! {
        <form method="post" action=action class="mt-2">
            <input type="hidden" name="csrf" value=csrf/>
            {hidden
                .into_iter()
                .map(|(name, value)| view! { <input type="hidden" name=name value=value/> })
                .collect_view()}
            {summary}
            {fields}
        </form>
    }
    .into_any()
}

/// The errors' summary, announced by screen readers as it appears: the
/// general message, then each field's message linking to its field.
fn error_summary(lang: Lang, errors: &FormErrors) -> Option<AnyView> {
    if errors.is_empty() {
        return None;
    }
    let general = errors.general.clone();
    let fields = errors.fields.clone();
    Some(
        view! {
            <div role="alert" id="form-errors" class=ALERT>
                <p class="font-semibold text-[var(--danger)]">{lang.t("form.errors_heading")}</p>
                {general.map(|m| view! { <p class="mt-1">{m}</p> })}
                {(!fields.is_empty()).then(|| view! {
                    <ul class="mt-1 list-disc pl-5">
                        {fields
                            .into_iter()
                            .map(|(name, message)| {
                                let href = format!("#{}", field_id(&name));
                                view! { <li><a href=href class=LINK>{message}</a></li> }
                            })
                            .collect_view()}
                    </ul>
                })}
            </div>
        }
        .into_any(),
    )
}

/// A labelled input with its hint and error tied to it by
/// `aria-describedby`.
pub(crate) struct TextField {
    pub name: String,
    pub label: String,
    pub kind: &'static str,
    pub autocomplete: Option<&'static str>,
    pub inputmode: Option<&'static str>,
    pub value: Option<String>,
    pub required: bool,
    pub min_length: Option<u32>,
    pub hint: Option<String>,
    /// Ids of other elements that describe the field (the policy list).
    pub described_by: Vec<String>,
    pub error: Option<String>,
    /// Spell checking and auto-capitalisation would garble usernames, codes.
    pub verbatim: bool,
}

impl TextField {
    pub fn new(name: impl Into<String>, label: impl Into<String>) -> Self {
        TextField {
            name: name.into(),
            label: label.into(),
            kind: "text",
            autocomplete: None,
            inputmode: None,
            value: None,
            required: true,
            min_length: None,
            hint: None,
            described_by: Vec::new(),
            error: None,
            verbatim: false,
        }
    }

    pub fn view(self, lang: Lang) -> AnyView {
        let id = field_id(&self.name);
        let hint_id = format!("{id}-hint");
        let error_id = format!("{id}-error");
        let mut described_by = Vec::new();
        if self.hint.is_some() {
            described_by.push(hint_id.clone());
        }
        described_by.extend(self.described_by);
        if self.error.is_some() {
            described_by.push(error_id.clone());
        }
        let described_by = (!described_by.is_empty()).then(|| described_by.join(" "));
        let invalid = self.error.is_some().then_some("true");
        let optional = (!self.required).then(|| format!(" {}", lang.t("form.optional")));
        let verbatim = self.verbatim;
        view! {
            <div class="field mt-4">
                <label for=id.clone() class=LABEL>
                    {self.label}
                    {optional.map(|o| view! { <span class="font-normal text-[var(--muted)]">{o}</span> })}
                </label>
                {self.hint.map(|h| view! { <p id=hint_id class=HINT>{h}</p> })}
                {self.error.map(|e| view! {
                    <p id=error_id class=FIELD_ERROR>
                        <span class="sr-only">{lang.t("form.error_prefix")} " "</span>
                        {e}
                    </p>
                })}
                <input
                    id=id
                    name=self.name
                    type=self.kind
                    class=INPUT
                    value=self.value
                    autocomplete=self.autocomplete
                    inputmode=self.inputmode
                    minlength=self.min_length
                    required=self.required
                    aria-invalid=invalid
                    aria-describedby=described_by
                    autocapitalize=verbatim.then_some("none")
                    spellcheck=verbatim.then_some("false")
                />
            </div>
        }
        .into_any()
    }
}

/// The username field as the pool names it.
pub(crate) fn username_field(
    lang: Lang,
    kind: UsernameKind,
    value: String,
    errors: &FormErrors,
) -> AnyView {
    TextField {
        kind: kind.input_type(),
        autocomplete: Some("username"),
        value: Some(value),
        error: errors.for_field("username"),
        verbatim: true,
        ..TextField::new("username", lang.t(kind.label_key()))
    }
    .view(lang)
}

/// A one-time code field (`code`).
pub(crate) fn code_field(lang: Lang, errors: &FormErrors) -> AnyView {
    TextField {
        autocomplete: Some("one-time-code"),
        inputmode: Some("numeric"),
        error: errors.for_field("code"),
        verbatim: true,
        ..TextField::new("code", lang.t("field.code"))
    }
    .view(lang)
}

/// A new password (`password`), described by the policy list.
pub(crate) fn new_password_field(
    lang: Lang,
    label_key: &'static str,
    policy: &PasswordPolicy,
    errors: &FormErrors,
) -> AnyView {
    let policy_view = password_policy(lang, policy);
    let field = TextField {
        kind: "password",
        autocomplete: Some("new-password"),
        min_length: Some(policy.min_length).filter(|&n| n > 0),
        described_by: vec![POLICY_ID.to_owned()],
        error: errors.for_field("password"),
        ..TextField::new("password", lang.t(label_key))
    }
    .view(lang);
    view! { {field} {policy_view} }.into_any()
}

const POLICY_ID: &str = "password-policy";

/// The password policy as a list, visible before the user types.
pub(crate) fn password_policy(lang: Lang, policy: &PasswordPolicy) -> AnyView {
    let mut rules = vec![lang.tf(
        "policy.min_length",
        &[("min", &policy.min_length.to_string())],
    )];
    for (required, key) in [
        (policy.require_lowercase, "policy.lowercase"),
        (policy.require_uppercase, "policy.uppercase"),
        (policy.require_digit, "policy.digit"),
        (policy.require_symbol, "policy.symbol"),
    ] {
        if required {
            rules.push(lang.t(key).to_owned());
        }
    }
    view! {
        <div id=POLICY_ID class="mt-2 text-sm text-[var(--muted)]">
            <p>{lang.t("policy.heading")}</p>
            <ul class="list-disc pl-5">
                {rules.into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}
            </ul>
        </div>
    }
    .into_any()
}

/// The primary submit button.
pub(crate) fn submit(label: &'static str) -> AnyView {
    view! { <button type="submit" class=BUTTON>{label}</button> }.into_any()
}

/// A paragraph with an optional lead text and a link, when `href` is given.
pub(crate) fn link_line(
    lead: Option<&'static str>,
    href: Option<String>,
    text: &'static str,
) -> Option<AnyView> {
    href.map(|href| {
        view! {
            <p class="mt-4">
                {lead.map(|l| format!("{l} "))}
                <a href=href class=LINK>{text}</a>
            </p>
        }
        .into_any()
    })
}
