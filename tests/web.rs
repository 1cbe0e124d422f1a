//! What only a test inside the module can see, in headless Chromium
//! (`wasm-pack test --headless --chrome`): live Rust allocations, live JS
//! values, the shadow stack, and the RAII handles the flow is made of.
//! Behaviour a page sees is tested against `pkg/` by the Node suites
//! (`tests/*.test.mjs`), the conformance table first; nothing here repeats
//! one of its rows.
//!
//! The link points at the test server's own origin, so the flow's page is
//! same-origin and a test can run script *inside* it (`post_from_frame`):
//! that is what makes `event.source` the iframe's window, as with the real
//! flow. Cross-origin behaviour (navigation to another origin) is covered
//! by the conformance suite in `tests/conformance.test.mjs`.
#![cfg(target_arch = "wasm32")]

use js_sys::Promise;
use kombo_connect_wasm::show_kombo_connect;
use std::future::Future;
use wasm_bindgen::prelude::*;

use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(inline_js = r#"
let added = 0, removed = 0, observing = 0;
const add = window.addEventListener, remove = window.removeEventListener;
window.addEventListener = function (type, ...rest) { if (type === 'message') added++; return add.call(this, type, ...rest); };
window.removeEventListener = function (type, ...rest) { if (type === 'message') removed++; return remove.call(this, type, ...rest); };
const observe = MutationObserver.prototype.observe, disconnect = MutationObserver.prototype.disconnect;
const active = new WeakSet();
MutationObserver.prototype.observe = function (...a) { if (!active.has(this)) { active.add(this); observing++; } return observe.apply(this, a); };
MutationObserver.prototype.disconnect = function () { if (active.delete(this)) observing--; return disconnect.call(this); };

export function messageListeners() { return added - removed; }
export function activeObservers() { return observing; }
export function iframes() { return document.querySelectorAll('iframe').length; }
export function frame() { return document.querySelector('iframe'); }
// The flow is never on the page's origin (the SDK refuses that): the same
// test server under its other loopback name is another origin.
export function link(path) {
  const url = new URL(path, location.href);
  url.hostname = url.hostname === 'localhost' ? '127.0.0.1' : 'localhost';
  return url.href;
}
// The flow's `load`, or a second: Firefox fires no `load` for this frame
// (the runner's page, cross-origin), and the tests only need its window.
export function loaded(iframe) {
  return new Promise((resolve) => {
    iframe.addEventListener('load', () => resolve(), { once: true });
    setTimeout(resolve, 1000);
  });
}
// The flow's `parent.postMessage(data, '*')` as the page receives it: from
// the iframe's window and the link's origin. The frame is cross-origin, so
// its realm is out of reach; the event carries what the SDK checks.
export function postFromFrame(iframe, json) {
  window.dispatchEvent(new MessageEvent('message', {
    data: JSON.parse(json), origin: new URL(iframe.src).origin, source: iframe.contentWindow,
  }));
}
export function ticks(ms) { return new Promise((r) => setTimeout(r, ms)); }
export function settled(p) {
  return p.then((v) => ({ ok: true, v }), (e) => ({ ok: false, v: e }));
}
export function pending(p, ms) {
  return Promise.race([p.then(() => false, () => false), new Promise((r) => setTimeout(() => r(true), ms))]);
}
export function errorName(e) { return e && e.name; }
export function errorMessage(e) { return e && e.message; }
export function isErrorInstance(e) { return e instanceof Error; }
export function container() { const d = document.createElement('div'); document.body.append(d); return d; }
export function button() { const b = document.createElement('button'); b.textContent = 'Connect'; document.body.append(b); b.focus(); return b; }
export function activeElement() { return document.activeElement; }
export function controller() { return new AbortController(); }
export function abort(c) { c.abort(); }
export function signalOptions(c) { return { signal: c.signal }; }
export function isDomException(e) { return e instanceof DOMException; }
export function deferred() { let resolve; const p = new Promise((r) => { resolve = r; }); return [p, resolve]; }
// Arguments whose coercion or reads run page code that throws.
export function hostileArguments(i) {
  const boom = () => { throw new Error('page code threw ' + i); };
  const revoked = Proxy.revocable({}, {}); revoked.revoke();
  switch (i % 6) {
    case 0: return [{ toString: boom }, undefined];
    case 1: return [{ [Symbol.toPrimitive]: boom }, undefined];
    case 2: return [{ toString: () => ({}) }, undefined];
    case 3: return ['https://connect.kombo.dev/v1', { get container() { return boom(); } }];
    case 4: return ['https://connect.kombo.dev/v1', new Proxy({}, { get: boom })];
    default: return ['https://connect.kombo.dev/v1', revoked.proxy];
  }
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = messageListeners)]
    fn message_listeners() -> i32;
    #[wasm_bindgen(js_name = activeObservers)]
    fn active_observers() -> i32;
    fn iframes() -> u32;
    fn frame() -> web_sys::HtmlIFrameElement;
    fn link(path: &str) -> String;
    fn loaded(iframe: &web_sys::HtmlIFrameElement) -> Promise;
    #[wasm_bindgen(js_name = postFromFrame)]
    fn post_from_frame(iframe: &web_sys::HtmlIFrameElement, json: &str);
    fn ticks(ms: u32) -> Promise;
    fn settled(p: &Promise) -> Promise;
    fn pending(p: &Promise, ms: u32) -> Promise;
    #[wasm_bindgen(js_name = errorName)]
    fn error_name(e: &JsValue) -> Option<String>;
    #[wasm_bindgen(js_name = errorMessage)]
    fn error_message(e: &JsValue) -> Option<String>;
    #[wasm_bindgen(js_name = isErrorInstance)]
    fn is_error_instance(e: &JsValue) -> bool;
    fn container() -> web_sys::HtmlElement;
    fn button() -> web_sys::HtmlElement;
    #[wasm_bindgen(js_name = activeElement)]
    fn active_element() -> JsValue;
    fn controller() -> JsValue;
    fn abort(c: &JsValue);
    #[wasm_bindgen(js_name = signalOptions)]
    fn signal_options(c: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = isDomException)]
    fn is_dom_exception(e: &JsValue) -> bool;
    #[wasm_bindgen(js_name = deferred)]
    fn deferred_pair() -> js_sys::Array;
    #[wasm_bindgen(js_name = hostileArguments)]
    fn hostile_arguments(i: u32) -> js_sys::Array;
}

