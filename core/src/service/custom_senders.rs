//! CustomEmailSender and CustomSMSSender: when a pool has one for a
//! channel, every message Cognito would send on it — codes and the
//! AdminCreateUser temporary password — goes to the pool's function
//! instead, the secret encrypted under the pool's KMSKeyID with the AWS
//! Encryption SDK (developer guide, "Custom sender Lambda triggers"). The
//! encryption leaves through the port [`CodeEncryptor`], which the server
//! answers with the AWS Encryption SDK and a KMS keyring (server/src/kms.rs).

use std::fmt;

use async_trait::async_trait;
use serde_json::json;

use super::Idp;
use super::messages::Purpose;
use super::triggers::{Invocation, Trigger, metadata, user_attributes};
use crate::error::{CognitoError, Result};
use crate::model::{User, UserPool};
use crate::store::outbox::Channel;

/// Why a code could not be encrypted: KMS unreachable, timed out or
/// refusing (the key disabled, not found, not ours to use). For logs and
/// the caller's message; never carries the code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncryptError(pub String);

impl fmt::Display for EncryptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Encrypts a custom sender's secret as Cognito does: an AWS Encryption
/// SDK message of `code` whose data key KMS generates under `key_id`,
/// with `context` as its encryption context, base64-encoded — what the
/// function's `decrypt` (any AWS Encryption SDK with a KMS keyring for the
/// same key) opens.
#[async_trait]
pub trait CodeEncryptor: Send + Sync {
    async fn encrypt(
        &self,
        key_id: &str,
        context: &[(&str, &str)],
        code: &str,
    ) -> std::result::Result<String, EncryptError>;
}

/// The default: no KMS can be reached (the server configures one).
pub struct NoEncryptor;

#[async_trait]
impl CodeEncryptor for NoEncryptor {
    async fn encrypt(
        &self,
        _: &str,
        _: &[(&str, &str)],
        _: &str,
    ) -> std::result::Result<String, EncryptError> {
        Err(EncryptError("no KMS endpoint is configured".into()))
    }
}

/// The encryption context Cognito binds each code to: the pool it is for,
/// so a function can refuse a code meant for another pool (observed in
/// the AWS Encryption SDK message header of Cognito's codes; KMS grants
/// for Cognito are scoped by it).
pub const POOL_CONTEXT_KEY: &str = "userpool-id";

/// Each message's CustomMessage `triggerSource`, and what the custom
/// senders call it (developer guide, "Custom email sender Lambda trigger"
/// and "Custom SMS sender Lambda trigger", trigger sources).
/// CustomEmailSender_AccountTakeOverNotification has no counterpart: it
/// belongs to threat protection, which Cognate does not have.
const SOURCES: [(&str, &str, &str); 7] = [
    (
        "CustomMessage_SignUp",
        "CustomEmailSender_SignUp",
        "CustomSMSSender_SignUp",
    ),
    (
        "CustomMessage_ResendCode",
        "CustomEmailSender_ResendCode",
        "CustomSMSSender_ResendCode",
    ),
    (
        "CustomMessage_ForgotPassword",
        "CustomEmailSender_ForgotPassword",
        "CustomSMSSender_ForgotPassword",
    ),
    (
        "CustomMessage_UpdateUserAttribute",
        "CustomEmailSender_UpdateUserAttribute",
        "CustomSMSSender_UpdateUserAttribute",
    ),
    (
        "CustomMessage_VerifyUserAttribute",
        "CustomEmailSender_VerifyUserAttribute",
        "CustomSMSSender_VerifyUserAttribute",
    ),
    (
        "CustomMessage_AdminCreateUser",
        "CustomEmailSender_AdminCreateUser",
        "CustomSMSSender_AdminCreateUser",
    ),
    (
        "CustomMessage_Authentication",
        "CustomEmailSender_Authentication",
        "CustomSMSSender_Authentication",
    ),
];

/// The custom sender of a channel.
pub fn sender_of(channel: Channel) -> Trigger {
    match channel {
        Channel::Email => Trigger::CustomEmailSender,
        Channel::Sms => Trigger::CustomSmsSender,
    }
}

