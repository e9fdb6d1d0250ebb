//! The SQLite store: one file, WAL journal, `synchronous=FULL` so that an
//! acknowledged write survives a crash of the process or the machine.
//! SQLite has a single writer, so every write goes through a one-connection
//! pool with `BEGIN IMMEDIATE` (our writers queue instead of failing with
//! SQLITE_BUSY); reads use a small pool of their own.

use std::path::Path;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{FromRow, QueryBuilder, Row, Sqlite, Transaction};
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

const USER_COLUMNS: &str = "u.pool_id, u.sub, u.username, u.status, u.enabled, u.created, \
     u.modified, u.attributes, u.credential, u.password_expires, u.settings";

/// Rows per multi-row INSERT when seeding; stays under SQLite's bind limit.
const BULK_CHUNK: usize = 400;

type Tx = Transaction<'static, Sqlite>;

pub struct SqliteStore {
    pub(super) write: SqlitePool,
    pub(super) read: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if needed) the database file and applies migrations.
    pub async fn open(path: &Path) -> Result<Self> {
        create_private(path)?;
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // With WAL, NORMAL may lose the last commits on power loss; FULL
            // syncs the WAL at every commit.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            // Other processes (a backup, the CLI) may hold the lock briefly.
            .busy_timeout(Duration::from_secs(10));
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options.clone())
            .await
            .map_err(db)?;
        sqlx::migrate!("./migrations/sqlite")
            .run(&write)
            .await
            .map_err(CognitoError::internal)?;
        let read = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(db)?;
        Ok(Self { write, read })
    }

    async fn begin(&self) -> Result<Tx> {
        self.write.begin_with("BEGIN IMMEDIATE").await.map_err(db)
    }

    /// Seeds many users at once (benchmarks), with their keys and index
    /// rows, in multi-row inserts inside one transaction. A clash fails the
    /// whole batch as an internal error; it checks nothing else.
    #[doc(hidden)]
    pub async fn bulk_insert_users(&self, pool: &UserPool, users: &[User]) -> Result<()> {
        let mut tx = self.begin().await?;
        // Random UUID keys scatter the inserts over B-trees that outgrow the
        // default 2 MB page cache past ~100k users: every miss is a read,
        // and a transaction whose dirty pages overflow the cache spills
        // them to the WAL early. This connection (used for seeding only)
        // keeps up to 1 GiB of pages, so a big batch writes each touched
        // page once.
        sqlx::query("PRAGMA cache_size = -1048576")
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        for chunk in users.chunks(BULK_CHUNK) {
            let mut rows = Vec::with_capacity(chunk.len());
            for u in chunk {
                let (attributes, settings) = user_json(u)?;
                rows.push((u, attributes, settings));
            }
            let mut q = QueryBuilder::<Sqlite>::new(
                "INSERT INTO users (pool_id, sub, username, status, enabled, created, modified, \
                 attributes, credential, password_expires, settings) ",
            );
            q.push_values(rows, |mut b, (u, attributes, settings)| {
                b.push_bind(pool.id.clone())
                    .push_bind(u.sub.to_string())
                    .push_bind(u.username.clone())
                    .push_bind(u.status.as_str())
                    .push_bind(u.enabled)
                    .push_bind(u.created.0)
                    .push_bind(u.modified.0)
                    .push_bind(attributes)
                    .push_bind(u.credential.clone())
                    .push_bind(u.password_expires.map(|t| t.0))
                    .push_bind(settings);
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
                let mut q = QueryBuilder::<Sqlite>::new(
                    "INSERT INTO user_keys (pool_id, kind, value, sub) ",
                );
                q.push_values(part, |mut b, (sub, k)| {
                    b.push_bind(pool.id.clone())
                        .push_bind(k.kind.as_str())
                        .push_bind(k.value.clone())
                        .push_bind(sub.clone());
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
                let mut q = QueryBuilder::<Sqlite>::new(
                    "INSERT INTO user_index (pool_id, attr, value, sub) ",
                );
                q.push_values(part, |mut b, (sub, attr, value)| {
                    b.push_bind(pool.id.clone())
                        .push_bind(*attr)
                        .push_bind(value.clone())
                        .push_bind(sub.clone());
                });
                q.build().execute(&mut *tx).await.map_err(db)?;
            }
        }
        add_to_count(&mut tx, &pool.id, users.len() as i64).await?;
        tx.commit().await.map_err(db)
    }

    /// Copies the whole WAL into the database file and empties it (after
    /// seeding: readers then find every page in the file, and the next
    /// open has no log to scan). Waits for readers in progress.
    #[doc(hidden)]
    pub async fn checkpoint(&self) -> Result<()> {
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&self.write)
            .await
            .map_err(db)?;
        Ok(())
    }
}

/// Writes a user's unique keys; the first one already taken is the clash.
async fn insert_keys(tx: &mut Tx, pool: &UserPool, user: &User) -> Result<()> {
    let sub = user.sub.to_string();
    for key in unique_keys(pool, user) {
        let done = sqlx::query(
            "INSERT INTO user_keys (pool_id, kind, value, sub) VALUES (?, ?, ?, ?) \
             ON CONFLICT DO NOTHING",
        )
        .bind(&pool.id)
        .bind(key.kind.as_str())
        .bind(&key.value)
        .bind(&sub)
        .execute(&mut **tx)
        .await
        .map_err(db)?;
        if done.rows_affected() == 0 {
            return Err(key.kind.conflict_error(pool));
        }
    }
    Ok(())
}

async fn insert_index(tx: &mut Tx, pool_id: &str, user: &User) -> Result<()> {
    let entries = user.index_entries();
    if entries.is_empty() {
        return Ok(());
    }
    let sub = user.sub.to_string();
    let mut q = QueryBuilder::<Sqlite>::new("INSERT INTO user_index (pool_id, attr, value, sub) ");
    q.push_values(entries, |mut b, (attr, value)| {
        b.push_bind(pool_id.to_owned())
            .push_bind(attr)
            .push_bind(value)
            .push_bind(sub.clone());
    });
    q.build().execute(&mut **tx).await.map_err(db)?;
    Ok(())
}

async fn add_to_count(tx: &mut Tx, pool_id: &str, delta: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO user_counts (pool_id, shard, n) VALUES (?, 0, ?) \
         ON CONFLICT (pool_id, shard) DO UPDATE SET n = n + excluded.n",
    )
    .bind(pool_id)
    .bind(delta)
    .execute(&mut **tx)
    .await
    .map_err(db)?;
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

fn user_from_row(row: &SqliteRow) -> Result<User> {
    UserRow::from_row(row).map_err(db)?.into_user()
}

fn pool_page_row(row: &SqliteRow) -> Result<(String, UserPool)> {
    let id: String = row.try_get("id").map_err(db)?;
    let doc: String = row.try_get("doc").map_err(db)?;
    let users: i64 = row.try_get("users").map_err(db)?;
    Ok((id, pool_from_row(&doc, users)?))
}

fn doc_row<T: serde::de::DeserializeOwned>(row: &SqliteRow, key: &str) -> Result<(String, T)> {
    let k: String = row.try_get(key).map_err(db)?;
    let doc: String = row.try_get("doc").map_err(db)?;
    Ok((k, from_json(&doc)?))
}

const POOL_SELECT: &str = "SELECT p.id, p.doc, \
     COALESCE((SELECT SUM(c.n) FROM user_counts c WHERE c.pool_id = p.id), 0) AS users \
     FROM pools p";

/// Creates the database file, if there is none, readable by its owner only
/// (0600, whatever the umask) before SQLite opens it: SQLite gives its
/// -wal and -shm files the mode of the database file.
fn create_private(path: &Path) -> Result<()> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let created = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path);
    match created {
        Ok(f) => f
            .set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(|e| {
                CognitoError::internal(format!("cannot set the mode of {}: {e}", path.display()))
            }),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(CognitoError::internal(format!(
            "cannot create {}: {e}",
            path.display()
        ))),
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1")
            .execute(&self.read)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn create_pool(&self, pool: &UserPool) -> Result<()> {
        sqlx::query("INSERT INTO pools (id, name, created, doc) VALUES (?, ?, ?, ?)")
            .bind(&pool.id)
            .bind(&pool.name)
            .bind(pool.creation_date.0)
            .bind(to_json(pool)?)
            .execute(&self.write)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn get_pool(&self, pool_id: &str) -> Result<Option<UserPool>> {
        let row = sqlx::query(&format!("{POOL_SELECT} WHERE p.id = ?"))
            .bind(pool_id)
            .fetch_optional(&self.read)
            .await
            .map_err(db)?;
        row.map(|r| pool_page_row(&r).map(|(_, p)| p)).transpose()
    }

    async fn update_pool(&self, pool: &UserPool) -> Result<()> {
        let done = sqlx::query("UPDATE pools SET name = ?, doc = ? WHERE id = ?")
            .bind(&pool.name)
            .bind(to_json(pool)?)
            .bind(&pool.id)
            .execute(&self.write)
            .await
            .map_err(db)?;
        if done.rows_affected() == 0 {
            return Err(pool_not_found(&pool.id));
        }
        Ok(())
    }

    async fn delete_pool(&self, pool_id: &str) -> Result<bool> {
        let done = sqlx::query("DELETE FROM pools WHERE id = ?")
            .bind(pool_id)
            .execute(&self.write)
            .await
            .map_err(db)?;
        Ok(done.rows_affected() > 0)
    }

    async fn list_pools(&self, limit: usize, token: Option<&str>) -> Result<Page<UserPool>> {
        let (limit, fetch) = page_limits(limit);
        let after = decode_key_token(token, "p")?;
        let sql = match after {
            Some(_) => format!("{POOL_SELECT} WHERE p.id > ? ORDER BY p.id LIMIT ?"),
            None => format!("{POOL_SELECT} ORDER BY p.id LIMIT ?"),
        };
        let mut q = sqlx::query(&sql);
        if let Some(a) = &after {
            q = q.bind(a);
        }
        let rows = q.bind(fetch).fetch_all(&self.read).await.map_err(db)?;
        let rows = rows.iter().map(pool_page_row).collect::<Result<Vec<_>>>()?;
        Ok(paginate(rows, limit, |id| encode_token("p", &[id])))
    }

    async fn create_client(&self, client: &UserPoolClient) -> Result<()> {
        let r = sqlx::query(
            "INSERT INTO clients (client_id, pool_id, created, doc) VALUES (?, ?, ?, ?)",
        )
        .bind(&client.client_id)
        .bind(&client.user_pool_id)
        .bind(client.creation_date.0)
        .bind(to_json(client)?)
        .execute(&self.write)
        .await;
        match r {
            Ok(_) => Ok(()),
            Err(e) if is_fk_violation(&e) => Err(pool_not_found(&client.user_pool_id)),
            Err(e) => Err(db(e)),
        }
    }

    async fn get_client(&self, pool_id: &str, client_id: &str) -> Result<Option<UserPoolClient>> {
        let doc: Option<String> =
            sqlx::query_scalar("SELECT doc FROM clients WHERE client_id = ? AND pool_id = ?")
                .bind(client_id)
                .bind(pool_id)
                .fetch_optional(&self.read)
                .await
                .map_err(db)?;
        doc.map(|d| from_json(&d)).transpose()
    }

    async fn find_client(&self, client_id: &str) -> Result<Option<UserPoolClient>> {
        let doc: Option<String> = sqlx::query_scalar("SELECT doc FROM clients WHERE client_id = ?")
            .bind(client_id)
            .fetch_optional(&self.read)
            .await
            .map_err(db)?;
        doc.map(|d| from_json(&d)).transpose()
    }

    async fn update_client(&self, client: &UserPoolClient) -> Result<()> {
        let done = sqlx::query("UPDATE clients SET doc = ? WHERE client_id = ? AND pool_id = ?")
            .bind(to_json(client)?)
            .bind(&client.client_id)
            .bind(&client.user_pool_id)
            .execute(&self.write)
            .await
            .map_err(db)?;
        if done.rows_affected() == 0 {
            return Err(client_not_found(&client.client_id));
        }
        Ok(())
    }

    async fn delete_client(&self, pool_id: &str, client_id: &str) -> Result<bool> {
        let done = sqlx::query("DELETE FROM clients WHERE client_id = ? AND pool_id = ?")
            .bind(client_id)
            .bind(pool_id)
            .execute(&self.write)
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
        let sql = if after.is_some() {
            "SELECT client_id, doc FROM clients WHERE pool_id = ? AND client_id > ? \
             ORDER BY client_id LIMIT ?"
        } else {
            "SELECT client_id, doc FROM clients WHERE pool_id = ? ORDER BY client_id LIMIT ?"
        };
        let mut q = sqlx::query(sql).bind(pool_id);
        if let Some(a) = &after {
            q = q.bind(a);
        }
        let rows = q.bind(fetch).fetch_all(&self.read).await.map_err(db)?;
        let rows = rows
            .iter()
            .map(|r| doc_row(r, "client_id"))
            .collect::<Result<Vec<_>>>()?;
        Ok(paginate(rows, limit, |id| encode_token("c", &[id])))
    }

    async fn create_user(&self, pool: &UserPool, user: &User) -> Result<()> {
        check_pool(pool, user)?;
        let (attributes, settings) = user_json(user)?;
        let mut tx = self.begin().await?;
        let r = sqlx::query(
            "INSERT INTO users (pool_id, sub, username, status, enabled, created, modified, \
             attributes, credential, password_expires, settings) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
            Err(e) if is_fk_violation(&e) => return Err(pool_not_found(&pool.id)),
            Err(e) => return Err(db(e)),
        }
        insert_keys(&mut tx, pool, user).await?;
        insert_index(&mut tx, &pool.id, user).await?;
        add_to_count(&mut tx, &pool.id, 1).await?;
        tx.commit().await.map_err(db)
    }

    async fn find_user(&self, pool_id: &str, key: &UserKey) -> Result<Option<User>> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM user_keys k \
             JOIN users u ON u.pool_id = k.pool_id AND u.sub = k.sub \
             WHERE k.pool_id = ? AND k.kind = ? AND k.value = ?"
        ))
        .bind(pool_id)
        .bind(key.kind.as_str())
        .bind(&key.value)
        .fetch_optional(&self.read)
        .await
        .map_err(db)?;
        row.map(|r| user_from_row(&r)).transpose()
    }

    async fn get_user_by_sub(&self, pool_id: &str, sub: Uuid) -> Result<Option<User>> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users u WHERE u.pool_id = ? AND u.sub = ?"
        ))
        .bind(pool_id)
        .bind(sub.to_string())
        .fetch_optional(&self.read)
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
             WHERE t.origin_jti = ? AND t.revoked IS NOT NULL) AS origin_revoked \
             FROM users u WHERE u.pool_id = ? AND u.sub = ?"
        ))
        .bind(origin_jti)
        .bind(pool_id)
        .bind(sub.to_string())
        .fetch_optional(&self.read)
        .await
        .map_err(db)?;
        row.map(|r| Ok((user_from_row(&r)?, r.try_get("origin_revoked").map_err(db)?)))
            .transpose()
    }

    async fn update_user(&self, pool: &UserPool, user: &User) -> Result<()> {
        check_pool(pool, user)?;
        let (attributes, settings) = user_json(user)?;
        let sub = user.sub.to_string();
        let mut tx = self.begin().await?;
        let done = sqlx::query(
            "UPDATE users SET username = ?, status = ?, enabled = ?, created = ?, modified = ?, \
             attributes = ?, credential = ?, password_expires = ?, settings = ? \
             WHERE pool_id = ? AND sub = ?",
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
        .await
        .map_err(db)?;
        if done.rows_affected() == 0 {
            return Err(user_not_found());
        }
        for table in ["user_keys", "user_index"] {
            sqlx::query(&format!(
                "DELETE FROM {table} WHERE pool_id = ? AND sub = ?"
            ))
            .bind(&pool.id)
            .bind(&sub)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        }
        insert_keys(&mut tx, pool, user).await?;
        insert_index(&mut tx, &pool.id, user).await?;
        tx.commit().await.map_err(db)
    }

    async fn delete_user(&self, pool_id: &str, sub: Uuid) -> Result<bool> {
        let mut tx = self.begin().await?;
        // Keys, index rows and memberships go by ON DELETE CASCADE.
        let done = sqlx::query("DELETE FROM users WHERE pool_id = ? AND sub = ?")
            .bind(pool_id)
            .bind(sub.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        let deleted = done.rows_affected() > 0;
        if deleted {
            add_to_count(&mut tx, pool_id, -1).await?;
        }
        tx.commit().await.map_err(db)?;
        Ok(deleted)
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
            let sql = format!(
                "SELECT k.value AS cursor, {USER_COLUMNS} FROM user_keys k \
                 JOIN users u ON u.pool_id = k.pool_id AND u.sub = k.sub \
                 WHERE k.pool_id = ? AND k.kind = '{}' {} ORDER BY k.value LIMIT ?",
                KeyKind::Username.as_str(),
                if after.is_some() {
                    "AND k.value > ?"
                } else {
                    ""
                }
            );
            let mut q = sqlx::query(&sql).bind(pool_id);
            if let Some(a) = &after {
                q = q.bind(a);
            }
            let rows = q.bind(fetch).fetch_all(&self.read).await.map_err(db)?;
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
        let mut sql = format!(
            "SELECT i.value AS cursor_value, {USER_COLUMNS} FROM user_index i \
             JOIN users u ON u.pool_id = i.pool_id AND u.sub = i.sub \
             WHERE i.pool_id = ? AND i.attr = ?"
        );
        if exact {
            sql.push_str(" AND i.value = ?");
            if cursor.is_some() {
                sql.push_str(" AND i.sub > ?");
            }
        } else {
            sql.push_str(" AND i.value >= ?");
            if high.is_some() {
                sql.push_str(" AND i.value < ?");
            }
            if cursor.is_some() {
                sql.push_str(" AND (i.value > ? OR i.sub > ?)");
            }
        }
        sql.push_str(" ORDER BY i.value, i.sub LIMIT ?");

        let mut q = sqlx::query(&sql).bind(pool_id).bind(attribute);
        if exact {
            q = q.bind(low);
            if let Some((_, s)) = &cursor {
                q = q.bind(s.to_string());
            }
        } else {
            q = q.bind(range_start(low, cursor.as_ref()));
            if let Some(h) = &high {
                q = q.bind(h);
            }
            if let Some((v, s)) = &cursor {
                q = q.bind(v).bind(s.to_string());
            }
        }
        let rows = q.bind(fetch).fetch_all(&self.read).await.map_err(db)?;
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
        sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE pool_id = ?")
            .bind(pool_id)
            .fetch_one(&self.read)
            .await
            .map_err(db)
    }

    async fn create_group(&self, group: &Group) -> Result<()> {
        let r = sqlx::query(
            "INSERT INTO user_groups (pool_id, name, doc) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
        )
        .bind(&group.user_pool_id)
        .bind(&group.group_name)
        .bind(to_json(group)?)
        .execute(&self.write)
        .await;
        match r {
            Ok(done) if done.rows_affected() == 0 => Err(group_exists(&group.group_name)),
            Ok(_) => Ok(()),
            Err(e) if is_fk_violation(&e) => Err(pool_not_found(&group.user_pool_id)),
            Err(e) => Err(db(e)),
        }
    }

    async fn get_group(&self, pool_id: &str, name: &str) -> Result<Option<Group>> {
        let doc: Option<String> =
            sqlx::query_scalar("SELECT doc FROM user_groups WHERE pool_id = ? AND name = ?")
                .bind(pool_id)
                .bind(name)
                .fetch_optional(&self.read)
                .await
                .map_err(db)?;
        doc.map(|d| from_json(&d)).transpose()
    }

    async fn update_group(&self, group: &Group) -> Result<()> {
        let done = sqlx::query("UPDATE user_groups SET doc = ? WHERE pool_id = ? AND name = ?")
            .bind(to_json(group)?)
            .bind(&group.user_pool_id)
            .bind(&group.group_name)
            .execute(&self.write)
            .await
            .map_err(db)?;
        if done.rows_affected() == 0 {
            return Err(group_not_found());
        }
        Ok(())
    }

    async fn delete_group(&self, pool_id: &str, name: &str) -> Result<bool> {
        let done = sqlx::query("DELETE FROM user_groups WHERE pool_id = ? AND name = ?")
            .bind(pool_id)
            .bind(name)
            .execute(&self.write)
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
        let sql = if after.is_some() {
            "SELECT name, doc FROM user_groups WHERE pool_id = ? AND name > ? ORDER BY name LIMIT ?"
        } else {
            "SELECT name, doc FROM user_groups WHERE pool_id = ? ORDER BY name LIMIT ?"
        };
        let mut q = sqlx::query(sql).bind(pool_id);
        if let Some(a) = &after {
            q = q.bind(a);
        }
        let rows = q.bind(fetch).fetch_all(&self.read).await.map_err(db)?;
        let rows = rows
            .iter()
            .map(|r| doc_row(r, "name"))
            .collect::<Result<Vec<_>>>()?;
        Ok(paginate(rows, limit, |n| encode_token("g", &[n])))
    }

    async fn add_user_to_group(&self, pool_id: &str, group: &str, sub: Uuid) -> Result<()> {
        let sub = sub.to_string();
        let mut tx = self.begin().await?;
        check_group_and_user(&mut tx, pool_id, group, &sub).await?;
        sqlx::query(
            "INSERT INTO group_members (pool_id, group_name, sub) VALUES (?, ?, ?) \
             ON CONFLICT DO NOTHING",
        )
        .bind(pool_id)
        .bind(group)
        .bind(&sub)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)
    }

    async fn remove_user_from_group(&self, pool_id: &str, group: &str, sub: Uuid) -> Result<()> {
        let sub = sub.to_string();
        let mut tx = self.begin().await?;
        check_group_and_user(&mut tx, pool_id, group, &sub).await?;
        sqlx::query("DELETE FROM group_members WHERE pool_id = ? AND group_name = ? AND sub = ?")
            .bind(pool_id)
            .bind(group)
            .bind(&sub)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)
    }

    async fn groups_of_user(&self, pool_id: &str, sub: Uuid) -> Result<Vec<Group>> {
        let rows = sqlx::query(
            "SELECT g.name, g.doc FROM group_members m \
             JOIN user_groups g ON g.pool_id = m.pool_id AND g.name = m.group_name \
             WHERE m.pool_id = ? AND m.sub = ?",
        )
        .bind(pool_id)
        .bind(sub.to_string())
        .fetch_all(&self.read)
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
        let exists: Option<i64> =
            sqlx::query_scalar("SELECT 1 FROM users WHERE pool_id = ? AND sub = ?")
                .bind(pool_id)
                .bind(&sub)
                .fetch_optional(&self.read)
                .await
                .map_err(db)?;
        if exists.is_none() {
            return Err(user_not_found());
        }
        let sql = format!(
            "SELECT g.name, g.doc FROM group_members m \
             JOIN user_groups g ON g.pool_id = m.pool_id AND g.name = m.group_name \
             WHERE m.pool_id = ? AND m.sub = ? {} ORDER BY m.group_name LIMIT ?",
            if after.is_some() {
                "AND m.group_name > ?"
            } else {
                ""
            }
        );
        let mut q = sqlx::query(&sql).bind(pool_id).bind(&sub);
        if let Some(a) = &after {
            q = q.bind(a);
        }
        let rows = q.bind(fetch).fetch_all(&self.read).await.map_err(db)?;
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
        let exists: Option<i64> =
            sqlx::query_scalar("SELECT 1 FROM user_groups WHERE pool_id = ? AND name = ?")
                .bind(pool_id)
                .bind(group)
                .fetch_optional(&self.read)
                .await
                .map_err(db)?;
        if exists.is_none() {
            return Err(group_not_found());
        }
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM group_members m \
             JOIN users u ON u.pool_id = m.pool_id AND u.sub = m.sub \
             WHERE m.pool_id = ? AND m.group_name = ? {} ORDER BY m.sub LIMIT ?",
            if after.is_some() { "AND m.sub > ?" } else { "" }
        );
        let mut q = sqlx::query(&sql).bind(pool_id).bind(group);
        if let Some(a) = &after {
            q = q.bind(a.to_string());
        }
        let rows = q.bind(fetch).fetch_all(&self.read).await.map_err(db)?;
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
             VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (pool_id, kid) DO UPDATE SET \
             sealed = excluded.sealed, public_jwk = excluded.public_jwk, \
             created = excluded.created, retired = excluded.retired",
        )
        .bind(&key.pool_id)
        .bind(&key.kid)
        .bind(&key.sealed_private_key)
        .bind(&key.public_jwk)
        .bind(key.created.0)
        .bind(key.retired.map(|t| t.0))
        .execute(&self.write)
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
             WHERE pool_id = ? ORDER BY created DESC, kid DESC",
        )
        .bind(pool_id)
        .fetch_all(&self.read)
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

/// Cognito API: AdminAddUserToGroup, Errors — the group is checked first.
async fn check_group_and_user(tx: &mut Tx, pool_id: &str, group: &str, sub: &str) -> Result<()> {
    let group_exists: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM user_groups WHERE pool_id = ? AND name = ?")
            .bind(pool_id)
            .bind(group)
            .fetch_optional(&mut **tx)
            .await
            .map_err(db)?;
    if group_exists.is_none() {
        return Err(group_not_found());
    }
    let user_exists: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM users WHERE pool_id = ? AND sub = ?")
            .bind(pool_id)
            .bind(sub)
            .fetch_optional(&mut **tx)
            .await
            .map_err(db)?;
    if user_exists.is_none() {
        return Err(user_not_found());
    }
    Ok(())
}
