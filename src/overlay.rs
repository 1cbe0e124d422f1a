//! The loading state the host page draws until the flow has loaded.
//!
//! Until the flow's first page arrives, the reference shows a transparent
//! full-screen iframe: the page looks frozen, clicks go nowhere, and on a
//! slow network there is no way out but reloading. This overlay is a
//! spinner on a dimmed backdrop with a close button, and Escape closes it
//! too while the host page still has the keyboard. It is drawn through the
//! CSSOM (`style.cssText`, `Element.animate`), which a strict
//! Content-Security-Policy and Trusted Types both allow, and it does not
//! move for users who ask for reduced motion.

use js_sys::Reflect;
use wasm_bindgen::prelude::*;
use web_sys::{Document, Element, HtmlElement};

use crate::flow;
use crate::js::field;
use gloo_events::EventListener;

#[wasm_bindgen]
extern "C" {
    /// An element, seen only for `animate()` (web-sys' version needs two
    /// more features and dictionary types for the same call).
    type Animatable;
    #[wasm_bindgen(method, catch)]
    fn animate(
        this: &Animatable,
        keyframes: &JsValue,
        options: &JsValue,
    ) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_namespace = globalThis, js_name = matchMedia)]
    fn match_media(query: &str) -> Result<JsValue, JsValue>;
}

/// `pointer-events: auto`: a page modal may have set `none` on the body
/// (Radix UI's Dialog does), which the overlay and its button would inherit.
const BACKDROP: &str = "all:revert;position:fixed;inset:0;z-index:2147483647;display:flex;\
align-items:center;justify-content:center;background:rgba(15,23,42,.55);pointer-events:auto";
const SPINNER: &str = "all:revert;width:44px;height:44px;box-sizing:border-box;border-radius:50%;\
border:4px solid rgba(255,255,255,.3);border-top-color:#fff";
const CLOSE: &str =
    "all:revert;position:absolute;inset-inline-end:16px;top:16px;width:44px;height:44px;\
border:0;border-radius:50%;background:#fff;color:#0f172a;font:24px/44px system-ui,sans-serif;\
cursor:pointer";
/// One turn a second, forever: `1e400` is how JSON spells `Infinity`
/// (it overflows to it), so both values come from one `JSON.parse`.
const SPIN: &str =
    r#"[{"transform":["rotate(0)","rotate(1turn)"]},{"duration":1000,"iterations":1e400}]"#;

/// The overlay in the page; dropping it removes it and its listeners.
#[must_use = "the overlay is removed as soon as it is dropped"]
pub(crate) struct Overlay {
    root: Element,
    _on_click: EventListener,
    _on_escape: EventListener,
}

impl Overlay {
    /// Appends the overlay to `parent`. It carries `data-kombo-connect` so
    /// tests (ours and the customer's) can find it.
    pub(crate) fn show(document: &Document, parent: &Element) -> Result<Overlay, JsValue> {
        let root = element(
            document,
            "div",
            BACKDROP,
            &[
                ("data-kombo-connect", "loading"),
                ("role", "dialog"),
                ("aria-modal", "true"),
                ("aria-busy", "true"),
                ("aria-label", "Loading Kombo Connect"),
            ],
        )?;
        let spinner = element(document, "div", SPINNER, &[("role", "progressbar")])?;
        let button = element(
            document,
            "button",
            CLOSE,
            &[("type", "button"), ("aria-label", "Close")],
        )?;
        button.set_text_content(Some("\u{d7}"));
        root.append_with_node_2(&spinner, &button)?;
        if !reduced_motion() {
            if let Ok(spin) = js_sys::JSON::parse(SPIN) {
                let (frames, timing) = (Reflect::get_u32(&spin, 0)?, Reflect::get_u32(&spin, 1)?);
                let _ = spinner
                    .unchecked_ref::<Animatable>()
                    .animate(&frames, &timing);
            }
        }
        parent.append_with_node_1(&root)?;
        // Closing means whatever the SDK is doing at the time: cancelling
        // connect()'s init request, or the flow. `flow` decides, in one place.
        let on_escape = EventListener::new(document, "keydown", |event| {
            if field(event, "key").and_then(|k| k.as_string()).as_deref() == Some("Escape") {
                flow::overlay_closed();
            }
        });
        Ok(Overlay {
            root,
            _on_click: EventListener::new(&button, "click", |_| flow::overlay_closed()),
            _on_escape: on_escape,
        })
    }

    /// The element, so the iframe can go in right before it (and under it).
    pub(crate) fn element(&self) -> &Element {
        &self.root
    }
}

impl Drop for Overlay {
    fn drop(&mut self) {
        self.root.remove();
    }
}

/// One element, styled through the CSSOM: `style.cssText`, unlike a
/// `style` attribute, is allowed by a CSP without 'unsafe-inline'. Each
/// style starts with `all:revert`, so that the page's own rules for `div`
/// and `button` (a margin, a padding, a minimum width) do not reshape it.
fn element(
    document: &Document,
    tag: &str,
    css: &str,
    attributes: &[(&str, &str)],
) -> Result<Element, JsValue> {
    let el: HtmlElement = document.create_element(tag)?.unchecked_into();
    el.style().set_css_text(css);
    for (name, value) in attributes {
        el.set_attribute(name, value)?;
    }
    Ok(el.into())
}

fn reduced_motion() -> bool {
    match_media("(prefers-reduced-motion: reduce)")
        .ok()
        .and_then(|list| field(&list, "matches"))
        .is_some_and(|m| m.is_truthy())
}
