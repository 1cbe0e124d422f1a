// The budgets, checked on every `make test` by the benchmark in quick mode
// (fewer samples, the full 1,000 cycles). `make bench` runs the full one.
// - Size: gzip -9 of everything a page loads through pkg/index.js, with
//   the connect() glue in, at most 24,000 bytes; the .wasm is fetched by
//   script (never a parser-blocking resource).
// - Warm open (call → iframe in the DOM), median: at most 1.25× the
//   reference's, and at most 1 ms slower.
// - After 1,000 open/close cycles: no extra `message` listener, no iframe,
//   no WASM memory growth, JS heap growth under 256 KiB.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { markdown } from '../bench/report.mjs';
import { runBench } from '../bench/run.mjs';
import { writeReport } from './support/session.mjs';

const SIZE_BUDGET = 24_000;
const WARM_RATIO = 1.25;
const WARM_SLOWER_MS = 1;
const HEAP_GROWTH = 256 * 1024;

let r;
before(async () => {
  r = await runBench({ quick: true });
});
after(() => {
  if (r) writeReport('bench-quick.md', markdown(r));
});

test(`a page loading pkg/index.js downloads at most ${SIZE_BUDGET} bytes gzip -9, the .wasm by fetch()`, () => {
  assert.deepEqual(r.esm.size.files, ['pkg/index.js', 'pkg/kombo_connect_wasm_bg.wasm']);
  assert.ok(r.esm.size.gzip <= SIZE_BUDGET, `${r.esm.size.gzip} bytes (reference ${r.ref.size.gzip}, ${(r.esm.size.gzip / r.ref.size.gzip).toFixed(1)}×)`);
  assert.equal(r.esm.size.wasmInitiator, 'fetch');
  assert.equal(r.global.size.wasmInitiator, 'fetch');
});

for (const impl of ['esm', 'global']) {
  test(`warm open median (${impl}) is at most ${WARM_RATIO}× and ${WARM_SLOWER_MS} ms over the reference`, () => {
    const ours = r[impl].warm.median;
    const ref = r.ref.warm.median;
    assert.ok(ours <= ref * WARM_RATIO, `${ours.toFixed(2)} ms vs ${ref.toFixed(2)} ms: ${(ours / ref).toFixed(2)}×`);
    assert.ok(ours <= ref + WARM_SLOWER_MS, `${ours.toFixed(2)} ms vs ${ref.toFixed(2)} ms`);
  });

  test(`after 1,000 open/close cycles (${impl}): no listener, no iframe, no WASM growth, heap < 256 KiB`, () => {
    const { before: b, after: a, iframes, cycles } = r[impl].leaks;
    assert.equal(cycles, 1000);
    assert.equal(a.listeners - b.listeners, 0, 'extra message listeners');
    assert.equal(iframes, 0, 'iframes left');
    assert.ok(b.wasm > 0, 'no WebAssembly.Memory found: the measurement would be empty');
    assert.equal(a.wasm, b.wasm, 'WASM linear memory grew');
    assert.ok(a.heap - b.heap < HEAP_GROWTH, `JS heap grew by ${a.heap - b.heap} bytes`);
  });
}
