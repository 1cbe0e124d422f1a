//! `make demo`: starts the demo, and stops it cleanly on Ctrl-C or on the
//! SIGTERM containers and systemd send: requests in flight finish within
//! the grace period; a second signal stops at once.
use kombo_connect_demo::{start, Config};
use tokio::signal::unix::{signal, Signal, SignalKind};

#[tokio::main]
async fn main() {
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let real = config.kombo_api_key.is_some();
    let api = config.kombo_api_url.clone();
    let demo = match start(config).await {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    println!();
    println!("  kombo-connect-wasm demo: {}/", demo.app_url);
    println!(
        "  (ES module page: {}/module.html; mock Kombo API and Connect flow on {})",
        demo.app_url, demo.flow_url
    );
    if real {
        println!("  Kombo API: {api} (KOMBO_API_KEY is set)");
    } else {
        println!("  Kombo API: embedded mock (set KOMBO_API_KEY to use the real one)");
    }
    println!(
        "  A first visit is signed in as {}; switch organizations in the top bar.",
        kombo_connect_demo::session::ORGANIZATIONS[0].name
    );
    println!("  Press Ctrl-C to stop.");
    println!();
    let mut signals = match Signals::new() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: cannot listen for signals: {e}");
            std::process::exit(1);
        }
    };
    signals.next().await;
    println!("stopping (finishing requests in flight; Ctrl-C again to stop at once)…");
    tokio::select! {
        () = demo.stop() => println!("stopped."),
        () = signals.next() => std::process::exit(130),
    }
}

/// SIGINT (Ctrl-C) and SIGTERM, handled alike.
struct Signals {
    interrupt: Signal,
    terminate: Signal,
}

impl Signals {
    fn new() -> std::io::Result<Signals> {
        Ok(Signals {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
        })
    }

    async fn next(&mut self) {
        tokio::select! {
            _ = self.interrupt.recv() => {}
            _ = self.terminate.recv() => {}
        }
    }
}
