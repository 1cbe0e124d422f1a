//! The flow above a page's own modal dialogs, popovers and fullscreen.
//!
//! What a page puts in the top layer (a `<dialog>` shown with
//! `showModal()`, an open popover, a fullscreen element) is drawn above any
//! `z-index`, and a modal dialog makes the rest of the document inert: an
//! iframe appended to the body, as the reference does it, is then visible
//! but cannot be clicked. So when the page has something there, the flow
//! goes into the top layer too, in a modal `<dialog>` of its own. The
//! browser draws it above the page's, makes everything else inert, and
//! hands the page's dialog back as it was once ours is gone.
//!
//! The same dialog serves pages whose `<html>` or `<body>` has a transform,
//! a filter or containment: that element is then the containing block of
//! fixed elements, and the flow would shrink to its box, while the top
//! layer's containing block is always the viewport. Other pages keep the
//! reference's iframe in `<body>`.
//!
//! The dialog itself is made in `js/host.js` (`openTopLayer`): a dozen DOM
//! calls and two listeners that never reach Rust cost less there.

use web_sys::{Document, Element};

use crate::js;

/// Our dialog in the top layer; dropping it takes it out of the page.
#[must_use = "the dialog is removed as soon as it is dropped"]
pub(crate) struct TopLayer(Element);

impl TopLayer {
    /// Opens our dialog in `body` when the page has something in the top
    /// layer, or holds fixed elements in its own box; `None` (and nothing
    /// done) otherwise.
    pub(crate) fn over_page(document: &Document, body: &Element) -> Option<TopLayer> {
        js::open_top_layer(document, body).map(TopLayer)
    }

    /// Where the flow goes: inside the dialog.
    pub(crate) fn element(&self) -> &Element {
        &self.0
    }
}

impl Drop for TopLayer {
    fn drop(&mut self) {
        // Out of the document is out of the top layer; no `close` event.
        self.0.remove();
    }
}
