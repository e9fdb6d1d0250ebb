//! The input members of every action of the user-pool API. Each member
//! the botocore model defines for an action's input is read by its handler
//! or refused here with Cognito's error when it asks for what this server
//! does not do; a member the model does not define is a
//! SerializationException. Nothing is accepted and silently dropped. The
//! integration test `api_model_inputs` holds this table to the model
//! (tests/fixtures/botocore-inputs.json, made by
//! scripts/botocore-inputs.py).
//!
//! Accepted with no effect, as Cognito answers in the same configuration:
//! `AnalyticsMetadata` (no Amazon Pinpoint analytics is sent),
//! `UserContextData` and `ContextData` (threat protection does not
//! evaluate risk here).

use serde_json::Value;

use super::error::ApiError;
use cognate_core::CognitoError;

/// Each action's input members, as the model names them.
const MEMBERS: &[(&str, &[&str])] = &[
    (
        "CreateUserPool",
        &[
            "AccountRecoverySetting",
            "AcrConfiguration",
            "AdminCreateUserConfig",
            "AliasAttributes",
            "AutoVerifiedAttributes",
            "DcrConfiguration",
            "DeletionProtection",
            "DeviceConfiguration",
            "EmailConfiguration",
            "EmailVerificationMessage",
            "EmailVerificationSubject",
            "IssuerConfiguration",
            "KeyConfiguration",
            "LambdaConfig",
            "MfaConfiguration",
            "Policies",
            "PoolName",
            "Schema",
            "SmsAuthenticationMessage",
            "SmsConfiguration",
            "SmsVerificationMessage",
            "UserAttributeUpdateSettings",
            "UserPoolAddOns",
            "UserPoolTags",
            "UserPoolTier",
            "UsernameAttributes",
            "UsernameConfiguration",
            "VerificationMessageTemplate",
        ],
    ),
    ("DescribeUserPool", &["UserPoolId"]),
    (
        "UpdateUserPool",
        &[
            "AccountRecoverySetting",
            "AcrConfiguration",
            "AdminCreateUserConfig",
            "AutoVerifiedAttributes",
            "DcrConfiguration",
            "DeletionProtection",
            "DeviceConfiguration",
            "EmailConfiguration",
            "EmailVerificationMessage",
            "EmailVerificationSubject",
            "IssuerConfiguration",
            "KeyConfiguration",
            "LambdaConfig",
            "MfaConfiguration",
            "Policies",
            "PoolName",
            "SmsAuthenticationMessage",
            "SmsConfiguration",
            "SmsVerificationMessage",
            "UserAttributeUpdateSettings",
            "UserPoolAddOns",
            "UserPoolId",
            "UserPoolTags",
            "UserPoolTier",
            "VerificationMessageTemplate",
        ],
    ),
    ("DeleteUserPool", &["UserPoolId"]),
    ("ListUserPools", &["MaxResults", "NextToken"]),
    (
        "CreateUserPoolClient",
        &[
            "AccessTokenValidity",
            "AllowedOAuthFlows",
            "AllowedOAuthFlowsUserPoolClient",
            "AllowedOAuthScopes",
            "AnalyticsConfiguration",
            "AuthSessionValidity",
            "CallbackURLs",
            "ClientName",
            "ClientSecret",
            "DefaultRedirectURI",
            "EnablePropagateAdditionalUserContextData",
            "EnableTokenRevocation",
            "ExplicitAuthFlows",
            "GenerateSecret",
            "IdTokenValidity",
            "LogoutURLs",
            "PreventUserExistenceErrors",
            "PublishSecretsInAWSSecretsManager",
            "ReadAttributes",
            "RefreshTokenRotation",
            "RefreshTokenValidity",
            "SupportedIdentityProviders",
            "TokenValidityUnits",
            "UserPoolId",
            "WriteAttributes",
        ],
    ),
    ("DescribeUserPoolClient", &["ClientId", "UserPoolId"]),
    (
        "UpdateUserPoolClient",
        &[
            "AccessTokenValidity",
            "AllowedOAuthFlows",
            "AllowedOAuthFlowsUserPoolClient",
            "AllowedOAuthScopes",
            "AnalyticsConfiguration",
            "AuthSessionValidity",
            "CallbackURLs",
            "ClientId",
            "ClientName",
            "DefaultRedirectURI",
            "EnablePropagateAdditionalUserContextData",
            "EnableTokenRevocation",
            "ExplicitAuthFlows",
            "IdTokenValidity",
            "LogoutURLs",
            "PreventUserExistenceErrors",
            "PublishSecretsInAWSSecretsManager",
            "ReadAttributes",
            "RefreshTokenRotation",
            "RefreshTokenValidity",
            "SupportedIdentityProviders",
            "TokenValidityUnits",
            "UserPoolId",
            "WriteAttributes",
        ],
    ),
    ("DeleteUserPoolClient", &["ClientId", "UserPoolId"]),
    (
        "ListUserPoolClients",
        &["ClientType", "MaxResults", "NextToken", "UserPoolId"],
    ),
    (
        "AdminCreateUser",
        &[
            "ClientMetadata",
            "DesiredDeliveryMediums",
            "ForceAliasCreation",
            "MessageAction",
            "TemporaryPassword",
            "UserAttributes",
            "UserPoolId",
            "Username",
            "ValidationData",
        ],
    ),
    ("AdminGetUser", &["UserPoolId", "Username"]),
    ("AdminGetUserAuthFactors", &["UserPoolId", "Username"]),
    ("AdminDeleteUser", &["UserPoolId", "Username"]),
    (
        "AdminUpdateUserAttributes",
        &["ClientMetadata", "UserAttributes", "UserPoolId", "Username"],
    ),
    (
        "AdminDeleteUserAttributes",
        &["UserAttributeNames", "UserPoolId", "Username"],
    ),
    (
        "AdminSetUserPassword",
        &["Password", "Permanent", "UserPoolId", "Username"],
    ),
    ("AdminEnableUser", &["UserPoolId", "Username"]),
    ("AdminDisableUser", &["UserPoolId", "Username"]),
    (
        "AdminConfirmSignUp",
        &["ClientMetadata", "UserPoolId", "Username"],
    ),
    (
        "AdminResetUserPassword",
        &["ClientMetadata", "UserPoolId", "Username"],
    ),
    (
        "ListUsers",
        &[
            "AttributesToGet",
            "Filter",
            "Limit",
            "PaginationToken",
            "UserPoolId",
        ],
    ),
    (
        "CreateGroup",
        &[
            "Description",
            "GroupName",
            "Precedence",
            "RoleArn",
            "UserPoolId",
        ],
    ),
    ("GetGroup", &["GroupName", "UserPoolId"]),
    (
        "UpdateGroup",
        &[
            "Description",
            "GroupName",
            "Precedence",
            "RoleArn",
            "UserPoolId",
        ],
    ),
    ("DeleteGroup", &["GroupName", "UserPoolId"]),
    ("ListGroups", &["Limit", "NextToken", "UserPoolId"]),
    (
        "AdminAddUserToGroup",
        &["GroupName", "UserPoolId", "Username"],
    ),
    (
        "AdminRemoveUserFromGroup",
        &["GroupName", "UserPoolId", "Username"],
    ),
    (
        "AdminListGroupsForUser",
        &["Limit", "NextToken", "UserPoolId", "Username"],
    ),
    (
        "ListUsersInGroup",
        &["GroupName", "Limit", "NextToken", "UserPoolId"],
    ),
    (
        "SignUp",
        &[
            "AnalyticsMetadata",
            "ClientId",
            "ClientMetadata",
            "Password",
            "SecretHash",
            "UserAttributes",
            "UserContextData",
            "Username",
            "ValidationData",
        ],
    ),
    (
        "ConfirmSignUp",
        &[
            "AnalyticsMetadata",
            "ClientId",
            "ClientMetadata",
            "ConfirmationCode",
            "ForceAliasCreation",
            "SecretHash",
            "Session",
            "UserContextData",
            "Username",
        ],
    ),
    (
        "ResendConfirmationCode",
        &[
            "AnalyticsMetadata",
            "ClientId",
            "ClientMetadata",
            "SecretHash",
            "UserContextData",
            "Username",
        ],
    ),
    (
        "ForgotPassword",
        &[
            "AnalyticsMetadata",
            "ClientId",
            "ClientMetadata",
            "SecretHash",
            "UserContextData",
            "Username",
        ],
    ),
    (
        "ConfirmForgotPassword",
        &[
            "AnalyticsMetadata",
            "ClientId",
            "ClientMetadata",
            "ConfirmationCode",
            "Password",
            "SecretHash",
            "UserContextData",
            "Username",
        ],
    ),
    (
        "ChangePassword",
        &["AccessToken", "PreviousPassword", "ProposedPassword"],
    ),
    ("GetUser", &["AccessToken"]),
    ("GetUserAuthFactors", &["AccessToken"]),
    ("StartWebAuthnRegistration", &["AccessToken"]),
    (
        "CompleteWebAuthnRegistration",
        &["AccessToken", "Credential"],
    ),
    (
        "ListWebAuthnCredentials",
        &["AccessToken", "MaxResults", "NextToken"],
    ),
    ("DeleteWebAuthnCredential", &["AccessToken", "CredentialId"]),
    (
        "UpdateUserAttributes",
        &["AccessToken", "ClientMetadata", "UserAttributes"],
    ),
    (
        "DeleteUserAttributes",
        &["AccessToken", "UserAttributeNames"],
    ),
    ("DeleteUser", &["AccessToken"]),
    (
        "GetUserAttributeVerificationCode",
        &["AccessToken", "AttributeName", "ClientMetadata"],
    ),
    (
        "VerifyUserAttribute",
        &["AccessToken", "AttributeName", "Code"],
    ),
    (
        "InitiateAuth",
        &[
            "AnalyticsMetadata",
            "AuthFlow",
            "AuthParameters",
            "ClientId",
            "ClientMetadata",
            "Session",
            "UserContextData",
        ],
    ),
    (
        "RespondToAuthChallenge",
        &[
            "AnalyticsMetadata",
            "ChallengeName",
            "ChallengeResponses",
            "ClientId",
            "ClientMetadata",
            "Session",
            "UserContextData",
        ],
    ),
    (
        "AdminInitiateAuth",
        &[
            "AnalyticsMetadata",
            "AuthFlow",
            "AuthParameters",
            "ClientId",
            "ClientMetadata",
            "ContextData",
            "Session",
            "UserPoolId",
        ],
    ),
    (
        "AdminRespondToAuthChallenge",
        &[
            "AnalyticsMetadata",
            "ChallengeName",
            "ChallengeResponses",
            "ClientId",
            "ClientMetadata",
            "ContextData",
            "Session",
            "UserPoolId",
        ],
    ),
    ("GlobalSignOut", &["AccessToken"]),
    (
        "RevokeToken",
        &[
            "ClientId",
            "ClientSecret",
            "RevokeAssociatedSessions",
            "Token",
        ],
    ),
    (
        "GetTokensFromRefreshToken",
        &[
            "ClientId",
            "ClientMetadata",
            "ClientSecret",
            "DeviceKey",
            "RefreshToken",
        ],
    ),
    ("AdminUserGlobalSignOut", &["UserPoolId", "Username"]),
    (
        "SetUserPoolMfaConfig",
        &[
            "EmailMfaConfiguration",
            "MfaConfiguration",
            "SmsMfaConfiguration",
            "SoftwareTokenMfaConfiguration",
            "UserPoolId",
            "WebAuthnConfiguration",
        ],
    ),
    ("GetUserPoolMfaConfig", &["UserPoolId"]),
    (
        "AdminSetUserMFAPreference",
        &[
            "EmailMfaSettings",
            "SMSMfaSettings",
            "SoftwareTokenMfaSettings",
            "UserPoolId",
            "Username",
            "WebAuthnMfaSettings",
        ],
    ),
    ("AssociateSoftwareToken", &["AccessToken", "Session"]),
    (
        "VerifySoftwareToken",
        &["AccessToken", "FriendlyDeviceName", "Session", "UserCode"],
    ),
    (
        "SetUserMFAPreference",
        &[
            "AccessToken",
            "EmailMfaSettings",
            "SMSMfaSettings",
            "SoftwareTokenMfaSettings",
            "WebAuthnMfaSettings",
        ],
    ),
    ("AdminDeleteSoftwareToken", &["UserPoolId", "Username"]),
    ("SetUserSettings", &["AccessToken", "MFAOptions"]),
    (
        "AdminSetUserSettings",
        &["MFAOptions", "UserPoolId", "Username"],
    ),
    (
        "CreateResourceServer",
        &["Identifier", "Name", "Scopes", "UserPoolId"],
    ),
    ("DescribeResourceServer", &["Identifier", "UserPoolId"]),
    (
        "UpdateResourceServer",
        &["Identifier", "Name", "Scopes", "UserPoolId"],
    ),
    ("DeleteResourceServer", &["Identifier", "UserPoolId"]),
    (
        "ListResourceServers",
        &["MaxResults", "NextToken", "UserPoolId"],
    ),
    (
        "CreateUserPoolDomain",
        &[
            "CustomDomainConfig",
            "Domain",
            "ManagedLoginVersion",
            "Routing",
            "UserPoolId",
        ],
    ),
    ("DescribeUserPoolDomain", &["Domain"]),
    (
        "UpdateUserPoolDomain",
        &[
            "CustomDomainConfig",
            "Domain",
            "ManagedLoginVersion",
            "Routing",
            "UserPoolId",
        ],
    ),
    ("DeleteUserPoolDomain", &["Domain", "UserPoolId"]),
    (
        "SetUICustomization",
        &["CSS", "ClientId", "ImageFile", "UserPoolId"],
    ),
    ("GetUICustomization", &["ClientId", "UserPoolId"]),
    (
        "CreateIdentityProvider",
        &[
            "AcrMapping",
            "AttributeMapping",
            "IdpIdentifiers",
            "ProviderDetails",
            "ProviderName",
            "ProviderType",
            "UserPoolId",
        ],
    ),
    ("DescribeIdentityProvider", &["ProviderName", "UserPoolId"]),
    (
        "UpdateIdentityProvider",
        &[
            "AcrMapping",
            "AttributeMapping",
            "IdpIdentifiers",
            "ProviderDetails",
            "ProviderName",
            "UserPoolId",
        ],
    ),
    ("DeleteIdentityProvider", &["ProviderName", "UserPoolId"]),
    (
        "ListIdentityProviders",
        &["MaxResults", "NextToken", "UserPoolId"],
    ),
    (
        "GetIdentityProviderByIdentifier",
        &["IdpIdentifier", "UserPoolId"],
    ),
    (
        "AdminLinkProviderForUser",
        &["DestinationUser", "SourceUser", "UserPoolId"],
    ),
    ("AdminDisableProviderForUser", &["User", "UserPoolId"]),
    ("GetSigningCertificate", &["UserPoolId"]),
    (
        "ConfirmDevice",
        &[
            "AccessToken",
            "DeviceKey",
            "DeviceName",
            "DeviceSecretVerifierConfig",
        ],
    ),
    ("GetDevice", &["AccessToken", "DeviceKey"]),
    ("ListDevices", &["AccessToken", "Limit", "PaginationToken"]),
    (
        "UpdateDeviceStatus",
        &["AccessToken", "DeviceKey", "DeviceRememberedStatus"],
    ),
    ("ForgetDevice", &["AccessToken", "DeviceKey"]),
    ("AdminGetDevice", &["DeviceKey", "UserPoolId", "Username"]),
    (
        "AdminListDevices",
        &["Limit", "PaginationToken", "UserPoolId", "Username"],
    ),
    (
        "AdminUpdateDeviceStatus",
        &[
            "DeviceKey",
            "DeviceRememberedStatus",
            "UserPoolId",
            "Username",
        ],
    ),
    (
        "AdminForgetDevice",
        &["DeviceKey", "UserPoolId", "Username"],
    ),
    ("ListUserSessions", &["AccessToken", "NextToken"]),
    (
        "RevokeUserSession",
        &["AccessToken", "RevokeAssociatedSessions", "SessionId"],
    ),
    (
        "AdminListUserSessions",
        &["NextToken", "UserPoolId", "Username"],
    ),
    (
        "AdminRevokeUserSession",
        &[
            "RevokeAssociatedSessions",
            "SessionId",
            "UserPoolId",
            "Username",
        ],
    ),
    ("GetUserPoolSessionConfiguration", &["UserPoolId"]),
    (
        "SetUserPoolSessionConfiguration",
        &["TokenSession", "UserPoolId", "UserSessionTracking"],
    ),
    (
        "GetUserPoolClientSessionConfiguration",
        &["ClientId", "UserPoolId"],
    ),
    (
        "SetUserPoolClientSessionConfiguration",
        &["ClientId", "SSOSession", "UserPoolId"],
    ),
];

