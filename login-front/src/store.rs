//! `EncryptedStore`: a tower-sessions store wrapper that seals each record
//! with AES-256-GCM before it reaches the inner store, so the tokens a
//! session holds are encrypted at rest whatever the store (SQLite,
//! PostgreSQL, Redis, memory). The record's id is the associated data: a
//! sealed record moved to another id does not open.

use std::collections::HashMap;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use async_trait::async_trait;
use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD as B64;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};
use zeroize::Zeroizing;

/// The data key of a sealed record in the inner store.
const SEALED: &str = "sealed.v1";
const NONCE_LEN: usize = 12;

/// A 256-bit key sealing session records. Its `Debug` hides it.
#[derive(Clone)]
pub struct RecordKey(Zeroizing<[u8; 32]>);

impl RecordKey {
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(Zeroizing::new(bytes))
    }
}

impl std::fmt::Debug for RecordKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecordKey(<hidden>)")
    }
}

/// Wraps any [`SessionStore`] so that records are stored sealed.
///
/// ```no_run
/// # use login_front::{EncryptedStore, SessionKeys};
/// # fn demo(inner: tower_sessions::MemoryStore) {
/// let keys = SessionKeys::generate();
/// let store = EncryptedStore::new(inner, keys.record_key());
/// # }
/// ```
#[derive(Clone)]
pub struct EncryptedStore<S> {
    inner: S,
    cipher: Aes256Gcm,
}

impl<S: std::fmt::Debug> std::fmt::Debug for EncryptedStore<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EncryptedStore")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

/// What is sealed: the data and the expiry (so a store-side change of the
/// expiry cannot extend a session).
#[derive(Serialize, Deserialize)]
struct Sealed {
    data: HashMap<String, serde_json::Value>,
    expires: i64,
}

impl<S> EncryptedStore<S> {
    pub fn new(inner: S, key: RecordKey) -> Self {
        let cipher = Aes256Gcm::new_from_slice(&key.0[..]).expect("a 32-byte key");
        Self { inner, cipher }
    }

    /// The wrapped store.
    pub fn inner(&self) -> &S {
        &self.inner
    }

    fn seal(&self, record: &Record) -> session_store::Result<Record> {
        let plain = Zeroizing::new(
            serde_json::to_vec(&Sealed {
                data: record.data.clone(),
                expires: record.expiry_date.unix_timestamp(),
            })
            .map_err(|e| session_store::Error::Encode(e.to_string()))?,
        );
        let mut nonce = [0u8; NONCE_LEN];
        aws_lc_rs::rand::fill(&mut nonce)
            .map_err(|_| session_store::Error::Encode("no randomness".into()))?;
        let aad = record.id.to_string();
        let ct = self
            .cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: &plain,
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| session_store::Error::Encode("sealing failed".into()))?;
        let mut blob = nonce.to_vec();
        blob.extend_from_slice(&ct);
        let mut data = HashMap::new();
        data.insert(
            SEALED.to_owned(),
            serde_json::Value::String(B64.encode(blob)),
        );
        Ok(Record {
            id: record.id,
            data,
            expiry_date: record.expiry_date,
        })
    }

    /// The opened record, or None when it does not open (another key, moved,
    /// tampered) or has expired: the caller then starts a fresh session.
    fn open(&self, sealed: Record) -> Option<Record> {
        let blob = B64.decode(sealed.data.get(SEALED)?.as_str()?).ok()?;
        if blob.len() < NONCE_LEN {
            return None;
        }
        let (nonce, ct) = blob.split_at(NONCE_LEN);
        let aad = sealed.id.to_string();
        let plain = Zeroizing::new(
            self.cipher
                .decrypt(
                    Nonce::from_slice(nonce),
                    Payload {
                        msg: ct,
                        aad: aad.as_bytes(),
                    },
                )
                .ok()?,
        );
        let opened: Sealed = serde_json::from_slice(&plain).ok()?;
        let expiry_date = OffsetDateTime::from_unix_timestamp(opened.expires).ok()?;
        if expiry_date <= OffsetDateTime::now_utc() {
            return None;
        }
        Some(Record {
            id: sealed.id,
            data: opened.data,
            expiry_date,
        })
    }
}

#[async_trait]
impl<S: SessionStore> SessionStore for EncryptedStore<S> {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        let mut sealed = self.seal(record)?;
        self.inner.create(&mut sealed).await?;
        if sealed.id != record.id {
            // The inner store picked another id (a collision): seal again
            // under it, since the id is the associated data.
            record.id = sealed.id;
            self.inner.save(&self.seal(record)?).await?;
        }
        Ok(())
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.inner.save(&self.seal(record)?).await
    }

    async fn load(&self, session_id: &Id) -> session_store::Result<Option<Record>> {
        let Some(sealed) = self.inner.load(session_id).await? else {
            return Ok(None);
        };
        let opened = self.open(sealed);
        if opened.is_none() {
            tracing::warn!("a session record did not open or has expired; starting afresh");
        }
        Ok(opened)
    }

    async fn delete(&self, session_id: &Id) -> session_store::Result<()> {
        self.inner.delete(session_id).await
    }
}

#[async_trait]
impl<S: ExpiredDeletion> ExpiredDeletion for EncryptedStore<S> {
    async fn delete_expired(&self) -> session_store::Result<()> {
        self.inner.delete_expired().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower_sessions::MemoryStore;

    fn record(secret: &str) -> Record {
        let mut data = HashMap::new();
        data.insert("token".to_owned(), serde_json::json!(secret));
        Record {
            id: Id::default(),
            data,
            expiry_date: OffsetDateTime::now_utc() + time::Duration::hours(1),
        }
    }

    #[tokio::test]
    async fn records_are_sealed_and_open_only_under_their_key_and_id() {
        let inner = MemoryStore::default();
        let store = EncryptedStore::new(inner.clone(), RecordKey::from_bytes([7; 32]));
        let mut r = record("eyJ-the-access-token");
        store.create(&mut r).await.unwrap();
        let raw = inner.load(&r.id).await.unwrap().unwrap();
        let raw_text = serde_json::to_string(&raw.data).unwrap();
        assert!(!raw_text.contains("eyJ-the-access-token"), "{raw_text}");
        assert_eq!(store.load(&r.id).await.unwrap().unwrap().data, r.data);

        // Another key opens nothing.
        let other = EncryptedStore::new(inner.clone(), RecordKey::from_bytes([8; 32]));
        assert!(other.load(&r.id).await.unwrap().is_none());

        // A sealed record copied under another id does not open.
        let moved = Record {
            id: Id::default(),
            ..raw
        };
        inner.save(&moved).await.unwrap();
        assert!(store.load(&moved.id).await.unwrap().is_none());
    }
}
