//! SetUICustomization, GetUICustomization, and the logo the hosted UI shows:
//! a pool's default (`ALL`) and per-client customizations, a client's
//! overriding its pool's.

use super::Idp;
use crate::error::{CognitoError, Result};
use crate::model::ui_customization::{ALL_CLIENTS, LogoImage, UiCustomization};

impl Idp {
    /// The client a request names, `None` for the pool (`ALL` or left out);
    /// ResourceNotFound for a client not in the pool.
    async fn customization_target(
        &self,
        pool_id: &str,
        client_id: Option<&str>,
    ) -> Result<Option<String>> {
        match client_id {
            None | Some(ALL_CLIENTS) => Ok(None),
            Some(id) => Ok(Some(self.client(pool_id, id).await?.client_id)),
        }
    }

    /// Cognito API: SetUICustomization — the pool must have a domain; CSS
    /// and logo are set together (what is left out is removed); the CSS is
    /// checked (see `model::ui_customization`), the logo is a PNG or JPEG of
    /// at most 100 KB.
    pub async fn set_ui_customization(
        &self,
        pool_id: &str,
        client_id: Option<&str>,
        css: Option<String>,
        image_file: Option<Vec<u8>>,
    ) -> Result<UiCustomization> {
        self.pool(pool_id).await?;
        let client = self.customization_target(pool_id, client_id).await?;
        if self.store.pool_domains(pool_id).await?.is_empty() {
            return Err(CognitoError::invalid_parameter(
                "There has to be an existing domain associated with this user pool",
            ));
        }
        let now = self.clock.now();
        // The version changes with every call, even within one millisecond,
        // so that a logo URL carrying it never serves a stale cached image.
        let previous = self
            .store
            .get_ui_customization(pool_id, client.as_deref())
            .await?
            .and_then(|c| c.css_version.parse::<i64>().ok());
        let version = previous.map_or(now.millis(), |p| now.millis().max(p + 1));
        let c = UiCustomization::new(
            pool_id,
            client.as_deref(),
            css,
            image_file,
            version.to_string(),
            now,
        )?;
        self.store.put_ui_customization(&c).await
    }

    /// Cognito API: GetUICustomization — a client without its own falls back
    /// to the pool's; `None` when neither has one.
    pub async fn get_ui_customization(
        &self,
        pool_id: &str,
        client_id: Option<&str>,
    ) -> Result<Option<UiCustomization>> {
        self.pool(pool_id).await?;
        let client = self.customization_target(pool_id, client_id).await?;
        if let Some(id) = client.as_deref()
            && let Some(c) = self.store.get_ui_customization(pool_id, Some(id)).await?
        {
            return Ok(Some(c));
        }
        self.store.get_ui_customization(pool_id, None).await
    }

    /// The logo of exactly one customization (`ALL` or a client id), for
    /// the URL [`Idp::logo_url`] gives; `None` when there is none.
    pub async fn ui_logo(&self, pool_id: &str, target: &str) -> Result<Option<LogoImage>> {
        if !crate::ids::is_valid_user_pool_id(pool_id) {
            return Ok(None);
        }
        let client = (target != ALL_CLIENTS).then_some(target);
        if client.is_some_and(|c| !crate::ids::is_valid_client_id(c)) {
            return Ok(None);
        }
        Ok(self
            .store
            .get_ui_customization(pool_id, client)
            .await?
            .and_then(|c| c.image))
    }

    /// Cognito API: UICustomizationType, ImageUrl — where this server serves
    /// the logo: `{public_url}/{pool}/ui/logo/{ALL|client}.{png|jpg}?v={CSSVersion}`.
    pub fn logo_url(&self, c: &UiCustomization) -> Option<String> {
        c.image.as_ref().map(|i| {
            format!(
                "{}/{}/ui/logo/{}.{}?v={}",
                self.settings.public_url,
                c.pool_id,
                c.target(),
                i.image_type.extension(),
                c.css_version
            )
        })
    }
}
