// The deterministic budgets (bench/budgets.mjs), checked on every `make
// test` by the benchmark in quick mode (fewer samples, the full 1,000
// cycles): bytes on the critical path and in all, how the runtime is
// fetched, and what 1,000 open/close cycles leave behind. Timing budgets
// depend on how busy the machine is, so only `make bench` checks them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { budgetTable, checkBudgets } from '../bench/budgets.mjs';
import { markdown } from '../bench/report.mjs';
import { runBench } from '../bench/run.mjs';
import { writeReport } from './support/session.mjs';

let rows = [];
let r;
before(async () => {
  r = await runBench({ quick: true });
  rows = checkBudgets(r);
});
after(() => {
  if (r) writeReport('bench-quick.md', `${budgetTable(rows)}\n\n${markdown(r)}`);
});

test('the page loads the entry, then the runtime and the .wasm, and nothing else', () => {
  assert.deepEqual(r.esm.size.files, ['pkg/index.js', 'pkg/kombo_connect_wasm_bg.wasm', 'pkg/kombo_connect_runtime.js'].sort((a, b) => r.esm.size.files.indexOf(a) - r.esm.size.files.indexOf(b)));
  assert.equal(r.global.size.files.length, 3);
});

for (const name of ['critical path', 'everything fetched', 'in parallel', 'no WASM memory growth', 'no extra message listener']) {
  for (const impl of ['esm', 'global']) {
    test(`budget: ${impl}: ${name}`, () => {
      const row = rows.find((b) => b.name.startsWith(`${impl}:`) && b.name.includes(name));
      assert.ok(row && !row.timing, `no deterministic budget row for ${name}`);
      assert.ok(row.ok, `${row.name}: ${row.detail}`);
    });
  }
}
