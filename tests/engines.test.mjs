// The SDK's core behaviours on Chromium, Firefox ESR and WebKitGTK, as
// the ES module and as the classic script, driven over WebDriver (see
// tests/support/engines.mjs for why not Playwright). The mock flow answers
// by itself (tests/pages/flow-auto.js), so nothing has to run inside a frame.
// Each engine's browser version goes to tests/out/engines.md.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, browserVersion, inPage } from './support/engines.mjs';
import { startServers } from './support/server.mjs';
import { writeReport } from './support/session.mjs';

let servers;
/** Per engine: its browser's version and how its tests went, for tests/out/engines.md. */
const report = new Map();
before(async () => {
  servers = await startServers();
  const json = (res, value) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(value));
  servers.routes['/integrations/kombo/init'] = (req, res) => json(res, { link: `${servers.flow}/pages/flow.html?auto=success&token=from-init` });
  servers.routes['/integrations/kombo/activate'] = (req, res, body) => json(res, { id: 'personio:1', token: JSON.parse(body).token });
});
after(async () => {
  await servers?.close();
  const rows = [...report].map(([name, r]) => `| ${name} | ${r.version} | ${r.passed} passed, ${r.failed} failed |`);
  writeReport('engines.md', ['| Engine | Browser | Core suite (esm, global, JavaScript build) |', '|---|---|---|', ...rows].join('\n'));
});

const flow = (query = '') => `${servers.flow}/pages/flow.html${query}`;

