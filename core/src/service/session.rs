//! The `Session` of a sign-in between its challenges: opaque to the client,
//! sealed with AES-256-GCM under the master key, so the server keeps no
//! state between InitiateAuth and RespondToAuthChallenge and any node can
//! answer the next step. It names the pool, client, user and challenge it
//! was issued for, and expires after the client's AuthSessionValidity
//! (Cognito API: UserPoolClientType, AuthSessionValidity, 3–15 minutes).

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD as B64, URL_SAFE_NO_PAD as B64URL};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::clock::Timestamp;
use crate::crypto::MasterKey;
use crate::error::{CognitoError, Result};

/// The record id sessions are sealed under (the AEAD's associated data).
const SESSION_RECORD: &str = "auth-session:v1";

/// The challenges of Cognito's sign-in flows. Only those answered so far
/// are here; MFA (SMS_MFA, SOFTWARE_TOKEN_MFA, MFA_SETUP, SELECT_MFA_TYPE)
/// and CUSTOM_CHALLENGE plug in as new variants, issued by `auth::next_step`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ChallengeName {
    /// USER_SRP_AUTH's second step: prove the password.
    PasswordVerifier,
    /// A FORCE_CHANGE_PASSWORD user must choose a password.
    NewPasswordRequired,
    /// A code from the user's authenticator app.
    SoftwareTokenMfa,
    /// A code sent by SMS.
    SmsMfa,
    /// A code sent by email.
    EmailOtp,
    /// The user chooses among their factors.
    SelectMfaType,
    /// MFA is required and the user has none: set up an authenticator app.
    MfaSetup,
}

impl ChallengeName {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PasswordVerifier => "PASSWORD_VERIFIER",
            Self::NewPasswordRequired => "NEW_PASSWORD_REQUIRED",
            Self::SoftwareTokenMfa => "SOFTWARE_TOKEN_MFA",
            Self::SmsMfa => "SMS_MFA",
            Self::EmailOtp => "EMAIL_OTP",
            Self::SelectMfaType => "SELECT_MFA_TYPE",
            Self::MfaSetup => "MFA_SETUP",
        }
    }
}

/// The server's half of an SRP exchange, carried to PASSWORD_VERIFIER.
#[derive(Clone, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
pub struct SrpState {
    /// The client's SRP_A, hex as sent.
    pub a: String,
    /// b ‖ B, base64 (the verifier v is read from the user again, so a
    /// password changed meanwhile fails the proof).
    pub b: String,
}

impl std::fmt::Debug for SrpState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SrpState(***)")
    }
}

/// What a sealed session holds.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AuthSession {
    #[serde(rename = "p")]
    pub pool_id: String,
    #[serde(rename = "c")]
    pub client_id: String,
    /// `None` for a user that does not exist: the flow goes on so as not to
    /// reveal it, and fails at the end.
    #[serde(rename = "u")]
    pub sub: Option<Uuid>,
    #[serde(rename = "n")]
    pub challenge: ChallengeName,
    /// Epoch milliseconds.
    #[serde(rename = "e")]
    pub expires: i64,
    #[serde(rename = "s", default, skip_serializing_if = "Option::is_none")]
    pub srp: Option<SrpState>,
    /// MFA_SETUP: VerifySoftwareToken succeeded with this session.
    #[serde(rename = "v", default, skip_serializing_if = "std::ops::Not::not")]
    pub mfa_setup_verified: bool,
}

/// Why a session was refused; all are NotAuthorizedException.
pub fn invalid_session() -> CognitoError {
    CognitoError::NotAuthorized("Invalid session for the user.".into())
}

pub fn expired_session() -> CognitoError {
    CognitoError::NotAuthorized("Invalid session for the user, session is expired.".into())
}

impl AuthSession {
    pub fn new(
        pool_id: &str,
        client_id: &str,
        sub: Option<Uuid>,
        challenge: ChallengeName,
        expires: Timestamp,
    ) -> Self {
        Self {
            pool_id: pool_id.to_owned(),
            client_id: client_id.to_owned(),
            sub,
            challenge,
            expires: expires.millis(),
            srp: None,
            mfa_setup_verified: false,
        }
    }

    fn seal_bytes(&self, key: &MasterKey) -> Result<Vec<u8>> {
        let plain = Zeroizing::new(serde_json::to_vec(self).map_err(CognitoError::internal)?);
        Ok(key.seal(SESSION_RECORD, &plain))
    }

