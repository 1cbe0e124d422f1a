//! Serving a router on a listener with the limits a server facing the
//! network needs, which `axum::serve` does not set: a client gets a few
//! seconds to send its request headers, a request a bounded time to be
//! answered, and a stop finishes the requests in flight within a bounded
//! grace period (idle connections close at once) instead of waiting for
//! the slowest client.

use std::time::Duration;

use axum::http::StatusCode;
use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tower_http::timeout::TimeoutLayer;

/// The time limits of one listener.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// From a connection's start (or its previous answer) to the end of
    /// the request headers.
    pub header_read: Duration,
    /// From the request headers to the answer: 408 after that.
    pub request: Duration,
    /// After a stop, how long requests in flight may still take.
    pub grace: Duration,
}

/// Serves `router` until `stop` turns true, then drains as [`Limits`] says.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    mut stop: watch::Receiver<bool>,
) {
    let router = router.layer(TimeoutLayer::with_status_code(
        StatusCode::REQUEST_TIMEOUT,
        limits.request,
    ));
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read);
    let graceful = GracefulShutdown::new();
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _)) => stream,
                    // Out of file descriptors and the like: the next accept may work.
                    Err(e) => {
                        eprintln!("accept: {e}");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let service = TowerToHyperService::new(router.clone());
                let connection = http.serve_connection(TokioIo::new(stream), service);
                connections.spawn(graceful.watch(connection));
            }
            // Reaps finished connections so the set does not grow.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            () = stopped(&mut stop) => break,
        }
    }
    drop(listener);
    if tokio::time::timeout(limits.grace, graceful.shutdown())
        .await
        .is_err()
    {
        eprintln!(
            "{} connection(s) still busy after {:?}: closed",
            connections.len(),
            limits.grace
        );
    }
    connections.shutdown().await;
}

/// Resolves once `stop` says stop (or its sender is gone).
pub async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|stopped| *stopped).await;
}

/// Runs `task` now and then every `period`, until `stop` says stop.
pub fn every<F, Fut>(
    period: Duration,
    mut stop: watch::Receiver<bool>,
    mut task: F,
) -> tokio::task::JoinHandle<()>
where
    F: FnMut() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    tokio::spawn(async move {
        loop {
            task().await;
            tokio::select! {
                _ = tokio::time::sleep(period) => {}
                () = stopped(&mut stop) => return,
            }
        }
    })
}
