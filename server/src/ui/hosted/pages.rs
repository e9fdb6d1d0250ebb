//! The hosted UI's renderers: each page of `app/src/pages/hosted/` with its
//! props filled from a sign-in's [`Context`] (the page's language, the
//! pool's and client's look, the form's action, CSRF token and sealed flow).

use axum::http::StatusCode;
use axum::response::Response;
use cognate_app::pages::hosted::{
    self as views, AttributeField, AttributeInput, Branding, CodeDelivery, DeliveryMedium,
    FormContext, FormErrors, Lang, MfaFactor, PasswordPolicy, UsernameKind,
};
use cognate_core::model::pool::VerifiableAttribute;
use cognate_core::model::{UserPool, UserPoolClient};
use cognate_core::service::auth::Challenge;
use cognate_core::service::codes::CodeDeliveryDetails;
use cognate_core::service::mfa::TokenHolder;
use cognate_core::service::session::ChallengeName;
use cognate_core::store::outbox::Channel;

use super::error::HostedError;
use super::flow::{Context, Fields};
use super::page;
use crate::state::AppState;

/// The sign-in form.
pub async fn sign_in(cx: &Context, errors: FormErrors, status: StatusCode) -> Response {
    let ctx = form(cx, "login").await;
    let pool = &cx.pool;
    let self_sign_up = !pool
        .config
        .admin_create_user_config
        .allow_admin_create_user_only;
    let factors = cognate_core::service::user_auth::hosted_factors(pool);
    let html = views::sign_in::render(
        &ctx,
        views::sign_in::SignInProps {
            username_kind: username_kind(pool),
            username: cx.flow.username.clone().unwrap_or_default(),
            sign_up_url: self_sign_up.then(|| link(cx, "signup")),
            forgot_password_url: Some(link(cx, "forgotPassword")),
            errors,
            // Federation: one button per provider the client supports.
            federate_url: Some(path(&pool.id, "federate")),
            providers: external_providers(&cx.client),
            providers_only: !super::dance::allows_cognito(&cx.client),
            email_code: factors.email_code,
            sms_code: factors.sms_code,
            passkey: factors.passkey,
        },
    );
    page(status, html)
}

/// The identity providers an app client supports besides the pool itself.
fn external_providers(client: &UserPoolClient) -> Vec<String> {
    client
        .config
        .supported_identity_providers
        .iter()
        .flatten()
        .filter(|p| p.as_str() != "COGNITO")
        .cloned()
        .collect()
}

/// The sign-up form, with what was typed (`fields`) when shown again.
pub async fn sign_up(
    cx: &Context,
    fields: &Fields,
    errors: FormErrors,
    status: StatusCode,
) -> Response {
    let ctx = form(cx, "signup").await;
    let html = views::sign_up::render(
        &ctx,
        views::sign_up::SignUpProps {
            username_kind: username_kind(&cx.pool),
            username: fields.get("username").cloned().unwrap_or_default(),
            policy: policy(&cx.pool),
            attributes: sign_up_attributes(&cx.pool, &cx.client, fields),
            sign_in_url: Some(link(cx, "login")),
            errors,
        },
    );
    page(status, html)
}

/// The confirmation-code form for the flow's user; `sent` says where a
/// code just went.
pub async fn confirm(
    cx: &Context,
    sent: Option<&CodeDeliveryDetails>,
    errors: FormErrors,
) -> Response {
    let ctx = form(cx, "confirmUser").await;
    let username = cx.flow.username.clone().unwrap_or_default();
    let status = status_of(&errors);
    let html = views::confirm_account::render(
        &ctx,
        views::confirm_account::ConfirmAccountProps {
            username_editable: username.is_empty(),
            username,
            username_kind: username_kind(&cx.pool),
            delivery: sent.map(delivery),
            sign_in_url: Some(link(cx, "login")),
            errors,
        },
    );
    page(status, html)
}

