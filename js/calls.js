// The calls in flight, kept outside WebAssembly so that they can still be
// settled when the instance running them has trapped. Imported by Rust
// (src/panic.rs, src/error.rs) and by the runtime (js/runtime.js).

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
