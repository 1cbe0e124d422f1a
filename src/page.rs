//! The page behind the flow: not focusable, not scrollable, and put back
//! exactly as it was.
//!
//! The flow covers the viewport, yet with the reference Tab still walks
//! into the page behind it and the wheel still scrolls it. While a flow is
//! open on `document.body`, every other child of the body is `inert`, also
//! those the page adds meanwhile (a caller who passes a `container` runs
//! their own modal and keeps their own focus trap). Scrolling is locked
//! with `overflow: hidden` on `<html>`; when the page had a classic
//! scrollbar, `scrollbar-gutter: stable` keeps its width reserved so
//! nothing shifts sideways. Dropping the lock puts back the exact inline
//! values it replaced, clears only the `inert` it set, and restores the
//! scroll position if the browser moved it.

use std::cell::Cell;
use std::rc::Rc;

use js_sys::Array;
use wasm_bindgen::prelude::*;
use web_sys::{CssStyleDeclaration, Document, Element, HtmlElement};

use crate::js::{self, global_number};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = globalThis, js_name = scrollTo)]
    fn scroll_to(x: f64, y: f64) -> Result<(), JsValue>;
    #[wasm_bindgen(catch, js_namespace = globalThis, js_name = requestAnimationFrame)]
    fn request_animation_frame(callback: &Closure<dyn FnMut()>) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_namespace = globalThis, js_name = cancelAnimationFrame)]
    fn cancel_animation_frame(id: &JsValue) -> Result<(), JsValue>;
}

/// The properties of `<html>`'s inline style the lock changes, as
/// longhands: a page's own `overflow-y: scroll` must come back as it was,
/// which restoring the `overflow` shorthand would not do.
const LOCKED: [&str; 3] = ["overflow-x", "overflow-y", "scrollbar-gutter"];

/// Holds the page still; dropping it restores it.
#[must_use = "the page is released as soon as the lock is dropped"]
pub(crate) struct PageLock {
    inert: Option<InertChildren>,
    /// The scroll lock, once the next frame has put it on.
    _scroll: Rc<Cell<Option<ScrollLock>>>,
    /// Puts the scroll lock on before the next frame: measuring the
    /// scrollbar reads layout, which during the call would force a layout
    /// the reference does not, while before the frame the browser lays the
    /// page out anyway (`make bench`, warm open).
    _pending: AnimationFrame,
}

impl PageLock {
    /// Makes the children of `modal_on` (the body, when the flow goes
    /// there) inert now, and locks scrolling before the next frame. Call it
    /// before adding anything to the page: what the SDK adds afterwards (the
    /// overlay, the iframe) stays usable, and what the page adds is left to
    /// [`InertChildren::cover`].
    pub(crate) fn new(document: &Document, modal_on: Option<&Element>) -> PageLock {
        let inert = modal_on.map(|body| {
            let inert = InertChildren {
                body: body.clone(),
                set: Array::new(),
            };
            inert.cover(None);
            inert
        });
        let scroll = Rc::new(Cell::new(None));
        let pending = AnimationFrame::new({
            let (scroll, document) = (scroll.clone(), document.clone());
            move || scroll.set(ScrollLock::new(&document))
        });
        PageLock {
            inert,
            _scroll: scroll,
            _pending: pending,
        }
    }

    /// The body's children made inert, when there are: the flow's observer
    /// extends them to what the page adds while the flow is open.
    pub(crate) fn inert_children(&self) -> Option<InertChildren> {
        self.inert.clone()
    }
}

impl Drop for PageLock {
    fn drop(&mut self) {
        if let Some(inert) = &self.inert {
            js::release(&inert.set);
        }
    }
}

/// The children of the body made inert (by `js/host.js`, which walks them
/// without a call back into WebAssembly per child), and the list of them to
/// give back.
#[derive(Clone)]
pub(crate) struct InertChildren {
    body: Element,
    set: Array,
}

impl InertChildren {
    /// Makes the body's children inert, but `frame` and our overlay; those
    /// already inert (the page's own) are left alone, and are not given back.
    pub(crate) fn cover(&self, frame: Option<&Element>) {
        js::inert_children(&self.body, frame, &self.set);
    }
}