    fn open_bytes(key: &MasterKey, sealed: &[u8]) -> Result<Self> {
        // A session that does not open is a client's mistake (or a forgery),
        // not our fault: no error log, just Cognito's answer.
        let plain = Zeroizing::new(
            key.open_quietly(SESSION_RECORD, sealed)
                .ok_or_else(invalid_session)?,
        );
        serde_json::from_slice(&plain).map_err(|_| invalid_session())
    }

    /// The `Session` string (base64url).
    pub fn seal(&self, key: &MasterKey) -> Result<String> {
        Ok(B64URL.encode(self.seal_bytes(key)?))
    }

    /// Opens a `Session` string; Cognito's "Invalid session" if it does not.
    pub fn open(key: &MasterKey, session: &str) -> Result<Self> {
        // Cognito API: Session, at most 2048 characters (ours are shorter).
        if session.len() > 4096 {
            return Err(invalid_session());
        }
        let bytes = B64URL
            .decode(session.trim())
            .map_err(|_| invalid_session())?;
        Self::open_bytes(key, &bytes)
    }

    /// The SECRET_BLOCK of a PASSWORD_VERIFIER challenge: standard base64,
    /// as the SRP clients decode it before signing.
    pub fn seal_secret_block(&self, key: &MasterKey) -> Result<String> {
        Ok(B64.encode(self.seal_bytes(key)?))
    }

    pub fn open_secret_block(key: &MasterKey, block: &str) -> Result<Self> {
        if block.len() > 8192 {
            return Err(invalid_session());
        }
        let bytes = B64.decode(block.trim()).map_err(|_| invalid_session())?;
        Self::open_bytes(key, &bytes)
    }

    /// Checks that the session was issued for this pool, client and
    /// challenge and has not expired.
    pub fn check(
        &self,
        pool_id: &str,
        client_id: &str,
        challenge: ChallengeName,
        now: Timestamp,
    ) -> Result<()> {
        if self.pool_id != pool_id || self.client_id != client_id || self.challenge != challenge {
            return Err(invalid_session());
        }
        if now.millis() >= self.expires {
            return Err(expired_session());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session() -> AuthSession {
        AuthSession::new(
            "us-east-1_abc",
            "client1",
            Some(Uuid::new_v4()),
            ChallengeName::NewPasswordRequired,
            Timestamp(10_000),
        )
    }

    #[test]
    fn sessions_round_trip_and_are_opaque() {
        let key = MasterKey::generate();
        let s = session();
        let sealed = s.seal(&key).unwrap();
        assert!(!sealed.contains("client1"));
        let opened = AuthSession::open(&key, &sealed).unwrap();
        assert_eq!(opened.sub, s.sub);
        assert!(
            opened
                .check(
                    "us-east-1_abc",
                    "client1",
                    ChallengeName::NewPasswordRequired,
                    Timestamp(9_999)
                )
                .is_ok()
        );
        let block = s.seal_secret_block(&key).unwrap();
        assert!(AuthSession::open_secret_block(&key, &block).is_ok());
    }

    #[test]
    fn cognito_session_errors() {
        let key = MasterKey::generate();
        let s = session();
        let sealed = s.seal(&key).unwrap();
        let opened = AuthSession::open(&key, &sealed).unwrap();
        let msg = |r: Result<()>| r.unwrap_err().message().to_owned();
        assert_eq!(
            msg(opened.check(
                "us-east-1_abc",
                "other",
                ChallengeName::NewPasswordRequired,
                Timestamp(0)
            )),
            "Invalid session for the user."
        );
        assert_eq!(
            msg(opened.check(
                "us-east-1_abc",
                "client1",
                ChallengeName::NewPasswordRequired,
                Timestamp(10_000)
            )),
            "Invalid session for the user, session is expired."
        );
        for bad in ["", "x", "!!!", &"A".repeat(5000)] {
            assert_eq!(
                AuthSession::open(&key, bad).unwrap_err().wire_name(),
                "NotAuthorizedException"
            );
        }
        // Sealed under another master key.
        assert!(AuthSession::open(&MasterKey::generate(), &sealed).is_err());
        // A session cannot pose as a secret block of another encoding.
        let mut tampered = B64URL.decode(&sealed).unwrap();
        *tampered.last_mut().unwrap() ^= 1;
        assert!(AuthSession::open(&key, &B64URL.encode(tampered)).is_err());
    }
}
