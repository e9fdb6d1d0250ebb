//! Each pool's RS256 signing keys: made on first use, kept in the Store
//! sealed under the master key, and cached opened in memory.
//!
//! Several nodes may share one database. Two that race to make a pool's
//! first key both store theirs (the store keys rows by kid) and then re-read:
//! every node picks the same active key from the same rows, and a node that
//! meets a kid it has not seen reloads the pool's keys before refusing.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;
use tokio::sync::{Mutex, RwLock};

use super::Idp;
use crate::error::Result;
use crate::tokens::{PoolKeys, Verifier, new_signing_key};

/// A pool's opened keys and a verifier of its tokens.
#[derive(Debug)]
pub struct PoolKeySet {
    pub keys: PoolKeys,
    pub verifier: Verifier,
}

/// The in-memory cache of opened keys, shared by clones of the Idp.
#[derive(Default)]
pub struct KeyCache {
    pools: RwLock<HashMap<String, Arc<PoolKeySet>>>,
    /// Serializes key creation on this node (other nodes are handled by
    /// re-reading after insert).
    creating: Mutex<()>,
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
        if let Some(k) = self.keys.pools.read().await.get(pool_id) {
            return Ok(k.clone());
        }
        self.reload_pool_keys(pool_id).await
    }

    /// Reads the pool's keys from the store again (a key made or rotated on
    /// another node), making the first one if there is none.
    pub async fn reload_pool_keys(&self, pool_id: &str) -> Result<Arc<PoolKeySet>> {
        let records = self.store.signing_keys(pool_id).await?;
        let keys = match PoolKeys::open(&self.master_key, &records)? {
            Some(k) => k,
            None => self.create_pool_key(pool_id).await?,
        };
        let set = Arc::new(PoolKeySet {
            verifier: keys.verifier(&self.issuer(pool_id))?,
            keys,
        });
        self.keys
            .pools
            .write()
            .await
            .insert(pool_id.to_owned(), set.clone());
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

    /// The pool's JWKS document (RFC 7517 §5), read from the store so that
    /// keys made or rotated on other nodes appear at once. ResourceNotFound
    /// for an unknown pool.
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
