//! The customer's back-end: what every app that embeds Kombo Connect adds.
//!
//! The two routes of Kombo's guide, as `connect()` calls them:
//! `POST /integrations/kombo/init` (JSON `{integration_category, …}` →
//! `{link}`) and `POST /integrations/kombo/activate` (JSON `{token}` → the
//! stored integration), the one `reconnect()` calls,
//! `POST /integrations/kombo/relink` (JSON `{integration_id}` → `{link}`),
//! plus `GET /integrations` and `DELETE /integrations/{id}` for the
//! settings page. It also serves the demo pages and `pkg/` under a strict
//! Content-Security-Policy.
//!
//! What Kombo leaves to the customer is done here: a second flow for a
//! tool (or category) the organization already has is refused, since
//! Kombo does not deduplicate, and an activation token is only accepted
//! for an integration of the signed-in organization.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State as AxumState};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::config::Config;
use crate::db::Db;
use crate::error::ApiError;
use crate::kombo::{Kombo, KomboError};

/// What the routes share.
#[derive(Clone)]
pub struct State {
    /// Stored integrations.
    pub db: Db,
    /// The Kombo API (mock or real).
    pub kombo: Kombo,
}

/// The signed-in user of the demo. A real app reads this from its session.
pub struct User {
    /// Sent as `end_user_email`.
    pub email: &'static str,
    /// Sent as `end_user_organization_name`.
    pub organization: &'static str,
    /// Sent as `end_user_origin_id`: your id for the customer.
    pub origin_id: &'static str,
}

/// The demo's one user.
pub const DEMO_USER: User = User {
    email: "alex@acme.example",
    organization: "Acme, Inc.",
    origin_id: "acme-1",
};

/// The back-end routes, the demo pages and `/pkg`.
pub fn router(state: State, config: &Config, flow_origin: &str) -> Router {
    let csp = format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; connect-src 'self'; \
         frame-src {flow_origin}; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    );
    let pages = Router::new()
        .nest_service("/pkg", ServeDir::new(&config.pkg_dir))
        .fallback_service(ServeDir::new(&config.www_dir))
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
        .with_state(state)
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

#[derive(Deserialize)]
struct InitBody {
    integration_category: Option<String>,
    integration_tool: Option<String>,
    language: Option<String>,
}

fn kombo_failed(e: KomboError) -> ApiError {
    eprintln!("kombo: {e}");
    match e {
        KomboError::Api {
            status: 400..=499,
            message,
            ..
        } => ApiError::new(StatusCode::BAD_REQUEST, "kombo_rejected", message),
        other => ApiError::new(
            StatusCode::BAD_GATEWAY,
            "kombo_unavailable",
            other.to_string(),
        ),
    }
}

fn db_failed(e: rusqlite::Error) -> ApiError {
    eprintln!("database: {e}");
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "database_error",
        "The integration could not be stored.",
    )
}

async fn init(
    AxumState(state): AxumState<State>,
    body: Result<Json<InitBody>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let Json(body) = body?;
    let user = DEMO_USER;
    let category = body.integration_category.unwrap_or_else(|| "HRIS".into());
    // Kombo would create a second integration: offer the stored one instead.
    let existing = state
        .db
        .connected(user.origin_id, &category, body.integration_tool.as_deref())
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
        "end_user_organization_name": user.organization,
        "end_user_origin_id": user.origin_id,
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
    let user = DEMO_USER;
    // Idempotent: a token already activated returns what we stored, so a
    // retry after a lost response neither fails nor duplicates.
    if let Some(stored) = state.db.by_token(&token).map_err(db_failed)? {
        if stored.end_user_origin_id.as_deref() == Some(user.origin_id) {
            return Ok(Json(stored).into_response());
        }
        return Err(not_yours());
    }
    let mut integration = state
        .kombo
        .integration_by_token(&token)
        .await
        .map_err(kombo_failed)?;
    // The token proves a flow finished, not whose: a token from another
    // customer's flow must not attach their integration to this one.
    if integration.end_user_origin_id.as_deref() != Some(user.origin_id) {
        return Err(not_yours());
    }
    let reconnected = state
        .db
        .get(user.origin_id, &integration.id)
        .map_err(db_failed)?
        .is_some();
    integration.category = state.kombo.category(&integration.id).await.ok();
    let stored = state.db.store(&token, &integration).map_err(db_failed)?;
    let status = match reconnected {
        true => StatusCode::OK,
        false => StatusCode::CREATED,
    };
    Ok((status, Json(stored)).into_response())
}

fn not_yours() -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "wrong_organization",
        "This activation token belongs to another organization's integration.",
    )
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
    body: Result<Json<RelinkBody>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let Json(body) = body?;
    let user = DEMO_USER;
    // Only the organization's own: an id is not a secret.
    let Some(integration) = state
        .db
        .get(user.origin_id, &body.integration_id)
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

async fn list(AxumState(state): AxumState<State>) -> Result<Json<Value>, ApiError> {
    let integrations = state.db.list().map_err(db_failed)?;
    Ok(Json(json!({ "integrations": integrations })))
}

async fn remove(
    AxumState(state): AxumState<State>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    if state.db.delete(&id).map_err(db_failed)? {
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
