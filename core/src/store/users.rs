//! The user capability of the store. A user row comes with its unique keys
//! (username and aliases: the primary key of `user_keys` is what makes them
//! unique, across concurrent writers and nodes), its ListUsers index rows
//! and the pool's user counter, all written in one transaction.

use async_trait::async_trait;
use sqlx::{QueryBuilder, Row};
use uuid::Uuid;

use super::Page;
use super::common::{
    FilterRange, db, decode_key_token, decode_pair_token, encode_token, filter_range,
    is_fk_violation, page_limits, paginate, pool_not_found, range_start, unique_keys,
    user_from_row, user_json, user_not_found,
};
use crate::error::{CognitoError, Result};
use crate::model::user::{KeyKind, UserKey};
use crate::model::{User, UserPool};

/// A ListUsers filter on an indexed attribute (Cognito API: ListUsers, Filter).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UserFilter {
    /// `attr = "value"`
    Equals { attribute: String, value: String },
    /// `attr ^= "value"`
    Prefix { attribute: String, value: String },
}

#[async_trait]
pub trait UserStore: Send + Sync {
    /// Inserts a user with its unique keys and index rows in one
    /// transaction. A clash fails with `KeyKind::conflict_error` for the pool
    /// (UsernameExists or AliasExists) and writes nothing.
    async fn create_user(&self, pool: &UserPool, user: &User) -> Result<()>;
    /// Finds a user by one of its unique keys (value normalized by the caller).
    async fn find_user(&self, pool_id: &str, key: &UserKey) -> Result<Option<User>>;
    async fn get_user_by_sub(&self, pool_id: &str, sub: Uuid) -> Result<Option<User>>;
    /// The user, and whether the sign-in `origin_jti` was revoked: what a
    /// token-authorized action checks, in one read.
    async fn get_user_and_revocation(
        &self,
        pool_id: &str,
        sub: Uuid,
        origin_jti: &str,
    ) -> Result<Option<(User, bool)>>;
    /// Replaces a user, its keys and index rows atomically; clashes as in
    /// `create_user`; UserNotFound if it is gone.
    async fn update_user(&self, pool: &UserPool, user: &User) -> Result<()>;
    /// Deletes a user with its keys, index rows and memberships.
    async fn delete_user(&self, pool_id: &str, sub: Uuid) -> Result<bool>;
    /// Lists users in a stable order, optionally filtered through the index.
    async fn list_users(
        &self,
        pool_id: &str,
        filter: Option<&UserFilter>,
        limit: usize,
        token: Option<&str>,
    ) -> Result<Page<User>>;
    async fn count_users(&self, pool_id: &str) -> Result<i64>;
}

/// The columns of a user row (`common::UserRow`); the sub as text in both.
pub(crate) const USER_COLUMNS: &str = "u.pool_id, CAST(u.sub AS TEXT) AS sub, u.username, \
     u.status, u.enabled, u.created, u.modified, u.attributes, u.credential, \
     u.password_expires, u.settings";

const INSERT: &str = "INSERT INTO users (pool_id, sub, username, status, enabled, created, \
     modified, attributes, credential, password_expires, settings) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
const UPDATE: &str = "UPDATE users SET username = $3, status = $4, enabled = $5, created = $6, \
     modified = $7, attributes = $8, credential = $9, password_expires = $10, settings = $11 \
     WHERE pool_id = $1 AND sub = $2";
// Keys, index rows and memberships go by ON DELETE CASCADE.
const DELETE: &str = "DELETE FROM users WHERE pool_id = $1 AND sub = $2";
const DELETE_KEYS: &str = "DELETE FROM user_keys WHERE pool_id = $1 AND sub = $2";
const DELETE_INDEX: &str = "DELETE FROM user_index WHERE pool_id = $1 AND sub = $2";
/// ON CONFLICT DO NOTHING waits for a concurrent writer of the same key
/// (PostgreSQL) and then reports the clash without aborting the transaction.
const INSERT_KEY: &str = "INSERT INTO user_keys (pool_id, kind, value, sub) \
     VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING";