/// Where the shadow stack is, seen from a frame at a fixed depth: a call
/// that leaves the stack pointer lower than it found it moves this down.
#[inline(never)]
fn stack_position() -> usize {
    let marker = 0u8;
    std::hint::black_box(&marker) as *const u8 as usize
}

/// A pending Promise and its `resolve`.
fn deferred() -> (Promise, js_sys::Function) {
    let pair = deferred_pair();
    (pair.get(0).unchecked_into(), pair.get(1).unchecked_into())
}

/// Live Rust allocations and live JS values held by Rust (the leak-count
/// feature's export).
fn live() -> (u32, u32) {
    let counts = kombo_connect_wasm::live_allocations();
    (counts[0], counts[1])
}

/// A page of the test server, under another origin, for the iframe to load.
fn flow_link() -> String {
    link("/?flow=1")
}

fn open(url: &str) -> Promise {
    show(JsValue::from_str(url), JsValue::UNDEFINED)
}

/// `showKomboConnect` as `guarded` in `js/host.js` calls it: the Promise is
/// made on the JS side, and the export settles it through `done(failed,
/// value)`.
fn show(url: JsValue, options: JsValue) -> Promise {
    let mut args = Some((url, options));
    Promise::new(&mut |resolve, reject| {
        let Some((url, options)) = args.take() else {
            return;
        };
        let done = Closure::once_into_js(move |failed: bool, value: JsValue| {
            let settle = if failed { reject } else { resolve };
            settle.call1(&JsValue::UNDEFINED, &value).unwrap_throw();
        });
        show_kombo_connect(url, options, done.unchecked_into());
    })
}

