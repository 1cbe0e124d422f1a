//! Errors as the demo's clients see them: a JSON body with a code a program
//! can match and a message a person can read, and the right HTTP status.

use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// An error answer of the customer back-end: `{"error": {"code", "message"}}`.
#[derive(Clone, Debug)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable, machine-readable, e.g. `"invalid_json"`.
    pub code: &'static str,
    /// For a person.
    pub message: String,
    /// The integration the error is about (a duplicate), for the page to
    /// offer what to do with it.
    pub integration: Option<(String, String)>,
    /// Seconds after which a retry may succeed (`Retry-After`).
    pub retry_after: Option<u32>,
}

impl ApiError {
    /// Builds an error.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            integration: None,
            retry_after: None,
        }
    }

    /// Says when to retry (`Retry-After`, seconds).
    pub fn retry_after(mut self, seconds: u32) -> ApiError {
        self.retry_after = Some(seconds);
        self
    }

    /// Names the integration (id, tool) the error is about.
    pub fn about(mut self, id: &str, tool: &str) -> ApiError {
        self.integration = Some((id.into(), tool.into()));
        self
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut error = json!({ "code": self.code, "message": self.message });
        if let Some((id, tool)) = self.integration {
            error["integration_id"] = id.into();
            error["tool"] = tool.into();
        }
        let mut response = (self.status, Json(json!({ "error": error }))).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        response
    }
}

/// axum's own JSON rejections are plain text; ours say the same in JSON,
/// with the status each case deserves.
impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> ApiError {
        let (status, code) = match &rejection {
            JsonRejection::MissingJsonContentType(_) => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
            }
            JsonRejection::JsonSyntaxError(_) => (StatusCode::BAD_REQUEST, "invalid_json"),
            JsonRejection::JsonDataError(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_body"),
            _ if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                (StatusCode::PAYLOAD_TOO_LARGE, "body_too_large")
            }
            _ => (StatusCode::BAD_REQUEST, "invalid_body"),
        };
        ApiError::new(status, code, rejection.body_text())
    }
}

/// Why the demo could not start.
#[derive(Debug)]
pub enum StartError {
    /// A port is taken (or not allowed).
    Bind(std::net::SocketAddr, std::io::Error),
    /// The database could not be opened or created.
    Db(String),
    /// The data directory could not be created.
    DataDir(std::path::PathBuf, std::io::Error),
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::Bind(addr, e) => write!(
                f,
                "cannot listen on {addr}: {e} (set PORT / FLOW_PORT to other ports)"
            ),
            StartError::Db(e) => write!(f, "cannot open the database: {e}"),
            StartError::DataDir(dir, e) => {
                write!(f, "cannot create the data directory {}: {e}", dir.display())
            }
        }
    }
}

impl From<deadpool_sqlite::rusqlite::Error> for StartError {
    fn from(e: deadpool_sqlite::rusqlite::Error) -> StartError {
        StartError::Db(e.to_string())
    }
}
