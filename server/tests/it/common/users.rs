//! Helpers for the user tests: pools and clients in a few shapes, users,
//! and the codes and passwords the outbox received.

use aws_sdk_cognitoidentityprovider as cip;
use cip::operation::create_user_pool::builders::CreateUserPoolFluentBuilder;
use cip::operation::create_user_pool_client::builders::CreateUserPoolClientFluentBuilder;
use cip::types::{
    AttributeType, AuthFlowType, AuthenticationResultType, EmailMfaConfigType,
    ExplicitAuthFlowsType, MessageActionType, OAuthFlowType, PreventUserExistenceErrorTypes,
    SmsConfigurationType, SmsMfaConfigType, SoftwareTokenMfaConfigType, UserPoolMfaType,
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

/// The fixtures every test builds on: pools, clients, users, sign-ins and
/// what the outbox received.
impl TestServer {
    /// A pool made by `shape` (e.g. `|b| b.auto_verified_attributes(...)`).
    pub async fn pool(
        &self,
        shape: impl FnOnce(CreateUserPoolFluentBuilder) -> CreateUserPoolFluentBuilder,
    ) -> String {
        let builder = self.admin().create_user_pool().pool_name("users");
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
    pub async fn email_pool(&self) -> String {
        self.pool(|b| b.auto_verified_attributes(cip::types::VerifiedAttributeType::Email))
            .await
    }

    /// A client named "app", shaped by `shape`. Returns (id, secret).
    pub async fn app_client(
        &self,
        pool_id: &str,
        shape: impl FnOnce(CreateUserPoolClientFluentBuilder) -> CreateUserPoolClientFluentBuilder,
    ) -> (String, Option<String>) {
        let builder = self
            .admin()
            .create_user_pool_client()
            .user_pool_id(pool_id)
            .client_name("app");
        let c = shape(builder).send().await.expect("create client");
        let c = c.user_pool_client().expect("client");
        (
            c.client_id().expect("id").to_owned(),
            c.client_secret().map(str::to_owned),
        )
    }

    /// A hosted-UI client "web": the code flow with PKCE, `scopes`, and
    /// `callback` as its one callback URL; `shape` adds the rest.
    pub async fn code_client(
        &self,
        pool_id: &str,
        callback: &str,
        scopes: &[&str],
        shape: impl FnOnce(CreateUserPoolClientFluentBuilder) -> CreateUserPoolClientFluentBuilder,
    ) -> (String, Option<String>) {
        self.app_client(pool_id, |c| {
            shape(
                c.client_name("web")
                    .allowed_o_auth_flows(OAuthFlowType::Code)
                    .set_allowed_o_auth_scopes(Some(
                        scopes.iter().map(|s| (*s).to_owned()).collect(),
                    ))
                    .allowed_o_auth_flows_user_pool_client(true)
                    .callback_urls(callback),
            )
        })
        .await
    }

    /// A client with USER_PASSWORD_AUTH; `secret` makes it confidential;
    /// `prevent` sets PreventUserExistenceErrors. Returns (id, secret).
    pub async fn client(
        &self,
        pool_id: &str,
        secret: bool,
        prevent: bool,
    ) -> (String, Option<String>) {
        self.app_client(pool_id, |c| {
            c.generate_secret(secret)
                .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
                .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
                .prevent_user_existence_errors(if prevent {
                    PreventUserExistenceErrorTypes::Enabled
                } else {
                    PreventUserExistenceErrorTypes::Legacy
                })
        })
        .await
    }

    /// A confirmed user made by an administrator, with `attributes`,
    /// `password` set permanently and no message sent.
    pub async fn admin_user(
        &self,
        pool_id: &str,
        username: &str,
        password: &str,
        attributes: &[(&str, &str)],
    ) {
        let attributes = attributes.iter().map(|(n, v)| attr(n, v)).collect();
        self.admin()
            .admin_create_user()
            .user_pool_id(pool_id)
            .username(username)
            .set_user_attributes(Some(attributes))
            .message_action(MessageActionType::Suppress)
            .send()
            .await
            .expect("admin create user");
        self.admin()
            .admin_set_user_password()
            .user_pool_id(pool_id)
            .username(username)
            .password(password)
            .permanent(true)
            .send()
            .await
            .expect("admin set user password");
    }

    /// A confirmed user with a verified `email` and `password`, made by an
    /// administrator.
    pub async fn verified_user(&self, pool_id: &str, username: &str, password: &str, email: &str) {
        let attributes = [("email", email), ("email_verified", "true")];
        self.admin_user(pool_id, username, password, &attributes)
            .await;
    }

    /// Signs up and confirms through the API, so the user has a verified email.
    pub async fn confirmed_user(
        &self,
        pool_id: &str,
        client_id: &str,
        username: &str,
        email: &str,
    ) {
        let public = self.public();
        public
            .sign_up()
            .client_id(client_id)
            .username(username)
            .password(PASSWORD)
            .user_attributes(attr("email", email))
            .send()
            .await
            .expect("sign up");
        let code = self.code_sent_to(pool_id, email).await;
        public
            .confirm_sign_up()
            .client_id(client_id)
            .username(username)
            .confirmation_code(code)
            .send()
            .await
            .expect("confirm sign up");
    }

    /// The tokens of an InitiateAuth USER_PASSWORD_AUTH sign-in.
    pub async fn signed_in(
        &self,
        client_id: &str,
        username: &str,
        password: &str,
    ) -> AuthenticationResultType {
        self.public()
            .initiate_auth()
            .client_id(client_id)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", username)
            .auth_parameters("PASSWORD", password)
            .send()
            .await
            .expect("sign in")
            .authentication_result()
            .expect("tokens, not a challenge")
            .clone()
    }

    /// InitiateAuth USER_PASSWORD_AUTH, as the SDK answers it (tokens, a
    /// challenge or an error).
    pub async fn password_initiate(
        &self,
        client_id: &str,
        username: &str,
        password: &str,
    ) -> Result<
        cip::operation::initiate_auth::InitiateAuthOutput,
        cip::error::SdkError<cip::operation::initiate_auth::InitiateAuthError>,
    > {
        self.public()
            .initiate_auth()
            .client_id(client_id)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", username)
            .auth_parameters("PASSWORD", password)
            .send()
            .await
    }

    /// An access token from InitiateAuth USER_PASSWORD_AUTH.
    pub async fn access_token(&self, client_id: &str, username: &str, password: &str) -> String {
        self.signed_in(client_id, username, password)
            .await
            .access_token()
            .expect("access token")
            .to_owned()
    }

    /// The newest outbox messages of a pool, newest first, opened.
    pub async fn outbox(&self, pool_id: &str) -> Vec<OutboxMessage> {
        self.state
            .idp
            .outbox(Some(pool_id), 100)
            .await
            .expect("read outbox")
    }

    /// The six-digit code in the newest message to `to`.
    pub async fn code_sent_to(&self, pool_id: &str, to: &str) -> String {
        let messages = self.outbox(pool_id).await;
        let m = messages
            .iter()
            .find(|m| m.destination == to)
            .unwrap_or_else(|| panic!("no message to {to} in {messages:?}"));
        six_digits(&m.body).unwrap_or_else(|| panic!("no code in message to {to}"))
    }

    /// The user, through AdminGetUser.
    pub async fn admin_get(
        &self,
        pool_id: &str,
        username: &str,
    ) -> cip::operation::admin_get_user::AdminGetUserOutput {
        self.admin()
            .admin_get_user()
            .user_pool_id(pool_id)
            .username(username)
            .send()
            .await
            .expect("admin get user")
    }

    /// AdminLinkProviderForUser: the provider's user whose subject
    /// (`Cognito_Subject`) is `subject` signs in as the local `username`.
    pub async fn link_subject(&self, pool_id: &str, username: &str, provider: &str, subject: &str) {
        self.admin()
            .admin_link_provider_for_user()
            .user_pool_id(pool_id)
            .destination_user(
                cip::types::ProviderUserIdentifierType::builder()
                    .provider_name("Cognito")
                    .provider_attribute_value(username)
                    .build(),
            )
            .source_user(
                cip::types::ProviderUserIdentifierType::builder()
                    .provider_name(provider)
                    .provider_attribute_name("Cognito_Subject")
                    .provider_attribute_value(subject)
                    .build(),
            )
            .send()
            .await
            .expect("link");
    }

    /// The user's attribute, through AdminGetUser.
    pub async fn admin_attr(&self, pool_id: &str, username: &str, name: &str) -> Option<String> {
        self.admin_get(pool_id, username)
            .await
            .user_attributes()
            .iter()
            .find(|a| a.name() == name)
            .and_then(|a| a.value().map(str::to_owned))
    }

    /// The user's status, through AdminGetUser.
    pub async fn admin_status(&self, pool_id: &str, username: &str) -> String {
        self.admin_get(pool_id, username)
            .await
            .user_status()
            .map(|st| st.as_str().to_owned())
            .unwrap_or_default()
    }

    /// Sets one attribute through AdminUpdateUserAttributes.
    pub async fn admin_set_attr(&self, pool_id: &str, username: &str, name: &str, value: &str) {
        self.admin()
            .admin_update_user_attributes()
            .user_pool_id(pool_id)
            .username(username)
            .user_attributes(attr(name, value))
            .send()
            .await
            .expect("admin update user attributes");
    }

    /// ForgotPassword for `username`, and the code sent to `to`.
    pub async fn reset_code(
        &self,
        pool_id: &str,
        client_id: &str,
        username: &str,
        to: &str,
    ) -> String {
        self.public()
            .forgot_password()
            .client_id(client_id)
            .username(username)
            .send()
            .await
            .expect("forgot password");
        self.code_sent_to(pool_id, to).await
    }

    /// How many users the pool has, through ListUsers.
    pub async fn user_count(&self, pool_id: &str) -> usize {
        self.admin()
            .list_users()
            .user_pool_id(pool_id)
            .send()
            .await
            .expect("list users")
            .users()
            .len()
    }

    /// SetUserPoolMfaConfig: `mode` with the factors asked for (an
    /// authenticator app, email, SMS), each with test message templates.
    pub async fn set_mfa(
        &self,
        pool_id: &str,
        mode: UserPoolMfaType,
        totp: bool,
        email: bool,
        sms: bool,
    ) -> cip::operation::set_user_pool_mfa_config::SetUserPoolMfaConfigOutput {
        let mut req = self
            .admin()
            .set_user_pool_mfa_config()
            .user_pool_id(pool_id)
            .mfa_configuration(mode)
            .software_token_mfa_configuration(
                SoftwareTokenMfaConfigType::builder().enabled(totp).build(),
            );
        if email {
            req = req.email_mfa_configuration(
                EmailMfaConfigType::builder()
                    .message("Sign-in code: {####}")
                    .subject("Your code")
                    .build(),
            );
        }
        if sms {
            req = req.sms_mfa_configuration(
                SmsMfaConfigType::builder()
                    .sms_authentication_message("Code {####}")
                    .sms_configuration(
                        SmsConfigurationType::builder()
                            .sns_caller_arn("arn:aws:iam::123456789012:role/sms")
                            .build(),
                    )
                    .build(),
            );
        }
        req.send().await.expect("set mfa config")
    }
}
