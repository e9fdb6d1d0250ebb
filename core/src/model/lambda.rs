//! A pool's Lambda triggers: Cognito's LambdaConfigType, each trigger the
//! ARN of the function Cognito invokes at that point (Cognito API:
//! LambdaConfigType). Invocation is in `service/triggers.rs`.

use serde::{Deserialize, Serialize};

use crate::error::{CognitoError, Result};

/// Cognito API: LambdaConfigType.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LambdaConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pre_sign_up: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_confirmation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pre_authentication: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_authentication: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub define_auth_challenge: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_auth_challenge: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify_auth_challenge_response: Option<String>,
    /// The V1_0 pre token generation function (legacy form of
    /// `pre_token_generation_config`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pre_token_generation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pre_token_generation_config: Option<VersionedFunction>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_migration: Option<String>,
    #[serde(
        rename = "CustomSMSSender",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub custom_sms_sender: Option<VersionedFunction>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_email_sender: Option<VersionedFunction>,
    /// The KMS key the custom senders' codes are encrypted with.
    #[serde(rename = "KMSKeyID", default, skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inbound_federation: Option<VersionedFunction>,
}

/// Cognito API: PreTokenGenerationVersionConfigType,
/// CustomSMSLambdaVersionConfigType, CustomEmailLambdaVersionConfigType,
/// InboundFederationLambdaType.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct VersionedFunction {
    pub lambda_version: String,
    pub lambda_arn: String,
}

/// Which version of an event a function takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum EventVersion {
    V1,
    V2,
    V3,
}

impl LambdaConfig {
    /// Cognito API: LambdaConfigType — every ARN well formed, every
    /// version one its trigger knows, KMSKeyID with the custom senders.
    pub fn validate(&self) -> Result<()> {
        let plain = [
            ("PreSignUp", &self.pre_sign_up),
            ("CustomMessage", &self.custom_message),
            ("PostConfirmation", &self.post_confirmation),
            ("PreAuthentication", &self.pre_authentication),
            ("PostAuthentication", &self.post_authentication),
            ("DefineAuthChallenge", &self.define_auth_challenge),
            ("CreateAuthChallenge", &self.create_auth_challenge),
            (
                "VerifyAuthChallengeResponse",
                &self.verify_auth_challenge_response,
            ),
            ("PreTokenGeneration", &self.pre_token_generation),
            ("UserMigration", &self.user_migration),
        ];
        for (name, arn) in plain {
            if let Some(arn) = arn {
                check_arn(name, arn)?;
            }
        }
        let versioned = [
            (
                "PreTokenGenerationConfig",
                &self.pre_token_generation_config,
                &["V1_0", "V2_0", "V3_0"][..],
            ),
            ("CustomSMSSender", &self.custom_sms_sender, &["V1_0"][..]),
            (
                "CustomEmailSender",
                &self.custom_email_sender,
                &["V1_0"][..],
            ),
            ("InboundFederation", &self.inbound_federation, &["V1_0"][..]),
        ];
        for (name, function, versions) in versioned {
            let Some(f) = function else { continue };
            check_arn(&format!("{name}.LambdaArn"), &f.lambda_arn)?;
            if !versions.contains(&f.lambda_version.as_str()) {
                return Err(CognitoError::invalid_parameter(format!(
                    "1 validation error detected: Value '{}' at 'lambdaConfig.{}.lambdaVersion' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
                    f.lambda_version,
                    lower_first(name),
                    versions.join(", ")
                )));
            }
        }
        if let (Some(v1), Some(config)) = (
            &self.pre_token_generation,
            &self.pre_token_generation_config,
        ) && *v1 != config.lambda_arn
        {
            // Cognito API: LambdaConfigType, PreTokenGeneration — the two
            // name one function.
            return Err(CognitoError::invalid_parameter(
                "PreTokenGeneration and PreTokenGenerationConfig.LambdaArn must be the same function.",
            ));
        }
        let senders = self.custom_sms_sender.is_some() || self.custom_email_sender.is_some();
        match &self.kms_key_id {
            None if senders => Err(CognitoError::invalid_parameter(
                "KMSKeyID is required when CustomSMSSender or CustomEmailSender is set.",
            )),
            Some(key) if !key.starts_with("arn:") || key.len() > 2048 => {
                Err(CognitoError::invalid_parameter(format!(
                    "Invalid KMSKeyID: {key} is not a KMS key ARN."
                )))
            }
            _ => Ok(()),
        }
    }

