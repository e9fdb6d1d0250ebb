//! Every action of the user-pool API, who may call it, and the family
//! module that answers it. One file per Cognito action family.

use serde_json::Value;

use super::context::Ctx;
use super::error::ApiError;

pub mod auth;
pub mod clients;
pub mod devices;
pub mod domains;
pub mod groups;
pub mod identity_providers;
pub mod mfa;
pub mod pools;
pub mod resource_servers;
pub mod self_service;
pub mod sessions;
pub mod ui_customization;
pub mod users;

/// Who may call an action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Callable without AWS credentials, as in Cognito (SignUp, InitiateAuth, …).
    Public,
    /// Requires a valid SigV4 signature from a key the server holds.
    Admin,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Family {
    Pools,
    Clients,
    Users,
    Groups,
    SelfService,
    Auth,
    Mfa,
    ResourceServers,
    Domains,
    UiCustomization,
    IdentityProviders,
    Devices,
    Sessions,
}

use Access::{Admin, Public};
use Family::*;

/// The table of actions. Public actions take no AWS credentials, as in
/// Cognito; every other action requires SigV4.
const ACTIONS: &[(&str, Access, Family)] = &[
    // user pools
    ("CreateUserPool", Admin, Pools),
    ("DescribeUserPool", Admin, Pools),
    ("UpdateUserPool", Admin, Pools),
    ("DeleteUserPool", Admin, Pools),
    ("ListUserPools", Admin, Pools),
    // app clients
    ("CreateUserPoolClient", Admin, Clients),
    ("DescribeUserPoolClient", Admin, Clients),
    ("UpdateUserPoolClient", Admin, Clients),
    ("DeleteUserPoolClient", Admin, Clients),
    ("ListUserPoolClients", Admin, Clients),
    // administering users
    ("AdminCreateUser", Admin, Users),
    ("AdminGetUser", Admin, Users),
    ("AdminGetUserAuthFactors", Admin, Users),
    ("AdminDeleteUser", Admin, Users),
    ("AdminUpdateUserAttributes", Admin, Users),
    ("AdminDeleteUserAttributes", Admin, Users),
    ("AdminSetUserPassword", Admin, Users),
    ("AdminEnableUser", Admin, Users),
    ("AdminDisableUser", Admin, Users),
    ("AdminConfirmSignUp", Admin, Users),
    ("AdminResetUserPassword", Admin, Users),
    ("ListUsers", Admin, Users),
    // groups
    ("CreateGroup", Admin, Groups),
    ("GetGroup", Admin, Groups),
    ("UpdateGroup", Admin, Groups),
    ("DeleteGroup", Admin, Groups),
    ("ListGroups", Admin, Groups),
    ("AdminAddUserToGroup", Admin, Groups),
    ("AdminRemoveUserFromGroup", Admin, Groups),
    ("AdminListGroupsForUser", Admin, Groups),
    ("ListUsersInGroup", Admin, Groups),
    // self-service
    ("SignUp", Public, SelfService),
    ("ConfirmSignUp", Public, SelfService),
    ("ResendConfirmationCode", Public, SelfService),
    ("ForgotPassword", Public, SelfService),
    ("ConfirmForgotPassword", Public, SelfService),
    ("ChangePassword", Public, SelfService),
    ("GetUser", Public, SelfService),
    ("GetUserAuthFactors", Public, SelfService),
    ("StartWebAuthnRegistration", Public, SelfService),
    ("CompleteWebAuthnRegistration", Public, SelfService),
    ("ListWebAuthnCredentials", Public, SelfService),
    ("DeleteWebAuthnCredential", Public, SelfService),
    ("UpdateUserAttributes", Public, SelfService),
    ("DeleteUserAttributes", Public, SelfService),
    ("DeleteUser", Public, SelfService),
    ("GetUserAttributeVerificationCode", Public, SelfService),
    ("VerifyUserAttribute", Public, SelfService),
    // sign-in and tokens
    ("InitiateAuth", Public, Auth),
    ("RespondToAuthChallenge", Public, Auth),
    ("AdminInitiateAuth", Admin, Auth),
    ("AdminRespondToAuthChallenge", Admin, Auth),
    ("GlobalSignOut", Public, Auth),
    ("RevokeToken", Public, Auth),
    ("GetTokensFromRefreshToken", Public, Auth),
    ("AdminUserGlobalSignOut", Admin, Auth),
    // MFA
    ("SetUserPoolMfaConfig", Admin, Mfa),
    ("GetUserPoolMfaConfig", Admin, Mfa),
    ("AdminSetUserMFAPreference", Admin, Mfa),
    ("AssociateSoftwareToken", Public, Mfa),
    ("VerifySoftwareToken", Public, Mfa),
    ("SetUserMFAPreference", Public, Mfa),
    ("AdminDeleteSoftwareToken", Admin, Mfa),
    ("SetUserSettings", Public, Mfa),
    ("AdminSetUserSettings", Admin, Mfa),
    // the OAuth face: resource servers, domains, hosted-UI customization
    ("CreateResourceServer", Admin, ResourceServers),
    ("DescribeResourceServer", Admin, ResourceServers),
    ("UpdateResourceServer", Admin, ResourceServers),
    ("DeleteResourceServer", Admin, ResourceServers),
    ("ListResourceServers", Admin, ResourceServers),
    ("CreateUserPoolDomain", Admin, Domains),
    ("DescribeUserPoolDomain", Admin, Domains),
    ("UpdateUserPoolDomain", Admin, Domains),
    ("DeleteUserPoolDomain", Admin, Domains),
    ("SetUICustomization", Admin, UiCustomization),
    ("GetUICustomization", Admin, UiCustomization),
    // federation
    ("CreateIdentityProvider", Admin, IdentityProviders),
    ("DescribeIdentityProvider", Admin, IdentityProviders),
    ("UpdateIdentityProvider", Admin, IdentityProviders),
    ("DeleteIdentityProvider", Admin, IdentityProviders),
    ("ListIdentityProviders", Admin, IdentityProviders),
    ("GetIdentityProviderByIdentifier", Admin, IdentityProviders),
    ("AdminLinkProviderForUser", Admin, IdentityProviders),
    ("AdminDisableProviderForUser", Admin, IdentityProviders),
    ("GetSigningCertificate", Admin, IdentityProviders),
    // remembered devices
    ("ConfirmDevice", Public, Devices),
    ("GetDevice", Public, Devices),
    ("ListDevices", Public, Devices),
    ("UpdateDeviceStatus", Public, Devices),
    ("ForgetDevice", Public, Devices),
    ("AdminGetDevice", Admin, Devices),
    ("AdminListDevices", Admin, Devices),
    ("AdminUpdateDeviceStatus", Admin, Devices),
    ("AdminForgetDevice", Admin, Devices),
    // user sessions
    ("ListUserSessions", Public, Sessions),
    ("RevokeUserSession", Public, Sessions),
    ("AdminListUserSessions", Admin, Sessions),
    ("AdminRevokeUserSession", Admin, Sessions),
    ("GetUserPoolSessionConfiguration", Admin, Sessions),
    ("SetUserPoolSessionConfiguration", Admin, Sessions),
    ("GetUserPoolClientSessionConfiguration", Admin, Sessions),
    ("SetUserPoolClientSessionConfiguration", Admin, Sessions),
];

