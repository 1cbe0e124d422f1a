//! DOM behaviour of `showKomboConnect`, in headless Chromium
//! (`wasm-pack test --headless --chrome`).
//!
//! The link points at the test server's own origin, so the flow's page is
//! same-origin and a test can run script *inside* it (`post_from_frame`):
//! that is what makes `event.source` the iframe's window, as with the real
//! flow. Cross-origin behaviour (navigation to another origin) is covered
//! by the conformance suite in `tests/conformance.test.mjs`.
#![cfg(target_arch = "wasm32")]

use js_sys::Promise;
use kombo_connect_wasm::show_kombo_connect;
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
export function link(path) { return new URL(path, location.href).href; }
export function loaded(iframe) {
  return new Promise((resolve) => {
    const doc = iframe.contentDocument;
    if (doc && doc.readyState === 'complete' && doc.URL !== 'about:blank') resolve();
    else iframe.addEventListener('load', () => resolve(), { once: true });
  });
}
// Runs `parent.postMessage(data, '*')` as a script of the iframe's own
// realm, so the message's `source` is the iframe's window.
export function postFromFrame(iframe, json) {
  const doc = iframe.contentDocument;
  const s = doc.createElement('script');
  s.textContent = 'parent.postMessage(' + json + ', "*")';
  doc.body.append(s);
}
export function postFromPage(json) { window.postMessage(JSON.parse(json), '*'); }
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
    #[wasm_bindgen(js_name = postFromPage)]
    fn post_from_page(json: &str);
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
}

/// A page of the test server's own origin for the iframe to load.
fn flow_link() -> String {
    link("/?flow=1")
}

fn open(url: &str) -> Promise {
    show_kombo_connect(JsValue::from_str(url), JsValue::UNDEFINED)
}

