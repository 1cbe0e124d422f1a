//! The demo back-end as customers will copy it, tried as an attacker, a
//! load tester and an operator would: sessions and organizations, checks
//! on every request, activation under locks, duplicates and `kill -9`, and
//! stopping with requests in flight. Every test runs the real binary on
//! loopback ports (`DEMO_BIN` to try another build) and is bounded by
//! deadlines.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use common::process::Process;
use common::{complete, Visitor};
use deadpool_sqlite::rusqlite::Connection;
use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Polls `check` every 50 ms until it holds, failing after `limit`.
async fn eventually<F, Fut>(limit: Duration, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + limit;
    while !check().await {
        assert!(Instant::now() < deadline, "not within {limit:?}: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The demo's SQLite file, opened by this (other) process.
fn database(data: &std::path::Path) -> Connection {
    let conn = Connection::open(data.join("demo.sqlite3")).unwrap();
    conn.busy_timeout(Duration::from_secs(10)).unwrap();
    conn
}

#[tokio::test]
async fn customer_routes_need_a_session_and_see_only_their_organization() {
    let dir = tempfile::tempdir().unwrap();
    let demo = Process::spawn(dir.path(), &[]).await;
    let anonymous = Client::new();
    for (method, path) in [
        (Method::GET, "/integrations"),
        (Method::POST, "/integrations/kombo/init"),
        (Method::POST, "/integrations/kombo/activate"),
        (Method::POST, "/integrations/kombo/relink"),
        (Method::DELETE, "/integrations/x"),
        (Method::GET, "/session"),
    ] {
        let r = anonymous
            .request(method.clone(), format!("{}{path}", demo.app))
            .json(&json!({ "token": "t", "integration_id": "x" }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{method} {path}");
        assert_eq!(
            r.json::<Value>().await.unwrap()["error"]["code"],
            "unauthorized"
        );
    }

    // A first visit is signed in as the first organization.
    let acme = Visitor::open(&demo.app).await;
    let (_, session) = acme.get("/session").await;
    assert_eq!(session["organization"]["id"], "acme-1");
    assert_eq!(session["organizations"].as_array().unwrap().len(), 3);
    let token = acme.finish_flow("HRIS", "personio").await;
    let (status, stored) = acme.activate(&token).await;
    assert_eq!(status, StatusCode::CREATED, "{stored}");
    let id = stored["id"].as_str().unwrap();

    let globex = Visitor::of(&demo.app, "globex-1").await;
    assert!(globex.ids().await.is_empty());
    let (status, _) = globex.activate(&token).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "another organization's token"
    );
    let (status, _) = globex
        .post(
            "/integrations/kombo/relink",
            json!({ "integration_id": id }),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let r = globex
        .request(Method::DELETE, &format!("/integrations/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // Globex connects the same tool: its own, beside Acme's.
    let theirs = globex.finish_flow("HRIS", "personio").await;
    let (status, own) = globex.activate(&theirs).await;
    assert_eq!(status, StatusCode::CREATED, "{own}");
    assert_eq!(own["end_user_origin_id"], "globex-1");
    assert_eq!(acme.ids().await, [id]);
    assert_eq!(globex.ids().await.len(), 1);
}

#[tokio::test]
async fn writes_from_another_site_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let demo = Process::spawn(dir.path(), &[]).await;
    let visitor = Visitor::open(&demo.app).await;
    let init = |origin: Option<&str>, site: Option<&str>| {
        let mut r = visitor
            .request(Method::POST, "/integrations/kombo/init")
            .json(&json!({ "integration_category": "ATS" }));
        if let Some(origin) = origin {
            r = r.header("origin", origin);
        }
        if let Some(site) = site {
            r = r.header("sec-fetch-site", site);
        }
        r.send()
    };
    let evil = init(Some("https://evil.example"), Some("cross-site"))
        .await
        .unwrap();
    assert_eq!(evil.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        evil.json::<Value>().await.unwrap()["error"]["code"],
        "cross_origin"
    );
    let no_origin = init(None, Some("cross-site")).await.unwrap();
    assert_eq!(no_origin.status(), StatusCode::FORBIDDEN);
    let own = init(Some(&demo.app), Some("same-origin")).await.unwrap();
    assert_eq!(own.status(), StatusCode::OK);
    let delete = visitor
        .request(Method::DELETE, "/integrations/x")
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(delete.status(), StatusCode::FORBIDDEN);
}

/// One HTTP/1.1 exchange over a fresh connection, as written.
async fn raw(origin: &str, request: &str) -> String {
    let mut stream = TcpStream::connect(origin.trim_start_matches("http://"))
        .await
        .unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer));
    read.await.unwrap().unwrap();
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn a_host_header_the_demo_does_not_answer_to_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let demo = Process::spawn(dir.path(), &[]).await;
    let port = demo.app.rsplit(':').next().unwrap();
    for (host, status) in [
        (format!("rebound.evil.example:{port}"), "421"),
        (format!("localhost:{port}"), "200"),
        (format!("127.0.0.1:{port}"), "200"),
    ] {
        let answer = raw(
            &demo.app,
            &format!("GET /demo.css HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"),
        )
        .await;
        assert!(
            answer.starts_with(&format!("HTTP/1.1 {status}")),
            "{host}: {answer}"
        );
    }
    let answer = raw(
        &demo.flow,
        "GET /connect/flow.css HTTP/1.1\r\nHost: rebound.evil.example\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 421"), "{answer}");
}

#[tokio::test]
async fn only_the_pages_are_served_with_nosniff_and_a_referrer_policy() {
    let dir = tempfile::tempdir().unwrap();
    let demo = Process::spawn(dir.path(), &[]).await;
    for path in [
        "/server/src/main.rs",
        "/server%2Fflow%2Fflow.js",
        "/server%2fsrc%2fmain.rs",
        "/server/Cargo.toml",
        "/server/src/db.rs",
        "/server/flow/flow.js",
    ] {
        let r = reqwest::get(format!("{}{path}", demo.app)).await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let visitor = Visitor::open(&demo.app).await;
    let link = visitor.post("/integrations/kombo/init", json!({})).await.1["link"]
        .as_str()
        .unwrap()
        .to_owned();
    for url in [
        format!("{}/", demo.app),
        format!("{}/index.html", demo.app),
        format!("{}/demo.js", demo.app),
        format!("{}/session", demo.app),
        link,
    ] {
        let r = Client::new()
            .get(&url)
            .header("cookie", visitor.cookie())
            .send()
            .await
            .unwrap();
        assert_eq!(r.headers()["x-content-type-options"], "nosniff", "{url}");
        assert_eq!(r.headers()["referrer-policy"], "same-origin", "{url}");
    }
}

#[tokio::test]
async fn an_oversized_body_gets_413() {
    let dir = tempfile::tempdir().unwrap();
    let demo = Process::spawn(dir.path(), &[]).await;
    let visitor = Visitor::open(&demo.app).await;
    let (status, answer) = visitor
        .post(
            "/integrations/kombo/init",
            json!({ "integration_category": "HRIS", "language": "x".repeat(100_000) }),
        )
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{answer}");
    assert_eq!(answer["error"]["code"], "body_too_large");
}

#[tokio::test]
async fn the_list_comes_in_pages() {
    let dir = tempfile::tempdir().unwrap();
    let demo = Process::spawn(dir.path(), &[]).await;
    let visitor = Visitor::open(&demo.app).await;
    let tools = ["greenhouse", "lever", "workable", "teamtailor", "personio"];
    let mut tokens = vec![];
    for tool in tools {
        let category = if tool == "personio" { "HRIS" } else { "ATS" };
        tokens.push(visitor.finish_flow(category, tool).await);
    }
    let mut ids = vec![];
    for token in &tokens {
        ids.push(
            visitor.activate(token).await.1["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let (mut seen, mut after) = (vec![], String::new());
    for _ in 0..3 {
        let (status, page) = visitor.get(&format!("/integrations?limit=2{after}")).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let rows = page["integrations"].as_array().unwrap();
        assert!(rows.len() <= 2, "{page}");
        seen.extend(rows.iter().map(|i| i["id"].as_str().unwrap().to_owned()));
        match page["next"].as_str() {
            Some(next) => after = format!("&after={next}"),
            None => break,
        }
    }
    assert_eq!(seen, ids);
    let (status, _) = visitor.get("/integrations?limit=lots").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_502_names_no_internal_address() {
    let dir = tempfile::tempdir().unwrap();
    // Kombo "down": a port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let api = format!("http://127.0.0.1:{port}/v1");
    let demo = Process::spawn(
        dir.path(),
        &[("KOMBO_API_KEY", "k"), ("KOMBO_API_URL", &api)],
    )
    .await;
    let (status, answer) = Visitor::open(&demo.app)
        .await
        .post("/integrations/kombo/init", json!({}))
        .await;
    assert_eq!(status, StatusCode::BAD_GATEWAY, "{answer}");
    let message = answer["error"]["message"].as_str().unwrap();
    assert!(
        !message.contains("127.0.0.1") && !message.contains("http"),
        "{message}"
    );
}

#[tokio::test]
async fn two_hundred_concurrent_activations_of_one_token_ask_kombo_once_and_store_one_row() {
    let dir = tempfile::tempdir().unwrap();
    let (demo, by_token) = behind_slow_kombo(dir.path()).await;
    let visitor = Arc::new(Visitor::open(&demo.app).await);
    let token = visitor.finish_flow("HRIS", "hibob").await;
    let runs = (0..200).map(|_| {
        let (visitor, token) = (visitor.clone(), token.clone());
        tokio::spawn(async move { visitor.activate(&token).await })
    });
    let answers = futures_util::future::join_all(runs).await;
    let mut ids = std::collections::BTreeSet::new();
    for answer in answers {
        let (status, body) = answer.unwrap();
        assert!(status.is_success(), "{status}: {body}");
        ids.insert(body["id"].as_str().unwrap().to_owned());
    }
    assert_eq!(ids.len(), 1);
    assert_eq!(visitor.ids().await.len(), 1);
    assert_eq!(
        by_token.load(Ordering::SeqCst),
        1,
        "one run for all duplicates"
    );
}

#[tokio::test]
async fn a_database_locked_by_another_process_delays_or_refuses_but_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let demo = Process::spawn(dir.path(), &[]).await;
    let visitor = Visitor::open(&demo.app).await;
    let token = visitor.finish_flow("ATS", "lever").await;
    let other = database(dir.path());
    other.execute_batch("BEGIN IMMEDIATE").unwrap();

    // Reads go on; the write waits its busy time-out, then says when to retry.
    let started = Instant::now();
    let (status, _) = visitor.get("/integrations").await;
    assert_eq!(status, StatusCode::OK);
    // A read that waited would take the whole busy time-out (5 s).
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "a read waited for the lock"
    );
    let r = visitor
        .request(Method::POST, "/integrations/kombo/activate")
        .json(&json!({ "token": token }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(r.headers()["retry-after"], "1");
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"]["code"],
        "database_busy"
    );

    other.execute_batch("COMMIT").unwrap();
    let (status, stored) = visitor.activate(&token).await;
    assert_eq!(status, StatusCode::CREATED, "{stored}");
    assert_eq!(visitor.ids().await.len(), 1);
}

/// Where the mock's API is: the flow's origin (or, in builds before it
/// moved there, the app's: tried second).
type Upstream = Arc<OnceLock<[String; 2]>>;

/// The demo over `data`, calling Kombo through a proxy in front of the
/// mock that answers integration-by-token two seconds late (a window for
/// the tests to act in); the count of those calls.
async fn behind_slow_kombo(data: &std::path::Path) -> (Process, Arc<AtomicUsize>) {
    let upstream: Upstream = Arc::default();
    let by_token = Arc::new(AtomicUsize::new(0));
    let (up, count) = (upstream.clone(), by_token.clone());
    let app = axum::Router::new().fallback(move |request: axum::extract::Request| {
        let (up, count) = (up.clone(), count.clone());
        async move {
            let (parts, body) = request.into_parts();
            let body = axum::body::to_bytes(body, 1 << 20).await.unwrap();
            if parts.uri.path().contains("integration-by-token") {
                count.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
            let mut answer = None;
            for origin in up.get().unwrap() {
                let url = format!("{origin}{}", parts.uri);
                let mut forward = Client::new()
                    .request(parts.method.clone(), url)
                    .body(body.clone());
                for name in ["authorization", "content-type"] {
                    if let Some(value) = parts.headers.get(name) {
                        forward = forward.header(name, value);
                    }
                }
                let got = forward.send().await.unwrap();
                let status = got.status();
                answer = Some((status, got.bytes().await.unwrap()));
                if status != StatusCode::NOT_FOUND {
                    break;
                }
            }
            answer.unwrap()
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/v1", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let demo = Process::spawn(
        data,
        &[("KOMBO_API_KEY", "demo-api-key"), ("KOMBO_API_URL", &url)],
    )
    .await;
    upstream.set([demo.flow.clone(), demo.app.clone()]).unwrap();
    (demo, by_token)
}

#[tokio::test]
async fn a_store_that_fails_after_kombo_answered_is_finished_once_the_lock_is_gone() {
    let dir = tempfile::tempdir().unwrap();
    let (demo, by_token) = behind_slow_kombo(dir.path()).await;
    let visitor = Arc::new(Visitor::open(&demo.app).await);
    let token = visitor.finish_flow("HRIS", "workday").await;
    let first = tokio::spawn({
        let (visitor, token) = (visitor.clone(), token.clone());
        async move { visitor.activate(&token).await }
    });
    // Once the token is recorded (Kombo is being asked), lock the file.
    let other = database(dir.path());
    eventually(
        Duration::from_secs(5),
        "the token recorded as pending",
        || {
            let pending: i64 = other
                .query_row("SELECT count(*) FROM activations", [], |r| r.get(0))
                .unwrap();
            async move { pending == 1 }
        },
    )
    .await;
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    let (status, answer) = first.await.unwrap();
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{answer}");
    other.execute_batch("COMMIT").unwrap();

    // Stored without the client asking again, from Kombo's one answer.
    eventually(Duration::from_secs(15), "the integration stored", || {
        let stored: i64 = other
            .query_row("SELECT count(*) FROM integrations", [], |r| r.get(0))
            .unwrap();
        async move { stored == 1 }
    })
    .await;
    let (status, stored) = visitor.activate(&token).await;
    assert!(status.is_success(), "{stored}");
    assert_eq!(visitor.ids().await, [stored["id"].as_str().unwrap()]);
    assert_eq!(by_token.load(Ordering::SeqCst), 1, "Kombo asked once");
}

#[tokio::test]
async fn kill_9_in_the_middle_of_a_burst_loses_and_duplicates_nothing() {
    const FLOWS: usize = 60;
    let dir = tempfile::tempdir().unwrap();
    let demo = Process::spawn(dir.path(), &[]).await;
    let visitor = Visitor::open(&demo.app).await;
    let tools = ["personio", "bamboohr", "hibob", "workday"];
    let mut links = vec![];
    for n in 0..FLOWS {
        let (status, body) = visitor
            .post(
                "/integrations/kombo/init",
                json!({ "integration_category": "HRIS", "integration_tool": tools[n % 4] }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        links.push(body["link"].as_str().unwrap().to_owned());
    }
    let mut tokens = vec![];
    for (n, link) in links.iter().enumerate() {
        tokens.push(complete(link, tools[n % 4]).await);
    }
    // Each token twice at once, and the process killed after 20 answers.
    let visitor = Arc::new(visitor);
    let answered = Arc::new(AtomicUsize::new(0));
    let burst: Vec<_> = tokens
        .iter()
        .chain(tokens.iter())
        .map(|token| {
            let (visitor, token, answered) = (visitor.clone(), token.clone(), answered.clone());
            tokio::spawn(async move {
                let r = visitor
                    .request(Method::POST, "/integrations/kombo/activate")
                    .json(&json!({ "token": token }))
                    .send()
                    .await;
                answered.fetch_add(1, Ordering::SeqCst);
                r.map(|r| r.status())
            })
        })
        .collect();
    eventually(Duration::from_secs(20), "20 answers", || {
        let n = answered.load(Ordering::SeqCst);
        async move { n >= 20 }
    })
    .await;
    demo.kill();
    let statuses = futures_util::future::join_all(burst).await;
    let cut = statuses.iter().filter(|s| !matches!(s, Ok(Ok(_)))).count();

    // Restarted: what was pending is finished, and every retry gets its row.
    let demo = Process::spawn(dir.path(), &[]).await;
    let visitor = visitor.at(&demo.app);
    let mut ids = std::collections::BTreeSet::new();
    for token in &tokens {
        let (status, body) = visitor.activate(token).await;
        assert!(status.is_success(), "{status}: {body}");
        ids.insert(body["id"].as_str().unwrap().to_owned());
    }
    assert_eq!(ids.len(), FLOWS);
    let (_, page) = visitor.get("/integrations?limit=200").await;
    let listed: Vec<_> = page["integrations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        listed.len(),
        FLOWS,
        "no duplicates ({cut} requests were cut by the kill)"
    );
    assert_eq!(
        listed
            .into_iter()
            .collect::<std::collections::BTreeSet<_>>(),
        ids
    );
}

/// A POST on its own connection with only half its body sent: a request
/// in flight until the test writes the rest (returned).
async fn slow_post(origin: &str, cookie: &str, path: &str, body: &str) -> (TcpStream, String) {
    let mut stream = TcpStream::connect(origin.trim_start_matches("http://"))
        .await
        .unwrap();
    let host = origin.trim_start_matches("http://");
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nCookie: {cookie}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let (first, rest) = body.split_at(body.len() / 2);
    stream.write_all(first.as_bytes()).await.unwrap();
    (stream, rest.to_owned())
}

#[tokio::test]
async fn sigterm_lets_requests_in_flight_finish_and_exits() {
    let dir = tempfile::tempdir().unwrap();
    let mut demo = Process::spawn(dir.path(), &[]).await;
    let visitor = Visitor::open(&demo.app).await;
    let (mut stream, rest) = slow_post(
        &demo.app,
        visitor.cookie(),
        "/integrations/kombo/init",
        r#"{"integration_category":"ATS"}"#,
    )
    .await;
    // Time for the server to read the headers: the request is in flight.
    tokio::time::sleep(Duration::from_millis(500)).await;
    demo.signal("TERM");
    // New connections are soon no longer accepted…
    let css = format!("{}/demo.css", demo.app);
    eventually(Duration::from_secs(5), "new connections refused", || {
        let css = css.clone();
        async move { reqwest::get(css).await.is_err() }
    })
    .await;
    // …but the request in flight is answered, Kombo (the mock) included.
    stream.write_all(rest.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer))
        .await
        .unwrap()
        .unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("/connect?token="), "{answer}");
    let exit = demo.exited_within(Duration::from_secs(5)).await;
    assert!(exit.is_some_and(|s| s.success()), "{exit:?}");
}

#[tokio::test]
async fn a_client_stuck_in_its_headers_does_not_hold_up_ctrl_c() {
    let dir = tempfile::tempdir().unwrap();
    let mut demo = Process::spawn(dir.path(), &[]).await;
    let mut stuck = TcpStream::connect(demo.app.trim_start_matches("http://"))
        .await
        .unwrap();
    stuck.write_all(b"GET / HTTP/1.1\r\nHost: ").await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    demo.signal("INT");
    // Header time-out (5 s) and grace (10 s) both bound it.
    let exit = demo.exited_within(Duration::from_secs(12)).await;
    assert!(exit.is_some_and(|s| s.success()), "{exit:?}");
}
