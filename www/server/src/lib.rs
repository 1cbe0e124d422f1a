//! The demo behind `make demo`: everything the Kombo Connect flow touches,
//! running offline on this machine.
//!
//! A front-end engineer evaluating kombo-connect-wasm wants to click
//! "Connect HRIS" and see the whole flow work without a Kombo account; an
//! integrator wants a back-end to copy. This server is both, in three parts:
//!
//! - [`backend`]: the customer's back-end, exactly the two routes Kombo's
//!   guide asks for (`POST /integrations/kombo/init` and `/activate`), plus a
//!   list and a delete for the demo's settings page, over SQLite ([`db`]),
//!   for the signed-in organization ([`session`]).
//! - [`mock_api`]: Kombo's API (`/v1/connect/...`) with its documented
//!   request and response shapes, validation, Bearer key, link expiry and
//!   single-use activation tokens. With `KOMBO_API_KEY` set, the back-end
//!   calls the real API instead ([`kombo`]).
//! - [`mock_flow`]: the Connect flow page the link points to. The mock API
//!   and flow are on a second port: the iframe is cross-origin as in
//!   production, and on a stop the mock closes after the back-end, which
//!   may still be calling it.

pub mod activation;
pub mod backend;
pub mod config;
pub mod db;
pub mod error;
pub mod guard;
pub mod kombo;
pub mod mock_api;
pub mod mock_flow;
mod random;
pub mod server;
pub mod session;

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use config::Config;

/// A running demo: its two origins, and the handle to stop it.
pub struct Demo {
    /// `http://127.0.0.1:PORT`: the pages and the back-end.
    pub app_url: String,
    /// `http://127.0.0.1:FLOW_PORT`: the mock Kombo, its API under `/v1`
    /// and its Connect flow.
    pub flow_url: String,
    stop_app: watch::Sender<bool>,
    stop_mock: watch::Sender<bool>,
    app: Vec<JoinHandle<()>>,
    mock: Vec<JoinHandle<()>>,
}

impl Demo {
    /// Stops accepting connections, lets requests in flight finish within
    /// the grace period, then stops the mock Kombo the same way.
    pub async fn stop(self) {
        let _ = self.stop_app.send(true);
        for task in self.app {
            let _ = task.await;
        }
        let _ = self.stop_mock.send(true);
        for task in self.mock {
            let _ = task.await;
        }
    }
}

/// How often the mock forgets expired links and tokens.
const PRUNE_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// Binds both ports, opens (or creates) the database and starts serving.
pub async fn start(config: Config) -> Result<Demo, error::StartError> {
    let app_listener = TcpListener::bind(config.app_addr)
        .await
        .map_err(|e| error::StartError::Bind(config.app_addr, e))?;
    let flow_listener = TcpListener::bind(config.flow_addr)
        .await
        .map_err(|e| error::StartError::Bind(config.flow_addr, e))?;
    let app_addr = app_listener
        .local_addr()
        .map_err(|e| error::StartError::Bind(config.app_addr, e))?;
    let flow_addr = flow_listener
        .local_addr()
        .map_err(|e| error::StartError::Bind(config.flow_addr, e))?;
    let app_url = origin(app_addr);
    let flow_url = origin(flow_addr);

    let db = db::Db::open(&config.data_dir, config.db_busy_timeout)?;
    let mock = Arc::new(
        mock_api::Mock::new(mock_api::MOCK_API_KEY, &flow_url, config.link_ttl)
            .keeping_state_in(&config.data_dir),
    );
    let kombo = match &config.kombo_api_key {
        Some(key) => kombo::Kombo::new(&config.kombo_api_url, key),
        None => kombo::Kombo::new(&(flow_url.clone() + "/v1"), mock_api::MOCK_API_KEY),
    };
    // The page frames the flow from here: the mock's, or Kombo's own.
    let flow_origin = match &config.kombo_api_key {
        Some(_) => config.kombo_flow_origin.clone(),
        None => flow_url.clone(),
    };
    let state = backend::State {
        db,
        kombo,
        activations: Arc::default(),
    };
    let app = guard::guard(
        backend::router(state.clone(), &config, &flow_origin),
        guard::hosts(app_addr.port(), &config.allowed_hosts),
    );
    let flow = guard::guard(
        mock_api::router(mock.clone()).merge(mock_flow::router(mock.clone(), &app_url)),
        guard::hosts(flow_addr.port(), &config.allowed_hosts),
    );

    let (stop_app, app_stopped) = watch::channel(false);
    let (stop_mock, mock_stopped) = watch::channel(false);
    let app = vec![
        tokio::spawn(server::serve(
            app_listener,
            app,
            config.limits,
            app_stopped.clone(),
        )),
        server::every(config.retry_pending, app_stopped, {
            let state = state.clone();
            move || {
                let state = state.clone();
                async move { activation::finish_pending(&state).await }
            }
        }),
    ];
    let mock = vec![
        tokio::spawn(server::serve(
            flow_listener,
            flow,
            config.limits,
            mock_stopped.clone(),
        )),
        server::every(PRUNE_EVERY, mock_stopped, move || {
            mock.prune();
            std::future::ready(())
        }),
    ];
    Ok(Demo {
        app_url,
        flow_url,
        stop_app,
        stop_mock,
        app,
        mock,
    })
}

fn origin(addr: SocketAddr) -> String {
    format!("http://{addr}")
}
