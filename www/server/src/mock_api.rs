//! An embedded mock of the Kombo endpoints the back-end uses, faithful to
//! Kombo's documented shapes: `{"status":"success","data":{…}}` or
//! `{"status":"error","error":{"code","title","message","log_url"}}`, a
//! Bearer API key, validation of the required fields, embedded links valid
//! for one hour, and activation tokens that can be used once.
//! `www/server/tests/contract.rs` checks its answers against fixtures of
//! Kombo's public API reference, so the two cannot drift apart silently.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

/// The key the back-end uses with the mock.
pub const MOCK_API_KEY: &str = "demo-api-key";

/// The tools the mock flow offers, per category: (id, display name).
pub fn tools(category: &str) -> &'static [(&'static str, &'static str)] {
    match category {
        "HRIS" => &[
            ("personio", "Personio"),
            ("bamboohr", "BambooHR"),
            ("hibob", "HiBob"),
            ("workday", "Workday"),
        ],
        "ATS" => &[
            ("greenhouse", "Greenhouse"),
            ("lever", "Lever"),
            ("workable", "Workable"),
            ("teamtailor", "Teamtailor"),
        ],
        "ASSESSMENT" => &[("testgorilla", "TestGorilla"), ("codility", "Codility")],
        "LMS" => &[("docebo", "Docebo"), ("talentlms", "TalentLMS")],
        _ => &[],
    }
}

const LANGUAGES: [&str; 5] = ["en", "de", "fr", "it", "es"];

/// A link created by create-link, until it expires.
#[derive(Clone, Debug)]
pub struct Link {
    /// `HRIS`, `ATS`, `ASSESSMENT` or `LMS`.
    pub category: String,
    /// Preselected tool, if the customer asked for one.
    pub tool: Option<String>,
    /// Flow language.
    pub language: String,
    email: String,
    organization: String,
    origin_id: Option<String>,
    expires: Instant,
    /// For a reconnection link (relink): the integration it reconnects.
    pub relink_of: Option<String>,
}

impl Link {
    /// Whether the link can still be used.
    pub fn expired(&self) -> bool {
        Instant::now() >= self.expires
    }
}

/// An integration as Kombo keeps it.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
struct KomboIntegration {
    id: String,
    tool: String,
    category: String,
    origin_id: Option<String>,
    organization: String,
    email: String,
}

impl KomboIntegration {
    /// `data` of `GET /connect/integration-by-token/{token}`.
    fn by_token_data(&self) -> Value {
        json!({
            "id": self.id,
            "tool": self.tool,
            "end_user_origin_id": self.origin_id,
            "end_user_organization_name": self.organization,
            "end_user_email": self.email,
            "setup_status": "COMPLETED",
        })
    }

    /// `data` of `GET /integrations/{integration_id}`: the fields the
    /// back-end reads, in Kombo's shape.
    fn details_data(&self) -> Value {
        let label = tools(&self.category)
            .iter()
            .find(|(id, _)| *id == self.tool)
            .map_or(self.tool.as_str(), |(_, label)| label);
        json!({
            "id": self.id,
            "tool": { "id": self.tool, "label": label, "internal_label": null,
                      "logo_url": "", "icon_url": "" },
            "category": self.category,
            "status": "ACTIVE",
            "setup_status": "COMPLETED",
            "end_user": { "organization_name": self.organization,
                          "creator_email": self.email, "origin_id": self.origin_id },
        })
    }
}

/// An activation token handed to the app by the flow: the integration it
/// created (or, for a reconnection, reconnected).
struct Activation {
    integration_id: String,
    /// Seconds since the epoch: the token is forgotten [`TOKEN_TTL`] later.
    issued_at: u64,
    /// Spent by the deprecated `activate-integration`, which is single use;
    /// `integration-by-token` only reads.
    activated: bool,
}

/// How long the mock keeps an activation token.
pub const TOKEN_TTL: Duration = Duration::from_secs(3600);

