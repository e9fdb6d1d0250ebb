//! Per-user serialization of read-modify-write on this node. A code check
//! reads the user, compares, and writes the failure count back; without
//! this, parallel guesses would each see the same count and together try
//! more codes than the limit allows. Striped: a fixed set of locks, a user
//! hashing to one of them.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use tokio::sync::{Mutex, OwnedMutexGuard};
use uuid::Uuid;

use super::Idp;
use crate::error::{CognitoError, Result};
use crate::model::{User, UserPool};

const STRIPES: usize = 64;

pub struct UserLocks {
    stripes: Vec<Arc<Mutex<()>>>,
}

impl Default for UserLocks {
    fn default() -> Self {
        Self {
            stripes: (0..STRIPES).map(|_| Arc::new(Mutex::new(()))).collect(),
        }
    }
}

/// Held while one user is read, changed and written.
pub struct UserGuard(#[allow(dead_code)] OwnedMutexGuard<()>);

impl UserLocks {
    async fn lock(&self, pool_id: &str, sub: Uuid) -> UserGuard {
        let mut h = DefaultHasher::new();
        (pool_id, sub).hash(&mut h);
        let stripe = &self.stripes[(h.finish() as usize) % STRIPES];
        UserGuard(stripe.clone().lock_owned().await)
    }
}

impl Idp {
    /// Locks `user` and reads it again, so the change is made to what is
    /// stored now. Never hold two users' guards at once.
    pub(crate) async fn lock_user(
        &self,
        pool: &UserPool,
        user: &User,
    ) -> Result<(UserGuard, User)> {
        let guard = self.user_locks.lock(&pool.id, user.sub).await;
        let fresh = self
            .store
            .get_user_by_sub(&pool.id, user.sub)
            .await?
            .ok_or_else(|| CognitoError::UserNotFound("User does not exist.".into()))?;
        Ok((guard, fresh))
    }
}
