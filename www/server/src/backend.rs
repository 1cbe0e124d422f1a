//! The customer's back-end: what every app that embeds Kombo Connect adds.
//!
//! The two routes of Kombo's guide, as `connect()` calls them:
//! `POST /integrations/kombo/init` (JSON `{integration_category, …}` →
//! `{link}`) and `POST /integrations/kombo/activate` (JSON `{token}` → the
//! stored integration), the one `reconnect()` calls,
//! `POST /integrations/kombo/relink` (JSON `{integration_id}` → `{link}`),
//! plus `GET /integrations` (paginated) and `DELETE /integrations/{id}`
//! for the settings page. Each needs a session ([`crate::session`]) and
//! sees only its organization's integrations. It also serves the demo
//! pages and `pkg/` under a strict Content-Security-Policy.
//!
//! What Kombo leaves to the customer is done here: a second flow for a
//! tool (or category) the organization already has is refused, since
//! Kombo does not deduplicate; an activation token is only accepted for
//! an integration of the signed-in organization, and activation is safe
//! to retry ([`crate::activation`]).

use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Path, Query, Request, State as AxumState};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use tower::ServiceExt;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::activation::{self, Activations};
use crate::config::Config;
use crate::db::{Db, DbError};
use crate::error::ApiError;
use crate::kombo::{Kombo, KomboError};
use crate::session::{self, SignedIn};

/// What the routes share.
#[derive(Clone)]
pub struct State {
    /// Stored integrations and sessions.
    pub db: Db,
    /// The Kombo API (mock or real).
    pub kombo: Kombo,
    /// Activations in progress.
    pub activations: Arc<Activations>,
}

/// The largest request body the routes read: theirs are a few hundred bytes.
pub const BODY_LIMIT: usize = 16 * 1024;

/// The back-end routes, the demo pages and `/pkg`.
pub fn router(state: State, config: &Config, flow_origin: &str) -> Router {
    let csp = format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; connect-src 'self'; \
         frame-src {flow_origin}; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    );
    let pages = Router::new()
        .nest_service("/pkg", ServeDir::new(&config.pkg_dir))
        .fallback({
            let www: Arc<PathBuf> = Arc::new(config.www_dir.clone());
            move |request: Request| page(www.clone(), request)
        })
        .layer(middleware::from_fn_with_state(
            state.clone(),
            session::sign_in_visitors,
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_str(&csp).unwrap_or(HeaderValue::from_static("default-src 'self'")),
        ));
    Router::new()
        .route("/integrations/kombo/init", post(init))
        .route("/integrations/kombo/activate", post(activate))
        .route("/integrations/kombo/relink", post(relink))
        .route("/integrations", get(list))
        .route("/integrations/{id}", delete(remove))
        .route("/session", get(session::current).post(session::switch))
        .with_state(state)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        // What the demo page passes as `flowOrigin`: the origin links must be on.
        .route(
            "/demo/config.json",
            get({
                let config = json!({ "flow_origin": flow_origin });
                move || async move { Json(config) }
            }),
        )
        .merge(pages)
}

/// The demo's pages: the files at the top of `www/` with a page's
/// extension, and nothing below it (the server's own source lives there).
async fn page(www: Arc<PathBuf>, request: Request) -> Response {
    let path = request.uri().path();
    let name = path.trim_start_matches('/');
    // Encoded characters (`%2F`) would decode to a path below.
    let allowed = name.is_empty()
        || (!name.contains(['/', '%'])
            && [".html", ".js", ".css"]
                .iter()
                .any(|ext| name.ends_with(ext)));
    if !allowed {
        return (StatusCode::NOT_FOUND, "Not found\n").into_response();
    }
    match ServeDir::new(www.as_path()).oneshot(request).await {
        Ok(response) => response.into_response(),
        Err(never) => match never {},
    }
}

#[derive(Deserialize)]
struct InitBody {
    integration_category: Option<String>,
    integration_tool: Option<String>,
    language: Option<String>,
}

/// Kombo's answer as the page should see it: its refusal (4xx) as 400
/// with its message, anything else as 502 without internals (the
/// details, URLs included, go to the log).
pub fn kombo_failed(e: KomboError) -> ApiError {
    eprintln!("kombo: {e}");
    match e {
        KomboError::Api {
            status: 400..=499,
            message,
            ..
        } => ApiError::new(StatusCode::BAD_REQUEST, "kombo_rejected", message),
        _ => ApiError::new(
            StatusCode::BAD_GATEWAY,
            "kombo_unavailable",
            "Kombo could not be reached. Try again in a moment.",
        ),
    }
}

