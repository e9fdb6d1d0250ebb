//! Identity pools with Python peers from the test venv: the README's boto3
//! snippet as written, and delegation to a real external STS: moto's server (IAM,
//! STS and S3 in one process, from the test venv
//! `end2end/python/.venv`, `moto[server]` pinned in
//! end2end/python/requirements.txt) with IAM enforcement on. Cognate
//! (`sts_endpoint`) gets the role's credentials from moto's
//! AssumeRoleWithWebIdentity, returns them in Cognito's shape, and they
//! read the S3 object the role allows and are refused the one it does
//! not. Without the venv the test says SKIPPED, except under
//! COGNATE_REQUIRE_POSTGRES=1 or CI, where it fails.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use tokio::process::{Child, Command};

use crate::common::python::python_or_skip;
use crate::common::{Backend, TestServer};
use crate::identity_pools::{credentials_of, identity_client, identity_of};

const PASSWORD: &str = "Correct-Horse-9";

fn script() -> PathBuf {
    crate::common::python::script("moto_s3.py")
}

/// moto's server on a free port, killed when dropped.
async fn start_moto(python: &PathBuf) -> (Child, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(python)
        .args([
            "-m",
            "moto.server",
            "-H",
            "127.0.0.1",
            "-p",
            &port.to_string(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start moto's server");
    let url = format!("http://127.0.0.1:{port}");
    for _ in 0..150 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return (child, url);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("moto's server did not start on {url}");
}

async fn run_script(python: &PathBuf, args: &[&str], env: &[(&str, &str)]) -> String {
    let out = Command::new(python)
        .arg(script())
        .args(args)
        .envs(env.iter().copied())
        .output()
        .await
        .expect("run moto_s3.py");
    assert!(
        out.status.success(),
        "moto_s3.py {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// The README's identity-pool snippet, as written, run with boto3 against
/// the server (endpoints from AWS_ENDPOINT_URL_*, the admin key from the
/// environment instead of `cognate dev`'s credentials file).
#[tokio::test]
async fn the_readme_identity_pool_snippet_runs_with_boto3() {
    let Some(python) = python_or_skip() else {
        return;
    };
    let readme = include_str!("../../../README.md");
    let section = readme
        .split("## Identity pools: AWS credentials")
        .nth(1)
        .expect("the README's identity-pool section");
    let snippet = section
        .split("```python\n")
        .nth(1)
        .and_then(|s| s.split("```").next())
        .expect("its Python snippet");
    let server = TestServer::start(Backend::Sqlite).await.unwrap();
    let out = Command::new(&python)
        .args(["-c", snippet])
        .env("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER", &server.url)
        .env("AWS_ENDPOINT_URL_COGNITO_IDENTITY", &server.url)
        .env("AWS_ENDPOINT_URL_STS", &server.url)
        .env("AWS_ACCESS_KEY_ID", crate::common::ADMIN_KEY_ID)
        .env("AWS_SECRET_ACCESS_KEY", crate::common::ADMIN_SECRET)
        .env_remove("AWS_PROFILE")
        .output()
        .await
        .expect("run the snippet");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.starts_with("ASIA"), "{stdout}");
    assert!(
        stdout.contains(
            "arn:aws:sts::123456789012:assumed-role/ShopUsers/CognitoIdentityCredentials"
        ),
        "{stdout}"
    );
}

#[tokio::test]
async fn credentials_from_moto_sts_read_only_what_the_role_allows() {
    let Some(python) = python_or_skip() else {
        return;
    };
    let (_moto, moto_url) = start_moto(&python).await;
    let role = run_script(&python, &["setup", &moto_url], &[]).await;
    assert!(role.starts_with("arn:aws:iam::"), "{role}");

    let endpoint = moto_url.clone();
    let server = TestServer::start_with(Backend::Sqlite, |c| {
        c.sts_endpoint = Some(endpoint);
    })
    .await
    .unwrap();
    let pool = server.pool(|b| b).await;
    let (client, _) = server.client(&pool, false, false).await;
    server
        .verified_user(&pool, "alice", PASSWORD, "alice@example.com")
        .await;
    let id_token = server
        .signed_in(&client, "alice", PASSWORD)
        .await
        .id_token()
        .unwrap()
        .to_owned();
    let key = format!("cognito-idp.us-east-1.amazonaws.com/{pool}");
    let admin = identity_client(&server.url, true);
    let ipool = admin
        .create_identity_pool()
        .identity_pool_name("moto")
        .allow_unauthenticated_identities(false)
        .cognito_identity_providers(
            aws_sdk_cognitoidentity::types::CognitoIdentityProvider::builder()
                .provider_name(&key)
                .client_id(&client)
                .build(),
        )
        .send()
        .await
        .unwrap()
        .identity_pool_id()
        .to_owned();
    admin
        .set_identity_pool_roles()
        .identity_pool_id(&ipool)
        .roles("authenticated", &role)
        .send()
        .await
        .unwrap();

    let public = identity_client(&server.url, false);
    let identity = identity_of(&public, &ipool, &key, &id_token).await;
    let out = credentials_of(&public, &identity, &key, &id_token).await;
    let c = out.credentials().unwrap();
    // moto's keys, not Cognate's.
    assert!(
        server
            .state
            .idp
            .sts_caller(c.access_key_id().unwrap(), c.session_token().unwrap())
            .await
            .unwrap()
            .is_none()
    );
    let env = [
        ("AWS_ACCESS_KEY_ID", c.access_key_id().unwrap()),
        ("AWS_SECRET_ACCESS_KEY", c.secret_key().unwrap()),
        ("AWS_SESSION_TOKEN", c.session_token().unwrap()),
    ];
    assert_eq!(
        run_script(&python, &["read", &moto_url, "allowed/a.txt"], &env).await,
        "OK allowed object"
    );
    assert_eq!(
        run_script(&python, &["read", &moto_url, "secret/b.txt"], &env).await,
        "DENIED AccessDenied"
    );
}
