// kombo-connect-wasm/testing: a test double with the package's exact API,
// for customers' unit tests (Vitest, Jest, jsdom) where there is no
// network, no real link and often no WebAssembly:
//
//   vi.mock('kombo-connect-wasm', () => import('kombo-connect-wasm/testing'));
//   import { komboConnectTest } from 'kombo-connect-wasm/testing';
//   komboConnectTest.nextOutcome({ type: 'cancel' });
//
// and `flowPage()` for browser tests (Playwright) that route the Connect
// link to a page that answers like the real flow. Nothing here loads the
// .wasm or touches the network.
import { KomboConnectAlreadyOpenError, KomboConnectCancelledError, KomboConnectLoadError, KomboConnectRequestError } from './errors.js';

export { KomboConnectAlreadyOpenError, KomboConnectCancelledError, KomboConnectLoadError, KomboConnectRequestError };

const DEFAULT = { type: 'success', token: 'test_activation_token', activation: null };
const CATEGORIES = ['HRIS', 'ATS', 'ASSESSMENT', 'LMS'];
let queue = [];
let open = false;

/** Scripts the test double and records what the app asked of it. */
export const komboConnectTest = {
  /** Every call: `{ fn: 'showKomboConnect' | 'connect' | 'reconnect', url?, category?, integrationId?, options }`. */
  calls: [],
  /**
   * The outcome of the next flow, in order: `{ type: 'success', token?, activation? }`,
   * `{ type: 'cancel' }`, `{ type: 'error', error }` (rejects with `error`, e.g. a
   * `KomboConnectRequestError`) or `{ type: 'pending' }` (never settles until aborted).
   * Without one, flows succeed with the token `'test_activation_token'`.
   */
  nextOutcome(outcome) {
    queue.push(outcome);
  },
  /** Forgets scripted outcomes and calls; closes a pending flow. */
  reset() {
    queue = [];
    open = false;
    komboConnectTest.calls.length = 0;
  },
};

const abortError = () => new DOMException('The Kombo Connect flow was aborted.', 'AbortError');
const emit = (options, type) => options?.onEvent?.({ type, timestamp: Date.now() });

function flow(options) {
  if (options?.signal?.aborted) return Promise.reject(abortError());
  if (open) return Promise.reject(new KomboConnectAlreadyOpenError("There's already a Kombo Connect modal open!"));
  const outcome = { ...DEFAULT, ...queue.shift() };
  open = true;
  emit(options, 'open');
  return new Promise((resolve, reject) => {
    const done = (type, settle) => {
      if (!open) return;
      open = false;
      emit(options, type);
      emit(options, 'close');
      settle();
    };
    options?.signal?.addEventListener('abort', () => done('abort', () => reject(abortError())), { once: true });
    if (outcome.type === 'pending') return;
    // Settle in a later task, as the real flow does.
    setTimeout(() => {
      emit(options, 'loaded');
      if (outcome.type === 'success') done('success', () => resolve(outcome));
      else if (outcome.type === 'cancel') done('cancel', () => reject(new KomboConnectCancelledError('The user cancelled the flow!')));
      else done('cancel', () => reject(outcome.error ?? new Error('komboConnectTest: outcome without error')));
    }, 0);
  });
}

export function showKomboConnect(url, options) {
  komboConnectTest.calls.push({ fn: 'showKomboConnect', url: String(url), options });
  return flow(options).then((o) => o.token);
}

export function connect(category, options) {
  komboConnectTest.calls.push({ fn: 'connect', category, options });
  if (!CATEGORIES.includes(category)) return Promise.reject(new TypeError("connect() needs a category: 'HRIS', 'ATS', 'ASSESSMENT' or 'LMS'."));
  return flow(options).then((o) => ({ activationToken: o.token, activation: o.activation ?? null }));
}

export const connectHris = (options) => connect('HRIS', options);
export const connectAts = (options) => connect('ATS', options);
export const connectAssessment = (options) => connect('ASSESSMENT', options);
export const connectLms = (options) => connect('LMS', options);
export const prefetch = () => Promise.resolve();

/** A success outcome with `token: null` stands for a reconnection that ended without one. */
export function reconnect(integrationId, options) {
  komboConnectTest.calls.push({ fn: 'reconnect', integrationId, options });
  if (typeof integrationId != 'string' || !integrationId.trim()) {
    return Promise.reject(new TypeError('reconnect() needs the id of the integration to reconnect, as your back-end stored it from activation.'));
  }
  return flow(options).then((o) => ({ activationToken: o.token, activation: o.activation ?? null }));
}

/**
 * HTML for a fake Connect flow page, for browser tests: route the link to it
 * and it posts the real protocol's message to the app at once.
 *
 *   await page.route('https://connect.kombo.test/**', (route) =>
 *     route.fulfill({ contentType: 'text/html', body: flowPage({ type: 'success', token: 'tok' }) }));
 */
export function flowPage(outcome = { type: 'success', token: 'test_activation_token' }) {
  const message = outcome.type === 'success'
    ? { type: 'success', data: { activation_token: outcome.token ?? 'test_activation_token' } }
    : { type: 'close' };
  const json = JSON.stringify(message).replace(/</g, '\\u003c');
  return `<!doctype html><meta charset="utf-8"><title>Kombo Connect (test)</title><script>parent.postMessage(${json}, '*')</script>`;
}
