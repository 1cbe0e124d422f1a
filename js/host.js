// What Rust needs from JavaScript, kept out of WebAssembly on purpose.
//
// 1. The calls in flight, so they can still be settled when the instance
//    running them has trapped (src/panic.rs, `guarded` below).
// 2. Reads that run page code (a getter, a `toString`, a Proxy trap, the
//    page's `onEvent`) and may throw. They catch here and hand the
//    exception over as a value: an exception must never unwind through
//    WebAssembly frames, and wasm-bindgen's own `catch` imports leave one
//    slot of its JS-value table behind each time one throws, which a page
//    that keeps passing bad arguments would grow without bound.
// 3. Work that must not run beneath WebAssembly frames: inserting the
//    flow's iframe, and the page's `onEvent` (see `guarded`).

/** The reject functions of the calls in flight. */
export const inFlight = new Set();

/** The error a call rejects with when the SDK itself failed. */
export function internalError() {
  return new Error('kombo-connect-wasm hit an internal error (details in the console) and closed the flow; calling it again starts afresh. Please report it.');
}

/**
 * Called by Rust's panic hook, and on a trap: rejects every call in flight
 * and lets go of the page-wide lock, which the dead instance cannot.
 */
export function abandonCalls() {
  const error = internalError();
  for (const reject of inFlight) reject(error);
  inFlight.clear();
  releaseLock();
}

// One flow per page, whatever the number of copies of the SDK on it: the
// lock is a property of the page's global object, and its value says which
// copy holds it, so a copy only ever releases its own.
const LOCK = Symbol.for('kombo-connect-wasm.lock.v1');
const owner = {};
/** Takes the page-wide lock; false while any copy of the SDK holds it. */
export function takeLock() {
  if (globalThis[LOCK]) return false;
  globalThis[LOCK] = owner;
  return true;
}
/** Releases the page-wide lock, if this copy holds it. */
export function releaseLock() {
  if (globalThis[LOCK] === owner) globalThis[LOCK] = undefined;
}

/** The page's global object, where `message` events arrive. */
export const pageGlobal = () => globalThis;
/** The page's document; `undefined` outside a browser page. */
export const pageDocument = () => globalThis.document;

/** The page's origin, as links are compared with it; `'null'` when opaque or absent. */
export const pageOrigin = () => String(globalThis.location?.origin ?? 'null');

/**
 * When `doc` shows anything in the top layer, where no z-index reaches (a
 * modal dialog, an open popover, fullscreen), or its `<html>` or `<body>`
 * holds fixed elements in its own box, opens a modal dialog of ours in
 * `body` and returns it; otherwise `undefined`. (src/top_layer.rs
 * says why.) Transparent and full-viewport: it only lifts the flow; its
 * `::backdrop` would need a style sheet, which a strict CSP may refuse.
 */
export function openTopLayer(doc, body) {
  if (!(doc.fullscreenElement || focusInTopLayer(doc) || find(doc, 'dialog:modal') || find(doc, '[popover]:popover-open')
    || holdsFixed(doc.documentElement) || holdsFixed(body))) return;
  const dialog = doc.createElement('dialog');
  dialog.setAttribute('data-kombo-connect', 'flow');
  dialog.setAttribute('aria-label', 'Kombo Connect');
  // `all:revert` first, here and on every element of ours: the page's own
  // rules for `dialog`, `iframe`, `button` or `div` (a centring transform,
  // a margin, a maximum size) must not move or shrink the flow.
  dialog.style.cssText = 'all:revert;inset:0;width:100%;height:100%;max-width:none;max-height:none;margin:0;padding:0;border:0;background:transparent';
  // Escape belongs to the flow (its overlay cancels a flow still loading):
  // the dialog stays open, and if the browser or page code closes it
  // anyway, it comes back, since it holds the flow.
  dialog.addEventListener('cancel', (event) => event.preventDefault());
  dialog.addEventListener('close', () => dialog.isConnected && dialog.showModal());
  body.append(dialog);
  dialog.showModal();
  return dialog;
}

/**
 * The element that has focus, followed into open shadow roots: for a
 * button inside a web component, `document.activeElement` is the
 * component's host, which cannot take focus back itself.
 */
export function focused(doc) {
  let el = doc.activeElement;
  while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
  return el;
}

/**
 * Makes each child of `body` inert but the flow's own (its frame, and what
 * carries `data-kombo-connect`), adding to `set` each one it changed, for
 * `release`. Called as the flow starts, and again whenever the page adds to
 * the body while it is open: a toast in a new portal must be out of reach
 * of Tab too.
 */
export function inertChildren(body, frame, set) {
  for (const el of body.children) {
    if (!el.inert && el !== frame && !el.hasAttribute('data-kombo-connect')) {
      el.inert = true;
      set.push(el);
    }
  }
}

