//! Every hosted page rendered with sample props: the form contract the
//! server's handlers rely on (field names, CSRF, hidden fields), the strict
//! CSP (no script, no inline style), accessibility and languages.

use std::collections::BTreeMap;

use super::*;

fn ctx(lang: Lang) -> FormContext {
    FormContext {
        lang,
        branding: Branding::default(),
        action: "/login?client_id=abc&redirect_uri=https%3A%2F%2Fapp.example%2Fcb".into(),
        csrf: "csrf-token-123".into(),
        hidden: vec![("flow".into(), "sealed-flow-value".into())],
    }
}

fn policy() -> PasswordPolicy {
    PasswordPolicy {
        min_length: 10,
        require_lowercase: true,
        require_uppercase: true,
        require_digit: true,
        require_symbol: false,
    }
}

fn attributes() -> Vec<AttributeField> {
    vec![
        AttributeField {
            name: "email".into(),
            input: AttributeInput::Email,
            required: true,
            value: "a@example.com".into(),
            ..Default::default()
        },
        AttributeField {
            name: "phone_number".into(),
            input: AttributeInput::Tel,
            ..Default::default()
        },
        AttributeField {
            name: "birthdate".into(),
            input: AttributeInput::Date,
            ..Default::default()
        },
        AttributeField {
            name: "custom:team".into(),
            label: Some("Team".into()),
            ..Default::default()
        },
    ]
}

const SVG: &str =
    r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 21 21"><path d="M0 0h7v7H0z"/></svg>"#;

fn delivery() -> Option<CodeDelivery> {
    Some(CodeDelivery {
        medium: DeliveryMedium::Email,
        destination: Some("a***@e***".into()),
    })
}

/// Every page, with the names of the fields its form must post.
fn all_pages(ctx: &FormContext) -> Vec<(&'static str, String, Vec<&'static str>)> {
    vec![
        (
            "sign_in",
            sign_in::render(
                ctx,
                sign_in::SignInProps {
                    sign_up_url: Some("/signup?client_id=abc".into()),
                    forgot_password_url: Some("/forgotPassword?client_id=abc".into()),
                    ..Default::default()
                },
            ),
            vec!["username", "password"],
        ),
        (
            "sign_up",
            sign_up::render(
                ctx,
                sign_up::SignUpProps {
                    policy: policy(),
                    attributes: attributes(),
                    sign_in_url: Some("/login".into()),
                    ..Default::default()
                },
            ),
            vec![
                "username",
                "password",
                "attr.email",
                "attr.phone_number",
                "attr.birthdate",
                "attr.custom:team",
            ],
        ),
        (
            "confirm_account",
            confirm_account::render(
                ctx,
                confirm_account::ConfirmAccountProps {
                    username: "alice".into(),
                    delivery: delivery(),
                    ..Default::default()
                },
            ),
            vec!["username", "code", "intent"],
        ),
        (
            "forgot_password",
            forgot_password::render(ctx, forgot_password::ForgotPasswordProps::default()),
            vec!["username"],
        ),
        (
            "reset_password",
            reset_password::render(
                ctx,
                reset_password::ResetPasswordProps {
                    username: "alice".into(),
                    delivery: delivery(),
                    policy: policy(),
                    ..Default::default()
                },
            ),
            vec!["username", "code", "password"],
        ),
        (
            "new_password",
            new_password::render(
                ctx,
                new_password::NewPasswordProps {
                    policy: policy(),
                    attributes: attributes(),
                    ..Default::default()
                },
            ),
            vec![
                "password",
                "attr.email",
                "attr.phone_number",
                "attr.birthdate",
                "attr.custom:team",
            ],
        ),
        (
            "mfa_code",
            mfa_code::render(
                ctx,
                mfa_code::MfaCodeProps {
                    factor: MfaFactor::Sms,
                    destination: Some("+*******1234".into()),
                    errors: FormErrors::default(),
                },
            ),
            vec!["code"],
        ),
        (
            "mfa_choice",
            mfa_choice::render(
                ctx,
                mfa_choice::MfaChoiceProps {
                    factors: vec![MfaFactor::SoftwareToken, MfaFactor::Sms, MfaFactor::Email],
                    ..Default::default()
                },
            ),
            vec!["factor"],
        ),
        (
            "remember_device",
            remember_device::render(ctx, FormErrors::default()),
            vec!["remember"],
        ),
        (
            "mfa_setup",
            mfa_setup::render(
                ctx,
                mfa_setup::MfaSetupProps {
                    qr_svg: SVG.into(),
                    secret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP".into(),
                    ..Default::default()
                },
            ),
            vec!["code", "device_name"],
        ),
        (
            "signed_out",
            signed_out::render(
                ctx,
                signed_out::SignedOutProps {
                    link_url: Some("/login".into()),
                    ..Default::default()
                },
            ),
            vec![],
        ),
        (
            "error",
            error::render(
                ctx,
                error::ErrorProps {
                    message: "The redirect URI is not registered for this app client.".into(),
                    request_id: Some("req-42".into()),
                    ..Default::default()
                },
            ),
            vec![],
        ),
    ]
}

