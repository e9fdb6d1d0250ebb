//! The server's integration tests, one binary so the server and the AWS
//! SDK link once: each module is a feature (`tests/<feature>.rs` before),
//! each test starts its own real server on a random port with its own data
//! (see `common`).

#[macro_use]
mod common;

mod api_auth;
mod api_management;
mod api_mfa;
mod api_model_inputs;
mod api_oauth_resources;
mod api_protocol;
mod api_self_service;
mod api_srp;
mod api_users;
mod cli_outbox;
mod cli_theme;
mod cluster;
mod devices;
mod durability;
mod feature_plans;
mod federation_api;
mod federation_apple;
mod federation_logout;
mod federation_oidc;
mod federation_saml;
mod hosted_user_auth;
mod identity_pools;
mod identity_pools_external;
mod identity_pools_moto;
mod login_front;
mod mail_smtp;
mod oauth_flow;
mod rate_limits;
mod refresh_rotation;
mod security;
mod security_at_rest;
mod security_browser;
mod security_data_dir;
mod security_fuzz;
mod security_hosted;
mod security_keys;
mod security_listener;
mod security_sigv4;
mod sms_webhook;
mod startup;
mod triggers;
mod triggers_custom_auth;
mod triggers_migration;
mod triggers_senders;
mod triggers_sign_in;
mod user_auth;
mod user_auth_passkeys;
mod user_sessions;
mod wiring;
