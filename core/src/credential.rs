//! Passwords at rest: a [`PasswordCredential`] typed by algorithm (Cognito's
//! SRP verifier, or argon2id for pools without SRP clients), sealed under the
//! master key, and the [`PasswordHasher`] that runs the costly derivations on
//! a bounded blocking pool so a burst of sign-ins cannot starve the runtime.
//!
//! SRP mixes the pool's *name* into the verifier: the part of the pool id
//! after the underscore (`us-east-1_AbC123` → `AbC123`), as Cognito's clients
//! take it with `userPoolId.split('_')[1]`. Functions here take the pool id
//! and derive it (a bare name passes through unchanged). The username is the
//! user's internal username, the one sent back as `USER_ID_FOR_SRP`.

use std::fmt;
use std::sync::{Arc, OnceLock};

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use argon2::{Algorithm, Argon2, Params, Version};
use aws_lc_rs::hmac;
use tokio::sync::Semaphore;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::crypto::{MasterKey, SecretString, random_bytes};
use crate::error::{CognitoError, Result};
use crate::model::pool::PasswordStorage;
use crate::srp::{self, ServerChallenge, SrpVerifier};

/// OWASP Password Storage Cheat Sheet, argon2id: m = 19 MiB, t = 2, p = 1.
const ARGON2_M_KIB: u32 = 19_456;
const ARGON2_T: u32 = 2;
const ARGON2_P: u32 = 1;

/// Tags of the binary form (first byte).
const TAG_SRP: u8 = 1;
const TAG_ARGON2ID: u8 = 2;

/// The record id a user's credential is sealed under.
pub fn credential_record_id(pool_id: &str, sub: &str) -> String {
    format!("credential:{pool_id}:{sub}")
}

/// A stored password, by algorithm.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub enum PasswordCredential {
    /// Cognito's SRP verifier: serves USER_SRP_AUTH and password sign-in.
    Srp(SrpVerifier),
    /// An argon2id PHC string: password sign-in only.
    Argon2id { phc: String },
}

impl fmt::Debug for PasswordCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Srp(_) => f.write_str("PasswordCredential::Srp(***)"),
            Self::Argon2id { .. } => f.write_str("PasswordCredential::Argon2id(***)"),
        }
    }
}

impl PasswordCredential {
    pub fn storage(&self) -> PasswordStorage {
        match self {
            Self::Srp(_) => PasswordStorage::Srp,
            Self::Argon2id { .. } => PasswordStorage::Argon2id,
        }
    }

    /// The SRP verifier, if this credential can answer USER_SRP_AUTH.
    pub fn srp_verifier(&self) -> Option<&SrpVerifier> {
        match self {
            Self::Srp(v) => Some(v),
            Self::Argon2id { .. } => None,
        }
    }

    /// Derives a credential in the calling thread (CPU-bound: one 3072-bit
    /// modexp, or one argon2id run). Async callers use [`PasswordHasher::derive`].
    pub fn derive_blocking(
        storage: PasswordStorage,
        pool_id: &str,
        username: &str,
        password: &str,
    ) -> Result<Self> {
        match storage {
            PasswordStorage::Srp => Ok(Self::Srp(SrpVerifier::derive(
                srp::pool_name_for_srp(pool_id),
                username,
                password,
            ))),
            PasswordStorage::Argon2id => {
                let salt = random_bytes::<16>();
                let phc = argon2()
                    .hash_password_with_salt(password.as_bytes(), &salt)
                    .map_err(|e| CognitoError::internal(format!("argon2id hashing failed: {e}")))?
                    .to_string();
                Ok(Self::Argon2id { phc })
            }
        }
    }

    /// Checks a password in the calling thread, in constant time with
    /// respect to the stored value. A malformed stored record is `false`
    /// (and logged), never a panic.
    pub fn verify_blocking(&self, pool_id: &str, username: &str, password: &str) -> bool {
        match self {
            Self::Srp(v) => v.verify_password(srp::pool_name_for_srp(pool_id), username, password),
            Self::Argon2id { phc } => match PasswordHash::new(phc) {
                // The parameters come from the stored hash, so older
                // hashes keep verifying after the defaults change.
                Ok(hash) => argon2().verify_password(password.as_bytes(), &hash).is_ok(),
                Err(e) => {
                    tracing::error!(error = %e, "stored argon2id hash does not parse");
                    false
                }
            },
        }
    }

