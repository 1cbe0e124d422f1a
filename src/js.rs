//! Reading values that come from a page: options objects and messages.
//!
//! Anything a page hands us may be `null`, a primitive, a Proxy or an
//! object with a throwing getter. These helpers turn all of that into
//! "absent" instead of a panic or an exception inside our callbacks.

use js_sys::Reflect;
use wasm_bindgen::prelude::*;
use web_sys::{AbortSignal, Element};

use crate::error::Error;

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