/// A line of the mock's log: Kombo keeps integrations and tokens whatever
/// happens to the customer's back-end, so the mock keeps them across a
/// restart (or a `kill -9`) of the demo, one appended line per change.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
enum Record {
    Integration(KomboIntegration),
    Token {
        token: String,
        integration_id: String,
        issued_at: u64,
    },
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The mock's state, shared by the API routes and the flow page.
pub struct Mock {
    api_key: String,
    flow_origin: String,
    link_ttl: Duration,
    links: Mutex<HashMap<String, Link>>,
    activations: Mutex<HashMap<String, Activation>>,
    integrations: Mutex<HashMap<String, KomboIntegration>>,
    /// The log integrations and tokens are appended to ([`Record`]).
    /// `None`: in memory only.
    log: Mutex<Option<Log>>,
}

/// The mock's log file, and how many lines it has.
struct Log {
    path: std::path::PathBuf,
    file: std::fs::File,
    lines: usize,
}

impl Log {
    /// Rewrites the file as `records` (through a renamed temporary file, so
    /// a crash leaves the old one) and appends to it from then on.
    fn write(path: std::path::PathBuf, records: Vec<String>) -> std::io::Result<Log> {
        let temp = path.with_extension("tmp");
        std::fs::write(&temp, records.concat())?;
        std::fs::rename(&temp, &path)?;
        let file = std::fs::OpenOptions::new().append(true).open(&path)?;
        Ok(Log {
            path,
            file,
            lines: records.len(),
        })
    }
}

/// One log line: the record as JSON and a newline.
fn line(record: &Record) -> Option<String> {
    serde_json::to_string(record).ok().map(|json| json + "\n")
}

/// A random token: 24 hex characters.
pub fn token() -> String {
    crate::random::hex::<12>()
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Mock {
    /// A mock whose links point to `flow_origin`.
    pub fn new(api_key: &str, flow_origin: &str, link_ttl: Duration) -> Mock {
        Mock {
            api_key: api_key.into(),
            flow_origin: flow_origin.into(),
            link_ttl,
            links: Mutex::default(),
            activations: Mutex::default(),
            integrations: Mutex::default(),
            log: Mutex::default(),
        }
    }

    /// Keeps integrations and tokens in `dir/mock-kombo.jsonl`, loading
    /// what is there; the file is rewritten without expired tokens first.
    pub fn keeping_state_in(self, dir: &std::path::Path) -> Mock {
        let path = dir.join("mock-kombo.jsonl");
        let lines = std::fs::read_to_string(&path).unwrap_or_default();
        // A line cut short by a crash is skipped.
        for record in lines.lines().filter_map(|l| serde_json::from_str(l).ok()) {
            self.apply(record);
        }
        self.prune();
        match Log::write(path.clone(), self.records()) {
            Ok(log) => *lock(&self.log) = Some(log),
            Err(e) => eprintln!(
                "mock Kombo API: cannot keep its state in {}: {e}",
                path.display()
            ),
        }
        self
    }

    fn apply(&self, record: Record) {
        match record {
            Record::Integration(integration) => {
                lock(&self.integrations).insert(integration.id.clone(), integration);
            }
            Record::Token {
                token,
                integration_id,
                issued_at,
            } => {
                let activation = Activation {
                    integration_id,
                    issued_at,
                    activated: false,
                };
                lock(&self.activations).insert(token, activation);
            }
        }
    }

    /// Everything the mock keeps, one log line each.
    fn records(&self) -> Vec<String> {
        let integrations = lock(&self.integrations)
            .values()
            .cloned()
            .map(Record::Integration)
            .collect::<Vec<_>>();
        let tokens = lock(&self.activations)
            .iter()
            .map(|(token, a)| Record::Token {
                token: token.clone(),
                integration_id: a.integration_id.clone(),
                issued_at: a.issued_at,
            })
            .collect::<Vec<_>>();
        integrations
            .into_iter()
            .chain(tokens)
            .filter_map(|r| line(&r))
            .collect()
    }

    /// Applies the record and appends it to the log.
    fn keep(&self, record: Record) {
        let line = line(&record);
        self.apply(record);
        if let (Some(log), Some(line)) = (lock(&self.log).as_mut(), line) {
            use std::io::Write;
            match log.file.write_all(line.as_bytes()) {
                Ok(()) => log.lines += 1,
                Err(e) => eprintln!("mock Kombo API: could not save its state: {e}"),
            }
        }
    }

    /// Forgets expired links and tokens, and rewrites the log without them
    /// once it holds more forgotten lines than kept ones.
    pub fn prune(&self) {
        lock(&self.links).retain(|_, link| !link.expired());
        let oldest = unix_now().saturating_sub(TOKEN_TTL.as_secs());
        lock(&self.activations).retain(|_, a| a.issued_at >= oldest);
        // The log's lock first: no line is appended while it is rewritten.
        let mut log = lock(&self.log);
        let Some(path) = log.as_ref().map(|l| l.path.clone()) else {
            return;
        };
        let kept = lock(&self.integrations).len() + lock(&self.activations).len();
        if log.as_ref().is_some_and(|l| l.lines > 2 * kept) {
            match Log::write(path, self.records()) {
                Ok(rewritten) => *log = Some(rewritten),
                Err(e) => eprintln!("mock Kombo API: could not compact its state: {e}"),
            }
        }
    }

    /// Lines in the mock's log, if it keeps one.
    pub fn log_lines(&self) -> Option<usize> {
        lock(&self.log).as_ref().map(|l| l.lines)
    }

    /// How many links and tokens the mock holds.
    pub fn held(&self) -> (usize, usize) {
        (lock(&self.links).len(), lock(&self.activations).len())
    }

    /// The link behind a link token.
    pub fn link(&self, token: &str) -> Option<Link> {
        lock(&self.links).get(token).cloned()
    }

    /// What the flow does when the user picks a tool and connects: a new
    /// activation token for that link, or why not.
    pub fn complete(&self, link_token: &str, tool: &str) -> Result<String, &'static str> {
        let link = self.link(link_token).ok_or("unknown link")?;
        if link.expired() {
            return Err("this link has expired");
        }
        let integration_id = match &link.relink_of {
            // A reconnection updates the integration it was made for.
            Some(id) => id.clone(),
            None => {
                if !tools(&link.category).iter().any(|(id, _)| *id == tool) {
                    return Err("unknown tool for this category");
                }
                let integration = KomboIntegration {
                    id: format!("{tool}:{}", token()),
                    tool: tool.into(),
                    category: link.category.clone(),
                    origin_id: link.origin_id.clone(),
                    organization: link.organization.clone(),
                    email: link.email.clone(),
                };
                let id = integration.id.clone();
                self.keep(Record::Integration(integration));
                id
            }
        };
        let token = token();
        self.keep(Record::Token {
            token: token.clone(),
            integration_id,
            issued_at: unix_now(),
        });
        Ok(token)
    }
}

/// `/v1/connect/…`.
pub fn router(mock: Arc<Mock>) -> Router {
    Router::new()
        .route("/v1/connect/create-link", post(create_link))
        .route(
            "/v1/connect/activate-integration",
            post(activate_integration),
        )
        .route(
            "/v1/connect/integration-by-token/{token}",
            get(integration_by_token),
        )
        .route("/v1/integrations/{id}", get(integration_details))
        .route("/v1/integrations/{id}/relink", post(relink))
        .with_state(mock)
}

/// Kombo's error codes the mock answers with.
const INPUT_INVALID: &str = "PLATFORM.INPUT_INVALID";
const AUTHENTICATION_INVALID: &str = "PLATFORM.AUTHENTICATION_INVALID";
const INTEGRATION_NOT_FOUND: &str = "PLATFORM.INTEGRATION_NOT_FOUND";

/// An error answer in Kombo's shape. Every message is a fixed text, so the
/// error stays small and typed until axum turns it into the response.
#[derive(Debug)]
struct KomboError {
    status: StatusCode,
    code: Option<&'static str>,
    message: &'static str,
}

impl KomboError {
    /// A 401 or 400 gets Kombo's code for it; other statuses name theirs
    /// with [`KomboError::with_code`].
    fn new(status: StatusCode, message: &'static str) -> KomboError {
        let code = match status {
            StatusCode::UNAUTHORIZED => Some(AUTHENTICATION_INVALID),
            StatusCode::BAD_REQUEST => Some(INPUT_INVALID),
            _ => None,
        };
        KomboError::with_code(status, code, message)
    }

