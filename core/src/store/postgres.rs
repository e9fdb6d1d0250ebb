//! The PostgreSQL store, which several Cognate nodes can share. Uniqueness
//! comes from primary keys written in the user's transaction (READ
//! COMMITTED; a second writer of the same key waits for the first and then
//! sees the clash). Writes that deadlock with another are retried.

use std::future::Future;

use async_trait::async_trait;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgRow};
use sqlx::{FromRow, Postgres, QueryBuilder, Row, Transaction};
use uuid::Uuid;

use super::common::{
    FilterRange, UserRow, client_not_found, db, decode_key_token, decode_pair_token,
    decode_sub_token, encode_token, filter_range, from_json, group_exists, group_not_found,
    is_fk_violation, page_limits, paginate, pool_from_row, pool_not_found, range_start, to_json,
    unique_keys, user_json, user_not_found,
};
use super::{Page, SigningKey, Store, UserFilter};
use crate::clock::Timestamp;
use crate::error::{CognitoError, Result};
use crate::model::user::{KeyKind, UserKey};
use crate::model::{Group, User, UserPool, UserPoolClient};

const USER_COLUMNS: &str = "u.pool_id, u.sub::text AS sub, u.username, u.status, u.enabled, \
     u.created, u.modified, u.attributes::text AS attributes, u.credential, u.password_expires, \
     u.settings::text AS settings";

const POOL_SELECT: &str = "SELECT p.id, p.doc::text AS doc, \
     COALESCE((SELECT SUM(c.n) FROM user_counts c WHERE c.pool_id = p.id), 0)::bigint AS users \
     FROM pools p";

/// Shards of a pool's user counter: enough that concurrent sign-ups rarely
/// meet on one row, few enough that summing them is free.
const COUNT_SHARDS: u8 = 16;

/// Rows per multi-row INSERT when seeding; stays under the 65535-bind limit.
const BULK_CHUNK: usize = 1000;

/// Attempts at a write that lost a deadlock or serialization race.
const WRITE_ATTEMPTS: usize = 4;

type Tx = Transaction<'static, Postgres>;

pub struct PgStore {
    pub(super) pool: PgPool,
}

/// How a write transaction failed: a database error (maybe worth a retry)
/// or an answer for the caller.
enum TxError {
    Db(sqlx::Error),
    Fail(CognitoError),
}

impl From<sqlx::Error> for TxError {
    fn from(e: sqlx::Error) -> Self {
        Self::Db(e)
    }
}

impl From<CognitoError> for TxError {
    fn from(e: CognitoError) -> Self {
        Self::Fail(e)
    }
}

type TxResult<T> = std::result::Result<T, TxError>;

/// 40001 serialization_failure, 40P01 deadlock_detected: the transaction
/// was rolled back and running it again is safe.
fn is_retryable(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .and_then(|d| d.code())
        .is_some_and(|c| c == "40001" || c == "40P01")
}

async fn retrying<T, F, Fut>(f: F) -> Result<T>
where
    F: Fn() -> Fut,
    Fut: Future<Output = TxResult<T>>,
{
    let mut attempt = 1;
    loop {
        match f().await {
            Ok(v) => return Ok(v),
            Err(TxError::Fail(e)) => return Err(e),
            Err(TxError::Db(e)) if attempt < WRITE_ATTEMPTS && is_retryable(&e) => {
                tracing::debug!(error = %e, attempt, "retrying store write");
                attempt += 1;
            }
            Err(TxError::Db(e)) => return Err(db(e)),
        }
    }
}

