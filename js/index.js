// Package entry: the same three exports as @kombo-api/connect, backed by
// Rust. The .wasm is fetched and compiled on first use (or when the browser
// is idle), so importing the package costs a page one small script and
// nothing else; callers never see an init() step.
import initWasm, { connect as wasmConnect, showKomboConnect as wasmShow } from './kombo_connect_wasm.js';
import { KomboConnectAlreadyOpenError, KomboConnectCancelledError, KomboConnectLoadError, KomboConnectRequestError } from './errors.js';

export { KomboConnectAlreadyOpenError, KomboConnectCancelledError, KomboConnectLoadError, KomboConnectRequestError };

// Replaced at build time: the classic-script build finds its .wasm next to
// its own <script src>; the ES module build next to itself, in the
// `new URL(..., import.meta.url)` form that Vite and webpack 5 rewrite.
const scriptSrc = __GLOBAL_BUILD__ && document.currentScript && document.currentScript.src;
function wasmUrl() {
  if (scriptSrc) return new URL('kombo_connect_wasm_bg.wasm', scriptSrc);
  const url = new URL('./kombo_connect_wasm_bg.wasm', import.meta.url);
  // Vite's dev server pre-bundles dependencies into node_modules/.vite/deps/
  // without copying the assets they reference (vitejs/vite#8427), so there
  // the .wasm is fetched from the installed package, which Vite serves.
  // Builds (Vite, webpack) never take this branch.
  const deps = '/node_modules/.vite/deps/';
  const at = url.pathname.indexOf(deps);
  return at < 0 ? url : new URL(url.pathname.slice(0, at) + '/node_modules/kombo-connect-wasm/kombo_connect_wasm_bg.wasm', url);
}

let loading = null;
let ready = false;

function load() {
  loading ??= initWasm({ module_or_path: wasmUrl() }).then(
    () => {
      ready = true;
      // For RUM and `make bench`: when the .wasm became usable.
      globalThis.performance?.mark?.('kombo-connect-wasm:ready');
    },
    (error) => { loading = null; throw error; }, // let a later call retry
  );
  return loading;
}

/**
 * Fetches and compiles the .wasm now (on hover, on idle, on route change),
 * so the first showKomboConnect()/connect() opens at once. Safe to call
 * any number of times; resolves when ready, rejects if loading failed.
 */
export const prefetch = () => load().then(() => {});

// Once loaded, calls go straight to Rust, so showKomboConnect opens
// synchronously like the reference: the iframe is in the DOM when it returns.
const whenLoaded = (fn) => (...args) => (ready ? fn(...args) : load().then(() => fn(...args)));

/** Opens the Kombo Connect flow; resolves with the activation token. */
export const showKomboConnect = whenLoaded(wasmShow);
/** Init request, flow and activation request against your back-end. */
export const connect = whenLoaded(wasmConnect);
export const connectHris = (options) => connect('HRIS', options);
export const connectAts = (options) => connect('ATS', options);
export const connectAssessment = (options) => connect('ASSESSMENT', options);
export const connectLms = (options) => connect('LMS', options);

// Warm the .wasm when the page is idle, so the first click does not wait
// for it. Nothing happens on a server (no window) or without idle callbacks.
if (typeof window !== 'undefined' && typeof window.requestIdleCallback === 'function') {
  window.requestIdleCallback(() => load().catch(() => {}));
}
