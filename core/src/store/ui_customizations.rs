//! The hosted-UI customization capability of the store (one small trait per
//! capability), one implementation for both backends. One row per
//! pool default (`ALL`) and per customized client; a client's row goes with
//! the client, every row with its pool.

use async_trait::async_trait;
use sqlx::Row;

use super::common::{client_not_found, db, is_fk_violation, pool_not_found};
use crate::clock::Timestamp;
use crate::error::{CognitoError, Result};
use crate::model::ui_customization::{ALL_CLIENTS, ImageType, LogoImage, UiCustomization};

#[async_trait]
pub trait UiCustomizationStore: Send + Sync {
    /// Sets a pool's (client `None`) or a client's customization, replacing
    /// CSS and image; an existing row keeps its creation date, which the
    /// returned value carries. ResourceNotFound if the pool or client is gone.
    async fn put_ui_customization(&self, c: &UiCustomization) -> Result<UiCustomization>;
    /// Exactly the pool's (client `None`) or the client's customization; no
    /// fall-back from a client to its pool here.
    async fn get_ui_customization(
        &self,
        pool_id: &str,
        client_id: Option<&str>,
    ) -> Result<Option<UiCustomization>>;
}

const COLUMNS: &str = "pool_id, target, client_id, css, image, image_type, css_version, \
     created, modified";

fn put_error(e: sqlx::Error, c: &UiCustomization) -> CognitoError {
    if is_fk_violation(&e) {
        match &c.client_id {
            Some(id) => client_not_found(id),
            None => pool_not_found(&c.pool_id),
        }
    } else {
        db(e)
    }
}

fn image_parts(c: &UiCustomization) -> (Option<&[u8]>, Option<&'static str>) {
    match &c.image {
        Some(i) => (Some(i.bytes.as_slice()), Some(i.image_type.content_type())),
        None => (None, None),
    }
}

const PUT: &str = "INSERT INTO ui_customizations (pool_id, target, client_id, css, image, \
     image_type, css_version, created, modified) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
     ON CONFLICT (pool_id, target) DO UPDATE SET css = excluded.css, \
     image = excluded.image, image_type = excluded.image_type, \
     css_version = excluded.css_version, modified = excluded.modified";

each_backend! {
    fn customization_from_row(row: &DbRow) -> Result<UiCustomization> {
        let bytes: Option<Vec<u8>> = row.try_get("image").map_err(db)?;
        let image_type: Option<String> = row.try_get("image_type").map_err(db)?;
        let image = match (bytes, image_type) {
            (Some(bytes), Some(t)) => Some(LogoImage {
                bytes,
                image_type: ImageType::parse(&t)
                    .ok_or_else(|| CognitoError::internal(format!("bad logo type {t}")))?,
            }),
            _ => None,
        };
        Ok(UiCustomization {
            pool_id: row.try_get("pool_id").map_err(db)?,
            client_id: row.try_get("client_id").map_err(db)?,
            css: row.try_get("css").map_err(db)?,
            image,
            css_version: row.try_get("css_version").map_err(db)?,
            created: Timestamp(row.try_get("created").map_err(db)?),
            modified: Timestamp(row.try_get("modified").map_err(db)?),
        })
    }

    #[async_trait]
    impl UiCustomizationStore for DbStore {
        async fn put_ui_customization(&self, c: &UiCustomization) -> Result<UiCustomization> {
            let (image, image_type) = image_parts(c);
            let row = sqlx::query(&format!("{PUT} RETURNING {COLUMNS}"))
                .bind(&c.pool_id)
                .bind(c.target())
                .bind(c.client_id.as_deref())
                .bind(c.css.as_deref())
                .bind(image)
                .bind(image_type)
                .bind(&c.css_version)
                .bind(c.created.0)
                .bind(c.modified.0)
                .fetch_one(self.writer())
                .await
                .map_err(|e| put_error(e, c))?;
            customization_from_row(&row)
        }

        async fn get_ui_customization(
            &self,
            pool_id: &str,
            client_id: Option<&str>,
        ) -> Result<Option<UiCustomization>> {
            sqlx::query(&format!(
                "SELECT {COLUMNS} FROM ui_customizations WHERE pool_id = $1 AND target = $2"
            ))
            .bind(pool_id)
            .bind(client_id.unwrap_or(ALL_CLIENTS))
            .fetch_optional(self.reader())
            .await
            .map_err(db)?
            .as_ref()
            .map(customization_from_row)
            .transpose()
        }
    }
}
