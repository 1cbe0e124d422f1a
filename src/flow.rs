//! The open Connect flow: one iframe, its listeners, and the lock that says
//! a flow is open.
//!
//! The reference keeps a module-level `isOpen` boolean next to the iframe
//! and the listeners, and every path that forgets to reset it (an invalid
//! URL, the page removing the iframe) leaves the SDK stuck "open" for the
//! life of the page. Here the lock is a value, [`Lock`], released when it
//! is dropped, and `showKomboConnect` stores it in the [`OpenFlow`] it
//! opens. Settling the Promise takes the flow out of its slot and drops it,
//! which removes the message listener, disconnects the observer, removes the
//! iframe, gives focus back and releases the lock, so none of them can
//! outlive the others. `connect()` (src/glue.rs) holds a `Lock` of its own
//! from its first request to its last, around the flow it opens. An
//! `AbortSignal` listener is one more field of the flow, so aborting closes
//! it the same way.

use alloc::rc::Rc;
use alloc::string::String;
use core::cell::RefCell;
use core::sync::atomic::{AtomicBool, Ordering::Relaxed};

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use web_sys::{
    AbortSignal, Document, Element, Event, HtmlElement, HtmlIFrameElement, MessageEvent, Url,
};

use crate::error::Error;
use crate::events::Events;
use crate::js::{self, field};
use crate::listener::Listener;
use crate::observer::SubtreeObserver;
use crate::overlay::Overlay;
use crate::page::PageLock;
use crate::protocol::{self, LinkError, LoadFailure, Message};
use crate::timer::Timeout;

/// The open flow, if any.
static OPEN: Single<Option<OpenFlow>> = Single(RefCell::new(None));
/// Whether a [`Lock`] exists: a flow is open or a `connect()` is running.
static LOCKED: AtomicBool = AtomicBool::new(false);

/// A global of a module that has one thread. `no_std` has no
/// `thread_local!`, and the flow's JS handles are not `Sync`.
struct Single<T>(RefCell<T>);

#[cfg(target_feature = "atomics")]
compile_error!("the flow's globals assume a single-threaded module (no `atomics`)");

// SAFETY: without the `atomics` target feature a wasm module has exactly one
// thread, so the cell is never reached from two threads. Natively (unit
// tests of the pure modules) nothing touches it.
unsafe impl<T> Sync for Single<T> {}

/// The right to open the flow: at most one exists at a time, and dropping
/// it lets the next caller in.
#[must_use = "the lock is released as soon as it is dropped"]
pub struct Lock(());

/// Takes the lock, or fails with [`Error::AlreadyOpen`] while a flow is
/// open or a `connect()` is running.
pub fn lock() -> Result<Lock, Error> {
    if LOCKED.swap(true, Relaxed) {
        return Err(Error::AlreadyOpen);
    }
    Ok(Lock(()))
}

impl Drop for Lock {
    fn drop(&mut self) {
        LOCKED.store(false, Relaxed);
    }
}

/// The sandbox tokens of the reference iframe, kept identical: Kombo's flow
/// relies on popups (OAuth windows), downloads and top navigation.
const SANDBOX: &str = "allow-scripts allow-downloads allow-same-origin allow-top-navigation \
allow-forms allow-popups allow-pointer-lock allow-popups-to-escape-sandbox";

/// Everything that exists while a flow is open. Field order is drop order:
/// the listeners go first, so removing the iframe cannot call back into a
/// flow that is being torn down.
struct OpenFlow {
    _on_message: Listener,
    _on_abort: Option<Listener>,
    _on_load: Listener,
    _on_csp: Listener,
    _on_unmount: SubtreeObserver,
    /// Until the flow loads: fails it with `KomboConnectLoadError`.
    load_timeout: Option<Timeout>,
    /// Until the flow loads: draws the loading overlay.
    overlay_timeout: Option<Timeout>,
    _frame: Mounted,
    cover: Cover,
    resolve: Function,
    reject: Function,
    events: Events,
    /// Held when `showKomboConnect` opened the flow; `None` when a
    /// `connect()` call holds the lock around it.
    _lock: Option<Lock>,
}

/// The iframe in the page; dropping it removes it.
struct Mounted(HtmlIFrameElement);

impl Drop for Mounted {
    fn drop(&mut self) {
        self.0.remove();
    }
}

/// What the SDK does to the page around the flow, from the moment it starts
/// (before the iframe exists, while `connect()` waits for a link) until it
/// ends: the loading overlay, the page lock, and where focus goes back to.
/// Field order is drop order: the page must no longer be inert when focus
/// returns to an element in it.
pub struct Cover {
    overlay: Option<Overlay>,
    _page: PageLock,
    _focus: FocusReturn,
    document: Document,
    parent: Element,
}

