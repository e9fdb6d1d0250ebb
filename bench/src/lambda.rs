//! `cognate-bench lambda`: a local Lambda Invoke API server for the
//! PreTokenGeneration workload. Every function it is asked for answers a
//! V2_0 pre token generation event as a small real function would: one
//! claim added to each token and one scope to the access token. Loopback
//! only; it runs until it is stopped.

use std::net::SocketAddr;

use axum::Json;
use axum::routing::post;
use serde_json::{Value, json};

/// The ARN the workload's pool names (a local runtime is given the name).
pub const FUNCTION_ARN: &str = "arn:aws:lambda:us-east-1:000000000000:function:bench-pre-token";

async fn invoke(Json(mut event): Json<Value>) -> Json<Value> {
    event["response"]["claimsAndScopeOverrideDetails"] = json!({
        "idTokenGeneration": {"claimsToAddOrOverride": {"tier": "bench"}},
        "accessTokenGeneration": {
            "claimsToAddOrOverride": {"tier": "bench"},
            "scopesToAdd": ["bench/read"],
        },
    });
    Json(event)
}

pub async fn serve(listen: SocketAddr) -> anyhow::Result<()> {
    anyhow::ensure!(
        listen.ip().is_loopback(),
        "the local Invoke server listens on loopback only, not {listen}"
    );
    let app = axum::Router::new().route("/2015-03-31/functions/{name}/invocations", post(invoke));
    let listener = tokio::net::TcpListener::bind(listen).await?;
    eprintln!("Invoke API on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}
