//! The custom senders' codes are encrypted here, answering core's
//! `custom_senders::CodeEncryptor` as Cognito does (developer guide,
//! "Custom sender Lambda triggers"): an AWS Encryption SDK message whose
//! data key KMS generates under the pool's KMSKeyID, through the official
//! AWS Encryption SDK for Rust (aws-esdk) and its KMS keyring, with an
//! aws-sdk-kms client at `kms_endpoint` — AWS's regional endpoint by
//! default, or any server speaking the KMS API (LocalStack, moto).
//!
//! The message is format 2 with the default, key-committing and signed,
//! algorithm suite, which every AWS Encryption SDK (Python, JavaScript,
//! Java, ...) decrypts under either commitment policy the developer
//! guide's examples use.
//!
//! aws-esdk calls KMS synchronously underneath, blocking its thread, so
//! each encryption runs on the blocking pool under an overall deadline;
//! the KMS client bounds each attempt and retries a failed one twice.

use std::collections::HashMap;
use std::time::Duration;

use async_trait::async_trait;
use aws_esdk::client as esdk_client;
use aws_esdk::material_providers::client as mpl_client;
use aws_esdk::material_providers::types::material_providers_config::MaterialProvidersConfig;
use aws_esdk::types::aws_encryption_sdk_config::AwsEncryptionSdkConfig;
use aws_sdk_kms::config::retry::RetryConfig;
use aws_sdk_kms::config::timeout::TimeoutConfig;
use aws_sdk_kms::config::{BehaviorVersion, Credentials, Region};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use cognate_core::crypto::SecretString;
use cognate_core::service::custom_senders::{CodeEncryptor, EncryptError};

use crate::config::Config;

/// One KMS attempt, connection included.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(2);
/// Attempts of one KMS call, the first included.
const ATTEMPTS: u32 = 3;
/// All attempts of one KMS call, backoff included.
const KMS_DEADLINE: Duration = Duration::from_secs(7);
/// One whole encryption: the KMS call and the message around it.
const DEADLINE: Duration = Duration::from_secs(8);

/// KMS's errors, by their wire names, as the AWS Encryption SDK reports
/// them: the cause a caller is told (never the KMS message itself).
const KMS_ERRORS: [&str; 12] = [
    "AccessDeniedException",
    "DependencyTimeoutException",
    "DisabledException",
    "IncorrectKeyException",
    "InvalidGrantTokenException",
    "InvalidKeyUsageException",
    "KeyUnavailableException",
    "KMSInternalException",
    "KMSInvalidStateException",
    "NotFoundException",
    "ThrottlingException",
    "UnrecognizedClientException",
];

/// Encrypts with KMS keyrings through one KMS client.
pub struct Kms {
    client: aws_sdk_kms::Client,
}

impl Kms {
    pub fn new(config: &Config) -> Self {
        let region = config
            .kms_region
            .clone()
            .unwrap_or_else(|| config.region.clone());
        let mut builder = aws_sdk_kms::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(region))
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(ATTEMPT_TIMEOUT)
                    .operation_attempt_timeout(ATTEMPT_TIMEOUT)
                    .operation_timeout(KMS_DEADLINE)
                    .build(),
            )
            .retry_config(
                RetryConfig::standard()
                    .with_max_attempts(ATTEMPTS)
                    .with_initial_backoff(Duration::from_millis(200)),
            );
        if let Some(url) = &config.kms_endpoint {
            builder = builder.endpoint_url(url);
        }
        builder = match (&config.kms_access_key_id, &config.kms_secret_access_key) {
            (Some(id), Some(secret)) => builder.credentials_provider(Credentials::new(
                id,
                secret.expose(),
                None,
                None,
                "cognate-config",
            )),
            // A local KMS does not check signatures.
            _ => builder.allow_no_auth(),
        };
        Self {
            client: aws_sdk_kms::Client::from_conf(builder.build()),
        }
    }
}

#[async_trait]
impl CodeEncryptor for Kms {
    async fn encrypt(
        &self,
        key_id: &str,
        context: &[(&str, &str)],
        code: &str,
    ) -> Result<String, EncryptError> {
        let kms = self.client.clone();
        let key_id = key_id.to_owned();
        let context: HashMap<String, String> = context
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let code = SecretString::new(code);
        let runtime = tokio::runtime::Handle::current();
        let work = tokio::task::spawn_blocking(move || {
            runtime.block_on(seal(kms, &key_id, context, &code))
        });
        match tokio::time::timeout(DEADLINE, work).await {
            Ok(Ok(sealed)) => sealed,
            Ok(Err(e)) => Err(EncryptError(format!("the encryption stopped: {e}"))),
            Err(_) => Err(EncryptError("KMS timeout".into())),
        }
    }
}

/// The AWS Encryption SDK message of `code` under `key_id`, base64.
async fn seal(
    kms: aws_sdk_kms::Client,
    key_id: &str,
    context: HashMap<String, String>,
    code: &SecretString,
) -> Result<String, EncryptError> {
    let esdk = AwsEncryptionSdkConfig::builder()
        .build()
        .map_err(|e| failed("the AWS Encryption SDK", e))
        .and_then(|c| {
            esdk_client::Client::from_conf(c).map_err(|e| failed("the AWS Encryption SDK", e))
        })?;
    let mpl = MaterialProvidersConfig::builder()
        .build()
        .map_err(|e| failed("the keyring", e))
        .and_then(|c| mpl_client::Client::from_conf(c).map_err(|e| failed("the keyring", e)))?;
    let keyring = mpl
        .create_aws_kms_keyring()
        .kms_key_id(key_id)
        .kms_client(kms)
        .send()
        .await
        .map_err(|e| failed("the keyring", e))?;
    let sealed = esdk
        .encrypt()
        .plaintext(code.expose().as_bytes())
        .keyring(keyring)
        .encryption_context(context)
        .send()
        .await
        .map_err(|e| failed("KMS", e))?;
    let ciphertext = sealed
        .ciphertext
        .ok_or_else(|| EncryptError("the AWS Encryption SDK gave no message".into()))?;
    Ok(B64.encode(ciphertext.as_ref()))
}

/// A failure of `what`, named by its cause: a KMS error's wire name, or
/// KMS unreachable or late. The whole error is logged at debug level (it
/// holds the encryption context, never the code).
fn failed(what: &str, error: impl std::fmt::Debug) -> EncryptError {
    let detail = format!("{error:?}");
    tracing::debug!(%detail, "{what} failed");
    EncryptError(cause(what, &detail))
}

fn cause(what: &str, detail: &str) -> String {
    let lower = detail.to_ascii_lowercase();
    if let Some(name) = KMS_ERRORS
        .iter()
        .find(|n| lower.contains(&n.to_ascii_lowercase()))
    {
        return format!("KMS {name}");
    }
    if lower.contains("timeout") {
        return "KMS timeout".into();
    }
    if lower.contains("dispatchfailure") || lower.contains("dispatch failure") {
        return "KMS unreachable".into();
    }
    format!("{what} failed")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn causes_are_named_by_kms_wire_names_or_reachability() {
        assert_eq!(
            cause(
                "KMS",
                "ComAmazonawsKms { error: KMSInvalidStateException { message: \"x\" } }"
            ),
            "KMS KMSInvalidStateException"
        );
        assert_eq!(
            cause("KMS", "Opaque { DispatchFailure(ConnectorError) }"),
            "KMS unreachable"
        );
        assert_eq!(
            cause("KMS", "TimeoutError(OperationAttempt)"),
            "KMS timeout"
        );
        assert_eq!(cause("the keyring", "something else"), "the keyring failed");
    }
}
