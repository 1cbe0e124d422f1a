// Turns bench results into the Markdown table, the JSON and the SVG chart.
import os from 'node:os';

const fmt = (x, digits = 1) => (x === undefined || x === null ? '–' : Number(x).toLocaleString('en-US', { maximumFractionDigits: digits }));
const ratio = (a, b) => (a === undefined || b === undefined || !b ? undefined : a / b);
const ratioCell = (r) => (r === undefined ? '–' : `${r.toFixed(2)}×`);

/** Rows: [label, unit, esm, global, ref]. */
export function rows(r) {
  const growth = (impl, key) => r[impl].leaks ? r[impl].leaks.after[key] - r[impl].leaks.before[key] : undefined;
  const both = (f) => [f('esm'), f('global'), f('ref')];
  return [
    ['Transfer size, raw', 'bytes', ...both((i) => r[i].size.raw)],
    ['Transfer size, gzip -9', 'bytes', ...both((i) => r[i].size.gzip)],
    ['Transfer size, brotli', 'bytes', ...both((i) => r[i].size.brotli)],
    ['Cold start, click at load (once the page has loaded and painted): click → iframe, median', 'ms', ...both((i) => r[i].click?.total.median)],
    ['Cold start, click at load: click → iframe, p95', 'ms', ...both((i) => r[i].click?.total.p95)],
    ['Cold start, click at load, the reference loaded on first use (the floor for loading on first use): median', 'ms', undefined, undefined, r.lazy?.click?.total.median],
    ['Cold start, click at load: click after the load event, median', 'ms', ...both((i) => r[i].click?.afterLoad.median)],
    ['Cold start, click at the load event itself (before the first paint on most classic-script pages): click → iframe, median', 'ms', ...both((i) => r[i].clickAtLoad?.total.median)],
    ['Cold start, click at the load event itself, the reference loaded on first use: median', 'ms', undefined, undefined, r.lazy?.clickAtLoad?.total.median],
    ['Cold start, click at the load event itself: pages where it came before the first paint', 'count', ...both((i) => r[i].clickAtLoad?.beforePaint)],
    ['First click after the idle warm-up (1.5 s after the load event): click → iframe, median', 'ms', ...both((i) => r[i].idleClick?.total.median)],
    ['First click after the idle warm-up: click → iframe, p95', 'ms', ...both((i) => r[i].idleClick?.total.p95)],
    ['Cold start, opened as the page loads (call at DOMContentLoaded): navigation → iframe, median', 'ms', ...both((i) => r[i].cold.total.median)],
    ['Cold start, opened as the page loads: navigation → iframe, p95', 'ms', ...both((i) => r[i].cold.total.p95)],
    ['Cold start, opened as the page loads, the reference loaded on first use: median', 'ms', undefined, undefined, r.lazy?.cold.total.median],
    ['Opened as the page loads, split: download (script + .wasm), median', 'ms', ...both((i) => r[i].cold.download?.median)],
    ['Opened as the page loads, split: compile + instantiate, median', 'ms', r.esm.cold.instantiate?.median, r.global.cold.instantiate?.median, undefined],
    ['Opened as the page loads, split: first call → iframe, median', 'ms', ...both((i) => r[i].cold.firstCall.median)],
    ['Warm open: call → iframe, median', 'ms', ...both((i) => r[i].warm.median)],
    ['Warm open: call → iframe, p95', 'ms', ...both((i) => r[i].warm.p95)],
    ['Warm open, split: the SDK\'s own work (the call minus the iframe\'s insertion), median', 'ms', ...both((i) => r[i].split?.own.median)],
    ['Warm open, split: the iframe\'s insertion (the browser\'s work), median', 'ms', ...both((i) => r[i].split?.insertion.median)],
    ['Full flow: call → token, median', 'ms', ...both((i) => r[i].flow.median)],
    ['Full flow: call → token, p95', 'ms', ...both((i) => r[i].flow.p95)],
    ['Glue: connectHris() vs the guide\'s snippet (fixed) on the reference, median', 'ms', r.esm.glue?.median, undefined, r.ref.glue?.median],
    ['Glue: same, p95', 'ms', r.esm.glue?.p95, undefined, r.ref.glue?.p95],
    [`JS heap growth after ${r.esm.leaks.cycles} open/close cycles`, 'KiB', ...both((i) => growth(i, 'heap') / 1024)],
    [`WASM linear memory growth after ${r.esm.leaks.cycles} cycles`, 'bytes', ...both((i) => growth(i, 'wasm'))],
    ['`message` listeners on window, extra after the cycles', 'count', ...both((i) => growth(i, 'listeners'))],
    ['Iframes left after the cycles', 'count', ...both((i) => r[i].leaks.iframes)],
  ];
}

