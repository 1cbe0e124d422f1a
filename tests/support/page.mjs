// A test page with the SDK under test loaded, and helpers to drive it from
// Node: call the SDK, post messages from the flow's iframe, and count what
// is left behind.
import assert from 'node:assert/strict';
import { inflateSync } from 'node:zlib';
import { messageListeners } from './browser.mjs';
import { sleep, until } from './wait.mjs';

/**
 * A fresh page of one implementation ('ref', 'esm' or 'global'; see
 * tests/pages/) and the helpers the scenarios use on it.
 */
export async function openPage({ browser, servers }, impl, { csp, query = '' } = {}) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // From the start: the SDK may load (and log) on idle, before a test looks.
  const console = [];
  page.on('console', (m) => console.push(`${m.type()}: ${m.text()}`));
  const params = new URLSearchParams(query);
  if (csp) params.set('csp', csp);
  await page.goto(`${servers.app}/pages/${impl}.html${params.size ? `?${params}` : ''}`);
  await page.waitForFunction(() => window.SDK && window.T);
  const flowUrl = (query = '') => `${servers.flow}/pages/flow.html${query}`;
  const ctx = {
    page,
    impl,
    errors,
    console,
    flowUrl,
    open: (url = flowUrl(), containerId) =>
      page.evaluate(([url, id]) => T.open(url, id ? { container: document.getElementById(id) } : undefined), [url, containerId]),
    /** The call's record once settled, or still pending after `ms`. */
    async result(id, ms = 3000) {
      try {
        await page.waitForFunction((id) => T.calls[id].state !== 'pending', id, { timeout: ms });
      } catch { /* still pending */ }
      return page.evaluate((id) => T.calls[id], id);
    },
    async pendingFor(id, ms) {
      await sleep(ms);
      return (await page.evaluate((id) => T.calls[id], id)).state === 'pending';
    },
    /** The flow's frame, once loaded. */
    async flowFrame(origin = servers.flow) {
      let frame;
      await until(() => (frame = page.frames().find((f) => f.url().startsWith(origin))), `a frame from ${origin}`, 5000);
      await frame.waitForLoadState('load');
      return frame;
    },
    /** Posts `data` to the app as the flow does: from the iframe's own window. */
    async post(data, origin) {
      const frame = await ctx.flowFrame(origin);
      await frame.evaluate((d) => parent.postMessage(d, '*'), data);
    },
    /** The colour on screen at (x, y), as `[r, g, b]`: what the user sees there, frames included. */
    async pixel(x, y) {
      return decodePixel(await page.screenshot({ clip: { x, y, width: 1, height: 1 } }));
    },
    iframes: () => page.evaluate(() => T.iframes()),
    async leftovers() {
      return {
        iframes: await ctx.iframes(),
        listeners: await messageListeners(page),
        observers: await page.evaluate(() => T.observers()),
        // The loading overlay, and `inert` or a scroll lock left on the page.
        overlays: await page.evaluate(() => document.querySelectorAll('[data-kombo-connect]').length),
        locked: await page.evaluate(() => document.querySelectorAll('[inert]').length + (document.documentElement.style.overflowX === 'hidden')),
      };
    },
  };
  return ctx;
}

/** No iframe, no `message` listener on window, no MutationObserver, overlay or page lock left. */
export async function assertClean(ctx) {
  assert.deepEqual(await ctx.leftovers(), { iframes: 0, listeners: 0, observers: 0, overlays: 0, locked: 0 });
}

/**
 * The one pixel of a 1×1 PNG (8-bit RGB or RGBA). Whatever the row's
 * filter, its predictor is 0 for a lone pixel, so the bytes are the colour.
 */
function decodePixel(png) {
  const data = [];
  for (let at = 8; at < png.length;) {
    const length = png.readUInt32BE(at);
    if (png.toString('latin1', at + 4, at + 8) === 'IDAT') data.push(png.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  const row = inflateSync(Buffer.concat(data));
  return [...row.subarray(1, 4)];
}
