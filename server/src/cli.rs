//! The command line: `cognate serve` for production, `cognate dev` for a
//! laptop or CI, and tools that read a data directory.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::config::{LogFormat, Overrides};

#[derive(Debug, Parser)]
#[command(
    name = "cognate",
    version,
    about = "An identity server that speaks Amazon Cognito's languages.",
    long_about = "Cognate gives what an Amazon Cognito user pool gives — sign-up, sign-in, \
                  tokens, the cognito-idp JSON API, a hosted UI — from one binary.\n\n\
                  Configuration layers, each overriding the one before: defaults, the \
                  --config file, COGNATE_* environment variables, flags. \
                  See cognate.example.toml for every key."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// A TOML configuration file.
    #[arg(long, short = 'c', global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Address to listen on [env: COGNATE_LISTEN] [default: 127.0.0.1:9229].
    #[arg(long, global = true, value_name = "ADDR")]
    pub listen: Option<String>,
    /// Public URL clients use [env: COGNATE_PUBLIC_URL] [default: from --listen].
    #[arg(long, global = true, value_name = "URL")]
    pub public_url: Option<String>,
    /// Data directory [env: COGNATE_DATA_DIR] [default: .cognate].
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// sqlite://… or postgres://… [env: COGNATE_DATABASE_URL] [default: SQLite in the data directory].
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,
    /// Log format [env: COGNATE_LOG_FORMAT] [default: text].
    #[arg(long, global = true, value_enum)]
    pub log_format: Option<LogFormatArg>,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum LogFormatArg {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run for production: creates nothing but the master key and the
    /// database schema, no development pages, warns unless the public URL is https.
    Serve,
    /// Run for a laptop or CI: on first start creates a sample user pool, an
    /// app client and an admin access key, and serves the development pages.
    Dev,
    /// Show the newest messages of the local outbox: the codes and
    /// invitations that went to no mail server or SMS gateway.
    Outbox(OutboxArgs),
    /// Theme the hosted UI of a user pool or one of its app clients, as
    /// SetUICustomization does, on the data directory (or database) given.
    #[command(subcommand)]
    Theme(ThemeCommand),
}

#[derive(Debug, Subcommand)]
pub enum ThemeCommand {
    /// Set the CSS and logo; as in SetUICustomization, what is left out is
    /// removed, so `set` with neither clears the theme.
    Set {
        #[command(flatten)]
        target: ThemeTarget,
        /// A CSS file: the built-in variables (--bg, --fg, --card, --muted,
        /// --accent, --accent-fg, --danger, --border, --radius, --font) and
        /// rules; no @import, no external url().
        #[arg(long, value_name = "FILE")]
        css: Option<PathBuf>,
        /// A PNG or JPEG logo of at most 100 KB.
        #[arg(long, value_name = "FILE")]
        logo: Option<PathBuf>,
    },
    /// Print the theme in effect (the client's, else the pool's) as
    /// GetUICustomization returns it.
    Show {
        #[command(flatten)]
        target: ThemeTarget,
    },
}

#[derive(Debug, Args)]
pub struct ThemeTarget {
    /// The user pool.
    #[arg(long, value_name = "ID")]
    pub user_pool_id: String,
    /// An app client of the pool, or ALL for the pool's default.
    #[arg(long, value_name = "ID", default_value = "ALL")]
    pub client_id: String,
}

#[derive(Debug, Args)]
pub struct OutboxArgs {
    /// One JSON object a line (recipient, subject, body, time, …) instead of text.
    #[arg(long)]
    pub json: bool,
    /// How many messages, newest first.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=10000))]
    pub limit: u32,
    /// Only the messages of this user pool.
    #[arg(long, value_name = "ID")]
    pub user_pool_id: Option<String>,
}

impl GlobalArgs {
    pub fn overrides(&self) -> Overrides {
        Overrides {
            listen: self.listen.clone(),
            public_url: self.public_url.clone(),
            data_dir: self.data_dir.clone(),
            database_url: self.database_url.clone(),
            log_format: self.log_format.map(|f| match f {
                LogFormatArg::Text => LogFormat::Text,
                LogFormatArg::Json => LogFormat::Json,
            }),
        }
    }
}
