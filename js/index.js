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
const scriptSrc = __GLOBAL_BUILD__ && document.currentScript && document.currentScript.src;
const here = (file) => new URL(file, scriptSrc || import.meta.url);

function wasmUrl() {
  if (scriptSrc) return here('kombo_connect_wasm_bg.wasm');
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

let loading = null;
let api = null;

function load() {
  if (!loading) {
    // Both requests start now; neither waits for the other.
    const wasm = fetch(wasmUrl());
    wasm.catch(() => {}); // reported through `loading` below
    loading = runtime().then((r) => r.start(wasm)).then(
      (loaded) => {
        api = loaded;
        // For RUM and `make bench`: when the SDK became usable.
        globalThis.performance?.mark?.('kombo-connect-wasm:ready');
        return api;
      },
      (error) => { loading = null; throw error; }, // a later call tries again
    );
  }
  return loading;
}

/**
 * Fetches and compiles the SDK now (on hover, on idle, on route change),
 * so the first showKomboConnect()/connect() opens at once. Safe to call
 * any number of times; resolves when ready, rejects if loading failed.
 */
export const prefetch = () => load().then(() => {});

// Once loaded, calls go straight to Rust, so showKomboConnect opens
// synchronously like the reference: the iframe is in the DOM when it returns.
const call = (name) => (...args) => (api ? api[name](...args) : load().then((a) => a[name](...args)));

/** Opens the Kombo Connect flow; resolves with the activation token. */
export const showKomboConnect = call('showKomboConnect');
/** Init request, flow and activation request against your back-end. */
export const connect = call('connect');
export const connectHris = (options) => connect('HRIS', options);
export const connectAts = (options) => connect('ATS', options);
export const connectAssessment = (options) => connect('ASSESSMENT', options);
export const connectLms = (options) => connect('LMS', options);

// Warm up when the page is idle, so the first click does not wait. Nothing
// happens on a server (no window) or without idle callbacks.
if (typeof window !== 'undefined' && typeof window.requestIdleCallback === 'function') {
  window.requestIdleCallback(() => load().catch(() => {}));
}