/// Resolves to `Ok(value)` or `Err(error)` of the Promise.
async fn outcome(p: &Promise) -> Result<JsValue, JsValue> {
    let r = JsFuture::from(settled(p)).await.unwrap_throw();
    let ok = js_sys::Reflect::get(&r, &"ok".into())
        .unwrap_throw()
        .is_truthy();
    let v = js_sys::Reflect::get(&r, &"v".into()).unwrap_throw();
    if ok {
        Ok(v)
    } else {
        Err(v)
    }
}

async fn still_pending(p: &Promise, ms: u32) -> bool {
    JsFuture::from(pending(p, ms))
        .await
        .unwrap_throw()
        .is_truthy()
}

async fn open_loaded() -> (Promise, web_sys::HtmlIFrameElement) {
    let p = open(&flow_link());
    let iframe = frame();
    JsFuture::from(loaded(&iframe)).await.unwrap_throw();
    (p, iframe)
}

fn assert_clean() {
    assert_eq!(iframes(), 0, "an iframe was left in the page");
    assert_eq!(
        message_listeners(),
        0,
        "a message listener was left on window"
    );
    assert_eq!(
        active_observers(),
        0,
        "a MutationObserver was left observing"
    );
}

#[wasm_bindgen_test]
async fn a_dropped_listener_is_never_called() {
    let target = container();
    let calls = std::rc::Rc::new(std::cell::Cell::new(0));
    let listener = gloo_events::EventListener::new(&target, "ping", {
        let calls = calls.clone();
        move |_| calls.set(calls.get() + 1)
    });
    let ping = || {
        let _ = target.dispatch_event(&web_sys::Event::new("ping").unwrap_throw());
    };
    ping();
    drop(listener);
    ping();
    assert_eq!(calls.get(), 1);
    target.remove();
}

#[wasm_bindgen_test]
async fn a_dropped_timeout_never_fires() {
    // Once first, so state created on first use is not counted.
    drop(gloo_timers::callback::Timeout::new(10, || ()));
    JsFuture::from(ticks(1)).await.unwrap_throw();
    let fired = std::rc::Rc::new(std::cell::Cell::new(false));
    let before = live();
    let timeout = gloo_timers::callback::Timeout::new(10, {
        let fired = fired.clone();
        move || fired.set(true)
    });
    drop(timeout);
    JsFuture::from(ticks(50)).await.unwrap_throw();
    assert!(!fired.get());
    assert_eq!(live(), before, "the timer's closure outlived it");
}

#[wasm_bindgen_test]
async fn a_future_dropped_before_its_promise_settles_frees_its_callbacks() {
    // One future awaited first, so the executor's own state (created on
    // first use) is not counted.
    JsFuture::from(ticks(1)).await.unwrap_throw();
    let before = live();
    let (promise, resolve) = deferred();
    {
        let mut future = JsFuture::from(promise);
        let waker = std::task::Waker::noop();
        let mut cx = std::task::Context::from_waker(waker);
        assert!(std::pin::Pin::new(&mut future).poll(&mut cx).is_pending());
    } // dropped while the Promise is pending
    resolve.call0(&JsValue::UNDEFINED).unwrap_throw();
    drop(resolve);
    JsFuture::from(ticks(10)).await.unwrap_throw();
    assert_eq!(live(), before, "callbacks outlived the dropped future");
}

