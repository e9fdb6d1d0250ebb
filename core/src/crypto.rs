//! Secrets at rest. Everything secret in the database is sealed with
//! AES-256-GCM under the server's master key, with a fresh random nonce per
//! record and the record's identity as associated data, so a sealed value
//! cannot be moved to another record unnoticed.

use std::fmt;

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::error::CognitoError;

/// Format version of a sealed record, so the scheme can change later.
const SEALED_V1: u8 = 1;

/// A password, code or token in memory: hidden from `Debug`, wiped on drop.
#[derive(Clone, Default, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct SecretString(String);

impl SecretString {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretString(***)")
    }
}

impl From<String> for SecretString {
    fn from(s: String) -> Self {
        Self(s)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("the master key must be 32 bytes (64 hex characters), got {0} bytes")]
    WrongLength(usize),
    #[error("the master key is not valid hex or base64")]
    Encoding,
}

/// The server's 256-bit master key.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct MasterKey([u8; 32]);

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterKey(***)")
    }
}

impl MasterKey {
    /// A new key, straight from the operating system's CSPRNG (getrandom):
    /// aws-lc's generator would first seed itself from CPU jitter, about
    /// 100 ms of CPU that a first start would otherwise wait for.
    pub fn generate() -> Self {
        use rand::TryRngCore as _;
        let mut k = [0u8; 32];
        rand::rngs::OsRng
            .try_fill_bytes(&mut k)
            .expect("the system random source failed");
        Self(k)
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Self, KeyError> {
        let k: [u8; 32] = bytes
            .try_into()
            .map_err(|_| KeyError::WrongLength(bytes.len()))?;
        Ok(Self(k))
    }

    /// Parses the text form: 64 hex characters (surrounding whitespace ignored).
    pub fn from_text(text: &str) -> Result<Self, KeyError> {
        let t = text.trim();
        if t.len() != 64 {
            return Err(KeyError::WrongLength(t.len() / 2));
        }
        let mut k = [0u8; 32];
        for (i, chunk) in t.as_bytes().chunks(2).enumerate() {
            let s = std::str::from_utf8(chunk).map_err(|_| KeyError::Encoding)?;
            k[i] = u8::from_str_radix(s, 16).map_err(|_| KeyError::Encoding)?;
        }
        Ok(Self(k))
    }

    pub fn to_text(&self) -> String {
        hex::encode(self.0)
    }

    fn key(&self) -> LessSafeKey {
        LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &self.0).expect("32-byte AES key"))
    }

    /// Seals `plaintext` for the record named by `record_id`.
    pub fn seal(&self, record_id: &str, plaintext: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new()
            .fill(&mut nonce)
            .expect("the system random source failed");
        let mut out = Vec::with_capacity(1 + NONCE_LEN + plaintext.len() + 16);
        out.push(SEALED_V1);
        out.extend_from_slice(&nonce);
        let mut body = plaintext.to_vec();
        self.key()
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(record_id.as_bytes()),
                &mut body,
            )
            .expect("AES-GCM sealing cannot fail for in-range lengths");
        out.extend_from_slice(&body);
        body.zeroize();
        out
    }

    /// Opens a value sealed for `record_id`; fails if it was sealed under
    /// another key, for another record, or altered.
    pub fn open(&self, record_id: &str, sealed: &[u8]) -> Result<Vec<u8>, CognitoError> {
        self.open_quietly(record_id, sealed).ok_or_else(|| {
            CognitoError::internal(format!("sealed record {record_id} does not open"))
        })
    }

    /// As [`MasterKey::open`], for values a client hands back (sessions):
    /// one that does not open is the client's mistake, not logged as ours.
    pub fn open_quietly(&self, record_id: &str, sealed: &[u8]) -> Option<Vec<u8>> {
        if sealed.len() < 1 + NONCE_LEN + 16 || sealed[0] != SEALED_V1 {
            return None;
        }
        let nonce: [u8; NONCE_LEN] = sealed[1..1 + NONCE_LEN].try_into().ok()?;
        let mut body = sealed[1 + NONCE_LEN..].to_vec();
        let plain = self
            .key()
            .open_in_place(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(record_id.as_bytes()),
                &mut body,
            )
            .ok()?
            .to_vec();
        body.zeroize();
        Some(plain)
    }

    /// HMAC-SHA256 of `data` under a key derived from the master key for
    /// `purpose`: a hash of a low-entropy secret (a 6-digit code) that a
    /// stolen database alone cannot brute-force.
    pub fn mac(&self, purpose: &str, data: &[u8]) -> [u8; 32] {
        use aws_lc_rs::hmac;
        let master = hmac::Key::new(hmac::HMAC_SHA256, &self.0);
        let derived = hmac::sign(&master, format!("cognate/mac/{purpose}").as_bytes());
        let key = hmac::Key::new(hmac::HMAC_SHA256, derived.as_ref());
        let mut out = [0u8; 32];
        out.copy_from_slice(hmac::sign(&key, data).as_ref());
        out
    }
}

