//! Settings from the environment, with defaults that make `make demo` work
//! with no setup at all.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

/// How the demo runs. [`Config::from_env`] reads it; tests build it directly.
#[derive(Clone, Debug)]
pub struct Config {
    /// Pages, back-end and mock API. `PORT`, default 8080.
    pub app_addr: SocketAddr,
    /// The mock Connect flow, a second origin. `FLOW_PORT`, default `PORT + 1`.
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
}

/// Kombo's EU API; US customers use `https://api.us.kombo.dev/v1`.
pub const KOMBO_EU_API: &str = "https://api.kombo.dev/v1";

impl Config {
    /// Reads `PORT`, `FLOW_PORT`, `DATA_DIR`, `WWW_DIR`, `PKG_DIR`,
    /// `KOMBO_API_KEY`, `KOMBO_API_URL` and `KOMBO_FLOW_ORIGIN`.
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
        let flow_port = port("FLOW_PORT", app_port.wrapping_add(1))?;
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
        })
    }
}