const ADD_TO_COUNT: &str = "INSERT INTO user_counts (pool_id, shard, n) VALUES ($1, $2, $3) \
     ON CONFLICT (pool_id, shard) DO UPDATE SET n = user_counts.n + excluded.n";
const COUNT: &str = "SELECT COUNT(*) FROM users WHERE pool_id = $1";

fn check_pool(pool: &UserPool, user: &User) -> Result<()> {
    if pool.id != user.pool_id {
        return Err(CognitoError::internal(format!(
            "user of pool {} written to pool {}",
            user.pool_id, pool.id
        )));
    }
    Ok(())
}

each_backend! {
    /// A stable counter shard per user, so a create and its delete meet on
    /// the same row.
    #[allow(clippy::modulo_one)] // SQLite keeps one shard.
    fn shard_of(sub: Uuid) -> i16 {
        i16::from(sub.as_bytes()[0] % DbStore::COUNT_SHARDS)
    }

    /// A user's row, bound in column order (`$1` its pool, `$2` its sub,
    /// then the rest) for INSERT and UPDATE alike.
    fn user_query<'q>(sql: &'q str, user: &'q User, json: &'q (String, String)) -> Query<'q> {
        let (attributes, settings) = json;
        sqlx::query(sql)
            .bind(&user.pool_id)
            .bind(DbStore::sub(user.sub))
            .bind(&user.username)
            .bind(user.status.as_str())
            .bind(user.enabled)
            .bind(user.created.0)
            .bind(user.modified.0)
            .bind(attributes)
            .bind(user.credential.as_deref())
            .bind(user.password_expires.map(|t| t.0))
            .bind(settings)
    }

    /// Writes a user's unique keys; the first one already taken is the clash.
    async fn insert_keys(tx: &mut Tx, pool: &UserPool, user: &User) -> TxResult<()> {
        for key in unique_keys(pool, user) {
            let done = sqlx::query(INSERT_KEY)
                .bind(&pool.id)
                .bind(key.kind.as_str())
                .bind(&key.value)
                .bind(DbStore::sub(user.sub))
                .execute(&mut **tx)
                .await?;
            if done.rows_affected() == 0 {
                return Err(key.kind.conflict_error(pool).into());
            }
        }
        Ok(())
    }

    async fn insert_index(tx: &mut Tx, pool_id: &str, user: &User) -> TxResult<()> {
        let rows: Vec<_> = user
            .index_entries()
            .into_iter()
            .map(|(attr, value)| (user.sub, attr, value))
            .collect();
        Ok(insert_index_rows(tx, pool_id, &rows).await?)
    }

    /// Writes ListUsers index rows `(sub, attribute, value)` in one INSERT.
    async fn insert_index_rows(
        tx: &mut Tx,
        pool_id: &str,
        rows: &[(Uuid, &'static str, String)],
    ) -> std::result::Result<(), sqlx::Error> {
        if rows.is_empty() {
            return Ok(());
        }
        let mut q = QueryBuilder::<Db>::new("INSERT INTO user_index (pool_id, attr, value, sub) ");
        q.push_values(rows, |mut b, (sub, attr, value)| {
            b.push_bind(pool_id)
                .push_bind(*attr)
                .push_bind(value)
                .push_bind(DbStore::sub(*sub));
        });
        q.build().execute(&mut **tx).await?;
        Ok(())
    }

    async fn add_to_count(tx: &mut Tx, pool_id: &str, shard: i16, delta: i64) -> TxResult<()> {
        sqlx::query(ADD_TO_COUNT)
            .bind(pool_id)
            .bind(shard)
            .bind(delta)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    #[async_trait]
    impl UserStore for DbStore {
        async fn create_user(&self, pool: &UserPool, user: &User) -> Result<()> {
            check_pool(pool, user)?;
            let json = &user_json(user)?;
            self.transaction(move |mut tx| {
                Box::pin(async move {
                    let r = user_query(INSERT, user, json).execute(&mut *tx).await;
                    match r {
                        Ok(_) => {}
                        Err(e) if is_fk_violation(&e) => {
                            return Err(pool_not_found(&pool.id).into());
                        }
                        Err(e) => return Err(e.into()),
                    }
                    insert_keys(&mut tx, pool, user).await?;
                    insert_index(&mut tx, &pool.id, user).await?;
                    // Last, so the counter row is locked only for the commit.
                    add_to_count(&mut tx, &pool.id, shard_of(user.sub), 1).await?;
                    tx.commit().await?;
                    Ok(())
                })
            })
            .await
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
            .fetch_optional(self.reader())
            .await
            .map_err(db)?;
            row.map(|r| user_from_row(&r)).transpose()
        }

        async fn get_user_by_sub(&self, pool_id: &str, sub: Uuid) -> Result<Option<User>> {
            let row = sqlx::query(&format!(
                "SELECT {USER_COLUMNS} FROM users u WHERE u.pool_id = $1 AND u.sub = $2"
            ))
            .bind(pool_id)
            .bind(DbStore::sub(sub))
            .fetch_optional(self.reader())
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
                 FROM users u WHERE u.pool_id = $2 AND u.sub = $3"
            ))
            .bind(origin_jti)
            .bind(pool_id)
            .bind(DbStore::sub(sub))
            .fetch_optional(self.reader())
            .await
            .map_err(db)?;
            row.map(|r| Ok((user_from_row(&r)?, r.try_get("origin_revoked").map_err(db)?)))
                .transpose()
        }

        async fn update_user(&self, pool: &UserPool, user: &User) -> Result<()> {
            check_pool(pool, user)?;
            let json = &user_json(user)?;
            self.transaction(move |mut tx| {
                Box::pin(async move {
                    let done = user_query(UPDATE, user, json).execute(&mut *tx).await?;
                    if done.rows_affected() == 0 {
                        return Err(user_not_found().into());
                    }
                    for sql in [DELETE_KEYS, DELETE_INDEX] {
                        sqlx::query(sql)
                            .bind(&pool.id)
                            .bind(DbStore::sub(user.sub))
                            .execute(&mut *tx)
                            .await?;
                    }
                    insert_keys(&mut tx, pool, user).await?;
                    insert_index(&mut tx, &pool.id, user).await?;
                    tx.commit().await?;
                    Ok(())
                })
            })
            .await
        }

        async fn delete_user(&self, pool_id: &str, sub: Uuid) -> Result<bool> {
            self.transaction(move |mut tx| {
                Box::pin(async move {
                    let done = sqlx::query(DELETE)
                        .bind(pool_id)
                        .bind(DbStore::sub(sub))
                        .execute(&mut *tx)
                        .await?;
                    let deleted = done.rows_affected() > 0;
                    if deleted {
                        add_to_count(&mut tx, pool_id, shard_of(sub), -1).await?;
                    }
                    tx.commit().await?;
                    Ok(deleted)
                })
            })
            .await
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
                let select = format!(
                    "SELECT k.value AS cursor, {USER_COLUMNS} FROM user_keys k \
                     JOIN users u ON u.pool_id = k.pool_id AND u.sub = k.sub \
                     WHERE k.pool_id = $1 AND k.kind = '{}'",
                    KeyKind::Username.as_str()
                );
                let sql = match after {
                    Some(_) => format!("{select} AND k.value > $2 ORDER BY k.value LIMIT $3"),
                    None => format!("{select} ORDER BY k.value LIMIT $2"),
                };
                let mut q = sqlx::query(&sql).bind(pool_id);
                if let Some(a) = &after {
                    q = q.bind(a);
                }
                let rows = q.bind(fetch).fetch_all(self.reader()).await.map_err(db)?;
                let rows = rows
                    .iter()
                    .map(|r| {
                        let cursor: String = r.try_get("cursor").map_err(db)?;
                        Ok((cursor, user_from_row(r)?))
                    })
                    .collect::<Result<Vec<_>>>()?;
                return Ok(paginate(rows, limit, |k| encode_token("u", &[k])));
            };

            // Filtered: a range of the index, in (value, sub) order.
            let FilterRange {
                attribute,
                low,
                high,
                exact,
            } = filter_range(filter)?;
            let cursor = decode_pair_token(token, "f")?;
            let mut q = QueryBuilder::<Db>::new(format!(
                "SELECT i.value AS cursor_value, {USER_COLUMNS} FROM user_index i \
                 JOIN users u ON u.pool_id = i.pool_id AND u.sub = i.sub \
                 WHERE i.pool_id = "
            ));
            q.push_bind(pool_id);
            q.push(" AND i.attr = ").push_bind(attribute);
            if exact {
                q.push(" AND i.value = ").push_bind(low);
                if let Some((_, s)) = &cursor {
                    q.push(" AND i.sub > ").push_bind(DbStore::sub(*s));
                }
            } else {
                q.push(" AND i.value >= ")
                    .push_bind(range_start(low, cursor.as_ref()));
                if let Some(h) = &high {
                    q.push(" AND i.value < ").push_bind(h);
                }
                if let Some((v, s)) = &cursor {
                    q.push(" AND (i.value, i.sub) > (")
                        .push_bind(v)
                        .push(", ")
                        .push_bind(DbStore::sub(*s))
                        .push(")");
                }
            }
            q.push(" ORDER BY i.value, i.sub LIMIT ").push_bind(fetch);
            let rows = q.build().fetch_all(self.reader()).await.map_err(db)?;
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
            sqlx::query_scalar(COUNT)
                .bind(pool_id)
                .fetch_one(self.reader())
                .await
                .map_err(db)
        }
    }

    impl DbStore {
        /// Seeds many users at once (benchmarks), with their keys and index
        /// rows, in multi-row inserts inside one transaction. A clash fails
        /// the whole batch as an internal error; it checks nothing else.
        #[doc(hidden)]
        pub async fn bulk_insert_users(&self, pool: &UserPool, users: &[User]) -> Result<()> {
            let mut tx = self.bulk_transaction().await?;
            for chunk in users.chunks(DbStore::BULK_CHUNK) {
                let mut rows = Vec::with_capacity(chunk.len());
                for u in chunk {
                    let (attributes, settings) = user_json(u)?;
                    rows.push((u, attributes, settings));
                }
                let mut q = QueryBuilder::<Db>::new(
                    "INSERT INTO users (pool_id, sub, username, status, enabled, created, \
                     modified, attributes, credential, password_expires, settings) ",
                );
                q.push_values(rows, |mut b, (u, attributes, settings)| {
                    b.push_bind(&pool.id)
                        .push_bind(DbStore::sub(u.sub))
                        .push_bind(&u.username)
                        .push_bind(u.status.as_str())
                        .push_bind(u.enabled)
                        .push_bind(u.created.0)
                        .push_bind(u.modified.0)
                        .push_bind(attributes)
                        .push_bind(u.credential.as_deref())
                        .push_bind(u.password_expires.map(|t| t.0))
                        .push_bind(settings);
                });
                q.build().execute(&mut *tx).await.map_err(db)?;

                let keys: Vec<(Uuid, UserKey)> = chunk
                    .iter()
                    .flat_map(|u| unique_keys(pool, u).into_iter().map(move |k| (u.sub, k)))
                    .collect();
                for part in keys.chunks(DbStore::BULK_CHUNK) {
                    let mut q = QueryBuilder::<Db>::new(
                        "INSERT INTO user_keys (pool_id, kind, value, sub) ",
                    );
                    q.push_values(part, |mut b, (sub, k)| {
                        b.push_bind(&pool.id)
                            .push_bind(k.kind.as_str())
                            .push_bind(&k.value)
                            .push_bind(DbStore::sub(*sub));
                    });
                    q.build().execute(&mut *tx).await.map_err(db)?;
                }

                let entries: Vec<(Uuid, &'static str, String)> = chunk
                    .iter()
                    .flat_map(|u| {
                        u.index_entries()
                            .into_iter()
                            .map(move |(a, v)| (u.sub, a, v))
                    })
                    .collect();
                for part in entries.chunks(DbStore::BULK_CHUNK) {
                    insert_index_rows(&mut tx, &pool.id, part)
                        .await
                        .map_err(db)?;
                }
            }
            // Seeding counts on the first shard: only the sum is read.
            add_to_count(&mut tx, &pool.id, 0, users.len() as i64)
                .await
                .map_err(CognitoError::from)?;
            tx.commit().await.map_err(db)
        }
    }
}
