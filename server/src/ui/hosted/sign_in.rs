//! `POST {issuer}/login` and `POST {issuer}/challenge`: the sign-in form
//! and the steps after it — a new password, MFA codes, the choice of a
//! factor and setting up an authenticator app, and after MFA the choice to
//! remember the browser as a device. Each calls the same core
//! operation as the Cognito API (one core, three faces), so lockout, MFA and
//! the password policy are the same here.

use std::collections::{BTreeMap, HashMap};

use axum::http::StatusCode;
use axum::response::Response;
use cognate_app::pages::hosted::FormErrors;
use cognate_app::pages::hosted::passkey::PasskeyMode;
use cognate_core::crypto::SecretString;
use cognate_core::model::User;
use cognate_core::service::auth::{Attempt, AuthOutcome, Challenge};
use cognate_core::service::devices::BrowserDeviceChoice;
use cognate_core::service::mfa::TokenHolder;
use cognate_core::service::session::ChallengeName;
use cognate_core::{CognitoError, Timestamp};

use super::device_cookie;
use super::error::HostedError;
use super::flow::{Context, Posted};
use super::flow::{SsoSession, sso_key};
use super::pages;
use crate::limits::Category;

pub async fn login(post: Posted) -> Result<Response, HostedError> {
    let username = post.trimmed("username");
    let password = SecretString::new(post.raw("password"));
    let Posted { mut cx, fields } = post;
    // Cognito API: SupportedIdentityProviders — without COGNITO, no
    // password sign-in through the hosted UI.
    if !super::dance::allows_cognito(&cx.client) {
        return Err(HostedError::refused(cx.lang, "error.provider_unavailable"));
    }
    cx.flow.username = Some(username.clone());
    // "Sign in with a passkey", "Email me a code", "Text me a code":
    // USER_AUTH with that first factor.
    let method = post_method(&fields);
    cx.flow.passwordless = method.is_some();
    if let Some(factor) = method {
        if username.is_empty() {
            let errors = FormErrors::general(cx.lang.t("sign_in.missing_username"));
            return Ok(pages::sign_in(&cx, errors, StatusCode::BAD_REQUEST).await);
        }
        cx.limit(Category::Authentication, &username)?;
        let outcome = cx
            .state
            .idp
            .hosted_first_factor(&cx.pool, &cx.client, &username, factor)
            .await;
        return next(cx, outcome).await;
    }
    if username.is_empty() || password.expose().is_empty() {
        let errors = FormErrors::general(cx.lang.t("sign_in.missing_credentials"));
        return Ok(pages::sign_in(&cx, errors, StatusCode::BAD_REQUEST).await);
    }
    cx.limit(Category::Authentication, &username)?;
    let outcome = cx
        .state
        .idp
        .hosted_password_sign_in(
            &cx.pool,
            &cx.client,
            &username,
            &password,
            cx.device.as_ref(),
        )
        .await;
    next(cx, outcome).await
}

/// The sign-in button pressed: a passkey or a one-time code by email or
/// SMS, else the password.
fn post_method(fields: &super::flow::Fields) -> Option<&'static str> {
    match fields.get("method").map(String::as_str) {
        Some("WEB_AUTHN") => Some("WEB_AUTHN"),
        Some("EMAIL_OTP") => Some("EMAIL_OTP"),
        Some("SMS_OTP") => Some("SMS_OTP"),
        _ => None,
    }
}

/// The end of a sign-in whose user may still add a passkey: Cognito's
/// managed login offers one to a user without one; else the authorization
/// response. `auth_time` is the SSO session's when it already began.
async fn offer_passkey_or_finish(
    cx: &Context,
    user: &User,
    auth_time: Option<Timestamp>,
) -> Result<Response, HostedError> {
    let Some(options) = cx.state.idp.hosted_passkey_offer(&cx.pool, user).await else {
        return match auth_time {
            Some(at) => cx.complete(user, at).await,
            None => cx.signed_in(user).await,
        };
    };
    if auth_time.is_none() {
        cx.begin_sso(user).await;
    }
    Ok(pages::passkey(cx, PasskeyMode::Register, &options, FormErrors::default()).await)
}

/// Remembers this browser as a device of `user`: the sealed cookie value.
async fn remember_browser(cx: &Context, user: &User) -> Result<String, HostedError> {
    cx.state
        .idp
        .remember_browser_device(&cx.pool, user, cx.user_agent.as_deref())
        .await
        .map_err(|e| cx.error(e))
}

fn with_device_cookie(cx: &Context, cookie: Option<String>, response: Response) -> Response {
    match cookie {
        Some(sealed) => device_cookie::set(&cx.state, &cx.pool.id, &sealed, response),
        None => response,
    }
}

