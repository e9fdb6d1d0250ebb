//! What both backends share: pagination tokens, filter checks, the row
//! shape of a user and the mapping of database errors to Cognito's.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sqlx::Row;
use uuid::Uuid;

use super::UserFilter;
use crate::clock::Timestamp;
use crate::error::{CognitoError, Result};
use crate::model::user::{INDEXED_ATTRIBUTES, UserKey, UserSettings};
use crate::model::{AttributeType, User, UserPool, UserStatus};

/// Largest page a caller may ask for; keeps one request's memory bounded.
const MAX_LIMIT: usize = 10_000;

/// The page size asked for, clamped, and the row count to fetch (one more,
/// to learn whether another page follows).
pub(crate) fn page_limits(limit: usize) -> (usize, i64) {
    let limit = limit.clamp(1, MAX_LIMIT);
    (limit, (limit + 1) as i64)
}

/// Cuts a fetched list to `limit` and, if more rows followed, makes the
/// token from the last item kept.
pub(crate) fn paginate<T, K>(
    mut rows: Vec<(K, T)>,
    limit: usize,
    token: impl Fn(&K) -> String,
) -> super::Page<T> {
    let more = rows.len() > limit;
    rows.truncate(limit);
    let next = if more {
        rows.last().map(|(k, _)| token(k))
    } else {
        None
    };
    super::Page {
        items: rows.into_iter().map(|(_, t)| t).collect(),
        next,
    }
}

/// A token names the listing it belongs to (`tag`) and the last key
/// returned, so it stays valid while rows come and go.
pub(crate) fn encode_token(tag: &str, parts: &[&str]) -> String {
    let mut all = Vec::with_capacity(parts.len() + 1);
    all.push(tag);
    all.extend_from_slice(parts);
    // Serializing a slice of strings cannot fail.
    let json = serde_json::to_vec(&all).unwrap_or_default();
    URL_SAFE_NO_PAD.encode(json)
}

pub(crate) fn decode_token(token: &str, tag: &str, n: usize) -> Result<Vec<String>> {
    let invalid = || CognitoError::invalid_parameter("Invalid pagination token");
    let bytes = URL_SAFE_NO_PAD
        .decode(token.as_bytes())
        .map_err(|_| invalid())?;
    let mut parts: Vec<String> = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    if parts.len() != n + 1 || parts[0] != tag {
        return Err(invalid());
    }
    parts.remove(0);
    Ok(parts)
}

/// Decodes an optional single-key token; `None` starts at the beginning.
pub(crate) fn decode_key_token(token: Option<&str>, tag: &str) -> Result<Option<String>> {
    match token {
        None => Ok(None),
        Some(t) => Ok(decode_token(t, tag, 1)?.pop()),
    }
}

/// Decodes a `(value, sub)` token of a filtered user listing.
pub(crate) fn decode_pair_token(token: Option<&str>, tag: &str) -> Result<Option<(String, Uuid)>> {
    let Some(t) = token else { return Ok(None) };
    let mut parts = decode_token(t, tag, 2)?;
    let sub = parts.pop().unwrap_or_default();
    let value = parts.pop().unwrap_or_default();
    let sub = Uuid::parse_str(&sub)
        .map_err(|_| CognitoError::invalid_parameter("Invalid pagination token"))?;
    Ok(Some((value, sub)))
}

/// Decodes a token that names a user by sub.
pub(crate) fn decode_sub_token(token: Option<&str>, tag: &str) -> Result<Option<Uuid>> {
    match decode_key_token(token, tag)? {
        None => Ok(None),
        Some(s) => Uuid::parse_str(&s)
            .map(Some)
            .map_err(|_| CognitoError::invalid_parameter("Invalid pagination token")),
    }
}

/// The smallest string greater than every string starting with `prefix`,
/// in byte-wise (code point) order; `None` when there is none (no upper bound).
pub(crate) fn prefix_successor(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let mut next = last as u32 + 1;
        // Skip the surrogate gap, which no `char` can hold.
        if (0xD800..=0xDFFF).contains(&next) {
            next = 0xE000;
        }
        if let Some(c) = char::from_u32(next) {
            chars.push(c);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

/// The index range a filter reads: values in `[low, high)`, or exactly
/// `low` when `exact`.
pub(crate) struct FilterRange<'a> {
    pub attribute: &'a str,
    pub low: &'a str,
    pub high: Option<String>,
    pub exact: bool,
}

/// Cognito API: ListUsers, Filter — only the indexed attributes are searchable.
pub(crate) fn filter_range(filter: &UserFilter) -> Result<FilterRange<'_>> {
    let (attribute, value, exact) = match filter {
        UserFilter::Equals { attribute, value } => (attribute, value, true),
        UserFilter::Prefix { attribute, value } => (attribute, value, false),
    };
    if !INDEXED_ATTRIBUTES.contains(&attribute.as_str()) {
        return Err(CognitoError::invalid_parameter(format!(
            "Invalid search attribute: {attribute}"
        )));
    }
    Ok(FilterRange {
        attribute,
        low: value,
        high: if exact { None } else { prefix_successor(value) },
        exact,
    })
}