/// A start tag's attributes, read with quoted values respected.
#[derive(Debug)]
struct Tag {
    name: String,
    attrs: BTreeMap<String, String>,
}

impl Tag {
    fn get(&self, name: &str) -> Option<&str> {
        self.attrs.get(name).map(String::as_str)
    }
}

fn tags(html: &str, wanted: &str) -> Vec<Tag> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        let name_end = rest
            .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
            .unwrap_or(rest.len());
        let name = rest[..name_end].to_ascii_lowercase();
        let mut attrs = BTreeMap::new();
        let mut s = &rest[name_end..];
        loop {
            s = s.trim_start_matches(|c: char| c.is_whitespace() || c == '/');
            if s.is_empty() || s.starts_with('>') {
                break;
            }
            let key_end = s
                .find(|c: char| c.is_whitespace() || c == '=' || c == '>' || c == '/')
                .unwrap_or(s.len());
            let key = s[..key_end].to_ascii_lowercase();
            s = &s[key_end..];
            let mut value = String::new();
            if let Some(after) = s.strip_prefix('=') {
                let after = after
                    .strip_prefix('"')
                    .expect("attribute values are double-quoted");
                let end = after.find('"').expect("closing quote");
                value = after[..end].to_owned();
                s = &after[end + 1..];
            }
            attrs.insert(key, value);
        }
        if name == wanted {
            out.push(Tag {
                name: name.clone(),
                attrs,
            });
        }
    }
    out
}

/// The text of a page, tags removed.
fn text_of(html: &str) -> String {
    let mut text = String::new();
    for (i, part) in html.split('<').enumerate() {
        let part = if i == 0 {
            part
        } else {
            part.split_once('>').map_or("", |(_, t)| t)
        };
        text.push_str(part);
        text.push(' ');
    }
    text
}

