//! Seeds a Cognate pool straight into its SQLite file, next to the running
//! server (SQLite in WAL mode takes a second writer in turn): a million
//! users over the API would take the better part of an hour. Users are
//! `user{i}` with `user{i}@bench.example`, as the API seeding makes them,
//! CONFIRMED, each with a credential sealed for them under the data
//! directory's master key. The verifier inside is computed once, for
//! `user0`: the seeded users fill the pool for ListUsers, they do not sign in.

use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use cognate_core::Timestamp;
use cognate_core::credential::PasswordCredential;
use cognate_core::crypto::MasterKey;
use cognate_core::model::pool::PasswordStorage;
use cognate_core::model::{User, UserStatus};
use cognate_core::store::{PoolStore, SqliteStore};

use crate::workloads::PASSWORD;

/// Users per transaction: each batch rewrites most leaf pages of the
/// indexes keyed by random `sub`s, so fewer, bigger batches write less.
const BATCH: usize = 100_000;

/// A Cognate data directory's master key and SQLite store (the server may
/// be running).
pub async fn open_data_dir(data_dir: &Path) -> anyhow::Result<(MasterKey, SqliteStore)> {
    let key_file = data_dir.join("master.key");
    let key = MasterKey::from_text(
        &std::fs::read_to_string(&key_file)
            .with_context(|| format!("cannot read {}", key_file.display()))?,
    )
    .map_err(|e| anyhow::anyhow!("{}: {e}", key_file.display()))?;
    let store = SqliteStore::open(&data_dir.join("cognate.db"))
        .await
        .map_err(|e| anyhow::anyhow!("cannot open the store: {}", e.message()))?;
    Ok((key, store))
}

/// Adds users `user{from}`..`user{to - 1}` to `pool_id`; returns the seconds taken.
pub async fn seed_sqlite(
    data_dir: &Path,
    pool_id: &str,
    from: usize,
    to: usize,
) -> anyhow::Result<f64> {
    let started = Instant::now();
    let (key, store) = open_data_dir(data_dir).await?;
    let pool = store
        .get_pool(pool_id)
        .await
        .map_err(|e| anyhow::anyhow!("{}", e.message()))?
        .with_context(|| format!("no pool {pool_id}"))?;
    let credential =
        PasswordCredential::derive_blocking(PasswordStorage::Srp, pool_id, "user0", PASSWORD)
            .map_err(|e| anyhow::anyhow!("{}", e.message()))?;
    let now = Timestamp(i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .as_millis(),
    )?);
    let mut next = from;
    while next < to {
        let end = (next + BATCH).min(to);
        let users: Vec<User> = (next..end)
            .map(|i| {
                let mut u = User::new(pool_id, &format!("user{i}"), now);
                u.set_attribute("email", &format!("user{i}@bench.example"));
                u.status = UserStatus::Confirmed;
                u.credential = Some(credential.seal(&key, pool_id, &u.sub.to_string()));
                u
            })
            .collect();
        store
            .bulk_insert_users(&pool, &users)
            .await
            .map_err(|e| anyhow::anyhow!("seeding failed: {}", e.message()))?;
        next = end;
    }
    store
        .checkpoint()
        .await
        .map_err(|e| anyhow::anyhow!("checkpoint failed: {}", e.message()))?;
    Ok(started.elapsed().as_secs_f64())
}
