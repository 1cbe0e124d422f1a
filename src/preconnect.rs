//! Opening the connection to the flow's origin while `connect()` waits for
//! its link.
//!
//! The init request takes a round trip to the customer's back-end and one
//! from there to Kombo; the link's origin is known before the link is. A
//! `<link rel="preconnect">` lets the browser resolve, connect and
//! handshake meanwhile, so the iframe's first request does not pay for it.
//! It is an element added through the DOM, so a strict Content-Security-
//! Policy allows it (no inline script or style), and it goes as soon as
//! the iframe has started its own request. Where it helps, by how much,
//! and where the browser keeps the socket from the frame: `make bench`.

use wasm_bindgen::prelude::*;
use web_sys::{Document, Element};

#[wasm_bindgen(module = "/js/host.js")]
extern "C" {
    /// Adds the `<link>` to the head; `None` where the page has no head.
    /// In JavaScript: a handful of DOM calls cost less there than their
    /// bindings here.
    #[wasm_bindgen(js_name = preconnect)]
    fn add_preconnect(document: &Document, origin: &str) -> Option<Element>;
}

/// A `<link rel="preconnect">` in the document's `<head>` while it lives.
pub(crate) struct Preconnect(Element);

impl Preconnect {
    /// Starts connecting to `origin`; `None` where the page has no
    /// `<head>` (nothing is lost but the head start).
    pub(crate) fn new(document: &Document, origin: &str) -> Option<Preconnect> {
        add_preconnect(document, origin).map(Preconnect)
    }
}

impl Drop for Preconnect {
    fn drop(&mut self) {
        self.0.remove();
    }
}
