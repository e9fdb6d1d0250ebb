//! Delegation to a configured STS (`sts_endpoint`): AWS STS once
//! Cognate's identity issuer is registered as an IAM OIDC provider, or any
//! server speaking STS (MinIO, SeaweedFS, LocalStack, moto). The adapter of
//! core's `sts::StsPort`: AssumeRoleWithWebIdentity through aws-sdk-sts
//! (an unsigned call, as the STS model says), with a deadline and bounded
//! retries; STS's answer is returned as it came, in Cognito's shape.

use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_sts::config::retry::RetryConfig;
use aws_sdk_sts::config::timeout::TimeoutConfig;
use aws_sdk_sts::config::{BehaviorVersion, Region};
use aws_sdk_sts::error::ProvideErrorMetadata;
use cognate_core::clock::Timestamp;
use cognate_core::crypto::SecretString;
use cognate_core::service::sts::{AssumeRoleRequest, AwsCredentials, StsError, StsPort};

/// One STS attempt, connection included.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(3);
/// All attempts of one call.
const DEADLINE: Duration = Duration::from_secs(8);
const ATTEMPTS: u32 = 3;

pub struct RemoteSts {
    client: aws_sdk_sts::Client,
}

impl RemoteSts {
    pub fn new(endpoint: &str, region: &str) -> Self {
        let config = aws_sdk_sts::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(region.to_owned()))
            .endpoint_url(endpoint)
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(ATTEMPT_TIMEOUT)
                    .operation_attempt_timeout(ATTEMPT_TIMEOUT)
                    .operation_timeout(DEADLINE)
                    .build(),
            )
            .retry_config(RetryConfig::standard().with_max_attempts(ATTEMPTS))
            .allow_no_auth()
            .build();
        Self {
            client: aws_sdk_sts::Client::from_conf(config),
        }
    }
}

/// The code STS answered, one of its own (never its message, which the
/// caller does not see).
fn code_of(code: Option<&str>) -> &'static str {
    const KNOWN: [&str; 7] = [
        "AccessDenied",
        "InvalidIdentityToken",
        "ExpiredTokenException",
        "IDPRejectedClaim",
        "IDPCommunicationError",
        "MalformedPolicyDocument",
        "ValidationError",
    ];
    code.and_then(|c| KNOWN.iter().find(|k| **k == c).copied())
        .unwrap_or("ServiceUnavailable")
}

#[async_trait]
impl StsPort for RemoteSts {
    async fn assume_role_with_web_identity(
        &self,
        r: &AssumeRoleRequest,
    ) -> Result<AwsCredentials, StsError> {
        let mut call = self
            .client
            .assume_role_with_web_identity()
            .role_arn(&r.role_arn)
            .role_session_name(&r.role_session_name)
            .web_identity_token(r.web_identity_token.expose());
        if let Some(d) = r.duration_seconds {
            call = call.duration_seconds(d as i32);
        }
        let out = call.send().await.map_err(|e| {
            let code = code_of(e.code());
            tracing::warn!(code, error = %aws_sdk_sts::error::DisplayErrorContext(&e), "STS AssumeRoleWithWebIdentity failed");
            StsError::new(code, 400, format!("STS answered {code}"))
        })?;
        let c = out
            .credentials
            .ok_or_else(|| StsError::new("ServiceUnavailable", 502, "STS sent no credentials"))?;
        Ok(AwsCredentials {
            access_key_id: c.access_key_id,
            secret_access_key: SecretString::new(c.secret_access_key),
            session_token: SecretString::new(c.session_token),
            expiration: Timestamp(c.expiration.secs() * 1000),
        })
    }
}
