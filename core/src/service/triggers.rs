//! Lambda triggers: the events Cognito sends a pool's functions, in
//! Cognito's exact shape (developer guide, "Customizing user pool workflows
//! with Lambda triggers", one page per trigger), and the port they leave
//! through — [`FunctionInvoker`], which the server answers with the AWS
//! Lambda Invoke API or a signed webhook (server/src/lambda.rs).

use std::collections::BTreeMap;
use std::fmt;

use async_trait::async_trait;
use serde_json::{Map, Value, json};

use super::Idp;
use crate::error::{CognitoError, Result};
use crate::model::attributes::AttributeType;
use crate::model::lambda::EventVersion;
use crate::model::{User, UserPool};

/// Why an invocation gave no event back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InvokeError {
    /// The function ran and failed (`X-Amz-Function-Error`): its
    /// `errorMessage`.
    Function(String),
    /// The answer is not JSON, or too large.
    InvalidResponse(String),
    /// Not answered: unreachable, timed out, throttled or refused, after
    /// the retries Cognito makes.
    Unexpected(String),
}

impl fmt::Display for InvokeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Function(m) | Self::InvalidResponse(m) | Self::Unexpected(m) => f.write_str(m),
        }
    }
}

/// Where events go: invokes the function `arn` synchronously with
/// `event` and returns the event it answers.
#[async_trait]
pub trait FunctionInvoker: Send + Sync {
    async fn invoke(&self, arn: &str, event: &Value) -> std::result::Result<Value, InvokeError>;
}

/// The default: no function can be reached (the server configures one).
pub struct NoInvoker;

#[async_trait]
impl FunctionInvoker for NoInvoker {
    async fn invoke(&self, _: &str, _: &Value) -> std::result::Result<Value, InvokeError> {
        Err(InvokeError::Unexpected(
            "no Lambda endpoint is configured".into(),
        ))
    }
}

/// The triggers, by the name Cognito's messages give them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    PreSignUp,
    CustomMessage,
    PostConfirmation,
    PreAuthentication,
    PostAuthentication,
    DefineAuthChallenge,
    CreateAuthChallenge,
    VerifyAuthChallengeResponse,
    PreTokenGeneration,
    UserMigration,
    CustomSmsSender,
    CustomEmailSender,
}

impl Trigger {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PreSignUp => "PreSignUp",
            Self::CustomMessage => "CustomMessage",
            Self::PostConfirmation => "PostConfirmation",
            Self::PreAuthentication => "PreAuthentication",
            Self::PostAuthentication => "PostAuthentication",
            Self::DefineAuthChallenge => "DefineAuthChallenge",
            Self::CreateAuthChallenge => "CreateAuthChallenge",
            Self::VerifyAuthChallengeResponse => "VerifyAuthChallengeResponse",
            Self::PreTokenGeneration => "PreTokenGeneration",
            Self::UserMigration => "UserMigration",
            Self::CustomSmsSender => "CustomSMSSender",
            Self::CustomEmailSender => "CustomEmailSender",
        }
    }

    /// The function the pool configured for this trigger and the event
    /// version it takes (`"1"` but for PreTokenGenerationConfig V2_0/V3_0).
    pub fn function(self, pool: &UserPool) -> Option<(&str, &'static str)> {
        let c = &pool.config.lambda_config;
        fn v1(arn: &Option<String>) -> Option<(&str, &'static str)> {
            arn.as_deref().map(|a| (a, "1"))
        }
        match self {
            Self::PreSignUp => v1(&c.pre_sign_up),
            Self::CustomMessage => v1(&c.custom_message),
            Self::PostConfirmation => v1(&c.post_confirmation),
            Self::PreAuthentication => v1(&c.pre_authentication),
            Self::PostAuthentication => v1(&c.post_authentication),
            Self::DefineAuthChallenge => v1(&c.define_auth_challenge),
            Self::CreateAuthChallenge => v1(&c.create_auth_challenge),
            Self::VerifyAuthChallengeResponse => v1(&c.verify_auth_challenge_response),
            Self::UserMigration => v1(&c.user_migration),
            Self::PreTokenGeneration => c.pre_token_generation().map(|(arn, v)| {
                let version = match v {
                    EventVersion::V1 => "1",
                    EventVersion::V2 => "2",
                    EventVersion::V3 => "3",
                };
                (arn, version)
            }),
            Self::CustomSmsSender => c
                .custom_sms_sender
                .as_ref()
                .map(|f| (f.lambda_arn.as_str(), "1")),
            Self::CustomEmailSender => c
                .custom_email_sender
                .as_ref()
                .map(|f| (f.lambda_arn.as_str(), "1")),
        }
    }

    /// Whether the pool has a function for this trigger.
    pub fn configured(self, pool: &UserPool) -> bool {
        self.function(pool).is_some()
    }
}

