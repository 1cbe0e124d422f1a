//! What the demo server's test files share: a demo on free loopback ports
//! over a temporary data directory, and the mock flow's "Connect".
// Each test file uses its own part of this module.
#![allow(dead_code)]

pub mod process;

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
        allowed_hosts: vec![],
        db_busy_timeout: Duration::from_millis(200),
        retry_pending: Duration::from_millis(100),
        limits: kombo_connect_demo::config::LIMITS,
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

/// A visitor of the demo: a client with the session cookie the first
/// page gave it (signed in as the first organization, or switched).
pub struct Visitor {
    app: String,
    cookie: String,
}

impl Visitor {
    /// Opens the demo page, which signs in as the first organization.
    pub async fn new(demo: &Demo) -> Visitor {
        Visitor::open(&demo.app_url).await
    }

    /// [`Visitor::new`] for a demo at `app_url`.
    pub async fn open(app_url: &str) -> Visitor {
        let page = reqwest::get(format!("{app_url}/")).await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        Visitor {
            app: app_url.to_owned(),
            cookie: session_cookie(&page),
        }
    }

    /// A visitor of the demo at `app_url`, signed in as `organization_id`.
    pub async fn of(app_url: &str, organization_id: &str) -> Visitor {
        let mut visitor = Visitor::open(app_url).await;
        let r = visitor
            .request(reqwest::Method::POST, "/session")
            .json(&json!({ "organization_id": organization_id }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        visitor.cookie = session_cookie(&r);
        visitor
    }

    /// The same visitor (cookie) on another run of the demo.
    pub fn at(&self, app_url: &str) -> Visitor {
        Visitor {
            app: app_url.to_owned(),
            cookie: self.cookie.clone(),
        }
    }

    /// `demo_session=…`, for a request made by hand.
    pub fn cookie(&self) -> &str {
        &self.cookie
    }

    /// A request to the demo with the session cookie.
    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        Client::new()
            .request(method, format!("{}{path}", self.app))
            .header("cookie", &self.cookie)
    }

    /// A JSON POST; the status and the JSON answer (`null` if none).
    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let r = self
            .request(reqwest::Method::POST, path)
            .json(&body)
            .send()
            .await
            .unwrap();
        (r.status(), r.json().await.unwrap_or(Value::Null))
    }

    /// A GET; the status and the JSON answer.
    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        let r = self
            .request(reqwest::Method::GET, path)
            .send()
            .await
            .unwrap();
        (r.status(), r.json().await.unwrap_or(Value::Null))
    }

    /// `GET /integrations`: the ids of the first page.
    pub async fn ids(&self) -> Vec<String> {
        let (status, body) = self.get("/integrations").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["integrations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_owned())
            .collect()
    }

    /// init → the flow's "Connect" → the activation token the flow would post.
    pub async fn finish_flow(&self, category: &str, tool: &str) -> String {
        let (status, body) = self
            .post(
                "/integrations/kombo/init",
                json!({ "integration_category": category, "integration_tool": tool }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        complete(body["link"].as_str().unwrap(), tool).await
    }

    /// `POST /integrations/kombo/activate` with the token.
    pub async fn activate(&self, token: &str) -> (StatusCode, Value) {
        self.post("/integrations/kombo/activate", json!({ "token": token }))
            .await
    }
}

/// `name=value` of the session cookie an answer sets; empty if none (a
/// build without sessions, under `DEMO_BIN`: the tests then fail where
/// they check sessions, not here).
pub fn session_cookie(response: &reqwest::Response) -> String {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("demo_session="))
        .and_then(|set| set.split(';').next())
        .unwrap_or_default()
        .to_owned()
}

/// The mock flow's "Connect" (or "Reconnect") on `link`: the activation
/// token the flow would post to the page.
pub async fn complete(link: &str, tool: &str) -> String {
    let (flow, token) = link.split_once("/connect?token=").unwrap();
    let (status, body) = post(
        format!("{flow}/connect/complete"),
        json!({ "token": token, "tool": tool }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["activation_token"].as_str().unwrap().to_owned()
}
