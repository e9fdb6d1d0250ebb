//! `GET {issuer}/oauth2/authorize` (RFC 6749 §4.1.1, OpenID Connect Core
//! §3.1.2) and `GET {issuer}/login` (Cognito's sign-in page, same query).
//! Checks run in order: the client and the redirect URI (an error page,
//! never a redirect), then the rest (errors go back to the client), then
//! the browser's SSO session — which answers at once unless `prompt=login`.

use super::Session;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use cognate_app::pages::hosted::{self as views, FormErrors, Lang, UsernameKind};
use cognate_core::model::pool::VerifiableAttribute;
use cognate_core::model::{UserPool, UserPoolClient};
use cognate_core::service::oauth::{AuthorizeParams, OAuthError, OAuthErrorCode};

use super::{
    Flow, SsoSession, branding, complete, error_page, form, language, link, page, path, sso_key,
};
use crate::http::redirect_with;
use crate::state::AppState;

pub async fn authorize(
    State(state): State<AppState>,
    Path(pool_id): Path<String>,
    Query(params): Query<AuthorizeParams>,
    headers: HeaderMap,
    session: Session,
) -> Response {
    run(&state, &pool_id, &params, &headers, &session, false).await
}

#[derive(serde::Deserialize)]
pub struct LoginQuery {
    /// A flow from another page of the sign-in ("back to sign in").
    flow: Option<String>,
    #[serde(flatten)]
    params: AuthorizeParams,
}

/// `/login`: the same request, always showing the form; or, from the other
/// pages, the flow they carry.
pub async fn login_page(
    State(state): State<AppState>,
    Path(pool_id): Path<String>,
    Query(q): Query<LoginQuery>,
    headers: HeaderMap,
    session: Session,
) -> Response {
    if q.flow.is_some() {
        let lang = language(q.params.lang.as_deref(), &headers);
        let (flow, pool, client) =
            match super::sign_in::linked_flow(&state, &pool_id, q.flow.as_deref(), lang).await {
                Ok(v) => v,
                Err(r) => return *r,
            };
        return sign_in_page(
            &state,
            &session,
            lang,
            &pool,
            &client,
            &flow,
            FormErrors::default(),
            StatusCode::OK,
        )
        .await;
    }
    run(&state, &pool_id, &q.params, &headers, &session, true).await
}

async fn run(
    state: &AppState,
    pool_id: &str,
    params: &AuthorizeParams,
    headers: &HeaderMap,
    session: &Session,
    force_form: bool,
) -> Response {
    let lang = language(params.lang.as_deref(), headers);
    let idp = &state.idp;
    let (pool, client, redirect_uri) = match idp.authorize_client(pool_id, params).await {
        Ok(v) => v,
        Err(e) => {
            return error_page(
                lang,
                StatusCode::BAD_REQUEST,
                Some(lang.t("error.title")),
                e.message(),
            );
        }
    };
    let fragment = params.response_type.as_deref() == Some("token");
    let issuer = idp.issuer(&pool.id);
    let back = |e: OAuthError| {
        redirect_error(
            &redirect_uri,
            fragment,
            &e,
            params.state.as_deref(),
            &issuer,
        )
    };
    let request = match idp.check_authorize(&pool, &client, &redirect_uri, params) {
        Ok(r) => r,
        Err(e) => return back(e),
    };
    // Federation arrives later: only the pool's own users for now.
    if let Some(idp_name) = params.identity_provider.as_deref()
        && idp_name != "COGNITO"
    {
        return back(OAuthError::new(
            OAuthErrorCode::InvalidRequest,
            format!("identity provider {idp_name} is not configured for this app client"),
        ));
    }
    let prompt = request.prompt.clone();
    let sso = session
        .get::<SsoSession>(&sso_key(&pool.id))
        .await
        .ok()
        .flatten();
    let reuse = !force_form && prompt.as_deref() != Some("login");
    if let (Some(sso), true) = (sso, reuse) {
        let grant = sso.grant();
        // OpenID Connect Core §3.1.2.1: max_age — a sign-in older than it
        // is asked again.
        let fresh = request.max_age.is_none_or(|max| {
            idp.clock.now().millis() - grant.auth_time.millis() <= max.saturating_mul(1000)
        });
        match idp.resume_sso(&pool, &grant).await {
            Ok(user) if fresh => {
                return complete(state, &pool, &client, &request, &user, grant.auth_time).await;
            }
            Ok(_) => {}
            // The session is over: it is forgotten, and the user signs in.
            Err(_) => {
                let _ = session.remove_value(&sso_key(&pool.id)).await;
            }
        }
    }
    // OpenID Connect Core §3.1.2.6: no session and no UI allowed.
    if prompt.as_deref() == Some("none") {
        return back(OAuthError::new(
            OAuthErrorCode::LoginRequired,
            "the user is not signed in",
        ));
    }
    let mut flow = Flow::new(request, idp.clock.now());
    flow.username = params.login_hint.clone().filter(|h| h.len() <= 128);
    sign_in_page(
        state,
        session,
        lang,
        &pool,
        &client,
        &flow,
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
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

/// The sign-in form, carrying the flow.
#[allow(clippy::too_many_arguments)]
pub async fn sign_in_page(
    state: &AppState,
    session: &Session,
    lang: Lang,
    pool: &UserPool,
    client: &UserPoolClient,
    flow: &Flow,
    errors: FormErrors,
    status: StatusCode,
) -> Response {
    let ctx = form(
        state,
        session,
        lang,
        branding(state, pool, Some(client)).await,
        path(&pool.id, "login"),
        Some(flow),
    )
    .await;
    let self_sign_up = !pool
        .config
        .admin_create_user_config
        .allow_admin_create_user_only;
    let html = views::sign_in::render(
        &ctx,
        views::sign_in::SignInProps {
            username_kind: username_kind(pool),
            username: flow.username.clone().unwrap_or_default(),
            sign_up_url: self_sign_up.then(|| link(state, &pool.id, "signup", flow)),
            forgot_password_url: Some(link(state, &pool.id, "forgotPassword", flow)),
            errors,
        },
    );
    page(status, html)
}

/// RFC 6749 §4.1.2.1 (query) or §4.2.2.1 (fragment, implicit): the error
/// back to the client's registered redirect URI, with `state` and `iss`
/// (RFC 9207).
fn redirect_error(
    redirect_uri: &str,
    fragment: bool,
    e: &OAuthError,
    state: Option<&str>,
    issuer: &str,
) -> Response {
    let mut params = vec![
        ("error", e.code.as_str().to_owned()),
        ("error_description", e.description.clone()),
    ];
    if let Some(s) = state {
        params.push(("state", s.to_owned()));
    }
    params.push(("iss", issuer.to_owned()));
    redirect_with(redirect_uri, fragment, &params)
}
