//! Reading values that come from a page: arguments, options and messages.
//!
//! Anything a page hands us may be `null`, a primitive, a Proxy, an object
//! with a throwing getter or a `toString` that throws. A JS exception that
//! crosses WebAssembly frames skips their epilogues: the shadow stack
//! pointer is not restored and every call leaks a little of the stack until
//! the instance is unusable. So every read that can run page code goes
//! through `js/host.js`, which catches there and hands the exception over
//! as a value (why not wasm-bindgen's `catch`: see that file), and these
//! helpers turn it into "absent" or a typed [`Error`].

use js_sys::{Array, Function, JsString, Object};
use wasm_bindgen::prelude::*;
use web_sys::{AbortSignal, Document, Element, EventTarget, HtmlIFrameElement, Url};

use crate::error::Error;
use crate::protocol::LinkError;

#[wasm_bindgen(module = "/js/host.js")]
extern "C" {
    /// `globalThis`, the page's `window`: where `message` events arrive.
    /// (A function rather than a `static`: a static is a lazily
    /// initialised thread-local, whose machinery costs more than this call.)
    #[wasm_bindgen(js_name = pageGlobal)]
    pub(crate) fn global() -> EventTarget;
    /// `globalThis.document`; `undefined` outside a browser page.
    #[wasm_bindgen(js_name = pageDocument)]
    pub(crate) fn document() -> JsValue;
    fn read(object: &JsValue, key: &str) -> JsValue;
    fn text(value: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = takeThrown)]
    fn take_thrown() -> Option<Array>;
    /// `new URL(href)` with the browser's parser; `None` if not absolute.
    #[wasm_bindgen(js_name = parseUrl)]
    pub(crate) fn url(href: &str) -> Option<Url>;
    #[wasm_bindgen(js_name = parseJson)]
    fn parse_json(json: &str) -> JsValue;
    #[wasm_bindgen(js_name = pageOrigin)]
    fn read_page_origin() -> String;
    /// When the page shows something in the top layer (a modal dialog, an
    /// open popover, fullscreen), or its `<html>` or `<body>` holds fixed
    /// elements in its own box: our own modal dialog, open, in `body`.
    #[wasm_bindgen(js_name = openTopLayer)]
    pub(crate) fn open_top_layer(document: &Document, body: &Element) -> Option<Element>;
    /// The element that has focus, inside open shadow roots too.
    pub(crate) fn focused(document: &Document) -> Option<Element>;
    /// Takes the page-wide open-flow lock; false if any copy of the SDK holds it.
    #[wasm_bindgen(js_name = takeLock)]
    pub(crate) fn take_page_lock() -> bool;
    /// Releases the page-wide lock if this copy holds it.
    #[wasm_bindgen(js_name = releaseLock)]
    pub(crate) fn release_page_lock();
    /// Calls a page callback with one argument, ignoring what it throws;
    /// during a call from the page, once Rust has returned.
    #[wasm_bindgen(js_name = notify)]
    pub(crate) fn call(callback: &Function, argument: &JsValue);
    /// A new iframe for the flow, as the reference makes it (attributes,
    /// sandbox, style: see `js/host.js`), or `None` if the page's DOM
    /// refused: a copy of one made for the purpose, in one call.
    #[wasm_bindgen(js_name = createFrame)]
    pub(crate) fn create_frame(src: &str) -> Option<HtmlIFrameElement>;
    /// Inserts the flow's iframe into `parent` before `before` (last when
    /// `None`); during a call from the page, once Rust has returned, so
    /// that no WebAssembly frame is beneath the navigation it starts.
    #[wasm_bindgen(js_name = insertFrame)]
    pub(crate) fn insert_frame(parent: &Element, frame: &Element, before: Option<&Element>);
    /// Removes the flow's iframe, or cancels its queued insertion.
    #[wasm_bindgen(js_name = removeFrame)]
    pub(crate) fn remove_frame(frame: &Element);
    /// Makes each child of `body` inert but the flow's own, adding to `set`
    /// each one it changed.
    #[wasm_bindgen(js_name = inertChildren)]
    pub(crate) fn inert_children(body: &Element, frame: Option<&Element>, set: &Array);
    /// Gives back what `inert_children` made inert.
    pub(crate) fn release(set: &Array);
}

