// The measurements behind `make bench` (and, in quick mode, the budgets
// that `make test` asserts). Three implementations in one run, served from
// 127.0.0.1: the reference (@kombo-api/connect 1.3.0, UMD build), our ES
// module and our global script. Rounds are interleaved and rotated
// (A B C, B C A, …) so a noisy machine hits all three alike.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { brotliCompressSync, constants } from 'node:zlib';
import { messageListeners } from '../tests/support/browser.mjs';
import { openSession } from '../tests/support/session.mjs';

export const IMPLS = ['ref', 'esm', 'global'];
// Cold start also measures the floor for loading on first use: the
// reference's own ES module, fetched by import() on the first call
// (bench/pages/lazy.html). What ours costs above it is the runtime, the
// .wasm and the first call into it.
const COLD_IMPLS = [...IMPLS, 'lazy'];
const root = new URL('../', import.meta.url).pathname;

// Cold pages vary by several milliseconds from one to the next on a busy
// machine, hence more of them than of anything else timed.
// Warm opens are spread over several pages, each holding all three
// implementations: one page's median differs from another's, the same
// build in the same run, by about as much as the budget allows (each page
// its own renderer heap and timing), so a single page would measure its
// luck.
const FULL = { cold: 40, idle: 20, warm: 200, warmPages: 4, split: 100, flow: 20, glue: 20, cycles: 1000 };
// `make test` checks only bytes and leaks from a quick run: timings there
// are a smoke test, so one or a few samples each (the cycles stay whole).
const QUICK = { cold: 1, idle: 1, warm: 10, warmPages: 1, split: 10, flow: 1, glue: 1, cycles: 1000 };

// How long after the load event the idle-click pages wait before the
// click: the idle warm-up has long finished by then on an idle machine.
const IDLE_WAIT_MS = 1500;

export function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
  const median = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return { n: s.length, median, p95: at(0.95) };
}

const rotations = (round, impls = IMPLS) => impls.map((_, k) => impls[(round + k) % impls.length]);

/** Sizes of `paths`; `entry` is the one the page's own tag loads (the critical path). */
function sizes(paths) {
  let raw = 0, gzip = 0, brotli = 0;
  const perFile = {};
  for (const p of paths) {
    const bytes = readFileSync(root + p);
    raw += bytes.length;
    perFile[p] = execFileSync('gzip', ['-9c', root + p]).length;
    gzip += perFile[p];
    brotli += brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  }
  const entry = paths.find((p) => /\/(index\.js|kombo-connect\.global\.js|[^/]+\.umd\.js|index\.mjs)$/.test(p)) ?? paths[0];
  return { files: paths, raw, gzip, brotli, perFile, entry, entryGzip: perFile[entry] };
}

/** Heap after a forced GC, linear memory of every WebAssembly.Memory, listeners. */
async function memory(page) {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('HeapProfiler.collectGarbage');
    const { usedSize } = await cdp.send('Runtime.getHeapUsage');
    const proto = await cdp.send('Runtime.evaluate', { expression: 'WebAssembly.Memory.prototype' });
    const { objects } = await cdp.send('Runtime.queryObjects', { prototypeObjectId: proto.result.objectId });
    const { result } = await cdp.send('Runtime.callFunctionOn', {
      objectId: objects.objectId,
      functionDeclaration: 'function () { return this.reduce((sum, m) => sum + m.buffer.byteLength, 0); }',
      returnByValue: true,
    });
    return { heap: usedSize, wasm: result.value, listeners: await messageListeners(page) };
  } finally {
    await cdp.detach();
  }
}

// How long the server holds the runtime or the .wasm waiting for the other
// to be requested: far longer than a busy machine takes between two lines
// of the loader, and paid only by a loader that does not ask in parallel.
const HOLD_MS = 5000;

/**
 * Serves the runtime and the .wasm (through `routes`) each held until the
 * other has been requested, at most HOLD_MS: whether the page asked for
 * both before either had arrived is then said by the server, whatever the
 * machine's load. (Resource timings could not say it: from 127.0.0.1 the
 * runtime sometimes arrived before the `fetch` of the .wasm, issued in the
 * same task, had been timed as started.) `parallel()` is true when both
 * were requested and each saw the other's request while held; `release()`
 * ends every hold and puts the static files back.
 */
