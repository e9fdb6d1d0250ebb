//! `GET|POST {issuer}/forgotPassword` and `POST {issuer}/confirmForgotPassword`:
//! a code to the user's verified address, then a new password with it.

use super::Session;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use cognate_app::pages::hosted::{self as views, CodeDelivery, DeliveryMedium, FormErrors, Lang};
use cognate_core::crypto::SecretString;
use cognate_core::model::{UserPool, UserPoolClient};
use cognate_core::service::client_secret::secret_hash_for;
use cognate_core::store::outbox::Channel;

use super::authorize::{sign_in_page, username_kind};
use super::sign_in::{Fields, begin, limit, linked_flow};
use super::sign_up::{FlowQuery, policy};
use super::{Flow, branding, form, language, link, page, path};
use crate::limits::Category;
use crate::state::AppState;

pub async fn forgot_page(
    state: &AppState,
    session: &Session,
    lang: Lang,
    pool: &UserPool,
    client: &UserPoolClient,
    flow: &Flow,
    errors: FormErrors,
) -> Response {
    let ctx = form(
        state,
        session,
        lang,
        branding(state, pool, Some(client)).await,
        path(&pool.id, "forgotPassword"),
        Some(flow),
    )
    .await;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let html = views::forgot_password::render(
        &ctx,
        views::forgot_password::ForgotPasswordProps {
            username_kind: username_kind(pool),
            username: flow.username.clone().unwrap_or_default(),
            sign_in_url: Some(link(state, &pool.id, "login", flow)),
            errors,
        },
    );
    page(status, html)
}

#[allow(clippy::too_many_arguments)]
async fn reset_page(
    state: &AppState,
    session: &Session,
    lang: Lang,
    pool: &UserPool,
    client: &UserPoolClient,
    flow: &Flow,
    delivery: Option<CodeDelivery>,
    errors: FormErrors,
) -> Response {
    let ctx = form(
        state,
        session,
        lang,
        branding(state, pool, Some(client)).await,
        path(&pool.id, "confirmForgotPassword"),
        Some(flow),
    )
    .await;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let html = views::reset_password::render(
        &ctx,
        views::reset_password::ResetPasswordProps {
            username: flow.username.clone().unwrap_or_default(),
            delivery,
            policy: policy(pool),
            sign_in_url: Some(link(state, &pool.id, "login", flow)),
            errors,
        },
    );
    page(status, html)
}

pub async fn forgot_form(
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
    forgot_page(
        &state,
        &session,
        lang,
        &pool,
        &client,
        &flow,
        FormErrors::default(),
    )
    .await
}

pub async fn forgot(
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
    flow.username = Some(username.clone());
    if let Err(r) = limit(
        &state,
        lang,
        Category::Recovery,
        &client.client_id,
        Some(&username),
    ) {
        return *r;
    }
    match state
        .idp
        .forgot_password(
            &client.client_id,
            secret_hash_for(&client, &username).as_deref(),
            &username,
        )
        .await
    {
        Ok(d) => {
            let delivery = CodeDelivery {
                medium: match d.delivery_medium {
                    Channel::Sms => DeliveryMedium::Sms,
                    Channel::Email => DeliveryMedium::Email,
                },
                destination: Some(d.destination.clone()),
            };
            reset_page(
                &state,
                &session,
                lang,
                &pool,
                &client,
                &flow,
                Some(delivery),
                FormErrors::default(),
            )
            .await
        }
        Err(e) => {
            forgot_page(
                &state,
                &session,
                lang,
                &pool,
                &client,
                &flow,
                FormErrors::general(e.message()),
            )
            .await
        }
    }
}

pub async fn reset(
    State(state): State<AppState>,
    Path(pool_id): Path<String>,
    headers: HeaderMap,
    session: Session,
    Form(fields): Form<Fields>,
) -> Response {
    let (lang, flow, pool, client) =
        match begin(&state, &session, &pool_id, &fields, &headers).await {
            Ok(v) => v,
            Err(r) => return *r,
        };
    let username = flow.username.clone().unwrap_or_default();
    if let Err(r) = limit(
        &state,
        lang,
        Category::Recovery,
        &client.client_id,
        Some(&username),
    ) {
        return *r;
    }
    let code = fields
        .get("code")
        .map(|c| c.trim().to_owned())
        .unwrap_or_default();
    let password = SecretString::new(fields.get("password").cloned().unwrap_or_default());
    match state
        .idp
        .confirm_forgot_password(
            &client.client_id,
            secret_hash_for(&client, &username).as_deref(),
            &username,
            &code,
            &password,
        )
        .await
    {
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
            let errors = match &e {
                cognate_core::CognitoError::InvalidPassword(m) => {
                    FormErrors::field("password", m.clone())
                }
                other => FormErrors::field("code", other.message()),
            };
            reset_page(&state, &session, lang, &pool, &client, &flow, None, errors).await
        }
    }
}