/// The forgotten-password form: who to send a code to.
pub async fn forgot(cx: &Context, errors: FormErrors) -> Response {
    let ctx = form(cx, "forgotPassword").await;
    let status = status_of(&errors);
    let html = views::forgot_password::render(
        &ctx,
        views::forgot_password::ForgotPasswordProps {
            username_kind: username_kind(&cx.pool),
            username: cx.flow.username.clone().unwrap_or_default(),
            sign_in_url: Some(link(cx, "login")),
            errors,
        },
    );
    page(status, html)
}

/// The new-password form of a reset, with where the code went.
pub async fn reset(
    cx: &Context,
    sent: Option<&CodeDeliveryDetails>,
    errors: FormErrors,
) -> Response {
    let ctx = form(cx, "confirmForgotPassword").await;
    let status = status_of(&errors);
    let html = views::reset_password::render(
        &ctx,
        views::reset_password::ResetPasswordProps {
            username: cx.flow.username.clone().unwrap_or_default(),
            delivery: sent.map(delivery),
            policy: policy(&cx.pool),
            sign_in_url: Some(link(cx, "login")),
            errors,
        },
    );
    page(status, html)
}

/// The page of a challenge. For the authenticator setup the secret comes
/// from AssociateSoftwareToken on the challenge's session, once, and is
/// kept in the flow: a page shown again shows the same one.
pub async fn challenge(
    cx: &mut Context,
    c: &Challenge,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, HostedError> {
    if c.name == ChallengeName::MfaSetup && cx.flow.totp_secret.is_none() {
        let Some(s) = cx.flow.session.clone() else {
            return Err(HostedError::expired(cx.lang));
        };
        let (secret, next) = cx
            .state
            .idp
            .associate_software_token(TokenHolder::Session(&s))
            .await
            .map_err(|e| cx.error(e))?;
        cx.flow.totp_secret = Some(secret);
        cx.flow.session = next;
    }
    let ctx = form(cx, "challenge").await;
    let (pool, flow) = (&cx.pool, &cx.flow);
    let html = match c.name {
        ChallengeName::NewPasswordRequired => {
            let user = match flow.username.as_deref() {
                Some(u) => cx.state.idp.find_user_by_name(pool, u).await.ok().flatten(),
                None => None,
            };
            let attributes = pool
                .schema_attributes
                .iter()
                .filter(|s| s.required && s.name != "sub")
                .filter(|s| {
                    user.as_ref()
                        .is_some_and(|u| u.attribute(&s.name).is_none())
                })
                .map(|s| AttributeField {
                    name: s.name.clone(),
                    required: true,
                    input: input_kind(&s.name),
                    ..AttributeField::default()
                })
                .collect();
            views::new_password::render(
                &ctx,
                views::new_password::NewPasswordProps {
                    policy: policy(pool),
                    attributes,
                    errors,
                },
            )
        }
        ChallengeName::SelectMfaType => {
            let factors = c
                .parameters
                .get("MFAS_CAN_CHOOSE")
                .and_then(|j| serde_json::from_str::<Vec<String>>(j).ok())
                .unwrap_or_default()
                .iter()
                .filter_map(|n| factor_of(n))
                .collect();
            views::mfa_choice::render(&ctx, views::mfa_choice::MfaChoiceProps { factors, errors })
        }
        ChallengeName::MfaSetup => {
            let secret = flow.totp_secret.clone().unwrap_or_default();
            let username = flow.username.clone().unwrap_or_default();
            views::mfa_setup::render(
                &ctx,
                views::mfa_setup::MfaSetupProps {
                    qr_svg: qr_svg(&otpauth_uri(&pool.name, &username, &secret)),
                    secret,
                    device_name: String::new(),
                    errors,
                },
            )
        }
        ChallengeName::WebAuthn => {
            let options = c
                .parameters
                .get("CREDENTIAL_REQUEST_OPTIONS")
                .and_then(|o| serde_json::from_str(o).ok())
                .unwrap_or_default();
            return Ok(passkey(cx, views::passkey::PasskeyMode::SignIn, &options, errors).await);
        }
        other => views::mfa_code::render(
            &ctx,
            views::mfa_code::MfaCodeProps {
                factor: factor_of(other.as_str()).unwrap_or(MfaFactor::SoftwareToken),
                destination: flow.destination.clone(),
                errors,
            },
        ),
    };
    Ok(page(status, html))
}

/// A passkey ceremony's page: signing in with one (`/challenge`), or the
/// offer to add one after a sign-in (`/passkey`). The one kind of page
/// with a script (a file of the server's, see [`super::page_with_script`]).
pub async fn passkey(
    cx: &Context,
    mode: views::passkey::PasskeyMode,
    options: &serde_json::Value,
    errors: FormErrors,
) -> Response {
    let action = match mode {
        views::passkey::PasskeyMode::SignIn => "challenge",
        views::passkey::PasskeyMode::Register => "passkey",
    };
    let ctx = form(cx, action).await;
    let status = status_of(&errors);
    let html = views::passkey::render(
        &ctx,
        views::passkey::PasskeyProps {
            mode,
            options: options.to_string(),
            errors,
            back_url: (mode == views::passkey::PasskeyMode::SignIn).then(|| link(cx, "login")),
        },
    );
    super::page_with_script(status, html)
}

/// "Remember this device?" after MFA.
pub async fn remember_device(cx: &Context, errors: FormErrors) -> Response {
    let ctx = form(cx, "device").await;
    let status = status_of(&errors);
    page(status, views::remember_device::render(&ctx, errors))
}

/// The signed-out page (no form).
pub fn signed_out(lang: Lang) -> Response {
    page(
        StatusCode::OK,
        views::signed_out::render(
            &FormContext::page(lang, Branding::default()),
            views::signed_out::SignedOutProps {
                message: None,
                link_url: None,
            },
        ),
    )
}

/// The form context of a page: language, look, action, CSRF token and the
/// sealed flow.
async fn form(cx: &Context, action: &str) -> FormContext {
    // The language goes with each POST, so a page shown again keeps it.
    let hidden = vec![
        ("lang".to_owned(), cx.lang.code().to_owned()),
        ("flow".to_owned(), cx.flow.seal(&cx.state)),
    ];
    FormContext {
        lang: cx.lang,
        branding: branding(&cx.state, &cx.pool, Some(&cx.client)).await,
        action: path(&cx.pool.id, action),
        csrf: cx.session.csrf.token(&cx.state),
        hidden,
    }
}

/// A form with errors is answered 400.
fn status_of(errors: &FormErrors) -> StatusCode {
    if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    }
}

