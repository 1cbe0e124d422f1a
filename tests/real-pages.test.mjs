// Issue 10: what ordinary but awkward pages do to the flow. Each test here
// failed on the build before the change it covers. (The rows that compare
// with the reference, such as modal dialogs, shadow DOM, two copies of the
// SDK and same-origin links, are in conformance.test.mjs.)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { assertClean, openPage } from './support/page.mjs';
import { openSession } from './support/session.mjs';

let session;
const html = (res, body) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(body);
before(async () => {
  session = await openSession({ '/zone/': new URL('../node_modules/zone.js/bundles/', import.meta.url).pathname });
  const { routes } = session.servers;
  // The test pages of both builds as an Angular app has them: zone.js
  // first, which replaces Promise and patches timers, listeners,
  // MutationObserver and requestAnimationFrame before the SDK loads.
  for (const impl of ['esm', 'global']) {
    const page = readFileSync(new URL(`pages/${impl}.html`, import.meta.url), 'utf8');
    routes[`/pages/zone-${impl}.html`] = (req, res) => html(res, page.replace('<script', '<script src="/zone/zone.umd.js"></script>\n  <script'));
  }
  // A flow that is alive (it posts a message, as Kombo's does when it is
  // ready) but whose `load` never comes: an image of it never arrives.
  routes['/alive-flow'] = (req, res) => html(res, '<!doctype html><p>Flow</p><img src="/hang"><script>parent.postMessage({ type: "ready" }, "*")</script>');
});
after(() => session?.close());

async function withPage(impl, fn, options) {
  const firstRequest = session.servers.requests.length;
  const ctx = await openPage(session, impl, options);
  /** Paths this page requested (tests run one at a time). */
  ctx.fetched = () => session.servers.requests.slice(firstRequest).map((r) => r.path);
  try {
    await fn(ctx);
  } finally {
    await ctx.page.close();
  }
}
const noPanic = (ctx) => {
  assert.deepEqual(ctx.errors, [], 'uncaught errors in the page');
  assert.deepEqual(ctx.console.filter((l) => /panicked|RuntimeError|unreachable|internal error/.test(l)), []);
};