/// How a sealed value starts where it is kept as text (a JSON string, a
/// TEXT column): a stored secret written before sealing never starts so
/// (client secrets are alphanumeric), so both forms read.
const SEALED_TEXT_PREFIX: &str = "sealed:v1:";

/// What [`MasterKey::open_text`] found.
#[derive(Debug, PartialEq, Eq)]
pub enum OpenedText {
    /// The value was sealed, and opened.
    Sealed(String),
    /// The value was stored before sealing: the text itself.
    Plain(String),
}

impl OpenedText {
    pub fn into_inner(self) -> String {
        match self {
            Self::Sealed(s) | Self::Plain(s) => s,
        }
    }
}

impl MasterKey {
    /// [`MasterKey::seal`] for a value kept as text: the prefix, then the
    /// sealed bytes in unpadded base64url.
    pub fn seal_text(&self, record_id: &str, plaintext: &str) -> String {
        use base64::Engine as _;
        let sealed = self.seal(record_id, plaintext.as_bytes());
        format!(
            "{SEALED_TEXT_PREFIX}{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sealed)
        )
    }

    /// Opens what [`MasterKey::seal_text`] made for `record_id`; text
    /// without the prefix was stored before sealing and is taken as it is.
    /// A sealed value that does not open (another key, another record,
    /// altered) is an error.
    pub fn open_text(&self, record_id: &str, stored: &str) -> Result<OpenedText, CognitoError> {
        use base64::Engine as _;
        let Some(encoded) = stored.strip_prefix(SEALED_TEXT_PREFIX) else {
            return Ok(OpenedText::Plain(stored.to_owned()));
        };
        let broken = || CognitoError::internal(format!("sealed record {record_id} does not open"));
        let sealed = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(encoded)
            .map_err(|_| broken())?;
        let plain = self.open(record_id, &sealed)?;
        String::from_utf8(plain)
            .map(OpenedText::Sealed)
            .map_err(|_| broken())
    }
}

/// Seeds aws-lc's random generator: its first use gathers CPU-jitter
/// entropy, about 100 ms of CPU once per process. The server calls this on
/// a thread of its own at start, so neither the start nor the first request
/// that needs randomness waits for it.
pub fn warm_up_random() {
    let _ = random_bytes::<1>();
}

/// Random bytes from the system's CSPRNG.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    SystemRandom::new()
        .fill(&mut b)
        .expect("the system random source failed");
    b
}

/// Constant-time equality for secrets (codes, hashes, signatures).
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    aws_lc_rs::constant_time::verify_slices_are_equal(a, b).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_text_opens_for_its_record_and_plain_text_reads_as_it_is() {
        let key = MasterKey::generate();
        let sealed = key.seal_text("client-secret:p_1:c1", "s3cret");
        assert!(sealed.starts_with(SEALED_TEXT_PREFIX) && !sealed.contains("s3cret"));
        assert_eq!(
            key.open_text("client-secret:p_1:c1", &sealed).unwrap(),
            OpenedText::Sealed("s3cret".into())
        );
        assert!(key.open_text("client-secret:p_1:c2", &sealed).is_err());
        assert!(
            MasterKey::generate()
                .open_text("client-secret:p_1:c1", &sealed)
                .is_err()
        );
        assert!(key.open_text("r", "sealed:v1:%%%").is_err());
        assert_eq!(
            key.open_text("r", "legacy").unwrap(),
            OpenedText::Plain("legacy".into())
        );
    }

    #[test]
    fn sealed_records_open_only_for_their_record_and_key() {
        let key = MasterKey::generate();
        let sealed = key.seal("user:p_1:abc:credential", b"verifier");
        assert!(!sealed.windows(8).any(|w| w == b"verifier"));
        assert_eq!(
            key.open("user:p_1:abc:credential", &sealed).unwrap(),
            b"verifier"
        );
        assert!(key.open("user:p_1:other:credential", &sealed).is_err());
        assert!(
            MasterKey::generate()
                .open("user:p_1:abc:credential", &sealed)
                .is_err()
        );
        let mut tampered = sealed.clone();
        *tampered.last_mut().unwrap() ^= 1;
        assert!(key.open("user:p_1:abc:credential", &tampered).is_err());
        // Fresh nonce each time.
        assert_ne!(sealed, key.seal("user:p_1:abc:credential", b"verifier"));
    }

    #[test]
    fn master_key_text_round_trip_and_errors() {
        let k = MasterKey::generate();
        let k2 = MasterKey::from_text(&format!("{}\n", k.to_text())).unwrap();
        assert_eq!(k.to_text(), k2.to_text());
        assert!(MasterKey::from_text("abcd").is_err());
        assert!(MasterKey::from_text(&"zz".repeat(32)).is_err());
        assert_eq!(format!("{k:?}"), "MasterKey(***)");
        assert_eq!(
            format!("{:?}", SecretString::new("pw")),
            "SecretString(***)"
        );
    }
}