/// A locked database is worth retrying (503 with `Retry-After`); any other
/// failure is ours (500).
pub fn db_failed(e: DbError) -> ApiError {
    eprintln!("database: {e}");
    match e {
        DbError::Busy => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "database_busy",
            "The database is busy. Try again in a moment.",
        )
        .retry_after(1),
        DbError::Failed(_) => ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "database_error",
            "The database failed.",
        ),
    }
}

async fn init(
    AxumState(state): AxumState<State>,
    SignedIn(user): SignedIn,
    body: Result<Json<InitBody>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let Json(body) = body?;
    let category = body.integration_category.unwrap_or_else(|| "HRIS".into());
    // Kombo would create a second integration: offer the stored one instead.
    let existing = state
        .db
        .connected(user.id, &category, body.integration_tool.as_deref())
        .await
        .map_err(db_failed)?;
    if let Some(existing) = existing {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "already_connected",
            format!(
                "Your organization already has {} connected ({}). Reconnect it instead of connecting a second one.",
                existing.tool, existing.id
            ),
        )
        .about(&existing.id, &existing.tool));
    }
    let mut request = json!({
        "end_user_email": user.email,
        "end_user_organization_name": user.name,
        "end_user_origin_id": user.id,
        "integration_category": category,
    });
    if let Some(tool) = body.integration_tool {
        request["integration_tool"] = tool.into();
    }
    if let Some(language) = body.language {
        request["language"] = language.into();
    }
    let link = state
        .kombo
        .create_link(&request)
        .await
        .map_err(kombo_failed)?;
    Ok(Json(json!({ "link": link })))
}

#[derive(Deserialize)]
struct ActivateBody {
    token: String,
}

async fn activate(
    AxumState(state): AxumState<State>,
    SignedIn(user): SignedIn,
    body: Result<Json<ActivateBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(ActivateBody { token }) = body?;
    if token.is_empty() {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
            "token must not be empty",
        ));
    }
    let (status, stored) = activation::activate(&state, &token, user).await?;
    Ok((status, Json(stored)).into_response())
}

#[derive(Deserialize)]
struct RelinkBody {
    integration_id: String,
    language: Option<String>,
}

/// `reconnect()`'s route: a link that reconnects one of the organization's
/// integrations (its credentials expired or changed).
async fn relink(
    AxumState(state): AxumState<State>,
    SignedIn(user): SignedIn,
    body: Result<Json<RelinkBody>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let Json(body) = body?;
    // Only the organization's own: an id is not a secret.
    let Some(integration) = state
        .db
        .get(user.id, &body.integration_id)
        .await
        .map_err(db_failed)?
    else {
        return Err(no_such_integration());
    };
    let mut request = json!({});
    if let Some(language) = body.language {
        request["language"] = language.into();
    }
    let link = state
        .kombo
        .relink(&integration.id, &request)
        .await
        .map_err(kombo_failed)?;
    Ok(Json(json!({ "link": link })))
}

#[derive(Deserialize)]
struct ListQuery {
    limit: Option<u32>,
    after: Option<String>,
}

/// Integrations per page by default, and at most.
const PAGE: u32 = 50;
const MAX_PAGE: u32 = 200;

/// `GET /integrations?limit=&after=`: `{integrations, next}`, oldest
/// first; `next` (when not null) is the `after` of the following page.
async fn list(
    AxumState(state): AxumState<State>,
    SignedIn(user): SignedIn,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(query) = query
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", e.body_text()))?;
    let limit = query.limit.unwrap_or(PAGE).clamp(1, MAX_PAGE);
    let page = state
        .db
        .list(user.id, query.after.as_deref(), limit)
        .await
        .map_err(db_failed)?;
    Ok(Json(json!(page)))
}

async fn remove(
    AxumState(state): AxumState<State>,
    SignedIn(user): SignedIn,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    if state.db.delete(user.id, &id).await.map_err(db_failed)? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(no_such_integration())
    }
}

/// The 404 of the routes that take an integration id.
fn no_such_integration() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "No integration with this id.",
    )
}
