// Loaded before the SDK on every conformance page. Records what the tests
// need to see from outside: each call's outcome, MutationObservers left
// observing, and Content-Security-Policy violations.
(() => {
  // ?noidle: a page that is never idle (its idle callbacks never come), so
  // that only an explicit prefetch() or a call loads the .wasm. (Where there
  // are none at all, as in Safari, the SDK warms up on a timer instead.)
  // A test makes it idle at last with `idleNow()`.
  if (new URLSearchParams(location.search).has('noidle')) {
    const idle = [];
    window.requestIdleCallback = (callback) => idle.push(callback);
    window.idleNow = () => idle.splice(0).forEach((callback) => callback());
  }
  // ?notransfer: a browser without ArrayBuffer.prototype.transfer (before
  // Chrome 114, Firefox 122, Safari 17.4), for the JavaScript build's growth.
  if (new URLSearchParams(location.search).has('notransfer')) delete ArrayBuffer.prototype.transfer;
  const calls = [];
  const violations = [];
  let observing = 0;
  const active = new WeakSet();
  const observe = MutationObserver.prototype.observe;
  const disconnect = MutationObserver.prototype.disconnect;
  // Counts only observers started by scripts of this origin (the SDK under
  // test), not the ones the test driver injects into the page.
  const fromPage = () => (new Error().stack || '').split('\n')
    .some((line) => line.includes(location.origin) && !line.includes('/pages/harness.js'));
  MutationObserver.prototype.observe = function (...args) {
    if (!active.has(this) && fromPage()) { active.add(this); observing++; }
    return observe.apply(this, args);
  };
  MutationObserver.prototype.disconnect = function () {
    if (active.delete(this)) observing--;
    return disconnect.call(this);
  };
  document.addEventListener('securitypolicyviolation', (e) => violations.push(`${e.violatedDirective} ${e.blockedURI}`));

  const describe = (e) => ({
    name: e && e.name,
    message: e && e.message,
    isError: e instanceof Error,
    isDomException: e instanceof DOMException,
    isCancelled: e instanceof window.SDK.KomboConnectCancelledError,
    isAlreadyOpen: e instanceof window.SDK.KomboConnectAlreadyOpenError,
    isRequestError: !!window.SDK.KomboConnectRequestError && e instanceof window.SDK.KomboConnectRequestError,
    stage: e && e.stage,
    status: e && e.status,
    activationToken: e && e.activationToken,
    isLoadError: !!window.SDK.KomboConnectLoadError && e instanceof window.SDK.KomboConnectLoadError,
    reason: e && e.reason,
  });
  const record = (start) => {
    const rec = { state: 'pending' };
    calls.push(rec);
    try {
      start().then(
        (value) => { rec.state = 'resolved'; rec.value = value; },
        (error) => { rec.state = 'rejected'; rec.error = describe(error); },
      );
    } catch (error) {
      rec.state = 'threw';
      rec.error = describe(error);
    }
    return calls.length - 1;
  };
  const controllers = [];
  const events = [];
  // `options.onEvent: 'record'` becomes a callback that records into
  // T.events[id]; 'throw' records and then throws.
  const withEvents = (options) => {
    if (!options || typeof options.onEvent !== 'string') return options;
    const mode = options.onEvent;
    const log = (events[calls.length] = []);
    return { ...options, onEvent: (e) => { log.push(e); if (mode === 'throw') throw new Error('analytics bug'); } };
  };

  // connect() and reconnect() options from a test's: `abortable` adds the
  // signal of T.controllers[id], `containerId` a container, `onEvent` a mode.
  const runOptions = (options) => {
    const { abortable, containerId, ...rest } = options;
    if (abortable) {
      const controller = new AbortController();
      controllers[calls.length] = controller;
      rest.signal = controller.signal;
    }
    if (containerId) rest.container = document.getElementById(containerId);
    return Object.assign(rest, withEvents(rest));
  };

  window.T = {
    calls,
    violations,
    observers: () => observing,
    iframes: () => document.querySelectorAll('iframe').length,
    controllers,
    events,
    /** Calls showKomboConnect and records its outcome under the returned id. */
    open(url, options) {
      const opts = withEvents(options);
      return record(() => window.SDK.showKomboConnect(url, opts));
    },
    /**
     * Calls connect(category, options) (or `via`, a shortcut such as
     * 'connectHris', without the category). `options.abortable` adds the
     * signal of T.controllers[id]; `options.containerId` a container.
     */
    connect(category, options = {}, via) {
      const rest = runOptions(options);
      return record(() => (via ? window.SDK[via](rest) : window.SDK.connect(category, rest)));
    },
    /** Calls reconnect(integrationId, options), with the same test options as connect(). */
    reconnect(integrationId, options = {}) {
      const rest = runOptions(options);
      return record(() => window.SDK.reconnect(integrationId, rest));
    },
    container(attached = true) {
      const div = document.createElement('div');
      div.id = 'container-' + calls.length;
      if (attached) document.body.append(div);
      return div;
    },
    /** Open/close cycles where the page removes the iframe; stops at the first that does not settle. */
    async cycles(url, n) {
      for (let i = 0; i < n; i++) {
        const p = window.SDK.showKomboConnect(url);
        const outcome = p.then(() => 'resolved', (e) => e && e.name);
        const frame = await waitFor(() => document.querySelector('iframe'), 2000);
        if (!frame) return { done: i, why: 'no iframe opened', outcome: await Promise.race([outcome, sleep(50)]) };
        frame.remove();
        const r = await Promise.race([outcome, sleep(1000).then(() => 'pending')]);
        if (r !== 'KomboConnectCancelledError') return { done: i, why: r };
      }
      return { done: n };
    },
  };
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  async function waitFor(fn, ms) {
    for (const end = Date.now() + ms; Date.now() < end; await sleep(1)) {
      const v = fn();
      if (v) return v;
    }
    return fn();
  }
})();
