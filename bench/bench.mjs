// `make bench`: every figure, ours against the reference, in one run.
// Writes bench/RESULTS.md, bench/results.json and bench/ratios.svg, and
// exits non-zero when a budget (bench/budgets.mjs) is exceeded.
import { writeFileSync } from 'node:fs';
import { budgetTable, checkBudgets } from './budgets.mjs';
import { markdown, svg } from './report.mjs';
import { runBench } from './run.mjs';

const started = Date.now();
const results = await runBench({ log: (step) => console.error(`bench: ${step} (${Math.round((Date.now() - started) / 1000)} s)`) });
const budgets = checkBudgets(results);
const table = `${budgetTable(budgets)}\n\n${markdown(results)}`;
const dir = new URL('./', import.meta.url);
writeFileSync(new URL('RESULTS.md', dir), `# Benchmark: kombo-connect-wasm vs @kombo-api/connect 1.3.0\n\nProduced by \`make bench\` (bench/run.mjs).\n\n${table}\n\n![Ratios](ratios.svg)\n`);
writeFileSync(new URL('results.json', dir), JSON.stringify(results, null, 2) + '\n');
writeFileSync(new URL('ratios.svg', dir), svg(results));
console.log(table);
console.log(`\nWrote bench/RESULTS.md, bench/results.json and bench/ratios.svg in ${Math.round((Date.now() - started) / 1000)} s.`);
const over = budgets.filter((b) => !b.ok);
if (over.length) {
  console.error(`\nOver budget:\n${over.map((b) => `  ${b.name}: ${b.detail}`).join('\n')}`);
  process.exit(1);
}
