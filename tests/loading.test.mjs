// Issue 6, points 2, 4 and 6: a flow that does not load is an error, not a
// blank screen; the host page draws a loading state with a way out until
// the flow has loaded; connect() shows it from the moment it is called.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertClean, openPage } from './support/page.mjs';
import { openSession } from './support/session.mjs';
import { sleep, until } from './support/wait.mjs';

const FLOW_HTML = '<!doctype html><title>slow flow</title><p>Mock Connect flow, served late.</p>';

let session;
before(async () => {
  session = await openSession();
  const { routes } = session.servers;
  // `/hang` (built into the test server) never answers: the iframe never
  // fires `load`. This one answers after 700 ms.
  routes['/slow'] = (req, res) =>
    setTimeout(() => res.writeHead(200, { 'content-type': 'text/html' }).end(FLOW_HTML), 700);
});
after(() => session?.close());

async function withPage(impl, fn, options) {
  const ctx = await openPage(session, impl, options);
  // The .wasm loaded, so that each call acts at once (what the idle warm-up gives a real page).
  await ctx.page.evaluate(() => SDK.prefetch?.());
  try {
    await fn(ctx);
    await assertClean(ctx); // also: no overlay, no inert, no scroll lock
    assert.deepEqual(ctx.errors, []);
  } finally {
    await ctx.page.close();
  }
}

const overlays = (ctx) => ctx.page.evaluate(() => document.querySelectorAll('[data-kombo-connect]').length);
const open = (ctx, url, options = {}) => ctx.page.evaluate(([url, options]) => T.open(url, options), [url, options]);
const overlay = '[data-kombo-connect="loading"]';

for (const impl of ['esm', 'global']) {
  test(`a flow that never loads rejects with KomboConnectLoadError 'timeout' after loadTimeoutMs, and cleans up (${impl})`, () =>
    withPage(impl, async (ctx) => {
      const id = await open(ctx, `${session.servers.flow}/hang`, { loadTimeoutMs: 400 });
      const r = await ctx.result(id, 3000);
      assert.equal(r.state, 'rejected');
      assert.equal(r.error.name, 'KomboConnectLoadError');
      assert.ok(r.error.isLoadError && r.error.isError, 'instanceof KomboConnectLoadError and Error');
      assert.equal(r.error.reason, 'timeout');
      assert.match(r.error.message, /did not load within 400 ms/);
      // Usable again at once.
      const next = await open(ctx, ctx.flowUrl());
      await ctx.post({ type: 'close' });
      assert.equal((await ctx.result(next)).error.name, 'KomboConnectCancelledError');
    }));
}

test('the reference waits forever on a flow that never loads (what loadTimeoutMs fixes)', async () => {
  const ctx = await openPage(session, 'ref');
  try {
    const id = await open(ctx, `${session.servers.flow}/hang`);
    assert.ok(await ctx.pendingFor(id, 1500), 'the reference settled');
  } finally {
    await ctx.page.close();
  }
});

test("a page whose CSP does not allow the flow's origin gets KomboConnectLoadError 'csp' naming frame-src and the origin", () =>
  withPage('esm', async (ctx) => {
    const id = await open(ctx, ctx.flowUrl());
    const r = await ctx.result(id, 3000);
    assert.equal(r.state, 'rejected');
    assert.equal(r.error.name, 'KomboConnectLoadError');
    assert.equal(r.error.reason, 'csp');
    assert.ok(r.error.message.includes('frame-src'), r.error.message);
    assert.ok(r.error.message.includes(session.servers.flow), r.error.message);
  }, { csp: 'no-frames' }));

