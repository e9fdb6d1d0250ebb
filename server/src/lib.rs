//! The `cognate` server: configuration, start-up, and one axum router that
//! carries every surface (see `router.rs`, the table of contents).

pub mod api;
pub mod aws_signing;
pub mod bootstrap;
pub mod cli;
pub mod config;
pub mod cors;
pub mod domain_routing;
pub mod federation;
pub mod front;
pub mod health;
pub mod http;
pub mod identity;
pub mod kms;
pub mod lambda;
pub mod limits;
pub mod listener;
pub mod mail;
pub mod migrate_from_cognito;
pub mod oauth;
pub mod oidc;
pub mod outbox;
pub mod router;
pub mod sessions;
pub mod shutdown;
pub mod state;
pub mod sts;
pub mod theme_cli;
pub mod throttle;
pub mod ui;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::cli::{Cli, Command};
use crate::config::{Config, LogFormat};
use crate::state::Mode;

/// Runs a parsed command line to completion.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = Config::load(cli.global.config.as_deref(), &cli.global.overrides())?;
    init_tracing(&config)?;
    match cli.command {
        Command::Serve => serve(config, Mode::Serve).await,
        Command::Dev => serve(config, Mode::Dev).await,
        Command::Outbox(args) => outbox::print(&config, &args).await,
        Command::Theme(command) => theme_cli::run(&config, command).await,
    }
}

fn init_tracing(config: &Config) -> anyhow::Result<()> {
    let filter = tracing_subscriber::EnvFilter::try_new(&config.log_level)
        .with_context(|| format!("log_level {:?} is not a valid filter", config.log_level))?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // A second init (tests running several servers in one process) is harmless.
    let _ = match config.log_format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
    Ok(())
}

async fn serve(mut config: Config, mode: Mode) -> anyhow::Result<()> {
    // /_dev/outbox shows every code sent: not for the network unless asked.
    if mode == Mode::Dev && !config.listen.ip().is_loopback() && !config.dev_allow_remote {
        anyhow::bail!(
            "cognate dev shows every code sent at /_dev/outbox, so it listens only on loopback (127.0.0.1, ::1), not {}; set dev_allow_remote = true (COGNATE_DEV_ALLOW_REMOTE=true) to allow it",
            config.listen.ip()
        );
    }
    let listener = TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    config.listen = listener
        .local_addr()
        .context("cannot read the bound address")?;
    let state = bootstrap::start(config, mode).await?;
    bootstrap::announce(&state);
    tokio::spawn(housekeeping(state.idp.clone()));
    let app = router::build(state.clone());
    let timeouts = state.config.listener_timeouts();
    listener::serve(listener, app, timeouts, shutdown::signal()).await;
    // Queued codes get one more timeout to leave.
    state.delivery.drain(state.config.delivery_timeout()).await;
    tracing::info!("stopped");
    Ok(())
}

/// Background upkeep of the store, hourly: expired refresh tokens, codes
/// web sessions, attempts on unknown names and credentials the built-in
/// STS minted go, and outbox messages older than a week.
async fn housekeeping(idp: cognate_core::service::Idp) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        tick.tick().await;
        match idp.purge_expired_refresh_tokens().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(deleted = n, "purged expired refresh tokens"),
            Err(e) => tracing::warn!(error = %e, "purging expired refresh tokens failed"),
        }
        match idp.purge_old_outbox_messages().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(deleted = n, "purged outbox messages older than a week"),
            Err(e) => tracing::warn!(error = %e, "purging the outbox failed"),
        }
        match idp.purge_expired_ghosts().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(deleted = n, "purged expired attempts on unknown names"),
            Err(e) => tracing::warn!(error = %e, "purging attempts on unknown names failed"),
        }
        match idp.purge_expired_oauth().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(deleted = n, "purged expired codes and sessions"),
            Err(e) => tracing::warn!(error = %e, "purging expired codes and sessions failed"),
        }
        match idp.purge_expired_sts_credentials().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(deleted = n, "purged expired STS credentials"),
            Err(e) => tracing::warn!(error = %e, "purging expired STS credentials failed"),
        }
    }
}
