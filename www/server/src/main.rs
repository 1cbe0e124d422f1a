//! `make demo`: starts the demo and stops it cleanly on Ctrl-C.
use kombo_connect_demo::{start, Config};

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
        "  (ES module page: {}/module.html; mock Connect flow on {})",
        demo.app_url, demo.flow_url
    );
    if real {
        println!("  Kombo API: {api} (KOMBO_API_KEY is set)");
    } else {
        println!("  Kombo API: embedded mock (set KOMBO_API_KEY to use the real one)");
    }
    println!("  Press Ctrl-C to stop.");
    println!();
    let _ = tokio::signal::ctrl_c().await;
    println!("stopping…");
    demo.stop().await;
}
