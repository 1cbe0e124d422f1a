//! The open Connect flow: one iframe, its listeners, and the lock that says
//! a flow is open.
//!
//! The reference keeps a module-level `isOpen` boolean next to the iframe
//! and the listeners, and every path that forgets to reset it (an invalid
//! URL, the page removing the iframe) leaves the SDK stuck "open" for the
//! life of the page. Here the page-facing state is one value, [`State`]:
//! idle, covering the page while `connect()` waits for a link, or open.
//! Ending a flow takes it out of its slot and drops it, which removes the
//! listeners, the observer, the iframe and the cover, gives focus back and
//! releases the [`Lock`], so none of them can outlive the others.
//!
//! Page code runs synchronously inside many DOM calls (`focus()` and
//! `remove()` fire `focusin`/`focusout`, a callback calls `onEvent`), and a
//! page handler may call the SDK again or abort. So the slot is only ever
//! borrowed for plain field moves: whatever must be dropped or called is
//! moved out first and dropped after the borrow has ended.
//!
//! The flow itself is a Rust future, [`Flow`], of the activation token (or
//! why there is none); `lib.rs` alone settles a Promise with it.

use std::cell::RefCell;
use std::future::Future;
use std::mem;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_channel::oneshot;
use gloo_events::EventListener;
use gloo_timers::callback::Timeout;
use wasm_bindgen::prelude::*;
use web_sys::{AbortController, AbortSignal, Element, Event, HtmlIFrameElement, MessageEvent};

use crate::cover::{check_attached, Cover};
use crate::error::Error;
use crate::events::Events;
use crate::js::{self, field};
use crate::observer::SubtreeObserver;
use crate::overlay::Overlay;
use crate::protocol::{self, LinkError, LoadFailure, Message};

thread_local! {
    /// What the SDK is doing to the page right now.
    static STATE: RefCell<State> = const { RefCell::new(State::Idle) };
}

/// The page-facing state of the SDK.
// One value per page, in one slot: boxing the open flow would only add an
// allocation per flow.
#[allow(clippy::large_enum_variant)]
enum State {
    Idle,
    /// `connect()` covers the page while its init request runs; closing
    /// the overlay aborts the run.
    Waiting {
        cover: Cover,
        run: AbortController,
    },
    Open(OpenFlow),
}

/// Swaps the state; the old one is returned, to be dropped by the caller
/// outside the borrow.
fn replace(next: State) -> State {
    STATE.with(|slot| match slot.try_borrow_mut() {
        Ok(mut slot) => mem::replace(&mut *slot, next),
        // Only a panic inside `with_open` leaves the slot borrowed; then
        // the instance is being replaced anyway (src/panic.rs).
        Err(_) => next,
    })
}

/// Takes the state out if it is the one `wanted`, leaving `Idle`; the
/// caller drops what it gets, outside the borrow.
fn take_if(wanted: fn(&State) -> bool) -> State {
    STATE.with(|slot| match slot.try_borrow_mut() {
        Ok(mut slot) if wanted(&slot) => mem::replace(&mut *slot, State::Idle),
        _ => State::Idle,
    })
}

fn take_open() -> Option<OpenFlow> {
    match take_if(|state| matches!(state, State::Open(_))) {
        State::Open(flow) => Some(flow),
        _ => None,
    }
}

fn take_waiting() -> Option<Cover> {
    match take_if(|state| matches!(state, State::Waiting { .. })) {
        State::Waiting { cover, .. } => Some(cover),
        _ => None,
    }
}

/// Runs `f` on the open flow, if any. `f` must only move fields: anything
/// it takes out is returned and dropped by the caller, after the borrow.
fn with_open<R>(f: impl FnOnce(&mut OpenFlow) -> R) -> Option<R> {
    STATE.with(|slot| match &mut *slot.try_borrow_mut().ok()? {
        State::Open(flow) => Some(f(flow)),
        _ => None,
    })
}

/// Ends whatever the SDK is doing to the page, without settling anything:
/// the panic handler's way back to a clean page. A flow's future then
/// resolves to [`Error::Internal`].
pub(crate) fn tear_down() {
    drop(replace(State::Idle));
}

/// The right to open the flow: at most one exists at a time on the page,
/// across every copy of the SDK loaded in it (a script tag and a bundle,
/// two micro-frontends), and dropping it lets the next caller in. The flag
/// itself lives in `js/host.js`, on the page's global object.
#[must_use = "the lock is released as soon as it is dropped"]
pub(crate) struct Lock(());

/// Takes the lock, or fails with [`Error::AlreadyOpen`] while a flow is
/// open or a `connect()` is running, from this copy of the SDK or another.
pub(crate) fn lock() -> Result<Lock, Error> {
    match js::take_page_lock() {
        true => Ok(Lock(())),
        false => Err(Error::AlreadyOpen),
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        js::release_page_lock();
    }
}

