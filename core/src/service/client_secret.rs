//! SecretHash of the public user actions (SignUp, ConfirmSignUp,
//! ResendConfirmationCode, ForgotPassword, ConfirmForgotPassword): a client
//! with a secret must prove it holds it on every call.

use aws_lc_rs::hmac;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;

use crate::crypto::{MasterKey, constant_time_eq};
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

/// The SECRET_HASH a caller sends for `username` to a client with
/// `secret` (the migrate-from-Cognito preset signs in to its source so).
pub fn secret_hash(secret: &str, username: &str, client_id: &str) -> String {
    compute(secret, username, client_id)
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

/// The associated data of a client's sealed secret: it opens only for its
/// own pool and client, so a sealed secret copied to another row fails.
fn record_id(pool_id: &str, client_id: &str) -> String {
    format!("client-secret:{pool_id}:{client_id}")
}

/// The client as the store keeps it: its secret sealed under the master key
/// (crypto.rs, "Secrets at rest"). Every write of a client goes through here.
pub(crate) fn sealed_for_store(key: &MasterKey, client: &UserPoolClient) -> UserPoolClient {
    let mut stored = client.clone();
    stored.client_secret = client
        .client_secret
        .as_deref()
        .map(|secret| key.seal_text(&record_id(&client.user_pool_id, &client.client_id), secret));
    stored
}

/// The client as the store gave it, its secret opened: every read of a
/// client goes through here. A secret stored before sealing reads as it is
/// and is sealed at the client's next update.
pub(crate) fn opened_from_store(
    key: &MasterKey,
    mut client: UserPoolClient,
) -> Result<UserPoolClient> {
    if let Some(stored) = client.client_secret.take() {
        let id = record_id(&client.user_pool_id, &client.client_id);
        client.client_secret = Some(key.open_text(&id, &stored)?.into_inner());
    }
    Ok(client)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_secret_is_sealed_for_its_pool_and_client() {
        let key = MasterKey::generate();
        let config = crate::model::client::UserPoolClientConfig {
            client_name: "app".into(),
            ..Default::default()
        };
        let client =
            UserPoolClient::create("us-east-1_abc", config, true, crate::Timestamp(0)).unwrap();
        let secret = client.client_secret.clone().unwrap();
        let stored = sealed_for_store(&key, &client);
        let doc = serde_json::to_string(&stored).unwrap();
        assert!(!doc.contains(&secret), "{doc}");
        assert_eq!(opened_from_store(&key, stored.clone()).unwrap(), client);
        let mut moved = stored;
        moved.client_id = "another".into();
        assert!(opened_from_store(&key, moved).is_err());
        // A row written before sealing still reads.
        assert_eq!(opened_from_store(&key, client.clone()).unwrap(), client);
    }

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