#[wasm_bindgen_test]
async fn aborting_the_signal_closes_the_flow_with_an_abort_error() {
    let b = button();
    let c = controller();
    let p = show(JsValue::from_str(&flow_link()), signal_options(&c));
    JsFuture::from(loaded(&frame())).await.unwrap_throw();
    abort(&c);
    // Not `outcome().await` alone: without the feature the Promise would
    // never settle and the test would hang instead of failing.
    assert!(
        !still_pending(&p, 500).await,
        "abort did not settle the flow"
    );
    let err = outcome(&p).await.unwrap_err();
    assert_eq!(error_name(&err).as_deref(), Some("AbortError"));
    assert!(is_dom_exception(&err));
    assert_clean();
    assert_eq!(
        active_element(),
        JsValue::from(b.clone()),
        "focus did not come back"
    );
    b.remove();
}

#[wasm_bindgen_test]
async fn an_already_aborted_signal_opens_nothing() {
    let c = controller();
    abort(&c);
    let err = outcome(&show(JsValue::from_str(&flow_link()), signal_options(&c)))
        .await
        .unwrap_err();
    assert_eq!(error_name(&err).as_deref(), Some("AbortError"));
    assert_clean();
    let (p, iframe) = open_loaded().await;
    post_from_frame(&iframe, r#"{"type":"close"}"#);
    let _ = outcome(&p).await;
}

#[wasm_bindgen_test]
async fn a_thousand_cycles_leave_nothing_behind() {
    // One cycle first, so lazily created statics are not counted as leaks.
    let p = open(&flow_link());
    frame().remove();
    let _ = outcome(&p).await;
    let before = live();
    assert!(
        before.0 > 0,
        "the allocation counter is off: build the tests with the leak-count feature"
    );
    let memory_before = wasm_bindgen::memory()
        .unchecked_into::<js_sys::WebAssembly::Memory>()
        .buffer()
        .unchecked_into::<js_sys::ArrayBuffer>()
        .byte_length();

    for i in 0..1000 {
        let p = open(&flow_link());
        if i % 2 == 0 {
            frame().remove(); // the page removes it
        } else {
            let _ = outcome(&open(&flow_link())).await; // AlreadyOpen path too
            frame().remove();
        }
        assert!(outcome(&p).await.is_err());
    }

    assert_clean();
    assert_eq!(live(), before, "Rust allocations or JS values leaked");
    let memory_after = wasm_bindgen::memory()
        .unchecked_into::<js_sys::WebAssembly::Memory>()
        .buffer()
        .unchecked_into::<js_sys::ArrayBuffer>()
        .byte_length();
    assert_eq!(memory_after, memory_before, "linear memory grew");
}

#[wasm_bindgen_test]
async fn ten_thousand_calls_with_throwing_arguments_leave_the_stack_and_the_value_table_as_they_were(
) {
    // Warm-up: lazily created state is not a leak.
    for i in 0..6 {
        let args = hostile_arguments(i);
        let _ = outcome(&show(args.get(0), args.get(1))).await;
    }
    let (stack, values) = (stack_position(), live().1);
    for i in 0..10_000 {
        let args = hostile_arguments(i);
        // Rejects (through `done`) instead of throwing through Rust.
        let p = show(args.get(0), args.get(1));
        let error = outcome(&p).await.expect_err("a hostile call resolved");
        if i % 6 < 2 || i % 6 == 3 {
            // The page's own exception, unchanged.
            assert_eq!(
                error_message(&error).as_deref(),
                Some(format!("page code threw {i}").as_str())
            );
        } else {
            assert!(
                is_error_instance(&error),
                "call {i} rejected with a non-Error"
            );
        }
        assert_eq!(iframes(), 0, "call {i} opened a flow");
    }
    assert_eq!(stack_position(), stack, "the shadow stack pointer moved");
    assert_eq!(live().1, values, "JS values leaked in Rust's table");
    let (p, iframe) = open_loaded().await;
    post_from_frame(
        &iframe,
        r#"{"type":"success","data":{"activation_token":"after"}}"#,
    );
    assert_eq!(
        outcome(&p)
            .await
            .ok()
            .and_then(|v| v.as_string())
            .as_deref(),
        Some("after")
    );
    assert_clean();
}
