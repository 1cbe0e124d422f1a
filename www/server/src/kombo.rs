//! The Kombo API as the back-end calls it: the embedded mock by default,
//! the real service when `KOMBO_API_KEY` is set. Same code path for both,
//! over HTTP, so the demo exercises what production does.

use std::time::Duration;

use serde_json::Value;

use crate::db::Integration;

/// An id or token as one URL path segment: Kombo's ids contain `:`, and a
/// value from a request must not add segments or a query.
fn segment(value: &str) -> String {
    // `.` and `..` would be read as dot segments and move up the path.
    if value.bytes().all(|b| b == b'.') {
        return "%252E".into();
    }
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b':' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A client for `…/v1/connect/…` with one API key.
#[derive(Clone)]
pub struct Kombo {
    http: reqwest::Client,
    base: String,
    key: String,
}

/// What went wrong talking to Kombo.
#[derive(Debug)]
pub enum KomboError {
    /// No answer: DNS, connection, time-out.
    Network(String),
    /// Kombo answered with an error.
    Api {
        /// HTTP status.
        status: u16,
        /// Kombo's `error.message`.
        message: String,
    },
    /// A success answer without the documented fields.
    Shape(&'static str),
}

impl std::fmt::Display for KomboError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KomboError::Network(e) => write!(f, "Kombo API unreachable: {e}"),
            KomboError::Api { status, message } => {
                write!(f, "Kombo API answered {status}: {message}")
            }
            KomboError::Shape(what) => write!(f, "Kombo API answer without {what}"),
        }
    }
}

impl Kombo {
    /// `base` is like `https://api.kombo.dev/v1`.
    pub fn new(base: &str, key: &str) -> Kombo {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .build()
            .unwrap_or_default();
        Kombo {
            http,
            base: base.trim_end_matches('/').into(),
            key: key.into(),
        }
    }

    /// `POST /connect/create-link`; returns the embedded link.
    pub async fn create_link(&self, body: &Value) -> Result<String, KomboError> {
        let data = self.post("/connect/create-link", body).await?;
        data.get("link")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or(KomboError::Shape("data.link"))
    }

    /// `GET /connect/integration-by-token/{token}`: the integration the
    /// flow created, for the activation token it gave the page. (Kombo
    /// marks `POST /connect/activate-integration` deprecated for this.)
    pub async fn integration_by_token(&self, token: &str) -> Result<Integration, KomboError> {
        let path = format!("/connect/integration-by-token/{}", segment(token));
        let data = self.send(self.http.get(self.base.clone() + &path)).await?;
        serde_json::from_value(data).map_err(|_| KomboError::Shape("data.id and data.tool"))
    }

    /// `GET /integrations/{integration_id}`: its category (`HRIS`, `ATS`, …).
    pub async fn category(&self, integration_id: &str) -> Result<String, KomboError> {
        let path = format!("/integrations/{}", segment(integration_id));
        let data = self.send(self.http.get(self.base.clone() + &path)).await?;
        data.get("category")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or(KomboError::Shape("data.category"))
    }

    /// `POST /integrations/{integration_id}/relink`; returns the link that
    /// reconnects the integration, embedded like create-link's.
    pub async fn relink(&self, integration_id: &str, body: &Value) -> Result<String, KomboError> {
        let path = format!("/integrations/{}/relink", segment(integration_id));
        let data = self.post(&path, body).await?;
        data.get("link")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or(KomboError::Shape("data.link"))
    }

    async fn post(&self, path: &str, body: &Value) -> Result<Value, KomboError> {
        self.send(self.http.post(self.base.clone() + path).json(body))
            .await
    }

    /// Sends with the API key; the answer's `data`, or Kombo's error.
    async fn send(&self, request: reqwest::RequestBuilder) -> Result<Value, KomboError> {
        let response = request
            .bearer_auth(&self.key)
            .send()
            .await
            .map_err(|e| KomboError::Network(e.to_string()))?;
        let status = response.status().as_u16();
        let answer: Value = response.json().await.unwrap_or(Value::Null);
        if !(200..300).contains(&status)
            || answer.get("status").and_then(Value::as_str) != Some("success")
        {
            let message = answer
                .pointer("/error/message")
                .and_then(Value::as_str)
                .unwrap_or("no error message")
                .to_owned();
            return Err(KomboError::Api { status, message });
        }
        answer.get("data").cloned().ok_or(KomboError::Shape("data"))
    }
}
