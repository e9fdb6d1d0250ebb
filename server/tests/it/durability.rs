//! Every write the server acknowledges survives `kill -9` (docs/architecture.md,
//! Storage): a burst of creates against the real binary, killed mid-burst,
//! restarted, and every acknowledged record is found.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::common::process::Running;
use aws_sdk_cognitoidentityprovider as cip;
use cip::config::{BehaviorVersion, Credentials, Region};

fn admin_client(url: &str, data: &std::path::Path) -> cip::Client {
    let text = std::fs::read_to_string(data.join("aws-credentials")).unwrap();
    let value = |k: &str| {
        text.lines()
            .filter_map(|l| l.split_once('='))
            .find(|(key, _)| key.trim() == k)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap()
    };
    let config = cip::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(url)
        .credentials_provider(Credentials::new(
            value("aws_access_key_id"),
            value("aws_secret_access_key"),
            None,
            None,
            "durability",
        ))
        .build();
    cip::Client::from_conf(config)
}

fn pool_id(banner: &str) -> String {
    banner
        .lines()
        .find(|l| l.contains("user pool"))
        .and_then(|l| l.split_whitespace().nth(2))
        .unwrap()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_creates_survive_kill_9() {
    let data = tempfile::tempdir().unwrap();
    let server = Running::start(&["dev"], data.path(), &[]);
    let pool = pool_id(&server.banner);
    let client = admin_client(&server.url, data.path());

    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut workers = Vec::new();
    for w in 0..8 {
        let (client, pool, acked) = (client.clone(), pool.clone(), acknowledged.clone());
        workers.push(tokio::spawn(async move {
            for i in 0.. {
                let name = format!("g-{w}-{i}");
                match client
                    .create_group()
                    .user_pool_id(&pool)
                    .group_name(&name)
                    .send()
                    .await
                {
                    Ok(_) => acked.lock().unwrap().push(name),
                    Err(_) => break, // the server is gone
                }
            }
        }));
    }
    // Let the burst run, then kill the process with requests in flight.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while acknowledged.lock().unwrap().len() < 300 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    server.kill9();
    for w in workers {
        let _ = w.await;
    }
    let acked = acknowledged.lock().unwrap().clone();
    assert!(
        acked.len() >= 50,
        "too few writes before the kill: {}",
        acked.len()
    );

    let restarted = Running::start(&["dev"], data.path(), &[]);
    assert_eq!(pool_id(&restarted.banner), pool);
    let client = admin_client(&restarted.url, data.path());
    let mut found = std::collections::HashSet::new();
    let mut token = None;
    loop {
        let page = client
            .list_groups()
            .user_pool_id(&pool)
            .limit(60)
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        found.extend(
            page.groups()
                .iter()
                .filter_map(|g| g.group_name().map(str::to_owned)),
        );
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    let lost: Vec<&String> = acked.iter().filter(|n| !found.contains(*n)).collect();
    assert!(
        lost.is_empty(),
        "{} of {} acknowledged groups were lost: {:?}",
        lost.len(),
        acked.len(),
        &lost[..lost.len().min(10)]
    );
    restarted.terminate();
}
