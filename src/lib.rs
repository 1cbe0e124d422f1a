//! # kombo-connect-wasm
//!
//! Embedding Kombo Connect means putting a third-party page in a full-screen
//! iframe and trusting what it posts back. The original SDK,
//! `@kombo-api/connect`, does that in 100 lines of JavaScript that get stuck
//! "open" after an invalid link, frame `javascript:` URLs, throw on
//! unexpected messages and accept a token from any page the iframe
//! navigates to. This crate is a drop-in replacement that keeps its API,
//! iframe and message protocol and fixes those.
//!
//! This file is the whole JavaScript-facing surface, and the only place
//! where Rust results settle Promises and Rust errors become JS errors.
//! Behind it: [`flow`](crate::flow) (the open iframe and its lifecycle, a
//! Rust future), `glue` (`connect()`: the customer's back-end around the
//! flow), [`protocol`] (pure rules for links, messages and request errors),
//! `cover`, `overlay` and `page` (what the flow does to the page around
//! it), `events` (`onEvent`), `js` (reading page-supplied values),
//! `observer` (RAII `MutationObserver`), `panic` (surviving a bug) and
//! [`error`] (the error enum).
#![deny(missing_docs)]

mod cover;
pub mod error;
mod events;
mod flow;
mod glue;
mod js;
#[cfg(all(target_arch = "wasm32", feature = "leak-count"))]
mod leak_count;
mod observer;
mod overlay;
mod page;
mod panic;
mod preconnect;
pub mod protocol;
mod top_layer;

use std::future::Future;

