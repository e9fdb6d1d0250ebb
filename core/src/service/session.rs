//! The `Session` of a sign-in between its challenges: opaque to the client,
//! sealed with AES-256-GCM under the master key, so the server keeps no
//! state between InitiateAuth and RespondToAuthChallenge and any node can
//! answer the next step. It names the pool, client, user and challenge it
//! was issued for, and expires after the client's AuthSessionValidity
//! (Cognito API: UserPoolClientType, AuthSessionValidity, 3–15 minutes).
//! A custom authentication flow carries its state here too
//! ([`CustomAuthState`]), so the functions' private answers never reach the
//! client in the clear.

use std::collections::BTreeMap;

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

/// The longest `Session` this server issues or opens. Cognito API: Session
/// is at most 2048 characters; ours are shorter but for a custom flow's,
/// which carry its `session` array and its private challenge parameters
/// (`custom_auth.rs` refuses a challenge whose session would be longer).
pub const MAX_SESSION_CHARS: usize = 8192;

/// The challenges of Cognito's sign-in flows that this server answers.
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
    /// A challenge of the pool's CreateAuthChallenge function (CUSTOM_AUTH).
    CustomChallenge,
    /// USER_AUTH: the user chooses a first factor.
    SelectChallenge,
    /// USER_AUTH: a one-time code sent by SMS as the first factor.
    SmsOtp,
    /// USER_AUTH: a passkey's assertion as the first factor.
    WebAuthn,
    /// A remembered device proves itself: the client sends SRP_A.
    DeviceSrpAuth,
    /// The device's SRP proof.
    DevicePasswordVerifier,
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
            Self::CustomChallenge => "CUSTOM_CHALLENGE",
            Self::SelectChallenge => "SELECT_CHALLENGE",
            Self::SmsOtp => "SMS_OTP",
            Self::WebAuthn => "WEB_AUTHN",
            Self::DeviceSrpAuth => "DEVICE_SRP_AUTH",
            Self::DevicePasswordVerifier => "DEVICE_PASSWORD_VERIFIER",
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

/// One entry of a custom flow's `session` array, as the challenge triggers
/// receive it (developer guide, "Define Auth challenge Lambda trigger":
/// ChallengeResult — challengeName, challengeResult, challengeMetadata).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChallengeResult {
    #[serde(rename = "n")]
    pub challenge_name: String,
    #[serde(rename = "r")]
    pub challenge_result: bool,
    #[serde(rename = "m", default, skip_serializing_if = "Option::is_none")]
    pub challenge_metadata: Option<String>,
}

/// A CUSTOM_AUTH flow between two calls (see `custom_auth.rs`).
#[derive(Clone, Serialize, Deserialize)]
pub struct CustomAuthState {
    /// Spent once the session is answered: a session is good for one
    /// answer, as Cognito's are.
    #[serde(rename = "i")]
    pub id: Uuid,
    /// The events' `userName`: the user's username, or the name given when
    /// no user has it (`userNotFound`).
    #[serde(rename = "u")]
    pub user_name: String,
    /// The `session` array so far, oldest first.
    #[serde(rename = "h", default)]
    pub history: Vec<ChallengeResult>,
    /// The pending challenge's privateChallengeParameters: its answer.
    #[serde(rename = "p", default, skip_serializing_if = "BTreeMap::is_empty")]
    pub private: BTreeMap<String, String>,
    /// The pending challenge's challengeMetadata.
    #[serde(rename = "m", default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<String>,
    /// The flow began with SRP and the password is proven (MFA and a new
    /// password then apply, as after USER_SRP_AUTH).
    #[serde(rename = "w", default, skip_serializing_if = "std::ops::Not::not")]
    pub password_verified: bool,
}

impl CustomAuthState {
    pub fn new(user_name: &str) -> Self {
        Self {
            id: Uuid::new_v4(),
            user_name: user_name.to_owned(),
            history: Vec::new(),
            private: BTreeMap::new(),
            metadata: None,
            password_verified: false,
        }
    }
}

impl Drop for CustomAuthState {
    fn drop(&mut self) {
        self.private.values_mut().for_each(Zeroize::zeroize);
    }
}

impl std::fmt::Debug for CustomAuthState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CustomAuthState")
            .field("id", &self.id)
            .field("user_name", &self.user_name)
            .field("history", &self.history)
            .field("private", &"***")
            .field("metadata", &self.metadata)
            .field("password_verified", &self.password_verified)
            .finish()
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
    /// CUSTOM_AUTH: the flow so far.
    #[serde(rename = "x", default, skip_serializing_if = "Option::is_none")]
    pub custom: Option<CustomAuthState>,
    /// USER_AUTH: this EMAIL_OTP or SMS_OTP is the first factor, not MFA.
    #[serde(rename = "f", default, skip_serializing_if = "std::ops::Not::not")]
    pub first_factor: bool,
    /// USER_AUTH for a name no user has (PreventUserExistenceErrors): the
    /// name, so the decoy challenge answers as a real one would.
    #[serde(rename = "g", default, skip_serializing_if = "Option::is_none")]
    pub ghost: Option<String>,
    /// USER_AUTH WEB_AUTHN: the passkey ceremony's state (webauthn-rs).
    #[serde(rename = "w", default, skip_serializing_if = "Option::is_none")]
    pub webauthn: Option<serde_json::Value>,
    /// DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER: the device's key.
    #[serde(rename = "d", default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
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
            custom: None,
            first_factor: false,
            ghost: None,
            webauthn: None,
            device: None,
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
        if session.len() > MAX_SESSION_CHARS {
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
    fn a_custom_flow_travels_sealed_and_its_answer_stays_hidden() {
        let key = MasterKey::generate();
        let mut s = session();
        let mut state = CustomAuthState::new("ann");
        state.history.push(ChallengeResult {
            challenge_name: "CUSTOM_CHALLENGE".into(),
            challenge_result: false,
            challenge_metadata: Some("OTP".into()),
        });
        state.private.insert("answer".into(), "424242".into());
        s.custom = Some(state);
        assert!(!format!("{s:?}").contains("424242"));
        let sealed = s.seal(&key).unwrap();
        assert!(!sealed.contains("424242"));
        let opened = AuthSession::open(&key, &sealed).unwrap();
        let custom = opened.custom.expect("custom state");
        assert_eq!(custom.private["answer"], "424242");
        assert_eq!(custom.history.len(), 1);
        assert_eq!(custom.history[0].challenge_metadata.as_deref(), Some("OTP"));
        // Sessions of the other flows carry none.
        let plain = AuthSession::open(&key, &session().seal(&key).unwrap()).unwrap();
        assert!(plain.custom.is_none());
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
        for bad in ["", "x", "!!!", &"A".repeat(MAX_SESSION_CHARS + 1)] {
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
