//! The demo as its own process, as `make demo` runs it: for what only a
//! process shows (signals, `kill -9`, another process locking the file).
//! `DEMO_BIN` runs these tests against another build of the binary.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// A running demo binary on free loopback ports.
pub struct Process {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub app: String,
    /// `http://127.0.0.1:FLOW_PORT`.
    pub flow: String,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Process {
    /// Starts the binary over `data` with the extra environment `env`,
    /// and waits (at most 30 s) until it answers.
    pub async fn spawn(data: &Path, env: &[(&str, &str)]) -> Process {
        let binary = std::env::var("DEMO_BIN")
            .unwrap_or_else(|_| env!("CARGO_BIN_EXE_kombo-connect-demo").into());
        let (port, flow_port) = (free_port(), free_port());
        let child = Command::new(binary)
            .env("PORT", port.to_string())
            .env("FLOW_PORT", flow_port.to_string())
            .env("DATA_DIR", data)
            .env("WWW_DIR", "../")
            .env("PKG_DIR", "../../pkg")
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let process = Process {
            child,
            app: format!("http://127.0.0.1:{port}"),
            flow: format!("http://127.0.0.1:{flow_port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while reqwest::get(format!("{}/demo.css", process.app))
            .await
            .is_err()
        {
            assert!(Instant::now() < deadline, "the demo did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        process
    }

    /// Sends a signal (`TERM`, `INT`, `KILL`).
    pub fn signal(&self, name: &str) {
        let sent = Command::new("kill")
            .args(["-s", name, &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
    }

    /// Waits for the process to exit, at most `limit`.
    pub async fn exited_within(&mut self, limit: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        None
    }

    /// `kill -9`, and waits for it.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