/// Every action's name, in the table's order (the protocol fuzz test sends
/// each of them malformed input).
pub fn names() -> impl Iterator<Item = &'static str> {
    ACTIONS.iter().map(|(name, ..)| *name)
}

pub fn access(action: &str) -> Option<Access> {
    ACTIONS
        .iter()
        .find(|(name, ..)| *name == action)
        .map(|(_, access, _)| *access)
}

pub async fn call(action: &str, ctx: &Ctx, body: Value) -> Result<Value, ApiError> {
    let family = ACTIONS
        .iter()
        .find(|(name, ..)| *name == action)
        .map(|(.., f)| *f)
        .ok_or_else(|| ApiError::UnknownOperation(action.to_owned()))?;
    // No member is accepted and silently dropped (api/members.rs).
    super::members::check(action, &body)?;
    match family {
        Pools => pools::call(action, ctx, body).await,
        Clients => clients::call(action, ctx, body).await,
        Users => users::call(action, ctx, body).await,
        Groups => groups::call(action, ctx, body).await,
        SelfService => self_service::call(action, ctx, body).await,
        Auth => auth::call(action, ctx, body).await,
        Mfa => mfa::call(action, ctx, body).await,
        ResourceServers => resource_servers::call(action, ctx, body).await,
        Domains => domains::call(action, ctx, body).await,
        UiCustomization => ui_customization::call(action, ctx, body).await,
        IdentityProviders => identity_providers::call(action, ctx, body).await,
        Devices => devices::call(action, ctx, body).await,
        Sessions => sessions::call(action, ctx, body).await,
    }
}