/// Whether `phrase` occurs in `text` as whole words.
fn contains_phrase(text: &str, phrase: &str) -> bool {
    text.match_indices(phrase).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + phrase.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

fn count(html: &str, needle: &str) -> usize {
    html.matches(needle).count()
}

#[test]
fn every_page_renders_a_whole_document_with_one_h1() {
    for (page, html, _) in all_pages(&ctx(Lang::En)) {
        assert!(
            html.starts_with("<!DOCTYPE html><html lang=\"en\" data-theme=\"light\""),
            "{page}: {html}"
        );
        assert_eq!(count(&html, "<h1"), 1, "{page}");
        assert!(html.contains("<title>"), "{page}");
        assert!(
            html.contains(
                r#"<meta name="viewport" content="width=device-width, initial-scale=1">"#
            ),
            "{page}"
        );
    }
}

#[test]
fn strict_csp_no_script_no_inline_style_no_external_resources() {
    for lang in Lang::ALL {
        for (page, html, _) in all_pages(&ctx(lang)) {
            assert!(!html.to_ascii_lowercase().contains("<script"), "{page}");
            assert!(!html.contains(" style="), "{page}");
            assert!(!html.contains("<style"), "{page}");
            assert!(!html.contains(" on"), "{page}: no inline event handlers");
            for link in tags(&html, "link") {
                assert!(
                    link.get("href").unwrap().starts_with("/static/"),
                    "{page}: {link:?}"
                );
            }
            assert!(
                tags(&html, "img").is_empty(),
                "{page}: no logo without a logo_url"
            );
            assert!(!html.contains("http-equiv"), "{page}: never a meta refresh");
        }
    }
}

#[test]
fn every_form_posts_to_the_action_with_csrf_and_hidden_fields() {
    let ctx = ctx(Lang::En);
    for (page, html, _) in all_pages(&ctx) {
        let forms = tags(&html, "form");
        if ["signed_out", "error"].contains(&page) {
            assert!(forms.is_empty(), "{page}");
            continue;
        }
        assert_eq!(forms.len(), 1, "{page}");
        assert_eq!(forms[0].get("method"), Some("post"));
        assert_eq!(
            forms[0].get("action"),
            Some("/login?client_id=abc&amp;redirect_uri=https%3A%2F%2Fapp.example%2Fcb"),
            "{page}"
        );
        let inputs = tags(&html, "input");
        let hidden = |name: &str, value: &str| {
            inputs.iter().any(|i| {
                i.get("type") == Some("hidden")
                    && i.get("name") == Some(name)
                    && i.get("value") == Some(value)
            })
        };
        assert!(hidden("csrf", "csrf-token-123"), "{page}: csrf");
        assert!(hidden("flow", "sealed-flow-value"), "{page}: hidden pairs");
    }
}

#[test]
fn forms_post_exactly_the_field_names_the_handlers_read() {
    for (page, html, expected) in all_pages(&ctx(Lang::En)) {
        let mut names: Vec<String> = tags(&html, "input")
            .into_iter()
            .chain(tags(&html, "button"))
            .filter_map(|t| t.get("name").map(str::to_owned))
            .filter(|n| n != "csrf" && n != "flow")
            .collect();
        names.sort();
        names.dedup();
        let mut expected: Vec<String> = expected.into_iter().map(str::to_owned).collect();
        expected.sort();
        assert_eq!(names, expected, "{page}");
    }
}

#[test]
fn every_visible_input_has_a_label_and_a_unique_id() {
    for lang in Lang::ALL {
        for (page, html, _) in all_pages(&ctx(lang)) {
            let labels: Vec<String> = tags(&html, "label")
                .into_iter()
                .filter_map(|l| l.get("for").map(str::to_owned))
                .collect();
            let mut ids: Vec<&str> = Vec::new();
            let inputs = tags(&html, "input");
            for input in inputs.iter().filter(|i| i.get("type") != Some("hidden")) {
                let id = input
                    .get("id")
                    .unwrap_or_else(|| panic!("{page}: input without id {input:?}"));
                assert!(
                    labels.iter().any(|l| l == id),
                    "{page}: no <label for={id}>"
                );
                assert!(!ids.contains(&id), "{page}: duplicate id {id}");
                ids.push(id);
            }
            // Every aria-describedby points at an element of the page.
            for tag in ["input", "fieldset"] {
                for t in tags(&html, tag) {
                    for id in t
                        .get("aria-describedby")
                        .unwrap_or_default()
                        .split_whitespace()
                    {
                        assert!(
                            html.contains(&format!("id=\"{id}\"")),
                            "{page}: describedby {id}"
                        );
                    }
                }
            }
        }
    }
}

fn input<'a>(inputs: &'a [Tag], name: &str) -> &'a Tag {
    inputs
        .iter()
        .find(|i| i.get("name") == Some(name))
        .unwrap_or_else(|| panic!("no input {name}"))
}

#[test]
fn inputs_carry_autocomplete_tokens() {
    let pages = all_pages(&ctx(Lang::En));
    let page = |name: &str| tags(&pages.iter().find(|p| p.0 == name).unwrap().1, "input");
    let sign_in = page("sign_in");
    assert_eq!(
        input(&sign_in, "username").get("autocomplete"),
        Some("username")
    );
    assert_eq!(
        input(&sign_in, "password").get("autocomplete"),
        Some("current-password")
    );
    assert_eq!(input(&sign_in, "password").get("type"), Some("password"));
    let sign_up = page("sign_up");
    assert_eq!(
        input(&sign_up, "password").get("autocomplete"),
        Some("new-password")
    );
    assert_eq!(
        input(&sign_up, "attr.email").get("autocomplete"),
        Some("email")
    );
    assert_eq!(
        input(&sign_up, "attr.phone_number").get("autocomplete"),
        Some("tel")
    );
    for p in ["confirm_account", "reset_password", "mfa_code", "mfa_setup"] {
        let code = page(p);
        let code = input(&code, "code");
        assert_eq!(code.get("autocomplete"), Some("one-time-code"), "{p}");
        assert_eq!(code.get("inputmode"), Some("numeric"), "{p}");
    }
    assert_eq!(
        input(&page("reset_password"), "password").get("autocomplete"),
        Some("new-password")
    );
    assert_eq!(
        input(&page("new_password"), "password").get("autocomplete"),
        Some("new-password")
    );
}

