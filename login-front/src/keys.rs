//! The two keys of a login-front session: the cookie key (the session id
//! travels in a private — encrypted and signed — cookie) and the record key
//! (the record is sealed at rest), both derived from one secret.

use aws_lc_rs::hkdf::{HKDF_SHA256, KeyType, Salt};
use tower_sessions::cookie::Key;
use zeroize::Zeroizing;

use crate::error::LoginFrontError;
use crate::store::RecordKey;

/// Keys of the session cookie and of the stored records. `Debug` hides them.
#[derive(Clone)]
pub struct SessionKeys {
    cookie: Key,
    record: RecordKey,
}

impl std::fmt::Debug for SessionKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionKeys(<hidden>)")
    }
}

struct Len(usize);
impl KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

impl SessionKeys {
    /// Derives both keys (HKDF-SHA256) from a secret of at least 32 bytes
    /// that the app keeps (e.g. 64 random bytes from its secret store), so
    /// sessions survive restarts and are shared by all instances.
    pub fn from_secret(secret: &[u8]) -> Result<Self, LoginFrontError> {
        if secret.len() < 32 {
            return Err(LoginFrontError::Config(
                "the session secret must be at least 32 bytes".into(),
            ));
        }
        let prk = Salt::new(HKDF_SHA256, b"login-front session keys v1").extract(secret);
        let mut cookie = Zeroizing::new([0u8; 64]);
        let mut record = [0u8; 32];
        prk.expand(&[b"cookie"], Len(64))
            .and_then(|okm| okm.fill(&mut cookie[..]))
            .map_err(|_| LoginFrontError::Config("key derivation failed".into()))?;
        prk.expand(&[b"record"], Len(32))
            .and_then(|okm| okm.fill(&mut record))
            .map_err(|_| LoginFrontError::Config("key derivation failed".into()))?;
        Ok(Self {
            cookie: Key::from(&cookie[..]),
            record: RecordKey::from_bytes(record),
        })
    }

    /// Random keys: sessions end when the process does (development, tests).
    pub fn generate() -> Self {
        let mut secret = Zeroizing::new([0u8; 64]);
        aws_lc_rs::rand::fill(&mut secret[..]).expect("system randomness");
        Self::from_secret(&secret[..]).expect("64 bytes is long enough")
    }

    /// The key of the private session cookie.
    pub fn cookie_key(&self) -> Key {
        self.cookie.clone()
    }

    /// The key sealing session records ([`crate::EncryptedStore`]).
    pub fn record_key(&self) -> RecordKey {
        self.record.clone()
    }
}
