//! An event listener that is removed when dropped.
//!
//! This is what `gloo-events`' `EventListener` does, in the twenty lines we
//! use of it. gloo-events (and gloo-timers) need the standard library, and
//! linking std puts its panic and formatting machinery in the `.wasm`: ~2 KB
//! gzip of a 24 KB budget, for code no page ever runs. Without them the
//! crate is `no_std` (see `lib.rs`), measured in the README's size table.

use wasm_bindgen::prelude::*;
use web_sys::{Event, EventTarget};

/// Calls a closure for every `kind` event on `target` until dropped.
#[must_use = "the listener is removed as soon as it is dropped"]
pub struct Listener {
    target: EventTarget,
    kind: &'static str,
    callback: Closure<dyn FnMut(Event)>,
}

impl Listener {
    /// Adds the listener. Adding cannot fail for a real `EventTarget`.
    ///
    /// ```no_run
    /// # use kombo_connect_wasm::listener::Listener;
    /// # fn demo(button: &web_sys::EventTarget) {
    /// let clicks = Listener::new(button, "click", |event| { /* … */ });
    /// drop(clicks); // removed, closure freed
    /// # }
    /// ```
    pub fn new(
        target: &EventTarget,
        kind: &'static str,
        mut f: impl FnMut(&Event) + 'static,
    ) -> Self {
        let callback = Closure::<dyn FnMut(Event)>::new(move |event: Event| f(&event));
        let _ = target.add_event_listener_with_callback(kind, callback.as_ref().unchecked_ref());
        Listener {
            target: target.clone(),
            kind,
            callback,
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self
            .target
            .remove_event_listener_with_callback(self.kind, self.callback.as_ref().unchecked_ref());
    }
}
