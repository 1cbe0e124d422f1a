//! What the demo server's test files share: a demo on free loopback ports
//! over a temporary data directory, and the mock flow's "Connect".
// Each test file uses its own part of this module.
#![allow(dead_code)]

use std::path::Path;
use std::time::Duration;

use kombo_connect_demo::{start, Config, Demo};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

/// The mock setup on free ports, with links valid for `link_ttl`.
pub fn config(data: &Path, link_ttl: Duration) -> Config {
    Config {
        app_addr: "127.0.0.1:0".parse().unwrap(),
        flow_addr: "127.0.0.1:0".parse().unwrap(),
        data_dir: data.into(),
        www_dir: "../".into(),
        pkg_dir: "../../pkg".into(),
        kombo_api_key: None,
        kombo_api_url: String::new(),
        kombo_flow_origin: String::new(),
        link_ttl,
    }
}

/// A running demo with Kombo's one-hour links.
pub async fn demo(data: &Path) -> Demo {
    start(config(data, Duration::from_secs(3600)))
        .await
        .unwrap()
}

/// A JSON POST; the status and the JSON answer (`null` if none).
pub async fn post(url: String, body: Value) -> (StatusCode, Value) {
    let r = Client::new().post(url).json(&body).send().await.unwrap();
    (r.status(), r.json().await.unwrap_or(Value::Null))
}

/// The mock flow's "Connect" (or "Reconnect") on `link`: the activation
/// token the flow would post to the page.
pub async fn complete(demo: &Demo, link: &str, tool: &str) -> String {
    let token = link.split("token=").nth(1).unwrap();
    let (status, body) = post(
        format!("{}/connect/complete", demo.flow_url),
        json!({ "token": token, "tool": tool }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["activation_token"].as_str().unwrap().to_owned()
}