#[test]
fn sign_in_errors_are_announced_and_tied_to_their_fields() {
    let html = sign_in::render(
        &ctx(Lang::En),
        sign_in::SignInProps {
            username: "alice".into(),
            errors: FormErrors {
                general: Some("Incorrect username or password.".into()),
                fields: BTreeMap::from([("password".into(), "Enter your password.".into())]),
            },
            ..Default::default()
        },
    );
    let alert = html.split("role=\"alert\"").nth(1).expect("an alert");
    assert!(alert.contains("Incorrect username or password."));
    assert!(alert.contains("href=\"#password\""));
    let inputs = tags(&html, "input");
    let password = input(&inputs, "password");
    assert_eq!(password.get("aria-invalid"), Some("true"));
    assert_eq!(password.get("aria-describedby"), Some("password-error"));
    assert!(html.contains("id=\"password-error\""));
    let username = input(&inputs, "username");
    assert_eq!(username.get("aria-invalid"), None);
    assert_eq!(username.get("value"), Some("alice"));
    // A general error alone still gets the alert.
    let html = sign_in::render(
        &ctx(Lang::En),
        sign_in::SignInProps {
            errors: FormErrors::general("User is disabled."),
            ..Default::default()
        },
    );
    assert_eq!(count(&html, "role=\"alert\""), 1);
    assert!(!html.contains("aria-invalid="));
    // No errors, no alert.
    let html = sign_in::render(&ctx(Lang::En), sign_in::SignInProps::default());
    assert!(!html.contains("role=\"alert\""));
    assert!(!html.contains("/signup"), "no sign-up link unless given");
}

#[test]
fn sign_up_labels_attributes_and_shows_the_policy_before_typing() {
    let html = sign_up::render(
        &ctx(Lang::En),
        sign_up::SignUpProps {
            username_kind: UsernameKind::Email,
            policy: policy(),
            attributes: attributes(),
            errors: FormErrors::field("attr.email", "Invalid email address format."),
            ..Default::default()
        },
    );
    let inputs = tags(&html, "input");
    let username = input(&inputs, "username");
    assert_eq!(username.get("type"), Some("email"));
    assert!(
        html.contains(">Email</label>"),
        "username labelled Email: {html}"
    );
    let email = input(&inputs, "attr.email");
    assert_eq!(email.get("type"), Some("email"));
    assert_eq!(email.get("value"), Some("a@example.com"));
    assert!(email.attrs.contains_key("required"));
    assert_eq!(email.get("aria-invalid"), Some("true"));
    assert_eq!(email.get("aria-describedby"), Some("attr-email-error"));
    assert_eq!(input(&inputs, "attr.phone_number").get("type"), Some("tel"));
    assert_eq!(
        input(&inputs, "attr.phone_number").get("aria-describedby"),
        Some("attr-phone_number-hint")
    );
    assert!(
        !input(&inputs, "attr.phone_number")
            .attrs
            .contains_key("required")
    );
    assert_eq!(input(&inputs, "attr.birthdate").get("type"), Some("date"));
    assert!(html.contains("Date of birth"));
    assert_eq!(
        input(&inputs, "attr.custom:team").get("id"),
        Some("attr-custom-team")
    );
    assert!(html.contains(">Team"));
    assert!(html.contains("(optional)"));
    let password = input(&inputs, "password");
    assert_eq!(password.get("minlength"), Some("10"));
    assert_eq!(password.get("aria-describedby"), Some("password-policy"));
    let policy_list = html.split("id=\"password-policy\"").nth(1).unwrap();
    for line in [
        "At least 10 characters",
        "A lowercase letter",
        "An uppercase letter",
        "A number",
    ] {
        assert!(policy_list.contains(line), "{line}");
    }
    assert!(
        !html.contains("A special character"),
        "symbols not required here"
    );
    // The default username label.
    let html = sign_up::render(&ctx(Lang::En), sign_up::SignUpProps::default());
    assert!(html.contains(">Username</label>"));
}

