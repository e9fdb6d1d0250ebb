//! Pools and app clients, kept for a moment. Nearly every request reads
//! its client and its pool (a sign-in, a refresh, GetUser), and each read
//! is a query and a JSON document to parse; they change a few times a day.
//!
//! A change made through this node forgets the entry at once, so this node
//! never answers from an old configuration after its own write. A change
//! made on another node sharing the database is seen here within [`TTL`]
//! (Cognito's own configuration changes are eventually consistent too).
//! Reads that write back (UpdateUserPool, UpdateUserPoolClient,
//! SetUserPoolMfaConfig, DeleteUserPool's protection check) and the
//! Describe actions (DescribeUserPool counts users) go to the store, never
//! to this cache. Unknown ids are not remembered.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::model::{UserPool, UserPoolClient};

/// How long an entry may answer for the store.
pub(crate) const TTL: Duration = Duration::from_secs(1);

/// Most pools, and most clients, kept at once.
const CAPACITY: usize = 4_096;

struct Entry<T> {
    value: T,
    read_at: Instant,
}

struct Map<T>(Mutex<HashMap<String, Entry<T>>>);

impl<T> Default for Map<T> {
    fn default() -> Self {
        Self(Mutex::new(HashMap::new()))
    }
}

impl<T: Clone> Map<T> {
    fn entries(&self) -> MutexGuard<'_, HashMap<String, Entry<T>>> {
        // A panic elsewhere while holding the lock leaves a usable map.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn get(&self, key: &str) -> Option<T> {
        let entries = self.entries();
        let e = entries.get(key)?;
        (e.read_at.elapsed() < TTL).then(|| e.value.clone())
    }

    /// Keeps `value` unless a write was counted since `ticket`; checked
    /// under the map's lock, which [`Map::forget_where`] counts under too.
    fn put(&self, key: &str, value: T, writes: &AtomicU64, ticket: Ticket) {
        let mut entries = self.entries();
        if writes.load(Ordering::Acquire) != ticket.0 {
            return;
        }
        if entries.len() >= CAPACITY && !entries.contains_key(key) {
            entries.retain(|_, e| e.read_at.elapsed() < TTL);
            if entries.len() >= CAPACITY {
                entries.clear();
            }
        }
        let read_at = Instant::now();
        entries.insert(key.to_owned(), Entry { value, read_at });
    }

    fn forget_where(&self, writes: &AtomicU64, mut pred: impl FnMut(&String, &T) -> bool) {
        let mut entries = self.entries();
        writes.fetch_add(1, Ordering::AcqRel);
        entries.retain(|k, e| !pred(k, &e.value));
    }
}

/// The pools and clients this node read in the last [`TTL`].
#[derive(Default)]
pub(crate) struct ConfigCache {
    pools: Map<UserPool>,
    /// By client id, which is unique across pools.
    clients: Map<UserPoolClient>,
    /// Counts this node's writes, so that a read begun before one of them
    /// (and so perhaps older than it) is not kept after it.
    writes: AtomicU64,
}

/// Taken before a store read; the read is kept only if no write of this
/// node happened in between.
#[derive(Clone, Copy)]
pub(crate) struct Ticket(u64);

impl ConfigCache {
    pub(crate) fn ticket(&self) -> Ticket {
        Ticket(self.writes.load(Ordering::Acquire))
    }

    pub(crate) fn pool(&self, pool_id: &str) -> Option<UserPool> {
        self.pools.get(pool_id)
    }

    pub(crate) fn keep_pool(&self, pool: &UserPool, ticket: Ticket) {
        self.pools.put(&pool.id, pool.clone(), &self.writes, ticket);
    }

    pub(crate) fn client(&self, client_id: &str) -> Option<UserPoolClient> {
        self.clients.get(client_id)
    }

    pub(crate) fn keep_client(&self, client: &UserPoolClient, ticket: Ticket) {
        self.clients
            .put(&client.client_id, client.clone(), &self.writes, ticket);
    }

    /// Forgets a pool after this node changed it.
    pub(crate) fn forget_pool(&self, pool_id: &str) {
        self.pools.forget_where(&self.writes, |id, _| id == pool_id);
    }

    /// Forgets a pool and all of its clients (the pool was deleted).
    pub(crate) fn forget_pool_and_clients(&self, pool_id: &str) {
        self.forget_pool(pool_id);
        self.clients
            .forget_where(&self.writes, |_, c| c.user_pool_id == pool_id);
    }

    /// Forgets a client after this node changed or deleted it.
    pub(crate) fn forget_client(&self, client_id: &str) {
        self.clients
            .forget_where(&self.writes, |id, _| id == client_id);
    }
}