use js_sys::{Function, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::spawn_local;

use crate::error::Error;
use crate::glue::Start;
use crate::protocol::Category;

/// Opens the Kombo Connect flow and resolves with the activation token.
///
/// Same contract as `showKomboConnect` in `@kombo-api/connect` 1.3.0:
/// `url` is the link from Kombo's create-link endpoint (a string, or any
/// object whose `toString()` gives one, such as a `URL`), `options.container`
/// the element to append the iframe to (default `document.body`), and
/// `options.signal` an `AbortSignal` that closes the flow (the other
/// options are in `js/index.d.ts`). The iframe is in the page when this
/// returns. Never throws: every failure is a rejection, with
/// `KomboConnectAlreadyOpenError`, `KomboConnectCancelledError`,
/// `KomboConnectLoadError`, a `TypeError` for a refused link or option, an
/// `Error` for a detached container, an `AbortError` `DOMException`, or the
/// exception a page-supplied getter or `toString` threw.
///
/// ```js
/// const token = await showKomboConnect(link, { container: dialog });
/// ```
#[wasm_bindgen(js_name = showKomboConnect, skip_typescript)]
pub fn show_kombo_connect(url: JsValue, options: JsValue, done: Function) {
    let opened = refuse_after_panic()
        .and_then(|()| js::link(&url))
        .and_then(|url| flow::open(&url, flow::Options::read(&options)?));
    match opened {
        // The token is never `None` here: only `reconnect()` accepts a
        // flow that ends without one.
        Ok(flow) => settle_later(done, async move { flow.await.map(JsValue::from) }),
        Err(error) => settle(&done, Err(error)),
    }
}

/// Runs the whole embedded flow against the customer's back-end: `POST
/// initUrl` for a link, the flow, `POST activateUrl` with the token.
///
/// `category` is `'HRIS' | 'ATS' | 'ASSESSMENT' | 'LMS'`; `options` is a
/// `ConnectOptions` object (see `js/index.d.ts`). Resolves with
/// `{ activationToken, activation }`; rejects with a `TypeError` for bad
/// arguments (before any request), `KomboConnectAlreadyOpenError`,
/// `KomboConnectCancelledError`, `KomboConnectLoadError`,
/// `KomboConnectRequestError` or an `AbortError` `DOMException`.
///
/// ```js
/// const { activationToken, activation } = await connect('HRIS', { initBody: { tool: 'personio' } });
/// ```
#[wasm_bindgen(js_name = connect, skip_typescript)]
pub fn connect(category: JsValue, options: JsValue, done: Function) {
    let start = category
        .as_string()
        .as_deref()
        .and_then(Category::parse)
        .map(Start::Connect)
        .ok_or(Error::InvalidCategory);
    run(start, &options, done)
}

/// Reconnects an integration whose credentials expired or changed: `POST
/// relinkUrl` with `{ integration_id }` for a link (Kombo's relink endpoint
/// behind it), the flow, then activation as in [`connect`].
///
/// `integrationId` is Kombo's id of the integration, as the back-end
/// stored it; `options` is a `ReconnectOptions` object. Resolves and
/// rejects as `connect()` does; `activationToken` is `null` when the flow
/// ended without a token (activation is then skipped).
///
/// ```js
/// await reconnect('personio:CBNMt7dSNCzBdnRTx87dev4E');
/// ```
#[wasm_bindgen(js_name = reconnect, skip_typescript)]
pub fn reconnect(integration_id: JsValue, options: JsValue, done: Function) {
    let start = integration_id
        .as_string()
        .filter(|id| !id.is_empty())
        .map(Start::Reconnect)
        .ok_or(Error::InvalidIntegrationId);
    run(start, &options, done)
}

/// `connect()` and `reconnect()` once their first argument is read: the
/// options are checked before anything else happens, then the run settles
/// the call's Promise with `{ activationToken, activation }`.
fn run(start: Result<Start, Error>, options: &JsValue, done: Function) {
    let read = refuse_after_panic().and_then(|()| {
        let start = start?;
        let options = glue::Options::read(&start, options)?;
        Ok((start, options))
    });
    let (start, options) = match read {
        Ok(read) => read,
        Err(error) => return settle(&done, Err(error)),
    };
    settle_later(done, async move {
        let connected = glue::connect(start, options).await?;
        let result = Object::new();
        let _ = Reflect::set(
            &result,
            &"activationToken".into(),
            &connected
                .activation_token
                .map_or(JsValue::NULL, JsValue::from),
        );
        let _ = Reflect::set(&result, &"activation".into(), &connected.activation);
        Ok(result.into())
    });
}

/// Settles a call's Promise. The Promise is made in JavaScript (`guarded`
/// in `js/host.js`), which can still reject it after this instance has
/// trapped; `done(failed, value)` resolves it, or rejects it with the error
/// as a JS error.
fn settle(done: &Function, outcome: Result<JsValue, Error>) {
    let (failed, value) = match outcome {
        Ok(value) => (false, value),
        Err(error) => (true, error.into()),
    };
    let _ = done.call2(&JsValue::UNDEFINED, &failed.into(), &value);
}

/// Settles a call's Promise with what `outcome` gives, once it has.
fn settle_later(done: Function, outcome: impl Future<Output = Result<JsValue, Error>> + 'static) {
    spawn_local(async move { settle(&done, outcome.await) });
}

/// Tears down what the SDK did to the page and schedules a fresh instance.
/// Not part of the API: `guarded` in `js/host.js` calls it when a call trapped
/// without a panic (which the panic hook already handles).
#[doc(hidden)]
#[wasm_bindgen(js_name = __recover, skip_typescript)]
pub fn recover() {
    panic::recover();
}

/// Panics, so the recovery tests can provoke one in the binary that ships.
/// Not part of the API, and harmless to call: the SDK recovers.
#[doc(hidden)]
#[wasm_bindgen(js_name = __panic, skip_typescript)]
pub fn panic_now(message: &str) {
    panic!("{message}");
}

/// Live Rust heap allocations and live JS values held by Rust. Not part of
/// the API: the leak tests compare them before and after many calls.
#[doc(hidden)]
#[cfg(all(target_arch = "wasm32", feature = "leak-count"))]
#[wasm_bindgen(js_name = __liveAllocations, skip_typescript)]
pub fn live_allocations() -> Vec<u32> {
    vec![
        leak_count::live_allocations() as u32,
        wasm_bindgen::externref_heap_live_count(),
    ]
}

/// std's allocator, dlmalloc, is tuned for programs that allocate heavily;
/// this crate allocates a few strings and closures per flow. rlsf (TLSF:
/// constant-time, merges freed neighbours, so memory freed by one flow is
/// reused by the next) does that from a much smaller `.wasm`; the README's
/// dependency table has the figures. The leak tests count allocations on
/// top of this same allocator (src/leak_count.rs).
#[cfg(all(target_arch = "wasm32", not(feature = "leak-count")))]
#[global_allocator]
static ALLOCATOR: rlsf::SmallGlobalTlsf = rlsf::SmallGlobalTlsf::new();

#[wasm_bindgen(start)]
fn start() {
    panic::install();
}

/// Once this instance has panicked it only waits to be replaced; a call
/// that re-enters it meanwhile (from a page handler run by the teardown)
/// is refused.
fn refuse_after_panic() -> Result<(), Error> {
    match panic::panicked() {
        true => Err(Error::Internal),
        false => Ok(()),
    }
}