impl PgStore {
    /// Connects to `url` and applies migrations.
    pub async fn connect(url: &str) -> Result<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .connect_with(Self::connect_options(url)?)
            .await
            .map_err(db)?;
        Self::from_pool(pool).await
    }

    /// The connection settings the store expects; a pool given to
    /// [`PgStore::from_pool`] should be built from them.
    pub fn connect_options(url: &str) -> Result<PgConnectOptions> {
        let options: PgConnectOptions = url.parse().map_err(db)?;
        // Every statement here is a key lookup or a bounded index range, for
        // which the generic plan is right. Left to choose, PostgreSQL keeps
        // re-planning the range queries on each call (a generic range on
        // parameters looks costly), which tripled their latency. And at 1M
        // users that generic estimate asks for a parallel worker, whose
        // start-up alone cost 9 ms on a query that reads one index page.
        Ok(options.options([
            ("plan_cache_mode", "force_generic_plan"),
            ("max_parallel_workers_per_gather", "0"),
        ]))
    }

    /// Uses an already-built pool (its connections decide the schema, e.g.
    /// through `search_path`) and applies migrations.
    pub async fn from_pool(pool: PgPool) -> Result<Self> {
        sqlx::migrate!("./migrations/postgres")
            .run(&pool)
            .await
            .map_err(CognitoError::internal)?;
        Ok(Self { pool })
    }

    /// Seeds many users at once (benchmarks), with their keys and index
    /// rows, in multi-row inserts inside one transaction. A clash fails the
    /// whole batch as an internal error; it checks nothing else.
    #[doc(hidden)]
    pub async fn bulk_insert_users(&self, pool: &UserPool, users: &[User]) -> Result<()> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        for chunk in users.chunks(BULK_CHUNK) {
            let mut rows = Vec::with_capacity(chunk.len());
            for u in chunk {
                let (attributes, settings) = user_json(u)?;
                rows.push((u, attributes, settings));
            }
            let mut q = QueryBuilder::<Postgres>::new(
                "INSERT INTO users (pool_id, sub, username, status, enabled, created, modified, \
                 attributes, credential, password_expires, settings) ",
            );
            q.push_values(rows, |mut b, (u, attributes, settings)| {
                b.push_bind(pool.id.clone())
                    .push_bind(u.sub.to_string())
                    .push_unseparated("::uuid")
                    .push_bind(u.username.clone())
                    .push_bind(u.status.as_str())
                    .push_bind(u.enabled)
                    .push_bind(u.created.0)
                    .push_bind(u.modified.0)
                    .push_bind(attributes)
                    .push_unseparated("::jsonb")
                    .push_bind(u.credential.clone())
                    .push_bind(u.password_expires.map(|t| t.0))
                    .push_bind(settings)
                    .push_unseparated("::jsonb");
            });
            q.build().execute(&mut *tx).await.map_err(db)?;

            let keys: Vec<(String, UserKey)> = chunk
                .iter()
                .flat_map(|u| {
                    let sub = u.sub.to_string();
                    unique_keys(pool, u)
                        .into_iter()
                        .map(move |k| (sub.clone(), k))
                })
                .collect();
            for part in keys.chunks(BULK_CHUNK) {
                let mut q = QueryBuilder::<Postgres>::new(
                    "INSERT INTO user_keys (pool_id, kind, value, sub) ",
                );
                q.push_values(part, |mut b, (sub, k)| {
                    b.push_bind(pool.id.clone())
                        .push_bind(k.kind.as_str())
                        .push_bind(k.value.clone())
                        .push_bind(sub.clone())
                        .push_unseparated("::uuid");
                });
                q.build().execute(&mut *tx).await.map_err(db)?;
            }

            let entries: Vec<(String, &'static str, String)> = chunk
                .iter()
                .flat_map(|u| {
                    let sub = u.sub.to_string();
                    u.index_entries()
                        .into_iter()
                        .map(move |(a, v)| (sub.clone(), a, v))
                })
                .collect();
            for part in entries.chunks(BULK_CHUNK) {
                let mut q = QueryBuilder::<Postgres>::new(
                    "INSERT INTO user_index (pool_id, attr, value, sub) ",
                );
                q.push_values(part, |mut b, (sub, attr, value)| {
                    b.push_bind(pool.id.clone())
                        .push_bind(*attr)
                        .push_bind(value.clone())
                        .push_bind(sub.clone())
                        .push_unseparated("::uuid");
                });
                q.build().execute(&mut *tx).await.map_err(db)?;
            }
        }
        add_to_count(&mut tx, &pool.id, 0, users.len() as i64)
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)
    }

    async fn try_create_user(&self, pool: &UserPool, user: &User) -> TxResult<()> {
        let (attributes, settings) = user_json(user)?;
        let mut tx = self.pool.begin().await?;
        let r = sqlx::query(
            "INSERT INTO users (pool_id, sub, username, status, enabled, created, modified, \
             attributes, credential, password_expires, settings) \
             VALUES ($1, $2::uuid, $3, $4, $5, $6, $7, $8::jsonb, $9, $10, $11::jsonb)",
        )
        .bind(&pool.id)
        .bind(user.sub.to_string())
        .bind(&user.username)
        .bind(user.status.as_str())
        .bind(user.enabled)
        .bind(user.created.0)
        .bind(user.modified.0)
        .bind(&attributes)
        .bind(user.credential.as_deref())
        .bind(user.password_expires.map(|t| t.0))
        .bind(&settings)
        .execute(&mut *tx)
        .await;
        match r {
            Ok(_) => {}
            Err(e) if is_fk_violation(&e) => return Err(pool_not_found(&pool.id).into()),
            Err(e) => return Err(e.into()),
        }
        insert_keys(&mut tx, pool, user).await?;
        insert_index(&mut tx, &pool.id, user).await?;
        // Last, so the counter row is locked only for the commit.
        add_to_count(&mut tx, &pool.id, shard_of(user.sub), 1).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn try_update_user(&self, pool: &UserPool, user: &User) -> TxResult<()> {
        let (attributes, settings) = user_json(user)?;
        let sub = user.sub.to_string();
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE users SET username = $1, status = $2, enabled = $3, created = $4, \
             modified = $5, attributes = $6::jsonb, credential = $7, password_expires = $8, \
             settings = $9::jsonb WHERE pool_id = $10 AND sub = $11::uuid",
        )
        .bind(&user.username)
        .bind(user.status.as_str())
        .bind(user.enabled)
        .bind(user.created.0)
        .bind(user.modified.0)
        .bind(&attributes)
        .bind(user.credential.as_deref())
        .bind(user.password_expires.map(|t| t.0))
        .bind(&settings)
        .bind(&pool.id)
        .bind(&sub)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(user_not_found().into());
        }
        for table in ["user_keys", "user_index"] {
            sqlx::query(&format!(
                "DELETE FROM {table} WHERE pool_id = $1 AND sub = $2::uuid"
            ))
            .bind(&pool.id)
            .bind(&sub)
            .execute(&mut *tx)
            .await?;
        }
        insert_keys(&mut tx, pool, user).await?;
        insert_index(&mut tx, &pool.id, user).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn try_delete_user(&self, pool_id: &str, sub: Uuid) -> TxResult<bool> {
        let mut tx = self.pool.begin().await?;
        // Keys, index rows and memberships go by ON DELETE CASCADE.
        let done = sqlx::query("DELETE FROM users WHERE pool_id = $1 AND sub = $2::uuid")
            .bind(pool_id)
            .bind(sub.to_string())
            .execute(&mut *tx)
            .await?;
        let deleted = done.rows_affected() > 0;
        if deleted {
            add_to_count(&mut tx, pool_id, shard_of(sub), -1).await?;
        }
        tx.commit().await?;
        Ok(deleted)
    }

    async fn try_membership(
        &self,
        pool_id: &str,
        group: &str,
        sub: Uuid,
        add: bool,
    ) -> TxResult<()> {
        let sub = sub.to_string();
        let mut tx = self.pool.begin().await?;
        // Cognito API: AdminAddUserToGroup, Errors — the group is checked first.
        let group_exists: Option<i32> =
            sqlx::query_scalar("SELECT 1 FROM user_groups WHERE pool_id = $1 AND name = $2")
                .bind(pool_id)
                .bind(group)
                .fetch_optional(&mut *tx)
                .await?;
        if group_exists.is_none() {
            return Err(group_not_found().into());
        }
        let user_exists: Option<i32> =
            sqlx::query_scalar("SELECT 1 FROM users WHERE pool_id = $1 AND sub = $2::uuid")
                .bind(pool_id)
                .bind(&sub)
                .fetch_optional(&mut *tx)
                .await?;
        if user_exists.is_none() {
            return Err(user_not_found().into());
        }
        let sql = if add {
            "INSERT INTO group_members (pool_id, group_name, sub) VALUES ($1, $2, $3::uuid) \
             ON CONFLICT DO NOTHING"
        } else {
            "DELETE FROM group_members WHERE pool_id = $1 AND group_name = $2 AND sub = $3::uuid"
        };
        let r = sqlx::query(sql)
            .bind(pool_id)
            .bind(group)
            .bind(&sub)
            .execute(&mut *tx)
            .await;
        match r {
            Ok(_) => {}
            // The group or user went away since the checks above.
            Err(e) if is_fk_violation(&e) => return Err(group_not_found().into()),
            Err(e) => return Err(e.into()),
        }
        tx.commit().await?;
        Ok(())
    }
}