/// Where a sign-in step leads: the client's callback, the next challenge's
/// page, or the form again with the core's message.
async fn next(
    mut cx: Context,
    outcome: Result<AuthOutcome, CognitoError>,
) -> Result<Response, HostedError> {
    let e = match outcome {
        Ok(AuthOutcome::SignedIn(user)) => {
            cx.flow.challenge = None;
            cx.flow.session = None;
            // After MFA, the browser may become a remembered device
            // (Cognito API: DeviceConfigurationType).
            let mut cookie = None;
            if cx.flow.mfa {
                match cx.state.idp.browser_device_choice(&cx.pool) {
                    Some(BrowserDeviceChoice::Ask) => {
                        cx.begin_sso(&user).await;
                        return Ok(pages::remember_device(&cx, FormErrors::default()).await);
                    }
                    Some(BrowserDeviceChoice::Remember) => {
                        cookie = Some(remember_browser(&cx, &user).await?);
                    }
                    None => {}
                }
            }
            let response = offer_passkey_or_finish(&cx, &user, None).await?;
            return Ok(with_device_cookie(&cx, cookie, response));
        }
        Ok(AuthOutcome::Challenge(c)) => {
            cx.flow.challenge = Some(c.name.as_str().to_owned());
            cx.flow.session = c.session.clone();
            if let Some(id) = c.parameters.get("USER_ID_FOR_SRP") {
                cx.flow.username = Some(id.clone());
            }
            cx.flow.destination = c.parameters.get("CODE_DELIVERY_DESTINATION").cloned();
            return pages::challenge(&mut cx, &c, FormErrors::default(), StatusCode::OK).await;
        }
        Ok(AuthOutcome::Authenticated(_)) => {
            return Err(HostedError::internal(
                cx.lang,
                "the hosted sign-in ended with API tokens",
            ));
        }
        Err(CognitoError::UserNotConfirmed(_)) => {
            return Ok(pages::confirm(&cx, None, FormErrors::default()).await);
        }
        Err(CognitoError::PasswordResetRequired(m)) => {
            return Ok(pages::forgot(&cx, FormErrors::general(m)).await);
        }
        Err(e) => cx.for_form(e)?,
    };
    // A challenge answered wrongly stays on its page; anything else goes
    // back to the sign-in form.
    let status = StatusCode::BAD_REQUEST;
    match (cx.flow.challenge.clone(), &e) {
        (
            Some(name),
            CognitoError::CodeMismatch(_)
            | CognitoError::EnableSoftwareTokenMfa(_)
            | CognitoError::InvalidParameter(_)
            | CognitoError::InvalidPassword(_),
        ) if name != ChallengeName::WebAuthn.as_str() => {
            let c = Challenge {
                name: parse_name(&name).unwrap_or(ChallengeName::SoftwareTokenMfa),
                parameters: BTreeMap::new(),
                session: cx.flow.session.clone(),
                available: None,
            };
            pages::challenge(&mut cx, &c, FormErrors::general(e.message()), status).await
        }
        _ => {
            cx.flow.challenge = None;
            cx.flow.session = None;
            Ok(pages::sign_in(&cx, FormErrors::general(e.message()), status).await)
        }
    }
}

fn parse_name(name: &str) -> Option<ChallengeName> {
    [
        ChallengeName::NewPasswordRequired,
        ChallengeName::SoftwareTokenMfa,
        ChallengeName::SmsMfa,
        ChallengeName::EmailOtp,
        ChallengeName::SmsOtp,
        ChallengeName::WebAuthn,
        ChallengeName::SelectMfaType,
        ChallengeName::MfaSetup,
    ]
    .into_iter()
    .find(|c| c.as_str() == name)
}

