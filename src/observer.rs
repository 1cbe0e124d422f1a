//! A `MutationObserver` that stops observing when dropped.
//!
//! `gloo-events` gives us this for event listeners; nothing in gloo covers
//! observers, and a forgotten `disconnect()` keeps both the observer and its
//! Rust closure alive for the life of the page. Owning both in one value
//! makes "disconnected" and "freed" the same event: the drop.

use wasm_bindgen::prelude::*;
use web_sys::{MutationObserver, MutationObserverInit, Node};

/// Calls `callback` after every batch of child-list changes anywhere under a node.
#[must_use = "the observer disconnects as soon as it is dropped"]
pub(crate) struct SubtreeObserver {
    observer: MutationObserver,
    _callback: Closure<dyn FnMut()>,
}

impl SubtreeObserver {
    /// Starts observing additions and removals of nodes anywhere under `target`.
    ///
    /// ```ignore
    /// let watch = SubtreeObserver::new(&document, || { /* react to the change */ })?;
    /// drop(watch); // disconnected, closure freed
    /// ```
    pub(crate) fn new(target: &Node, callback: impl FnMut() + 'static) -> Result<Self, JsValue> {
        let callback = Closure::<dyn FnMut()>::new(callback);
        let observer = MutationObserver::new(callback.as_ref().unchecked_ref())?;
        let options = MutationObserverInit::new();
        options.set_child_list(true);
        options.set_subtree(true);
        observer.observe_with_options(target, &options)?;
        Ok(SubtreeObserver {
            observer,
            _callback: callback,
        })
    }
}

impl Drop for SubtreeObserver {
    fn drop(&mut self) {
        // Also discards records already queued, so the callback cannot run
        // after this point even for changes made just before it.
        self.observer.disconnect();
    }
}