/// A stable counter shard per user, so a create and its delete meet on
/// the same row.
fn shard_of(sub: Uuid) -> i16 {
    i16::from(sub.as_bytes()[0] % COUNT_SHARDS)
}

/// Writes a user's unique keys; the first one already taken is the clash.
/// ON CONFLICT DO NOTHING waits for a concurrent writer of the same key
/// and then reports the clash without aborting the transaction.
async fn insert_keys(tx: &mut Tx, pool: &UserPool, user: &User) -> TxResult<()> {
    let sub = user.sub.to_string();
    for key in unique_keys(pool, user) {
        let done = sqlx::query(
            "INSERT INTO user_keys (pool_id, kind, value, sub) VALUES ($1, $2, $3, $4::uuid) \
             ON CONFLICT DO NOTHING",
        )
        .bind(&pool.id)
        .bind(key.kind.as_str())
        .bind(&key.value)
        .bind(&sub)
        .execute(&mut **tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(key.kind.conflict_error(pool).into());
        }
    }
    Ok(())
}

async fn insert_index(tx: &mut Tx, pool_id: &str, user: &User) -> TxResult<()> {
    let entries = user.index_entries();
    if entries.is_empty() {
        return Ok(());
    }
    let sub = user.sub.to_string();
    let mut q =
        QueryBuilder::<Postgres>::new("INSERT INTO user_index (pool_id, attr, value, sub) ");
    q.push_values(entries, |mut b, (attr, value)| {
        b.push_bind(pool_id.to_owned())
            .push_bind(attr)
            .push_bind(value)
            .push_bind(sub.clone())
            .push_unseparated("::uuid");
    });
    q.build().execute(&mut **tx).await?;
    Ok(())
}