/// `POST {issuer}/challenge`: the answer to the flow's challenge.
pub async fn challenge(post: Posted) -> Result<Response, HostedError> {
    let Posted { mut cx, fields } = post;
    let (Some(name), Some(username)) = (
        cx.flow.challenge.as_deref().and_then(parse_name),
        cx.flow.username.clone(),
    ) else {
        return Err(HostedError::expired(cx.lang));
    };
    cx.limit(Category::Authentication, &username)?;
    let field = |n: &str| {
        fields
            .get(n)
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    };
    let mut responses = HashMap::from([("USERNAME".to_owned(), username.clone())]);
    match name {
        ChallengeName::NewPasswordRequired => {
            responses.insert(
                "NEW_PASSWORD".into(),
                fields.get("password").cloned().unwrap_or_default(),
            );
            for (k, v) in &fields {
                if let Some(attr) = k.strip_prefix("attr.") {
                    responses.insert(format!("userAttributes.{attr}"), v.clone());
                }
            }
        }
        ChallengeName::SoftwareTokenMfa => {
            responses.insert("SOFTWARE_TOKEN_MFA_CODE".into(), field("code"));
        }
        ChallengeName::SmsMfa => {
            responses.insert("SMS_MFA_CODE".into(), field("code"));
        }
        ChallengeName::EmailOtp => {
            responses.insert("EMAIL_OTP_CODE".into(), field("code"));
        }
        ChallengeName::SmsOtp => {
            responses.insert("SMS_OTP_CODE".into(), field("code"));
        }
        // The assertion passkey.js put in the form.
        ChallengeName::WebAuthn => {
            responses.insert(
                "CREDENTIAL".into(),
                fields.get("credential").cloned().unwrap_or_default(),
            );
        }
        ChallengeName::SelectMfaType => {
            responses.insert("ANSWER".into(), field("factor"));
        }
        ChallengeName::MfaSetup => {
            // VerifySoftwareToken on the session, then MFA_SETUP's answer.
            let Some(s) = cx.flow.session.clone() else {
                return Err(HostedError::expired(cx.lang));
            };
            let device = Some(field("device_name")).filter(|d| !d.is_empty());
            match cx
                .state
                .idp
                .verify_software_token(TokenHolder::Session(&s), &field("code"), device)
                .await
            {
                Ok(next) => cx.flow.session = next,
                Err(e) => return next(cx, Err(e)).await,
            }
        }
        // Neither is answered on a page: SRP is the API's, and the hosted UI
        // has no custom authentication (developer guide, "Custom
        // authentication challenge Lambda triggers").
        // SELECT_CHALLENGE is the API's (the page's buttons choose).
        ChallengeName::PasswordVerifier
        | ChallengeName::CustomChallenge
        | ChallengeName::SelectChallenge
        | ChallengeName::DeviceSrpAuth
        | ChallengeName::DevicePasswordVerifier => {
            return Err(HostedError::expired(cx.lang));
        }
    }
    // MFA answered (EMAIL_OTP is MFA only after a password).
    if matches!(
        name,
        ChallengeName::SoftwareTokenMfa | ChallengeName::SmsMfa | ChallengeName::MfaSetup
    ) || (name == ChallengeName::EmailOtp && !cx.flow.passwordless)
    {
        cx.flow.mfa = true;
    }
    let outcome = cx
        .state
        .idp
        .answer_challenge(
            &cx.pool,
            &cx.client,
            name,
            cx.flow.session.as_deref(),
            &responses,
            Attempt::hosted_from(cx.device.as_ref()),
        )
        .await;
    next(cx, outcome).await
}

/// `POST {issuer}/device`: the answer to "Remember this device?" after MFA
/// (DeviceOnlyRememberedOnUserPrompt), then the rest of the sign-in. Only
/// the browser that just signed in (its SSO session) gets here.
pub async fn remember_device(post: Posted) -> Result<Response, HostedError> {
    let remember = post.trimmed("remember") == "yes";
    let Posted { cx, .. } = post;
    if !cx.flow.mfa {
        return Err(HostedError::expired(cx.lang));
    }
    let (user, auth_time) = sso_user(&cx).await?;
    let cookie = if remember {
        Some(remember_browser(&cx, &user).await?)
    } else {
        None
    };
    let response = offer_passkey_or_finish(&cx, &user, Some(auth_time)).await?;
    Ok(with_device_cookie(&cx, cookie, response))
}

/// The user of the browser's SSO session, which the sign-in just began,
/// and its `auth_time`.
async fn sso_user(cx: &Context) -> Result<(User, Timestamp), HostedError> {
    let sso = cx
        .session
        .get::<SsoSession>(&sso_key(&cx.pool.id))
        .await
        .ok()
        .flatten()
        .ok_or(HostedError::expired(cx.lang))?;
    let grant = sso.grant();
    let user = cx
        .state
        .idp
        .resume_sso(&cx.pool, &grant)
        .await
        .map_err(|_| HostedError::expired(cx.lang))?;
    Ok((user, grant.auth_time))
}

/// `POST {issuer}/passkey`: the answer to the offer of a passkey after a
/// sign-in — the new passkey from passkey.js, or "Not now" (no
/// credential) — then the authorization response. Only the browser that
/// just signed in (its SSO session) gets here.
pub async fn passkey(post: Posted) -> Result<Response, HostedError> {
    let credential = post.raw("credential");
    let Posted { cx, .. } = post;
    let (user, auth_time) = sso_user(&cx).await?;
    if !credential.is_empty() {
        let added = match serde_json::from_str(&credential) {
            Ok(value) => {
                cx.state
                    .idp
                    .complete_passkey_registration(&cx.pool, &user, value)
                    .await
            }
            Err(_) => Err(CognitoError::invalid_parameter(
                "Credential is not a WebAuthn credential.",
            )),
        };
        if let Err(e) = added {
            let e = cx.for_form(e)?;
            // A new ceremony for another try.
            if let Some(options) = cx.state.idp.hosted_passkey_offer(&cx.pool, &user).await {
                let errors = FormErrors::general(e.message());
                return Ok(pages::passkey(&cx, PasskeyMode::Register, &options, errors).await);
            }
        }
    }
    cx.complete(&user, auth_time).await
}
