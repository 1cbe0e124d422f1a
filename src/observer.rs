//! A `MutationObserver` that stops observing when dropped.
//!
//! `gloo-events` gives us this for event listeners; nothing in gloo covers
//! observers, and a forgotten `disconnect()` keeps both the observer and its
//! Rust closure alive for the life of the page. Owning both in one value
//! makes "disconnected" and "freed" the same event: the drop.

use wasm_bindgen::prelude::*;
use web_sys::{MutationObserver, MutationObserverInit, Node, ShadowRoot};

/// Calls `callback` after every batch of child-list changes anywhere under a node.
#[must_use = "the observer disconnects as soon as it is dropped"]
pub(crate) struct SubtreeObserver {
    observer: MutationObserver,
    _callback: Closure<dyn FnMut()>,
}

impl SubtreeObserver {
    /// Starts observing additions and removals of nodes anywhere in the
    /// tree that holds `node`, shadow trees included: its document, and
    /// every shadow root between it and the document. A document observer
    /// alone does not see a removal inside a shadow tree.
    ///
    /// ```ignore
    /// let watch = SubtreeObserver::new(&iframe, || { /* react to the change */ })?;
    /// drop(watch); // disconnected, closure freed
    /// ```
    pub(crate) fn new(node: &Node, callback: impl FnMut() + 'static) -> Result<Self, JsValue> {
        let callback = Closure::<dyn FnMut()>::new(callback);
        let observer = MutationObserver::new(callback.as_ref().unchecked_ref())?;
        let options = MutationObserverInit::new();
        options.set_child_list(true);
        options.set_subtree(true);
        let mut root = node.get_root_node();
        loop {
            observer.observe_with_options(&root, &options)?;
            match root.dyn_ref::<ShadowRoot>() {
                Some(shadow) => root = shadow.host().get_root_node(),
                None => break,
            }
        }
        Ok(SubtreeObserver {
            observer,
            _callback: callback,
        })
    }

    /// Also calls back when an attribute of `element` changes. (No filter:
    /// building one costs more per open than the rare extra callback.)
    pub(crate) fn with_attributes(self, element: &Node) -> Result<Self, JsValue> {
        let options = MutationObserverInit::new();
        options.set_attributes(true);
        self.observer.observe_with_options(element, &options)?;
        Ok(self)
    }
}

impl Drop for SubtreeObserver {
    fn drop(&mut self) {
        // Also discards records already queued, so the callback cannot run
        // after this point even for changes made just before it.
        self.observer.disconnect();
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use std::cell::Cell;
    use std::rc::Rc;

    use wasm_bindgen_futures::JsFuture;
    use wasm_bindgen_test::*;

    use super::*;

    wasm_bindgen_test_configure!(run_in_browser);

    /// Lets queued mutation records be delivered.
    async fn settle() {
        JsFuture::from(js_sys::Promise::resolve(&JsValue::UNDEFINED))
            .await
            .ok();
    }

    #[wasm_bindgen_test]
    async fn a_dropped_observer_sees_no_more_changes() {
        let document = web_sys::window()
            .and_then(|w| w.document())
            .expect("a page");
        let root = document.create_element("div").expect("a div");
        let seen = Rc::new(Cell::new(0));
        let observer = SubtreeObserver::new(&root, {
            let seen = seen.clone();
            move || seen.set(seen.get() + 1)
        })
        .expect("observing");
        let child = || document.create_element("p").expect("a p");
        root.append_child(&child()).expect("append");
        settle().await;
        assert_eq!(seen.get(), 1);
        root.append_child(&child()).expect("append");
        drop(observer); // before the record is delivered: discarded too
        settle().await;
        root.append_child(&child()).expect("append");
        settle().await;
        assert_eq!(seen.get(), 1);
    }
}
