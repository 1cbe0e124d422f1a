// The runtime: wasm-bindgen's glue and the .wasm, loaded by the entry
// (js/index.js) on first use or when the page is idle.
//
// It also keeps the one promise Rust cannot keep after a bug: with
// `panic = "abort"` a panic ends in a trap, and the Rust future behind a
// call in flight never settles. So every call's Promise is made in
// JavaScript (`guarded` in js/host.js, which wraps the exports here), and
// when Rust reports a panic (src/panic.rs, which has already cleaned the
// page and scheduled a fresh instance) or a call traps outright, every call
// in flight rejects with an internal error. The next call runs in a fresh
// instance.
import init, { connect, reconnect, showKomboConnect, __recover } from './kombo_connect_wasm.js';

// For the recovery tests: a panic in the binary that ships (harmless; the
// SDK recovers from it as from any other).
export { __panic } from './kombo_connect_wasm.js';
import { guarded, prepareFrames } from './host.js';

/**
 * Instantiates the .wasm from `response`, or rejects with `notLoaded(why)`
 * (the loader's KomboConnectLoadError) when it is not the .wasm. The
 * JavaScript build (`__JS_BUILD__`, see scripts/build-pkg.mjs) has nothing
 * to fetch, and says why it runs.
 */
export const start = async (response, notLoaded) => {
  if (!__JS_BUILD__) {
    if (!response.ok) throw notLoaded(`HTTP ${response.status}`);
    // A single-page app's catch-all route answers every path with its page.
    if (/html/.test(response.headers.get('content-type'))) throw notLoaded('an HTML page, not the .wasm');
  } else {
    console.info("kombo-connect-wasm: this page's Content-Security-Policy does not allow WebAssembly, so the SDK runs its JavaScript build. Add 'wasm-unsafe-eval' to script-src for the smaller, faster one.");
  }
  try {
    await init({ module_or_path: response });
  } catch (error) {
    throw notLoaded(String(error));
  }
  // For RUM and `make bench`: when the SDK became usable.
  globalThis.performance?.mark?.('kombo-connect-wasm:ready');
  (globalThis.requestIdleCallback || setTimeout)(prepareFrames);
  return { showKomboConnect: guarded(showKomboConnect, __recover), connect: guarded(connect, __recover), reconnect: guarded(reconnect, __recover) };
};