/// The sender's `triggerSource` for a message whose CustomMessage source
/// is `custom_message_source`.
fn sender_source(channel: Channel, custom_message_source: &str) -> Option<&'static str> {
    SOURCES
        .iter()
        .find(|(message, _, _)| *message == custom_message_source)
        .map(|(_, email, sms)| match channel {
            Channel::Email => *email,
            Channel::Sms => *sms,
        })
}

/// The event's `request.type`: the request's version.
fn request_type(channel: Channel) -> &'static str {
    match channel {
        Channel::Email => "customEmailSenderRequestV1",
        Channel::Sms => "customSMSSenderRequestV1",
    }
}

impl Idp {
    /// Whether the pool hands `channel`'s messages to a custom sender.
    pub(crate) fn has_custom_sender(&self, pool: &UserPool, channel: Channel) -> bool {
        sender_of(channel).configured(pool)
    }

    /// Hands one message to the pool's custom sender for `channel`: the
    /// code (or temporary password) encrypted under the pool's KMSKeyID,
    /// then the function invoked with Cognito's event. Nothing is sent
    /// otherwise: the function delivers the message. A failure is
    /// Cognito's Lambda exception, so the caller undoes its write.
    pub(crate) async fn send_through_custom_sender(
        &self,
        pool: &UserPool,
        user: &User,
        channel: Channel,
        purpose: Purpose<'_>,
    ) -> Result<()> {
        let trigger = sender_of(channel);
        let name = trigger.as_str();
        let source = sender_source(channel, purpose.source).ok_or_else(|| {
            CognitoError::internal(format!("no {name} source for {}", purpose.source))
        })?;
        // LambdaConfig validation requires KMSKeyID with a custom sender.
        let key_id = pool
            .config
            .lambda_config
            .kms_key_id
            .as_deref()
            .ok_or_else(|| CognitoError::internal(format!("{name} without a KMSKeyID")))?;
        let code = self
            .code_encryptor
            .encrypt(key_id, &[(POOL_CONTEXT_KEY, &pool.id)], purpose.code)
            .await
            .map_err(|e| {
                tracing::warn!(pool = %pool.id, trigger = name, error = %e, "the code could not be encrypted with KMS");
                // Cognito reports a trigger it could not invoke as
                // UnexpectedLambdaException.
                CognitoError::UnexpectedLambda(format!(
                    "{name} invocation failed due to error {e}."
                ))
            })?;
        let call = Invocation {
            trigger,
            source,
            user_name: &user.username,
            client_id: purpose.client_id,
            // Developer guide, "Custom email sender Lambda trigger
            // parameters" (and the SMS sender's).
            request: json!({
                "type": request_type(channel),
                "code": code,
                "clientMetadata": metadata(purpose.metadata),
                "userAttributes": user_attributes(user),
            }),
            response: json!({}),
        };
        match self.invoke_trigger(pool, call).await {
            // The function's answer carries nothing Cognito reads: any
            // answer, even none, means the message is its to deliver.
            Ok(_) | Err(CognitoError::InvalidLambdaResponse(_)) => {
                tracing::debug!(pool = %pool.id, trigger = name, "message handed to the custom sender");
                Ok(())
            }
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_has_a_sender_source_on_both_channels() {
        for (message, email, sms) in SOURCES {
            let event = message.strip_prefix("CustomMessage_").unwrap();
            assert_eq!(email, format!("CustomEmailSender_{event}"));
            assert_eq!(sms, format!("CustomSMSSender_{event}"));
            assert_eq!(sender_source(Channel::Email, message), Some(email));
            assert_eq!(sender_source(Channel::Sms, message), Some(sms));
        }
        assert_eq!(sender_source(Channel::Email, "PreSignUp_SignUp"), None);
    }

    #[test]
    fn each_channel_has_its_sender_and_request_type() {
        assert_eq!(sender_of(Channel::Email), Trigger::CustomEmailSender);
        assert_eq!(sender_of(Channel::Sms), Trigger::CustomSmsSender);
        assert_eq!(request_type(Channel::Email), "customEmailSenderRequestV1");
        assert_eq!(request_type(Channel::Sms), "customSMSSenderRequestV1");
    }
}
