//! SecretHash of the public user actions (SignUp, ConfirmSignUp,
//! ResendConfirmationCode, ForgotPassword, ConfirmForgotPassword): a client
//! with a secret must prove it holds it on every call.

use aws_lc_rs::hmac;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;

use crate::crypto::constant_time_eq;
use crate::error::{CognitoError, Result};
use crate::model::{User, UserPoolClient};

/// Base64(HMAC-SHA256(key = client secret, message = username ‖ client id))
/// (Cognito developer guide: "Computing secret hash values").
fn compute(secret: &str, username: &str, client_id: &str) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
    let mut ctx = hmac::Context::with_key(&key);
    ctx.update(username.as_bytes());
    ctx.update(client_id.as_bytes());
    B64.encode(ctx.sign().as_ref())
}

/// The SECRET_HASH a confidential client would send for `username`: the
/// hosted UI acts as the client for the browser, which holds no secret.
pub fn secret_hash_for(client: &UserPoolClient, username: &str) -> Option<String> {
    client
        .client_secret
        .as_ref()
        .map(|secret| compute(secret, username, &client.client_id))
}

/// Cognito API: SignUp, SecretHash — required when the client has a
/// secret, computed over the username the caller sent (or, for an existing
/// user, their username). Compared in constant time. A client without a
/// secret ignores it.
pub fn check_secret_hash(
    client: &UserPoolClient,
    given_name: &str,
    user: Option<&User>,
    secret_hash: Option<&str>,
) -> Result<()> {
    let Some(secret) = &client.client_secret else {
        return Ok(());
    };
    let Some(given) = secret_hash.filter(|h| !h.is_empty()) else {
        return Err(CognitoError::NotAuthorized(format!(
            "Client {} is configured with secret but SECRET_HASH was not received",
            client.client_id
        )));
    };
    let matches = |name: &str| {
        constant_time_eq(
            compute(secret, name, &client.client_id).as_bytes(),
            given.as_bytes(),
        )
    };
    if matches(given_name) || user.is_some_and(|u| matches(&u.username)) {
        Ok(())
    } else {
        Err(CognitoError::NotAuthorized(format!(
            "Unable to verify secret hash for client {}",
            client.client_id
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_cognitos_definition() {
        // HMAC-SHA256("secret", "aliceclient"), base64.
        assert_eq!(
            compute("secret", "alice", "client"),
            B64.encode(
                hmac::sign(
                    &hmac::Key::new(hmac::HMAC_SHA256, b"secret"),
                    b"aliceclient"
                )
                .as_ref()
            )
        );
    }
}
