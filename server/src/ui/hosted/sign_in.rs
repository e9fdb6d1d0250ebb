//! `POST {issuer}/login` and `POST {issuer}/challenge`: the sign-in form
//! and the steps after it — a new password, MFA codes, the choice of a
//! factor and setting up an authenticator app. Each calls the same core
//! operation as the Cognito API (one core, three faces), so lockout, MFA and
//! the password policy are the same here.

use std::collections::{BTreeMap, HashMap};

use axum::http::StatusCode;
use axum::response::Response;
use cognate_app::pages::hosted::FormErrors;
use cognate_core::CognitoError;
use cognate_core::crypto::SecretString;
use cognate_core::service::auth::{Attempt, AuthOutcome, Challenge};
use cognate_core::service::mfa::TokenHolder;
use cognate_core::service::session::ChallengeName;

use super::error::HostedError;
use super::flow::{Context, Posted};
use super::pages;
use crate::limits::Category;

pub async fn login(post: Posted) -> Result<Response, HostedError> {
    let username = post.trimmed("username");
    let password = SecretString::new(post.raw("password"));
    let Posted { mut cx, .. } = post;
    // Cognito API: SupportedIdentityProviders — without COGNITO, no
    // password sign-in through the hosted UI.
    if !super::federation::allows_cognito(&cx.client) {
        return Err(HostedError::refused(cx.lang, "error.provider_unavailable"));
    }
    cx.flow.username = Some(username.clone());
    if username.is_empty() || password.expose().is_empty() {
        let errors = FormErrors::general(cx.lang.t("sign_in.missing_credentials"));
        return Ok(pages::sign_in(&cx, errors, StatusCode::BAD_REQUEST).await);
    }
    cx.limit(Category::Authentication, &username)?;
    let outcome = cx
        .state
        .idp
        .hosted_password_sign_in(&cx.pool, &cx.client, &username, &password)
        .await;
    next(cx, outcome).await
}

/// Where a sign-in step leads: the client's callback, the next challenge's
/// page, or the form again with the core's message.
async fn next(
    mut cx: Context,
    outcome: Result<AuthOutcome, CognitoError>,
) -> Result<Response, HostedError> {
    let e = match outcome {
        Ok(AuthOutcome::SignedIn(user)) => return cx.signed_in(&user).await,
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
        ) => {
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
        // USER_AUTH's choices are the API's (the page signs in with a
        // password).
        ChallengeName::PasswordVerifier
        | ChallengeName::CustomChallenge
        | ChallengeName::SelectChallenge
        | ChallengeName::SmsOtp
        | ChallengeName::WebAuthn
        | ChallengeName::DeviceSrpAuth
        | ChallengeName::DevicePasswordVerifier => {
            return Err(HostedError::expired(cx.lang));
        }
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
            Attempt::hosted(),
        )
        .await;
    next(cx, outcome).await
}