/// One event for one trigger: what differs between the events.
pub(crate) struct Invocation<'a> {
    pub trigger: Trigger,
    /// Its `triggerSource`, e.g. `PreSignUp_SignUp`.
    pub source: &'static str,
    pub user_name: &'a str,
    /// The app client of `callerContext`, when the caller named one.
    pub client_id: Option<&'a str>,
    pub request: Value,
    /// The answer's defaults, which the function fills in.
    pub response: Value,
}

/// Attributes as the events carry them: a JSON object of name → value.
pub fn attribute_map<'a>(attributes: impl IntoIterator<Item = &'a AttributeType>) -> Value {
    let map: Map<String, Value> = attributes
        .into_iter()
        .map(|a| (a.name.clone(), Value::String(a.value.clone())))
        .collect();
    Value::Object(map)
}

/// A user's attributes in an event: `sub` first, then the rest, and
/// `cognito:user_status` as Cognito adds it.
pub fn user_attributes(user: &User) -> Value {
    let mut map = attribute_map(&user.attributes_with_sub());
    if let Value::Object(m) = &mut map {
        m.insert(
            "cognito:user_status".into(),
            Value::String(user.status.as_str().into()),
        );
    }
    map
}

/// `clientMetadata`, as the caller sent it (an empty object when none).
pub fn metadata(m: &BTreeMap<String, String>) -> Value {
    json!(m)
}

impl Idp {
    /// Runs the pool's function for `call.trigger`; the function's
    /// `response` object, or None when the pool has no function for it.
    /// Errors are Cognito's: UserLambdaValidationException with the
    /// function's message, InvalidLambdaResponseException,
    /// UnexpectedLambdaException.
    pub(crate) async fn run_trigger(
        &self,
        pool: &UserPool,
        call: Invocation<'_>,
    ) -> Result<Option<Map<String, Value>>> {
        let Some(answer) = self.invoke_trigger(pool, call).await? else {
            return Ok(None);
        };
        match answer.get("response") {
            Some(Value::Object(r)) => Ok(Some(r.clone())),
            // A function that returns its event without touching
            // `response` answers `null` there in some runtimes.
            Some(Value::Null) | None if answer.is_object() => Ok(Some(Map::new())),
            _ => Err(invalid_response()),
        }
    }

    /// Invokes the pool's function for `call.trigger` and returns its
    /// answer as it came, unread (None when the pool has no function for
    /// it): for the triggers whose answer Cognito ignores, the custom
    /// senders. Errors as [`Idp::run_trigger`]'s.
    pub(crate) async fn invoke_trigger(
        &self,
        pool: &UserPool,
        call: Invocation<'_>,
    ) -> Result<Option<Value>> {
        let Some((arn, version)) = call.trigger.function(pool) else {
            return Ok(None);
        };
        let event = json!({
            "version": version,
            "triggerSource": call.source,
            "region": self.settings.region,
            "userPoolId": pool.id,
            "userName": call.user_name,
            "callerContext": {
                "awsSdkVersion": "aws-sdk-unknown-unknown",
                "clientId": call.client_id.unwrap_or("CLIENT_ID_NOT_APPLICABLE"),
            },
            "request": call.request,
            "response": call.response,
        });
        let name = call.trigger.as_str();
        let answer = self.functions.invoke(arn, &event).await.map_err(|e| {
            tracing::info!(pool = %pool.id, trigger = name, error = %e, "trigger failed");
            match e {
                // Cognito's wording, e.g. "PreSignUp failed with error
                // Email domain not allowed."
                InvokeError::Function(m) => {
                    CognitoError::UserLambdaValidation(format!("{name} failed with error {m}."))
                }
                InvokeError::InvalidResponse(_) => invalid_response(),
                InvokeError::Unexpected(m) => CognitoError::UnexpectedLambda(format!(
                    "{name} invocation failed due to error {m}."
                )),
            }
        })?;
        Ok(Some(answer))
    }
}

/// Cognito's answer to a function whose output is not an event.
pub(crate) fn invalid_response() -> CognitoError {
    CognitoError::InvalidLambdaResponse("Unrecognizable lambda output".into())
}

/// A boolean of a function's `response`; anything but `true` is false, and
/// a wrong type is an unrecognizable answer.
pub(crate) fn flag(response: &Map<String, Value>, name: &str) -> Result<bool> {
    match response.get(name) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(invalid_response()),
    }
}
