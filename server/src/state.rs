//! Application state: configuration, the store, keys and the clock. No
//! globals; handlers take what they need through axum's `State`.

use std::sync::Arc;

use cognate_core::service::Idp;

use crate::api::sigv4::AccessKey;
use crate::config::Config;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// `cognate serve`: production.
    Serve,
    /// `cognate dev`: sample data and development pages.
    Dev,
}

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub config: Config,
    pub mode: Mode,
    pub public_url: String,
    /// The core: store, keys, clock and every operation.
    pub idp: Idp,
    pub admin_keys: Vec<AccessKey>,
    /// The sample pool and client of `cognate dev`, for the banner and pages.
    pub dev_sample: Option<DevSample>,
    /// Rate limits on sign-in, codes and recovery.
    pub limits: crate::limits::RateLimits,
    /// Where codes and invitations go: SMTP, the SMS webhook, the outbox.
    pub delivery: crate::mail::Delivery,
    /// The HTTP client to upstream identity providers (bounded, no redirects).
    pub upstream: crate::federation::upstream::Upstream,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct DevSample {
    pub user_pool_id: String,
    pub client_id: String,
}

impl AppState {
    pub fn new(inner: Inner) -> Self {
        Self(Arc::new(inner))
    }
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}