    fn with_code(
        status: StatusCode,
        code: Option<&'static str>,
        message: &'static str,
    ) -> KomboError {
        KomboError {
            status,
            code,
            message,
        }
    }

    fn input(message: &'static str) -> KomboError {
        KomboError::new(StatusCode::BAD_REQUEST, message)
    }
}

impl IntoResponse for KomboError {
    fn into_response(self) -> Response {
        let error =
            json!({ "code": self.code, "title": null, "message": self.message, "log_url": null });
        (
            self.status,
            Json(json!({ "status": "error", "error": error })),
        )
            .into_response()
    }
}

/// What every handler answers: Kombo's success envelope, or its error.
type Answer = Result<Response, KomboError>;

fn success(data: Value) -> Answer {
    Ok(Json(json!({ "status": "success", "data": data })).into_response())
}

/// A request with the mock's Bearer key: a handler that takes it answers
/// Kombo's 401 to any other, before reading the body.
struct ApiKey;

impl FromRequestParts<Arc<Mock>> for ApiKey {
    type Rejection = KomboError;

    async fn from_request_parts(parts: &mut Parts, mock: &Arc<Mock>) -> Result<ApiKey, KomboError> {
        let key = parts
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        match key == Some(mock.api_key.as_str()) {
            true => Ok(ApiKey),
            false => Err(KomboError::new(
                StatusCode::UNAUTHORIZED,
                "Missing or invalid API key.",
            )),
        }
    }
}

/// Parses the body as a JSON object, answering Kombo-style errors otherwise.
fn object(body: &[u8]) -> Result<serde_json::Map<String, Value>, KomboError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(KomboError::input("The request body must be a JSON object.")),
        Err(_) => Err(KomboError::input("The request body is not valid JSON.")),
    }
}

