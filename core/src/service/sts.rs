//! STS for identity pools. `StsPort` is what GetCredentialsForIdentity
//! needs ("assume this role with this web identity token"); by default
//! Cognate answers it itself — the built-in STS below, which the STS face
//! (`server/src/sts/`) serves too — or an adapter calls a real STS.
//!
//! The built-in STS trusts only the identity issuer's OpenID tokens, and a
//! role only as IAM trust policies for Cognito usually read: the token's
//! identity pool (`aud`) must name the role (its roles, its rules' roles,
//! or any role when it maps roles from tokens), and an unauthenticated
//! token gets only the pool's unauthenticated role. Credentials it mints
//! are kept with their secret sealed under the master key; they prove who
//! the caller is to GetCallerIdentity, and grant nothing on Cognate's own
//! administrative API.

use std::fmt;

use async_trait::async_trait;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::Idp;
use crate::clock::Timestamp;
use crate::crypto::{SecretString, constant_time_eq, random_bytes};
use crate::error::{CognitoError, Result};
use crate::model::identity_pool::parse_role_arn;
use crate::store::StsCredential;
use crate::tokens::TokenError;

/// Temporary AWS credentials.
#[derive(Clone)]
pub struct AwsCredentials {
    pub access_key_id: String,
    pub secret_access_key: SecretString,
    pub session_token: SecretString,
    pub expiration: Timestamp,
}

impl fmt::Debug for AwsCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AwsCredentials")
            .field("access_key_id", &self.access_key_id)
            .field("expiration", &self.expiration)
            .finish_non_exhaustive()
    }
}

/// AssumeRoleWithWebIdentity's input.
#[derive(Debug)]
pub struct AssumeRoleRequest {
    pub role_arn: String,
    pub role_session_name: String,
    pub web_identity_token: SecretString,
    pub duration_seconds: Option<i64>,
}

/// AssumeRoleWithWebIdentity's answer.
#[derive(Debug)]
pub struct AssumedRole {
    pub credentials: AwsCredentials,
    pub assumed_role_arn: String,
    pub assumed_role_id: String,
    pub subject: String,
    pub audience: String,
    pub provider: String,
}

/// An STS error, named as STS names it (Code in its XML error).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StsError {
    pub code: &'static str,
    pub message: String,
    pub status: u16,
}

impl StsError {
    pub fn new(code: &'static str, status: u16, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            status,
        }
    }
    pub fn validation(message: impl Into<String>) -> Self {
        Self::new("ValidationError", 400, message)
    }
    pub fn access_denied(message: impl Into<String>) -> Self {
        Self::new("AccessDenied", 403, message)
    }
    pub fn invalid_token(message: impl Into<String>) -> Self {
        Self::new("InvalidIdentityToken", 400, message)
    }
}

impl From<CognitoError> for StsError {
    fn from(e: CognitoError) -> Self {
        Self::new("InternalFailure", 500, e.message().to_owned())
    }
}

/// The port: where GetCredentialsForIdentity gets its credentials.
#[async_trait]
pub trait StsPort: Send + Sync {
    async fn assume_role_with_web_identity(
        &self,
        request: &AssumeRoleRequest,
    ) -> std::result::Result<AwsCredentials, StsError>;
}

/// What Cognate keeps about credentials it minted.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct MintedSession {
    pub role_arn: String,
    pub session_name: String,
    pub assumed_role_arn: String,
    pub assumed_role_id: String,
    pub account: String,
    pub subject: String,
    pub audience: String,
    #[serde(default)]
    pub tags: Value,
}

/// The caller GetCallerIdentity names.
#[derive(Clone, Debug)]
pub struct Caller {
    pub secret: SecretString,
    pub session: MintedSession,
}

fn sts_record_id(access_key_id: &str) -> String {
    format!("sts:{access_key_id}")
}

const BASE32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

fn base32(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| BASE32[(*b as usize) % 32] as char)
        .collect()
}

/// STS API: RoleSessionName `[\w+=,.@-]*`, 2–64.
fn check_session_name(name: &str) -> std::result::Result<(), StsError> {
    let ok = |c: char| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c);
    if !(2..=64).contains(&name.len()) || !name.chars().all(ok) {
        return Err(StsError::validation(format!(
            "1 validation error detected: Value '{name}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*"
        )));
    }
    Ok(())
}

impl Idp {
    /// Credentials for a role, from the configured STS or the built-in one.
    pub(crate) async fn obtain_credentials(
        &self,
        request: &AssumeRoleRequest,
    ) -> std::result::Result<AwsCredentials, StsError> {
        match &self.sts {
            Some(remote) => remote.assume_role_with_web_identity(request).await,
            None => Ok(self
                .assume_role_with_web_identity(request)
                .await?
                .credentials),
        }
    }

