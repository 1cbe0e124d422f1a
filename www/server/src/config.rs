//! Settings from the environment, with defaults that make `make demo` work
//! with no setup at all.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use crate::server::Limits;

/// How the demo runs. [`Config::from_env`] reads it; tests build it directly.
#[derive(Clone, Debug)]
pub struct Config {
    /// Pages, back-end and mock API. `PORT`, default 8080.
    pub app_addr: SocketAddr,
    /// The mock Kombo: its API and its Connect flow, a second origin.
    /// `FLOW_PORT`, default `PORT + 1`.
    pub flow_addr: SocketAddr,
    /// Where the SQLite file lives. `DATA_DIR`, default `.demo-data`.
    pub data_dir: PathBuf,
    /// The demo pages. `WWW_DIR`, default `www`.
    pub www_dir: PathBuf,
    /// The built package. `PKG_DIR`, default `pkg`.
    pub pkg_dir: PathBuf,
    /// `KOMBO_API_KEY`: when set, the back-end calls the real Kombo API.
    pub kombo_api_key: Option<String>,
    /// `KOMBO_API_URL`, default Kombo's EU API.
    pub kombo_api_url: String,
    /// `KOMBO_FLOW_ORIGIN`: where the real Kombo serves its flow, for the
    /// page's CSP and `flowOrigin`; default `https://connect.kombo.dev`.
    /// Unused with the mock, whose flow is on `FLOW_PORT`.
    pub kombo_flow_origin: String,
    /// How long an embedded link stays valid (Kombo: one hour).
    pub link_ttl: Duration,
    /// `ALLOWED_HOSTS`, comma-separated `host:port`: names the demo
    /// answers to besides `127.0.0.1` and `localhost` (behind a proxy).
    pub allowed_hosts: Vec<String>,
    /// How long a write waits for another process's lock on the database.
    pub db_busy_timeout: Duration,
    /// How often activations left pending are retried.
    pub retry_pending: Duration,
    /// Time limits of both listeners.
    pub limits: Limits,
}

/// The limits `make demo` runs with.
pub const LIMITS: Limits = Limits {
    header_read: Duration::from_secs(5),
    // Above the Kombo client's own 20 s time-out, so its 502 gets through.
    request: Duration::from_secs(30),
    grace: Duration::from_secs(10),
};

/// Kombo's EU API; US customers use `https://api.us.kombo.dev/v1`.
pub const KOMBO_EU_API: &str = "https://api.kombo.dev/v1";

impl Config {
    /// Reads `PORT`, `FLOW_PORT`, `DATA_DIR`, `WWW_DIR`, `PKG_DIR`,
    /// `KOMBO_API_KEY`, `KOMBO_API_URL`, `KOMBO_FLOW_ORIGIN` and
    /// `ALLOWED_HOSTS`.
    pub fn from_env() -> Result<Config, String> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let port = |name: &str, default: u16| -> Result<u16, String> {
            match var(name) {
                Some(v) => v
                    .parse()
                    .map_err(|_| format!("{name} must be a port number, got {v:?}")),
                None => Ok(default),
            }
        };
        let app_port = port("PORT", 8080)?;
        // PORT=0 (any free port) gives the flow any free port too.
        let flow_port = match app_port {
            0 => port("FLOW_PORT", 0)?,
            _ => port("FLOW_PORT", app_port.wrapping_add(1))?,
        };
        Ok(Config {
            app_addr: (Ipv4Addr::LOCALHOST, app_port).into(),
            flow_addr: (Ipv4Addr::LOCALHOST, flow_port).into(),
            data_dir: var("DATA_DIR")
                .unwrap_or_else(|| ".demo-data".into())
                .into(),
            www_dir: var("WWW_DIR").unwrap_or_else(|| "www".into()).into(),
            pkg_dir: var("PKG_DIR").unwrap_or_else(|| "pkg".into()).into(),
            kombo_api_key: var("KOMBO_API_KEY"),
            kombo_api_url: var("KOMBO_API_URL").unwrap_or_else(|| KOMBO_EU_API.into()),
            kombo_flow_origin: var("KOMBO_FLOW_ORIGIN")
                .unwrap_or_else(|| "https://connect.kombo.dev".into()),
            link_ttl: Duration::from_secs(3600),
            allowed_hosts: var("ALLOWED_HOSTS")
                .map(|v| {
                    v.split(',')
                        .map(|h| h.trim().to_owned())
                        .filter(|h| !h.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            db_busy_timeout: Duration::from_secs(5),
            retry_pending: Duration::from_secs(5),
            limits: LIMITS,
        })
    }
}
