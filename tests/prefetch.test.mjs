// prefetch(): a page can load the .wasm before the first click (on hover,
// on idle), so the first call opens synchronously like later ones.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openSession } from './support/session.mjs';
import { sleep } from './support/wait.mjs';

let session;
before(async () => { session = await openSession(); });
after(() => session?.close());

const wasmRequests = () => session.servers.requests.filter((r) => r.path.endsWith('.wasm')).length;

for (const impl of ['esm', 'global']) {
  test(`prefetch() loads the .wasm before any call, and the first call then opens at once (${impl})`, async () => {
    const page = await session.browser.newPage();
    try {
      const before = wasmRequests();
      await page.goto(`${session.servers.app}/pages/${impl}.html?noidle`);
      await page.waitForFunction(() => window.SDK);
      await sleep(300);
      assert.equal(wasmRequests(), before, 'the .wasm was fetched before anything asked for it');
      assert.equal(await page.evaluate(() => typeof window.SDK.prefetch), 'function');
      await page.evaluate(() => window.SDK.prefetch());
      assert.equal(wasmRequests(), before + 1);
      await page.evaluate(() => window.SDK.prefetch()); // again: nothing more to fetch
      assert.equal(wasmRequests(), before + 1);
      const opened = await page.evaluate((url) => {
        window.SDK.showKomboConnect(url).catch(() => {});
        return document.querySelectorAll('iframe').length; // synchronously, right after the call
      }, `${session.servers.flow}/pages/flow.html`);
      assert.equal(opened, 1, 'the first call after prefetch() did not open synchronously');
    } finally {
      await page.close();
    }
  });
}

// The first flow of a page opens as the SDK loads, before the idle time in
// which the iframe to copy is made (js/host.js, prepareFrames): its iframe
// is built, the next ones are copies, each made ahead of its open. Both
// must be the same iframe but for the src; every copy is recorded, so
// that each way is known to have run.
for (const impl of ['esm', 'global']) {
  test(`the first flow's iframe, built as the SDK loads, is the same as the next flow's, copied (${impl})`, async () => {
    const page = await session.browser.newPage();
    try {
      await page.goto(`${session.servers.app}/pages/${impl}.html?noidle`);
      await page.waitForFunction(() => window.SDK);
      await page.evaluate(() => {
        window.copies = new WeakSet();
        window.copiesMade = 0;
        const clone = Node.prototype.cloneNode;
        Node.prototype.cloneNode = function (...args) {
          const copy = clone.apply(this, args);
          if (copy instanceof HTMLIFrameElement) {
            window.copies.add(copy);
            window.copiesMade++;
          }
          return copy;
        };
      });
      const flow = `${session.servers.flow}/pages/flow.html`;
      // Playwright waits for the first call's iframe, which waits for the runtime.
      const open = async (token) => {
        const copiedInCall = await page.evaluate((url) => {
          const before = window.copiesMade;
          window.outcome = window.SDK.showKomboConnect(url).catch((e) => e.name);
          return window.copiesMade - before;
        }, `${flow}?token=${token}`);
        await page.waitForSelector('iframe', { state: 'attached', timeout: 10_000 });
        return page.evaluate((copiedInCall) => {
          const el = document.querySelector('iframe');
          const cs = getComputedStyle(el);
          return {
            copied: window.copies.has(el),
            copiedInCall,
            attributes: Object.fromEntries([...el.attributes].map((a) => [a.name, a.name === 'style' ? el.style.cssText : a.value])),
            computed: [cs.position, cs.zIndex, cs.width, cs.height, cs.borderTopWidth, cs.colorScheme, cs.pointerEvents],
          };
        }, copiedInCall);
      };
      const close = () => page.evaluate(() => {
        document.querySelector('iframe').remove();
        return window.outcome;
      });
      const first = await open('one');
      assert.equal(first.copied, false, 'the first iframe was copied');
      assert.equal(await close(), 'KomboConnectCancelledError');
      // The page is idle at last: the iframe to copy is made.
      await page.evaluate(() => window.idleNow());
      const second = await open('two');
      assert.equal(second.copied, true, 'the second iframe was not a copy');
      assert.equal(await close(), 'KomboConnectCancelledError');
      assert.equal(second.attributes.src, `${flow}?token=two&sdkv=1.3.0`);
      assert.deepEqual({ ...second.attributes, src: 'same' }, { ...first.attributes, src: 'same' });
      assert.deepEqual(second.computed, first.computed);
      // Copied ahead: the idle time made the second's copy, the second's
      // close the third's, so no open pays for one.
      const third = await open('three');
      assert.equal(await close(), 'KomboConnectCancelledError');
      assert.deepEqual([second.copiedInCall, third.copied, third.copiedInCall], [0, true, 0]);
      assert.deepEqual({ ...third.attributes, src: 'same' }, { ...first.attributes, src: 'same' });
    } finally {
      await page.close();
    }
  });
}
