//! Issue 12, items 9c and 9d, on the real binary: the listener closes
//! connections that stall before their request head is in (slowloris) or
//! that go idle, and `cognate dev` — whose /_dev/outbox shows every code —
//! refuses a non-loopback address unless `dev_allow_remote` is set.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::process::Running;

/// Far above the configured timeouts: only "closed at all" is asserted.
const GENEROUS: Duration = Duration::from_secs(15);

/// Sends half a request line, then nothing; Ok(elapsed) once the server
/// closes the connection, Err if it is still open after [`GENEROUS`].
fn stall_half_a_request_line(url: &str) -> Result<Duration, String> {
    let addr = url.trim_start_matches("http://");
    let mut conn = TcpStream::connect(addr).unwrap();
    conn.set_read_timeout(Some(GENEROUS)).unwrap();
    let start = Instant::now();
    conn.write_all(b"GET /health HT").unwrap();
    let mut buf = [0u8; 512];
    loop {
        match conn.read(&mut buf) {
            Ok(0) => return Ok(start.elapsed()),
            // A 408 or other bytes before the close are fine.
            Ok(_) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {
                return Ok(start.elapsed());
            }
            Err(e) => return Err(format!("still open after {:?}: {e}", start.elapsed())),
        }
    }
}

#[test]
fn a_request_head_not_sent_within_the_header_read_timeout_closes_the_connection() {
    let data = tempfile::tempdir().unwrap();
    let server = Running::start(
        &["dev"],
        data.path(),
        &[("COGNATE_HTTP_HEADER_READ_TIMEOUT_SECS", "1.0")],
    );
    stall_half_a_request_line(&server.url).unwrap();
    // The server still serves, and still shuts down gracefully.
    assert!(server.get("/health").contains("\"status\":\"ok\""));
    assert_eq!(server.terminate(), Some(0));
}

#[test]
fn a_connection_idle_past_the_idle_timeout_is_closed() {
    let data = tempfile::tempdir().unwrap();
    let server = Running::start(
        &["dev"],
        data.path(),
        &[
            ("COGNATE_HTTP_HEADER_READ_TIMEOUT_SECS", "300.0"),
            ("COGNATE_HTTP_IDLE_TIMEOUT_SECS", "1.0"),
        ],
    );
    stall_half_a_request_line(&server.url).unwrap();
    assert!(server.get("/health").contains("\"status\":\"ok\""));
}

fn dev_on_every_address(data: &std::path::Path, env: &[(&str, &str)]) -> Child {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cognate"));
    cmd.args(["dev", "--listen", "0.0.0.0:0", "--data-dir"])
        .arg(data)
        .env_remove("COGNATE_DATABASE_URL")
        .env_remove("COGNATE_MASTER_KEY")
        .env_remove("COGNATE_DEV_ALLOW_REMOTE")
        .env("COGNATE_LOG_LEVEL", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.spawn().expect("spawn cognate")
}

#[test]
fn dev_refuses_a_non_loopback_address_with_one_line() {
    let data = tempfile::tempdir().unwrap();
    let mut child = dev_on_every_address(data.path(), &[]);
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("cognate dev still runs on 0.0.0.0 after 30 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(!status.success(), "{status}");
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(
        lines[0].starts_with("cognate: error:")
            && lines[0].contains("loopback")
            && lines[0].contains("dev_allow_remote"),
        "{err}"
    );
}

#[test]
fn dev_allow_remote_lets_dev_listen_on_every_address() {
    let data = tempfile::tempdir().unwrap();
    let mut child = dev_on_every_address(data.path(), &[("COGNATE_DEV_ALLOW_REMOTE", "true")]);
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let listening = stdout
        .lines()
        .map_while(Result::ok)
        .find(|l| l.contains("listening on"));
    let _ = child.kill();
    let _ = child.wait();
    assert!(listening.is_some(), "cognate dev did not start");
}