/// The keyset position inside a filter range: start at `max(low, cursor)`
/// so a deep page does not rescan the rows before it.
pub(crate) fn range_start<'a>(low: &'a str, cursor: Option<&'a (String, Uuid)>) -> &'a str {
    match cursor {
        Some((v, _)) if v.as_str() > low => v.as_str(),
        _ => low,
    }
}

/// A user's unique keys, without duplicates (a pool could name the same
/// attribute both ways).
pub(crate) fn unique_keys(pool: &UserPool, user: &User) -> Vec<UserKey> {
    let mut keys = user.keys(pool);
    keys.sort();
    keys.dedup_by(|a, b| a.kind == b.kind && a.value == b.value);
    keys
}

/// The columns of a user row, as both backends select them.
#[derive(sqlx::FromRow)]
pub(crate) struct UserRow {
    pub pool_id: String,
    pub sub: String,
    pub username: String,
    pub status: String,
    pub enabled: bool,
    pub created: i64,
    pub modified: i64,
    pub attributes: String,
    pub credential: Option<Vec<u8>>,
    pub password_expires: Option<i64>,
    pub settings: String,
}

impl UserRow {
    pub fn into_user(self) -> Result<User> {
        let sub = Uuid::parse_str(&self.sub).map_err(CognitoError::internal)?;
        let status = UserStatus::parse(&self.status)
            .ok_or_else(|| CognitoError::internal(format!("bad user status {}", self.status)))?;
        let attributes: Vec<AttributeType> =
            serde_json::from_str(&self.attributes).map_err(CognitoError::internal)?;
        let settings: UserSettings =
            serde_json::from_str(&self.settings).map_err(CognitoError::internal)?;
        Ok(User {
            pool_id: self.pool_id,
            sub,
            username: self.username,
            attributes,
            status,
            enabled: self.enabled,
            created: Timestamp(self.created),
            modified: Timestamp(self.modified),
            credential: self.credential,
            password_expires: self.password_expires.map(Timestamp),
            settings,
        })
    }
}

pub(crate) fn user_from_row<'r, R: Row>(row: &'r R) -> Result<User>
where
    UserRow: sqlx::FromRow<'r, R>,
{
    <UserRow as sqlx::FromRow<'r, R>>::from_row(row)
        .map_err(db)?
        .into_user()
}

/// The JSON columns of a user: attributes and settings.
pub(crate) fn user_json(user: &User) -> Result<(String, String)> {
    let attributes = serde_json::to_string(&user.attributes).map_err(CognitoError::internal)?;
    let settings = serde_json::to_string(&user.settings).map_err(CognitoError::internal)?;
    Ok((attributes, settings))
}

/// A listing's row: its key column and its JSON `doc`.
pub(crate) fn doc_row<R: Row, T: serde::de::DeserializeOwned>(
    row: &R,
    key: &str,
) -> Result<(String, T)>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let k: String = row.try_get(key).map_err(db)?;
    let doc: String = row.try_get("doc").map_err(db)?;
    Ok((k, from_json(&doc)?))
}

pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(CognitoError::internal)
}

pub(crate) fn from_json<T: serde::de::DeserializeOwned>(json: &str) -> Result<T> {
    serde_json::from_str(json).map_err(CognitoError::internal)
}

/// A pool as stored, with its user count filled in from the counter.
pub(crate) fn pool_from_row(json: &str, users: i64) -> Result<UserPool> {
    let mut pool: UserPool = from_json(json)?;
    pool.estimated_number_of_users = users.max(0);
    Ok(pool)
}

pub(crate) fn db(e: sqlx::Error) -> CognitoError {
    CognitoError::internal(e)
}

pub(crate) fn is_fk_violation(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .is_some_and(|d| d.is_foreign_key_violation())
}

pub(crate) fn is_unique_violation(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .is_some_and(|d| d.is_unique_violation())
}

pub(crate) fn pool_not_found(pool_id: &str) -> CognitoError {
    CognitoError::ResourceNotFound(format!("User pool {pool_id} does not exist."))
}