impl Cover {
    /// Covers the page for a flow that will go in `container` (the body
    /// when `None`), with the loading overlay unless `loading` is false.
    pub fn new(container: Option<Element>, loading: bool) -> Result<Cover, Error> {
        check_attached(container.as_ref())?;
        let document = js::DOCUMENT.with(JsValue::clone);
        if !document.is_object() {
            return Err(Error::NoDocument);
        }
        let document: Document = document.unchecked_into();
        let body: Option<Element> = document.body().map(Into::into);
        let on_body = container.is_none();
        let parent = container
            .or_else(|| body.clone())
            .ok_or(Error::NoDocument)?;
        let focus = FocusReturn(
            document
                .active_element()
                .and_then(|el| el.dyn_into::<HtmlElement>().ok()),
        );
        let page = PageLock::new(&document, body.as_ref().filter(|_| on_body));
        let overlay = match loading {
            true => Some(Overlay::show(&document, &parent).map_err(|_| Error::Dom)?),
            false => None,
        };
        Ok(Cover {
            overlay,
            _page: page,
            _focus: focus,
            document,
            parent,
        })
    }

    /// Draws the loading overlay over the page (and over the iframe, if
    /// it is already there), unless it is up already.
    fn show_overlay(&mut self) {
        if self.overlay.is_none() {
            self.overlay = Overlay::show(&self.document, &self.parent).ok();
        }
    }

    /// Runs `close` when the user closes the loading overlay.
    pub fn on_close(&mut self, close: Rc<dyn Fn()>) {
        if let Some(overlay) = &mut self.overlay {
            overlay.on_close(close);
        }
    }
}