/// The members an action takes; None for an action not in the table.
pub fn members(action: &str) -> Option<&'static [&'static str]> {
    MEMBERS
        .iter()
        .find(|(name, _)| *name == action)
        .map(|(_, m)| *m)
}

/// Every action the table describes.
pub fn actions() -> impl Iterator<Item = &'static str> {
    MEMBERS.iter().map(|(name, _)| *name)
}

fn unsupported(what: &str) -> CognitoError {
    CognitoError::invalid_parameter(format!("{what} is not supported by this server."))
}

/// The error a member's value gets when it asks for a feature this server
/// does not have; None when the handler takes it.
pub fn refusal(action: &str, member: &str, value: &Value) -> Option<CognitoError> {
    let is_true = value.as_bool() == Some(true);
    match (action, member) {
        // Dynamic client registration, customer-managed keys, issuer types
        // and ACR levels (Cognito API: CreateUserPool, UpdateUserPool).
        ("CreateUserPool" | "UpdateUserPool", "DcrConfiguration") => Some(unsupported(
            "Dynamic client registration (DcrConfiguration)",
        )),
        ("CreateUserPool" | "UpdateUserPool", "KeyConfiguration") => {
            Some(unsupported("KeyConfiguration"))
        }
        ("CreateUserPool" | "UpdateUserPool", "IssuerConfiguration") => {
            Some(unsupported("IssuerConfiguration"))
        }
        ("CreateUserPool" | "UpdateUserPool", "AcrConfiguration") => Some(unsupported(
            "Authentication context levels (AcrConfiguration)",
        )),
        ("CreateIdentityProvider" | "UpdateIdentityProvider", "AcrMapping") => {
            Some(unsupported("Authentication context levels (AcrMapping)"))
        }
        // There is no AWS Secrets Manager to publish to; false is what
        // every client here does.
        ("CreateUserPoolClient" | "UpdateUserPoolClient", "PublishSecretsInAWSSecretsManager")
            if is_true =>
        {
            Some(unsupported("PublishSecretsInAWSSecretsManager"))
        }
        // Replicated user pools (Cognito API: RoutingType).
        ("CreateUserPoolDomain" | "UpdateUserPoolDomain", "Routing") => {
            Some(unsupported("Routing for replicated user pools"))
        }
        // Passkeys as MFA (Cognito API: WebAuthnMfaSettingsType needs
        // WebAuthnConfiguration FactorConfiguration
        // MULTI_FACTOR_WITH_USER_VERIFICATION, refused below); off is
        // what every user here has.
        ("SetUserMFAPreference" | "AdminSetUserMFAPreference", "WebAuthnMfaSettings")
            if value.get("Enabled").and_then(Value::as_bool) == Some(true) =>
        {
            Some(unsupported("Passkey MFA (WebAuthnMfaSettings)"))
        }
        ("SetUserPoolMfaConfig", "WebAuthnConfiguration")
            if value
                .get("FactorConfiguration")
                .and_then(Value::as_str)
                .is_some_and(|f| f != "SINGLE_FACTOR") =>
        {
            Some(unsupported("Passkey MFA (FactorConfiguration)"))
        }
        // Sign-in after sign-up: SignUp here answers no Session, so a
        // Session given to ConfirmSignUp or to InitiateAuth is not one this
        // server issued, which Cognito answers so.
        ("ConfirmSignUp" | "InitiateAuth" | "AdminInitiateAuth", "Session") => Some(
            CognitoError::NotAuthorized("Invalid session for the user.".into()),
        ),
        _ => None,
    }
}