/// The page covered by `connect()` while it waits for a link. Dropping it
/// uncovers the page, unless the cover has gone on to a flow.
#[must_use = "the page is uncovered as soon as this is dropped"]
pub(crate) struct Waiting(());

/// Covers the page until the flow opens in it (or the `Waiting` is
/// dropped); closing the loading overlay meanwhile aborts `run`.
pub(crate) fn wait(_held: &Lock, cover: Cover, run: AbortController) -> Waiting {
    drop(replace(State::Waiting { cover, run }));
    Waiting(())
}

/// The user closed the loading overlay (its button or Escape): cancels
/// whatever the overlay covers, the init request or the flow.
pub(crate) fn overlay_closed() {
    let run = STATE.with(|slot| match &*slot.try_borrow().ok()? {
        State::Waiting { run, .. } => Some(run.clone()),
        _ => None,
    });
    match run {
        // Outside the borrow: aborting runs the signal's listeners.
        Some(run) => run.abort(),
        None => finish(Err(Error::UserCancelled)),
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        drop(take_waiting());
    }
}

/// An open flow: what settles it, and everything it put in the page.
struct OpenFlow {
    parts: Parts,
    done: oneshot::Sender<Outcome>,
    events: Events,
}

/// Everything that exists while a flow is open. Field order is drop order:
/// the listeners go first, so removing the iframe cannot call back into a
/// flow that is being torn down, and the lock goes last, so a page handler
/// that runs during the teardown cannot open a second flow into it.
struct Parts {
    _on_message: EventListener,
    _on_abort: Option<EventListener>,
    _on_load: EventListener,
    _on_csp: EventListener,
    /// The frame's removal, or its `src` changed by page code.
    _on_change: SubtreeObserver,
    /// Until the flow loads: fails it with `KomboConnectLoadError`.
    load_timeout: Option<Timeout>,
    /// Until the flow loads: draws the loading overlay.
    overlay_timeout: Option<Timeout>,
    _frame: Mounted,
    cover: Cover,
    /// Held when `showKomboConnect` opened the flow; `None` when a
    /// `connect()` call holds the lock around it.
    _lock: Option<Lock>,
}

/// The iframe in the page (or queued to go in, see `js::insert_frame`);
/// dropping it removes it.
struct Mounted(HtmlIFrameElement);

impl Drop for Mounted {
    fn drop(&mut self) {
        js::remove_frame(&self.0);
    }
}

/// A link the flow may open: the URL to put in the iframe, with `sdkv`
/// added, and the origin whose messages we accept.
pub(crate) struct Link {
    /// The iframe's `src`.
    pub(crate) src: String,
    /// `scheme://host[:port]` of the link, compared with `MessageEvent.origin`.
    pub(crate) origin: String,
}

impl Link {
    /// Parses and checks a link with the browser's URL parser, so what we
    /// check is exactly what the iframe will load.
    pub(crate) fn parse(url: &str) -> Result<Link, Error> {
        let parsed = js::url(url).ok_or(Error::Link(LinkError::Invalid))?;
        protocol::check_link(&parsed.protocol(), &parsed.hostname()).map_err(Error::Link)?;
        let origin = parsed.origin();
        js::with_page_origin(|page| protocol::check_origin(&origin, page)).map_err(Error::Link)?;
        parsed
            .search_params()
            .set(protocol::SDK_VERSION_PARAM, protocol::SDK_VERSION);
        Ok(Link {
            src: parsed.href(),
            origin,
        })
    }
}

/// Where the flow goes and what can stop it: `showKomboConnect`'s options.
#[derive(Clone)]
pub(crate) struct Options {
    /// The element to append the iframe to; `document.body` when `None`.
    pub(crate) container: Option<Element>,
    /// Aborting it closes the flow and rejects with an `AbortError`.
    pub(crate) signal: Option<AbortSignal>,
    /// `onEvent`: `open`, `loaded`, then `success`, `cancel`, `error` or
    /// `abort`, then `close`.
    pub(crate) events: Events,
    /// `loading`: draw the loading overlay if the flow is still loading
    /// after `OVERLAY_DELAY_MS`, until it has loaded.
    pub(crate) loading: bool,
    /// `loadTimeoutMs`: fail with `KomboConnectLoadError` if the flow has
    /// not loaded by then; 0 for never.
    pub(crate) load_timeout_ms: u32,
    /// Whether a `success` without a token ends the flow: only a
    /// reconnection's may, since its integration exists already. Not a
    /// page option.
    pub(crate) token_optional: bool,
}

