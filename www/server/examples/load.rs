//! `make bench`'s load test of the demo back-end: the release binary on
//! loopback, 32 clients at once, one signed-in organization with 50
//! integrations. Measures requests per second and latency percentiles for
//! init and for listing, then the server's memory (RSS) after 100,000
//! requests in all, and writes bench/SERVER.md. Fails when a request fails
//! or a figure is over its budget (below).

use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::{Client, RequestBuilder};
use serde_json::{json, Value};

const CLIENTS: usize = 32;
const INITS: usize = 10_000;
const LISTS: usize = 20_000;
const TOTAL: usize = 100_000;
/// Budgets: generous for a 2-core machine; a regression (a lock held across
/// a request, a blocking call on a worker) blows well past them.
const P99_BUDGET_MS: f64 = 100.0;
const RSS_BUDGET_MB: f64 = 200.0;

struct Stats {
    name: &'static str,
    requests: usize,
    per_second: f64,
    p50: f64,
    p99: f64,
}

/// `count` requests from [`CLIENTS`] clients at once; panics on a failure.
async fn phase(
    name: &'static str,
    count: usize,
    request: impl Fn(&Client) -> RequestBuilder + Send + Sync + 'static,
) -> Stats {
    let request = Arc::new(request);
    let next = Arc::new(AtomicUsize::new(0));
    let latencies = Arc::new(Mutex::new(Vec::with_capacity(count)));
    let started = Instant::now();
    let workers: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (request, next, latencies) = (request.clone(), next.clone(), latencies.clone());
            tokio::spawn(async move {
                let client = Client::new();
                while next.fetch_add(1, Ordering::Relaxed) < count {
                    let sent = Instant::now();
                    let r = request(&client).send().await.expect("request");
                    assert!(r.status().is_success(), "{name}: {}", r.status());
                    r.bytes().await.expect("body");
                    latencies
                        .lock()
                        .unwrap()
                        .push(sent.elapsed().as_secs_f64() * 1000.0);
                }
            })
        })
        .collect();
    for w in workers {
        w.await.expect("worker");
    }
    let elapsed = started.elapsed().as_secs_f64();
    let mut l = std::mem::take(&mut *latencies.lock().unwrap());
    l.sort_by(f64::total_cmp);
    let at = |q: f64| l[((l.len() as f64 * q) as usize).min(l.len() - 1)];
    Stats {
        name,
        requests: count,
        per_second: count as f64 / elapsed,
        p50: at(0.5),
        p99: at(0.99),
    }
}

/// The JSON answer to a set-up request.
async fn answer(request: RequestBuilder) -> Value {
    request
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("JSON")
}

/// The server process, killed however the load test ends.
struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn rss_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

#[tokio::main]
async fn main() {
    let port = |_| {
        TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    };
    let (app_port, flow_port) = (port(0), port(1));
    let data = std::env::temp_dir().join(format!("kombo-demo-load-{app_port}"));
    let _ = std::fs::remove_dir_all(&data);
    let server = Command::new("target/release/kombo-connect-demo")
        .env("PORT", app_port.to_string())
        .env("FLOW_PORT", flow_port.to_string())
        .env("DATA_DIR", &data)
        .env("KOMBO_API_KEY", "")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("target/release/kombo-connect-demo (cargo build --release -p kombo-connect-demo)");
    let server = Server(server);
    let app = format!("http://127.0.0.1:{app_port}");
    let deadline = Instant::now() + Duration::from_secs(30);
    let page = loop {
        if let Ok(r) = reqwest::get(format!("{app}/")).await {
            break r;
        }
        assert!(Instant::now() < deadline, "the demo did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let cookie = page.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let rss_start = rss_mb(server.0.id());

    // 50 integrations for the organization: a full first page to list.
    let client = Client::new();
    let post = |path: &str, body: Value| {
        client
            .post(format!("{app}{path}"))
            .header("cookie", &cookie)
            .json(&body)
    };
    // All links first: once a tool is stored, init refuses a second one.
    let mut links = vec![];
    for n in 0..50 {
        let tool = ["greenhouse", "lever", "workable", "teamtailor"][n % 4];
        let init = answer(post(
            "/integrations/kombo/init",
            json!({ "integration_category": "ATS", "integration_tool": tool }),
        ))
        .await;
        links.push((init["link"].as_str().expect("a link").to_owned(), tool));
    }
    for (link, tool) in links {
        let (flow, token) = link.split_once("/connect?token=").unwrap();
        let done = answer(
            client
                .post(format!("{flow}/connect/complete"))
                .json(&json!({ "token": token, "tool": tool })),
        )
        .await;
        let r = post(
            "/integrations/kombo/activate",
            json!({ "token": done["activation_token"] }),
        )
        .send()
        .await
        .unwrap();
        assert!(r.status().is_success());
    }

    let (a, c) = (app.clone(), cookie.clone());
    // HRIS with a tool the organization has not connected: a new link each time.
    let init = move |client: &Client| {
        client
            .post(format!("{a}/integrations/kombo/init"))
            .header("cookie", &c)
            .json(&json!({ "integration_category": "HRIS", "integration_tool": "workday" }))
    };
    let (a, c) = (app.clone(), cookie.clone());
    let list = move |client: &Client| client.get(format!("{a}/integrations")).header("cookie", &c);
    let init_stats = phase("init", INITS, init).await;
    let list_stats = phase("list", LISTS, list.clone()).await;
    let rest = TOTAL - INITS - LISTS - 150;
    phase("list", rest, list).await;
    let rss_end = rss_mb(server.0.id());
    drop(server);
    let _ = std::fs::remove_dir_all(&data);

    let row = |s: &Stats| {
        format!(
            "| {} | {} | {:.0} | {:.1} | {:.1} |",
            s.name, s.requests, s.per_second, s.p50, s.p99
        )
    };
    let report = format!(
        "# Demo back-end under load\n\nProduced by `make bench` (www/server/examples/load.rs): the release binary on loopback, \
         {CLIENTS} clients at once, one signed-in organization with 50 integrations (`GET /integrations` answers a full page of 50), \
         init against the embedded mock Kombo. On this machine (2 cores, shared with the load generator).\n\n\
         | route | requests | requests/s | p50 ms | p99 ms |\n|---|---:|---:|---:|---:|\n{}\n{}\n\n\
         Server memory (RSS): {rss_start:.1} MB at start, {rss_end:.1} MB after {TOTAL} requests \
         ({INITS} inits, whose links the mock keeps for their hour, and listing). Budgets: p99 ≤ {P99_BUDGET_MS} ms, RSS ≤ {RSS_BUDGET_MB} MB.\n",
        row(&init_stats),
        row(&list_stats),
    );
    std::fs::write("bench/SERVER.md", &report).expect("bench/SERVER.md");
    println!("{report}");
    let over = [init_stats.p99, list_stats.p99]
        .iter()
        .any(|p| *p > P99_BUDGET_MS)
        || rss_end > RSS_BUDGET_MB;
    if over {
        eprintln!("over budget");
        std::process::exit(1);
    }
}
