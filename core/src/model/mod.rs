//! The entities of a user pool, shaped as Cognito's API types (field names
//! in PascalCase, enums in Cognito's spelling), each with the validation
//! rules of the Cognito API reference.

pub mod attributes;
pub mod client;
pub mod device;
pub mod domain;
pub mod group;
pub mod identity_pool;
pub mod identity_provider;
pub mod lambda;
pub mod pool;
pub mod resource_server;
pub mod session;
pub mod ui_customization;
pub mod user;
pub mod validate;

pub use attributes::{AttributeType, SchemaAttribute};
pub use client::UserPoolClient;
pub use group::Group;
pub use pool::UserPool;
pub use user::{User, UserStatus};
