//! What the SDK does to the page around the flow, and undoes.
//!
//! From the moment a flow starts (before the iframe exists, while
//! `connect()` waits for a link) until it ends, the page behind it is
//! covered: a loading overlay, the page lock (`inert`, scroll), and the
//! element focus goes back to. All of it is one value, [`Cover`], so it is
//! put back by one drop, whichever way the flow ended.

use wasm_bindgen::prelude::*;
use web_sys::{Document, Element, HtmlElement};

use crate::error::Error;
use crate::js;
use crate::overlay::Overlay;
use crate::page::{InertChildren, PageLock};
use crate::top_layer::TopLayer;

/// The page around a flow. Field order is drop order: the page must no
/// longer be inert when focus returns to an element in it.
pub(crate) struct Cover {
    pub(crate) overlay: Option<Overlay>,
    /// Our own modal dialog, when the page has something in the top layer.
    _top: Option<TopLayer>,
    page: PageLock,
    _focus: FocusReturn,
    pub(crate) document: Document,
    pub(crate) parent: Element,
}

impl Cover {
    /// Covers the page for a flow that will go in `container` (the body
    /// when `None`), with the loading overlay unless `loading` is false.
    pub(crate) fn new(container: Option<Element>, loading: bool) -> Result<Cover, Error> {
        check_attached(container.as_ref())?;
        let document = js::document();
        if !document.is_object() {
            return Err(Error::NoDocument);
        }
        let document: Document = document.unchecked_into();
        let body: Option<Element> = document.body().map(Into::into);
        let on_body = container.is_none();
        let parent = container
            .or_else(|| body.clone())
            .ok_or(Error::NoDocument)?;
        let focus =
            FocusReturn(js::focused(&document).and_then(|el| el.dyn_into::<HtmlElement>().ok()));
        // Above a page's own modal dialog, the flow needs the top layer too;
        // a modal dialog of ours then makes the page inert natively.
        let top = match (on_body, &body) {
            (true, Some(body)) => TopLayer::over_page(&document, body),
            _ => None,
        };
        let inert_children = body.as_ref().filter(|_| on_body && top.is_none());
        let page = PageLock::new(&document, inert_children);
        let parent = top.as_ref().map_or(parent, |top| top.element().clone());
        let overlay = match loading {
            true => Some(Overlay::show(&document, &parent).map_err(|_| Error::Dom)?),
            false => None,
        };
        Ok(Cover {
            overlay,
            _top: top,
            page,
            _focus: focus,
            document,
            parent,
        })
    }

    /// The body's children made inert, when the flow is on the body and
    /// not in the top layer (where our modal dialog does it natively).
    pub(crate) fn inert_children(&self) -> Option<InertChildren> {
        self.page.inert_children()
    }
}

/// Refuses a container that is not in the document: the iframe would be
/// invisible there.
pub(crate) fn check_attached(container: Option<&Element>) -> Result<(), Error> {
    match container {
        Some(c) if !c.is_connected() => Err(Error::ContainerDetached),
        _ => Ok(()),
    }
}

/// Gives focus back, when dropped, to the element that had it when the flow
/// started, if it is still in the page.
struct FocusReturn(Option<HtmlElement>);

impl Drop for FocusReturn {
    fn drop(&mut self) {
        if let Some(el) = self.0.take().filter(|el| el.is_connected()) {
            let _ = el.focus();
        }
    }
}
