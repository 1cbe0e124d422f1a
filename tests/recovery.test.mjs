// Issue 9, points 2 and 3: the runtime cannot die. A panic in the binary
// that ships is named in the console, settles the call in flight with an
// internal error, leaves the page as it was, and the next call runs in a
// fresh instance. Page code that runs inside the SDK's own DOM work (focus
// handlers, MutationObservers, onEvent) and calls back into it or aborts
// cannot break it, and arguments whose reads throw only ever reject.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { assertClean, openPage } from './support/page.mjs';
import { openSession } from './support/session.mjs';

let session;
before(async () => {
  session = await openSession();
  // A flow page that takes long enough to load for the loading overlay to come up.
  const flowPage = readFileSync(new URL('./pages/flow.html', import.meta.url));
  session.servers.routes['/slow-flow'] = (req, res) => setTimeout(() => res.writeHead(200, { 'content-type': 'text/html' }).end(flowPage), 600);
});
after(() => session?.close());

/** A page of `impl` with the SDK loaded, its console and errors recorded. */
async function withPage(impl, fn) {
  const ctx = await openPage(session, impl);
  ctx.console = [];
  ctx.page.on('console', (m) => ctx.console.push(`${m.type()}: ${m.text()}`));
  await ctx.page.evaluate(() => SDK.prefetch());
  try {
    await fn(ctx);
  } finally {
    await ctx.page.close();
  }
}

/** Panics inside the running instance, as a bug in the SDK would. */
const panic = (ctx, message) => ctx.page.evaluate(async (message) => {
  const runtime = await import('/pkg/kombo_connect_runtime.js');
  try {
    runtime.__panic(message);
    return 'returned';
  } catch (trap) {
    return trap.constructor.name;
  }
}, message);

/** Opens a flow, has it post success, and returns the settled call. */
async function roundTrip(ctx, token) {
  const id = await ctx.open();
  await ctx.post({ type: 'success', data: { activation_token: token } });
  return ctx.result(id);
}

const noPanicOrError = (ctx) => {
  assert.deepEqual(ctx.errors, [], 'uncaught errors in the page');
  assert.deepEqual(ctx.console.filter((l) => /panicked|RuntimeError|unreachable/.test(l)), []);
};

