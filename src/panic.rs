//! What happens when this crate has a bug.
//!
//! With `panic = "abort"` a panic ends in a trap: no destructor runs, so the
//! iframe, the overlay, `inert`, the scroll lock and the "already open"
//! lock would stay for the life of the page, and the Promise would never
//! settle. Worse, a trap leaves the instance itself untrustworthy: the
//! shadow stack pointer and any `RefCell` borrowed at the time are never
//! restored. So the hook installed here, which runs before the trap:
//!
//! 1. prints the panic's message and location (`console_error_panic_hook`);
//! 2. tears down what the SDK did to the page ([`flow::tear_down`]), which
//!    never needs a borrow that can be held at a panic;
//! 3. tells the JS side (`js/host.js`), which rejects every pending
//!    call with an `Error` saying it was an internal error;
//! 4. schedules a fresh instance for the next call
//!    (`wasm_bindgen::handler::schedule_reinit`): the next call runs in new
//!    memory with new state, as if the page had just loaded the SDK.
//!
//! Step 4 comes last: a page handler that runs during the teardown and calls
//! the SDK must not swap the instance out from under the hook.

use std::cell::Cell;
use std::panic::PanicHookInfo;

use wasm_bindgen::prelude::*;

use crate::flow;

#[wasm_bindgen(module = "/js/host.js")]
extern "C" {
    /// Rejects the calls in flight and drops their bookkeeping.
    #[wasm_bindgen(js_name = abandonCalls)]
    fn abandon_calls();
}

thread_local! {
    /// Set from the first panic on: the instance is on its way out, and
    /// calls that re-enter it during the teardown are refused.
    static PANICKED: Cell<bool> = const { Cell::new(false) };
}

/// Installs the hook. Runs when the instance starts.
pub(crate) fn install() {
    std::panic::set_hook(Box::new(hook));
}

/// Whether this instance has panicked and is waiting to be replaced.
pub(crate) fn panicked() -> bool {
    PANICKED.with(Cell::get)
}

fn hook(info: &PanicHookInfo) {
    console_error_panic_hook::hook(info);
    // A second panic (in the teardown itself) only gets named.
    if !panicked() {
        recover();
    }
}

/// Steps 2 to 4 above; also the JS runtime's way back from a trap that
/// was not a panic (see `guarded` in `js/host.js`).
pub(crate) fn recover() {
    PANICKED.with(|p| p.set(true));
    flow::tear_down();
    abandon_calls();
    wasm_bindgen::handler::schedule_reinit();
}
