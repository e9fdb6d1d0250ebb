//! `POST {issuer}/login` and `POST {issuer}/challenge`: the sign-in form
//! and the steps after it — a new password, MFA codes, the choice of a
//! factor and setting up an authenticator app. Each calls the same core
//! operation as the Cognito API (one core, three faces), so lockout, MFA and
//! the password policy are the same here.

use std::collections::{BTreeMap, HashMap};

use super::Session;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use cognate_app::pages::hosted::{self as views, AttributeField, FormErrors, Lang, MfaFactor};
use cognate_core::CognitoError;
use cognate_core::crypto::SecretString;
use cognate_core::model::{UserPool, UserPoolClient};
use cognate_core::service::auth::{AuthOutcome, Challenge, Face};
use cognate_core::service::mfa::TokenHolder;
use cognate_core::service::session::ChallengeName;

use super::authorize::sign_in_page;
use super::{
    Flow, branding, csrf_failure, csrf_ok, flow_expired, form, language, page, path, signed_in,
    too_many,
};
use crate::limits::{Caller, Category};
use crate::state::AppState;

pub type Fields = HashMap<String, String>;

/// The pool and client a flow was issued for.
pub async fn flow_client(
    state: &AppState,
    flow: &Flow,
) -> Result<(UserPool, UserPoolClient), CognitoError> {
    let pool = state.idp.pool(&flow.request.pool_id).await?;
    let client = state.idp.client(&pool.id, &flow.request.client_id).await?;
    Ok((pool, client))
}

/// What a GET page reached by a link (`?flow=…`) starts with: the flow
/// and the pool and client it was issued for.
pub async fn linked_flow(
    state: &AppState,
    pool_id: &str,
    flow: Option<&str>,
    lang: Lang,
) -> Result<(Flow, UserPool, UserPoolClient), Box<Response>> {
    let flow = Flow::open(state, pool_id, flow).ok_or_else(|| Box::new(flow_expired(lang)))?;
    let (pool, client) = flow_client(state, &flow)
        .await
        .map_err(|_| Box::new(flow_expired(lang)))?;
    Ok((flow, pool, client))
}

/// The checks every POST starts with: CSRF, then the flow.
pub async fn begin(
    state: &AppState,
    session: &Session,
    pool_id: &str,
    fields: &Fields,
    headers: &HeaderMap,
) -> Result<(Lang, Flow, UserPool, UserPoolClient), Box<Response>> {
    let lang = language(fields.get("lang").map(String::as_str), headers);
    if !csrf_ok(state, session, fields.get("csrf").map(String::as_str)) {
        return Err(Box::new(csrf_failure(lang)));
    }
    let flow = Flow::open(state, pool_id, fields.get("flow").map(String::as_str))
        .ok_or_else(|| Box::new(flow_expired(lang)))?;
    let (pool, client) = flow_client(state, &flow)
        .await
        .map_err(|_| Box::new(flow_expired(lang)))?;
    Ok((lang, flow, pool, client))
}

/// The per-user rate limit of a hosted-UI form that names a user (the
/// per-IP count was taken before the handler, `limits::by_route`): 429 with
/// Retry-After.
pub fn limit(
    state: &AppState,
    lang: Lang,
    category: Category,
    client_id: &str,
    username: Option<&str>,
) -> Result<(), Box<Response>> {
    let caller = Caller {
        ip: None,
        user: username.map(|u| (client_id, u.to_lowercase())),
    };
    state
        .limits
        .check(category, &caller)
        .map_err(|l| Box::new(too_many(lang, l.retry_after)))
}