async fn create_link(State(mock): State<Arc<Mock>>, _: ApiKey, body: axum::body::Bytes) -> Answer {
    let body = object(&body)?;
    let text = |name: &str| {
        body.get(name)
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
            .map(str::to_owned)
    };
    let email = text("end_user_email").ok_or(KomboError::input("end_user_email: Required"))?;
    let organization = text("end_user_organization_name")
        .ok_or(KomboError::input("end_user_organization_name: Required"))?;
    let category = text("integration_category").unwrap_or_else(|| "HRIS".into());
    if tools(&category).is_empty() {
        return Err(KomboError::input(
            "integration_category: must be one of HRIS, ATS, ASSESSMENT, LMS",
        ));
    }
    let tool = text("integration_tool");
    if let Some(tool) = &tool {
        if !tools(&category).iter().any(|(id, _)| id == tool) {
            return Err(KomboError::input(
                "integration_tool: unknown tool for this integration_category",
            ));
        }
    }
    let (language, ttl) = language_and_ttl(&mock, text("language"), text("link_type"))?;
    let link_token = token();
    let link = Link {
        category,
        tool,
        language,
        email,
        organization,
        origin_id: text("end_user_origin_id"),
        expires: Instant::now() + ttl,
        relink_of: None,
    };
    lock(&mock.links).insert(link_token.clone(), link);
    success(json!({ "link": format!("{}/connect?token={link_token}", mock.flow_origin) }))
}

/// `language` and `link_type` of create-link and relink: the flow's
/// language, and how long the link is valid (embedded one hour, magic a year).
fn language_and_ttl(
    mock: &Mock,
    language: Option<String>,
    link_type: Option<String>,
) -> Result<(String, Duration), KomboError> {
    let language = language.unwrap_or_else(|| "en".into());
    if !LANGUAGES.contains(&language.as_str()) {
        return Err(KomboError::input(
            "language: must be one of en, de, fr, it, es",
        ));
    }
    let ttl = match link_type.as_deref() {
        None | Some("EMBEDDED") => mock.link_ttl,
        Some("MAGIC_LINK") => Duration::from_secs(365 * 24 * 3600),
        Some(_) => {
            return Err(KomboError::input(
                "link_type: must be EMBEDDED or MAGIC_LINK",
            ))
        }
    };
    Ok((language, ttl))
}

/// The integration an activation token stands for.
fn integration_of(mock: &Mock, token: &str) -> Option<KomboIntegration> {
    let id = lock(&mock.activations).get(token)?.integration_id.clone();
    lock(&mock.integrations).get(&id).cloned()
}

async fn activate_integration(
    State(mock): State<Arc<Mock>>,
    _: ApiKey,
    body: axum::body::Bytes,
) -> Answer {
    let body = object(&body)?;
    let token = body
        .get("token")
        .and_then(Value::as_str)
        .ok_or(KomboError::input("token: Required"))?;
    let spent = match lock(&mock.activations).get_mut(token) {
        Some(a) => std::mem::replace(&mut a.activated, true),
        None => false,
    };
    match integration_of(&mock, token) {
        None => Err(unknown_token()),
        Some(_) if spent => Err(KomboError::input("This token has already been used.")),
        Some(integration) => success(integration.by_token_data()),
    }
}

async fn integration_by_token(
    State(mock): State<Arc<Mock>>,
    _: ApiKey,
    Path(token): Path<String>,
) -> Answer {
    let integration = integration_of(&mock, &token).ok_or_else(unknown_token)?;
    success(integration.by_token_data())
}

fn unknown_token() -> KomboError {
    KomboError::new(
        StatusCode::NOT_FOUND,
        "No integration was found for this token.",
    )
}

fn integration_not_found() -> KomboError {
    KomboError::with_code(
        StatusCode::NOT_FOUND,
        Some(INTEGRATION_NOT_FOUND),
        "The integration could not be found.",
    )
}

async fn integration_details(
    State(mock): State<Arc<Mock>>,
    _: ApiKey,
    Path(id): Path<String>,
) -> Answer {
    let details = lock(&mock.integrations)
        .get(&id)
        .map(KomboIntegration::details_data)
        .ok_or_else(integration_not_found)?;
    success(details)
}

