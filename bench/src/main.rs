//! `cognate-bench`: sets up a pool on any Cognito-speaking server and runs
//! fixed workloads against it with a fixed number of connections, bounded
//! in count and time, on loopback only. Every server gets exactly the same
//! requests.

mod client;
mod lambda;
mod launch;
mod limits;
mod modern;
mod seed;
mod workloads;

use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, Subcommand};

use crate::client::Api;

#[derive(Parser)]
#[command(about = "Load generator for the Cognito user-pool JSON protocol")]
struct Cli {
    /// The server's endpoint URL (loopback only).
    #[arg(long, default_value = "http://127.0.0.1:9229")]
    url: String,
    #[arg(
        long,
        env = "AWS_ACCESS_KEY_ID",
        default_value = "AKIABENCHMARK0000000"
    )]
    access_key_id: String,
    #[arg(long, env = "AWS_SECRET_ACCESS_KEY", default_value = "bench-secret")]
    secret_access_key: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Creates a pool, a client and a signed-in user, seeds `users` more,
    /// and writes what the workloads need to `out`. With `pre_token`, also
    /// a second pool whose PreTokenGeneration V2_0 function is the local
    /// Invoke server's (`lambda`), for the password-sign-in-pre-token
    /// workload (Cognate only).
    Setup {
        #[arg(long, default_value_t = 1000)]
        users: usize,
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        pre_token: bool,
        /// Also the pools of the email-otp-sign-in, rotating-refresh and
        /// federated-sign-in workloads (Cognate only), whose codes are read
        /// from the outbox of the server's data directory, `data_dir`.
        #[arg(long, requires = "data_dir")]
        user_auth: bool,
        #[arg(long)]
        data_dir: Option<PathBuf>,
    },
    /// Serves the Lambda Invoke API on `listen` (loopback) with a V2_0
    /// pre token generation function, until stopped.
    Lambda {
        #[arg(long, default_value = "127.0.0.1:9001")]
        listen: std::net::SocketAddr,
    },
    /// Runs one workload and prints a JSON result line.
    Run {
        #[arg(long)]
        setup: PathBuf,
        #[arg(long)]
        workload: workloads::Workload,
        #[arg(long, default_value_t = 16)]
        connections: usize,
        /// Seconds per measured round.
        #[arg(long, default_value_t = 5)]
        duration: u64,
        #[arg(long, default_value_t = 2)]
        warmup: u64,
        #[arg(long, default_value_t = 3)]
        rounds: usize,
        /// Stop a round after this many requests, whatever the time.
        #[arg(long, default_value_t = 1_000_000)]
        max_requests: u64,
        /// The server's process id, to read its CPU time and peak RSS.
        #[arg(long)]
        pid: Option<u32>,
    },
    /// Adds users `user{from}`..`user{to - 1}` to the set-up pool straight
    /// in a Cognate data directory's SQLite file (the server may be running).
    SeedSqlite {
        #[arg(long)]
        setup: PathBuf,
        #[arg(long)]
        data_dir: PathBuf,
        #[arg(long, default_value_t = 0)]
        from: usize,
        #[arg(long)]
        to: usize,
    },
    /// Starts a server (`-- command args…`, its output to `log`), waits for
    /// its first good answer to a signed ListUserPools call and to
    /// `health_path` if given, and prints its pid and those times in ms
    /// from the spawn as JSON. The server keeps running.
    Launch {
        #[arg(long)]
        log: PathBuf,
        #[arg(long)]
        health_path: Option<String>,
        /// Give up after this many seconds.
        #[arg(long, default_value_t = 120)]
        timeout: u64,
        #[arg(last = true, required = true)]
        command: Vec<String>,
    },
    /// Measures the machine's ceilings (RS256 signatures, 3072-bit modexps,
    /// argon2id hashes per second) and prints them as JSON.
    Limits {
        /// Seconds per measurement.
        #[arg(long, default_value_t = 2)]
        seconds: u64,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let host = reqwest::Url::parse(&cli.url)?;
    let loopback = matches!(
        host.host_str(),
        Some("127.0.0.1" | "localhost" | "[::1]" | "::1")
    );
    anyhow::ensure!(
        loopback,
        "load is only ever sent to loopback addresses, not {}",
        cli.url
    );
    let api = Api::new(&cli.url, &cli.access_key_id, &cli.secret_access_key);
    match cli.command {
        Command::Launch {
            log,
            health_path,
            timeout,
            command,
        } => {
            let started =
                launch::launch(&api, &log, health_path.as_deref(), timeout, &command).await?;
            println!("{}", serde_json::to_string(&started)?);
        }
        Command::Limits { seconds } => {
            let limits = tokio::task::spawn_blocking(move || {
                limits::measure_all(Duration::from_secs(seconds))
            })
            .await??;
            println!("{}", serde_json::to_string(&limits)?);
        }
        Command::SeedSqlite {
            setup,
            data_dir,
            from,
            to,
        } => {
            let setup: workloads::Setup = serde_json::from_str(&std::fs::read_to_string(&setup)?)?;
            let seconds = seed::seed_sqlite(&data_dir, &setup.pool_id, from, to).await?;
            println!(
                "{}",
                serde_json::json!({"from": from, "to": to, "seconds": seconds})
            );
        }
        Command::Lambda { listen } => lambda::serve(listen).await?,
        Command::Setup {
            users,
            out,
            pre_token,
            user_auth,
            data_dir,
        } => {
            let mut setup = workloads::setup(&api, users).await?;
            if pre_token {
                setup.pre_token = Some(workloads::setup_pre_token(&api).await?);
            }
            if let (true, Some(dir)) = (user_auth, data_dir) {
                setup.user_auth = Some(modern::setup(&api, &dir).await?);
            }
            std::fs::write(&out, serde_json::to_string_pretty(&setup)?)?;
            eprintln!("setup written to {}", out.display());
        }
        Command::Run {
            setup,
            workload,
            connections,
            duration,
            warmup,
            rounds,
            max_requests,
            pid,
        } => {
            let setup: workloads::Setup = serde_json::from_str(&std::fs::read_to_string(&setup)?)?;
            let result = workloads::run(
                &api,
                &setup,
                workload,
                connections,
                Duration::from_secs(warmup),
                Duration::from_secs(duration),
                rounds,
                max_requests,
                pid,
            )
            .await;
            // A failed workload is a line of the report, not the end of the run.
            match result {
                Ok(outcome) => println!("{}", serde_json::to_string(&outcome)?),
                Err(e) => println!(
                    "{}",
                    serde_json::json!({"workload": workload, "failed": format!("{e:#}")})
                ),
            }
        }
    }
    Ok(())
}