pub(crate) fn client_not_found(client_id: &str) -> CognitoError {
    CognitoError::ResourceNotFound(format!("User pool client {client_id} does not exist."))
}

pub(crate) fn group_not_found() -> CognitoError {
    CognitoError::ResourceNotFound("Group not found.".into())
}

pub(crate) fn user_not_found() -> CognitoError {
    CognitoError::UserNotFound("User does not exist.".into())
}

pub(crate) fn group_exists(name: &str) -> CognitoError {
    CognitoError::GroupExists(format!("A group with the name {name} already exists."))
}

/// A keyset-paged listing of JSON documents under a parent key: `first`
/// reads from the start, `after` from after the token's key (one more
/// parameter); both take the parent's parameters first and the row count
/// last, and select the key column `key` and `doc`.
pub(crate) struct DocListing {
    pub first: &'static str,
    pub after: &'static str,
    pub key: &'static str,
    /// Names the listing in its tokens.
    pub tag: &'static str,
}

/// The pool row, locked where the dialect can (SQLite's single writer
/// already takes turns): creations in one pool then take turns, so a
/// quota holds under concurrent writers and across nodes.
const POOL_LOCK_SQLITE: &str = "SELECT id FROM pools WHERE id = $1";
const POOL_LOCK_PG: &str = "SELECT id FROM pools WHERE id = $1 FOR UPDATE";

each_backend! {
    impl DbStore {
        /// In a write transaction: the pool exists (else ResourceNotFound)
        /// and `count` (one parameter, the pool id) is under `max` (else
        /// `over`), the pool locked until the transaction ends.
        pub(crate) async fn pool_quota(
            tx: &mut Tx,
            pool_id: &str,
            count: &'static str,
            max: usize,
            over: impl FnOnce() -> CognitoError,
        ) -> TxResult<()> {
            let lock = DbStore::DIALECT.pick(POOL_LOCK_SQLITE, POOL_LOCK_PG);
            let pool: Option<String> = sqlx::query_scalar(lock)
                .bind(pool_id)
                .fetch_optional(&mut **tx)
                .await?;
            if pool.is_none() {
                return Err(pool_not_found(pool_id).into());
            }
            let n: i64 = sqlx::query_scalar(count)
                .bind(pool_id)
                .fetch_one(&mut **tx)
                .await?;
            if n as usize >= max {
                return Err(over().into());
            }
            Ok(())
        }

        /// Runs one write; how many rows it touched.
        pub(crate) async fn affected(&self, query: Query<'_>) -> Result<u64> {
            let done = query.execute(self.writer()).await.map_err(db)?;
            Ok(done.rows_affected())
        }

        /// One page of `listing`, its parent's parameters bound by `parent`.
        pub(crate) async fn doc_page<'q, T: serde::de::DeserializeOwned>(
            &self,
            listing: &DocListing,
            parent: impl FnOnce(Query<'q>) -> Query<'q> + Send,
            limit: usize,
            token: Option<&str>,
        ) -> Result<super::super::Page<T>> {
            let (limit, fetch) = page_limits(limit);
            let query = match decode_key_token(token, listing.tag)? {
                Some(after) => parent(sqlx::query(listing.after)).bind(after),
                None => parent(sqlx::query(listing.first)),
            };
            let rows = query
                .bind(fetch)
                .fetch_all(self.reader())
                .await
                .map_err(db)?;
            let rows = rows
                .iter()
                .map(|r| doc_row(r, listing.key))
                .collect::<Result<Vec<_>>>()?;
            Ok(paginate(rows, limit, |k| encode_token(listing.tag, &[k])))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_successor_bounds_the_prefix() {
        assert_eq!(prefix_successor("abc").as_deref(), Some("abd"));
        assert_eq!(prefix_successor("").as_deref(), None);
        assert_eq!(prefix_successor("a\u{D7FF}").as_deref(), Some("a\u{E000}"));
        assert_eq!(prefix_successor("a\u{10FFFF}").as_deref(), Some("b"));
        assert_eq!(prefix_successor("\u{10FFFF}"), None);
    }

    #[test]
    fn tokens_round_trip_and_reject_garbage() {
        let t = encode_token("f", &["a\"b", "x"]);
        assert_eq!(decode_token(&t, "f", 2).unwrap(), vec!["a\"b", "x"]);
        assert!(decode_token(&t, "u", 2).is_err());
        assert!(decode_token(&t, "f", 1).is_err());
        assert!(decode_token("!!!", "f", 1).is_err());
        assert!(decode_token("bm90IGpzb24", "f", 1).is_err());
    }
}