    /// The built-in STS: AssumeRoleWithWebIdentity.
    pub async fn assume_role_with_web_identity(
        &self,
        r: &AssumeRoleRequest,
    ) -> std::result::Result<AssumedRole, StsError> {
        check_session_name(&r.role_session_name)?;
        let duration = r.duration_seconds.unwrap_or(3600);
        if !(900..=43_200).contains(&duration) {
            return Err(StsError::validation(format!(
                "1 validation error detected: Value '{duration}' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200"
            )));
        }
        let Some((account, role_name)) = parse_role_arn(&r.role_arn) else {
            return Err(StsError::validation(format!(
                "Invalid RoleArn '{}': expected arn:aws:iam::<account>:role/<name>.",
                r.role_arn
            )));
        };
        let claims = self
            .verify_open_id_token(r.web_identity_token.expose())
            .await
            .map_err(|e| match e {
                TokenError::Expired => StsError::new(
                    "ExpiredTokenException",
                    400,
                    "Token expired: current date/time is after the token's exp.",
                ),
                _ => StsError::invalid_token("Couldn't verify the signed web identity token."),
            })?;
        let text = |k: &str| claims.get(k).and_then(Value::as_str).unwrap_or_default();
        let (aud, sub) = (text("aud").to_owned(), text("sub").to_owned());
        let amr: Vec<&str> = claims
            .get("amr")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let denied =
            || StsError::access_denied("Not authorized to perform sts:AssumeRoleWithWebIdentity");
        let pool = match self.store.get_identity_pool(&aud).await {
            Ok(Some(p)) => p,
            Ok(None) => return Err(denied()),
            Err(e) => return Err(e.into()),
        };
        let unauthenticated = amr.contains(&"unauthenticated");
        let trusted = if unauthenticated {
            pool.roles.get("unauthenticated") == Some(&r.role_arn)
        } else {
            pool.roles.get("authenticated") == Some(&r.role_arn)
                || pool.role_mappings.values().any(|m| {
                    m.kind == "Token"
                        || m.rules_configuration
                            .as_ref()
                            .is_some_and(|c| c.rules.iter().any(|rule| rule.role_arn == r.role_arn))
                })
        };
        if !trusted {
            return Err(denied());
        }

        let access_key_id = format!("ASIA{}", base32(&random_bytes::<16>()));
        let secret = B64.encode(random_bytes::<30>());
        let token = format!("IQoJ{}", B64.encode(random_bytes::<96>()));
        let expiration = self.clock.now().plus_seconds(duration);
        let assumed_role_id = format!(
            "AROA{}:{}",
            base32(&random_bytes::<17>()),
            r.role_session_name
        );
        let session = MintedSession {
            role_arn: r.role_arn.clone(),
            session_name: r.role_session_name.clone(),
            assumed_role_arn: format!(
                "arn:aws:sts::{account}:assumed-role/{role_name}/{}",
                r.role_session_name
            ),
            assumed_role_id,
            account: account.to_owned(),
            subject: sub.clone(),
            audience: aud.clone(),
            tags: claims
                .get(super::identity_issuer::TAGS_CLAIM)
                .cloned()
                .unwrap_or(Value::Null),
        };
        let record = StsCredential {
            access_key_id: access_key_id.clone(),
            sealed_secret: self
                .master_key
                .seal(&sts_record_id(&access_key_id), secret.as_bytes()),
            session_token_mac: self
                .master_key
                .mac("sts-session", token.as_bytes())
                .to_vec(),
            doc: serde_json::to_string(&session).map_err(CognitoError::internal)?,
            expires: expiration,
        };
        self.store.put_sts_credential(&record).await?;
        Ok(AssumedRole {
            credentials: AwsCredentials {
                access_key_id,
                secret_access_key: SecretString::new(secret),
                session_token: SecretString::new(token),
                expiration,
            },
            assumed_role_arn: session.assumed_role_arn,
            assumed_role_id: session.assumed_role_id,
            subject: sub,
            audience: aud,
            provider: self.identity_issuer(),
        })
    }

    /// Drops minted credentials that have expired (housekeeping).
    pub async fn purge_expired_sts_credentials(&self) -> Result<u64> {
        self.store.purge_sts_credentials(self.clock.now()).await
    }

    /// The minted credentials of an access key id and its session token:
    /// None for an unknown or expired key or a wrong session token. The
    /// caller checks the request's signature with the returned secret.
    pub async fn sts_caller(
        &self,
        access_key_id: &str,
        session_token: &str,
    ) -> Result<Option<Caller>> {
        if access_key_id.len() > 128 {
            return Ok(None);
        }
        let Some(record) = self.store.get_sts_credential(access_key_id).await? else {
            return Ok(None);
        };
        if self.clock.now() >= record.expires {
            return Ok(None);
        }
        let mac = self.master_key.mac("sts-session", session_token.as_bytes());
        if !constant_time_eq(&mac, &record.session_token_mac) {
            return Ok(None);
        }
        let secret = self
            .master_key
            .open(&sts_record_id(access_key_id), &record.sealed_secret)?;
        let secret = String::from_utf8(secret).map_err(CognitoError::internal)?;
        let session: MintedSession =
            serde_json::from_str(&record.doc).map_err(CognitoError::internal)?;
        Ok(Some(Caller {
            secret: SecretString::new(secret),
            session,
        }))
    }
}