/// `overflow: hidden` on `<html>`, with the values it replaced.
struct ScrollLock {
    html: HtmlElement,
    /// Whether `<html>` had a `style` attribute: if not, none is left.
    had_style: bool,
    style: CssStyleDeclaration,
    /// The inline value of each of [`LOCKED`] before the lock.
    saved: [String; 3],
    scroll: (f64, f64),
}

impl ScrollLock {
    fn new(document: &Document) -> Option<ScrollLock> {
        let html: HtmlElement = document.document_element()?.dyn_into().ok()?;
        let scroll = (global_number("scrollX"), global_number("scrollY"));
        // 0 for overlay scrollbars or a page that does not scroll, where
        // reserving a gutter would shift it.
        let scrollbar = global_number("innerWidth") - f64::from(html.client_width());
        let style = html.style();
        let had_style = html.has_attribute("style");
        let mut saved: [String; 3] = Default::default();
        for (name, slot) in LOCKED.iter().zip(saved.iter_mut()) {
            *slot = style.get_property_value(name).unwrap_or_default();
        }
        let _ = style.set_property("overflow", "hidden");
        if scrollbar > 0.0 {
            let _ = style.set_property("scrollbar-gutter", "stable");
        }
        Some(ScrollLock {
            html,
            had_style,
            style,
            saved,
            scroll,
        })
    }
}

impl Drop for ScrollLock {
    fn drop(&mut self) {
        // An empty value removes the property again.
        for (name, value) in LOCKED.iter().zip(&self.saved) {
            let _ = self.style.set_property(name, value);
        }
        if !self.had_style && self.style.length() == 0 {
            // Reading the attribute first: browsers write CSSOM changes back
            // to it lazily, and a pending write would bring back `style=""`.
            let _ = self.html.get_attribute("style");
            let _ = self.html.remove_attribute("style");
        }
        if (global_number("scrollX"), global_number("scrollY")) != self.scroll {
            let _ = scroll_to(self.scroll.0, self.scroll.1);
        }
    }
}

/// A `requestAnimationFrame` callback, cancelled when dropped.
///
/// `gloo-render` has this, but reaches the window through a lazily
/// initialised thread-local and `web_sys::window()`, which cost more than
/// the rest of this module (the README's dependency table has the figure);
/// this is the one call it would make, with the same RAII contract.
#[must_use = "the frame callback is cancelled as soon as it is dropped"]
struct AnimationFrame {
    id: Option<JsValue>,
    _callback: Closure<dyn FnMut()>,
}

impl AnimationFrame {
    fn new(f: impl FnOnce() + 'static) -> AnimationFrame {
        let mut f = Some(f);
        let callback = Closure::<dyn FnMut()>::new(move || {
            if let Some(f) = f.take() {
                f();
            }
        });
        AnimationFrame {
            id: request_animation_frame(&callback).ok(),
            _callback: callback,
        }
    }
}

impl Drop for AnimationFrame {
    fn drop(&mut self) {
        if let Some(id) = &self.id {
            let _ = cancel_animation_frame(id);
        }
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

    /// Two frames later, a frame callback has had its chance to run.
    async fn two_frames() {
        for _ in 0..2 {
            let frame = js_sys::Promise::new(&mut |resolve, _| {
                let _ = web_sys::window()
                    .expect("a window")
                    .request_animation_frame(&resolve);
            });
            JsFuture::from(frame).await.ok();
        }
    }

    #[wasm_bindgen_test]
    async fn a_frame_callback_runs_once_and_a_dropped_one_never() {
        let runs = Rc::new(Cell::new(0));
        let counter = |runs: &Rc<Cell<u32>>| {
            let runs = runs.clone();
            move || runs.set(runs.get() + 1)
        };
        let kept = AnimationFrame::new(counter(&runs));
        let dropped = AnimationFrame::new(counter(&runs));
        drop(dropped);
        two_frames().await;
        assert_eq!(runs.get(), 1);
        drop(kept);
    }
}