/** Gives back what `inertChildren` made inert, and only that. */
export const release = (set) => set.forEach((el) => { el.inert = false; });

// What the page has in the top layer. The searches are scoped by tag or
// attribute, which a large page matches much faster than bare
// pseudo-classes, and the fullscreen element is known without one. A modal
// dialog or popover inside a web component's shadow root is out of their
// reach, but one the user is acting in holds the focus, and the focus can
// be followed into open shadow roots (a closed one keeps its own).
const is = (el, selector) => { try { return el.matches(selector); } catch { /* older browser */ } };
const find = (doc, selector) => { try { return doc.querySelector(selector); } catch { /* older browser */ } };
function focusInTopLayer(doc) {
  for (let el = focused(doc); el; el = el.parentElement ?? el.getRootNode().host) {
    if (is(el, ':modal') || is(el, ':popover-open')) return true;
  }
  return false;
}

// Whether `el` is the containing block of the fixed elements inside it (as
// a transform, a filter, containment or will-change of either makes it): on <html> or
// <body>, the flow would shrink to that element's box and move with it. The
// top layer's containing block is the viewport, whatever its ancestors.
function holdsFixed(el) {
  const s = getComputedStyle(el);
  return s.transform + s.filter !== 'nonenone' || /paint|layout|strict|content/.test(s.contain) || /transform|filter/.test(s.willChange);
}

let thrown = null;
/** `object[key]`; if that throws, `undefined`, with the exception kept for `takeThrown()`. */
export function read(object, key) {
  try { return object[key]; } catch (error) { thrown = [error]; }
}
/** `String(value)`; if that throws, `undefined`, with the exception kept for `takeThrown()`. */
export function text(value) {
  try { return String(value); } catch (error) { thrown = [error]; }
}
/** `[exception]` of the last `read` or `text` that threw, once; otherwise `null`. */
export function takeThrown() {
  const t = thrown;
  thrown = null;
  return t;
}
/** `new URL(href)`, or `undefined` when it is not an absolute URL. */
export function parseUrl(href) {
  try { return new URL(href); } catch { /* not a URL */ }
}
/** `JSON.parse(json)`, or `undefined` when it is not JSON. */
export function parseJson(json) {
  try { return JSON.parse(json); } catch { /* not JSON */ }
}
// While a call from the page runs in Rust (`guarded`), the
// iframe's insertion and `onEvent` are queued, and run in order as soon as
// Rust has returned, before the call returns to the page: the iframe is in
// the page when showKomboConnect returns, as with the reference. Inserting
// an iframe starts its navigation (whose initiating script Chromium
// records), and beneath WebAssembly frames the same insertion, most of an
// open, was measurably slower (`make bench`, warm open).
// And an `onEvent` that calls the SDK again, or aborts, runs on a plain
// JavaScript stack. Outside such a call (a timer, a message, `connect()`
// once its requests run) nothing is queued.
let queue = null;

/**
 * Wraps an export of the runtime (js/runtime.js) so that it never throws
 * and its Promise always settles: the Promise is made here, and Rust
 * settles it through `done(failed, value)`. The export runs synchronously,
 * then what it queued, here, with no WebAssembly frame beneath it, and as
 * few JavaScript ones as can be: inserting an iframe starts its navigation,
 * which records the script that started it, and the deeper the stack the
 * longer the insertion took (`make bench`, warm open). A throw is a trap
 * that was not a panic (the panic hook has cleaned up otherwise): the
 * queue goes with the instance, which `recover` replaces.
 */
export const guarded = (fn, recover) => (first, options) => {
  let done;
  const call = new Promise((resolve, reject) => {
    inFlight.add(reject);
    done = (failed, value) => {
      inFlight.delete(reject);
      (failed ? reject : resolve)(value);
    };
  });
  const outer = queue;
  let mine = (queue = []);
  try {
    fn(first, options, done);
  } catch (trap) {
    console.error('kombo-connect-wasm: internal error:', trap);
    try { recover(); } catch { /* the next call starts a fresh instance anyway */ }
    abandonCalls();
    mine = [];
  } finally {
    queue = outer;
  }
  for (const job of mine) run(job);
  return call;
};

/** One job: a page callback, or the insertion of a frame not let go of meanwhile. */
function run({ parent, frame, before, callback, event }) {
  try {
    if (callback) callback(event);
    else if (!dropped.has(frame)) parent.insertBefore(frame, before?.parentNode === parent ? before : null);
  } catch { /* see notify() and insertFrame() */ }
}

/** Queues `job` during a call into Rust; runs it now otherwise. */
const later = (job) => (queue ? queue.push(job) : run(job));