async fn add_to_count(
    tx: &mut Tx,
    pool_id: &str,
    shard: i16,
    delta: i64,
) -> std::result::Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO user_counts (pool_id, shard, n) VALUES ($1, $2, $3) \
         ON CONFLICT (pool_id, shard) DO UPDATE SET n = user_counts.n + excluded.n",
    )
    .bind(pool_id)
    .bind(shard)
    .bind(delta)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn check_pool(pool: &UserPool, user: &User) -> Result<()> {
    if pool.id != user.pool_id {
        return Err(CognitoError::internal(format!(
            "user of pool {} written to pool {}",
            user.pool_id, pool.id
        )));
    }
    Ok(())
}

fn user_from_row(row: &PgRow) -> Result<User> {
    UserRow::from_row(row).map_err(db)?.into_user()
}

fn pool_page_row(row: &PgRow) -> Result<(String, UserPool)> {
    let id: String = row.try_get("id").map_err(db)?;
    let doc: String = row.try_get("doc").map_err(db)?;
    let users: i64 = row.try_get("users").map_err(db)?;
    Ok((id, pool_from_row(&doc, users)?))
}

fn doc_row<T: serde::de::DeserializeOwned>(row: &PgRow, key: &str) -> Result<(String, T)> {
    let k: String = row.try_get(key).map_err(db)?;
    let doc: String = row.try_get("doc").map_err(db)?;
    Ok((k, from_json(&doc)?))
}

