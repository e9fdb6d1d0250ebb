//! `GET|POST {issuer}/signup` and `GET|POST {issuer}/confirmUser`: self
//! sign-up with the pool's required (and the client's writable) attributes,
//! the password policy shown up front, then the confirmation code.

use axum::http::StatusCode;
use axum::response::Response;
use cognate_app::pages::hosted::{FormErrors, UsernameKind};
use cognate_core::CognitoError;
use cognate_core::crypto::SecretString;
use cognate_core::model::AttributeType;
use cognate_core::service::auth::NO_METADATA;
use cognate_core::service::client_secret::secret_hash_for;
use cognate_core::service::signup::SignUpRequest;

use super::error::HostedError;
use super::flow::{Fields, Linked, Posted};
use super::pages::{self, username_kind};
use crate::limits::Category;

pub async fn sign_up_form(Linked(cx): Linked) -> Response {
    pages::sign_up(&cx, &Fields::new(), FormErrors::default(), StatusCode::OK).await
}

pub async fn sign_up(post: Posted) -> Result<Response, HostedError> {
    let username = post.trimmed("username");
    let Posted { mut cx, fields } = post;
    cx.limit(Category::Codes, &username)?;
    let mut attributes: Vec<AttributeType> = fields
        .iter()
        .filter_map(|(k, v)| {
            k.strip_prefix("attr.")
                .map(|n| AttributeType::new(n, v.trim()))
        })
        .filter(|a| !a.value.is_empty())
        .collect();
    // A pool that signs in with email takes the username as the email too.
    match username_kind(&cx.pool) {
        UsernameKind::Email => attributes.push(AttributeType::new("email", username.clone())),
        UsernameKind::Phone => {
            attributes.push(AttributeType::new("phone_number", username.clone()))
        }
        _ => {}
    }
    let result = cx
        .state
        .idp
        .sign_up(SignUpRequest {
            client_id: cx.client.client_id.clone(),
            secret_hash: secret_hash_for(&cx.client, &username),
            username: username.clone(),
            password: SecretString::new(fields.get("password").cloned().unwrap_or_default()),
            user_attributes: attributes,
            validation_data: None,
            client_metadata: Default::default(),
        })
        .await;
    cx.flow.username = Some(username);
    match result {
        Ok(r) if r.user_confirmed => {
            Ok(pages::sign_in(&cx, FormErrors::default(), StatusCode::OK).await)
        }
        Ok(r) => Ok(pages::confirm(&cx, r.code_delivery.as_ref(), FormErrors::default()).await),
        Err(e) => {
            let errors = match cx.for_form(e)? {
                CognitoError::InvalidPassword(m) => FormErrors::field("password", m),
                CognitoError::UsernameExists(m) => FormErrors::field("username", m),
                other => FormErrors::general(other.message()),
            };
            Ok(pages::sign_up(&cx, &fields, errors, StatusCode::BAD_REQUEST).await)
        }
    }
}

/// `POST {issuer}/confirmUser`: the code, or `intent=resend`.
pub async fn confirm(post: Posted) -> Result<Response, HostedError> {
    let username = Some(post.trimmed("username"))
        .filter(|u| !u.is_empty())
        .or_else(|| post.cx.flow.username.clone())
        .unwrap_or_default();
    let resend = post.fields.get("intent").is_some_and(|i| i == "resend");
    let code = post.trimmed("code");
    let Posted { mut cx, .. } = post;
    cx.flow.username = Some(username.clone());
    cx.limit(Category::Codes, &username)?;
    let idp = &cx.state.idp;
    let client_id = &cx.client.client_id;
    let hash = secret_hash_for(&cx.client, &username);
    if resend {
        let result = idp
            .resend_confirmation_code(client_id, hash.as_deref(), &username, &NO_METADATA)
            .await;
        return Ok(match result {
            Ok(d) => pages::confirm(&cx, Some(&d), FormErrors::default()).await,
            Err(e) => {
                let e = cx.for_form(e)?;
                pages::confirm(&cx, None, FormErrors::general(e.message())).await
            }
        });
    }
    let result = idp
        .confirm_sign_up(
            client_id,
            hash.as_deref(),
            &username,
            &code,
            false,
            &Default::default(),
        )
        .await;
    Ok(match result {
        // Confirmed: sign in (Cognito's hosted UI asks for the password again
        // rather than keep it between pages).
        Ok(()) => pages::sign_in(&cx, FormErrors::default(), StatusCode::OK).await,
        Err(e) => {
            let e = cx.for_form(e)?;
            pages::confirm(&cx, None, FormErrors::field("code", e.message())).await
        }
    })
}
