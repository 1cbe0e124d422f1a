//! The customer's back-end: what every app that embeds Kombo Connect adds.
//!
//! Exactly the two routes of Kombo's guide, as `connect()` calls them:
//! `POST /integrations/kombo/init` (JSON `{integration_category, …}` →
//! `{link}`) and `POST /integrations/kombo/activate` (JSON `{token}` → the
//! stored integration), plus `GET /integrations` and
//! `DELETE /integrations/{id}` for the settings page. It also serves the
//! demo pages and `pkg/` under a strict Content-Security-Policy.

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
        .route("/integrations", get(list))
        .route("/integrations/{id}", delete(remove))
        .with_state(state)
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
    let mut request = json!({
        "end_user_email": user.email,
        "end_user_organization_name": user.organization,
        "end_user_origin_id": user.origin_id,
        "integration_category": body.integration_category.unwrap_or_else(|| "HRIS".into()),
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
    // Idempotent: a token already activated returns what we stored, so a
    // retry after a lost response neither fails nor duplicates.
    if let Some(stored) = state.db.by_token(&token).map_err(db_failed)? {
        return Ok(Json(stored).into_response());
    }
    let integration = state.kombo.activate(&token).await.map_err(kombo_failed)?;
    let stored = state.db.store(&token, &integration).map_err(db_failed)?;
    Ok((StatusCode::CREATED, Json(stored)).into_response())
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
        Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "No integration with this id.",
        ))
    }
}
