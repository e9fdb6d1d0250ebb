//! Each pool's RS256 signing keys: made on first use, kept in the Store
//! sealed under the master key, and cached opened in memory.
//!
//! Several nodes may share one database. Two that race to make a pool's
//! first key both store theirs (the store keys rows by kid) and then re-read:
//! every node picks the same active key from the same rows. A key made or
//! rotated on another node reaches this one through [`Idp::reload_pool_keys`],
//! which reads the store at most once per pool per [`RELOAD_INTERVAL`]
//! (issue 12, item 9a: a flood of tokens with made-up kids, or of JWKS
//! requests, must not make a store read and an RSA key opening each).

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::Value;
use tokio::sync::{Mutex, RwLock};

use super::Idp;
use crate::clock::Timestamp;
use crate::error::Result;
use crate::tokens::{PoolKeys, Verifier, new_signing_key};

/// How long a pool's cached keys answer for the store before
/// [`Idp::reload_pool_keys`] reads it again: the longest a key made on
/// another node takes to appear in this node's JWKS and to verify here.
/// Short against token lifetimes (an hour by default), long against a
/// flood of requests.
pub const RELOAD_INTERVAL_MILLIS: i64 = 5_000;

/// A pool's opened keys and a verifier of its tokens.
#[derive(Debug)]
pub struct PoolKeySet {
    pub keys: PoolKeys,
    pub verifier: Verifier,
}

/// A pool's cached keys and when the store was last read for them.
struct Cached {
    set: Arc<PoolKeySet>,
    read_at: Timestamp,
}

/// The in-memory cache of opened keys, shared by clones of the Idp.
#[derive(Default)]
pub struct KeyCache {
    pools: RwLock<HashMap<String, Cached>>,
    /// Serializes key creation on this node (other nodes are handled by
    /// re-reading after insert).
    creating: Mutex<()>,
    /// Serializes reloads, so that many requests arriving together past
    /// the interval make one store read, not one each (held across pools:
    /// reloads are rare, at most one per pool per interval).
    reloading: Mutex<()>,
    /// Store reads of signing keys since start (see [`Idp::signing_key_reads`]).
    reads: AtomicU64,
}

impl std::fmt::Debug for KeyCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyCache").finish_non_exhaustive()
    }
}

impl Idp {
    /// The pool's keys, from the cache or the store; a pool with no active
    /// key gets one now. The caller has checked that the pool exists.
    pub async fn pool_keys(&self, pool_id: &str) -> Result<Arc<PoolKeySet>> {
        if let Some(c) = self.keys.pools.read().await.get(pool_id) {
            return Ok(c.set.clone());
        }
        // Through the reload, so that requests arriving together at a cold
        // cache read the store once.
        self.reload_pool_keys(pool_id).await
    }

    /// The pool's keys, read from the store again (a key made or rotated on
    /// another node) unless they were read in the last
    /// [`RELOAD_INTERVAL_MILLIS`]: the one place that decides when an
    /// unknown kid or a JWKS request may cost a store read.
    pub async fn reload_pool_keys(&self, pool_id: &str) -> Result<Arc<PoolKeySet>> {
        if let Some(set) = self.recent_pool_keys(pool_id).await {
            return Ok(set);
        }
        let _one_at_a_time = self.keys.reloading.lock().await;
        // Another task may have reloaded while this one waited.
        if let Some(set) = self.recent_pool_keys(pool_id).await {
            return Ok(set);
        }
        self.load_pool_keys(pool_id).await
    }

    /// The cached keys if the store was read for them within the interval.
    async fn recent_pool_keys(&self, pool_id: &str) -> Option<Arc<PoolKeySet>> {
        let now = self.clock.now().millis();
        let pools = self.keys.pools.read().await;
        let c = pools.get(pool_id)?;
        // A clock set back counts as the interval having passed.
        let age = now - c.read_at.millis();
        (0..RELOAD_INTERVAL_MILLIS)
            .contains(&age)
            .then(|| c.set.clone())
    }

    /// Store reads of signing keys this Idp has made: tests check with it
    /// that floods of unknown kids do not reach the store.
    pub fn signing_key_reads(&self) -> u64 {
        self.keys.reads.load(Ordering::Relaxed)
    }

    /// Reads the pool's keys from the store and caches them, making the
    /// first one if there is none.
    async fn load_pool_keys(&self, pool_id: &str) -> Result<Arc<PoolKeySet>> {
        let read_at = self.clock.now();
        self.keys.reads.fetch_add(1, Ordering::Relaxed);
        let records = self.store.signing_keys(pool_id).await?;
        let keys = match PoolKeys::open(&self.master_key, &records)? {
            Some(k) => k,
            // A key made here is in the cache at once.
            None => self.create_pool_key(pool_id).await?,
        };
        let set = Arc::new(PoolKeySet {
            verifier: keys.verifier(&self.issuer(pool_id))?,
            keys,
        });
        self.keys.pools.write().await.insert(
            pool_id.to_owned(),
            Cached {
                set: set.clone(),
                read_at,
            },
        );
        Ok(set)
    }

    async fn create_pool_key(&self, pool_id: &str) -> Result<PoolKeys> {
        let _guard = self.keys.creating.lock().await;
        // Another task of this node may have made it while we waited.
        let records = self.store.signing_keys(pool_id).await?;
        if let Some(k) = PoolKeys::open(&self.master_key, &records)? {
            return Ok(k);
        }
        let (master, pool, now) = (
            self.master_key.clone(),
            pool_id.to_owned(),
            self.clock.now(),
        );
        // RSA key generation is CPU-heavy: run it on the bounded pool.
        let (record, _signer) = self
            .hasher
            .run(move || new_signing_key(&master, &pool, now))
            .await??;
        self.store.put_signing_key(&record).await?;
        tracing::info!(pool_id, kid = %record.kid, "made the pool's first signing key");
        // Re-read: if another node raced us, every node now agrees on the
        // newest key of the same rows.
        let records = self.store.signing_keys(pool_id).await?;
        PoolKeys::open(&self.master_key, &records)?.ok_or_else(|| {
            crate::error::CognitoError::internal(format!(
                "the signing key of {pool_id} is not readable after insert"
            ))
        })
    }

    /// The pool's JWKS document (RFC 7517 §5), from the cached keys: keys
    /// made or rotated on other nodes appear within the reload interval.
    /// ResourceNotFound for an unknown pool.
    pub async fn jwks(&self, pool_id: &str) -> Result<Value> {
        self.pool(pool_id).await?;
        let set = self.reload_pool_keys(pool_id).await?;
        Ok(set.keys.jwks())
    }

    /// Forgets a pool's cached keys (after it is deleted).
    pub async fn forget_pool_keys(&self, pool_id: &str) {
        self.keys.pools.write().await.remove(pool_id);
    }
}