/**
 * The flow's iframe for `src`, as the reference makes it, or `undefined`
 * when the page's DOM throws (a patched `createElement`). A copy of one
 * iframe kept for the purpose, once `prepareFrames` has made it: the
 * browser copies its attributes and its parsed inline style, where
 * building each anew would parse the style again at every open, most of
 * what making the frame costs (`make bench`, warm open). The copy itself
 * is made ahead, while the page is idle or as the last flow closes, so an
 * open only sets its `src`. Until then, the frame is built: the first copy
 * is the slow one (see `prepareFrames`).
 */
export function createFrame(src) {
  try {
    const frame = spare ?? (template ? template.cloneNode() : frameTemplate(document));
    spare = null;
    frame.setAttribute('src', src);
    return frame;
  } catch { /* Rust refuses the call with the DOM's error */ }
}

/** The iframe `createFrame` copies; never in the page itself. */
let template = null;
/** A copy of the template made ahead, for the next open to take. */
let spare = null;

/**
 * Makes the template, and the copy the next open takes, when the page is
 * idle after the runtime has started, and again as each flow closes. In
 * Chromium the first copy of an element whose inline style has `all` in it
 * is many times slower than the next copies of it (bench/HISTORY.md, the
 * cold start; `all` stands for every CSS property), and an open should not
 * pay for that: the first open builds its frame instead, and this runs
 * after it when a call started the runtime. A spare already made (idle
 * time that came while the first flow was open) is kept.
 */
export function prepareFrames() {
  try {
    spare ??= (template ??= frameTemplate(document)).cloneNode();
  } catch { /* createFrame builds each frame then */ }
}

/** The flow's iframe as the reference makes it, but for its `src`. */
function frameTemplate(doc) {
  const frame = doc.createElement('iframe');
  frame.setAttribute('allowtransparency', 'true');
  frame.setAttribute('allow', 'clipboard-read; clipboard-write');
  // The reference's sandbox tokens, kept identical: Kombo's flow relies
  // on popups (OAuth windows), downloads and top navigation.
  frame.setAttribute('sandbox', 'allow-scripts allow-downloads allow-same-origin allow-top-navigation allow-forms allow-popups allow-pointer-lock allow-popups-to-escape-sandbox');
  // The reference has no title; screen readers then announce "frame".
  frame.setAttribute('title', 'Kombo Connect');
  // Through the CSSOM, not a `style` attribute string: a strict
  // Content-Security-Policy (`style-src` without 'unsafe-inline') blocks
  // the latter but not the former. z-index: the largest value browsers
  // keep; the reference's Number.MAX_SAFE_INTEGER is clamped to it anyway.
  // No border: the browser's default one would draw a bevel along the
  // flow's top and left edges, and push its right and bottom ones out of
  // the viewport. A light color-scheme, whatever the page's: a frame whose
  // scheme differs from its document's gets an opaque canvas, which on a
  // dark page would hide the page behind the flow's transparent backdrop.
  // The flow is light (so is the mock in www/). Should it ever offer a
  // dark scheme too, it would follow the user's preference (measured in
  // Chromium: not the frame's), and so must this, with `light dark`.
  // Pointer events, whatever the body inherits: a page modal may set
  // `pointer-events: none` on it while open (Radix UI's Dialog does).
  frame.style.cssText = 'all:revert;z-index:2147483647;position:fixed;width:100%;height:100%;top:0;bottom:0;left:0;right:0;border:0;color-scheme:light;pointer-events:auto';
  return frame;
}

/** Frames the flow has let go of: a queued insertion of one is void. */
const dropped = new WeakSet();
/**
 * Inserts the flow's iframe into `parent` before `before` (or last), now
 * or once Rust has returned. It cannot throw: `parent` is an element in the
 * page and `frame` a new iframe; `before` is ours, and when page code has
 * moved it meanwhile, the frame goes last. (If it threw all the same, the
 * flow would end at its load time-out, frame-less.)
 */
export function insertFrame(parent, frame, before) {
  later({ parent, frame, before });
}
/** Takes the flow's iframe out of the page, or out of the queue, and copies the next one. */
export function removeFrame(frame) {
  dropped.add(frame);
  try { frame.remove(); } catch { /* a page that patched remove(); never through WebAssembly */ }
  if (template) prepareFrames();
}

/** Calls the page's `onEvent(event)`; what it throws is dropped, so a bug in analytics code cannot break the flow. */
export function notify(callback, event) {
  later({ callback, event });
}
/**
 * Adds `<link rel="preconnect" href=origin>` to the document's head and
 * returns it (src/preconnect.rs says why); `undefined` where it cannot.
 */
export function preconnect(doc, origin) {
  try {
    const link = doc.createElement('link');
    link.rel = 'preconnect';
    link.href = origin;
    doc.head.append(link);
    return link;
  } catch { /* no <head>: no head start, nothing else lost */ }
}