fn open_in(url: &str, container: &web_sys::HtmlElement) -> Promise {
    let options = js_sys::Object::new();
    js_sys::Reflect::set(&options, &"container".into(), container).unwrap_throw();
    show_kombo_connect(JsValue::from_str(url), options.into())
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
async fn success_message_resolves_with_the_token() {
    let (p, iframe) = open_loaded().await;
    post_from_frame(
        &iframe,
        r#"{"type":"success","data":{"activation_token":"tok_1"}}"#,
    );
    assert_eq!(
        outcome(&p).await.unwrap_throw().as_string().as_deref(),
        Some("tok_1")
    );
    assert_clean();
}

#[wasm_bindgen_test]
async fn close_message_rejects_with_cancelled() {
    let (p, iframe) = open_loaded().await;
    post_from_frame(&iframe, r#"{"type":"close"}"#);
    let err = outcome(&p).await.unwrap_err();
    assert_eq!(
        error_name(&err).as_deref(),
        Some("KomboConnectCancelledError")
    );
    assert!(is_error_instance(&err));
    assert_clean();
}

#[wasm_bindgen_test]
async fn messages_from_other_windows_are_ignored() {
    let (p, iframe) = open_loaded().await;
    post_from_page(r#"{"type":"success","data":{"activation_token":"forged"}}"#);
    assert!(still_pending(&p, 50).await);
    post_from_frame(
        &iframe,
        r#"{"type":"success","data":{"activation_token":"real"}}"#,
    );
    assert_eq!(
        outcome(&p).await.unwrap_throw().as_string().as_deref(),
        Some("real")
    );
}

#[wasm_bindgen_test]
async fn malformed_messages_are_ignored_and_the_flow_keeps_waiting() {
    let (p, iframe) = open_loaded().await;
    for bad in [
        "null",
        r#""success""#,
        "42",
        r#"{"type":"toString"}"#,
        r#"{"type":"constructor"}"#,
        r#"{"type":"__proto__"}"#,
        r#"{"type":"success"}"#,
        r#"{"type":"success","data":null}"#,
        r#"{"type":"success","data":{"activation_token":42}}"#,
        r#"{"type":"success","data":{"activation_token":""}}"#,
        r#"{"type":"ready"}"#,
    ] {
        post_from_frame(&iframe, bad);
    }
    assert!(
        still_pending(&p, 50).await,
        "a malformed message settled the flow"
    );
    assert_eq!(iframes(), 1);
    post_from_frame(
        &iframe,
        r#"{"type":"success","data":{"activation_token":"tok"}}"#,
    );
    assert_eq!(
        outcome(&p).await.unwrap_throw().as_string().as_deref(),
        Some("tok")
    );
}

#[wasm_bindgen_test]
async fn second_open_rejects_with_already_open() {
    let (p, iframe) = open_loaded().await;
    let err = outcome(&open(&flow_link())).await.unwrap_err();
    assert_eq!(
        error_name(&err).as_deref(),
        Some("KomboConnectAlreadyOpenError")
    );
    assert_eq!(iframes(), 1, "the second call must not add an iframe");
    post_from_frame(&iframe, r#"{"type":"close"}"#);
    let _ = outcome(&p).await;
    assert_clean();
}

#[wasm_bindgen_test]
async fn invalid_link_rejects_and_the_sdk_stays_usable() {
    let err = outcome(&open("not a url")).await.unwrap_err();
    assert_eq!(error_name(&err).as_deref(), Some("TypeError"));
    assert_clean();
    let (p, iframe) = open_loaded().await;
    post_from_frame(
        &iframe,
        r#"{"type":"success","data":{"activation_token":"after"}}"#,
    );
    assert_eq!(
        outcome(&p).await.unwrap_throw().as_string().as_deref(),
        Some("after")
    );
}

#[wasm_bindgen_test]
async fn unsafe_links_are_refused_without_an_iframe() {
    for url in [
        "javascript:parent.alert(1)",
        "data:text/html,<script>parent.postMessage(1,'*')</script>",
        "blob:http://127.0.0.1/x",
        "file:///etc/passwd",
        "http://connect.example.com/",
    ] {
        let err = outcome(&open(url)).await.unwrap_err();
        assert_eq!(error_name(&err).as_deref(), Some("TypeError"), "{url}");
        assert!(
            error_message(&err).unwrap_or_default().contains("Refused"),
            "{url}"
        );
        assert_clean();
    }
}

#[wasm_bindgen_test]
async fn removing_the_iframe_cancels_and_releases_the_lock() {
    let p = open(&flow_link());
    frame().remove();
    let err = outcome(&p).await.unwrap_err();
    assert_eq!(
        error_name(&err).as_deref(),
        Some("KomboConnectCancelledError")
    );
    assert_clean();
    let (p, iframe) = open_loaded().await;
    post_from_frame(&iframe, r#"{"type":"close"}"#);
    let _ = outcome(&p).await;
}

#[wasm_bindgen_test]
async fn removing_the_container_cancels() {
    let c = container();
    let p = open_in(&flow_link(), &c);
    assert!(c.contains(Some(&frame())));
    c.remove();
    let err = outcome(&p).await.unwrap_err();
    assert_eq!(
        error_name(&err).as_deref(),
        Some("KomboConnectCancelledError")
    );
    assert_clean();
}

#[wasm_bindgen_test]
async fn detached_container_is_refused() {
    let c = container();
    c.remove();
    let err = outcome(&open_in(&flow_link(), &c)).await.unwrap_err();
    assert!(error_message(&err)
        .unwrap_or_default()
        .contains("must be attached"));
    assert_clean();
}

#[wasm_bindgen_test]
async fn iframe_matches_the_reference_and_has_a_title() {
    let p = open("http://127.0.0.1:1/connect?token=abc&lang=de#step");
    let iframe = frame();
    assert_eq!(
        iframe.get_attribute("src").as_deref(),
        Some("http://127.0.0.1:1/connect?token=abc&lang=de&sdkv=1.3.0#step")
    );
    assert_eq!(
        iframe.get_attribute("sandbox").as_deref(),
        Some("allow-scripts allow-downloads allow-same-origin allow-top-navigation allow-forms allow-popups allow-pointer-lock allow-popups-to-escape-sandbox")
    );
    assert_eq!(
        iframe.get_attribute("allow").as_deref(),
        Some("clipboard-read; clipboard-write")
    );
    assert_eq!(
        iframe.get_attribute("allowtransparency").as_deref(),
        Some("true")
    );
    assert_eq!(
        iframe.get_attribute("title").as_deref(),
        Some("Kombo Connect")
    );
    assert!(iframe
        .get_attribute("style")
        .unwrap_or_default()
        .contains("position: fixed"));
    assert!(iframe
        .get_attribute("style")
        .unwrap_or_default()
        .contains("z-index: 2147483647"));
    iframe.remove();
    let _ = outcome(&p).await;
}

#[wasm_bindgen_test]
async fn focus_moves_into_the_flow_and_comes_back() {
    let b = button();
    let (p, iframe) = open_loaded().await;
    assert_eq!(active_element(), JsValue::from(iframe.clone()));
    post_from_frame(&iframe, r#"{"type":"close"}"#);
    let _ = outcome(&p).await;
    assert_eq!(active_element(), JsValue::from(b.clone()));
    b.remove();
}

#[wasm_bindgen_test]
async fn aborting_the_signal_closes_the_flow_with_an_abort_error() {
    let b = button();
    let c = controller();
    let p = show_kombo_connect(JsValue::from_str(&flow_link()), signal_options(&c));
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
    let err = outcome(&show_kombo_connect(
        JsValue::from_str(&flow_link()),
        signal_options(&c),
    ))
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
    let before = kombo_connect_wasm::live_allocations();
    assert!(
        before > 0,
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
    assert_eq!(
        kombo_connect_wasm::live_allocations(),
        before,
        "Rust allocations leaked"
    );
    let memory_after = wasm_bindgen::memory()
        .unchecked_into::<js_sys::WebAssembly::Memory>()
        .buffer()
        .unchecked_into::<js_sys::ArrayBuffer>()
        .byte_length();
    assert_eq!(memory_after, memory_before, "linear memory grew");
}
