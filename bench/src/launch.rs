//! Starts a server and times its start: from the spawn to the first good
//! answer of a cheap API call (a signed ListUserPools, which every server
//! has) and, where the server has one, of its health endpoint.

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde::Serialize;
use serde_json::json;

use crate::client::Api;

#[derive(Debug, Serialize)]
pub struct Started {
    pub pid: u32,
    /// Spawn to the first 200 answer of ListUserPools.
    pub api_ms: f64,
    /// Spawn to the first 200 answer of the health path.
    pub health_ms: Option<f64>,
}

pub async fn launch(
    api: &Api,
    log: &Path,
    health_path: Option<&str>,
    timeout: u64,
    command: &[String],
) -> anyhow::Result<Started> {
    let (program, args) = command.split_first().context("no command to launch")?;
    let out =
        std::fs::File::create(log).with_context(|| format!("cannot create {}", log.display()))?;
    let err = out.try_clone()?;
    let mut spawn = std::process::Command::new(program);
    spawn
        .args(args)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err);
    let t0 = Instant::now();
    let mut child = spawn
        .spawn()
        .with_context(|| format!("cannot start {program}"))?;
    let deadline = t0 + Duration::from_secs(timeout);
    let health_url = health_path.map(|p| format!("{}{}", api.base().trim_end_matches('/'), p));
    let mut health_ms = None;
    if let Some(url) = &health_url {
        health_ms = Some(
            wait(&mut child, t0, deadline, || async {
                api.get(url).await.is_ok_and(|s| s == 200)
            })
            .await?,
        );
    }
    let api_ms = wait(&mut child, t0, deadline, || async {
        api.call("ListUserPools", &json!({"MaxResults": 1}), true)
            .await
            .is_ok_and(|(s, _)| s == 200)
    })
    .await?;
    Ok(Started {
        pid: child.id(),
        api_ms,
        health_ms,
    })
}

/// Polls `ready` every millisecond until it holds; ms since `t0`.
async fn wait<F, Fut>(
    child: &mut std::process::Child,
    t0: Instant,
    deadline: Instant,
    ready: F,
) -> anyhow::Result<f64>
where
    F: Fn() -> Fut,
    Fut: Future<Output = bool>,
{
    loop {
        if ready().await {
            return Ok(t0.elapsed().as_secs_f64() * 1000.0);
        }
        if let Some(status) = child.try_wait()? {
            bail!("the server exited before it answered: {status}");
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            bail!("the server did not answer within the time allowed");
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}