/** In the page: the SDK loaded, then `fn`'s scenario. */
const SCENARIOS = {
  'opens the reference iframe, resolves with the token, and leaves the page as it was': async (link) => {
    const call = SDK.showKomboConnect(link);
    const el = document.querySelector('iframe');
    const seen = el && {
      src: el.getAttribute('src'), sandbox: el.getAttribute('sandbox'), position: getComputedStyle(el).position,
      inBody: el.parentElement === document.body, covers: el.getBoundingClientRect().width >= innerWidth - 1,
    };
    const token = await call;
    return {
      token, seen,
      left: document.querySelectorAll('iframe, [data-kombo-connect], [inert]').length + (document.documentElement.style.overflowX === 'hidden'),
    };
  },

  'the user closing rejects with KomboConnectCancelledError; a second call meanwhile with KomboConnectAlreadyOpenError': async (link) => {
    const first = SDK.showKomboConnect(link).then(() => 'resolved', (e) => e.name);
    const second = await SDK.showKomboConnect(link).then(() => 'resolved', (e) => e.name);
    return { first: await first, second };
  },

  'removing the container, in the light DOM or inside a shadow root, cancels at once': async (link) => {
    const outcome = (p) => Promise.race([p.then(() => 'resolved', (e) => e.name), new Promise((ok) => setTimeout(() => ok('pending'), 1500))]);
    const light = document.body.appendChild(document.createElement('div'));
    const a = SDK.showKomboConnect(link, { container: light });
    await new Promise((ok) => setTimeout(ok, 100));
    light.remove();
    const host = document.body.appendChild(document.createElement('div'));
    const root = host.attachShadow({ mode: 'closed' });
    const inner = root.appendChild(document.createElement('section')).appendChild(document.createElement('div'));
    const lightResult = await outcome(a);
    const b = SDK.showKomboConnect(link, { container: inner });
    await new Promise((ok) => setTimeout(ok, 100));
    const shadowOpened = root.querySelectorAll('iframe').length;
    inner.parentElement.remove();
    return { light: lightResult, shadowOpened, shadow: await outcome(b) };
  },

  'aborting rejects with signal.reason': async (link) => {
    const c = new AbortController();
    const reason = new Error('left the page');
    const p = SDK.showKomboConnect(link, { signal: c.signal });
    c.abort(reason);
    const own = await p.then(() => 'resolved', (e) => e === reason);
    const timeout = await SDK.showKomboConnect(link, { signal: AbortSignal.timeout(50) }).then(() => 'resolved', (e) => e.name);
    return { own, timeout, iframes: document.querySelectorAll('iframe').length };
  },

  'opened from a modal dialog, in the page or inside a web component (open shadow root), the flow is on top and focused, and the dialog comes back': async (link) => {
    const outcome = {};
    for (const place of ['page', 'shadowRoot']) {
      const dialog = document.createElement('dialog');
      const button = dialog.appendChild(document.createElement('button'));
      button.textContent = 'Connect';
      const host = place === 'shadowRoot' ? document.body.appendChild(document.createElement('div')) : null;
      const root = host ? host.attachShadow({ mode: 'open' }) : document;
      (host ? root : document.body).append(dialog);
      dialog.showModal();
      button.focus();
      const call = SDK.showKomboConnect(link);
      const frame = document.querySelector('iframe');
      await new Promise((ok) => frame.addEventListener('load', ok, { once: true }));
      await new Promise((ok) => setTimeout(ok, 50));
      const onTop = document.elementFromPoint(innerWidth / 2, innerHeight / 2)?.tagName;
      const focused = document.activeElement?.tagName;
      const token = await call;
      outcome[place] = { onTop, focused, token, open: dialog.open, modal: dialog.matches(':modal'), inert: dialog.inert, focusBack: root.activeElement === button };
      dialog.close();
      dialog.remove();
      host?.remove();
    }
    return outcome;
  },

  'on a page whose <body> has a transform (the containing block of fixed elements) and whose style sheet styles every iframe and dialog, the flow still covers the viewport': async (link) => {
    document.body.style.transform = 'translateZ(0)';
    const sheet = document.head.appendChild(document.createElement('style'));
    sheet.textContent = `iframe { margin: 24px; max-height: 300px; transform: scale(.8); }
      dialog { top: 50%; left: 50%; transform: translate(-50%, -50%); max-width: 500px; padding: 2rem; }`;
    const call = SDK.showKomboConnect(link);
    const frame = document.querySelector('iframe');
    await new Promise((ok) => frame.addEventListener('load', ok, { once: true }));
    const r = frame.getBoundingClientRect();
    const covers = r.left === 0 && r.top === 0 && r.width === document.documentElement.clientWidth && r.height === document.documentElement.clientHeight;
    const onTop = document.elementFromPoint(innerWidth / 2, innerHeight - 5)?.tagName;
    const token = await call;
    document.body.style.transform = '';
    sheet.remove();
    return { covers, onTop, token };
  },

  "a link on the page's own origin is refused with a TypeError": async () => {
    const r = await SDK.showKomboConnect(new URL('/pages/flow.html', location.href).href).then(() => 'resolved', (e) => e.name);
    return { r, iframes: document.querySelectorAll('iframe').length };
  },

  'a page script that takes the frame away settles with KomboConnectLoadError': async (link) => {
    const call = SDK.showKomboConnect(link).then(() => 'resolved', (e) => `${e.name} ${e.reason}`);
    const frame = document.querySelector('iframe');
    await new Promise((ok) => frame.addEventListener('load', ok, { once: true }));
    frame.src = 'about:blank';
    return { r: await Promise.race([call, new Promise((ok) => setTimeout(() => ok('pending'), 2000))]), iframes: document.querySelectorAll('iframe').length };
  },

  'a flow that never loads rejects with KomboConnectLoadError after loadTimeoutMs, and nothing is left': async (link) => {
    const r = await SDK.showKomboConnect(link, { loadTimeoutMs: 400 }).then(() => 'resolved', (e) => `${e.name} ${e.reason}`);
    return { r, left: document.querySelectorAll('iframe, [data-kombo-connect], [inert]').length };
  },

  'a flow still loading gets the loading overlay, whose close button cancels it': async (link) => {
    const call = SDK.showKomboConnect(link).then(() => 'resolved', (e) => e.name);
    let overlay = null;
    for (let i = 0; i < 100 && !overlay; i++) {
      await new Promise((ok) => setTimeout(ok, 20));
      overlay = document.querySelector('[data-kombo-connect="loading"]');
    }
    overlay?.querySelector('button')?.click();
    return { overlay: !!overlay, r: await call, left: document.querySelectorAll('iframe, [data-kombo-connect], [inert]').length };
  },

  'on the body, the page behind (what the page adds meanwhile too) is inert and does not scroll while open, and comes back as it was': async (link) => {
    const before = document.documentElement.getAttribute('style');
    const call = SDK.showKomboConnect(link);
    // A toast the page adds while the flow is open, in a portal of its own.
    const toast = document.body.appendChild(document.createElement('div'));
    await new Promise((ok) => requestAnimationFrame(() => setTimeout(ok, 50)));
    const during = { inert: document.querySelector('h1').inert && toast.inert, overflow: getComputedStyle(document.documentElement).overflowY };
    await call;
    const after = { inert: document.querySelector('h1').inert || toast.inert, overflow: getComputedStyle(document.documentElement).overflowY, sameStyle: document.documentElement.getAttribute('style') === before };
    toast.remove();
    return { during, after };
  },

  "under a page modal that set pointer-events: none on <body> (Radix UI's Dialog), the flow and its loading overlay take pointer events": async (link) => {
    document.body.style.pointerEvents = 'none';
    // What a click in the middle of the viewport would land on.
    const hit = () => document.elementFromPoint(innerWidth / 2, innerHeight / 2)?.closest('iframe, [data-kombo-connect]')?.tagName ?? null;
    const until = async (ready) => { for (let i = 0; i < 150 && !ready(); i++) await new Promise((ok) => setTimeout(ok, 20)); };
    const overlay = () => document.querySelector('[data-kombo-connect="loading"]');
    // A flow that never loads: the loading overlay, then its close button.
    const slow = SDK.showKomboConnect(new URL('/hang', link).href).then(() => 'resolved', (e) => e.name);
    await until(overlay);
    const loading = hit();
    overlay()?.querySelector('button')?.click();
    const closed = await slow;
    // A flow that loads, and answers 400 ms later.
    const call = SDK.showKomboConnect(link);
    await until(() => document.querySelector('iframe') && !overlay());
    const loaded = hit();
    const token = await call;
    document.body.style.pointerEvents = '';
    return { loading, closed, loaded, token };
  },

  'connectHris() posts init, shows the flow and posts activate': async () => {
    const r = await SDK.connectHris();
    return { token: r.activationToken, activation: r.activation };
  },
};