#[test]
fn confirm_account_resends_without_a_code_and_says_where_the_code_went() {
    let pages = all_pages(&ctx(Lang::En));
    let html = &pages.iter().find(|p| p.0 == "confirm_account").unwrap().1;
    assert!(html.contains("We sent a code by email to a***@e***."));
    let inputs = tags(html, "input");
    assert_eq!(input(&inputs, "username").get("type"), Some("hidden"));
    assert_eq!(input(&inputs, "username").get("value"), Some("alice"));
    let buttons = tags(html, "button");
    assert_eq!(buttons.len(), 2);
    assert_eq!(buttons[0].get("value"), Some("confirm"), "Enter confirms");
    assert_eq!(buttons[1].get("name"), Some("intent"));
    assert_eq!(buttons[1].get("value"), Some("resend"));
    assert!(buttons[1].attrs.contains_key("formnovalidate"));
    // Shown when editable.
    let html = confirm_account::render(
        &ctx(Lang::En),
        confirm_account::ConfirmAccountProps {
            username_editable: true,
            username: "bob".into(),
            ..Default::default()
        },
    );
    let inputs = tags(&html, "input");
    assert_eq!(input(&inputs, "username").get("type"), Some("text"));
    assert!(!html.contains("We sent a code"));
}

#[test]
fn mfa_pages_follow_the_factor() {
    let html = mfa_code::render(
        &ctx(Lang::En),
        mfa_code::MfaCodeProps {
            factor: MfaFactor::SoftwareToken,
            destination: None,
            errors: FormErrors::field("code", "Invalid code received for user"),
        },
    );
    assert!(html.contains("authenticator app"));
    assert_eq!(
        input(&tags(&html, "input"), "code").get("aria-invalid"),
        Some("true")
    );
    let pages = all_pages(&ctx(Lang::En));
    assert!(
        pages
            .iter()
            .find(|p| p.0 == "mfa_code")
            .unwrap()
            .1
            .contains("by text message to +*******1234")
    );

    let html = mfa_choice::render(
        &ctx(Lang::En),
        mfa_choice::MfaChoiceProps {
            factors: vec![MfaFactor::Sms, MfaFactor::Email],
            ..Default::default()
        },
    );
    let radios: Vec<Tag> = tags(&html, "input")
        .into_iter()
        .filter(|i| i.get("type") == Some("radio"))
        .collect();
    let values: Vec<_> = radios.iter().map(|r| r.get("value").unwrap()).collect();
    assert_eq!(values, ["SMS_MFA", "EMAIL_OTP"]);
    assert!(radios[0].attrs.contains_key("checked"));
    assert!(!radios[1].attrs.contains_key("checked"));
    assert!(!html.contains("SOFTWARE_TOKEN_MFA"));
    assert!(html.contains("<fieldset") && html.contains("<legend"));
}

#[test]
fn mfa_setup_shows_the_qr_code_and_the_secret_in_groups_of_four() {
    let pages = all_pages(&ctx(Lang::En));
    let html = &pages.iter().find(|p| p.0 == "mfa_setup").unwrap().1;
    assert!(html.contains(SVG), "the server's SVG is inserted as markup");
    assert!(html.contains("JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP"));
    assert_eq!(mfa_setup::group_secret("ABCDEFGHIJ"), "ABCD EFGH IJ");
    let inputs = tags(html, "input");
    assert!(!input(&inputs, "device_name").attrs.contains_key("required"));
}

