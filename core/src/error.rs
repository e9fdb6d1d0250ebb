//! Errors named after Cognito's exceptions, because that is the contract
//! clients code against. Each face renders them in its own protocol.

use std::fmt;

pub type Result<T, E = CognitoError> = std::result::Result<T, E>;

macro_rules! cognito_errors {
    ($($variant:ident => $wire:literal, $status:literal;)*) => {
        /// A Cognito exception: its wire name comes from [`CognitoError::wire_name`],
        /// its message is safe to show to the caller.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum CognitoError {
            $($variant(String),)*
        }

        impl CognitoError {
            /// The name the SDKs match on, e.g. `NotAuthorizedException`.
            pub fn wire_name(&self) -> &'static str {
                match self { $(Self::$variant(_) => $wire,)* }
            }

            /// The HTTP status Cognito answers with.
            pub fn http_status(&self) -> u16 {
                match self { $(Self::$variant(_) => $status,)* }
            }

            pub fn message(&self) -> &str {
                match self { $(Self::$variant(m) => m,)* }
            }
        }
    };
}

cognito_errors! {
    AliasExists => "AliasExistsException", 400;
    CodeDeliveryFailure => "CodeDeliveryFailureException", 400;
    CodeMismatch => "CodeMismatchException", 400;
    ConcurrentModification => "ConcurrentModificationException", 400;
    DeveloperUserAlreadyRegistered => "DeveloperUserAlreadyRegisteredException", 400;
    DuplicateProvider => "DuplicateProviderException", 400;
    ExternalService => "ExternalServiceException", 400;
    EnableSoftwareTokenMfa => "EnableSoftwareTokenMFAException", 400;
    ExpiredCode => "ExpiredCodeException", 400;
    FeatureUnavailableInTier => "FeatureUnavailableInTierException", 400;
    GroupExists => "GroupExistsException", 400;
    InternalError => "InternalErrorException", 500;
    InvalidParameter => "InvalidParameterException", 400;
    InvalidLambdaResponse => "InvalidLambdaResponseException", 400;
    InvalidPassword => "InvalidPasswordException", 400;
    InvalidOAuthFlow => "InvalidOAuthFlowException", 400;
    InvalidIdentityPoolConfiguration => "InvalidIdentityPoolConfigurationException", 400;
    InvalidUserPoolConfiguration => "InvalidUserPoolConfigurationException", 400;
    LimitExceeded => "LimitExceededException", 400;
    MfaMethodNotFound => "MFAMethodNotFoundException", 400;
    NotAuthorized => "NotAuthorizedException", 400;
    OperationNotEnabled => "OperationNotEnabledException", 400;
    PasswordResetRequired => "PasswordResetRequiredException", 400;
    RefreshTokenReuse => "RefreshTokenReuseException", 400;
    ResourceConflict => "ResourceConflictException", 400;
    ResourceNotFound => "ResourceNotFoundException", 400;
    ScopeDoesNotExist => "ScopeDoesNotExistException", 400;
    SoftwareTokenMfaNotFound => "SoftwareTokenMFANotFoundException", 400;
    TierChangeNotAllowed => "TierChangeNotAllowedException", 400;
    TooManyFailedAttempts => "TooManyFailedAttemptsException", 400;
    TooManyRequests => "TooManyRequestsException", 400;
    Unauthorized => "UnauthorizedException", 400;
    UnexpectedLambda => "UnexpectedLambdaException", 400;
    UnsupportedOperation => "UnsupportedOperationException", 400;
    UnsupportedTokenType => "UnsupportedTokenTypeException", 400;
    UnsupportedUserState => "UnsupportedUserStateException", 400;
    UserLambdaValidation => "UserLambdaValidationException", 400;
    UserNotConfirmed => "UserNotConfirmedException", 400;
    UserNotFound => "UserNotFoundException", 400;
    UsernameExists => "UsernameExistsException", 400;
    WebAuthnChallengeNotFound => "WebAuthnChallengeNotFoundException", 400;
    WebAuthnClientMismatch => "WebAuthnClientMismatchException", 400;
    WebAuthnConfigurationMissing => "WebAuthnConfigurationMissingException", 400;
    WebAuthnCredentialNotSupported => "WebAuthnCredentialNotSupportedException", 400;
    WebAuthnNotEnabled => "WebAuthnNotEnabledException", 400;
    WebAuthnOriginNotAllowed => "WebAuthnOriginNotAllowedException", 400;
    WebAuthnRelyingPartyMismatch => "WebAuthnRelyingPartyMismatchException", 400;
}

impl CognitoError {
    pub fn invalid_parameter(msg: impl Into<String>) -> Self {
        Self::InvalidParameter(msg.into())
    }

    /// A fault of ours, not the caller's: the cause is logged, the caller
    /// gets a generic message.
    pub fn internal(cause: impl fmt::Display) -> Self {
        tracing::error!(%cause, "internal error");
        Self::InternalError("An internal error occurred.".into())
    }
}

impl fmt::Display for CognitoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.wire_name(), self.message())
    }
}

impl std::error::Error for CognitoError {}