test('the loading overlay covers a flow still loading after 100 ms until it loads, then goes, and focus moves into the flow', () =>
  withPage('esm', async (ctx) => {
    const id = await open(ctx, `${session.servers.flow}/slow`, { onEvent: 'record' });
    assert.equal(await overlays(ctx), 0, 'drawn at once: it would flash on fast loads');
    await ctx.page.waitForSelector(overlay);
    const drawn = await ctx.page.evaluate((sel) => {
      const el = document.querySelector(sel);
      const iframe = document.querySelector('iframe');
      const button = el.querySelector('button');
      const spinner = el.querySelector('[role="progressbar"]');
      const box = el.getBoundingClientRect();
      return {
        onTop: iframe.compareDocumentPosition(el) === Node.DOCUMENT_POSITION_FOLLOWING,
        covers: box.width === innerWidth && box.height === innerHeight,
        backdrop: getComputedStyle(el).backgroundColor,
        label: button.getAttribute('aria-label'),
        spinning: spinner.getAnimations().length,
        busy: el.getAttribute('aria-busy'),
      };
    }, overlay);
    assert.deepEqual(drawn, { onTop: true, covers: true, backdrop: 'rgba(15, 23, 42, 0.55)', label: 'Close', spinning: 1, busy: 'true' });
    await ctx.page.waitForFunction((id) => T.events[id].some((e) => e.type === 'loaded'), id);
    assert.equal(await overlays(ctx), 0);
    assert.equal(await ctx.page.evaluate(() => document.activeElement === document.querySelector('iframe')), true);
    await ctx.post({ type: 'success', data: { activation_token: 'slow_tok' } }, session.servers.flow);
    assert.equal((await ctx.result(id)).value, 'slow_tok');
  }));

test("the overlay's close button cancels a flow that has not loaded", () =>
  withPage('esm', async (ctx) => {
    const id = await open(ctx, `${session.servers.flow}/hang`);
    await ctx.page.click(`${overlay} button`);
    const r = await ctx.result(id);
    assert.equal(r.error.name, 'KomboConnectCancelledError');
    assert.ok(r.error.isCancelled);
  }));

test("the page's own style sheet for buttons and divs does not reshape the loading overlay", () =>
  withPage('esm', async (ctx) => {
    await ctx.page.evaluate(() => {
      document.head.appendChild(document.createElement('style')).textContent = `
        button { padding: 12px 32px; min-width: 160px; margin: 8px; }
        div { padding: 20px; margin: 10px; }`;
    });
    const id = await open(ctx, `${session.servers.flow}/hang`);
    await ctx.page.waitForSelector(overlay);
    const seen = await ctx.page.evaluate((sel) => {
      const rect = (el) => { const r = el.getBoundingClientRect(); return [r.left, r.top, r.width, r.height].map(Math.round); };
      const root = document.querySelector(sel);
      // The spinner turns: its size, not its bounding box.
      return {
        backdrop: rect(root), spinner: ((el) => [el.offsetWidth, el.offsetHeight])(root.querySelector('[role="progressbar"]')), button: rect(root.querySelector('button')),
        viewport: [0, 0, document.documentElement.clientWidth, document.documentElement.clientHeight],
      };
    }, overlay);
    assert.deepEqual(seen.backdrop, seen.viewport, 'the backdrop does not cover the viewport');
    assert.deepEqual(seen.spinner, [44, 44]);
    assert.deepEqual(seen.button, [seen.viewport[2] - 16 - 44, 16, 44, 44]);
    await ctx.page.click(`${overlay} button`);
    assert.equal((await ctx.result(id)).error.name, 'KomboConnectCancelledError');
    // A right-to-left page gets the close button where it closes things: top left.
    await ctx.page.evaluate(() => { document.documentElement.dir = 'rtl'; });
    const rtl = await open(ctx, `${session.servers.flow}/hang`);
    await ctx.page.waitForSelector(overlay);
    const button = await ctx.page.evaluate((sel) => {
      const r = document.querySelector(`${sel} button`).getBoundingClientRect();
      return [r.left, r.top].map(Math.round);
    }, overlay);
    assert.deepEqual(button, [16, 16]);
    await ctx.page.click(`${overlay} button`);
    assert.equal((await ctx.result(rtl)).error.name, 'KomboConnectCancelledError');
  }));

test("under a page modal that set pointer-events: none on <body> (Radix UI's Dialog), the overlay's close button takes a click", () =>
  withPage('esm', async (ctx) => {
    await ctx.page.evaluate(() => { document.body.style.pointerEvents = 'none'; });
    const id = await open(ctx, `${session.servers.flow}/hang`);
    await ctx.page.waitForSelector(overlay);
    const [x, y] = await ctx.page.evaluate((sel) => {
      const r = document.querySelector(`${sel} button`).getBoundingClientRect();
      return [r.left + r.width / 2, r.top + r.height / 2];
    }, overlay);
    await ctx.page.mouse.click(x, y); // where the user clicks, whatever takes it
    assert.equal((await ctx.result(id)).error?.name, 'KomboConnectCancelledError');
  }));