#[test]
fn user_values_are_escaped() {
    let evil = "\"><script>alert(1)</script>";
    let html = sign_in::render(
        &ctx(Lang::En),
        sign_in::SignInProps {
            username: evil.into(),
            ..Default::default()
        },
    );
    assert!(!html.contains("<script"));
    let html = error::render(
        &ctx(Lang::En),
        error::ErrorProps {
            message: evil.into(),
            ..Default::default()
        },
    );
    assert!(!html.contains("<script"));
    let mut c = ctx(Lang::En);
    c.hidden = vec![("flow".into(), evil.into())];
    c.csrf = evil.into();
    let html = confirm_account::render(
        &c,
        confirm_account::ConfirmAccountProps {
            username: evil.into(),
            ..Default::default()
        },
    );
    assert!(!html.contains("<script"));
}

#[test]
fn french_pages_are_in_french() {
    let c = ctx(Lang::Fr);
    let pages = all_pages(&c);
    for (page, html, _) in &pages {
        assert!(
            html.starts_with("<!DOCTYPE html><html lang=\"fr\""),
            "{page}"
        );
        // No English message that French words differently slips through.
        let text = text_of(html);
        for key in Lang::En.keys() {
            let (en, fr) = (Lang::En.t(key), Lang::Fr.t(key));
            if en != fr && en.len() > 6 && !en.contains('{') {
                assert!(
                    !contains_phrase(&text, en),
                    "{page}: English {key:?} = {en:?}"
                );
            }
        }
    }
    let sign_in = &pages[0].1;
    assert!(sign_in.contains("Se connecter"));
    assert!(sign_in.contains("Mot de passe"));
    assert!(sign_in.contains("<title>Connexion – Cognate</title>"));
    let sign_up = &pages[1].1;
    assert!(sign_up.contains("Au moins 10 caractères"));
    assert!(sign_up.contains("Date de naissance"));
}

#[test]
fn branding_sets_theme_stylesheet_logo_and_name() {
    let mut c = ctx(Lang::En);
    c.branding = Branding {
        theme: Theme::Dark,
        theme_css_url: Some("/static/themes/pool-1.css?v=3".into()),
        logo_url: Some("/logo/pool-1?v=2".into()),
        app_name: Some("Acme".into()),
    };
    for (page, html, _) in all_pages(&c) {
        assert!(html.contains("data-theme=\"dark\""), "{page}");
        let links: Vec<_> = tags(&html, "link")
            .into_iter()
            .filter(|l| l.get("rel") == Some("stylesheet"))
            .collect();
        let hrefs: Vec<_> = links.iter().map(|l| l.get("href").unwrap()).collect();
        assert_eq!(
            hrefs,
            ["/static/cognate.css", "/static/themes/pool-1.css?v=3"],
            "{page}: theme after base"
        );
        let imgs = tags(&html, "img");
        assert_eq!(imgs.len(), 1);
        assert_eq!(imgs[0].get("src"), Some("/logo/pool-1?v=2"));
        assert_eq!(imgs[0].get("alt"), Some(""), "decorative beside the name");
        assert!(html.contains("Acme"));
        assert_eq!(imgs[0].name, "img");
    }
    c.branding.app_name = None;
    let html = sign_in::render(&c, sign_in::SignInProps::default());
    assert_eq!(tags(&html, "img")[0].get("alt"), Some("Logo"));
}

#[test]
fn error_page_shows_title_message_and_request_id() {
    let html = error::render(
        &FormContext::page(Lang::En, Branding::default()),
        error::ErrorProps {
            title: Some("Invalid request".into()),
            message: "redirect_mismatch".into(),
            request_id: Some("req-42".into()),
            back_url: None,
        },
    );
    assert!(
        html.contains("<h1 class=\"text-2xl font-semibold leading-tight\">Invalid request</h1>")
    );
    assert!(html.contains("redirect_mismatch"));
    assert!(html.contains("Request ID: <code id=\"request-id\">req-42</code>"));
    assert!(tags(&html, "a").is_empty());
    let html = error::render(&FormContext::default(), error::ErrorProps::default());
    assert!(html.contains("Something went wrong"));
}

/// WCAG 2.1 relative luminance of `#rrggbb`.
fn luminance(hex: &str) -> f64 {
    let hex = hex.trim_start_matches('#');
    let channel = |i: usize| {
        let c = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()) / 255.0;
        if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4)
}

