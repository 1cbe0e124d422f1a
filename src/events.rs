//! `onEvent`: lifecycle events next to the Promise.
//!
//! A Promise says how a flow ended, not what happened on the way: analytics
//! and support want to know that the flow opened, loaded, how long the init
//! request took. Each event is `{ type, timestamp }` (`Date.now()`), and
//! nothing else: an activation token never appears in one, so events can
//! go to any analytics tool as they are.

use js_sys::{Function, Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::error::Error;

/// The caller's `onEvent` callback, if any.
#[derive(Clone, Default)]
pub(crate) struct Events(Option<Function>);

impl Events {
    /// Reads an `onEvent` option: absent, or a function.
    pub(crate) fn read(value: JsValue) -> Result<Events, Error> {
        if value.is_undefined() || value.is_null() {
            return Ok(Events(None));
        }
        value
            .dyn_into::<Function>()
            .map(|f| Events(Some(f)))
            .map_err(|_| Error::InvalidOption("onEvent"))
    }

    /// Calls `onEvent({ type, timestamp })`. An exception thrown by the
    /// callback is ignored: a bug in analytics code must not break the flow.
    pub(crate) fn emit(&self, kind: &str) {
        if let Some(callback) = &self.0 {
            let event = Object::new();
            let _ = Reflect::set(&event, &"type".into(), &kind.into());
            let _ = Reflect::set(&event, &"timestamp".into(), &js_sys::Date::now().into());
            crate::js::call(callback, &event);
        }
    }
}
