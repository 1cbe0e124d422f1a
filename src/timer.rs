//! A `setTimeout` (or a `requestAnimationFrame`) that is cancelled when
//! dropped: gloo-timers' `Timeout`, without the standard library (see
//! `listener.rs` for why).

use js_sys::Function;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = globalThis, js_name = setTimeout)]
    fn set_timeout(handler: &Function, ms: u32) -> JsValue;
    #[wasm_bindgen(js_namespace = globalThis, js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
    #[wasm_bindgen(js_namespace = globalThis, js_name = requestAnimationFrame)]
    fn request_animation_frame(handler: &Function) -> JsValue;
    #[wasm_bindgen(js_namespace = globalThis, js_name = cancelAnimationFrame)]
    fn cancel_animation_frame(id: &JsValue);
}

/// Calls a closure once after a delay, unless dropped first.
#[must_use = "the timer is cleared as soon as it is dropped"]
pub struct Timeout {
    id: JsValue,
    cancel: fn(&JsValue),
    _callback: Closure<dyn FnMut()>,
}

impl Timeout {
    /// Starts the timer.
    ///
    /// ```no_run
    /// # use kombo_connect_wasm::timer::Timeout;
    /// let give_up = Timeout::new(20_000, || { /* fail the flow */ });
    /// drop(give_up); // cleared: the callback never runs
    /// ```
    pub fn new(ms: u32, f: impl FnMut() + 'static) -> Self {
        Self::start(f, |callback| set_timeout(callback, ms), clear_timeout)
    }

    /// Calls `f` before the next frame is rendered, when the page's layout
    /// is computed anyway, so reading it there forces nothing extra.
    pub fn next_frame(f: impl FnMut() + 'static) -> Self {
        Self::start(f, request_animation_frame, cancel_animation_frame)
    }

    fn start(
        f: impl FnMut() + 'static,
        schedule: impl FnOnce(&Function) -> JsValue,
        cancel: fn(&JsValue),
    ) -> Self {
        let callback = Closure::<dyn FnMut()>::new(f);
        let id = schedule(callback.as_ref().unchecked_ref());
        Timeout {
            id,
            cancel,
            _callback: callback,
        }
    }
}

impl Drop for Timeout {
    fn drop(&mut self) {
        (self.cancel)(&self.id);
    }
}
