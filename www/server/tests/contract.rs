//! The mock Kombo API against Kombo's public API reference: each answer the
//! back-end relies on is checked against the shape in `tests/contract/`,
//! written from the reference (required fields, types, enums). A change to
//! the mock that the real API would not make, or a fixture updated for a
//! change Kombo made, fails here instead of in a customer's production.

mod common;

use common::{complete, demo};
use kombo_connect_demo::Demo;
use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};

const KEY: &str = "demo-api-key";

async fn call(
    demo: &Demo,
    method: Method,
    path: &str,
    key: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = Client::new()
        .request(method, format!("{}/v1{path}", demo.flow_url))
        .bearer_auth(key);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let r = request.send().await.unwrap();
    (r.status(), r.json().await.unwrap())
}

fn fixture(name: &str) -> Value {
    let text = std::fs::read_to_string(format!("tests/contract/{name}.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Checks `value` against the subset of JSON Schema the fixtures use:
/// `type` (one or a list), `enum`, `required`, `properties`, `format: uri`.
/// Fields the fixture does not list are allowed, as in the real API.
fn check(schema: &Value, value: &Value, at: &str, problems: &mut Vec<String>) {
    if let Some(types) = schema.get("type") {
        let types: Vec<&str> = match types {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        let actual = match value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        };
        if !types.contains(&actual) {
            problems.push(format!("{at}: {actual}, expected {}", types.join(" or ")));
            return;
        }
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array) {
        if !allowed.contains(value) {
            problems.push(format!(
                "{at}: {value} is not one of {}",
                Value::from(allowed.clone())
            ));
        }
    }
    if schema.get("format").and_then(Value::as_str) == Some("uri") {
        let uri = value.as_str().unwrap_or_default();
        if reqwest::Url::parse(uri).is_err() {
            problems.push(format!("{at}: {uri:?} is not a URI"));
        }
    }
    for name in schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let name = name.as_str().unwrap_or_default();
        if value.get(name).is_none() {
            problems.push(format!("{at}.{name}: required, missing"));
        }
    }
    for (name, field) in schema
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        if let Some(v) = value.get(name) {
            check(field, v, &format!("{at}.{name}"), problems);
        }
    }
}

fn assert_matches(name: &str, value: &Value) {
    let mut problems = vec![];
    check(&fixture(name), value, "answer", &mut problems);
    assert!(problems.is_empty(), "{name}: {problems:#?}\n{value:#}");
}

/// create-link → the flow's Connect → the activation token.
async fn activation_token(demo: &Demo) -> (Value, String) {
    let (status, created) = call(
        demo,
        Method::POST,
        "/connect/create-link",
        KEY,
        Some(json!({
            "end_user_email": "alex@acme.example",
            "end_user_organization_name": "Acme, Inc.",
            "end_user_origin_id": "acme-1",
            "integration_category": "HRIS",
        })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let token = complete(created["data"]["link"].as_str().unwrap(), "personio").await;
    (created, token)
}

/// `GET /connect/integration-by-token/{token}`.
async fn integration_by_token(demo: &Demo, token: &str) -> (StatusCode, Value) {
    call(
        demo,
        Method::GET,
        &format!("/connect/integration-by-token/{token}"),
        KEY,
        None,
    )
    .await
}

#[tokio::test]
async fn create_link_integration_by_token_and_relink_answer_in_kombos_shapes() {
    let dir = tempfile::tempdir().unwrap();
    let demo = demo(dir.path()).await;
    let (created, token) = activation_token(&demo).await;
    assert_matches("create-link", &created);

    let (status, by_token) = integration_by_token(&demo, &token).await;
    assert_eq!(status, StatusCode::OK);
    assert_matches("integration-by-token", &by_token);
    // Read-only: asking twice gives the same integration.
    let (_, again) = integration_by_token(&demo, &token).await;
    assert_eq!(again, by_token);

    let id = by_token["data"]["id"].as_str().unwrap();
    for body in [
        None,
        Some(json!({})),
        Some(json!({ "language": "de", "link_type": "EMBEDDED" })),
    ] {
        let (status, relinked) = call(
            &demo,
            Method::POST,
            &format!("/integrations/{id}/relink"),
            KEY,
            body,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{relinked}");
        assert_matches("relink", &relinked);
    }
    demo.stop().await;
}

#[tokio::test]
async fn errors_answer_in_kombos_error_shape_with_its_codes() {
    let dir = tempfile::tempdir().unwrap();
    let demo = demo(dir.path()).await;
    let cases = [
        (
            Method::POST,
            "/connect/create-link",
            "wrong-key",
            Some(json!({})),
            StatusCode::UNAUTHORIZED,
            Some("PLATFORM.AUTHENTICATION_INVALID"),
        ),
        (
            Method::POST,
            "/connect/create-link",
            KEY,
            Some(json!({ "end_user_email": "a@b.c" })),
            StatusCode::BAD_REQUEST,
            Some("PLATFORM.INPUT_INVALID"),
        ),
        (
            Method::GET,
            "/connect/integration-by-token/nope",
            KEY,
            None,
            StatusCode::NOT_FOUND,
            None,
        ),
        (
            Method::POST,
            "/integrations/personio:unknown/relink",
            KEY,
            None,
            StatusCode::NOT_FOUND,
            Some("PLATFORM.INTEGRATION_NOT_FOUND"),
        ),
        (
            Method::POST,
            "/integrations/personio:unknown/relink",
            "wrong-key",
            None,
            StatusCode::UNAUTHORIZED,
            Some("PLATFORM.AUTHENTICATION_INVALID"),
        ),
        (
            Method::GET,
            "/integrations/personio:unknown",
            KEY,
            None,
            StatusCode::NOT_FOUND,
            Some("PLATFORM.INTEGRATION_NOT_FOUND"),
        ),
    ];
    for (method, path, key, body, status, code) in cases {
        let (actual, answer) = call(&demo, method.clone(), path, key, body).await;
        assert_eq!(actual, status, "{method} {path}: {answer}");
        assert_matches("error", &answer);
        assert_eq!(answer["error"]["code"].as_str(), code, "{method} {path}");
    }
    demo.stop().await;
}

#[tokio::test]
async fn a_relink_link_is_valid_one_hour_and_opens_the_reconnect_mode() {
    let dir = tempfile::tempdir().unwrap();
    let demo = demo(dir.path()).await;
    let (_, token) = activation_token(&demo).await;
    let (_, by_token) = integration_by_token(&demo, &token).await;
    let id = by_token["data"]["id"].as_str().unwrap();
    let (_, relinked) = call(
        &demo,
        Method::POST,
        &format!("/integrations/{id}/relink"),
        KEY,
        None,
    )
    .await;
    let link = relinked["data"]["link"].as_str().unwrap();
    assert!(
        link.starts_with(&format!("{}/connect?token=", demo.flow_url)),
        "{link}"
    );
    let page = reqwest::get(link).await.unwrap().text().await.unwrap();
    assert!(page.contains("Reconnect Personio"), "{page}");
    // Finishing it gives a token for the same integration, not a new one.
    let relink_token = complete(link, "personio").await;
    let (_, after) = integration_by_token(&demo, &relink_token).await;
    assert_eq!(after["data"]["id"], by_token["data"]["id"]);
    demo.stop().await;
}