test('Escape cancels a flow that has not loaded, while the page has the keyboard', () =>
  withPage('global', async (ctx) => {
    const id = await open(ctx, `${session.servers.flow}/hang`);
    await ctx.page.waitForSelector(overlay);
    await ctx.page.keyboard.press('Escape');
    assert.equal((await ctx.result(id)).error.name, 'KomboConnectCancelledError');
  }));

test('with prefers-reduced-motion the spinner does not move', () =>
  withPage('esm', async (ctx) => {
    await ctx.page.emulateMedia({ reducedMotion: 'reduce' });
    const id = await open(ctx, `${session.servers.flow}/hang`);
    await ctx.page.waitForSelector(overlay);
    assert.equal(await ctx.page.evaluate((sel) => document.querySelector(`${sel} [role="progressbar"]`).getAnimations().length, overlay), 0);
    await ctx.page.click(`${overlay} button`);
    await ctx.result(id);
  }));

test('loading: false draws nothing, as the reference', () =>
  withPage('esm', async (ctx) => {
    const id = await open(ctx, `${session.servers.flow}/hang`, { loading: false });
    await ctx.page.waitForSelector('iframe', { state: 'attached' });
    await sleep(400); // longer than any overlay takes to show
    assert.equal(await ctx.iframes(), 1);
    assert.equal(await overlays(ctx), 0);
    await ctx.page.evaluate(() => document.querySelector('iframe').remove());
    assert.equal((await ctx.result(id)).error.name, 'KomboConnectCancelledError');
  }));

test('the overlay is drawn under a strict CSP with Trusted Types enforced, with no violation', () =>
  withPage('esm', async (ctx) => {
    const id = await open(ctx, `${session.servers.flow}/hang`);
    await ctx.page.waitForSelector(overlay);
    const styled = await ctx.page.evaluate((sel) => {
      const el = document.querySelector(sel);
      return [getComputedStyle(el).position, getComputedStyle(el.querySelector('button')).borderRadius];
    }, overlay);
    assert.deepEqual(styled, ['fixed', '50%']);
    await ctx.page.click(`${overlay} button`);
    await ctx.result(id);
    assert.deepEqual(await ctx.page.evaluate(() => T.violations), []);
  }, { csp: 'trusted-types' }));

// connect(): the loading state from the moment of the call.
test('connectHris() shows the loading state while init runs; closing it cancels the init request', () =>
  withPage('esm', async (ctx) => {
    const { routes, requests } = session.servers;
    let aborted = false;
    routes['/integrations/kombo/init'] = (req, res) => res.on('close', () => { aborted = true; });
    const id = await ctx.page.evaluate(() => T.connect(null, { onEvent: 'record' }, 'connectHris'));
    await ctx.page.waitForSelector(overlay);
    assert.equal(await ctx.iframes(), 0, 'no iframe before the link');
    await until(() => requests.some((r) => r.path === '/integrations/kombo/init'), 'the init request');
    await ctx.page.keyboard.press('Escape');
    const r = await ctx.result(id);
    assert.equal(r.error.name, 'KomboConnectCancelledError');
    await until(() => aborted, 'the init request cancelled');
    const types = (await ctx.page.evaluate((id) => T.events[id], id)).map((e) => e.type);
    assert.deepEqual(types, ['init-start', 'cancel']);
  }));

test('connectHris() keeps the overlay up from the call into the flow, until the flow loads', () =>
  withPage('esm', async (ctx) => {
    const { routes, flow } = session.servers;
    const json = (res, value) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    routes['/integrations/kombo/init'] = (req, res) => setTimeout(() => json(res, { link: `${flow}/slow` }), 300);
    routes['/integrations/kombo/activate'] = (req, res) => json(res, { id: 'personio:1' });
    // Once the .wasm is there (idle warm-up or prefetch()), the call draws it at once.
    const id = await ctx.page.evaluate(async () => { await SDK.prefetch(); return T.connect(null, { onEvent: 'record' }, 'connectHris'); });
    assert.equal(await overlays(ctx), 1, 'no loading state at the moment of the call');
    await ctx.page.waitForSelector('iframe');
    assert.equal(await overlays(ctx), 1, 'the loading state went away before the flow loaded');
    await ctx.page.waitForFunction((id) => T.events[id].some((e) => e.type === 'loaded'), id);
    assert.equal(await overlays(ctx), 0);
    await ctx.post({ type: 'success', data: { activation_token: 'tok' } }, flow);
    assert.equal((await ctx.result(id)).value.activationToken, 'tok');
  }));
