// What Rust needs from JavaScript, kept out of WebAssembly on purpose.
//
// 1. The calls in flight, so they can still be settled when the instance
//    running them has trapped (src/panic.rs, js/runtime.js).
// 2. Reads that run page code (a getter, a `toString`, a Proxy trap, the
//    page's `onEvent`) and may throw. They catch here and hand the
//    exception over as a value: an exception must never unwind through
//    WebAssembly frames, and wasm-bindgen's own `catch` imports leave one
//    slot of its JS-value table behind each time one throws, which a page
//    that keeps passing bad arguments would grow without bound.

/** The reject functions of the calls in flight. */
export const inFlight = new Set();

/** The error a call rejects with when the SDK itself failed. */
export function internalError() {
  return new Error('kombo-connect-wasm hit an internal error (details in the console) and closed the flow; calling it again starts afresh. Please report it.');
}

/** Called by Rust's panic hook, and on a trap: rejects every call in flight. */
export function abandonCalls() {
  const error = internalError();
  for (const reject of inFlight) reject(error);
  inFlight.clear();
}

/** The page's global object, where `message` events arrive. */
export const pageGlobal = () => globalThis;
/** The page's document; `undefined` outside a browser page. */
export const pageDocument = () => globalThis.document;

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
/** Calls the page's `onEvent(event)`; what it throws is dropped, so a bug in analytics code cannot break the flow. */
export function notify(callback, event) {
  try { callback(event); } catch { /* see above */ }
}
