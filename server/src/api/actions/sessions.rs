//! User sessions: ListUserSessions, RevokeUserSession (by the user's access
//! token), AdminListUserSessions, AdminRevokeUserSession, and the session
//! configuration of pools and app clients. Parses, calls the core's
//! `service::user_sessions`, renders Cognito's SessionDescriptionType.

use cognate_core::model::session::{
    ClientSsoSessionConfig, PoolSessionConfig, RevokeAssociatedSessions,
};
use cognate_core::service::user_sessions::{SessionOwner, SessionView};
use serde::Deserialize;
use serde_json::{Value, json};

use super::clients::ClientRef;
use super::pools::PoolId;
use crate::api::context::{Ctx, input};
use crate::api::error::ApiError;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct OwnListing {
    access_token: String,
    next_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AdminListing {
    user_pool_id: String,
    username: String,
    next_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct OwnRevoke {
    access_token: String,
    session_id: String,
    #[serde(default)]
    revoke_associated_sessions: RevokeAssociatedSessions,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AdminRevoke {
    user_pool_id: String,
    username: String,
    session_id: String,
    #[serde(default)]
    revoke_associated_sessions: RevokeAssociatedSessions,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SetPool {
    user_pool_id: String,
    #[serde(flatten)]
    config: PoolSessionConfig,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SetClient {
    user_pool_id: String,
    client_id: String,
    #[serde(rename = "SSOSession")]
    sso_session: ClientSsoSessionConfig,
}

/// Cognito API: SessionDescriptionType (a token or SSO session).
/// LastLocation is never answered: it needs a GeoIP database, which
/// Cognate has not; nor OriginSessionId (tokens do not record the SSO
/// session they came through).
fn session_type(s: &SessionView) -> Value {
    let mut out = json!({
        "SessionId": s.session_id,
        "SessionType": s.session_type,
        "ClientId": s.client_id,
        "CreateDate": s.created,
        "LastActiveDate": s.last_active,
        "IsCurrentSession": s.is_current,
    });
    if let Some(obj) = out.as_object_mut() {
        if let Some(device) = &s.seen.device_type {
            obj.insert("DeviceType".into(), json!(device));
        }
        if let Some(ip) = &s.seen.ip {
            obj.insert("LastIPAddress".into(), json!(ip));
        }
    }
    out
}

fn listing((sessions, next): (Vec<SessionView>, Option<String>)) -> Value {
    let mut out = json!({ "Sessions": sessions.iter().map(session_type).collect::<Vec<_>>() });
    if let (Some(n), Some(obj)) = (next, out.as_object_mut()) {
        obj.insert("NextToken".into(), Value::String(n));
    }
    out
}

fn pool_config(pool_id: &str, c: PoolSessionConfig) -> Value {
    json!({
        "UserPoolId": pool_id,
        "UserSessionTracking": c.user_session_tracking,
        "TokenSession": c.token_session,
    })
}

fn client_config(pool_id: &str, client_id: &str, c: ClientSsoSessionConfig) -> Value {
    json!({ "UserPoolId": pool_id, "ClientId": client_id, "SSOSession": c })
}

pub async fn call(action: &str, ctx: &Ctx, body: Value) -> Result<Value, ApiError> {
    let idp = &ctx.state.idp;
    match action {
        "ListUserSessions" => {
            let l: OwnListing = input(body)?;
            let owner = SessionOwner::AccessToken(&l.access_token);
            Ok(listing(
                idp.list_user_sessions(owner, l.next_token.as_deref())
                    .await?,
            ))
        }
        "AdminListUserSessions" => {
            let l: AdminListing = input(body)?;
            let owner = SessionOwner::Admin {
                pool_id: &l.user_pool_id,
                username: &l.username,
            };
            Ok(listing(
                idp.list_user_sessions(owner, l.next_token.as_deref())
                    .await?,
            ))
        }
        "RevokeUserSession" => {
            let r: OwnRevoke = input(body)?;
            let owner = SessionOwner::AccessToken(&r.access_token);
            let linked = r.revoke_associated_sessions.linked();
            idp.revoke_user_session(owner, &r.session_id, linked)
                .await?;
            Ok(json!({}))
        }
        "AdminRevokeUserSession" => {
            let r: AdminRevoke = input(body)?;
            let owner = SessionOwner::Admin {
                pool_id: &r.user_pool_id,
                username: &r.username,
            };
            let linked = r.revoke_associated_sessions.linked();
            idp.revoke_user_session(owner, &r.session_id, linked)
                .await?;
            Ok(json!({}))
        }
        "GetUserPoolSessionConfiguration" => {
            let PoolId { user_pool_id } = input(body)?;
            let c = idp.get_pool_session_config(&user_pool_id).await?;
            Ok(pool_config(&user_pool_id, c))
        }
        "SetUserPoolSessionConfiguration" => {
            let s: SetPool = input(body)?;
            let c = idp
                .set_pool_session_config(&s.user_pool_id, s.config)
                .await?;
            Ok(pool_config(&s.user_pool_id, c))
        }
        "GetUserPoolClientSessionConfiguration" => {
            let r: ClientRef = input(body)?;
            let c = idp
                .get_client_session_config(&r.user_pool_id, &r.client_id)
                .await?;
            Ok(client_config(&r.user_pool_id, &r.client_id, c))
        }
        "SetUserPoolClientSessionConfiguration" => {
            let s: SetClient = input(body)?;
            let c = idp
                .set_client_session_config(&s.user_pool_id, &s.client_id, s.sso_session)
                .await?;
            Ok(client_config(&s.user_pool_id, &s.client_id, c))
        }
        other => Err(ApiError::UnknownOperation(other.to_owned())),
    }
}
