//! # kombo-connect-wasm
//!
//! Embedding Kombo Connect means putting a third-party page in a full-screen
//! iframe and trusting what it posts back. The original SDK,
//! `@kombo-api/connect`, does that in 100 lines of JavaScript that get stuck
//! "open" after an invalid link, frame `javascript:` URLs, throw on
//! unexpected messages and accept a token from any page the iframe
//! navigates to. This crate is a drop-in replacement that keeps its API,
//! iframe and message protocol and fixes those.
//!
//! This file is the whole JavaScript-facing surface; the behaviour lives in
//! [`flow`] (the open iframe and its lifecycle), [`protocol`] (pure rules
//! for links and messages), [`observer`] (RAII `MutationObserver`) and
//! [`error`] (the error enum and its conversion to JS errors).
#![deny(missing_docs)]

mod allocator;
pub mod error;
pub mod flow;
pub mod observer;
pub mod protocol;

use js_sys::{Promise, Reflect};
use wasm_bindgen::prelude::*;
use web_sys::Element;

use crate::error::Error;
use crate::protocol::LinkError;

/// Opens the Kombo Connect flow and resolves with the activation token.
///
/// Same contract as `showKomboConnect` in `@kombo-api/connect` 1.3.0:
/// `url` is the link from Kombo's create-link endpoint (a string, or any
/// object whose `toString()` gives one, such as a `URL`), `options.container`
/// the element to append the iframe to (default `document.body`). Rejects
/// with `KomboConnectAlreadyOpenError`, `KomboConnectCancelledError`, a
/// `TypeError` for a refused link, or an `Error` for a detached container.
#[wasm_bindgen(js_name = showKomboConnect, skip_typescript)]
pub fn show_kombo_connect(url: JsValue, options: JsValue) -> Promise {
    match read_args(&url, &options).and_then(|(url, container)| flow::open(&url, container)) {
        Ok(promise) => promise,
        Err(error) => Promise::reject(&error.into()),
    }
}

/// Live Rust heap allocations. Not part of the API: the leak tests compare
/// it before and after many flows to prove no closure or string outlived
/// its flow (see `src/allocator.rs`).
#[doc(hidden)]
#[wasm_bindgen(js_name = __liveAllocations, skip_typescript)]
pub fn live_allocations() -> u32 {
    allocator::live_allocations() as u32
}

fn read_args(url: &JsValue, options: &JsValue) -> Result<(String, Option<Element>), Error> {
    let url = match url.as_string() {
        Some(url) => url,
        None if url.is_object() => String::from(url.unchecked_ref::<js_sys::Object>().to_string()),
        None => return Err(Error::Link(LinkError::Invalid)),
    };
    let container = if options.is_object() {
        Reflect::get(options, &JsValue::from_str("container")).unwrap_or(JsValue::UNDEFINED)
    } else {
        JsValue::UNDEFINED
    };
    // Like the reference, any falsy `container` means "use document.body".
    let container = if container.is_falsy() {
        None
    } else {
        Some(container.dyn_into::<Element>().map_err(|_| Error::ContainerNotElement)?)
    };
    Ok((url, container))
}