pub async fn login(
    State(state): State<AppState>,
    Path(pool_id): Path<String>,
    headers: HeaderMap,
    session: Session,
    Form(fields): Form<Fields>,
) -> Response {
    let (lang, mut flow, pool, client) =
        match begin(&state, &session, &pool_id, &fields, &headers).await {
            Ok(v) => v,
            Err(r) => return *r,
        };
    let username = fields
        .get("username")
        .map(|u| u.trim().to_owned())
        .unwrap_or_default();
    let password = SecretString::new(fields.get("password").cloned().unwrap_or_default());
    flow.username = Some(username.clone());
    if username.is_empty() || password.expose().is_empty() {
        let errors = FormErrors::general("Enter your username and password.");
        return sign_in_page(
            &state,
            &session,
            lang,
            &pool,
            &client,
            &flow,
            errors,
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    if let Err(r) = limit(
        &state,
        lang,
        Category::Authentication,
        &client.client_id,
        Some(&username),
    ) {
        return *r;
    }
    let outcome = state
        .idp
        .hosted_password_sign_in(&pool, &client, &username, &password)
        .await;
    next(&state, &session, lang, &pool, &client, flow, outcome).await
}

/// Where a sign-in step leads: the client's callback, the next challenge's
/// page, or the form again with the core's message.
pub async fn next(
    state: &AppState,
    session: &Session,
    lang: Lang,
    pool: &UserPool,
    client: &UserPoolClient,
    mut flow: Flow,
    outcome: Result<AuthOutcome, CognitoError>,
) -> Response {
    match outcome {
        Ok(AuthOutcome::SignedIn(user)) => {
            signed_in(state, session, pool, client, &flow.request, &user).await
        }
        Ok(AuthOutcome::Challenge(c)) => {
            flow.challenge = Some(c.name.as_str().to_owned());
            flow.session = c.session.clone();
            if let Some(id) = c.parameters.get("USER_ID_FOR_SRP") {
                flow.username = Some(id.clone());
            }
            flow.destination = c.parameters.get("CODE_DELIVERY_DESTINATION").cloned();
            challenge_page(
                state,
                session,
                lang,
                pool,
                client,
                flow,
                &c,
                FormErrors::default(),
                StatusCode::OK,
            )
            .await
        }
        Ok(AuthOutcome::Authenticated(_)) => super::error_page(
            lang,
            StatusCode::INTERNAL_SERVER_ERROR,
            None,
            "Unexpected sign-in result.",
        ),
        Err(CognitoError::UserNotConfirmed(_)) => {
            super::sign_up::confirm_page(
                state,
                session,
                lang,
                pool,
                client,
                &flow,
                None,
                FormErrors::default(),
            )
            .await
        }
        Err(CognitoError::PasswordResetRequired(m)) => {
            super::recovery::forgot_page(
                state,
                session,
                lang,
                pool,
                client,
                &flow,
                FormErrors::general(m),
            )
            .await
        }
        Err(CognitoError::InternalError(e)) => {
            tracing::error!(error = %e, "hosted sign-in failed");
            super::error_page(
                lang,
                StatusCode::INTERNAL_SERVER_ERROR,
                None,
                "Something went wrong on our side. Try again in a moment.",
            )
        }
        Err(e) => {
            // A challenge answered wrongly stays on its page; anything else
            // goes back to the sign-in form.
            let status = StatusCode::BAD_REQUEST;
            match (flow.challenge.clone(), &e) {
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
                        session: flow.session.clone(),
                    };
                    challenge_page(
                        state,
                        session,
                        lang,
                        pool,
                        client,
                        flow,
                        &c,
                        FormErrors::general(e.message()),
                        status,
                    )
                    .await
                }
                _ => {
                    flow.challenge = None;
                    flow.session = None;
                    sign_in_page(
                        state,
                        session,
                        lang,
                        pool,
                        client,
                        &flow,
                        FormErrors::general(e.message()),
                        status,
                    )
                    .await
                }
            }
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

fn factor_of(name: &str) -> Option<MfaFactor> {
    match name {
        "SOFTWARE_TOKEN_MFA" => Some(MfaFactor::SoftwareToken),
        "SMS_MFA" => Some(MfaFactor::Sms),
        "EMAIL_OTP" => Some(MfaFactor::Email),
        _ => None,
    }
}

/// The page of a challenge.
#[allow(clippy::too_many_arguments)]
async fn challenge_page(
    state: &AppState,
    session: &Session,
    lang: Lang,
    pool: &UserPool,
    client: &UserPoolClient,
    mut flow: Flow,
    c: &Challenge,
    errors: FormErrors,
    status: StatusCode,
) -> Response {
    // Authenticator setup: the secret comes from AssociateSoftwareToken on
    // the challenge's session, once; a re-render shows the same one.
    if c.name == ChallengeName::MfaSetup && flow.totp_secret.is_none() {
        let Some(s) = flow.session.clone() else {
            return flow_expired(lang);
        };
        match state
            .idp
            .associate_software_token(TokenHolder::Session(&s))
            .await
        {
            Ok((secret, next)) => {
                flow.totp_secret = Some(secret);
                flow.session = next;
            }
            Err(e) => return super::error_page(lang, StatusCode::BAD_REQUEST, None, e.message()),
        }
    }
    let ctx = form(
        state,
        session,
        lang,
        branding(state, pool, Some(client)).await,
        path(&pool.id, "challenge"),
        Some(&flow),
    )
    .await;
    let html = match c.name {
        ChallengeName::NewPasswordRequired => {
            let user = match flow.username.as_deref() {
                Some(u) => state.idp.find_user_by_name(pool, u).await.ok().flatten(),
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
                    input: super::sign_up::input_kind(&s.name),
                    ..AttributeField::default()
                })
                .collect();
            views::new_password::render(
                &ctx,
                views::new_password::NewPasswordProps {
                    policy: super::sign_up::policy(pool),
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
        other => views::mfa_code::render(
            &ctx,
            views::mfa_code::MfaCodeProps {
                factor: factor_of(other.as_str()).unwrap_or(MfaFactor::SoftwareToken),
                destination: flow.destination.clone(),
                errors,
            },
        ),
    };
    page(status, html)
}

/// The Key Uri Format authenticator apps read: otpauth://totp/{issuer}:{account}?secret=…&issuer=…
pub fn otpauth_uri(issuer: &str, account: &str, secret: &str) -> String {
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
pub fn qr_svg(data: &str) -> String {
    match qrcode::QrCode::new(data.as_bytes()) {
        Ok(code) => code
            .render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(200, 200)
            .quiet_zone(true)
            .build(),
        Err(_) => String::new(),
    }
}

/// `POST {issuer}/challenge`: the answer to the flow's challenge.
pub async fn challenge(
    State(state): State<AppState>,
    Path(pool_id): Path<String>,
    headers: HeaderMap,
    session: Session,
    Form(fields): Form<Fields>,
) -> Response {
    let (lang, mut flow, pool, client) =
        match begin(&state, &session, &pool_id, &fields, &headers).await {
            Ok(v) => v,
            Err(r) => return *r,
        };
    let (Some(name), Some(username)) = (
        flow.challenge.as_deref().and_then(parse_name),
        flow.username.clone(),
    ) else {
        return flow_expired(lang);
    };
    if let Err(r) = limit(
        &state,
        lang,
        Category::Authentication,
        &client.client_id,
        Some(&username),
    ) {
        return *r;
    }
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
            let Some(s) = flow.session.clone() else {
                return flow_expired(lang);
            };
            let device = Some(field("device_name")).filter(|d| !d.is_empty());
            match state
                .idp
                .verify_software_token(TokenHolder::Session(&s), &field("code"), device)
                .await
            {
                Ok(next) => flow.session = next,
                Err(e) => {
                    return next(&state, &session, lang, &pool, &client, flow, Err(e)).await;
                }
            }
        }
        ChallengeName::PasswordVerifier => return flow_expired(lang),
    }
    let outcome = state
        .idp
        .answer_challenge(
            &pool,
            &client,
            name,
            flow.session.as_deref(),
            &responses,
            Face::HostedUi,
        )
        .await;
    next(&state, &session, lang, &pool, &client, flow, outcome).await
}