#[async_trait]
impl Store for PgStore {
    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn create_pool(&self, pool: &UserPool) -> Result<()> {
        sqlx::query("INSERT INTO pools (id, name, created, doc) VALUES ($1, $2, $3, $4::jsonb)")
            .bind(&pool.id)
            .bind(&pool.name)
            .bind(pool.creation_date.0)
            .bind(to_json(pool)?)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn get_pool(&self, pool_id: &str) -> Result<Option<UserPool>> {
        let row = sqlx::query(&format!("{POOL_SELECT} WHERE p.id = $1"))
            .bind(pool_id)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        row.map(|r| pool_page_row(&r).map(|(_, p)| p)).transpose()
    }

    async fn update_pool(&self, pool: &UserPool) -> Result<()> {
        let done = sqlx::query("UPDATE pools SET name = $1, doc = $2::jsonb WHERE id = $3")
            .bind(&pool.name)
            .bind(to_json(pool)?)
            .bind(&pool.id)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        if done.rows_affected() == 0 {
            return Err(pool_not_found(&pool.id));
        }
        Ok(())
    }

    async fn delete_pool(&self, pool_id: &str) -> Result<bool> {
        let done = sqlx::query("DELETE FROM pools WHERE id = $1")
            .bind(pool_id)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(done.rows_affected() > 0)
    }

    async fn list_pools(&self, limit: usize, token: Option<&str>) -> Result<Page<UserPool>> {
        let (limit, fetch) = page_limits(limit);
        let after = decode_key_token(token, "p")?;
        let mut q = QueryBuilder::<Postgres>::new(POOL_SELECT);
        if let Some(a) = after {
            q.push(" WHERE p.id > ").push_bind(a);
        }
        q.push(" ORDER BY p.id LIMIT ").push_bind(fetch);
        let rows = q.build().fetch_all(&self.pool).await.map_err(db)?;
        let rows = rows.iter().map(pool_page_row).collect::<Result<Vec<_>>>()?;
        Ok(paginate(rows, limit, |id| encode_token("p", &[id])))
    }

    async fn create_client(&self, client: &UserPoolClient) -> Result<()> {
        let r = sqlx::query(
            "INSERT INTO clients (client_id, pool_id, created, doc) VALUES ($1, $2, $3, $4::jsonb)",
        )
        .bind(&client.client_id)
        .bind(&client.user_pool_id)
        .bind(client.creation_date.0)
        .bind(to_json(client)?)
        .execute(&self.pool)
        .await;
        match r {
            Ok(_) => Ok(()),
            Err(e) if is_fk_violation(&e) => Err(pool_not_found(&client.user_pool_id)),
            Err(e) => Err(db(e)),
        }
    }

    async fn get_client(&self, pool_id: &str, client_id: &str) -> Result<Option<UserPoolClient>> {
        let doc: Option<String> = sqlx::query_scalar(
            "SELECT doc::text FROM clients WHERE client_id = $1 AND pool_id = $2",
        )
        .bind(client_id)
        .bind(pool_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        doc.map(|d| from_json(&d)).transpose()
    }

    async fn find_client(&self, client_id: &str) -> Result<Option<UserPoolClient>> {
        let doc: Option<String> =
            sqlx::query_scalar("SELECT doc::text FROM clients WHERE client_id = $1")
                .bind(client_id)
                .fetch_optional(&self.pool)
                .await
                .map_err(db)?;
        doc.map(|d| from_json(&d)).transpose()
    }

    async fn update_client(&self, client: &UserPoolClient) -> Result<()> {
        let done =
            sqlx::query("UPDATE clients SET doc = $1::jsonb WHERE client_id = $2 AND pool_id = $3")
                .bind(to_json(client)?)
                .bind(&client.client_id)
                .bind(&client.user_pool_id)
                .execute(&self.pool)
                .await
                .map_err(db)?;
        if done.rows_affected() == 0 {
            return Err(client_not_found(&client.client_id));
        }
        Ok(())
    }

    async fn delete_client(&self, pool_id: &str, client_id: &str) -> Result<bool> {
        let done = sqlx::query("DELETE FROM clients WHERE client_id = $1 AND pool_id = $2")
            .bind(client_id)
            .bind(pool_id)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(done.rows_affected() > 0)
    }

    async fn list_clients(
        &self,
        pool_id: &str,
        limit: usize,
        token: Option<&str>,
    ) -> Result<Page<UserPoolClient>> {
        let (limit, fetch) = page_limits(limit);
        let after = decode_key_token(token, "c")?;
        let mut q = QueryBuilder::<Postgres>::new(
            "SELECT client_id, doc::text AS doc FROM clients WHERE pool_id = ",
        );
        q.push_bind(pool_id);
        if let Some(a) = after {
            q.push(" AND client_id > ").push_bind(a);
        }
        q.push(" ORDER BY client_id LIMIT ").push_bind(fetch);
        let rows = q.build().fetch_all(&self.pool).await.map_err(db)?;
        let rows = rows
            .iter()
            .map(|r| doc_row(r, "client_id"))
            .collect::<Result<Vec<_>>>()?;
        Ok(paginate(rows, limit, |id| encode_token("c", &[id])))
    }

    async fn create_user(&self, pool: &UserPool, user: &User) -> Result<()> {
        check_pool(pool, user)?;
        retrying(move || self.try_create_user(pool, user)).await
    }

    async fn find_user(&self, pool_id: &str, key: &UserKey) -> Result<Option<User>> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM user_keys k \
             JOIN users u ON u.pool_id = k.pool_id AND u.sub = k.sub \
             WHERE k.pool_id = $1 AND k.kind = $2 AND k.value = $3"
        ))
        .bind(pool_id)
        .bind(key.kind.as_str())
        .bind(&key.value)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        row.map(|r| user_from_row(&r)).transpose()
    }

    async fn get_user_by_sub(&self, pool_id: &str, sub: Uuid) -> Result<Option<User>> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users u WHERE u.pool_id = $1 AND u.sub = $2::uuid"
        ))
        .bind(pool_id)
        .bind(sub.to_string())
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        row.map(|r| user_from_row(&r)).transpose()
    }

    async fn get_user_and_revocation(
        &self,
        pool_id: &str,
        sub: Uuid,
        origin_jti: &str,
    ) -> Result<Option<(User, bool)>> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS}, EXISTS (SELECT 1 FROM refresh_tokens t \
             WHERE t.origin_jti = $1 AND t.revoked IS NOT NULL) AS origin_revoked \
             FROM users u WHERE u.pool_id = $2 AND u.sub = $3::uuid"
        ))
        .bind(origin_jti)
        .bind(pool_id)
        .bind(sub.to_string())
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        row.map(|r| Ok((user_from_row(&r)?, r.try_get("origin_revoked").map_err(db)?)))
            .transpose()
    }

    async fn update_user(&self, pool: &UserPool, user: &User) -> Result<()> {
        check_pool(pool, user)?;
        retrying(move || self.try_update_user(pool, user)).await
    }

    async fn delete_user(&self, pool_id: &str, sub: Uuid) -> Result<bool> {
        retrying(move || self.try_delete_user(pool_id, sub)).await
    }

    async fn list_users(
        &self,
        pool_id: &str,
        filter: Option<&UserFilter>,
        limit: usize,
        token: Option<&str>,
    ) -> Result<Page<User>> {
        let (limit, fetch) = page_limits(limit);
        let Some(filter) = filter else {
            // Unfiltered: in username-key order, which is unique.
            let after = decode_key_token(token, "u")?;
            let mut q = QueryBuilder::<Postgres>::new(format!(
                "SELECT k.value AS cursor, {USER_COLUMNS} FROM user_keys k \
                 JOIN users u ON u.pool_id = k.pool_id AND u.sub = k.sub \
                 WHERE k.kind = '{}' AND k.pool_id = ",
                KeyKind::Username.as_str()
            ));
            q.push_bind(pool_id);
            if let Some(a) = after {
                q.push(" AND k.value > ").push_bind(a);
            }
            q.push(" ORDER BY k.value LIMIT ").push_bind(fetch);
            let rows = q.build().fetch_all(&self.pool).await.map_err(db)?;
            let rows = rows
                .iter()
                .map(|r| {
                    let cursor: String = r.try_get("cursor").map_err(db)?;
                    Ok((cursor, user_from_row(r)?))
                })
                .collect::<Result<Vec<_>>>()?;
            return Ok(paginate(rows, limit, |k| encode_token("u", &[k])));
        };

        let FilterRange {
            attribute,
            low,
            high,
            exact,
        } = filter_range(filter)?;
        let cursor = decode_pair_token(token, "f")?;
        let mut q = QueryBuilder::<Postgres>::new(format!(
            "SELECT i.value AS cursor_value, {USER_COLUMNS} FROM user_index i \
             JOIN users u ON u.pool_id = i.pool_id AND u.sub = i.sub \
             WHERE i.pool_id = "
        ));
        q.push_bind(pool_id);
        q.push(" AND i.attr = ").push_bind(attribute);
        if exact {
            q.push(" AND i.value = ").push_bind(low);
            if let Some((_, s)) = &cursor {
                q.push(" AND i.sub > ")
                    .push_bind(s.to_string())
                    .push("::uuid");
            }
        } else {
            q.push(" AND i.value >= ")
                .push_bind(range_start(low, cursor.as_ref()).to_owned());
            if let Some(h) = high {
                q.push(" AND i.value < ").push_bind(h);
            }
            if let Some((v, s)) = &cursor {
                q.push(" AND (i.value, i.sub) > (")
                    .push_bind(v.clone())
                    .push(", ")
                    .push_bind(s.to_string())
                    .push("::uuid)");
            }
        }
        q.push(" ORDER BY i.value, i.sub LIMIT ").push_bind(fetch);
        let rows = q.build().fetch_all(&self.pool).await.map_err(db)?;
        let rows = rows
            .iter()
            .map(|r| {
                let value: String = r.try_get("cursor_value").map_err(db)?;
                let user = user_from_row(r)?;
                Ok(((value, user.sub), user))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(paginate(rows, limit, |(v, s)| {
            encode_token("f", &[v, &s.to_string()])
        }))
    }

    async fn count_users(&self, pool_id: &str) -> Result<i64> {
        sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE pool_id = $1")
            .bind(pool_id)
            .fetch_one(&self.pool)
            .await
            .map_err(db)
    }

    async fn create_group(&self, group: &Group) -> Result<()> {
        let r = sqlx::query(
            "INSERT INTO user_groups (pool_id, name, doc) VALUES ($1, $2, $3::jsonb) \
             ON CONFLICT DO NOTHING",
        )
        .bind(&group.user_pool_id)
        .bind(&group.group_name)
        .bind(to_json(group)?)
        .execute(&self.pool)
        .await;
        match r {
            Ok(done) if done.rows_affected() == 0 => Err(group_exists(&group.group_name)),
            Ok(_) => Ok(()),
            Err(e) if is_fk_violation(&e) => Err(pool_not_found(&group.user_pool_id)),
            Err(e) => Err(db(e)),
        }
    }

    async fn get_group(&self, pool_id: &str, name: &str) -> Result<Option<Group>> {
        let doc: Option<String> = sqlx::query_scalar(
            "SELECT doc::text FROM user_groups WHERE pool_id = $1 AND name = $2",
        )
        .bind(pool_id)
        .bind(name)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        doc.map(|d| from_json(&d)).transpose()
    }

    async fn update_group(&self, group: &Group) -> Result<()> {
        let done =
            sqlx::query("UPDATE user_groups SET doc = $1::jsonb WHERE pool_id = $2 AND name = $3")
                .bind(to_json(group)?)
                .bind(&group.user_pool_id)
                .bind(&group.group_name)
                .execute(&self.pool)
                .await
                .map_err(db)?;
        if done.rows_affected() == 0 {
            return Err(group_not_found());
        }
        Ok(())
    }

    async fn delete_group(&self, pool_id: &str, name: &str) -> Result<bool> {
        let done = sqlx::query("DELETE FROM user_groups WHERE pool_id = $1 AND name = $2")
            .bind(pool_id)
            .bind(name)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(done.rows_affected() > 0)
    }

    async fn list_groups(
        &self,
        pool_id: &str,
        limit: usize,
        token: Option<&str>,
    ) -> Result<Page<Group>> {
        let (limit, fetch) = page_limits(limit);
        let after = decode_key_token(token, "g")?;
        let mut q = QueryBuilder::<Postgres>::new(
            "SELECT name, doc::text AS doc FROM user_groups WHERE pool_id = ",
        );
        q.push_bind(pool_id);
        if let Some(a) = after {
            q.push(" AND name > ").push_bind(a);
        }
        q.push(" ORDER BY name LIMIT ").push_bind(fetch);
        let rows = q.build().fetch_all(&self.pool).await.map_err(db)?;
        let rows = rows
            .iter()
            .map(|r| doc_row(r, "name"))
            .collect::<Result<Vec<_>>>()?;
        Ok(paginate(rows, limit, |n| encode_token("g", &[n])))
    }

    async fn add_user_to_group(&self, pool_id: &str, group: &str, sub: Uuid) -> Result<()> {
        retrying(move || self.try_membership(pool_id, group, sub, true)).await
    }

    async fn remove_user_from_group(&self, pool_id: &str, group: &str, sub: Uuid) -> Result<()> {
        retrying(move || self.try_membership(pool_id, group, sub, false)).await
    }

    async fn groups_of_user(&self, pool_id: &str, sub: Uuid) -> Result<Vec<Group>> {
        let rows = sqlx::query(
            "SELECT g.name, g.doc::text AS doc FROM group_members m \
             JOIN user_groups g ON g.pool_id = m.pool_id AND g.name = m.group_name \
             WHERE m.pool_id = $1 AND m.sub = $2::uuid",
        )
        .bind(pool_id)
        .bind(sub.to_string())
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter()
            .map(|r| doc_row(r, "name").map(|(_, g)| g))
            .collect()
    }

    async fn list_groups_for_user(
        &self,
        pool_id: &str,
        sub: Uuid,
        limit: usize,
        token: Option<&str>,
    ) -> Result<Page<Group>> {
        let (limit, fetch) = page_limits(limit);
        let after = decode_key_token(token, "m")?;
        let sub = sub.to_string();
        let exists: Option<i32> =
            sqlx::query_scalar("SELECT 1 FROM users WHERE pool_id = $1 AND sub = $2::uuid")
                .bind(pool_id)
                .bind(&sub)
                .fetch_optional(&self.pool)
                .await
                .map_err(db)?;
        if exists.is_none() {
            return Err(user_not_found());
        }
        let mut q = QueryBuilder::<Postgres>::new(
            "SELECT g.name, g.doc::text AS doc FROM group_members m \
             JOIN user_groups g ON g.pool_id = m.pool_id AND g.name = m.group_name \
             WHERE m.pool_id = ",
        );
        q.push_bind(pool_id);
        q.push(" AND m.sub = ").push_bind(sub).push("::uuid");
        if let Some(a) = after {
            q.push(" AND m.group_name > ").push_bind(a);
        }
        q.push(" ORDER BY m.group_name LIMIT ").push_bind(fetch);
        let rows = q.build().fetch_all(&self.pool).await.map_err(db)?;
        let rows = rows
            .iter()
            .map(|r| doc_row(r, "name"))
            .collect::<Result<Vec<_>>>()?;
        Ok(paginate(rows, limit, |n| encode_token("m", &[n])))
    }

    async fn list_users_in_group(
        &self,
        pool_id: &str,
        group: &str,
        limit: usize,
        token: Option<&str>,
    ) -> Result<Page<User>> {
        let (limit, fetch) = page_limits(limit);
        let after = decode_sub_token(token, "i")?;
        let exists: Option<i32> =
            sqlx::query_scalar("SELECT 1 FROM user_groups WHERE pool_id = $1 AND name = $2")
                .bind(pool_id)
                .bind(group)
                .fetch_optional(&self.pool)
                .await
                .map_err(db)?;
        if exists.is_none() {
            return Err(group_not_found());
        }
        let mut q = QueryBuilder::<Postgres>::new(format!(
            "SELECT {USER_COLUMNS} FROM group_members m \
             JOIN users u ON u.pool_id = m.pool_id AND u.sub = m.sub \
             WHERE m.pool_id = "
        ));
        q.push_bind(pool_id);
        q.push(" AND m.group_name = ").push_bind(group);
        if let Some(a) = after {
            q.push(" AND m.sub > ")
                .push_bind(a.to_string())
                .push("::uuid");
        }
        q.push(" ORDER BY m.sub LIMIT ").push_bind(fetch);
        let rows = q.build().fetch_all(&self.pool).await.map_err(db)?;
        let rows = rows
            .iter()
            .map(|r| user_from_row(r).map(|u| (u.sub, u)))
            .collect::<Result<Vec<_>>>()?;
        Ok(paginate(rows, limit, |s| {
            encode_token("i", &[&s.to_string()])
        }))
    }

    async fn put_signing_key(&self, key: &SigningKey) -> Result<()> {
        let r = sqlx::query(
            "INSERT INTO signing_keys (pool_id, kid, sealed, public_jwk, created, retired) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (pool_id, kid) DO UPDATE SET \
             sealed = excluded.sealed, public_jwk = excluded.public_jwk, \
             created = excluded.created, retired = excluded.retired",
        )
        .bind(&key.pool_id)
        .bind(&key.kid)
        .bind(&key.sealed_private_key)
        .bind(&key.public_jwk)
        .bind(key.created.0)
        .bind(key.retired.map(|t| t.0))
        .execute(&self.pool)
        .await;
        match r {
            Ok(_) => Ok(()),
            Err(e) if is_fk_violation(&e) => Err(pool_not_found(&key.pool_id)),
            Err(e) => Err(db(e)),
        }
    }

    async fn signing_keys(&self, pool_id: &str) -> Result<Vec<SigningKey>> {
        let rows = sqlx::query(
            "SELECT pool_id, kid, sealed, public_jwk, created, retired FROM signing_keys \
             WHERE pool_id = $1 ORDER BY created DESC, kid DESC",
        )
        .bind(pool_id)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter()
            .map(|r| {
                Ok(SigningKey {
                    pool_id: r.try_get("pool_id").map_err(db)?,
                    kid: r.try_get("kid").map_err(db)?,
                    sealed_private_key: r.try_get("sealed").map_err(db)?,
                    public_jwk: r.try_get("public_jwk").map_err(db)?,
                    created: Timestamp(r.try_get("created").map_err(db)?),
                    retired: r
                        .try_get::<Option<i64>, _>("retired")
                        .map_err(db)?
                        .map(Timestamp),
                })
            })
            .collect()
    }
}
