//! The group capability of the store: groups (one JSON document each) and
//! their memberships, which go with the group and with the user.

use async_trait::async_trait;
use uuid::Uuid;

use super::Page;
use super::common::{
    DocListing, db, decode_sub_token, doc_row, encode_token, from_json, group_exists,
    group_not_found, is_fk_violation, page_limits, paginate, pool_not_found, to_json,
    user_from_row, user_not_found,
};
use super::users::USER_COLUMNS;
use crate::error::Result;
use crate::model::{Group, User};

#[async_trait]
pub trait GroupStore: Send + Sync {
    /// GroupExists if the name is taken in the pool.
    async fn create_group(&self, group: &Group) -> Result<()>;
    async fn get_group(&self, pool_id: &str, name: &str) -> Result<Option<Group>>;
    async fn update_group(&self, group: &Group) -> Result<()>;
    /// Deletes a group and its memberships.
    async fn delete_group(&self, pool_id: &str, name: &str) -> Result<bool>;
    async fn list_groups(
        &self,
        pool_id: &str,
        limit: usize,
        token: Option<&str>,
    ) -> Result<Page<Group>>;
    /// Idempotent, as AdminAddUserToGroup is. ResourceNotFound if the group
    /// is gone, UserNotFound if the user is.
    async fn add_user_to_group(&self, pool_id: &str, group: &str, sub: Uuid) -> Result<()>;
    /// Idempotent; the same errors as `add_user_to_group`.
    async fn remove_user_from_group(&self, pool_id: &str, group: &str, sub: Uuid) -> Result<()>;
    /// Every group the user is in, in one read and unpaged (for the
    /// tokens' `cognito:groups`); none for an unknown user.
    async fn groups_of_user(&self, pool_id: &str, sub: Uuid) -> Result<Vec<Group>>;
    /// UserNotFound if the user is gone.
    async fn list_groups_for_user(
        &self,
        pool_id: &str,
        sub: Uuid,
        limit: usize,
        token: Option<&str>,
    ) -> Result<Page<Group>>;
    /// ResourceNotFound if the group is gone.
    async fn list_users_in_group(
        &self,
        pool_id: &str,
        group: &str,
        limit: usize,
        token: Option<&str>,
    ) -> Result<Page<User>>;
}

const INSERT: &str =
    "INSERT INTO user_groups (pool_id, name, doc) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";
const GET: &str = "SELECT doc FROM user_groups WHERE pool_id = $1 AND name = $2";
const UPDATE: &str = "UPDATE user_groups SET doc = $1 WHERE pool_id = $2 AND name = $3";
const DELETE: &str = "DELETE FROM user_groups WHERE pool_id = $1 AND name = $2";
const LIST: DocListing = DocListing {
    first: "SELECT name, doc FROM user_groups WHERE pool_id = $1 ORDER BY name LIMIT $2",
    after: "SELECT name, doc FROM user_groups WHERE pool_id = $1 AND name > $2 \
            ORDER BY name LIMIT $3",
    key: "name",
    tag: "g",
};
const GROUP_EXISTS: &str =
    "SELECT EXISTS (SELECT 1 FROM user_groups WHERE pool_id = $1 AND name = $2)";
const USER_EXISTS: &str = "SELECT EXISTS (SELECT 1 FROM users WHERE pool_id = $1 AND sub = $2)";
const ADD_MEMBER: &str = "INSERT INTO group_members (pool_id, group_name, sub) \
     VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";
const REMOVE_MEMBER: &str =
    "DELETE FROM group_members WHERE pool_id = $1 AND group_name = $2 AND sub = $3";
const GROUPS_OF_USER: &str = "SELECT g.name, g.doc FROM group_members m \
     JOIN user_groups g ON g.pool_id = m.pool_id AND g.name = m.group_name \
     WHERE m.pool_id = $1 AND m.sub = $2";
const GROUPS_FOR_USER: DocListing = DocListing {
    first: "SELECT g.name, g.doc FROM group_members m \
            JOIN user_groups g ON g.pool_id = m.pool_id AND g.name = m.group_name \
            WHERE m.pool_id = $1 AND m.sub = $2 ORDER BY m.group_name LIMIT $3",
    after: "SELECT g.name, g.doc FROM group_members m \
            JOIN user_groups g ON g.pool_id = m.pool_id AND g.name = m.group_name \
            WHERE m.pool_id = $1 AND m.sub = $2 AND m.group_name > $3 \
            ORDER BY m.group_name LIMIT $4",
    key: "name",
    tag: "m",
};

