//! What a login front keeps in the session record (sealed at rest by
//! [`crate::EncryptedStore`]; only the session id, encrypted, is in the
//! cookie): sign-ins in progress and the signed-in user's tokens.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tower_sessions::Session;

use crate::error::LoginFrontError;

pub(crate) const SIGNED_IN: &str = "login_front.signed_in";
pub(crate) const PENDING: &str = "login_front.pending";
/// Sign-ins in progress kept per session (one per tab, a few tabs).
pub(crate) const MAX_PENDING: usize = 4;
/// How long a started sign-in may take.
pub(crate) const PENDING_TTL_SECS: i64 = 600;

#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct SignedIn {
    pub id_token: String,
    pub access_token: String,
    pub refresh_token: Option<String>,
    /// Unix seconds, when the token response said (`expires_in`).
    pub expires_at: Option<i64>,
    pub claims: Map<String, Value>,
}

#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct Pending {
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
    pub return_to: String,
    pub started: i64,
}

pub(crate) fn store_error(e: tower_sessions::session::Error) -> LoginFrontError {
    LoginFrontError::Session(e.to_string())
}

pub(crate) async fn signed_in(session: &Session) -> Result<Option<SignedIn>, LoginFrontError> {
    // A record of another shape (an older version) counts as signed out.
    Ok(session
        .get_value(SIGNED_IN)
        .await
        .map_err(store_error)?
        .and_then(|v| serde_json::from_value(v).ok()))
}

pub(crate) async fn pending(session: &Session) -> Result<Vec<Pending>, LoginFrontError> {
    Ok(session
        .get_value(PENDING)
        .await
        .map_err(store_error)?
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default())
}
