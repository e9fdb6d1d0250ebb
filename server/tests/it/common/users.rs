//! Helpers for the user tests: pools and clients in a few shapes, users,
//! and the codes and passwords the outbox received.

use aws_sdk_cognitoidentityprovider as cip;
use cip::operation::create_user_pool::builders::CreateUserPoolFluentBuilder;
use cip::types::{
    AttributeType, AuthFlowType, ExplicitAuthFlowsType, PreventUserExistenceErrorTypes,
};
use cognate_core::store::outbox::OutboxMessage;

use super::TestServer;

/// A password Cognito's default policy accepts.
pub const PASSWORD: &str = "Passw0rd!";

pub fn attr(name: &str, value: &str) -> AttributeType {
    AttributeType::builder()
        .name(name)
        .value(value)
        .build()
        .expect("name is set")
}

/// A pool made by `shape` (e.g. `|b| b.auto_verified_attributes(...)`).
pub async fn pool(
    s: &TestServer,
    shape: impl FnOnce(CreateUserPoolFluentBuilder) -> CreateUserPoolFluentBuilder,
) -> String {
    let builder = s.admin().create_user_pool().pool_name("users");
    shape(builder)
        .send()
        .await
        .expect("create pool")
        .user_pool()
        .and_then(|p| p.id())
        .expect("pool id")
        .to_owned()
}

/// A pool that auto-verifies email.
pub async fn email_pool(s: &TestServer) -> String {
    pool(s, |b| {
        b.auto_verified_attributes(cip::types::VerifiedAttributeType::Email)
    })
    .await
}

/// A client with USER_PASSWORD_AUTH; `secret` makes it confidential;
/// `prevent` sets PreventUserExistenceErrors. Returns (id, secret).
pub async fn client(
    s: &TestServer,
    pool_id: &str,
    secret: bool,
    prevent: bool,
) -> (String, Option<String>) {
    let c = s
        .admin()
        .create_user_pool_client()
        .user_pool_id(pool_id)
        .client_name("app")
        .generate_secret(secret)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .prevent_user_existence_errors(if prevent {
            PreventUserExistenceErrorTypes::Enabled
        } else {
            PreventUserExistenceErrorTypes::Legacy
        })
        .send()
        .await
        .expect("create client");
    let c = c.user_pool_client().expect("client");
    (
        c.client_id().expect("id").to_owned(),
        c.client_secret().map(str::to_owned),
    )
}

/// The newest outbox messages of a pool, newest first, opened.
pub async fn outbox(s: &TestServer, pool_id: &str) -> Vec<OutboxMessage> {
    s.state
        .idp
        .outbox(Some(pool_id), 100)
        .await
        .expect("read outbox")
}

/// The six-digit code in the newest message to `to`.
pub async fn code_sent_to(s: &TestServer, pool_id: &str, to: &str) -> String {
    let messages = outbox(s, pool_id).await;
    let m = messages
        .iter()
        .find(|m| m.destination == to)
        .unwrap_or_else(|| panic!("no message to {to} in {messages:?}"));
    six_digits(&m.body).unwrap_or_else(|| panic!("no code in message to {to}"))
}

pub fn six_digits(text: &str) -> Option<String> {
    text.as_bytes()
        .windows(6)
        .enumerate()
        .find(|(i, w)| {
            w.iter().all(u8::is_ascii_digit)
                && (*i == 0 || !text.as_bytes()[i - 1].is_ascii_digit())
                && text
                    .as_bytes()
                    .get(i + 6)
                    .is_none_or(|b| !b.is_ascii_digit())
        })
        .map(|(_, w)| String::from_utf8_lossy(w).into_owned())
}

/// Signs up and confirms through the API, so the user has a verified email.
pub async fn confirmed_user(
    s: &TestServer,
    pool_id: &str,
    client_id: &str,
    username: &str,
    email: &str,
) {
    let public = s.public();
    public
        .sign_up()
        .client_id(client_id)
        .username(username)
        .password(PASSWORD)
        .user_attributes(attr("email", email))
        .send()
        .await
        .expect("sign up");
    let code = code_sent_to(s, pool_id, email).await;
    public
        .confirm_sign_up()
        .client_id(client_id)
        .username(username)
        .confirmation_code(code)
        .send()
        .await
        .expect("confirm sign up");
}

/// An access token from InitiateAuth USER_PASSWORD_AUTH.
pub async fn access_token(
    s: &TestServer,
    client_id: &str,
    username: &str,
    password: &str,
) -> String {
    s.public()
        .initiate_auth()
        .client_id(client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", username)
        .auth_parameters("PASSWORD", password)
        .send()
        .await
        .expect("sign in")
        .authentication_result()
        .and_then(|r| r.access_token())
        .expect("access token")
        .to_owned()
}

/// The user's attribute, through AdminGetUser.
pub async fn admin_attr(
    s: &TestServer,
    pool_id: &str,
    username: &str,
    name: &str,
) -> Option<String> {
    s.admin()
        .admin_get_user()
        .user_pool_id(pool_id)
        .username(username)
        .send()
        .await
        .expect("admin get user")
        .user_attributes()
        .iter()
        .find(|a| a.name() == name)
        .and_then(|a| a.value().map(str::to_owned))
}

/// The user's status, through AdminGetUser.
pub async fn admin_status(s: &TestServer, pool_id: &str, username: &str) -> String {
    s.admin()
        .admin_get_user()
        .user_pool_id(pool_id)
        .username(username)
        .send()
        .await
        .expect("admin get user")
        .user_status()
        .map(|st| st.as_str().to_owned())
        .unwrap_or_default()
}

/// How many users the pool has, through ListUsers.
pub async fn user_count(s: &TestServer, pool_id: &str) -> usize {
    s.admin()
        .list_users()
        .user_pool_id(pool_id)
        .send()
        .await
        .expect("list users")
        .users()
        .len()
}
