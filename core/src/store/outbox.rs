//! The outbox capability of the store (one small trait per capability), one
//! implementation for both backends.
//!
//! Without an SMTP server or SMS gateway, codes and invitations land here
//! (docs/architecture.md, "Mail and SMS"); `cognate outbox` and the development page
//! read them back, newest first.

use std::fmt;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use sqlx::Row;

use super::common::{db, is_fk_violation, pool_not_found};
use crate::clock::Timestamp;
use crate::error::{CognitoError, Result};

/// How a message travels; Cognito's DeliveryMediumType.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Channel {
    Email,
    Sms,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "EMAIL",
            Self::Sms => "SMS",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "EMAIL" => Some(Self::Email),
            "SMS" => Some(Self::Sms),
            _ => None,
        }
    }
}

/// A message as the outbox keeps it. Its body carries a code or a
/// temporary password, so `Debug` leaves it out.
#[derive(Clone, PartialEq, Eq)]
pub struct OutboxMessage {
    /// Assigned by the store; increasing in the order messages were pushed.
    pub id: i64,
    pub pool_id: String,
    pub channel: Channel,
    /// The email address or phone number.
    pub destination: String,
    /// Email only.
    pub subject: Option<String>,
    pub body: String,
    pub created: Timestamp,
}

impl fmt::Debug for OutboxMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OutboxMessage")
            .field("id", &self.id)
            .field("pool_id", &self.pool_id)
            .field("channel", &self.channel)
            .field("destination", &self.destination)
            .field("created", &self.created)
            .finish_non_exhaustive()
    }
}

#[async_trait]
pub trait OutboxStore: Send + Sync {
    /// Appends a message (its `id` is ignored) and returns the id it got.
    /// ResourceNotFound if the pool is gone.
    async fn push_message(&self, message: &OutboxMessage) -> Result<i64>;
    /// The newest `limit` messages, newest first; of one pool when given.
    async fn recent_messages(
        &self,
        pool_id: Option<&str>,
        limit: usize,
    ) -> Result<Vec<OutboxMessage>>;
    /// Housekeeping: deletes messages created before `before`; how many.
    async fn delete_messages_before(&self, before: Timestamp) -> Result<u64>;
}

/// Largest listing one call returns.
const MAX_LIST: usize = 10_000;

fn push_error(e: sqlx::Error, pool_id: &str) -> CognitoError {
    if is_fk_violation(&e) {
        pool_not_found(pool_id)
    } else {
        db(e)
    }
}

const PUSH: &str = "INSERT INTO outbox (pool_id, channel, destination, subject, body, created) \
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";
const RECENT_OF_POOL: &str = "SELECT id, pool_id, channel, destination, subject, body, created \
     FROM outbox WHERE pool_id = $1 ORDER BY id DESC LIMIT $2";
const RECENT: &str = "SELECT id, pool_id, channel, destination, subject, body, created \
     FROM outbox ORDER BY id DESC LIMIT $1";
const PURGE: &str = "DELETE FROM outbox WHERE created < $1";

each_backend! {
    fn message_from_row(row: &DbRow) -> Result<OutboxMessage> {
        let channel: String = row.try_get("channel").map_err(db)?;
        Ok(OutboxMessage {
            id: row.try_get("id").map_err(db)?,
            pool_id: row.try_get("pool_id").map_err(db)?,
            channel: Channel::parse(&channel)
                .ok_or_else(|| CognitoError::internal(format!("bad outbox channel {channel}")))?,
            destination: row.try_get("destination").map_err(db)?,
            subject: row.try_get("subject").map_err(db)?,
            body: row.try_get("body").map_err(db)?,
            created: Timestamp(row.try_get("created").map_err(db)?),
        })
    }

    #[async_trait]
    impl OutboxStore for DbStore {
        async fn push_message(&self, m: &OutboxMessage) -> Result<i64> {
            sqlx::query_scalar(PUSH)
                .bind(&m.pool_id)
                .bind(m.channel.as_str())
                .bind(&m.destination)
                .bind(m.subject.as_deref())
                .bind(&m.body)
                .bind(m.created.0)
                .fetch_one(self.writer())
                .await
                .map_err(|e| push_error(e, &m.pool_id))
        }

        async fn recent_messages(
            &self,
            pool_id: Option<&str>,
            limit: usize,
        ) -> Result<Vec<OutboxMessage>> {
            let limit = limit.clamp(1, MAX_LIST) as i64;
            let rows = match pool_id {
                Some(p) => sqlx::query(RECENT_OF_POOL).bind(p).bind(limit),
                None => sqlx::query(RECENT).bind(limit),
            }
            .fetch_all(self.reader())
            .await
            .map_err(db)?;
            rows.iter().map(message_from_row).collect()
        }

        async fn delete_messages_before(&self, before: Timestamp) -> Result<u64> {
            let query = sqlx::query(PURGE).bind(before.0);
            self.affected(query).await
        }
    }
}
