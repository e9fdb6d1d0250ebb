//! `GET|POST {issuer}/signup` and `GET|POST {issuer}/confirmUser`: self
//! sign-up with the pool's required (and the client's writable) attributes,
//! the password policy shown up front, then the confirmation code.

use super::Session;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use cognate_app::pages::hosted::{
    self as views, AttributeField, AttributeInput, CodeDelivery, DeliveryMedium, FormErrors, Lang,
    PasswordPolicy,
};
use cognate_core::CognitoError;
use cognate_core::crypto::SecretString;
use cognate_core::model::{AttributeType, UserPool, UserPoolClient};
use cognate_core::service::client_secret::secret_hash_for;
use cognate_core::service::codes::CodeDeliveryDetails;
use cognate_core::service::signup::SignUpRequest;
use cognate_core::store::outbox::Channel;

use super::authorize::{sign_in_page, username_kind};
use super::sign_in::{Fields, begin, limit, linked_flow};
use super::{Flow, branding, form, language, link, page, path};
use crate::limits::Category;
use crate::state::AppState;

#[derive(serde::Deserialize)]
pub struct FlowQuery {
    pub flow: Option<String>,
    pub lang: Option<String>,
}

/// The pool's password policy, for the forms.
pub fn policy(pool: &UserPool) -> PasswordPolicy {
    let p = pool.config.password_policy();
    PasswordPolicy {
        min_length: u32::try_from(p.minimum_length).unwrap_or(8),
        require_lowercase: p.require_lowercase,
        require_uppercase: p.require_uppercase,
        require_digit: p.require_numbers,
        require_symbol: p.require_symbols,
    }
}

pub fn input_kind(attribute: &str) -> AttributeInput {
    match attribute {
        "email" => AttributeInput::Email,
        "phone_number" => AttributeInput::Tel,
        "birthdate" => AttributeInput::Date,
        _ => AttributeInput::Text,
    }
}

/// The attributes the form asks for: the pool's required ones, except the
/// one that is the username.
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
            !(s.name == "email" && kind == views::UsernameKind::Email
                || s.name == "phone_number" && kind == views::UsernameKind::Phone)
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

#[allow(clippy::too_many_arguments)]
async fn sign_up_page(
    state: &AppState,
    session: &Session,
    lang: Lang,
    pool: &UserPool,
    client: &UserPoolClient,
    flow: &Flow,
    fields: &Fields,
    errors: FormErrors,
    status: StatusCode,
) -> Response {
    let ctx = form(
        state,
        session,
        lang,
        branding(state, pool, Some(client)).await,
        path(&pool.id, "signup"),
        Some(flow),
    )
    .await;
    let html = views::sign_up::render(
        &ctx,
        views::sign_up::SignUpProps {
            username_kind: username_kind(pool),
            username: fields.get("username").cloned().unwrap_or_default(),
            policy: policy(pool),
            attributes: sign_up_attributes(pool, client, fields),
            sign_in_url: Some(link(state, &pool.id, "login", flow)),
            errors,
        },
    );
    page(status, html)
}