    /// The binary form: a tag byte, then for SRP the salt length, salt and
    /// verifier; for argon2id the PHC string.
    pub fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        let mut out = Zeroizing::new(Vec::new());
        match self {
            Self::Srp(v) => {
                out.push(TAG_SRP);
                // Salts are 16 or 17 bytes (padHex), so a length byte is enough.
                out.push(u8::try_from(v.salt.len()).expect("salt shorter than 256 bytes"));
                out.extend_from_slice(&v.salt);
                out.extend_from_slice(&v.verifier);
            }
            Self::Argon2id { phc } => {
                out.push(TAG_ARGON2ID);
                out.extend_from_slice(phc.as_bytes());
            }
        }
        out
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let bad = || CognitoError::internal("stored password credential is malformed");
        match bytes.split_first() {
            Some((&TAG_SRP, rest)) => {
                let (&salt_len, rest) = rest.split_first().ok_or_else(bad)?;
                let salt_len = usize::from(salt_len);
                if salt_len == 0 || rest.len() <= salt_len {
                    return Err(bad());
                }
                let (salt, verifier) = rest.split_at(salt_len);
                Ok(Self::Srp(SrpVerifier {
                    salt: salt.to_vec(),
                    verifier: verifier.to_vec(),
                }))
            }
            Some((&TAG_ARGON2ID, rest)) => {
                let phc = std::str::from_utf8(rest).map_err(|_| bad())?;
                if !phc.starts_with("$argon2id$") {
                    return Err(bad());
                }
                Ok(Self::Argon2id {
                    phc: phc.to_owned(),
                })
            }
            _ => Err(bad()),
        }
    }

    /// Seals the credential for the user `sub` of pool `pool_id`.
    pub fn seal(&self, key: &MasterKey, pool_id: &str, sub: &str) -> Vec<u8> {
        key.seal(&credential_record_id(pool_id, sub), &self.to_bytes())
    }

    /// Opens a credential sealed by [`PasswordCredential::seal`] for the same user.
    pub fn open(key: &MasterKey, pool_id: &str, sub: &str, sealed: &[u8]) -> Result<Self> {
        let plain = Zeroizing::new(key.open(&credential_record_id(pool_id, sub), sealed)?);
        Self::from_bytes(&plain)
    }
}

fn argon2() -> Argon2<'static> {
    let params = Params::new(ARGON2_M_KIB, ARGON2_T, ARGON2_P, None)
        .expect("the OWASP argon2id parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Runs password derivations and checks (and any other CPU-heavy crypto) on
/// tokio's blocking pool, at most one per CPU at a time; the rest wait their
/// turn. Held in the application state; clones share the limit.
#[derive(Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
    decoys: Arc<Decoys>,
}

impl fmt::Debug for PasswordHasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PasswordHasher")
            .field("available_permits", &self.permits.available_permits())
            .finish_non_exhaustive()
    }
}

/// Stand-ins for users that do not exist, so their sign-ins cost what a real
/// one costs (CONVENTIONS 5; Cognito's PreventUserExistenceErrors).
struct Decoys {
    /// Keys the fake salts, so a missing user shows the same salt every time.
    salt_key: hmac::Key,
    /// An SRP verifier of a random password nobody knows.
    srp: OnceLock<SrpVerifier>,
    argon2id: OnceLock<PasswordCredential>,
}

impl PasswordHasher {
    /// A hasher with one permit per CPU. The master key only keys the
    /// decoy salts shown for users that do not exist.
    pub fn new(master: &MasterKey) -> Self {
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
        Self::with_permits(master, cpus)
    }

    pub fn with_permits(master: &MasterKey, permits: usize) -> Self {
        let master_text = Zeroizing::new(master.to_text());
        let mut ctx = hmac::Context::with_key(&hmac::Key::new(
            hmac::HMAC_SHA256,
            b"cognate decoy srp salt key v1",
        ));
        ctx.update(master_text.as_bytes());
        let salt_key = hmac::Key::new(hmac::HMAC_SHA256, ctx.sign().as_ref());
        Self {
            permits: Arc::new(Semaphore::new(permits.max(1))),
            decoys: Arc::new(Decoys {
                salt_key,
                srp: OnceLock::new(),
                argon2id: OnceLock::new(),
            }),
        }
    }