#[wasm_bindgen]
extern "C" {
    /// `Object.assign(target, source)`: runs the source's getters. Declared
    /// without a return value: see `js/host.js` on `catch` and return values.
    #[wasm_bindgen(catch, js_namespace = Object, js_name = assign)]
    fn object_assign(target: &Object, source: &JsValue) -> Result<(), JsValue>;
    /// `Array.isArray(value)`: throws for a revoked Proxy.
    #[wasm_bindgen(catch, js_namespace = Array, js_name = isArray)]
    fn is_array(value: &JsValue) -> Result<bool, JsValue>;
}

thread_local! {
    /// The page's origin: a page cannot change it, so one read serves
    /// every call.
    static PAGE_ORIGIN: String = read_page_origin();
}

/// Calls `f` with `location.origin` of the page, `"null"` when it has none.
pub(crate) fn with_page_origin<R>(f: impl FnOnce(&str) -> R) -> R {
    PAGE_ORIGIN.with(|origin| f(origin))
}

/// `value`, the result of the `read` or `text` just made, or the
/// exception that call threw.
fn caught(value: JsValue) -> Result<JsValue, JsValue> {
    match take_thrown() {
        Some(thrown) => Err(thrown.get(0)),
        None => Ok(value),
    }
}

/// `global()[name]` as a number, 0 when absent.
pub(crate) fn global_number(name: &str) -> f64 {
    field(&global(), name)
        .and_then(|v| v.as_f64())
        .unwrap_or(0.0)
}

/// `value[name]` when `value` is an object and the read does not throw.
pub(crate) fn field(value: &JsValue, name: &str) -> Option<JsValue> {
    if !value.is_object() {
        return None;
    }
    caught(read(value, name)).ok()
}

/// `value[name]` of an options object: `undefined` when absent, the page's
/// exception when its getter throws (so the call rejects with it).
pub(crate) fn option(options: &JsValue, name: &str) -> Result<JsValue, Error> {
    if !options.is_object() {
        return Ok(JsValue::UNDEFINED);
    }
    caught(read(options, name)).map_err(Error::Thrown)
}

/// A link argument as a string: a string as it is, an object (a `URL`) by
/// its `toString()`, as the reference's `new URL(url)` does. A `toString`
/// that throws rejects with its exception; one that returns a non-string
/// is refused.
pub(crate) fn link(value: &JsValue) -> Result<String, Error> {
    if let Some(url) = value.as_string() {
        return Ok(url);
    }
    if !value.is_object() {
        return Err(Error::Link(LinkError::Invalid));
    }
    caught(text(value))
        .map_err(Error::Thrown)?
        .dyn_into::<JsString>()
        .map(String::from)
        .map_err(|_| Error::Link(LinkError::Invalid))
}

/// Parses JSON; `None` when it is not JSON.
pub(crate) fn json(text: &str) -> Option<JsValue> {
    Some(parse_json(text)).filter(|value| !value.is_undefined())
}

/// Copies a page-supplied object's own fields onto `target`; a throwing
/// getter becomes `Err`.
pub(crate) fn assign(target: &Object, source: &JsValue) -> Result<(), Error> {
    object_assign(target, source).map_err(Error::Thrown)
}

/// A plain object, `null` or `undefined`: not an array, not a primitive.
pub(crate) fn is_plain_object_or_nothing(value: &JsValue) -> bool {
    value.is_undefined() || value.is_null() || (value.is_object() && is_array(value) == Ok(false))
}

/// Reads a `container` option. Like the reference, any falsy value means
/// "use document.body"; anything else must be an element.
pub(crate) fn container(value: JsValue) -> Result<Option<Element>, Error> {
    if value.is_falsy() {
        return Ok(None);
    }
    value
        .dyn_into::<Element>()
        .map(Some)
        .map_err(|_| Error::ContainerNotElement)
}

/// Reads a `signal` option: absent, or an `AbortSignal`.
pub(crate) fn signal(value: JsValue) -> Result<Option<AbortSignal>, Error> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    value
        .dyn_into::<AbortSignal>()
        .map(Some)
        .map_err(|_| Error::InvalidOption("signal"))
}

/// Reads a duration in milliseconds: absent means `default`, `0` means
/// "never", anything but a whole number in `0..=u32::MAX` is a `TypeError`.
pub(crate) fn millis(value: JsValue, default: u32, name: &'static str) -> Result<u32, Error> {
    if value.is_undefined() {
        return Ok(default);
    }
    match value.as_f64() {
        Some(ms) if (0.0..=f64::from(u32::MAX)).contains(&ms) => Ok(ms as u32),
        _ => Err(Error::InvalidOption(name)),
    }
}