function holdTogether(routes) {
  const files = { '/pkg/kombo_connect_runtime.js': 'text/javascript', '/pkg/kombo_connect_wasm_bg.wasm': 'application/wasm' };
  const paths = Object.keys(files);
  const deferred = () => {
    let resolve;
    const promise = new Promise((ok) => (resolve = ok));
    return { promise, resolve };
  };
  const requested = Object.fromEntries(paths.map((p) => [p, deferred()]));
  const released = deferred();
  const saw = {};
  for (const [i, path] of paths.entries()) {
    const other = paths[1 - i];
    routes[path] = async (req, res) => {
      requested[path].resolve(true);
      const timeOut = new Promise((ok) => setTimeout(ok, HOLD_MS, false).unref());
      saw[path] = await Promise.race([requested[other].promise, timeOut, released.promise.then(() => false)]);
      res.writeHead(200, { 'content-type': files[path], 'cache-control': 'no-store' }).end(readFileSync(root + path.slice(1)));
    };
  }
  return {
    parallel: () => paths.every((p) => saw[p] === true),
    release: () => {
      released.resolve();
      for (const path of paths) delete routes[path];
    },
  };
}

/**
 * Loads a cold page and waits until its first iframe is in, without running
 * any script in it meanwhile: Playwright's first `evaluate` or
 * `waitForFunction` compiles its injected script on the page's main thread,
 * and landing inside a slower loader's window it would be charged to that
 * implementation alone. The page says when by a console message.
 */
async function coldOpen(page, url) {
  const seen = page.waitForEvent('console', { predicate: (m) => m.text() === 'bench:iframe', timeout: 30_000 });
  await page.goto(url, { waitUntil: 'commit' });
  await seen;
}

/**
 * Loads a cold page, clicks it `waitMs` after its load event has fired (a
 * trusted click, through the browser's input pipeline, with no script run
 * in the page first), and waits until the iframe the click opened is in.
 * With `shown`, the click also waits for the page's first contentful paint
 * (bench/pages/bench.js says when): what a person clicks, they have seen.
 */
async function coldClick(page, url, waitMs, shown) {
  const seen = page.waitForEvent('console', { predicate: (m) => m.text() === 'bench:iframe', timeout: 30_000 });
  const painted = shown && page.waitForEvent('console', { predicate: (m) => m.text() === 'bench:painted', timeout: 30_000 });
  await page.goto(url, { waitUntil: 'load' });
  await painted;
  if (waitMs) await page.waitForTimeout(waitMs);
  await page.mouse.click(5, 5);
  await seen;
}

/**
 * Runs every measurement. `quick` uses fewer samples (not fewer cycles).
 * Returns a plain object: per implementation, per metric.
 */
