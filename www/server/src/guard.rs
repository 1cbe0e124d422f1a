//! What a request must be for the demo to serve it, on both origins: a
//! `Host` the demo answers to, and (for a write) sent by its own pages;
//! and the headers every answer carries.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::error::ApiError;

/// The `Host` values a listener answers to: its loopback names, plus the
/// operator's (`ALLOWED_HOSTS`, behind a proxy).
pub fn hosts(port: u16, extra: &[String]) -> Arc<[String]> {
    [format!("127.0.0.1:{port}"), format!("localhost:{port}")]
        .into_iter()
        .chain(extra.iter().map(|h| h.to_ascii_lowercase()))
        .collect()
}

/// Wraps a router: unknown `Host` refused, writes only from the same
/// origin, `nosniff` and `Referrer-Policy` on every answer.
pub fn guard(router: Router, hosts: Arc<[String]>) -> Router {
    router
        .layer(middleware::from_fn(same_origin_writes))
        .layer(middleware::from_fn_with_state(hosts, known_host))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("x-content-type-options"),
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
}

/// Refuses a `Host` the demo does not answer to: a page on another site
/// whose name was re-pointed at 127.0.0.1 (DNS rebinding) sends its own
/// name, and would otherwise read and write the demo as same-origin.
async fn known_host(State(hosts): State<Arc<[String]>>, request: Request, next: Next) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_ascii_lowercase);
    match host {
        Some(host) if hosts.contains(&host) => next.run(request).await,
        _ => (
            StatusCode::MISDIRECTED_REQUEST,
            format!(
                "This server answers to {}; set ALLOWED_HOSTS to add a name.\n",
                hosts.join(", ")
            ),
        )
            .into_response(),
    }
}

/// Refuses a write sent by another site's page (cross-site request
/// forgery), on top of the JSON-only rule. Browsers say where a request
/// comes from in `Origin` (and `Sec-Fetch-Site`); a request with neither
/// is not from a browser, so no other site can have made it.
async fn same_origin_writes(request: Request, next: Next) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if safe || same_origin(&request) {
        return next.run(request).await;
    }
    ApiError::new(
        StatusCode::FORBIDDEN,
        "cross_origin",
        "Writes are only accepted from this server's own pages.",
    )
    .into_response()
}

fn same_origin(request: &Request) -> bool {
    let headers = request.headers();
    let text = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    if let Some(origin) = text(header::ORIGIN) {
        let authority = origin.split_once("://").map(|(_, rest)| rest);
        return authority.is_some_and(|a| Some(a) == text(header::HOST));
    }
    match text(HeaderName::from_static("sec-fetch-site")) {
        Some(site) => site == "same-origin" || site == "none",
        None => true,
    }
}