export function machine() {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}`;
}

export function markdown(r) {
  const head = [
    `Measured ${r.meta.date.slice(0, 16).replace('T', ' ')} UTC on ${machine()}, ${r.meta.browser} (headless), Node ${process.version}.`,
    `Samples: ${r.meta.samples.cold} fresh pages per implementation for each cold start (click once the page has painted, click at the load event, open as the page loads), ${r.meta.samples.idle ?? 0} for the first click after the idle warm-up, ${r.meta.samples.warm} warm opens each (on ${r.meta.samples.warmPages ?? 1} pages that hold all three, called in turn), ${r.meta.samples.split ?? 0} more split (on one more such page),`,
    `${r.meta.samples.flow} full flows, ${r.meta.samples.glue} glue runs, ${r.meta.samples.cycles} open/close cycles; rounds interleaved and rotated.`,
    'Ratios are ours / reference: below 1× is better for us.',
    '',
    '| Metric | Unit | Ours, ES module | Ours, global script | Reference 1.3.0 (UMD) | ES module / ref | Global / ref |',
    '|---|---|---:|---:|---:|---:|---:|',
  ];
  const body = rows(r).map(([label, unit, esm, global, ref]) => {
    const digits = unit === 'ms' ? 2 : unit === 'KiB' ? 1 : 0;
    return `| ${label} | ${unit} | ${fmt(esm, digits)} | ${fmt(global, digits)} | ${fmt(ref, digits)} | ${ratioCell(ratio(esm, ref))} | ${ratioCell(ratio(global, ref))} |`;
  });
  return [...head, ...body].join('\n');
}

/** A small horizontal bar chart of the main ratios, log scale around 1×. */
export function svg(r) {
  const items = [
    ['Size, gzip', r.esm.size.gzip / r.ref.size.gzip],
    ['Cold click at load, median', r.esm.click.total.median / r.ref.click.total.median],
    ['Warm open, median', r.esm.warm.median / r.ref.warm.median],
    ['Full flow, median', r.esm.flow.median / r.ref.flow.median],
    ['Glue vs snippet, median', r.esm.glue.median / r.ref.glue.median],
  ];
  const width = 640, rowH = 34, left = 190, right = 70, top = 48;
  const span = width - left - right;
  // Log scale; the axis runs from the smallest ratio (or 1×) to the largest.
  const logs = items.map(([, v]) => Math.log2(v));
  const lo = Math.min(0, ...logs) - 0.1, hi = Math.max(0.5, ...logs);
  const at = (log) => left + (span * (log - lo)) / (hi - lo);
  const x1 = at(0);
  const scale = (v) => at(Math.log2(v)) - x1;
  const bars = items.map(([label, v], i) => {
    const y = top + i * rowH;
    const w = scale(v);
    const x = w >= 0 ? x1 : x1 + w;
    const color = v <= 1.05 ? '#059669' : v <= 1.25 ? '#d97706' : '#4f46e5';
    return `<text x="${left - 10}" y="${y + 17}" text-anchor="end">${label}</text>` +
      `<rect x="${x.toFixed(1)}" y="${y + 4}" width="${Math.max(1, Math.abs(w)).toFixed(1)}" height="20" rx="3" fill="${color}"/>` +
      `<text x="${(w >= 0 ? x1 + w + 6 : x1 + 6).toFixed(1)}" y="${y + 18}">${v.toFixed(2)}×</text>`;
  }).join('');
  const height = top + items.length * rowH + 20;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="13" fill="#0f172a">` +
    `<rect width="100%" height="100%" fill="#fff"/>` +
    `<text x="12" y="22" font-weight="600">kombo-connect-wasm (ES module) ÷ @kombo-api/connect 1.3.0</text>` +
    `<text x="${x1.toFixed(1)}" y="${top - 8}" text-anchor="middle" fill="#64748b" font-size="11">1× (log scale)</text>` +
    `<line x1="${x1.toFixed(1)}" y1="${top - 4}" x2="${x1.toFixed(1)}" y2="${height - 16}" stroke="#94a3b8" stroke-dasharray="3 3"/>` +
    bars + `</svg>\n`;
}
