//! The demo behind `make demo`: everything the Kombo Connect flow touches,
//! running offline on this machine.
//!
//! A front-end engineer evaluating kombo-connect-wasm wants to click
//! "Connect HRIS" and see the whole flow work without a Kombo account; an
//! integrator wants a back-end to copy. This server is both, in three parts:
//!
//! - [`backend`]: the customer's back-end, exactly the two routes Kombo's
//!   guide asks for (`POST /integrations/kombo/init` and `/activate`), plus a
//!   list and a delete for the demo's settings page, over SQLite ([`db`]).
//! - [`mock_api`]: Kombo's API (`/v1/connect/...`) with its documented
//!   request and response shapes, validation, Bearer key, link expiry and
//!   single-use activation tokens. With `KOMBO_API_KEY` set, the back-end
//!   calls the real API instead ([`kombo`]).
//! - [`mock_flow`]: the Connect flow page the link points to, on a second
//!   port, so the iframe is cross-origin as in production.

pub mod backend;
pub mod config;
pub mod db;
pub mod error;
pub mod kombo;
pub mod mock_api;
pub mod mock_flow;

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use config::Config;

/// A running demo: its two origins, and the handle to stop it.
pub struct Demo {
    /// `http://127.0.0.1:PORT`: the pages, the back-end and the mock API.
    pub app_url: String,
    /// `http://127.0.0.1:FLOW_PORT`: the mock Connect flow.
    pub flow_url: String,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<std::io::Result<()>>>,
}

impl Demo {
    /// Stops accepting connections, lets running requests finish, and waits.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
    }
}

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

    let db = db::Db::open(&config.data_dir)?;
    let mock = Arc::new(
        mock_api::Mock::new(mock_api::MOCK_API_KEY, &flow_url, config.link_ttl)
            .keeping_integrations_in(config.data_dir.join("mock-kombo-integrations.json")),
    );
    let kombo = match &config.kombo_api_key {
        Some(key) => kombo::Kombo::new(&config.kombo_api_url, key),
        None => kombo::Kombo::new(&(app_url.clone() + "/v1"), mock_api::MOCK_API_KEY),
    };
    // The page frames the flow from here: the mock's, or Kombo's own.
    let flow_origin = match &config.kombo_api_key {
        Some(_) => config.kombo_flow_origin.clone(),
        None => flow_url.clone(),
    };
    let app = backend::router(backend::State { db, kombo }, &config, &flow_origin)
        .merge(mock_api::router(mock.clone()));
    let flow = mock_flow::router(mock, &app_url);

    let (stop, stopped) = watch::channel(false);
    let serve =
        |listener: TcpListener, router: axum::Router, mut stopped: watch::Receiver<bool>| {
            tokio::spawn(async move {
                axum::serve(listener, router)
                    .with_graceful_shutdown(async move {
                        let _ = stopped.wait_for(|s| *s).await;
                    })
                    .await
            })
        };
    let tasks = vec![
        serve(app_listener, app, stopped.clone()),
        serve(flow_listener, flow, stopped),
    ];
    Ok(Demo {
        app_url,
        flow_url,
        stop,
        tasks,
    })
}

fn origin(addr: SocketAddr) -> String {
    format!("http://{addr}")
}