    /// Runs `work` on the blocking pool once a permit is free. The permit is
    /// held until the work ends, even if the caller stops waiting.
    pub async fn run<T, F>(&self, work: F) -> Result<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(CognitoError::internal)?;
        tokio::task::spawn_blocking(move || {
            let out = work();
            drop(permit);
            out
        })
        .await
        .map_err(CognitoError::internal)
    }

    /// Derives the credential a pool with `storage` keeps for a new password.
    pub async fn derive(
        &self,
        storage: PasswordStorage,
        pool_id: &str,
        username: &str,
        password: &SecretString,
    ) -> Result<PasswordCredential> {
        let (pool_id, username, password) = owned(pool_id, username, password);
        self.run(move || {
            PasswordCredential::derive_blocking(storage, &pool_id, &username, password.expose())
        })
        .await?
    }

    /// Checks a password against a stored credential.
    pub async fn verify(
        &self,
        credential: &PasswordCredential,
        pool_id: &str,
        username: &str,
        password: &SecretString,
    ) -> Result<bool> {
        let credential = credential.clone();
        let (pool_id, username, password) = owned(pool_id, username, password);
        self.run(move || credential.verify_blocking(&pool_id, &username, password.expose()))
            .await
    }

    /// Spends what [`PasswordHasher::verify`] spends for a user that does not
    /// exist, and answers `false`, so timing does not tell the two apart.
    pub async fn verify_unknown_user(
        &self,
        storage: PasswordStorage,
        pool_id: &str,
        username: &str,
        password: &SecretString,
    ) -> Result<bool> {
        let decoys = self.decoys.clone();
        let (pool_id, username, password) = owned(pool_id, username, password);
        self.run(move || {
            // The result is discarded: a decoy never lets anyone in.
            let _ = std::hint::black_box(decoys.verify(
                storage,
                &pool_id,
                &username,
                password.expose(),
            ));
            false
        })
        .await
    }

    /// The SRP challenge for a user (USER_SRP_AUTH → PASSWORD_VERIFIER).
    pub async fn srp_challenge(&self, verifier: &SrpVerifier) -> Result<ServerChallenge> {
        let verifier = verifier.clone();
        self.run(move || ServerChallenge::new(&verifier))
            .await?
            .map_err(CognitoError::from)
    }

    /// A stand-in verifier for a user that does not exist: its salt is the
    /// same on every request for that name (so salts do not reveal which
    /// names exist), and no password matches it. Pass it to
    /// [`PasswordHasher::srp_challenge`] to spend what a real challenge
    /// spends; then fail the response whatever it holds.
    pub async fn decoy_srp_verifier(&self, pool_id: &str, username: &str) -> Result<SrpVerifier> {
        let decoys = self.decoys.clone();
        let (pool_id, username) = (pool_id.to_owned(), username.to_owned());
        self.run(move || decoys.srp_verifier(&pool_id, &username))
            .await
    }

    /// Checks a PASSWORD_VERIFIER response against its challenge; see
    /// [`ServerChallenge::verify`] for the arguments.
    #[allow(clippy::too_many_arguments)]
    pub async fn srp_verify(
        &self,
        challenge: ServerChallenge,
        srp_a_hex: &str,
        secret_block_b64: &str,
        timestamp: &str,
        claimed_signature_b64: &str,
        pool_id: &str,
        user_id_for_srp: &str,
    ) -> Result<(), srp::SrpError> {
        let args = [
            srp_a_hex,
            secret_block_b64,
            timestamp,
            claimed_signature_b64,
            srp::pool_name_for_srp(pool_id),
            user_id_for_srp,
        ]
        .map(str::to_owned);
        self.run(move || {
            let [a, block, ts, sig, pool, user] = &args;
            challenge.verify(a, block, ts, sig, pool, user)
        })
        .await
        .unwrap_or(Err(srp::SrpError::MalformedRecord))
    }
}

impl Decoys {
    fn srp(&self) -> &SrpVerifier {
        self.srp.get_or_init(|| {
            let password = Zeroizing::new(random_bytes::<32>());
            let hex = Zeroizing::new(hex::encode(&password[..]));
            SrpVerifier::derive("decoy", "decoy", &hex)
        })
    }

    fn argon2id(&self) -> &PasswordCredential {
        self.argon2id.get_or_init(|| {
            let password = Zeroizing::new(random_bytes::<32>());
            let phc = argon2()
                .hash_password_with_salt(&*password, &random_bytes::<16>())
                .map(|h| h.to_string())
                // Hashing with valid parameters cannot fail; an empty hash
                // would still never verify.
                .unwrap_or_default();
            PasswordCredential::Argon2id { phc }
        })
    }

    /// The same work as checking a real credential of this kind.
    fn verify(&self, storage: PasswordStorage, pool_id: &str, username: &str, pw: &str) -> bool {
        match storage {
            PasswordStorage::Srp => {
                self.srp()
                    .verify_password(srp::pool_name_for_srp(pool_id), username, pw)
            }
            PasswordStorage::Argon2id => self.argon2id().verify_blocking(pool_id, username, pw),
        }
    }