const EXPECTED = {
  'opens the reference iframe, resolves with the token, and leaves the page as it was': (r, link) => {
    assert.equal(r.token, 'engine');
    assert.deepEqual(r.seen, {
      src: `${link}&sdkv=1.3.0`,
      sandbox: 'allow-scripts allow-downloads allow-same-origin allow-top-navigation allow-forms allow-popups allow-pointer-lock allow-popups-to-escape-sandbox',
      position: 'fixed', inBody: true, covers: true,
    });
    assert.equal(r.left, 0);
  },
  'the user closing rejects with KomboConnectCancelledError; a second call meanwhile with KomboConnectAlreadyOpenError': (r) =>
    assert.deepEqual(r, { first: 'KomboConnectCancelledError', second: 'KomboConnectAlreadyOpenError' }),
  'removing the container, in the light DOM or inside a shadow root, cancels at once': (r) =>
    assert.deepEqual(r, { light: 'KomboConnectCancelledError', shadowOpened: 1, shadow: 'KomboConnectCancelledError' }),
  'aborting rejects with signal.reason': (r) => assert.deepEqual(r, { own: true, timeout: 'TimeoutError', iframes: 0 }),
  'opened from a modal dialog, in the page or inside a web component (open shadow root), the flow is on top and focused, and the dialog comes back': (r) => {
    const expected = { onTop: 'IFRAME', focused: 'IFRAME', token: 'engine', open: true, modal: true, inert: false, focusBack: true };
    assert.deepEqual(r, { page: expected, shadowRoot: expected });
  },
  'on a page whose <body> has a transform (the containing block of fixed elements) and whose style sheet styles every iframe and dialog, the flow still covers the viewport': (r) =>
    assert.deepEqual(r, { covers: true, onTop: 'IFRAME', token: 'engine' }),
  "a link on the page's own origin is refused with a TypeError": (r) => assert.deepEqual(r, { r: 'TypeError', iframes: 0 }),
  'a page script that takes the frame away settles with KomboConnectLoadError': (r) =>
    assert.deepEqual(r, { r: 'KomboConnectLoadError replaced', iframes: 0 }),
  'a flow that never loads rejects with KomboConnectLoadError after loadTimeoutMs, and nothing is left': (r) =>
    assert.deepEqual(r, { r: 'KomboConnectLoadError timeout', left: 0 }),
  'a flow still loading gets the loading overlay, whose close button cancels it': (r) =>
    assert.deepEqual(r, { overlay: true, r: 'KomboConnectCancelledError', left: 0 }),
  'on the body, the page behind (what the page adds meanwhile too) is inert and does not scroll while open, and comes back as it was': (r) =>
    assert.deepEqual(r, { during: { inert: true, overflow: 'hidden' }, after: { inert: false, overflow: 'visible', sameStyle: true } }),
  "under a page modal that set pointer-events: none on <body> (Radix UI's Dialog), the flow and its loading overlay take pointer events": (r) =>
    assert.deepEqual(r, { loading: 'DIV', closed: 'KomboConnectCancelledError', loaded: 'IFRAME', token: 'engine' }),
  'connectHris() posts init, shows the flow and posts activate': (r) =>
    assert.deepEqual(r, { token: 'from-init', activation: { id: 'personio:1', token: 'from-init' } }),
};