impl Options {
    /// Reads `showKomboConnect`'s options object (or `undefined`); `connect()`
    /// reads the same ones from its own options.
    pub(crate) fn read(options: &JsValue) -> Result<Options, Error> {
        let get = |name| js::option(options, name);
        Ok(Options {
            container: js::container(get("container")?)?,
            signal: js::signal(get("signal")?)?,
            events: Events::read(get("onEvent")?)?,
            loading: get("loading")? != JsValue::FALSE,
            load_timeout_ms: js::millis(
                get("loadTimeoutMs")?,
                DEFAULT_LOAD_TIMEOUT_MS,
                "loadTimeoutMs",
            )?,
            token_optional: false,
        })
    }

    /// What to reject with if the caller's signal has already fired.
    pub(crate) fn abort_error(&self) -> Option<Error> {
        self.signal
            .as_ref()
            .filter(|signal| signal.aborted())
            .map(Error::aborted)
    }
}

/// How long a flow may take to load before it counts as failed.
pub(crate) const DEFAULT_LOAD_TIMEOUT_MS: u32 = 20_000;
/// How long `showKomboConnect` waits for the flow to load before it draws
/// the loading overlay: a tenth of a second still feels instant, and most
/// flows load before it, so the spinner does not flash.
const OVERLAY_DELAY_MS: u32 = 100;

/// How a flow ended: its activation token (`None` only when
/// [`Options::token_optional`] allowed a `success` without one), or why
/// there is none.
pub(crate) type Outcome = Result<Option<String>, Error>;

/// The outcome of an open flow. Resolves once the flow has been torn down.
#[must_use = "the flow's outcome is lost if it is not awaited"]
pub(crate) struct Flow(oneshot::Receiver<Outcome>);

impl Future for Flow {
    type Output = Outcome;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // A sender dropped without an outcome: the panic handler tore the
        // flow down.
        Pin::new(&mut self.0)
            .poll(cx)
            .map(|outcome| outcome.unwrap_or(Err(Error::Internal)))
    }
}

/// Opens the flow for `showKomboConnect`.
///
/// The checks run in the reference's order (already open, then container,
/// then link), and all of them before anything touches the page, so a
/// refusal leaves no iframe and no lock behind. An already aborted signal
/// is refused first, as `fetch` does.
pub(crate) fn open(url: &str, mut options: Options) -> Result<Flow, Error> {
    if let Some(aborted) = options.abort_error() {
        return Err(aborted);
    }
    let lock = lock()?;
    // Before the link, as the reference does; `Cover::new` checks it again
    // for `connect()`, but only after.
    check_attached(options.container.as_ref())?;
    let link = Link::parse(url)?;
    let cover = Cover::new(options.container.take(), false)?;
    mount(&link, options, cover, Some(lock))
}

/// Opens the flow in the page `connect()` covered while it waited.
pub(crate) fn open_waiting(waiting: Waiting, link: &Link, options: Options) -> Result<Flow, Error> {
    // The cover now belongs to the flow; `waiting` has nothing left to drop.
    let cover = take_waiting().ok_or(Error::Internal)?;
    drop(waiting);
    mount(link, options, cover, None)
}

