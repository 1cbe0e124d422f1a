//! The mock Connect flow: the page a Kombo link opens inside the SDK's
//! iframe. It is served on its own port, so the iframe is cross-origin to
//! the demo page as in production, and it speaks the real protocol:
//! "Connect" posts `{type: 'success', data: {activation_token}}` to the
//! parent, the close button posts `{type: 'close'}`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::mock_api::{tools, Mock};

/// `/connect` and its assets. `app_origin` is the only page allowed to
/// frame the flow.
pub fn router(mock: Arc<Mock>, app_origin: &str) -> Router {
    let localhost = app_origin.replace("127.0.0.1", "localhost");
    let csp = format!(
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; \
         base-uri 'none'; form-action 'none'; frame-ancestors {app_origin} {localhost}"
    );
    Router::new()
        .route("/connect", get(page))
        .route("/connect/complete", post(complete))
        .route(
            "/connect/flow.js",
            get(|| async {
                asset(
                    "text/javascript; charset=utf-8",
                    include_str!("../flow/flow.js"),
                )
            }),
        )
        .route(
            "/connect/flow.css",
            get(|| async { asset("text/css; charset=utf-8", include_str!("../flow/flow.css")) }),
        )
        .with_state(mock)
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_str(&csp).unwrap_or(HeaderValue::from_static("default-src 'none'")),
        ))
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, content_type)], body).into_response()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const CATEGORY_NAMES: [(&str, &str); 4] = [
    ("HRIS", "HR system"),
    ("ATS", "applicant tracking system"),
    ("ASSESSMENT", "assessment tool"),
    ("LMS", "learning platform"),
];

fn shell(lang: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Kombo Connect (demo)</title><link rel=\"stylesheet\" href=\"/connect/flow.css\">\
         <script src=\"/connect/flow.js\" defer></script></head><body>\
         <div class=\"backdrop\"></div><main class=\"dialog\" role=\"dialog\" aria-modal=\"true\" aria-labelledby=\"title\">\
         <button class=\"close\" type=\"button\" data-close aria-label=\"Close\">×</button>{}</main></body></html>",
        escape(lang),
        body
    ))
}

async fn page(
    State(mock): State<Arc<Mock>>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let token = query.get("token").map(String::as_str).unwrap_or_default();
    let Some(link) = mock.link(token) else {
        let body = "<h1 id=\"title\">This link is not valid</h1><p>Ask the app for a new link and try again.</p>\
                    <button type=\"button\" class=\"secondary\" data-close>Close</button>";
        return (StatusCode::NOT_FOUND, shell("en", body)).into_response();
    };
    if link.expired() {
        let body = "<h1 id=\"title\">This link has expired</h1><p>Links are valid for one hour. Close this window and start again.</p>\
                    <button type=\"button\" class=\"secondary\" data-close>Close</button>";
        return (StatusCode::GONE, shell(&link.language, body)).into_response();
    }
    if let Some(id) = &link.relink_of {
        return shell(&link.language, &reconnect_body(token, id, &link)).into_response();
    }
    let name = CATEGORY_NAMES
        .iter()
        .find(|(c, _)| *c == link.category)
        .map(|(_, n)| *n)
        .unwrap_or("system");
    let options: String = tools(&link.category)
        .iter()
        .filter(|(id, _)| link.tool.as_deref().is_none_or(|t| t == *id))
        .enumerate()
        .map(|(i, (id, label))| {
            format!(
                "<label class=\"tool\"><input type=\"radio\" name=\"tool\" value=\"{id}\"{}> <span>{label}</span></label>",
                if i == 0 { " checked" } else { "" }
            )
        })
        .collect();
    let body = format!(
        "<p class=\"brand\">Kombo Connect <span>demo</span></p>\
         <h1 id=\"title\">Connect your {name}</h1>\
         <p>Choose the tool your company uses. This mock flow connects it at once; the real one asks for credentials.</p>\
         <form data-token=\"{}\"><fieldset><legend>Tools</legend>{options}</fieldset>\
         <p class=\"error\" role=\"alert\" hidden></p>\
         <button type=\"submit\" class=\"primary\">Connect</button></form>",
        escape(token)
    );
    shell(&link.language, &body).into_response()
}

/// The reconnect mode: the tool is fixed (the integration's), and the user
/// enters new credentials. The mock takes any non-empty key.
fn reconnect_body(token: &str, integration_id: &str, link: &crate::mock_api::Link) -> String {
    let tool = link.tool.as_deref().unwrap_or_default();
    let label = tools(&link.category)
        .iter()
        .find(|(id, _)| *id == tool)
        .map_or(tool, |(_, label)| label);
    format!(
        "<p class=\"brand\">Kombo Connect <span>demo</span></p>\
         <h1 id=\"title\">Reconnect {label}</h1>\
         <p>The connection to {label} stopped working: its credentials expired or were changed. \
         Enter a new API key to reconnect <code>{}</code>. This mock accepts any key.</p>\
         <form data-token=\"{}\"><input type=\"hidden\" name=\"tool\" value=\"{}\">\
         <label class=\"field\"><span>New {label} API key</span>\
         <input name=\"api_key\" type=\"password\" required autocomplete=\"off\"></label>\
         <p class=\"error\" role=\"alert\" hidden></p>\
         <button type=\"submit\" class=\"primary\">Reconnect</button></form>",
        escape(integration_id),
        escape(token),
        escape(tool),
    )
}

#[derive(Deserialize)]
struct Complete {
    token: String,
    tool: String,
}

async fn complete(
    State(mock): State<Arc<Mock>>,
    body: Result<Json<Complete>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let Ok(Json(body)) = body else {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({ "error": "expected {\"token\", \"tool\"}" })),
        )
            .into_response();
    };
    match mock.complete(&body.token, &body.tool) {
        Ok(activation_token) => {
            Json(json!({ "activation_token": activation_token })).into_response()
        }
        Err(why) => (StatusCode::BAD_REQUEST, Json(json!({ "error": why }))).into_response(),
    }
}