/// The pool's and client's look (docs/architecture.md, Themes): the
/// customization set with SetUICustomization (the client's, else the
/// pool's) — its CSS served from `/{pool}/ui/theme/…`, its logo — and the
/// built-in theme: dark when that CSS declares `color-scheme: dark`.
pub async fn branding(
    state: &AppState,
    pool: &UserPool,
    client: Option<&UserPoolClient>,
) -> Branding {
    let mut b = Branding {
        app_name: client.map(|c| c.config.client_name.clone()),
        ..Branding::default()
    };
    let custom = state
        .idp
        .get_ui_customization(&pool.id, client.map(|c| c.client_id.as_str()))
        .await
        .ok()
        .flatten();
    if let Some(c) = custom {
        b.logo_url = state.idp.logo_url(&c);
        if let Some(css) = c.css.as_deref().filter(|css| !css.trim().is_empty()) {
            b.theme_css_url = Some(format!(
                "/{}/ui/theme/{}.css?v={}",
                pool.id,
                c.target(),
                c.css_version
            ));
            let normal: String = css.chars().filter(|ch| !ch.is_whitespace()).collect();
            if normal.to_ascii_lowercase().contains("color-scheme:dark") {
                b.theme = cognate_app::layout::Theme::Dark;
            }
        }
    }
    b
}

/// `/{pool}/…` paths of the hosted UI.
pub fn path(pool_id: &str, page: &str) -> String {
    format!("/{pool_id}/{page}")
}

