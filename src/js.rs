//! Reading values that come from a page: options objects and messages.
//!
//! Anything a page hands us may be `null`, a primitive, a Proxy or an
//! object with a throwing getter. These helpers turn all of that into
//! "absent" instead of a panic or an exception inside our callbacks.

use js_sys::Reflect;
use wasm_bindgen::prelude::*;
use web_sys::{AbortSignal, Element, EventTarget};

use crate::error::Error;

#[wasm_bindgen]
extern "C" {
    // Bound directly instead of through `web_sys::window()`, whose search
    // of four possible globals costs about a kilobyte of `.wasm` and glue.
    /// `globalThis`, the page's `window`: where `message` events arrive.
    #[wasm_bindgen(thread_local_v2, js_name = globalThis)]
    pub static GLOBAL: EventTarget;
    /// `globalThis.document`; `undefined` outside a browser page.
    #[wasm_bindgen(thread_local_v2, js_namespace = globalThis, js_name = document)]
    pub static DOCUMENT: JsValue;
}

/// The page's `window`.
pub fn global() -> EventTarget {
    GLOBAL.with(EventTarget::clone)
}

/// `global()[name]` as a number, 0 when absent.
pub fn global_number(name: &str) -> f64 {
    field(&global(), name)
        .and_then(|v| v.as_f64())
        .unwrap_or(0.0)
}

/// `value[name]` when `value` is an object and the read does not throw.
pub fn field(value: &JsValue, name: &str) -> Option<JsValue> {
    if !value.is_object() {
        return None;
    }
    Reflect::get(value, &JsValue::from_str(name)).ok()
}

/// Reads a `container` option. Like the reference, any falsy value means
/// "use document.body"; anything else must be an element.
pub fn container(value: JsValue) -> Result<Option<Element>, Error> {
    if value.is_falsy() {
        return Ok(None);
    }
    value
        .dyn_into::<Element>()
        .map(Some)
        .map_err(|_| Error::ContainerNotElement)
}

/// Reads a `signal` option: absent, or an `AbortSignal`.
pub fn signal(value: JsValue) -> Result<Option<AbortSignal>, Error> {
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
pub fn millis(value: JsValue, default: u32, name: &'static str) -> Result<u32, Error> {
    if value.is_undefined() {
        return Ok(default);
    }
    match value.as_f64() {
        Some(ms) if (0.0..=f64::from(u32::MAX)).contains(&ms) => Ok(ms as u32),
        _ => Err(Error::InvalidOption(name)),
    }
}