    /// The pre token generation function and the event version it takes:
    /// PreTokenGenerationConfig wins over the legacy PreTokenGeneration
    /// (V1_0).
    pub fn pre_token_generation(&self) -> Option<(&str, EventVersion)> {
        if let Some(f) = &self.pre_token_generation_config {
            let version = match f.lambda_version.as_str() {
                "V3_0" => EventVersion::V3,
                "V2_0" => EventVersion::V2,
                _ => EventVersion::V1,
            };
            return Some((&f.lambda_arn, version));
        }
        self.pre_token_generation
            .as_deref()
            .map(|arn| (arn, EventVersion::V1))
    }
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_lowercase().chain(c).collect())
        .unwrap_or_default()
}

/// Cognito API: ArnType for a Lambda function —
/// `arn:<partition>:lambda:<region>:<account>:function:<name>[:<qualifier>]`.
fn check_arn(field: &str, arn: &str) -> Result<()> {
    let refuse = || {
        CognitoError::invalid_parameter(format!(
            "1 validation error detected: Value '{arn}' at 'lambdaConfig.{}' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:[\\w+=/,.@-]+:lambda:[\\w+=/,.@-]*:[0-9]+:function:[\\w+=/,.@-]+",
            lower_first(field)
        ))
    };
    if arn.len() < 20 || arn.len() > 2048 {
        return Err(refuse());
    }
    let parts: Vec<&str> = arn.split(':').collect();
    let name_ok = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "_+=/,.@-".contains(c))
    };
    let ok = (7..=8).contains(&parts.len())
        && parts[0] == "arn"
        && name_ok(parts[1])
        && parts[2] == "lambda"
        && parts[3]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !parts[4].is_empty()
        && parts[4].chars().all(|c| c.is_ascii_digit())
        && parts[5] == "function"
        && parts[6..].iter().all(|p| name_ok(p));
    if ok { Ok(()) } else { Err(refuse()) }
}

/// The function's name in an ARN, as the Lambda Invoke API takes it (the
/// whole ARN is also accepted there; the name is what a local runtime such
/// as `sam local start-lambda` knows).
pub fn function_name(arn: &str) -> &str {
    arn.split(':').nth(6).unwrap_or(arn)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARN: &str = "arn:aws:lambda:us-east-1:123456789012:function:pre-sign-up";

    #[test]
    fn arns_are_checked() {
        assert!(check_arn("PreSignUp", ARN).is_ok());
        assert!(check_arn("PreSignUp", &format!("{ARN}:live")).is_ok());
        for bad in [
            "pre-sign-up",
            "arn:aws:s3:us-east-1:123456789012:function:x",
            "arn:aws:lambda:us-east-1:acct:function:x",
            "arn:aws:lambda:us-east-1:123456789012:layer:x",
            "arn:aws:lambda:us-east-1:123456789012:function:",
        ] {
            assert!(check_arn("PreSignUp", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn versions_are_checked_per_trigger() {
        let v = |version: &str| VersionedFunction {
            lambda_version: version.into(),
            lambda_arn: ARN.into(),
        };
        let mut c = LambdaConfig {
            pre_token_generation_config: Some(v("V2_0")),
            ..Default::default()
        };
        assert!(c.validate().is_ok());
        assert_eq!(c.pre_token_generation(), Some((ARN, EventVersion::V2)));
        c.pre_token_generation_config = Some(v("V4_0"));
        assert!(c.validate().is_err());
        let c = LambdaConfig {
            custom_sms_sender: Some(v("V1_0")),
            ..Default::default()
        };
        assert!(c.validate().is_err(), "KMSKeyID is required");
    }

    #[test]
    fn wire_names_are_cognitos() {
        let c: LambdaConfig = serde_json::from_str(&format!(
            r#"{{"PreSignUp":"{ARN}","CustomSMSSender":{{"LambdaVersion":"V1_0","LambdaArn":"{ARN}"}},"KMSKeyID":"arn:aws:kms:us-east-1:123456789012:key/k"}}"#
        ))
        .unwrap();
        assert_eq!(c.pre_sign_up.as_deref(), Some(ARN));
        let back = serde_json::to_value(&c).unwrap();
        assert_eq!(back["CustomSMSSender"]["LambdaVersion"], "V1_0");
        assert_eq!(back["KMSKeyID"], "arn:aws:kms:us-east-1:123456789012:key/k");
        assert_eq!(function_name(ARN), "pre-sign-up");
    }
}
