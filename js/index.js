// Package entry: the same exports as @kombo-api/connect, backed by Rust.
// This file and the error classes are all a page loads with the SDK; the
// runtime (wasm-bindgen's glue, js/runtime.js) and the .wasm are fetched in
// parallel on first use, on prefetch(), or when the browser is idle.
// Callers never see an init() step.
import { KomboConnectAlreadyOpenError, KomboConnectCancelledError, KomboConnectLoadError, KomboConnectRequestError } from './errors.js';

export { KomboConnectAlreadyOpenError, KomboConnectCancelledError, KomboConnectLoadError, KomboConnectRequestError };

// Replaced at build time: the classic-script build finds its files next to
// its own <script src>; the ES module build next to itself, in the
// `new URL(..., import.meta.url)` form that Vite and webpack 5 rewrite.
// A CDN's short URL for the package (jsDelivr's .../npm/kombo-connect-wasm,
// unpkg's, which redirects: `src` stays the URL written), bare or with a
// version range, names the package, not a folder; the files beside this
// one are then those of this very version, not of whatever the range
// means by the time they are fetched.
const scriptSrc = __GLOBAL_BUILD__ && document.currentScript?.src.replace(/(\/kombo-connect-wasm)(@[^/]*)?$/, `$1@${__VERSION__}/`);
const here = (file) => new URL(file, scriptSrc || import.meta.url);

function wasmUrl() {
  if (__GLOBAL_BUILD__) return here('kombo_connect_wasm_bg.wasm');
  const url = new URL('./kombo_connect_wasm_bg.wasm', import.meta.url);
  // Vite's dev server pre-bundles dependencies into node_modules/.vite/deps/
  // without copying the assets they reference (vitejs/vite#8427), so there
  // the .wasm is fetched from the installed package, which Vite serves.
  const deps = '/node_modules/.vite/deps/';
  const at = url.pathname.indexOf(deps);
  return at < 0 ? url : new URL(url.pathname.slice(0, at) + '/node_modules/kombo-connect-wasm/kombo_connect_wasm_bg.wasm', url);
}

const runtime = () => (__GLOBAL_BUILD__
  ? import(/* webpackIgnore: true */ /* @vite-ignore */ here('kombo_connect_runtime.js').href)
  : import('./kombo_connect_runtime.js'));
// The same Rust compiled to JavaScript (wasm2js), for pages that refuse
// WebAssembly: fetched only there.
const runtimeJs = () => (__GLOBAL_BUILD__
  ? import(/* webpackIgnore: true */ /* @vite-ignore */ here('kombo_connect_runtime_js.js').href)
  : import('./kombo_connect_runtime_js.js'));

/**
 * Whether this page may run WebAssembly. A Content-Security-Policy without
 * 'wasm-unsafe-eval' refuses it (WebAssembly.validate is not refused, so it
 * cannot tell): Chromium and Firefox at compile, WebKit at instantiation.
 * The smallest module is the probe. Fetching the .wasm takes `fetch`, which
 * a test DOM may lack (Jest's jsdom): reading it throws there, and the
 * JavaScript build, which needs none, is tried instead of a call throwing.
 */
function wasmAllowed() {
  try {
    return !!fetch && !!new WebAssembly.Instance(new WebAssembly.Module(Uint8Array.of(0, 97, 115, 109, 1, 0, 0, 0)));
  } catch {
    return false;
  }
}

let loading = null;
let api = null;
let retrying = false;
let fetching; // what load() fetches: the .wasm, or the JavaScript build

// The flow's own default (DEFAULT_LOAD_TIMEOUT_MS in src/flow.rs): the SDK's
// files get the same time to arrive as the flow gets to load.
const LOAD_TIMEOUT_MS = 20000;

/**
 * Why the SDK's own files did not load, with the URL and what to change.
 * (A .wasm served with another content type still loads: wasm-bindgen's
 * glue falls back, with a console warning that names application/wasm.)
 */
const notLoaded = (url, why) => new KomboConnectLoadError(
  `kombo-connect-wasm could not load ${url} (${why}). Serve the package's files together${__GLOBAL_BUILD__ ? ' (with CORS if cross-origin)' : ''}.`,
  'sdk',
);