export async function runBench({ quick = false, log = () => {} } = {}) {
  const n = quick ? QUICK : FULL;
  const session = await openSession({ '/bench/': root + 'bench/pages/' });
  const { servers, browser } = session;
  const json = (res, value) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(value));
  const flowLink = `${servers.flow}/pages/flow.html`;
  // Warm pages are cross-origin isolated, for timers at microsecond
  // resolution (see tests/support/server.mjs); their frames must be too.
  const autoLink = `${servers.flow}/bench/flow-auto.html?isolated`;
  const warmLink = `${servers.flow}/pages/flow.html?isolated`;
  servers.routes['/integrations/kombo/init'] = (req, res) => json(res, { link: autoLink });
  servers.routes['/integrations/kombo/activate'] = (req, res) => json(res, { id: 'personio:bench', tool: 'personio' });
  const results = Object.fromEntries(COLD_IMPLS.map((i) => [i, {}]));
  try {
    // Transfer size: what each page really downloaded for the SDK.
    for (const impl of IMPLS) {
      const start = servers.requests.length;
      const page = await browser.newPage();
      const together = holdTogether(servers.routes);
      try {
        await coldOpen(page, `${servers.app}/bench/${impl}.html?cold&link=${encodeURIComponent(flowLink)}`);
      } finally {
        together.release();
      }
      const wasmInitiator = await page.evaluate(() =>
        performance.getEntriesByType('resource').find((e) => e.name.endsWith('.wasm'))?.initiatorType ?? null);
      await page.close();
      const files = [...new Set(servers.requests.slice(start).map((r) => r.path)
        .filter((p) => p.startsWith('/pkg/') || p.startsWith('/ref/')))];
      results[impl].size = sizes(files.map((p) => (p.startsWith('/ref/') ? 'node_modules/@kombo-api/connect/dist/' + p.slice(5) : p.slice(1))));
      results[impl].size.wasmInitiator = wasmInitiator;
      results[impl].size.parallel = together.parallel();
    }
    log('size done');

    // Cold start: fresh context (empty cache) per page. Two ways a page
    // first uses the SDK: it opens the flow as it loads (the call at
    // DOMContentLoaded, before the page's first layout and paint), and a
    // user clicks as soon as the page has loaded. The click is measured
    // twice: once the page has loaded and shown itself (its first
    // contentful paint), the first click a person can make, which the
    // budget holds; and at the load event itself, as the bench clicked
    // before, which on a classic-script page comes before anything is on
    // screen, so the page's first paint falls inside that click. On a
    // classic-script page the idle warm-up nearly always starts before the
    // first paint, so the click after it is measured with the page's idle
    // callbacks held back (`noidle`): what it pays is the whole cold start.
    const cold = Object.fromEntries(COLD_IMPLS.map((i) => [i, { total: [], download: [], instantiate: [], firstCall: [] }]));
    const clickKinds = { click: true, clickAtLoad: false }; // kind → wait for the first paint
    const clicks = Object.fromEntries(Object.keys(clickKinds).map((kind) => [kind,
      Object.fromEntries(COLD_IMPLS.map((i) => [i, { total: [], afterLoad: [], beforePaint: 0, warmedUp: 0 }]))]));
    // A click on a fresh page (empty cache), `waitMs` after its load event,
    // measured in the page by `measure`. A page whose sample does not count
    // (`skip` set) is loaded again, at most ten times, and `skipped` told;
    // then the round has no sample (`null`): which of the click and the
    // browser's idle callback comes first is a race, and an idle machine
    // can lose it ten times running. The budget then reports the clicks it
    // did measure, and none at all as over.
    const clickSample = async (impl, waitMs, measure, skipped, shown = false) => {
      for (let tries = 0; tries < 10; tries++) {
        const context = await browser.newContext();
        const page = await context.newPage();
        await coldClick(page, `${servers.app}/bench/${impl}.html?click${shown ? '&noidle' : ''}&link=${encodeURIComponent(flowLink)}`, waitMs, shown);
        const t = await page.evaluate(measure);
        await context.close();
        if (!t.skip) return t;
        skipped();
      }
      return null;
    };
    // A page where the idle warm-up requested the runtime before the click
    // did not measure a cold click: it is counted, and another page loaded.
    const clickRound = async (impl, kind) => {
      const c = clicks[kind][impl];
      const t = await clickSample(impl, 0, () => {
        const wasm = performance.getEntriesByType('resource').find((e) => e.name.endsWith('.wasm'));
        const painted = performance.getEntriesByName('first-contentful-paint')[0];
        return {
          total: window.__iframeAt - window.__clickAt,
          afterLoad: window.__clickAt - performance.getEntriesByType('navigation')[0].loadEventEnd,
          beforePaint: !(painted?.startTime < window.__clickAt),
          skip: Boolean(wasm && wasm.startTime < window.__clickAt),
        };
      }, () => c.warmedUp++, clickKinds[kind]);
      if (!t) return;
      c.total.push(t.total);
      c.afterLoad.push(t.afterLoad);
      if (t.beforePaint) c.beforePaint++;
    };
    for (let round = 0; round < n.cold; round++) {
      for (const impl of rotations(round, COLD_IMPLS)) {
        const context = await browser.newContext();
        const page = await context.newPage();
        await coldOpen(page, `${servers.app}/bench/${impl}.html?cold&link=${encodeURIComponent(flowLink)}`);
        const t = await page.evaluate(() => {
          const res = performance.getEntriesByType('resource');
          const script = res.find((e) => /\/(index\.js|kombo-connect\.global\.js)$/.test(e.name));
          const wasm = res.find((e) => e.name.endsWith('.wasm'));
          const ready = performance.getEntriesByName('kombo-connect-wasm:ready')[0];
          return {
            total: window.__iframeAt,
            download: (script ? script.responseEnd - script.startTime : 0) + (wasm ? wasm.responseEnd - wasm.startTime : 0),
            instantiate: wasm && ready ? ready.startTime - wasm.responseEnd : null,
            firstCall: ready ? window.__iframeAt - Math.max(ready.startTime, window.__callAt) : window.__iframeAt - window.__callAt,
          };
        });
        for (const k of Object.keys(t)) if (t[k] !== null) cold[impl][k].push(t[k]);
        await context.close();
        for (const kind of round % 2 ? ['clickAtLoad', 'click'] : ['click', 'clickAtLoad']) await clickRound(impl, kind);
      }
    }
    for (const impl of COLD_IMPLS) {
      results[impl].cold = Object.fromEntries(Object.entries(cold[impl]).filter(([, v]) => v.length).map(([k, v]) => [k, stats(v)]));
      for (const kind of Object.keys(clickKinds)) {
        const { total, afterLoad, beforePaint, warmedUp } = clicks[kind][impl];
        results[impl][kind] = { total: stats(total), afterLoad: stats(afterLoad), beforePaint, warmedUp };
      }
    }
    log('cold start done');

    // The first click once the idle warm-up has run, the usual case on a
    // real page: the SDK is loaded, but none of its code has run yet. A
    // page where ours was not ready by the click (a slow machine) is
    // counted and loaded again.
    const idle = Object.fromEntries(IMPLS.map((i) => [i, { total: [], notReady: 0 }]));
    const idleRound = async (impl) => {
      const t = await clickSample(impl, IDLE_WAIT_MS, () => ({
        total: window.__iframeAt - window.__clickAt,
        skip: Boolean(window.SDK.prefetch) && !(performance.getEntriesByName('kombo-connect-wasm:ready')[0]?.startTime < window.__clickAt),
      }), () => idle[impl].notReady++);
      if (t) idle[impl].total.push(t.total);
    };
    for (let round = 0; round < n.idle; round++) {
      for (const impl of rotations(round)) await idleRound(impl);
    }
    for (const impl of IMPLS) results[impl].idleClick = { total: stats(idle[impl].total), notReady: idle[impl].notReady };
    log('first click after idle done');

    const warmUp = (page, impl) => page.evaluate(([l, impl]) => B.warmUp(l, impl), [warmLink, impl]);
    // A page per implementation, kept open for the rest.
    const openWarm = async (impl) => {
      const page = await browser.newPage();
      await page.goto(`${servers.app}/bench/${impl}.html?isolated`);
      await page.waitForFunction(() => window.SDK && window.B);
      await warmUp(page, undefined);
      return page;
    };
    // The warm opens are timed on pages that hold all three
    // implementations, called in turn (bench/pages/all.html): the same
    // opens on one fresh page and the next differ by up to a few tenths
    // of a millisecond, most of it in the iframe's insertion, the
    // browser's work, which on pages of their own would count for or
    // against one implementation only.
    const openShared = async () => {
      const page = await browser.newPage();
      await page.goto(`${servers.app}/bench/all.html?isolated`);
      await page.waitForFunction((impls) => window.B && impls.every((i) => window.SDKS?.[i]), IMPLS);
      for (const impl of IMPLS) await warmUp(page, impl);
      return page;
    };
    const pages = {};
    for (const impl of IMPLS) pages[impl] = await openWarm(impl);
    const shared = [];
    for (let k = 0; k < n.warmPages; k++) shared.push(await openShared());
    const batches = async (total, size, run) => {
      const out = Object.fromEntries(IMPLS.map((i) => [i, []]));
      for (let round = 0; round * size < total; round++) {
        for (const impl of rotations(round)) out[impl].push(...(await run(impl, Math.min(size, total - round * size), round)));
      }
      return out;
    };
    const warm = await batches(n.warm, 10, (impl, k, round) => shared[round % n.warmPages]
      .evaluate(([l, k, impl]) => B.warm(l, k, impl), [warmLink, k, impl]));
    for (const impl of IMPLS) results[impl].warm = stats(warm[impl]);
    for (const page of shared) await page.close();
    log('warm open done');

    // The same opens, split: the iframe's insertion, the browser's work and
    // most of an open, the same for every implementation yet where one
    // page differs from the next; and the rest of the call, the SDK's own
    // work, which differs little between pages. On a page of their own
    // (the split wraps the page's DOM insertion methods), again all three.
    const splitPage = await openShared();
    const split = await batches(n.split, 10, (impl, k) => splitPage
      .evaluate(([l, k, impl]) => B.warmSplit(l, k, impl), [warmLink, k, impl]));
    for (const impl of IMPLS) {
      const part = (key) => stats(split[impl].map((open) => open[key]));
      results[impl].split = { own: part('own'), insertion: part('insertion') };
    }
    await splitPage.close();
    log('warm split done');

    const flow = await batches(n.flow, 1, (impl, k) => pages[impl].evaluate(([l, k]) => B.flow(l, k), [autoLink, k]));
    for (const impl of IMPLS) results[impl].flow = stats(flow[impl]);
    log('full flow done');

    // Glue: our connectHris() against the guide's snippet (fixed) on the reference.
    const glueOurs = [];
    const glueSnippet = [];
    for (let round = 0; round < n.glue; round++) {
      const pair = [['esm', 'connectHris', glueOurs], ['ref', 'snippet', glueSnippet]];
      for (const [impl, kind, into] of round % 2 ? pair.reverse() : pair) {
        into.push(...(await pages[impl].evaluate(([kind]) => B.glue(kind, 1), [kind])));
      }
    }
    results.esm.glue = stats(glueOurs);
    results.ref.glue = stats(glueSnippet);
    log('glue done');

    // Memory and leaks over open/close cycles.
    for (const impl of rotations(0)) {
      const before = await memory(pages[impl]);
      const iframes = await pages[impl].evaluate(([l, k]) => B.cycles(l, k), [warmLink, n.cycles]);
      const afterCycles = await memory(pages[impl]);
      results[impl].leaks = { cycles: n.cycles, before, after: afterCycles, iframes };
    }
    log('memory done');
    results.meta = {
      date: new Date().toISOString(),
      browser: `Chromium ${browser.version()}`,
      quick,
      samples: n,
    };
    for (const p of Object.values(pages)) await p.close();
  } finally {
    await session.close();
  }
  return results;
}