/** Which flow each scenario opens. */
const LINKS = {
  'the user closing rejects with KomboConnectCancelledError; a second call meanwhile with KomboConnectAlreadyOpenError': () => flow('?auto=close&after=300'),
  'removing the container, in the light DOM or inside a shadow root, cancels at once': () => flow(),
  'aborting rejects with signal.reason': () => flow(),
  'a page script that takes the frame away settles with KomboConnectLoadError': () => flow(),
  'opened from a modal dialog, in the page or inside a web component (open shadow root), the flow is on top and focused, and the dialog comes back': () => flow('?auto=success&token=engine&after=400'),
  'on a page whose <body> has a transform (the containing block of fixed elements) and whose style sheet styles every iframe and dialog, the flow still covers the viewport': () => flow('?auto=success&token=engine&after=400'),
  'a flow that never loads rejects with KomboConnectLoadError after loadTimeoutMs, and nothing is left': () => `${servers.flow}/hang`,
  'a flow still loading gets the loading overlay, whose close button cancels it': () => `${servers.flow}/hang`,
  "under a page modal that set pointer-events: none on <body> (Radix UI's Dialog), the flow and its loading overlay take pointer events": () => flow('?auto=success&token=engine&after=400'),
  'on the body, the page behind (what the page adds meanwhile too) is inert and does not scroll while open, and comes back as it was': () => flow('?auto=success&token=engine&after=300'),
};

for (const engine of ENGINES) {
  describe(engine.name, { skip: engine.missing && `${engine.missing} is not installed (make test installs it)` }, () => {
    let browser;
    before(async () => {
      browser = await engine.start();
      await browser.driver.manage().setTimeouts({ script: 20_000, pageLoad: 20_000 });
      report.set(engine.name, { version: await browserVersion(browser.driver), passed: 0, failed: 0 });
    });
    after(async () => {
      await browser?.driver.quit().catch(() => {});
      browser?.stop?.();
    });
    /** Runs the test's assertions, counting the outcome for tests/out/engines.md. */
    const counted = async (check) => {
      const counts = report.get(engine.name);
      try {
        await check();
        counts.passed++;
      } catch (error) {
        counts.failed++;
        throw error;
      }
    };

    const CSPS = { 'no-wasm': "CSP without 'wasm-unsafe-eval' (JavaScript build)", nonce: "strict CSP: script nonces and 'strict-dynamic'" };
    for (const [page, csp] of [['esm', ''], ['global', ''], ['esm', 'no-wasm'], ['global', 'no-wasm'], ['esm', 'nonce'], ['global', 'nonce']]) {
      const label = `${page}${csp ? `, ${CSPS[csp]}` : ''}`;
      for (const [name, scenario] of Object.entries(SCENARIOS)) {
        // Under each CSP, the flows that need no page script of ours.
        if (csp && !/reference iframe|connectHris|modal dialog/.test(name)) continue;
        test(`${name} (${label})`, { timeout: 60_000 }, async () => {
          const link = (LINKS[name] ?? (() => flow('?auto=success&token=engine')))();
          await browser.driver.get(`${servers.app}/pages/${page}.html${csp ? `?csp=${csp}` : ''}`);
          await inPage(browser.driver, async () => {
            for (let i = 0; i < 200 && !(window.SDK && window.T); i++) await new Promise((ok) => setTimeout(ok, 25));
            await SDK.prefetch();
          });
          await counted(async () => EXPECTED[name](await inPage(browser.driver, scenario, link), link));
        });
      }
    }

    for (const page of ['esm', 'global']) {
      test(`with no call, the SDK loads once the page is idle, also where there are no idle callbacks (Safari), and the first call then opens at once (${page})`, { timeout: 60_000 }, async () => {
        await browser.driver.get(`${servers.app}/pages/${page}.html`);
        const seen = await inPage(browser.driver, async (link) => {
          const ready = () => performance.getEntriesByName('kombo-connect-wasm:ready').length > 0;
          for (let i = 0; i < 400 && !(window.SDK && ready()); i++) await new Promise((ok) => setTimeout(ok, 25));
          const idleCallbacks = typeof requestIdleCallback == 'function';
          if (!ready()) return { ready: false, idleCallbacks };
          const call = SDK.showKomboConnect(link);
          const opened = Boolean(document.querySelector('iframe'));
          return { ready: true, idleCallbacks, opened, token: await call };
        }, flow('?auto=success&token=idle'));
        await counted(() => assert.deepEqual({ ...seen, idleCallbacks: undefined }, { ready: true, idleCallbacks: undefined, opened: true, token: 'idle' },
          `not loaded within 10 s of the page's load (idle callbacks: ${seen.idleCallbacks})`));
      });
    }
  });
}