fn contrast(a: &str, b: &str) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// The `--name: #hex;` variables of the block that starts with `selector`.
fn theme_vars(css: &str, selector: &str) -> BTreeMap<String, String> {
    let block = css
        .split(selector)
        .nth(1)
        .unwrap()
        .split('{')
        .nth(1)
        .unwrap()
        .split('}')
        .next()
        .unwrap();
    block
        .lines()
        .filter_map(|l| {
            let (k, v) = l.trim().strip_prefix("--")?.split_once(':')?;
            let v = v.trim().trim_end_matches(';');
            v.starts_with('#').then(|| (k.to_owned(), v.to_owned()))
        })
        .collect()
}

#[test]
fn built_in_themes_meet_wcag_aa_contrast() {
    let css = include_str!("../../../../style/input.css");
    let light = theme_vars(css, "[data-theme=\"light\"]");
    let mut dark = light.clone();
    dark.extend(theme_vars(css, "[data-theme=\"dark\"] {"));
    for (name, vars) in [("light", light), ("dark", dark)] {
        let v = |k: &str| {
            vars.get(k)
                .unwrap_or_else(|| panic!("{name}: --{k}"))
                .as_str()
        };
        // Text: WCAG 1.4.3, 4.5:1.
        for (fg, bg) in [
            ("fg", "bg"),
            ("fg", "card"),
            ("muted", "bg"),
            ("muted", "card"),
            ("accent", "bg"),
            ("accent", "card"),
            ("accent-fg", "accent"),
            ("danger", "bg"),
            ("danger", "card"),
        ] {
            let ratio = contrast(v(fg), v(bg));
            assert!(ratio >= 4.5, "{name}: --{fg} on --{bg} is {ratio:.2}:1");
        }
        // Input borders (drawn in --muted): WCAG 1.4.11, 3:1.
        assert!(contrast(v("muted"), v("card")) >= 3.0, "{name}");
    }
}

/// With COGNATE_PREVIEW_DIR set, writes every page (English and French,
/// both themes, with and without errors) there to look at in a browser:
/// serve the folder with public/ as /static.
#[test]
fn preview_pages_when_asked() {
    let Some(dir) = std::env::var_os("COGNATE_PREVIEW_DIR") else {
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    std::fs::create_dir_all(&dir).unwrap();
    for lang in Lang::ALL {
        for theme in [Theme::Light, Theme::Dark] {
            let mut c = ctx(lang);
            c.branding.theme = theme;
            c.branding.app_name = Some("Acme Corp".into());
            let suffix = format!("{}-{}", lang.code(), theme.as_str());
            for (page, html, _) in all_pages(&c) {
                std::fs::write(dir.join(format!("{page}-{suffix}.html")), html).unwrap();
            }
            let errors = FormErrors {
                general: Some("Incorrect username or password.".into()),
                fields: BTreeMap::from([("password".into(), "Enter your password.".into())]),
            };
            let html = sign_in::render(
                &c,
                sign_in::SignInProps {
                    username: "alice".into(),
                    errors,
                    sign_up_url: Some("/signup".into()),
                    forgot_password_url: Some("/forgotPassword".into()),
                    ..Default::default()
                },
            );
            std::fs::write(dir.join(format!("sign_in_error-{suffix}.html")), html).unwrap();
        }
    }
}

#[test]
fn a_providers_only_sign_in_page_has_no_password_form() {
    let props = || sign_in::SignInProps {
        federate_url: Some("/p/federate".into()),
        providers: vec!["Google".into(), "Okta".into()],
        sign_up_url: Some("/p/signup".into()),
        forgot_password_url: Some("/p/forgotPassword".into()),
        ..Default::default()
    };
    let html = sign_in::render(
        &ctx(Lang::En),
        sign_in::SignInProps {
            providers_only: true,
            ..props()
        },
    );
    assert!(html.contains("value=\"Google\"") && html.contains("value=\"Okta\""));
    assert!(html.contains("name=\"csrf\""));
    assert!(!html.contains("name=\"password\""));
    assert!(!html.contains("/p/signup"));
    assert!(!html.contains("/p/forgotPassword"));
    // With COGNITO, the form stays beside the buttons.
    let html = sign_in::render(&ctx(Lang::En), props());
    assert!(html.contains("value=\"Google\"") && html.contains("name=\"password\""));
}
