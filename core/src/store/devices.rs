//! The device capability of the store (Cognito API: DeviceType), one
//! implementation for both backends. A device belongs to one user and is
//! deleted with it (a foreign key); its key is unique across pools.

use async_trait::async_trait;
use uuid::Uuid;

use super::Page;
use super::common::{DocListing, db, from_json, is_fk_violation, to_json, user_not_found};
use crate::error::Result;
use crate::model::device::Device;

#[async_trait]
pub trait DeviceStore: Send + Sync {
    /// Stores a new device. UserNotFound if the user is gone; a clashing
    /// key is an internal error (keys are random).
    async fn put_device(&self, device: &Device) -> Result<()>;
    /// The device with this key, of any user.
    async fn get_device(&self, device_key: &str) -> Result<Option<Device>>;
    /// Replaces a device's document; false if the user has no such device.
    async fn update_device(&self, device: &Device) -> Result<bool>;
    /// False if the user has no such device.
    async fn delete_device(&self, pool_id: &str, sub: Uuid, device_key: &str) -> Result<bool>;
    /// A user's devices in key order, a page at a time.
    async fn list_devices(
        &self,
        pool_id: &str,
        sub: Uuid,
        limit: usize,
        token: Option<&str>,
    ) -> Result<Page<Device>>;
}

const INSERT: &str = "INSERT INTO devices (device_key, pool_id, sub, doc) VALUES ($1, $2, $3, $4)";
const GET: &str = "SELECT doc FROM devices WHERE device_key = $1";
const UPDATE: &str =
    "UPDATE devices SET doc = $1 WHERE device_key = $2 AND pool_id = $3 AND sub = $4";
const DELETE: &str = "DELETE FROM devices WHERE device_key = $1 AND pool_id = $2 AND sub = $3";
const LIST: DocListing = DocListing {
    first: "SELECT device_key, doc FROM devices WHERE pool_id = $1 AND sub = $2 \
            ORDER BY device_key LIMIT $3",
    after: "SELECT device_key, doc FROM devices WHERE pool_id = $1 AND sub = $2 \
            AND device_key > $3 ORDER BY device_key LIMIT $4",
    key: "device_key",
    tag: "devices",
};

each_backend! {
    #[async_trait]
    impl DeviceStore for DbStore {
        async fn put_device(&self, d: &Device) -> Result<()> {
            let r = sqlx::query(INSERT)
                .bind(&d.device_key)
                .bind(&d.pool_id)
                .bind(DbStore::sub(d.sub))
                .bind(to_json(d)?)
                .execute(self.writer())
                .await;
            match r {
                Ok(_) => Ok(()),
                Err(e) if is_fk_violation(&e) => Err(user_not_found()),
                Err(e) => Err(db(e)),
            }
        }

        async fn get_device(&self, device_key: &str) -> Result<Option<Device>> {
            let doc: Option<String> = sqlx::query_scalar(GET)
                .bind(device_key)
                .fetch_optional(self.reader())
                .await
                .map_err(db)?;
            doc.map(|d| from_json(&d)).transpose()
        }

        async fn update_device(&self, d: &Device) -> Result<bool> {
            let query = sqlx::query(UPDATE)
                .bind(to_json(d)?)
                .bind(&d.device_key)
                .bind(&d.pool_id)
                .bind(DbStore::sub(d.sub));
            Ok(self.affected(query).await? > 0)
        }

        async fn delete_device(&self, pool_id: &str, sub: Uuid, device_key: &str) -> Result<bool> {
            let query = sqlx::query(DELETE)
                .bind(device_key)
                .bind(pool_id)
                .bind(DbStore::sub(sub));
            Ok(self.affected(query).await? > 0)
        }

        async fn list_devices(
            &self,
            pool_id: &str,
            sub: Uuid,
            limit: usize,
            token: Option<&str>,
        ) -> Result<Page<Device>> {
            self.doc_page(&LIST, |q| q.bind(pool_id).bind(DbStore::sub(sub)), limit, token)
                .await
        }
    }
}