/// `POST /integrations/{integration_id}/relink`: a link, embedded the same
/// way as create-link's, that reconnects the integration.
async fn relink(
    State(mock): State<Arc<Mock>>,
    _: ApiKey,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Answer {
    // The body is optional: every field has a default.
    let body = match body.is_empty() {
        true => serde_json::Map::new(),
        false => object(&body)?,
    };
    let integration = lock(&mock.integrations)
        .get(&id)
        .cloned()
        .ok_or_else(integration_not_found)?;
    let text = |name: &str| body.get(name).and_then(Value::as_str).map(str::to_owned);
    let (language, ttl) = language_and_ttl(&mock, text("language"), text("link_type"))?;
    let link_token = token();
    let link = Link {
        category: integration.category.clone(),
        tool: Some(integration.tool.clone()),
        language,
        email: integration.email.clone(),
        organization: integration.organization.clone(),
        origin_id: integration.origin_id.clone(),
        expires: Instant::now() + ttl,
        relink_of: Some(integration.id.clone()),
    };
    lock(&mock.links).insert(link_token.clone(), link);
    success(json!({ "link": format!("{}/connect?token={link_token}", mock.flow_origin) }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link_request() -> Value {
        json!({ "end_user_email": "a@b.example", "end_user_organization_name": "B" })
    }

    #[tokio::test]
    async fn expired_links_and_tokens_are_forgotten() {
        let mock = Arc::new(Mock::new(MOCK_API_KEY, "http://flow", Duration::ZERO));
        for _ in 0..3 {
            let body = axum::body::Bytes::from(link_request().to_string());
            assert!(create_link(State(mock.clone()), ApiKey, body).await.is_ok());
        }
        let old = unix_now() - TOKEN_TTL.as_secs() - 1;
        for (token, issued_at) in [("old", old), ("new", unix_now())] {
            mock.apply(Record::Token {
                token: token.into(),
                integration_id: "x".into(),
                issued_at,
            });
        }
        assert_eq!(mock.held(), (3, 2));
        mock.prune();
        assert_eq!(mock.held(), (0, 1));
    }

    #[test]
    fn the_log_is_rewritten_without_expired_tokens_once_they_outnumber_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let mock = Mock::new(MOCK_API_KEY, "http://flow", Duration::from_secs(60))
            .keeping_state_in(dir.path());
        let old = unix_now() - TOKEN_TTL.as_secs() - 1;
        for n in 0..10 {
            mock.keep(Record::Token {
                token: format!("old{n}"),
                integration_id: "x".into(),
                issued_at: old,
            });
        }
        mock.keep(Record::Token {
            token: "new".into(),
            integration_id: "x".into(),
            issued_at: unix_now(),
        });
        assert_eq!(mock.log_lines(), Some(11));
        mock.prune();
        assert_eq!(mock.log_lines(), Some(1));
        let log = std::fs::read_to_string(dir.path().join("mock-kombo.jsonl")).unwrap();
        assert_eq!(log.lines().count(), 1);
        assert!(log.contains("\"new\""));
        // Still appending after the rewrite.
        mock.keep(Record::Token {
            token: "newer".into(),
            integration_id: "x".into(),
            issued_at: unix_now(),
        });
        let log = std::fs::read_to_string(dir.path().join("mock-kombo.jsonl")).unwrap();
        assert_eq!(log.lines().count(), 2);
    }

    #[test]
    fn integrations_and_tokens_survive_a_restart_and_a_torn_last_line() {
        let dir = tempfile::tempdir().unwrap();
        let mock = Mock::new(MOCK_API_KEY, "http://flow", Duration::from_secs(60))
            .keeping_state_in(dir.path());
        let link = "l".to_string();
        lock(&mock.links).insert(
            link.clone(),
            Link {
                category: "HRIS".into(),
                tool: None,
                language: "en".into(),
                email: "a@b".into(),
                organization: "B".into(),
                origin_id: Some("b-1".into()),
                expires: Instant::now() + Duration::from_secs(60),
                relink_of: None,
            },
        );
        let token = mock.complete(&link, "personio").unwrap();
        drop(mock);
        let path = dir.path().join("mock-kombo.jsonl");
        let mut log = std::fs::read_to_string(&path).unwrap();
        log.push_str("{\"token\":{\"tok");
        std::fs::write(&path, log).unwrap();
        let again = Mock::new(MOCK_API_KEY, "http://flow", Duration::from_secs(60))
            .keeping_state_in(dir.path());
        let integration = integration_of(&again, &token).unwrap();
        assert_eq!(
            (integration.tool.as_str(), integration.origin_id.as_deref()),
            ("personio", Some("b-1"))
        );
    }
}
