//! The identity-pool API (cognito-identity): `POST /` with
//! `X-Amz-Target: AWSCognitoIdentityService.<Op>` and a JSON 1.1 body.
//! The same protocol as the user-pool API (`api/`), whose input parsing
//! and error rendering it shares: GetId, GetCredentialsForIdentity,
//! GetOpenIdToken and UnlinkIdentity take no AWS credentials, as in AWS;
//! every other operation needs SigV4 for the service `cognito-identity`
//! with an administrative key.

pub mod credentials;
pub mod external;
pub mod identities;
pub mod pools;

use std::net::SocketAddr;

use serde_json::Value;

use crate::api::sigv4::{self, Request};
use crate::api::{Access, ApiError, Ctx};
use crate::limits::{Caller, Category};
use crate::state::AppState;

pub const TARGET_PREFIX: &str = "AWSCognitoIdentityService.";
/// The service name in the credential scope.
pub const SERVICE: &str = "cognito-identity";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Family {
    Pools,
    Identities,
    Credentials,
}

use Access::{Admin, Public};
use Family::*;

/// Every operation of the botocore `cognito-identity` model.
const OPERATIONS: &[(&str, Access, Family)] = &[
    ("CreateIdentityPool", Admin, Pools),
    ("DescribeIdentityPool", Admin, Pools),
    ("UpdateIdentityPool", Admin, Pools),
    ("DeleteIdentityPool", Admin, Pools),
    ("ListIdentityPools", Admin, Pools),
    ("SetIdentityPoolRoles", Admin, Pools),
    ("GetIdentityPoolRoles", Admin, Pools),
    ("SetPrincipalTagAttributeMap", Admin, Pools),
    ("GetPrincipalTagAttributeMap", Admin, Pools),
    ("TagResource", Admin, Pools),
    ("UntagResource", Admin, Pools),
    ("ListTagsForResource", Admin, Pools),
    ("ListIdentities", Admin, Identities),
    ("DescribeIdentity", Admin, Identities),
    ("DeleteIdentities", Admin, Identities),
    ("GetOpenIdTokenForDeveloperIdentity", Admin, Identities),
    ("LookupDeveloperIdentity", Admin, Identities),
    ("MergeDeveloperIdentities", Admin, Identities),
    ("UnlinkDeveloperIdentity", Admin, Identities),
    ("GetId", Public, Credentials),
    ("GetCredentialsForIdentity", Public, Credentials),
    ("GetOpenIdToken", Public, Credentials),
    ("UnlinkIdentity", Public, Credentials),
];

/// Every operation's name (tests send each of them malformed input).
pub fn names() -> impl Iterator<Item = &'static str> {
    OPERATIONS.iter().map(|(name, ..)| *name)
}

/// One call: `request` as signed, its id, and its target.
pub async fn dispatch(
    state: &AppState,
    peer: SocketAddr,
    request: &Request<'_>,
    request_id: &str,
    target: &str,
) -> Result<Value, ApiError> {
    let op = target
        .strip_prefix(TARGET_PREFIX)
        .ok_or_else(|| ApiError::UnknownOperation(target.to_owned()))?;
    let (_, access, family) = *OPERATIONS
        .iter()
        .find(|(name, ..)| *name == op)
        .ok_or_else(|| ApiError::UnknownOperation(op.to_owned()))?;
    let admin_key = match access {
        Access::Public => {
            // Public operations verify tokens: counted per source address
            // like sign-ins.
            let caller = Caller {
                ip: Some(peer.ip()),
                user: None,
            };
            if state
                .limits
                .check(Category::Authentication, &caller)
                .is_err()
            {
                return Err(
                    cognate_core::CognitoError::TooManyRequests("Rate exceeded".into()).into(),
                );
            }
            None
        }
        Access::Admin => Some(sigv4::verify_for(
            SERVICE,
            request,
            &state.admin_keys,
            state.idp.clock.now().seconds(),
        )?),
    };
    let value = crate::api::parse_body(request.body)?;
    let ctx = Ctx {
        state: state.clone(),
        source_ip: Some(peer.ip()),
        request_id: request_id.to_owned(),
        admin_key,
        user_agent: None,
    };
    tracing::debug!(op, request_id, "identity api call");
    match family {
        Pools => pools::call(op, &ctx, value).await,
        Identities => identities::call(op, &ctx, value).await,
        Credentials => credentials::call(op, &ctx, value).await,
    }
}
