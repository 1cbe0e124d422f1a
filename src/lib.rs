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
//! [`flow`] (the open iframe and its lifecycle), [`glue`] (`connect()`: the
//! customer's back-end around the flow), [`protocol`] (pure rules for
//! links, messages and request errors), [`observer`] (RAII
//! `MutationObserver`), [`js`] (reading page-supplied values) and [`error`]
//! (the error enum and its conversion to JS errors).
#![deny(missing_docs)]
// No std in the browser build: see `listener.rs` for what it cost. Native
// builds (unit tests, `cargo clippy --workspace`) keep std.
#![cfg_attr(all(target_arch = "wasm32", not(test)), no_std)]

extern crate alloc;

mod allocator;
pub mod error;
pub mod events;
pub mod flow;
pub mod glue;
pub mod js;
pub mod listener;
pub mod observer;
pub mod overlay;
pub mod page;
pub mod protocol;
pub mod task;
pub mod timer;

use alloc::string::String;

use js_sys::{Object, Promise, Reflect};
use wasm_bindgen::prelude::*;

use crate::error::Error;
use crate::protocol::{Category, LinkError};

/// Opens the Kombo Connect flow and resolves with the activation token.
///
/// Same contract as `showKomboConnect` in `@kombo-api/connect` 1.3.0:
/// `url` is the link from Kombo's create-link endpoint (a string, or any
/// object whose `toString()` gives one, such as a `URL`), `options.container`
/// the element to append the iframe to (default `document.body`), and
/// `options.signal` an `AbortSignal` that closes the flow (the other
/// options are in `js/index.d.ts`). Rejects with
/// `KomboConnectAlreadyOpenError`, `KomboConnectCancelledError`,
/// `KomboConnectLoadError`, a `TypeError` for a refused link, an `Error`
/// for a detached container, or an `AbortError` `DOMException`.
#[wasm_bindgen(js_name = showKomboConnect, skip_typescript)]
pub fn show_kombo_connect(url: JsValue, options: JsValue) -> Promise {
    match read_args(&url, &options).and_then(|(url, options)| flow::open(&url, options)) {
        Ok(promise) => promise,
        Err(error) => Promise::reject(&error.into()),
    }
}

/// Live Rust heap allocations. Not part of the API: the leak tests compare
/// it before and after many flows to prove no closure or string outlived
/// its flow (see `src/allocator.rs`).
#[doc(hidden)]
#[cfg(feature = "leak-count")]
#[wasm_bindgen(js_name = __liveAllocations, skip_typescript)]
pub fn live_allocations() -> u32 {
    allocator::live_allocations() as u32
}

/// Runs the whole embedded flow against the customer's back-end: `POST
/// initUrl` for a link, the flow, `POST activateUrl` with the token.
///
/// `category` is `'HRIS' | 'ATS' | 'ASSESSMENT' | 'LMS'`; `options` is a
/// `ConnectOptions` object (see `js/index.d.ts`). Resolves with
/// `{ activationToken, activation }`; rejects with a `TypeError` for bad
/// arguments (before any request), `KomboConnectAlreadyOpenError`,
/// `KomboConnectCancelledError`, `KomboConnectRequestError` or an
/// `AbortError` `DOMException`.
#[wasm_bindgen(js_name = connect, skip_typescript)]
pub fn connect(category: JsValue, options: JsValue) -> Promise {
    task::spawn(async move {
        let category = category
            .as_string()
            .as_deref()
            .and_then(Category::parse)
            .ok_or(Error::InvalidCategory)?;
        let done = glue::connect(category, glue::Options::read(&options)?).await?;
        let result = Object::new();
        let _ = Reflect::set(
            &result,
            &"activationToken".into(),
            &done.activation_token.into(),
        );
        let _ = Reflect::set(&result, &"activation".into(), &done.activation);
        Ok(result.into())
    })
}

/// A panic cannot happen on any path a page or a server controls (the
/// code has no `unwrap` on their input); if one did, trapping is what
/// `panic = "abort"` does anyway, without std's message formatting. The
/// crate's own wasm tests link std (through wasm-bindgen-test), which brings
/// its own handler, so they turn this one off with the `std` feature.
#[cfg(all(target_arch = "wasm32", not(feature = "std")))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

fn read_args(url: &JsValue, options: &JsValue) -> Result<(String, flow::Options), Error> {
    let url = match url.as_string() {
        Some(url) => url,
        None if url.is_object() => String::from(url.unchecked_ref::<js_sys::Object>().to_string()),
        None => return Err(Error::Link(LinkError::Invalid)),
    };
    Ok((url, flow::Options::read(options)?))
}
