// prefetch(): a page can load the .wasm before the first click (on hover,
// on idle), so the first call opens synchronously like later ones.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openSession } from './support/session.mjs';

let session;
before(async () => { session = await openSession(); });
after(() => session?.close());

const wasmRequests = () => session.servers.requests.filter((r) => r.path.endsWith('.wasm')).length;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

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
