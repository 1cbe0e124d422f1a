//! The demo server over real HTTP on 127.0.0.1: the customer's routes, the
//! Kombo API mock's rules, the mock flow, and the database across restarts.

mod common;

use std::time::Duration;

use common::{complete, config, demo, post, Visitor};
use kombo_connect_demo::{start, Demo};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

async fn kombo(demo: &Demo, path: &str, key: &str, body: Value) -> (StatusCode, Value) {
    let r = Client::new()
        .post(format!("{}/v1/connect/{path}", demo.flow_url))
        .bearer_auth(key)
        .json(&body)
        .send()
        .await
        .unwrap();
    (r.status(), r.json().await.unwrap())
}

/// The mock's `GET /v1/connect/integration-by-token/{token}`.
async fn integration_by_token(demo: &Demo, token: &str) -> (StatusCode, Value) {
    let r = Client::new()
        .get(format!(
            "{}/v1/connect/integration-by-token/{token}",
            demo.flow_url
        ))
        .bearer_auth("demo-api-key")
        .send()
        .await
        .unwrap();
    (r.status(), r.json().await.unwrap())
}

#[tokio::test]
async fn init_calls_the_mock_and_returns_a_link_to_the_flow_origin() {
    let dir = tempfile::tempdir().unwrap();
    let demo = demo(dir.path()).await;
    let (status, body) = Visitor::new(&demo)
        .await
        .post(
            "/integrations/kombo/init",
            json!({ "integration_category": "ATS", "integration_tool": "greenhouse", "language": "de" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let link = body["link"].as_str().unwrap();
    assert!(
        link.starts_with(&format!("{}/connect?token=", demo.flow_url)),
        "{link}"
    );
    let page = reqwest::get(link).await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains(&format!("frame-ancestors {}", demo.app_url)),
        "{csp}"
    );
    let html = page.text().await.unwrap();
    assert!(html.contains("Connect your applicant tracking system"));
    assert!(
        html.contains("Greenhouse") && !html.contains("Lever"),
        "the preselected tool only"
    );
    assert!(html.contains("lang=\"de\""));
    demo.stop().await;
}

#[tokio::test]
async fn bad_requests_get_json_errors_with_the_right_status() {
    let dir = tempfile::tempdir().unwrap();
    let demo = demo(dir.path()).await;
    let visitor = Visitor::new(&demo).await;
    let init = "/integrations/kombo/init";
    let activate = "/integrations/kombo/activate";
    let c = |path| visitor.request(reqwest::Method::POST, path);
    let cases = [
        (
            c(init).body("{}"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            c(init)
                .header("content-type", "application/json")
                .body("{oops"),
            StatusCode::BAD_REQUEST,
            "invalid_json",
        ),
        (
            c(init).json(&json!({ "integration_category": 7 })),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            c(init).json(&json!({ "integration_category": "CRM" })),
            StatusCode::BAD_REQUEST,
            "kombo_rejected",
        ),
        (
            c(activate).json(&json!({ "token": "nope" })),
            StatusCode::BAD_REQUEST,
            "kombo_rejected",
        ),
        (
            c(activate).json(&json!({})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
    ];
    for (request, status, code) in cases {
        let r = request.send().await.unwrap();
        assert_eq!(r.status(), status);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], code, "{body}");
        assert!(body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()));
    }
    demo.stop().await;
}

#[tokio::test]
async fn the_mock_api_requires_the_key_and_validates_like_kombo() {
    let dir = tempfile::tempdir().unwrap();
    let demo = demo(dir.path()).await;
    let valid = json!({ "end_user_email": "a@b.example", "end_user_organization_name": "B" });
    let (status, body) = kombo(&demo, "create-link", "wrong-key", valid.clone()).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("error"))
    );
    let (status, body) = kombo(&demo, "create-link", "demo-api-key", valid.clone()).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("success"))
    );
    assert!(body["data"]["link"].is_string());
    for (body, message) in [
        (
            json!({ "end_user_organization_name": "B" }),
            "end_user_email",
        ),
        (
            json!({ "end_user_email": "a@b.example" }),
            "end_user_organization_name",
        ),
        (
            json!({ "end_user_email": "a@b.example", "end_user_organization_name": "B", "integration_category": "CRM" }),
            "integration_category",
        ),
        (
            json!({ "end_user_email": "a@b.example", "end_user_organization_name": "B", "language": "xx" }),
            "language",
        ),
    ] {
        let (status, answer) = kombo(&demo, "create-link", "demo-api-key", body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(
            answer["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with(message),
            "{answer}"
        );
    }
    demo.stop().await;
}

#[tokio::test]
async fn activation_tokens_are_single_use_at_kombo() {
    let dir = tempfile::tempdir().unwrap();
    let demo = demo(dir.path()).await;
    let token = Visitor::new(&demo)
        .await
        .finish_flow("HRIS", "personio")
        .await;
    let (status, first) = kombo(
        &demo,
        "activate-integration",
        "demo-api-key",
        json!({ "token": token }),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(first["data"]["id"]
        .as_str()
        .unwrap()
        .starts_with("personio:"));
    assert_eq!(first["data"]["setup_status"], "COMPLETED");
    let (status, again) = kombo(
        &demo,
        "activate-integration",
        "demo-api-key",
        json!({ "token": token }),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{again}");
    let (_, by_token) = integration_by_token(&demo, &token).await;
    assert_eq!(by_token["data"]["id"], first["data"]["id"]);
    demo.stop().await;
}

#[tokio::test]
async fn activating_the_same_token_twice_stores_one_row() {
    let dir = tempfile::tempdir().unwrap();
    let demo = demo(dir.path()).await;
    let visitor = Visitor::new(&demo).await;
    let token = visitor.finish_flow("HRIS", "bamboohr").await;
    let (status, first) = visitor.activate(&token).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert_eq!(first["tool"], "bamboohr");
    assert_eq!(first["end_user_email"], "alex@acme.example");
    let (status, second) = visitor.activate(&token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(second, first);
    assert_eq!(visitor.ids().await.len(), 1);
    demo.stop().await;
}

#[tokio::test]
async fn integrations_survive_a_restart_and_can_be_removed() {
    let dir = tempfile::tempdir().unwrap();
    let first = demo(dir.path()).await;
    let visitor = Visitor::new(&first).await;
    let token = visitor.finish_flow("ATS", "lever").await;
    let (_, stored) = visitor.activate(&token).await;
    first.stop().await;

    // The same config gets the same ports back only by chance: the
    // session cookie goes to the new address.
    let second = demo(dir.path()).await;
    let visitor = visitor.at(&second.app_url);
    let (_, list) = visitor.get("/integrations").await;
    assert_eq!(list["integrations"], json!([stored]));
    let id = stored["id"].as_str().unwrap();
    let delete = || {
        visitor
            .request(reqwest::Method::DELETE, &format!("/integrations/{id}"))
            .send()
    };
    assert_eq!(delete().await.unwrap().status(), StatusCode::NO_CONTENT);
    let again = delete().await.unwrap();
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        again.json::<Value>().await.unwrap()["error"]["code"],
        "not_found"
    );
    second.stop().await;
}

#[tokio::test]
async fn an_expired_link_shows_an_expired_page_and_cannot_be_completed() {
    let dir = tempfile::tempdir().unwrap();
    let demo = start(config(dir.path(), Duration::ZERO)).await.unwrap();
    let (_, body) = Visitor::new(&demo)
        .await
        .post("/integrations/kombo/init", json!({}))
        .await;
    let link = body["link"].as_str().unwrap();
    let page = reqwest::get(link).await.unwrap();
    assert_eq!(page.status(), StatusCode::GONE);
    assert!(page.text().await.unwrap().contains("This link has expired"));
    let token = link.split("token=").nth(1).unwrap();
    let (status, answer) = post(
        format!("{}/connect/complete", demo.flow_url),
        json!({ "token": token, "tool": "personio" }),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(answer["error"], "this link has expired");
    demo.stop().await;
}

#[tokio::test]
async fn pages_and_the_package_are_served_under_a_strict_csp() {
    let dir = tempfile::tempdir().unwrap();
    let demo = demo(dir.path()).await;
    let page = reqwest::get(format!("{}/", demo.app_url)).await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("script-src 'self' 'wasm-unsafe-eval'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert!(
        csp.contains(&format!("frame-src {}", demo.flow_url)),
        "{csp}"
    );
    assert!(page.text().await.unwrap().contains("Connect HRIS"));
    demo.stop().await;
}

#[tokio::test]
async fn a_second_flow_for_a_connected_category_or_tool_is_refused_with_409() {
    let dir = tempfile::tempdir().unwrap();
    let demo = demo(dir.path()).await;
    let visitor = Visitor::new(&demo).await;
    let token = visitor.finish_flow("HRIS", "personio").await;
    let (status, stored) = visitor.activate(&token).await;
    assert_eq!(status, StatusCode::CREATED, "{stored}");
    assert_eq!(stored["category"], "HRIS");
    let id = stored["id"].as_str().unwrap();
    let init = "/integrations/kombo/init";
    for body in [
        json!({ "integration_category": "HRIS" }),
        json!({ "integration_category": "HRIS", "integration_tool": "personio" }),
    ] {
        let (status, answer) = visitor.post(init, body.clone()).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}: {answer}");
        assert_eq!(answer["error"]["code"], "already_connected");
        assert_eq!(answer["error"]["integration_id"], id);
        assert_eq!(answer["error"]["tool"], "personio");
        assert!(answer["error"]["message"].as_str().unwrap().contains(id));
    }
    // Another tool of the category, named up front, and another category: allowed.
    for body in [
        json!({ "integration_category": "HRIS", "integration_tool": "bamboohr" }),
        json!({ "integration_category": "ATS" }),
    ] {
        let (status, answer) = visitor.post(init, body.clone()).await;
        assert_eq!(status, StatusCode::OK, "{body}: {answer}");
    }
    demo.stop().await;
}

#[tokio::test]
async fn reconnecting_goes_through_relink_and_updates_the_same_row() {
    let dir = tempfile::tempdir().unwrap();
    let demo = demo(dir.path()).await;
    let visitor = Visitor::new(&demo).await;
    let token = visitor.finish_flow("HRIS", "personio").await;
    let (_, stored) = visitor.activate(&token).await;
    let id = stored["id"].as_str().unwrap();

    let (status, body) = visitor
        .post(
            "/integrations/kombo/relink",
            json!({ "integration_id": id, "language": "de" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let link = body["link"].as_str().unwrap();
    assert!(link.starts_with(&demo.flow_url), "{link}");
    let page = reqwest::get(link).await.unwrap().text().await.unwrap();
    assert!(page.contains("<html lang=\"de\"") && page.contains("Reconnect Personio"));
    let done = complete(link, "personio").await;
    let (status, again) = visitor.activate(&done).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["id"], id);
    assert_eq!(visitor.ids().await.len(), 1);

    // Only the organization's own integrations: unknown ids are 404.
    for other in ["personio:someone-elses", ""] {
        let (status, answer) = visitor
            .post(
                "/integrations/kombo/relink",
                json!({ "integration_id": other }),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{other:?}: {answer}");
        assert_eq!(answer["error"]["code"], "not_found");
    }
    demo.stop().await;
}

#[tokio::test]
async fn a_token_from_another_organizations_flow_is_refused_and_not_stored() {
    let dir = tempfile::tempdir().unwrap();
    let demo = demo(dir.path()).await;
    let visitor = Visitor::new(&demo).await;
    // Another customer of the same Kombo account finishes a flow of theirs.
    let (status, created) = kombo(
        &demo,
        "create-link",
        "demo-api-key",
        json!({ "end_user_email": "kim@globex.example", "end_user_organization_name": "Globex",
                "end_user_origin_id": "globex-7" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let link = created["data"]["link"].as_str().unwrap();
    let theirs = complete(link, "hibob").await;
    for _ in 0..2 {
        let (status, answer) = visitor.activate(&theirs).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
        assert_eq!(answer["error"]["code"], "wrong_organization");
    }
    assert!(visitor.ids().await.is_empty());
    demo.stop().await;
}

#[tokio::test]
async fn reading_a_token_at_kombo_does_not_spend_it() {
    let dir = tempfile::tempdir().unwrap();
    let demo = demo(dir.path()).await;
    let token = Visitor::new(&demo)
        .await
        .finish_flow("ATS", "workable")
        .await;
    for _ in 0..2 {
        let (status, read) = integration_by_token(&demo, &token).await;
        assert_eq!(status, StatusCode::OK, "{read}");
    }
    let (status, answer) = kombo(
        &demo,
        "activate-integration",
        "demo-api-key",
        json!({ "token": token }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    demo.stop().await;
}

#[tokio::test]
async fn a_request_slower_than_the_request_time_out_gets_408() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(dir.path(), Duration::from_secs(3600));
    config.limits.request = Duration::from_millis(300);
    let demo = start(config).await.unwrap();
    let visitor = Visitor::new(&demo).await;
    let host = demo.app_url.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(host).await.unwrap();
    // The headers, then a body that never comes.
    let head = format!(
        "POST /integrations/kombo/init HTTP/1.1\r\nHost: {host}\r\nCookie: {}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{",
        visitor.cookie()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = vec![0; 1024];
    let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut answer))
        .await
        .unwrap()
        .unwrap();
    let answer = String::from_utf8_lossy(&answer[..n]);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    demo.stop().await;
}
