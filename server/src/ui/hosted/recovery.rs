//! `GET|POST {issuer}/forgotPassword` and `POST {issuer}/confirmForgotPassword`:
//! a code to the user's verified address, then a new password with it.

use axum::http::StatusCode;
use axum::response::Response;
use cognate_app::pages::hosted::FormErrors;
use cognate_core::CognitoError;
use cognate_core::crypto::SecretString;
use cognate_core::service::client_secret::secret_hash_for;

use super::error::HostedError;
use super::flow::{Linked, Posted};
use super::pages;
use crate::limits::Category;

pub async fn forgot_form(Linked(cx): Linked) -> Response {
    pages::forgot(&cx, FormErrors::default()).await
}

pub async fn forgot(post: Posted) -> Result<Response, HostedError> {
    let username = post.trimmed("username");
    let Posted { mut cx, .. } = post;
    cx.flow.username = Some(username.clone());
    cx.limit(Category::Recovery, &username)?;
    let result = cx
        .state
        .idp
        .forgot_password(
            &cx.client.client_id,
            secret_hash_for(&cx.client, &username).as_deref(),
            &username,
            &Default::default(),
        )
        .await;
    Ok(match result {
        Ok(d) => pages::reset(&cx, Some(&d), FormErrors::default()).await,
        Err(e) => {
            let e = cx.for_form(e)?;
            pages::forgot(&cx, FormErrors::general(e.message())).await
        }
    })
}

pub async fn reset(post: Posted) -> Result<Response, HostedError> {
    let code = post.trimmed("code");
    let password = SecretString::new(post.raw("password"));
    let Posted { cx, .. } = post;
    let username = cx.flow.username.clone().unwrap_or_default();
    cx.limit(Category::Recovery, &username)?;
    let result = cx
        .state
        .idp
        .confirm_forgot_password(
            &cx.client.client_id,
            secret_hash_for(&cx.client, &username).as_deref(),
            &username,
            &code,
            &password,
            &Default::default(),
        )
        .await;
    Ok(match result {
        Ok(()) => pages::sign_in(&cx, FormErrors::default(), StatusCode::OK).await,
        Err(e) => {
            let errors = match cx.for_form(e)? {
                CognitoError::InvalidPassword(m) => FormErrors::field("password", m),
                other => FormErrors::field("code", other.message()),
            };
            pages::reset(&cx, None, errors).await
        }
    })
}
