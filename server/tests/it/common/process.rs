//! Runs the real `cognate` binary on a random port with its own data directory.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub fn cognate(args: &[&str], data: &Path, env: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cognate"));
    cmd.args(args)
        .args(["--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data)
        .env_remove("COGNATE_DATABASE_URL")
        .env_remove("COGNATE_MASTER_KEY")
        .env("COGNATE_LOG_LEVEL", "warn");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

pub struct Running {
    pub child: Child,
    pub url: String,
    pub banner: String,
}

impl Running {
    /// Starts the binary and waits for its banner (the lines up to the
    /// first blank pause after "listening on").
    pub fn start(args: &[&str], data: &Path, env: &[(&str, &str)]) -> Self {
        let mut child = cognate(args, data, env)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn cognate");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel::<String>();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut banner = String::new();
        let mut url = None;
        while Instant::now() < deadline {
            match rx.recv_timeout(Duration::from_millis(if url.is_some() {
                300
            } else {
                60_000
            })) {
                Ok(line) => {
                    if let Some(rest) = line.split("listening on ").nth(1) {
                        url = Some(rest.trim().to_owned());
                    }
                    banner.push_str(&line);
                    banner.push('\n');
                }
                Err(_) if url.is_some() => break,
                Err(_) => {
                    let mut err = String::new();
                    if let Some(mut e) = child.stderr.take() {
                        let _ = child.kill();
                        let _ = e.read_to_string(&mut err);
                    }
                    panic!("cognate did not start: {err}");
                }
            }
        }
        let url = url.unwrap_or_else(|| panic!("no listening line in: {banner}"));
        Self { child, url, banner }
    }

    pub fn get(&self, path: &str) -> String {
        let url = format!("{}{path}", self.url);
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(async { reqwest::get(&url).await.unwrap().text().await.unwrap() })
    }

    /// SIGTERM, then the exit code.
    pub fn terminate(mut self) -> Option<i32> {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let status = self.child.wait().unwrap();
        status.code()
    }

    /// SIGKILL: no chance to flush anything.
    pub fn kill9(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}
