//! The `cognate` binary as an operator meets it: first start of `cognate dev`,
//! a second start that reuses what the first created, graceful shutdown,
//! and one clear line (never a panic) for each kind of bad start.

use std::os::unix::fs::PermissionsExt;
use std::process::Command;

use crate::common::process::{Running, cognate};

#[test]
fn first_dev_start_creates_sample_data_and_a_second_start_reuses_it() {
    let data = tempfile::tempdir().unwrap();
    let first = Running::start(&["dev"], data.path(), &[]);
    let banner = first.banner.clone();
    for expected in [
        "listening on http://127.0.0.1:",
        "user pool",
        "app client",
        "admin access key",
        "us-east-1_",
    ] {
        assert!(
            banner.contains(expected),
            "banner lacks {expected:?}:\n{banner}"
        );
    }
    let health = first.get("/health");
    assert!(health.contains("\"status\":\"ok\""), "{health}");
    let pool_id = banner
        .lines()
        .find(|l| l.contains("user pool"))
        .and_then(|l| l.split_whitespace().nth(2))
        .unwrap()
        .to_owned();
    // SIGTERM ends it cleanly.
    assert_eq!(first.terminate(), Some(0));

    let key = std::fs::metadata(data.path().join("master.key")).unwrap();
    assert_eq!(
        key.permissions().mode() & 0o777,
        0o600,
        "master.key must be owner-only"
    );
    let creds = std::fs::metadata(data.path().join("aws-credentials")).unwrap();
    assert_eq!(creds.permissions().mode() & 0o777, 0o600);

    let second = Running::start(&["dev"], data.path(), &[]);
    assert!(
        second
            .banner
            .contains(&format!("user pool        {pool_id} ")),
        "second start made a new pool:\n{}",
        second.banner
    );
    second.terminate();
}

#[test]
fn serve_creates_no_sample_data() {
    let data = tempfile::tempdir().unwrap();
    let server = Running::start(&["serve"], data.path(), &[]);
    assert!(!server.banner.contains("user pool"), "{}", server.banner);
    assert!(!data.path().join("dev-sample.json").exists());
    assert!(server.get("/health").contains("ok"));
    server.terminate();
}

fn fails_with(args: &[&str], data: &std::path::Path, env: &[(&str, &str)], expect: &str) {
    let out = cognate(args, data, env).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "expected failure for {args:?}");
    assert!(stderr.contains(expect), "stderr lacks {expect:?}: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains("stack backtrace"), "{stderr}");
}

#[test]
fn bad_starts_stop_with_one_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");

    let bad_toml = dir.path().join("bad.toml");
    std::fs::write(&bad_toml, "listen = [").unwrap();
    fails_with(
        &["--config", bad_toml.to_str().unwrap(), "dev"],
        &data,
        &[],
        "bad.toml",
    );

    let unknown = dir.path().join("unknown.toml");
    std::fs::write(&unknown, "lissten = \"127.0.0.1:0\"\n").unwrap();
    fails_with(
        &["--config", unknown.to_str().unwrap(), "dev"],
        &data,
        &[],
        "lissten",
    );

    fails_with(
        &["--config", "/nonexistent/cognate.toml", "dev"],
        &data,
        &[],
        "/nonexistent/cognate.toml",
    );

    fails_with(
        &["dev"],
        &data,
        &[(
            "COGNATE_DATABASE_URL",
            "postgres://postgres:hunter2@127.0.0.1:1/nowhere",
        )],
        "postgres://postgres:***@127.0.0.1:1/nowhere",
    );

    // A data directory that cannot be created (its parent is a file).
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    fails_with(&["dev"], &file.join("data"), &[], "a-file/data");

    let corrupt = dir.path().join("corrupt");
    std::fs::create_dir_all(&corrupt).unwrap();
    std::fs::write(corrupt.join("master.key"), "not a key").unwrap();
    fails_with(&["dev"], &corrupt, &[], "master.key");

    fails_with(
        &["dev"],
        &data,
        &[("COGNATE_MASTER_KEY", "abcd")],
        "COGNATE_MASTER_KEY",
    );
}

#[test]
fn help_lists_the_commands_and_flags() {
    let out = Command::new(env!("CARGO_BIN_EXE_cognate"))
        .arg("--help")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    for expected in [
        "serve",
        "dev",
        "--config",
        "--listen",
        "--data-dir",
        "--database-url",
        "COGNATE_LISTEN",
    ] {
        assert!(text.contains(expected), "--help lacks {expected}: {text}");
    }
}