each_backend! {
    impl DbStore {
        /// Cognito API: AdminAddUserToGroup, Errors — the group is checked
        /// first; then one membership row is added or removed.
        async fn membership(&self, pool_id: &str, group: &str, sub: Uuid, add: bool) -> Result<()> {
            self.transaction(move |mut tx| {
                Box::pin(async move {
                    let group_exists: bool = sqlx::query_scalar(GROUP_EXISTS)
                        .bind(pool_id)
                        .bind(group)
                        .fetch_one(&mut *tx)
                        .await?;
                    if !group_exists {
                        return Err(group_not_found().into());
                    }
                    let user_exists: bool = sqlx::query_scalar(USER_EXISTS)
                        .bind(pool_id)
                        .bind(DbStore::sub(sub))
                        .fetch_one(&mut *tx)
                        .await?;
                    if !user_exists {
                        return Err(user_not_found().into());
                    }
                    let r = sqlx::query(if add { ADD_MEMBER } else { REMOVE_MEMBER })
                        .bind(pool_id)
                        .bind(group)
                        .bind(DbStore::sub(sub))
                        .execute(&mut *tx)
                        .await;
                    match r {
                        Ok(_) => {}
                        // The group or user went away since the checks above
                        // (another node's write; SQLite's single writer cannot).
                        Err(e) if is_fk_violation(&e) => return Err(group_not_found().into()),
                        Err(e) => return Err(e.into()),
                    }
                    tx.commit().await?;
                    Ok(())
                })
            })
            .await
        }
    }

    #[async_trait]
    impl GroupStore for DbStore {
        async fn create_group(&self, group: &Group) -> Result<()> {
            let r = sqlx::query(INSERT)
                .bind(&group.user_pool_id)
                .bind(&group.group_name)
                .bind(to_json(group)?)
                .execute(self.writer())
                .await;
            match r {
                Ok(done) if done.rows_affected() == 0 => Err(group_exists(&group.group_name)),
                Ok(_) => Ok(()),
                Err(e) if is_fk_violation(&e) => Err(pool_not_found(&group.user_pool_id)),
                Err(e) => Err(db(e)),
            }
        }

        async fn get_group(&self, pool_id: &str, name: &str) -> Result<Option<Group>> {
            let doc: Option<String> = sqlx::query_scalar(GET)
                .bind(pool_id)
                .bind(name)
                .fetch_optional(self.reader())
                .await
                .map_err(db)?;
            doc.map(|d| from_json(&d)).transpose()
        }

        async fn update_group(&self, group: &Group) -> Result<()> {
            let query = sqlx::query(UPDATE)
                .bind(to_json(group)?)
                .bind(&group.user_pool_id)
                .bind(&group.group_name);
            if self.affected(query).await? == 0 {
                return Err(group_not_found());
            }
            Ok(())
        }

        async fn delete_group(&self, pool_id: &str, name: &str) -> Result<bool> {
            let query = sqlx::query(DELETE).bind(pool_id).bind(name);
            Ok(self.affected(query).await? > 0)
        }

        async fn list_groups(
            &self,
            pool_id: &str,
            limit: usize,
            token: Option<&str>,
        ) -> Result<Page<Group>> {
            self.doc_page(&LIST, |q| q.bind(pool_id), limit, token)
                .await
        }

        async fn add_user_to_group(&self, pool_id: &str, group: &str, sub: Uuid) -> Result<()> {
            self.membership(pool_id, group, sub, true).await
        }

        async fn remove_user_from_group(
            &self,
            pool_id: &str,
            group: &str,
            sub: Uuid,
        ) -> Result<()> {
            self.membership(pool_id, group, sub, false).await
        }

        async fn groups_of_user(&self, pool_id: &str, sub: Uuid) -> Result<Vec<Group>> {
            let rows = sqlx::query(GROUPS_OF_USER)
                .bind(pool_id)
                .bind(DbStore::sub(sub))
                .fetch_all(self.reader())
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
            let exists: bool = sqlx::query_scalar(USER_EXISTS)
                .bind(pool_id)
                .bind(DbStore::sub(sub))
                .fetch_one(self.reader())
                .await
                .map_err(db)?;
            if !exists {
                return Err(user_not_found());
            }
            let sub = DbStore::sub(sub);
            self.doc_page(
                &GROUPS_FOR_USER,
                move |q| q.bind(pool_id).bind(sub),
                limit,
                token,
            )
            .await
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
            let exists: bool = sqlx::query_scalar(GROUP_EXISTS)
                .bind(pool_id)
                .bind(group)
                .fetch_one(self.reader())
                .await
                .map_err(db)?;
            if !exists {
                return Err(group_not_found());
            }
            let select = format!(
                "SELECT {USER_COLUMNS} FROM group_members m \
                 JOIN users u ON u.pool_id = m.pool_id AND u.sub = m.sub \
                 WHERE m.pool_id = $1 AND m.group_name = $2"
            );
            let sql = match after {
                Some(_) => format!("{select} AND m.sub > $3 ORDER BY m.sub LIMIT $4"),
                None => format!("{select} ORDER BY m.sub LIMIT $3"),
            };
            let mut q = sqlx::query(&sql).bind(pool_id).bind(group);
            if let Some(a) = after {
                q = q.bind(DbStore::sub(a));
            }
            let rows = q.bind(fetch).fetch_all(self.reader()).await.map_err(db)?;
            let rows = rows
                .iter()
                .map(|r| user_from_row(r).map(|u| (u.sub, u)))
                .collect::<Result<Vec<_>>>()?;
            Ok(paginate(rows, limit, |s| {
                encode_token("i", &[&s.to_string()])
            }))
        }
    }
}