function load() {
  if (!loading) {
    // Where WebAssembly may run, the runtime and the .wasm: both requests
    // start now, neither waits for the other. Elsewhere, the JavaScript
    // build alone (it says so in the console, with the way back).
    const native = wasmAllowed();
    const file = native ? 'kombo_connect_runtime.js' : 'kombo_connect_runtime_js.js';
    const url = (fetching = native ? wasmUrl() : here(file));
    // The runtime is requested first: it has work to do once it arrives
    // (evaluating, then instantiating the .wasm), the .wasm has none of its
    // own, and over HTTP/1.1 the second request usually waits for a new
    // connection.
    const script = (native ? runtime() : runtimeJs()).catch(() => { throw notLoaded(here(file), 'no script'); });
    // After a time-out, past the HTTP cache: a request still hanging holds
    // its cache entry, and a second one for the URL would wait behind it.
    const wasm = native && fetch(url, retrying ? { cache: 'no-store' } : undefined)
      .catch(() => { throw notLoaded(url, 'network error'); });
    // The runtime starts once the .wasm's response has arrived: wasm-bindgen
    // keeps its first start for good, and one on a request that never
    // answers would hold every later call (a retry is a new request).
    // Promise.all handles both rejections at once: the second to fail is
    // not reported as unhandled.
    loading = Promise.all([script, wasm]).then(([r, response]) => r.start(response, (why) => notLoaded(url, why))).then(
      (loaded) => (api = loaded),
      (error) => { loading = null; throw error; }, // a later call tries again
    );
  }
  return loading;
}

/**
 * `load()`, given at most the call's `loadTimeoutMs` (0: no limit). On time
 * out the call rejects and the next call starts the downloads afresh.
 */
function loadWithin(options) {
  let ms;
  try {
    ms = options?.loadTimeoutMs;
  } catch { /* the SDK reads it again, and rejects with what it throws */ }
  if (!(ms >= 0)) ms = LOAD_TIMEOUT_MS; // absent, or not a time (the SDK refuses it then)
  const loaded = load();
  if (!ms) return loaded;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      loading = null;
      retrying = true;
      reject(notLoaded(fetching, `nothing within ${ms} ms`));
    }, ms);
    loaded.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}

/**
 * Fetches and compiles the SDK now (on hover, on idle, on route change),
 * so the first showKomboConnect()/connect() opens at once. Safe to call
 * any number of times; resolves when ready, rejects if loading failed.
 */
export const prefetch = () => load().then(() => {});

// Once loaded, calls go straight to Rust, so showKomboConnect opens
// synchronously like the reference: the iframe is in the DOM when it returns.
// Until then, a call waits for the files, and at most its loadTimeoutMs.
// On a server (no document, as while Next.js renders) nothing can open: say
// where the call belongs instead of failing somewhere in the loading. (The
// script-tag build has read `document` by the time it gets here.)
const call = (name) => (...args) => (api ? api[name](...args)
  : __GLOBAL_BUILD__ || globalThis.document ? loadWithin(args[1]).then((a) => a[name](...args))
    : Promise.reject(new Error('kombo-connect-wasm runs in a browser: call it in an event handler or effect.')));

/** Opens the Kombo Connect flow; resolves with the activation token. */
export const showKomboConnect = call('showKomboConnect');
/** Init request, flow and activation request against your back-end. */
export const connect = call('connect');
const category = (name) => (options) => connect(name, options);
export const connectHris = category('HRIS');
export const connectAts = category('ATS');
export const connectAssessment = category('ASSESSMENT');
export const connectLms = category('LMS');
/** Relink request, flow and activation: reconnects an existing integration. */
export const reconnect = call('reconnect');

// Warm up when the page is idle, so the first click does not wait. Safari
// has no idle callbacks: there, a timer right after this script has run,
// as the usual stand-in for them does it (Next.js's), even if the page is
// still loading then. Nothing happens on a server (no document).
(globalThis.requestIdleCallback || (__GLOBAL_BUILD__ || globalThis.document) && setTimeout)?.(() => load().catch(() => {}));