/// Refuses a container that is not in the document: the iframe would be
/// invisible there.
// Inlined: as a call it added 23 bytes gzip to the package.
#[inline(always)]
fn check_attached(container: Option<&Element>) -> Result<(), Error> {
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

/// A link the flow may open: the URL to put in the iframe, with `sdkv`
/// added, and the origin whose messages we accept.
pub struct Link {
    /// The iframe's `src`.
    pub src: String,
    /// `scheme://host[:port]` of the link, compared with `MessageEvent.origin`.
    pub origin: String,
}

impl Link {
    /// Parses and checks a link with the browser's URL parser, so what we
    /// check is exactly what the iframe will load.
    pub fn parse(url: &str) -> Result<Link, Error> {
        let parsed = Url::new(url).map_err(|_| Error::Link(LinkError::Invalid))?;
        protocol::check_link(&parsed.protocol(), &parsed.hostname()).map_err(Error::Link)?;
        parsed
            .search_params()
            .set(protocol::SDK_VERSION_PARAM, protocol::SDK_VERSION);
        Ok(Link {
            src: parsed.href(),
            origin: parsed.origin(),
        })
    }
}

/// Where the flow goes and what can stop it: `showKomboConnect`'s options.
pub struct Options {
    /// The element to append the iframe to; `document.body` when `None`.
    pub container: Option<Element>,
    /// Aborting it closes the flow and rejects with an `AbortError`.
    pub signal: Option<AbortSignal>,
    /// `onEvent`: `open`, `loaded`, then `success`, `cancel`, `error` or
    /// `abort`, then `close`.
    pub events: Events,
    /// `loading`: draw the loading overlay if the flow is still loading
    /// after `OVERLAY_DELAY_MS`, until it has loaded.
    pub loading: bool,
    /// `loadTimeoutMs`: fail with `KomboConnectLoadError` if the flow has
    /// not loaded by then; 0 for never.
    pub load_timeout_ms: u32,
    /// A cover `connect()` put up while it waited for the link.
    pub cover: Option<Cover>,
}

impl Options {
    /// Reads `showKomboConnect`'s options object (or `undefined`); `connect()`
    /// reads the same ones from its own options and passes them on.
    pub fn read(options: &JsValue) -> Result<Options, Error> {
        let get = |name| field(options, name).unwrap_or(JsValue::UNDEFINED);
        Ok(Options {
            container: js::container(get("container"))?,
            signal: js::signal(get("signal"))?,
            events: Events::read(get("onEvent"))?,
            loading: get("loading") != JsValue::FALSE,
            load_timeout_ms: js::millis(
                get("loadTimeoutMs"),
                DEFAULT_LOAD_TIMEOUT_MS,
                "loadTimeoutMs",
            )?,
            cover: None,
        })
    }
}

/// How long a flow may take to load before it counts as failed.
pub const DEFAULT_LOAD_TIMEOUT_MS: u32 = 20_000;
/// How long `showKomboConnect` waits for the flow to load before it draws
/// the loading overlay: a tenth of a second still feels instant.
const OVERLAY_DELAY_MS: u32 = 100;

/// Opens the flow and returns the Promise of its activation token.
///
/// The checks run in the reference's order (already open, then container,
/// then link), and all of them before anything touches the page, so a
/// refusal leaves no iframe and no lock behind. An already aborted signal
/// is refused first, as `fetch` does.
pub fn open(url: &str, options: Options) -> Result<Promise, Error> {
    if options.signal.as_ref().is_some_and(AbortSignal::aborted) {
        return Err(Error::Aborted(None));
    }
    let lock = lock()?;
    mount(url, options, Some(lock))
}

/// Opens the flow for a caller that already holds the lock.
pub fn open_locked(_held: &Lock, url: &str, options: Options) -> Result<Promise, Error> {
    mount(url, options, None)
}

fn mount(
    url: &str,
    Options {
        container,
        signal,
        events,
        loading,
        load_timeout_ms,
        cover,
    }: Options,
    lock: Option<Lock>,
) -> Result<Promise, Error> {
    // Checked before the link, as the reference does; `Cover::new` below
    // would check it only after.
    if cover.is_none() {
        check_attached(container.as_ref())?;
    }
    let link = Link::parse(url)?;
    // The flow's own page often loads in well under a second: drawing a
    // spinner for that would only flash, and creating it was most of the
    // time this call added to the reference's (make bench). So the overlay
    // comes up only if the flow is still loading after OVERLAY_DELAY_MS,
    // unless connect() already put it up while it waited for the link.
    let mut cover = match cover {
        Some(cover) => cover,
        None => Cover::new(container, false)?,
    };
    cover.on_close(Rc::new(close_overlay));
    let overlay_timeout = (loading && cover.overlay.is_none()).then(|| {
        Timeout::new(OVERLAY_DELAY_MS, || {
            if let Ok(mut slot) = OPEN.0.try_borrow_mut() {
                if let Some(flow) = slot.as_mut() {
                    flow.cover.show_overlay();
                    flow.cover.on_close(Rc::new(close_overlay));
                }
            }
        })
    });
    let document = cover.document.clone();

    let iframe = create_iframe(&document, &link.src).map_err(|_| Error::Dom)?;
    let (mut resolve, mut reject) = (None, None);
    let promise = Promise::new(&mut |res, rej| {
        resolve = Some(res);
        reject = Some(rej);
    });
    let (Some(resolve), Some(reject)) = (resolve, reject) else {
        // The Promise constructor runs its executor synchronously; this
        // branch is unreachable in any conforming JS engine.
        return Err(Error::Dom);
    };

    // The frame is owned by `Mounted` from the moment it is in the page, so
    // any early return below removes it again. It goes under the overlay.
    let under = cover.overlay.as_ref().map(|o| o.element().as_ref());
    cover
        .parent
        .insert_before(&iframe, under)
        .map_err(|_| Error::Dom)?;
    let frame = Mounted(iframe.clone());
    let on_csp = Listener::new(&document, "securitypolicyviolation", {
        let origin = link.origin.clone();
        move |event: &Event| {
            let get = |name| {
                field(event, name)
                    .and_then(|v| v.as_string())
                    .unwrap_or_default()
            };
            if protocol::blocks_frame(&get("effectiveDirective"), &get("blockedURI"), &origin) {
                fail_load(LoadFailure::Blocked(&origin));
            }
        }
    });
    let load_timeout = (load_timeout_ms > 0).then(|| {
        Timeout::new(load_timeout_ms, move || {
            fail_load(LoadFailure::TimedOut(load_timeout_ms))
        })
    });
    let on_message = listen_for_messages(iframe.clone(), link.origin);
    // Focus moves in once the flow has loaded, not during this call:
    // `focus()` forces a synchronous style and layout of the page, which
    // doubled the time to open (8.0 ms vs the reference's 4.2 ms, median of
    // 30) while a blank iframe gains nothing from focus. By `load` the
    // browser has laid out the iframe anyway, so focusing then is cheap.
    // (`new` rather than `once` shares the message listener's closure code,
    // 117 bytes gzip. A later navigation inside the flow loads a document
    // with nothing focused yet, so focusing the iframe again is harmless.)
    let on_load = Listener::new(&iframe, "load", {
        let events = events.clone();
        move |event: &Event| {
            if let Some(iframe) = event
                .target()
                .and_then(|t| t.dyn_into::<HtmlElement>().ok())
            {
                let _ = iframe.focus();
            }
            // Loaded: the overlay and the time-out are done. (A load event
            // from inside our own `finish` would find the slot borrowed.)
            if let Ok(mut slot) = OPEN.0.try_borrow_mut() {
                if let Some(flow) = slot.as_mut() {
                    flow.load_timeout = None;
                    flow.overlay_timeout = None;
                    flow.cover.overlay = None;
                }
            }
            events.emit("loaded");
        }
    });
    let on_unmount = SubtreeObserver::new(&document, move || {
        if !iframe.is_connected() {
            finish(Err(Error::Removed));
        }
    })
    .map_err(|_| Error::Dom)?;

    let on_abort =
        signal.map(|signal| Listener::new(&signal, "abort", |_| finish(Err(Error::Aborted(None)))));
    let flow = OpenFlow {
        _on_message: on_message,
        _on_abort: on_abort,
        _on_load: on_load,
        _on_csp: on_csp,
        _on_unmount: on_unmount,
        load_timeout,
        overlay_timeout,
        _frame: frame,
        cover,
        resolve,
        reject,
        events: events.clone(),
        _lock: lock,
    };
    *OPEN.0.borrow_mut() = Some(flow);
    events.emit("open");
    Ok(promise)
}

/// The user closed the loading overlay (button or Escape).
fn close_overlay() {
    finish(Err(Error::UserCancelled));
}

/// Settles the open flow, if any: tears it down first, then resolves or
/// rejects, so a `.then` handler that reopens the flow finds the slot free.
fn finish(outcome: Result<String, Error>) {
    let Some(flow) = OPEN.0.borrow_mut().take() else {
        return;
    };
    let (resolve, reject, events) = (
        flow.resolve.clone(),
        flow.reject.clone(),
        flow.events.clone(),
    );
    drop(flow);
    events.emit(match &outcome {
        Ok(_) => "success",
        Err(Error::Aborted(_)) => "abort",
        Err(Error::Load { .. }) => "error",
        Err(_) => "cancel",
    });
    events.emit("close");
    let _ = match outcome {
        Ok(token) => resolve.call1(&JsValue::UNDEFINED, &JsValue::from(token)),
        Err(error) => reject.call1(&JsValue::UNDEFINED, &JsValue::from(error)),
    };
}

fn fail_load(failure: LoadFailure) {
    finish(Err(Error::Load {
        reason: failure.reason(),
        message: failure.describe(),
    }));
}

fn create_iframe(document: &Document, src: &str) -> Result<HtmlIFrameElement, JsValue> {
    let iframe: HtmlIFrameElement = document.create_element("iframe")?.unchecked_into();
    iframe.set_attribute("src", src)?;
    iframe.set_attribute("allowtransparency", "true")?;
    iframe.set_attribute("allow", "clipboard-read; clipboard-write")?;
    iframe.set_attribute("sandbox", SANDBOX)?;
    // The reference has no title; screen readers then announce "frame".
    iframe.set_attribute("title", "Kombo Connect")?;
    // Through the CSSOM, not a `style` attribute string: a strict
    // Content-Security-Policy (`style-src` without 'unsafe-inline') blocks
    // the latter but not the former.
    // z-index: the largest value browsers keep; the reference's
    // Number.MAX_SAFE_INTEGER is clamped to it anyway.
    iframe.style().set_css_text(
        "z-index:2147483647;position:fixed;width:100%;height:100%;top:0;bottom:0;left:0;right:0",
    );
    Ok(iframe)
}

/// Listens for the flow's messages. Accepts a message only if it comes from
/// this iframe's window *and* from the link's origin: the first alone (all
/// the reference checks) would accept a success from whatever page the
/// iframe has navigated to.
fn listen_for_messages(iframe: HtmlIFrameElement, origin: String) -> Listener {
    Listener::new(&js::global(), "message", move |event: &Event| {
        let Some(event) = event.dyn_ref::<MessageEvent>() else {
            return;
        };
        let from_frame = match (event.source(), iframe.content_window()) {
            (Some(source), Some(frame)) => JsValue::from(source) == JsValue::from(frame),
            _ => false,
        };
        if !from_frame || event.origin() != origin {
            return;
        }
        match read_message(&event.data()) {
            Message::Success(token) => finish(Ok(token)),
            Message::Close => finish(Err(Error::UserCancelled)),
            Message::Ignore => {}
        }
    })
}

/// Reads `{type, data: {activation_token}}` without trusting its shape:
/// any missing field, wrong type or throwing getter reads as "absent".
fn read_message(data: &JsValue) -> Message {
    let kind = field(data, "type").and_then(|v| v.as_string());
    let token = field(data, "data")
        .and_then(|d| field(&d, "activation_token"))
        .and_then(|v| v.as_string());
    protocol::classify(kind.as_deref(), token)
}
