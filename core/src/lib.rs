//! Cognate's domain, with no HTTP and no HTML: user pools, app clients, users
//! and groups with Cognito's validation rules; credentials and secrets at rest;
//! and the [`store::Store`] trait with its SQLite and PostgreSQL implementations.

pub mod clock;
pub mod credential;
pub mod crypto;
pub mod error;
pub mod ids;
pub mod model;
pub mod service;
pub mod srp;
pub mod store;
#[cfg(feature = "test-support")]
pub mod test_support;
pub mod tokens;

pub use clock::{Clock, Timestamp};
pub use error::{CognitoError, Result};