/// Checks an action's input before its handler runs: every member is one
/// of the action's, and none asks for what is refused. An explicit null is
/// an absent member (the AWS JSON protocol). A body that is not an object
/// is left to the handler's parsing.
pub fn check(action: &str, body: &Value) -> Result<(), ApiError> {
    let (Some(known), Some(obj)) = (members(action), body.as_object()) else {
        return Ok(());
    };
    for (name, value) in obj {
        if value.is_null() {
            continue;
        }
        if !known.contains(&name.as_str()) {
            return Err(ApiError::Serialization(format!(
                "Unknown member '{name}' in the input of {action}."
            )));
        }
        if let Some(e) = refusal(action, name, value) {
            return Err(e.into());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_its_members_and_no_other() {
        let table: Vec<&str> = actions().collect();
        let answered: Vec<&str> = super::super::actions::names().collect();
        for a in &answered {
            assert!(table.contains(a), "{a} has no members entry");
        }
        for a in &table {
            assert!(answered.contains(a), "{a} is not an action");
        }
    }

    #[test]
    fn unknown_and_refused_members_are_errors() {
        let ok = serde_json::json!({ "UserPoolId": "us-east-1_a", "UnknownMember": null });
        assert!(check("DescribeUserPool", &ok).is_ok());
        let unknown = serde_json::json!({ "UserPoolId": "us-east-1_a", "Bogus": 1 });
        assert!(matches!(
            check("DescribeUserPool", &unknown),
            Err(ApiError::Serialization(_))
        ));
        let off = serde_json::json!({ "PublishSecretsInAWSSecretsManager": false });
        assert!(check("CreateUserPoolClient", &off).is_ok());
        let on = serde_json::json!({ "PublishSecretsInAWSSecretsManager": true });
        assert!(check("CreateUserPoolClient", &on).is_err());
    }
}
