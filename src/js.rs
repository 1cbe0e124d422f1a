//! Reading values that come from a page: arguments, options and messages.
//!
//! Anything a page hands us may be `null`, a primitive, a Proxy, an object
//! with a throwing getter or a `toString` that throws. A JS exception that
//! crosses WebAssembly frames skips their epilogues: the shadow stack
//! pointer is not restored and every call leaks a little of the stack until
//! the instance is unusable. So every read that can run page code goes
//! through an import declared `catch`, which turns the exception into an
//! `Err` before it reaches Rust, and these helpers turn that into "absent"
//! or a typed [`Error`].

use js_sys::{JsString, Object, Reflect};
use wasm_bindgen::prelude::*;
use web_sys::{AbortSignal, Element, EventTarget};

use crate::error::Error;

#[wasm_bindgen(module = "/js/calls.js")]
extern "C" {
    /// `globalThis`, the page's `window`: where `message` events arrive.
    /// (A function rather than a `static`: a static is a lazily
    /// initialised thread-local, whose machinery costs more than this call.)
    #[wasm_bindgen(js_name = pageGlobal)]
    fn page_global() -> EventTarget;
    /// `globalThis.document`; `undefined` outside a browser page.
    #[wasm_bindgen(js_name = pageDocument)]
    pub(crate) fn document() -> JsValue;
}

#[wasm_bindgen]
extern "C" {
    /// `String(value)`: runs the value's `toString` (or `Symbol.toPrimitive`).
    #[wasm_bindgen(catch, js_name = String)]
    fn to_js_string(value: &JsValue) -> Result<JsValue, JsValue>;
    /// `Object.assign(target, source)`: runs the source's getters.
    #[wasm_bindgen(catch, js_namespace = Object, js_name = assign)]
    fn object_assign(target: &Object, source: &JsValue) -> Result<JsValue, JsValue>;
    /// `Array.isArray(value)`: throws for a revoked Proxy.
    #[wasm_bindgen(catch, js_namespace = Array, js_name = isArray)]
    fn is_array(value: &JsValue) -> Result<bool, JsValue>;
}

/// The page's `window`.
pub(crate) fn global() -> EventTarget {
    page_global()
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
    Reflect::get(value, &JsValue::from_str(name)).ok()
}

/// `value[name]` of an options object: `undefined` when absent, the page's
/// exception when its getter throws (so the call rejects with it).
pub(crate) fn option(options: &JsValue, name: &str) -> Result<JsValue, Error> {
    if !options.is_object() {
        return Ok(JsValue::UNDEFINED);
    }
    Reflect::get(options, &JsValue::from_str(name)).map_err(Error::Thrown)
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
        return Err(Error::Link(crate::protocol::LinkError::Invalid));
    }
    to_js_string(value)
        .map_err(Error::Thrown)?
        .dyn_into::<JsString>()
        .map(String::from)
        .map_err(|_| Error::Link(crate::protocol::LinkError::Invalid))
}

/// Copies a page-supplied object's own fields onto `target`; a throwing
/// getter becomes `Err`.
pub(crate) fn assign(target: &Object, source: &JsValue) -> Result<(), Error> {
    object_assign(target, source)
        .map(drop)
        .map_err(Error::Thrown)
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