    fn srp_verifier(&self, pool_id: &str, username: &str) -> SrpVerifier {
        let mut ctx = hmac::Context::with_key(&self.salt_key);
        ctx.update(pool_id.as_bytes());
        ctx.update(&[0]);
        ctx.update(username.as_bytes());
        let tag = ctx.sign();
        // Drawn like a real salt: 16 bytes in padHex form.
        let salt = srp::pad_hex(&tag.as_ref()[..16]);
        SrpVerifier {
            salt,
            verifier: self.srp().verifier.clone(),
        }
    }
}

fn owned(pool_id: &str, username: &str, password: &SecretString) -> (String, String, SecretString) {
    (pool_id.to_owned(), username.to_owned(), password.clone())
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD as BASE64;

    use super::*;
    use crate::srp::client::SrpClient;

    const POOL_ID: &str = "eu-west-1_AbC123xyz";
    const USER: &str = "2c9b6a52-0a8e-4d6a-9a51-3b1f3c7e8d10";

    fn pw(s: &str) -> SecretString {
        SecretString::new(s)
    }

    fn hasher() -> PasswordHasher {
        PasswordHasher::new(&MasterKey::generate())
    }

    #[tokio::test]
    async fn srp_credentials_verify_the_right_password_only() {
        let h = hasher();
        let cred = h
            .derive(PasswordStorage::Srp, POOL_ID, USER, &pw("Corr3ct-horse"))
            .await
            .unwrap();
        assert_eq!(cred.storage(), PasswordStorage::Srp);
        assert!(
            h.verify(&cred, POOL_ID, USER, &pw("Corr3ct-horse"))
                .await
                .unwrap()
        );
        assert!(
            !h.verify(&cred, POOL_ID, USER, &pw("corr3ct-horse"))
                .await
                .unwrap()
        );
        // The bare pool name works the same as the pool id.
        assert!(cred.verify_blocking("AbC123xyz", USER, "Corr3ct-horse"));
        assert!(!cred.verify_blocking("eu-west-1_Other", USER, "Corr3ct-horse"));
    }

    #[tokio::test]
    async fn argon2id_credentials_verify_the_right_password_only() {
        let h = hasher();
        let cred = h
            .derive(
                PasswordStorage::Argon2id,
                POOL_ID,
                USER,
                &pw("Corr3ct-horse"),
            )
            .await
            .unwrap();
        let PasswordCredential::Argon2id { phc } = &cred else {
            panic!("expected argon2id")
        };
        // OWASP parameters.
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(cred.srp_verifier().is_none());
        assert!(
            h.verify(&cred, POOL_ID, USER, &pw("Corr3ct-horse"))
                .await
                .unwrap()
        );
        assert!(
            !h.verify(&cred, POOL_ID, USER, &pw("Corr3ct-horsE"))
                .await
                .unwrap()
        );
        // A damaged stored hash is a failed check, not a panic.
        let broken = PasswordCredential::Argon2id {
            phc: "$argon2id$garbage".into(),
        };
        assert!(!broken.verify_blocking(POOL_ID, USER, "Corr3ct-horse"));
    }

    #[tokio::test]
    async fn sealed_credentials_open_only_for_their_user() {
        let key = MasterKey::generate();
        let h = PasswordHasher::new(&key);
        for storage in [PasswordStorage::Srp, PasswordStorage::Argon2id] {
            let cred = h
                .derive(storage, POOL_ID, USER, &pw("Pw-1234!"))
                .await
                .unwrap();
            let sealed = cred.seal(&key, POOL_ID, USER);
            let opened = PasswordCredential::open(&key, POOL_ID, USER, &sealed).unwrap();
            assert_eq!(opened, cred);
            assert!(PasswordCredential::open(&key, POOL_ID, "other-sub", &sealed).is_err());
            assert!(PasswordCredential::open(&key, "eu-west-1_Other", USER, &sealed).is_err());
            assert!(
                PasswordCredential::open(&MasterKey::generate(), POOL_ID, USER, &sealed).is_err()
            );
        }
        assert_eq!(
            credential_record_id(POOL_ID, USER),
            format!("credential:{POOL_ID}:{USER}")
        );
    }

    #[test]
    fn malformed_binary_forms_are_errors() {
        for bad in [
            &[][..],
            &[0],
            &[9, 1, 2],
            &[TAG_SRP],
            &[TAG_SRP, 0, 1],
            &[TAG_SRP, 5, 1, 2, 3],
            &[TAG_ARGON2ID, 0xff, 0xfe],
            b"\x02$argon2i$v=19$",
        ] {
            assert!(PasswordCredential::from_bytes(bad).is_err(), "{bad:?}");
        }
        let cred = PasswordCredential::Srp(SrpVerifier::derive("p", "u", "pw"));
        assert_eq!(
            PasswordCredential::from_bytes(&cred.to_bytes()).unwrap(),
            cred
        );
    }

    #[test]
    fn credentials_hide_their_secrets_from_debug() {
        let srp = PasswordCredential::Srp(SrpVerifier::derive("p", "u", "pw"));
        assert_eq!(format!("{srp:?}"), "PasswordCredential::Srp(***)");
        let a = PasswordCredential::Argon2id {
            phc: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        };
        assert!(!format!("{a:?}").contains("argon2id$v"));
        assert!(!format!("{:?}", hasher()).contains("salt_key"));
    }

    #[tokio::test]
    async fn unknown_users_cost_a_verification_and_never_pass() {
        let h = hasher();
        for storage in [PasswordStorage::Srp, PasswordStorage::Argon2id] {
            assert!(
                !h.verify_unknown_user(storage, POOL_ID, "nobody", &pw("anything"))
                    .await
                    .unwrap()
            );
        }
    }

    #[tokio::test]
    async fn decoy_salts_are_stable_per_user_and_look_real() {
        let h = hasher();
        let a1 = h.decoy_srp_verifier(POOL_ID, "ghost").await.unwrap();
        let a2 = h.decoy_srp_verifier(POOL_ID, "ghost").await.unwrap();
        let b = h.decoy_srp_verifier(POOL_ID, "phantom").await.unwrap();
        assert_eq!(a1.salt, a2.salt);
        assert_ne!(a1.salt, b.salt);
        // Another server key gives other salts.
        let other = hasher().decoy_srp_verifier(POOL_ID, "ghost").await.unwrap();
        assert_ne!(a1.salt, other.salt);
        // Same form as a real salt: 16 random bytes in padHex form.
        let real = SrpVerifier::derive("AbC123xyz", "ghost", "pw");
        for v in [&a1, &b, &real] {
            assert_eq!(srp::pad_hex(&v.salt), v.salt);
            assert!((14..=17).contains(&v.salt.len()));
        }
        // A decoy challenge runs, and no password answers it.
        let challenge = h.srp_challenge(&a1).await.unwrap();
        let client = SrpClient::new();
        let block = BASE64.encode(b"block");
        let ts = "Tue Nov 3 00:18:20 UTC 2026";
        let sig = client
            .password_claim_signature(
                "AbC123xyz",
                "ghost",
                "guess",
                &a1.salt_hex(),
                &challenge.srp_b_hex(),
                &block,
                ts,
            )
            .unwrap();
        let res = h
            .srp_verify(
                challenge,
                &client.srp_a_hex(),
                &block,
                ts,
                &sig,
                POOL_ID,
                "ghost",
            )
            .await;
        assert_eq!(res, Err(srp::SrpError::SignatureMismatch));
    }

    #[tokio::test]
    async fn srp_sign_in_through_the_hasher() {
        let h = hasher();
        let cred = h
            .derive(PasswordStorage::Srp, POOL_ID, USER, &pw("Pw-1234!"))
            .await
            .unwrap();
        let verifier = cred.srp_verifier().unwrap();
        let challenge = h.srp_challenge(verifier).await.unwrap();
        let client = SrpClient::new();
        let block = BASE64.encode(b"block");
        let ts = "Tue Nov 3 00:18:20 UTC 2026";
        let sig = client
            .password_claim_signature(
                srp::pool_name_for_srp(POOL_ID),
                USER,
                "Pw-1234!",
                &verifier.salt_hex(),
                &challenge.srp_b_hex(),
                &block,
                ts,
            )
            .unwrap();
        let res = h
            .srp_verify(
                challenge,
                &client.srp_a_hex(),
                &block,
                ts,
                &sig,
                POOL_ID,
                USER,
            )
            .await;
        assert_eq!(res, Ok(()));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn blocking_work_is_capped_at_the_permit_count() {
        let key = MasterKey::generate();
        let h = PasswordHasher::with_permits(&key, 2);
        let running = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let (h, running, peak) = (h.clone(), running.clone(), peak.clone());
                tokio::spawn(async move {
                    h.run(move || {
                        let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                        peak.fetch_max(now, Ordering::SeqCst);
                        std::thread::sleep(std::time::Duration::from_millis(20));
                        running.fetch_sub(1, Ordering::SeqCst);
                    })
                    .await
                    .unwrap();
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(peak.load(Ordering::SeqCst), 2);
    }
}
