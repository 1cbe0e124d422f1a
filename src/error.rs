//! Every way `showKomboConnect` can fail, as one enum.
//!
//! Inside the crate an error is a value we can match on and test; callers in
//! JavaScript need `Error` subclasses they can `instanceof`. The conversion
//! happens once, in `From<Error> for JsValue`, at the boundary. Messages are
//! `&'static str` on purpose: `format!` would pull `core::fmt` into the
//! `.wasm` for every page that loads it.

use crate::protocol::LinkError;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/js/errors.js")]
extern "C" {
    #[wasm_bindgen(extends = js_sys::Error)]
    type KomboConnectAlreadyOpenError;
    #[wasm_bindgen(constructor)]
    fn new(message: &str) -> KomboConnectAlreadyOpenError;

    #[wasm_bindgen(extends = js_sys::Error)]
    type KomboConnectCancelledError;
    #[wasm_bindgen(constructor)]
    fn new(message: &str) -> KomboConnectCancelledError;
}

/// Why a flow did not produce an activation token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Error {
    /// Another flow is open; only one can be, as in the reference.
    AlreadyOpen,
    /// The user closed the flow.
    UserCancelled,
    /// The page removed the iframe (or its container) while the flow was open.
    Removed,
    /// `options.container` is not in the document, so the iframe would be invisible.
    ContainerDetached,
    /// `options.container` is not an element.
    ContainerNotElement,
    /// The link was refused before any iframe was created.
    Link(LinkError),
    /// There is no `document` (or no `<body>` yet): called outside a browser
    /// page, or from a script in `<head>` before the body exists.
    NoDocument,
    /// The browser refused a DOM call (creating, styling or appending the
    /// iframe, observing the page).
    Dom,
}

impl Error {
    /// The message shown to developers. The first four are the reference's
    /// own words, so logs and tests written against it keep matching.
    pub fn message(self) -> &'static str {
        match self {
            Error::AlreadyOpen => "There's already a Kombo Connect modal open!",
            Error::UserCancelled => "The user cancelled the flow!",
            Error::Removed => {
                "The Kombo Connect modal was removed from the DOM before the user completed the flow."
            }
            Error::ContainerDetached => {
                "The container element passed to showKomboConnect must be attached to the document."
            }
            Error::ContainerNotElement => {
                "The container passed to showKomboConnect must be an HTMLElement."
            }
            Error::Link(LinkError::Invalid) => {
                "showKomboConnect needs an absolute https link, as returned by Kombo's create-link endpoint."
            }
            Error::Link(LinkError::UnsafeScheme) => {
                "Refused to open the Kombo Connect link: only https links can be opened."
            }
            Error::Link(LinkError::InsecureHttp) => {
                "Refused to open the Kombo Connect link over plain http: use https (http is allowed for localhost only)."
            }
            Error::NoDocument => {
                "showKomboConnect needs a browser page with a <body>: call it after the page has loaded."
            }
            Error::Dom => "The browser refused to add the Kombo Connect iframe to the page.",
        }
    }
}

impl From<Error> for JsValue {
    fn from(error: Error) -> JsValue {
        let message = error.message();
        match error {
            Error::AlreadyOpen => KomboConnectAlreadyOpenError::new(message).into(),
            Error::UserCancelled | Error::Removed => KomboConnectCancelledError::new(message).into(),
            // Same class as the reference's `new URL(...)` failure, so existing
            // `catch` blocks that look for a TypeError keep working.
            Error::Link(_) | Error::ContainerNotElement => js_sys::TypeError::new(message).into(),
            Error::ContainerDetached | Error::NoDocument | Error::Dom => js_sys::Error::new(message).into(),
        }
    }
}