for (const impl of ['esm', 'global']) {
  test(`an Angular page (zone.js loaded first): the flow opens inside Angular's zone and resolves, a removed frame cancels, aborting rejects, connectHris() runs, nothing is left (${impl})`, { timeout: 30_000 }, () => withPage(`zone-${impl}`, async (ctx) => {
    const { routes } = session.servers;
    const json = (res, value) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    routes['/integrations/kombo/init'] = (req, res) => json(res, { link: ctx.flowUrl('?auto=success&token=from-init') });
    routes['/integrations/kombo/activate'] = (req, res) => json(res, { id: 'personio:1' });
    const r = await ctx.page.evaluate(async (url) => {
      const zone = Zone.current.fork({ name: 'angular' });
      const inZone = (f) => zone.run(f);
      const outcome = (p) => p.then((v) => v, (e) => e?.name);
      const opened = () => new Promise((ok, fail) => {
        const deadline = performance.now() + 5000;
        const check = () => (document.querySelector('iframe') ? ok() : performance.now() > deadline ? fail(new Error('no iframe')) : setTimeout(check, 10));
        check();
      });
      const zoneAware = Promise !== Object.getPrototypeOf(async () => {}).constructor;
      const token = await outcome(inZone(() => SDK.showKomboConnect(`${url}?auto=success&token=zoned`)));
      const removed = inZone(() => SDK.showKomboConnect(url));
      await opened();
      document.querySelector('iframe').remove();
      const removedOutcome = await outcome(removed);
      const controller = new AbortController();
      const aborted = outcome(inZone(() => SDK.showKomboConnect(url, { signal: controller.signal })));
      await opened();
      controller.abort();
      const abortedOutcome = await aborted;
      const connected = await inZone(() => SDK.connectHris()).then((v) => v.activationToken, (e) => `${e.name}: ${e.message}`);
      return { zoneAware, token, removed: removedOutcome, aborted: abortedOutcome, connected };
    }, ctx.flowUrl());
    delete routes['/integrations/kombo/init'];
    delete routes['/integrations/kombo/activate'];
    assert.deepEqual(r, { zoneAware: true, token: 'zoned', removed: 'KomboConnectCancelledError', aborted: 'AbortError', connected: 'from-init' });
    await assertClean(ctx);
    noPanic(ctx);
  }));

  test(`aborting rejects with signal.reason, as fetch() does: TimeoutError, the caller's own reason, AbortError without one (${impl})`, { timeout: 30_000 }, () => withPage(impl, async (ctx) => {
    const r = await ctx.page.evaluate(async (url) => {
      const outcome = (p) => p.then(() => 'resolved', (e) => ({ name: e?.name, dom: e instanceof DOMException, value: typeof e === 'string' ? e : undefined, same: e === window.reason }));
      const abortWith = async (reason, later) => {
        const c = new AbortController();
        const p = SDK.showKomboConnect(url, { signal: c.signal });
        if (later) await new Promise((ok) => setTimeout(ok, 50));
        reason === undefined ? c.abort() : c.abort(reason);
        return outcome(p);
      };
      window.reason = new Error('route changed');
      return {
        timeout: await outcome(SDK.showKomboConnect(url, { signal: AbortSignal.timeout(100) })),
        own: await abortWith(window.reason, true),
        string: await abortWith('gone', true),
        none: await abortWith(undefined, true),
        already: await outcome(SDK.showKomboConnect(url, { signal: AbortSignal.abort('early') })),
        iframes: document.querySelectorAll('iframe').length,
      };
    }, ctx.flowUrl());
    assert.deepEqual(r.timeout, { name: 'TimeoutError', dom: true, value: undefined, same: false });
    assert.deepEqual(r.own, { name: 'Error', dom: false, value: undefined, same: true });
    assert.equal(r.string.value, 'gone');
    assert.deepEqual(r.none, { name: 'AbortError', dom: true, value: undefined, same: false });
    assert.equal(r.already.value, 'early');
    assert.equal(r.iframes, 0);
  }));

  test(`connect(): aborting during init or the flow rejects with signal.reason (${impl})`, { timeout: 30_000 }, () => withPage(impl, async (ctx) => {
    const { routes } = session.servers;
    routes['/integrations/kombo/init'] = (req, res) => setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ link: ctx.flowUrl() })), 300);
    const r = await ctx.page.evaluate(async () => {
      const outcome = (p) => p.then(() => 'resolved', (e) => e);
      const c1 = new AbortController();
      const p1 = SDK.connectHris({ signal: c1.signal });
      setTimeout(() => c1.abort('left the page'), 50);
      const during = await outcome(p1);
      const c2 = new AbortController();
      const p2 = SDK.connectHris({ signal: c2.signal });
      for (let i = 0; i < 200 && !document.querySelector('iframe'); i++) await new Promise((ok) => setTimeout(ok, 10));
      c2.abort('closed by the app');
      return { during, flow: await outcome(p2), iframes: document.querySelectorAll('iframe').length };
    });
    assert.deepEqual(r, { during: 'left the page', flow: 'closed by the app', iframes: 0 });
  }));

  test(`a flow that shows signs of life (a message) but never fires load is not timed out, and no overlay covers it (${impl})`, { timeout: 30_000 }, () => withPage(impl, async (ctx) => {
    const id = await ctx.page.evaluate((url) => T.open(url, { loadTimeoutMs: 500 }), `${session.servers.flow}/alive-flow`);
    assert.ok(await ctx.pendingFor(id, 1000), 'timed out a flow that was alive');
    assert.equal(await ctx.page.evaluate(() => document.querySelectorAll('[data-kombo-connect="loading"]').length), 0, 'the overlay covers a live flow');
    const frame = ctx.page.frames().find((f) => f.url().includes('/alive-flow'));
    await frame.evaluate(() => parent.postMessage({ type: 'success', data: { activation_token: 'alive' } }, '*'));
    assert.equal((await ctx.result(id)).value, 'alive');
    await assertClean(ctx);
  }));

  for (const [how, takeAway] of [
    ['sets its src to about:blank', () => { document.querySelector('iframe').src = 'about:blank'; }],
    ['navigates it to about:blank', () => { document.querySelector('iframe').contentWindow.location.href = 'about:blank'; }],
    ['points its src elsewhere', (elsewhere) => { document.querySelector('iframe').setAttribute('src', `${elsewhere}/pages/flow.html`); }],
    ['sets its srcdoc', () => { document.querySelector('iframe').srcdoc = '<p>Blocked by your cookie settings</p>'; }],
  ]) {
    test(`a page script that takes the frame away (${how}) settles with KomboConnectLoadError 'replaced' and restores the page (${impl})`, { timeout: 30_000 }, () => withPage(impl, async (ctx) => {
      const id = await ctx.open();
      await ctx.flowFrame();
      await ctx.page.evaluate(takeAway, session.servers.elsewhere);
      const r = await ctx.result(id, 2000);
      assert.equal(r.state, 'rejected', 'the flow stays open on a frame it lost');
      assert.equal(r.error.isLoadError && r.error.reason, 'replaced');
      assert.match(r.error.message, new RegExp(`allow frames from ${session.servers.flow.replace(/[.]/g, '\\.')}`));
      await assertClean(ctx);
      noPanic(ctx);
    }));
  }

  test(`a page that calls document.open() while the flow opens gets a settled call, no panic, and a working SDK (${impl})`, { timeout: 30_000 }, () => withPage(impl, async (ctx) => {
    const r = await ctx.page.evaluate(async (url) => {
      const first = await SDK.showKomboConnect(url, {
        onEvent: (e) => { if (e.type === 'open') { document.open(); document.write('<!doctype html><body><p>rewritten</p></body>'); document.close(); } },
      }).then(() => 'resolved', (e) => e.name);
      const again = SDK.showKomboConnect(url);
      return { first, opened: document.querySelectorAll('iframe').length, again: await Promise.race([again.then(() => 'resolved', (e) => e.name), new Promise((ok) => setTimeout(() => ok('pending'), 300))]) };
    }, ctx.flowUrl());
    assert.equal(r.first, 'KomboConnectCancelledError');
    assert.equal(r.opened, 1, 'the next call did not open');
    assert.equal(r.again, 'pending');
    noPanic(ctx);
  }));

  const notFound = (req, res) => res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  for (const [file, what, answer] of [
    ['kombo_connect_wasm_bg.wasm', 'answers 404', notFound],
    ['kombo_connect_wasm_bg.wasm', 'answers with an HTML page', (req, res) => html(res, '<!doctype html><title>App</title>')],
    ['kombo_connect_wasm_bg.wasm', 'never answers', () => {}],
    ['kombo_connect_runtime.js', 'answers 404', notFound],
  ]) {
    test(`when ${file} ${what}, calls settle within loadTimeoutMs with KomboConnectLoadError naming the URL; a later call tries again (${impl})`, { timeout: 30_000 }, () => withPage(impl, async (ctx) => {
      const { routes } = session.servers;
      routes[`/pkg/${file}`] = answer;
      try {
        const r = await ctx.page.evaluate(async (url) => {
          const t0 = performance.now();
          const outcome = (p) => p.then(() => 'resolved', (e) => ({ name: e?.name, reason: e?.reason, message: e?.message, load: e instanceof SDK.KomboConnectLoadError, ms: performance.now() - t0 }));
          const [a, b] = await Promise.all([
            outcome(SDK.showKomboConnect(url, { loadTimeoutMs: 800 })),
            outcome(SDK.connectHris({ loadTimeoutMs: 800 })),
          ]);
          return { a, b };
        }, ctx.flowUrl());
        for (const call of [r.a, r.b]) {
          assert.equal(call.name, 'KomboConnectLoadError');
          assert.ok(call.load, 'not instanceof KomboConnectLoadError');
          assert.equal(call.reason, 'sdk');
          assert.ok(call.message.includes(file), call.message);
          // Long after 800 ms, so a busy machine cannot fail it; long before
          // the default 20 s, which a call ignoring loadTimeoutMs would wait.
          assert.ok(call.ms < 5000, `settled after ${call.ms} ms`);
        }
      } finally {
        delete routes[`/pkg/${file}`];
      }
      const id = await ctx.open();
      await ctx.post({ type: 'success', data: { activation_token: 'retried' } });
      assert.equal((await ctx.result(id)).value, 'retried');
    }, { query: 'noidle' }));
  }

  for (const [query, browser] of [['', ''], ['notransfer', ', in a browser without ArrayBuffer.prototype.transfer']]) test(`under a CSP without 'wasm-unsafe-eval' the JavaScript build runs, with one console note, no .wasm fetched, memory growth and a panic survived (${impl}${browser})`, { timeout: 60_000 }, () => withPage(impl, async (ctx) => {
    // A link long enough to make the JavaScript build grow its memory.
    const long = ctx.flowUrl(`#pad=${'x'.repeat(1_000_000)}`); // a fragment: never sent to the server
    const id = await ctx.open(long);
    await ctx.post({ type: 'success', data: { activation_token: 'grown' } });
    assert.equal((await ctx.result(id, 10_000)).value, 'grown');
    const after = await ctx.open();
    await ctx.post({ type: 'success', data: { activation_token: 'after growth' } });
    assert.equal((await ctx.result(after)).value, 'after growth');
    // A panic in the JavaScript build: named, survived, next call works.
    const inFlight = await ctx.open();
    await ctx.flowFrame();
    await ctx.page.evaluate(async () => {
      const runtime = await import('/pkg/kombo_connect_runtime_js.js');
      try { runtime.__panic('on purpose'); } catch { /* the trap that ends a panic: wasm2js' abort() */ }
    });
    assert.match((await ctx.result(inFlight)).error?.message ?? '', /internal error/);
    const next = await ctx.open();
    await ctx.post({ type: 'success', data: { activation_token: 'fresh' } });
    assert.equal((await ctx.result(next)).value, 'fresh');
    const paths = ctx.fetched();
    assert.ok(!paths.some((p) => p.endsWith('.wasm')), 'the .wasm was fetched');
    assert.ok(paths.includes('/pkg/kombo_connect_runtime_js.js'), 'the JavaScript build was not fetched');
    const notes = ctx.console.filter((l) => l.includes("'wasm-unsafe-eval'"));
    assert.equal(notes.length, 1, ctx.console.join('\n'));
    assert.match(notes[0], /^info: /);
  }, { csp: 'no-wasm', query }));
}