for (const impl of ['esm', 'global']) {
  test(`a panic while the flow is open is named in the console, rejects with an internal Error, cleans up, and the next call works (${impl})`, () => withPage(impl, async (ctx) => {
    const id = await ctx.open();
    await ctx.flowFrame();
    assert.equal(await panic(ctx, 'boom from the recovery test'), 'RuntimeError');
    const r = await ctx.result(id);
    assert.equal(r.state, 'rejected');
    assert.ok(r.error.isError && /internal error/.test(r.error.message), JSON.stringify(r.error));
    const named = ctx.console.find((l) => l.includes('boom from the recovery test'));
    assert.ok(named && /src\/lib\.rs:\d+/.test(named), `the panic's message and location: ${ctx.console.join('\n')}`);
    await assertClean(ctx);
    assert.equal((await roundTrip(ctx, 'after-panic')).value, 'after-panic');
    await assertClean(ctx);
    assert.deepEqual(ctx.errors, []);
  }));

  test(`a panic while connect() waits for its link takes the overlay and inert away and rejects; the next call works (${impl})`, () => withPage(impl, async (ctx) => {
    const id = await ctx.page.evaluate(() => T.connect('HRIS', { initUrl: '/hang' }));
    await ctx.page.waitForFunction(() => document.querySelector('[data-kombo-connect]') && document.querySelector('[inert]'));
    assert.equal(await panic(ctx, 'boom during init'), 'RuntimeError');
    const r = await ctx.result(id);
    assert.ok(r.state === 'rejected' && /internal error/.test(r.error.message), JSON.stringify(r));
    await assertClean(ctx);
    assert.equal((await roundTrip(ctx, 'after-init-panic')).value, 'after-init-panic');
    assert.deepEqual(ctx.errors, []);
  }));

  test(`a focusout handler that aborts when the loading overlay goes away with focus on its close button settles the flow (${impl})`, () => withPage(impl, async (ctx) => {
    const id = await ctx.page.evaluate((link) => {
      window.controller = new AbortController();
      return T.open(link, { signal: window.controller.signal });
    }, `${session.servers.flow}/slow-flow`);
    await ctx.page.waitForFunction(() => document.querySelector('[data-kombo-connect] button'));
    await ctx.page.evaluate(() => {
      document.querySelector('[data-kombo-connect] button').focus();
      // Chromium fires it synchronously when the SDK removes the overlay, on load.
      document.addEventListener('focusout', () => window.controller.abort(), { capture: true, once: true });
    });
    const r = await ctx.result(id, 5000);
    assert.equal(r.error?.name, 'AbortError', JSON.stringify(r));
    noPanicOrError(ctx);
    await assertClean(ctx);
    assert.equal((await roundTrip(ctx, 'after-overlay-focus')).value, 'after-overlay-focus');
  }));

  test(`a focusout handler that aborts while the flow finishes, and a focusin handler that reopens, break nothing (${impl})`, () => withPage(impl, async (ctx) => {
    const link = ctx.flowUrl();
    const first = await ctx.page.evaluate((link) => {
      document.getElementById('connect').focus();
      window.controller = new AbortController();
      return T.open(link, { signal: window.controller.signal });
    }, link);
    const frame = await ctx.flowFrame();
    await ctx.page.waitForFunction(() => document.activeElement?.nodeName === 'IFRAME');
    await ctx.page.evaluate((link) => {
      window.nested = [];
      // Chromium fires these synchronously inside the SDK's remove() and focus().
      document.addEventListener('focusout', () => window.controller.abort(), { capture: true, once: true });
      document.getElementById('connect').addEventListener('focusin', () => {
        window.nested.push(SDK.showKomboConnect(link).then(() => 'resolved', (e) => e.name));
      }, { once: true });
    }, link);
    await frame.evaluate(() => setTimeout(() => parent.postMessage({ type: 'close' }, '*')));
    const r = await ctx.result(first);
    assert.equal(r.error?.name, 'KomboConnectCancelledError', JSON.stringify(r));
    // The re-entrant open met the flow still tearing down: refused, not broken.
    assert.deepEqual(await ctx.page.evaluate(() => Promise.all(window.nested)), ['KomboConnectAlreadyOpenError']);
    assert.equal(await ctx.page.evaluate(() => document.activeElement?.id), 'connect', 'focus came back to the button');
    noPanicOrError(ctx);
    await assertClean(ctx);
    assert.equal((await roundTrip(ctx, 'after-focus')).value, 'after-focus');
  }));

  test(`MutationObservers that reopen the flow when the page removes it: refused before the SDK has seen the removal, working after (${impl})`, () => withPage(impl, async (ctx) => {
    const link = ctx.flowUrl();
    const removed = (records) => records.some((r) => [...r.removedNodes].some((n) => n.nodeName === 'IFRAME'));
    const first = await ctx.page.evaluate(([link, removedSrc]) => {
      const removed = eval(removedSrc);
      // Observes before the SDK's own observer exists, so runs before it.
      new MutationObserver((records, observer) => {
        if (removed(records)) { observer.disconnect(); window.early = T.open(link); }
      }).observe(document.body, { childList: true });
      const id = T.open(link);
      new MutationObserver((records, observer) => {
        if (removed(records)) { observer.disconnect(); window.late = T.open(link); }
      }).observe(document.body, { childList: true });
      return id;
    }, [link, removed.toString()]);
    await ctx.flowFrame();
    await ctx.page.evaluate(() => document.querySelector('iframe').remove());
    assert.equal((await ctx.result(first)).error?.name, 'KomboConnectCancelledError');
    assert.equal((await ctx.result(await ctx.page.evaluate(() => window.early))).error?.name, 'KomboConnectAlreadyOpenError');
    await ctx.post({ type: 'success', data: { activation_token: 'reopened' } });
    assert.equal((await ctx.result(await ctx.page.evaluate(() => window.late))).value, 'reopened');
    noPanicOrError(ctx);
    await assertClean(ctx);
  }));

  test(`onEvent handlers that abort on 'open', reopen on 'close' and call again on 'loaded' break nothing (${impl})`, () => withPage(impl, async (ctx) => {
    const link = ctx.flowUrl();
    const outcome = await ctx.page.evaluate(async (link) => {
      const settle = (p) => p.then((v) => v, (e) => e.name);
      const controller = new AbortController();
      let reopened;
      const first = settle(SDK.showKomboConnect(link, {
        signal: controller.signal,
        onEvent: (e) => {
          if (e.type === 'open') controller.abort();
          if (e.type === 'close') reopened = settle(SDK.showKomboConnect(link, {
            onEvent: (e2) => { if (e2.type === 'loaded') window.nested = settle(SDK.showKomboConnect(link)); },
          }));
        },
      }));
      return { first: await first, reopenedPending: !!reopened };
    }, link);
    assert.deepEqual(outcome, { first: 'AbortError', reopenedPending: true });
    await ctx.flowFrame();
    await ctx.page.waitForFunction(() => window.nested);
    assert.equal(await ctx.page.evaluate(() => window.nested), 'KomboConnectAlreadyOpenError');
    await ctx.post({ type: 'close' });
    await ctx.page.waitForFunction(() => !document.querySelector('iframe'));
    noPanicOrError(ctx);
    await assertClean(ctx);
    assert.equal((await roundTrip(ctx, 'after-events')).value, 'after-events');
  }));

  test(`a call that fails after its iframe was made (a page whose MutationObserver throws) rejects, leaves no iframe, and the next call works (${impl})`, () => withPage(impl, async (ctx) => {
    const r = await ctx.page.evaluate(async (link) => {
      const Real = window.MutationObserver;
      window.MutationObserver = function () { throw new Error('a broken polyfill'); };
      const call = SDK.showKomboConnect(link);
      const iframesOnReturn = document.querySelectorAll('iframe').length;
      const outcome = await call.then(() => 'resolved', (e) => e.message);
      window.MutationObserver = Real;
      await new Promise((ok) => setTimeout(ok, 50));
      return { iframesOnReturn, outcome, iframesLater: document.querySelectorAll('iframe').length };
    }, ctx.flowUrl());
    assert.deepEqual(r, { iframesOnReturn: 0, outcome: 'The browser refused to add the Kombo Connect iframe to the page.', iframesLater: 0 });
    noPanicOrError(ctx);
    await assertClean(ctx);
    assert.equal((await roundTrip(ctx, 'after-broken-observer')).value, 'after-broken-observer');
  }));

  test(`2,000 calls with arguments whose reads throw never throw synchronously, never open a flow, and leave the SDK working (${impl})`, () => withPage(impl, async (ctx) => {
    const summary = await ctx.page.evaluate(async () => {
      const boom = () => { throw new Error('page code threw'); };
      const revoked = Proxy.revocable({}, {});
      revoked.revoke();
      const link = 'https://connect.kombo.dev/v1';
      const shapes = [
        () => SDK.showKomboConnect({ toString: boom }),
        () => SDK.showKomboConnect({ toString: () => ({}) }),
        () => SDK.showKomboConnect({ [Symbol.toPrimitive]: boom }),
        () => SDK.showKomboConnect(link, { get container() { return boom(); } }),
        () => SDK.showKomboConnect(link, new Proxy({}, { get: boom })),
        () => SDK.showKomboConnect(link, revoked.proxy),
        () => SDK.connect('HRIS', { get initUrl() { return boom(); } }),
        () => SDK.connect('HRIS', { initBody: new Proxy({}, { ownKeys: boom }) }),
      ];
      let threw = 0, opened = 0;
      const reasons = new Set();
      for (let i = 0; i < 2000; i++) {
        let p;
        try { p = shapes[i % shapes.length](); } catch { threw++; continue; }
        if (document.querySelector('iframe')) opened++;
        reasons.add(await p.then(() => 'resolved', (e) => `${e.name}: ${e.message}`));
      }
      return { threw, opened, reasons: [...reasons].sort() };
    });
    assert.equal(summary.threw, 0);
    assert.equal(summary.opened, 0);
    assert.ok(summary.reasons.includes('Error: page code threw'), summary.reasons.join('\n'));
    assert.ok(summary.reasons.every((r) => /^(Error|TypeError):/.test(r)), summary.reasons.join('\n'));
    assert.equal((await roundTrip(ctx, 'after-hostile')).value, 'after-hostile');
    await assertClean(ctx);
    noPanicOrError(ctx);
  }));
}