fn mount(link: &Link, options: Options, cover: Cover, lock: Option<Lock>) -> Result<Flow, Error> {
    let Options {
        signal,
        events,
        loading,
        load_timeout_ms,
        token_optional,
        ..
    } = options;
    let overlay_timeout =
        (loading && cover.overlay.is_none()).then(|| Timeout::new(OVERLAY_DELAY_MS, show_overlay));
    let iframe = js::create_frame(&link.src).ok_or(Error::Dom)?;

    // It goes under the overlay, if that is up already.
    js::insert_frame(
        &cover.parent,
        &iframe,
        cover.overlay.as_ref().map(Overlay::element),
    );
    // From here the frame is owned by `Mounted`: any early return removes it.
    let frame = Mounted(iframe.clone());
    let on_csp = EventListener::new(&cover.document, "securitypolicyviolation", {
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
    let on_message = listen_for_messages(iframe.clone(), link.origin.clone(), token_optional);
    let on_load = EventListener::new(&iframe, "load", {
        let (events, iframe, origin) = (events.clone(), iframe.clone(), link.origin.clone());
        // The flow is never on our origin (`Link::parse`), so a document we
        // can read is one the page navigated the frame to.
        move |_: &Event| match iframe.content_document() {
            Some(_) => fail_load(LoadFailure::Replaced(&origin)),
            None => loaded(&iframe, &events),
        }
    });
    // The frame's tree is its parent's: the frame may not be in it yet.
    let on_change = SubtreeObserver::new(&cover.parent, {
        let (src, origin) = (link.src.clone(), link.origin.clone());
        let inert = cover.inert_children();
        move || {
            if !iframe.is_connected() {
                finish(Err(Error::Removed));
            } else if iframe.get_attribute("src").as_deref() != Some(&src)
                || iframe.has_attribute("srcdoc")
            {
                fail_load(LoadFailure::Replaced(&origin));
            } else if let Some(inert) = &inert {
                // Whatever the page added to the body meanwhile.
                inert.cover(Some(&iframe));
            }
        }
    })
    .and_then(|observer| observer.with_attributes(&frame.0))
    .map_err(|_| Error::Dom)?;
    let on_abort = signal.map(|signal| {
        EventListener::new(&signal.clone(), "abort", move |_| {
            finish(Err(Error::aborted(&signal)))
        })
    });

    let (done, outcome) = oneshot::channel();
    let parts = Parts {
        _on_message: on_message,
        _on_abort: on_abort,
        _on_load: on_load,
        _on_csp: on_csp,
        _on_change: on_change,
        load_timeout,
        overlay_timeout,
        _frame: frame,
        cover,
        _lock: lock,
    };
    drop(replace(State::Open(OpenFlow {
        parts,
        done,
        events: events.clone(),
    })));
    events.emit("open");
    Ok(Flow(outcome))
}

/// The flow's page loaded: focus moves in, and the time-out and the
/// overlay are done.
///
/// Focus moves in now rather than when the iframe is created: `focus()`
/// forces a synchronous style and layout of the page, which made opening
/// measurably slower than the reference's (`make bench`), while a blank
/// iframe gains nothing from focus. By `load` the browser has laid out the
/// iframe anyway. A later navigation inside the flow loads a document with
/// nothing focused yet, so focusing the iframe again is harmless.
fn loaded(iframe: &HtmlIFrameElement, events: &Events) {
    let _ = iframe.focus();
    alive();
    events.emit("loaded");
}

/// The flow showed signs of life (its `load`, or any message from its
/// window): the load time-out must not fire and the overlay must not cover
/// it. A flow whose page waits on a slow image still posts its messages.
fn alive() {
    let done = with_open(|flow| {
        (
            flow.parts.load_timeout.take(),
            flow.parts.overlay_timeout.take(),
            flow.parts.cover.overlay.take(),
        )
    });
    drop(done);
}

/// The flow is still loading after `OVERLAY_DELAY_MS`: draw the overlay.
fn show_overlay() {
    let Some((document, parent)) = with_open(|flow| {
        (flow.parts.cover.overlay.is_none()).then(|| {
            (
                flow.parts.cover.document.clone(),
                flow.parts.cover.parent.clone(),
            )
        })
    })
    .flatten() else {
        return;
    };
    let mut overlay = Overlay::show(&document, &parent).ok();
    with_open(|flow| mem::swap(&mut flow.parts.cover.overlay, &mut overlay));
    // `None`, unless the flow ended meanwhile: then the new overlay goes.
    drop(overlay);
}

/// Settles the open flow, if any: tears it down first, then reports and
/// sends the outcome, so a handler that reopens the flow finds it free.
fn finish(outcome: Outcome) {
    // Not open: a second event in the same turn, or a page handler that
    // runs during the teardown below and closes again. Nothing to do.
    let Some(OpenFlow {
        parts,
        done,
        events,
    }) = take_open()
    else {
        return;
    };
    drop(parts);
    events.emit(match &outcome {
        Ok(_) => "success",
        Err(error) => error.event(),
    });
    events.emit("close");
    let _ = done.send(outcome);
}

fn fail_load(failure: LoadFailure) {
    finish(Err(Error::Load {
        reason: failure.reason(),
        message: failure.describe(),
    }));
}

/// Listens for the flow's messages. Accepts a message only if it comes from
/// this iframe's window *and* from the link's origin: the first alone (all
/// the reference checks) would accept a success from whatever page the
/// iframe has navigated to.
fn listen_for_messages(
    iframe: HtmlIFrameElement,
    origin: String,
    token_optional: bool,
) -> EventListener {
    EventListener::new(&js::global(), "message", move |event: &Event| {
        let Some(event) = event.dyn_ref::<MessageEvent>() else {
            return;
        };
        let from_frame = match (event.source(), iframe.content_window()) {
            (Some(source), Some(frame)) => JsValue::from(source) == JsValue::from(frame),
            _ => false,
        };
        if !from_frame {
            return;
        }
        alive();
        if event.origin() != origin {
            return;
        }
        match read_message(&event.data()) {
            Message::Success(token) => finish(Ok(Some(token))),
            Message::Finished if token_optional => finish(Ok(None)),
            Message::Close => finish(Err(Error::UserCancelled)),
            Message::Finished | Message::Ignore => {}
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