/// Another page's path with the flow in its query, for links between the
/// pages of a sign-in.
fn link(cx: &Context, page: &str) -> String {
    format!("/{}/{page}?flow={}", cx.pool.id, cx.flow.seal(&cx.state))
}

/// How a pool's users name themselves on the forms.
pub fn username_kind(pool: &UserPool) -> UsernameKind {
    let email = pool
        .username_attributes
        .contains(&VerifiableAttribute::Email);
    let phone = pool
        .username_attributes
        .contains(&VerifiableAttribute::PhoneNumber);
    match (email, phone) {
        (true, true) => UsernameKind::EmailOrPhone,
        (true, false) => UsernameKind::Email,
        (false, true) => UsernameKind::Phone,
        (false, false) => UsernameKind::Username,
    }
}

/// The pool's password policy, for the forms.
fn policy(pool: &UserPool) -> PasswordPolicy {
    let p = pool.config.password_policy();
    PasswordPolicy {
        min_length: u32::try_from(p.minimum_length).unwrap_or(8),
        require_lowercase: p.require_lowercase,
        require_uppercase: p.require_uppercase,
        require_digit: p.require_numbers,
        require_symbol: p.require_symbols,
    }
}

fn input_kind(attribute: &str) -> AttributeInput {
    match attribute {
        "email" => AttributeInput::Email,
        "phone_number" => AttributeInput::Tel,
        "birthdate" => AttributeInput::Date,
        _ => AttributeInput::Text,
    }
}

/// The attributes the sign-up form asks for: the pool's required ones the
/// client may write, except the one that is the username.
fn sign_up_attributes(
    pool: &UserPool,
    client: &UserPoolClient,
    fields: &Fields,
) -> Vec<AttributeField> {
    let kind = username_kind(pool);
    let writable = |name: &str| {
        client
            .config
            .write_attributes
            .as_ref()
            .is_none_or(|w| w.is_empty() || w.iter().any(|a| a == name))
    };
    pool.schema_attributes
        .iter()
        .filter(|s| s.required && s.name != "sub" && writable(&s.name))
        .filter(|s| {
            !(s.name == "email" && kind == UsernameKind::Email
                || s.name == "phone_number" && kind == UsernameKind::Phone)
        })
        .map(|s| AttributeField {
            name: s.name.clone(),
            label: None,
            input: input_kind(&s.name),
            required: true,
            value: fields
                .get(&format!("attr.{}", s.name))
                .cloned()
                .unwrap_or_default(),
        })
        .collect()
}

fn delivery(d: &CodeDeliveryDetails) -> CodeDelivery {
    CodeDelivery {
        medium: match d.delivery_medium {
            Channel::Sms => DeliveryMedium::Sms,
            Channel::Email => DeliveryMedium::Email,
        },
        destination: Some(d.destination.clone()),
    }
}

fn factor_of(name: &str) -> Option<MfaFactor> {
    match name {
        "SOFTWARE_TOKEN_MFA" => Some(MfaFactor::SoftwareToken),
        "SMS_MFA" => Some(MfaFactor::Sms),
        "EMAIL_OTP" => Some(MfaFactor::Email),
        "SMS_OTP" => Some(MfaFactor::Sms),
        _ => None,
    }
}

/// The Key Uri Format authenticator apps read: otpauth://totp/{issuer}:{account}?secret=…&issuer=…
fn otpauth_uri(issuer: &str, account: &str, secret: &str) -> String {
    let enc = |s: &str| {
        serde_urlencoded::to_string([("v", s)]).unwrap_or_default()[2..].replace('+', "%20")
    };
    format!(
        "otpauth://totp/{}:{}?secret={secret}&issuer={}&algorithm=SHA1&digits=6&period=30",
        enc(issuer),
        enc(account),
        enc(issuer)
    )
}

/// The QR code of `data` as SVG markup, rendered on the server.
fn qr_svg(data: &str) -> String {
    match qrcode::QrCode::new(data.as_bytes()) {
        Ok(code) => code
            .render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(200, 200)
            .quiet_zone(true)
            .build(),
        Err(_) => String::new(),
    }
}