pub async fn sign_up_form(
    State(state): State<AppState>,
    Path(pool_id): Path<String>,
    Query(q): Query<FlowQuery>,
    headers: HeaderMap,
    session: Session,
) -> Response {
    let lang = language(q.lang.as_deref(), &headers);
    let (flow, pool, client) = match linked_flow(&state, &pool_id, q.flow.as_deref(), lang).await {
        Ok(v) => v,
        Err(r) => return *r,
    };
    sign_up_page(
        &state,
        &session,
        lang,
        &pool,
        &client,
        &flow,
        &Fields::new(),
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

pub async fn sign_up(
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
    if let Err(r) = limit(
        &state,
        lang,
        Category::Codes,
        &client.client_id,
        Some(&username),
    ) {
        return *r;
    }
    let mut attributes: Vec<AttributeType> = fields
        .iter()
        .filter_map(|(k, v)| {
            k.strip_prefix("attr.")
                .map(|n| AttributeType::new(n, v.trim()))
        })
        .filter(|a| !a.value.is_empty())
        .collect();
    // A pool that signs in with email takes the username as the email too.
    match username_kind(&pool) {
        views::UsernameKind::Email => {
            attributes.push(AttributeType::new("email", username.clone()))
        }
        views::UsernameKind::Phone => {
            attributes.push(AttributeType::new("phone_number", username.clone()))
        }
        _ => {}
    }
    let result = state
        .idp
        .sign_up(SignUpRequest {
            client_id: client.client_id.clone(),
            secret_hash: secret_hash_for(&client, &username),
            username: username.clone(),
            password: SecretString::new(fields.get("password").cloned().unwrap_or_default()),
            user_attributes: attributes,
        })
        .await;
    flow.username = Some(username);
    match result {
        Ok(r) if r.user_confirmed => {
            sign_in_page(
                &state,
                &session,
                lang,
                &pool,
                &client,
                &flow,
                FormErrors::default(),
                StatusCode::OK,
            )
            .await
        }
        Ok(r) => {
            confirm_page(
                &state,
                &session,
                lang,
                &pool,
                &client,
                &flow,
                r.code_delivery.as_ref(),
                FormErrors::default(),
            )
            .await
        }
        Err(CognitoError::InternalError(e)) => {
            tracing::error!(error = %e, "hosted sign-up failed");
            super::error_page(
                lang,
                StatusCode::INTERNAL_SERVER_ERROR,
                None,
                "Something went wrong on our side. Try again in a moment.",
            )
        }
        Err(e) => {
            let errors = match &e {
                CognitoError::InvalidPassword(m) => FormErrors::field("password", m.clone()),
                CognitoError::UsernameExists(m) => FormErrors::field("username", m.clone()),
                other => FormErrors::general(other.message()),
            };
            sign_up_page(
                &state,
                &session,
                lang,
                &pool,
                &client,
                &flow,
                &fields,
                errors,
                StatusCode::BAD_REQUEST,
            )
            .await
        }
    }
}

fn delivery(d: Option<&CodeDeliveryDetails>) -> Option<CodeDelivery> {
    d.map(|d| CodeDelivery {
        medium: match d.delivery_medium {
            Channel::Sms => DeliveryMedium::Sms,
            Channel::Email => DeliveryMedium::Email,
        },
        destination: Some(d.destination.clone()),
    })
}

/// The confirmation-code form for the flow's user.
#[allow(clippy::too_many_arguments)]
pub async fn confirm_page(
    state: &AppState,
    session: &Session,
    lang: Lang,
    pool: &UserPool,
    client: &UserPoolClient,
    flow: &Flow,
    sent: Option<&CodeDeliveryDetails>,
    errors: FormErrors,
) -> Response {
    let ctx = form(
        state,
        session,
        lang,
        branding(state, pool, Some(client)).await,
        path(&pool.id, "confirmUser"),
        Some(flow),
    )
    .await;
    let username = flow.username.clone().unwrap_or_default();
    let html = views::confirm_account::render(
        &ctx,
        views::confirm_account::ConfirmAccountProps {
            username_editable: username.is_empty(),
            username,
            username_kind: username_kind(pool),
            delivery: delivery(sent),
            sign_in_url: Some(link(state, &pool.id, "login", flow)),
            errors: errors.clone(),
        },
    );
    page(
        if errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::BAD_REQUEST
        },
        html,
    )
}

/// `POST {issuer}/confirmUser`: the code, or `intent=resend`.
pub async fn confirm(
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
        .filter(|u| !u.is_empty())
        .or_else(|| flow.username.clone())
        .unwrap_or_default();
    flow.username = Some(username.clone());
    let resend = fields.get("intent").is_some_and(|i| i == "resend");
    if let Err(r) = limit(
        &state,
        lang,
        Category::Codes,
        &client.client_id,
        Some(&username),
    ) {
        return *r;
    }
    let hash = secret_hash_for(&client, &username);
    if resend {
        return match state
            .idp
            .resend_confirmation_code(&client.client_id, hash.as_deref(), &username)
            .await
        {
            Ok(d) => {
                confirm_page(
                    &state,
                    &session,
                    lang,
                    &pool,
                    &client,
                    &flow,
                    Some(&d),
                    FormErrors::default(),
                )
                .await
            }
            Err(e) => {
                confirm_page(
                    &state,
                    &session,
                    lang,
                    &pool,
                    &client,
                    &flow,
                    None,
                    FormErrors::general(e.message()),
                )
                .await
            }
        };
    }
    let code = fields
        .get("code")
        .map(|c| c.trim().to_owned())
        .unwrap_or_default();
    match state
        .idp
        .confirm_sign_up(&client.client_id, hash.as_deref(), &username, &code, false)
        .await
    {
        // Confirmed: sign in (Cognito's hosted UI asks for the password again
        // rather than keep it between pages).
        Ok(()) => {
            sign_in_page(
                &state,
                &session,
                lang,
                &pool,
                &client,
                &flow,
                FormErrors::default(),
                StatusCode::OK,
            )
            .await
        }
        Err(e) => {
            confirm_page(
                &state,
                &session,
                lang,
                &pool,
                &client,
                &flow,
                None,
                FormErrors::field("code", e.message()),
            )
            .await
        }
    }
}
