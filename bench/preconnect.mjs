// `make bench`, part two: does connect() gain from preconnecting to the
// flow's origin while its init request runs? Each new TCP connection to the
// flow's origin is delayed 100 ms by a loopback proxy (a far-away server's
// DNS + TCP + TLS), the init route takes 150 ms (a back-end that calls
// Kombo), and the flow is on another site than the page (localhost vs
// 127.0.0.1), as connect.kombo.dev is to a customer's app. Measured from
// the call to the flow's first message, in Chromium, Firefox and WebKit over
// WebDriver (Playwright's Chromium contexts are incognito, where Chromium
// never preconnects), with the .wasm already loaded:
//   - the guide's snippet: fetch init, then @kombo-api/connect's showKomboConnect;
//   - connectHris() with no flowOrigin (it preconnects to connect.kombo.dev,
//     which does not help here): the time connect() takes without the hint;
//   - connectHris({ flowOrigin }): with it.
// Writes bench/PRECONNECT.md and bench/preconnect.json.
import http from 'node:http';
import net from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import { ENGINES, browserVersion, inPage } from '../tests/support/engines.mjs';

const DELAY_MS = 100;
const INIT_MS = 150;
const RUNS = Number(process.env.PRECONNECT_RUNS ?? 12);
const root = new URL('../', import.meta.url).pathname;
const types = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };

const listen = (server) => new Promise((r) => server.listen(0, '127.0.0.1', () => r(server.address().port)));

// The flow: posts `close` to the page as soon as it runs, so the call settles.
const flow = http.createServer((req, res) => res.writeHead(200, { 'content-type': 'text/html', connection: 'close' })
  .end("<!doctype html><title>flow</title><script>parent.postMessage({ type: 'close' }, '*')</script>"));
const flowPort = await listen(flow);
let connections = 0;
const proxy = net.createServer((client) => {
  connections++;
  client.pause();
  setTimeout(() => {
    const upstream = net.connect(flowPort, '127.0.0.1', () => { client.pipe(upstream); upstream.pipe(client); client.resume(); });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  }, DELAY_MS);
});
const FLOW = `http://localhost:${await listen(proxy)}`;

const page = `<!doctype html><meta charset="utf-8"><title>preconnect bench</title><script type="module">
  import * as SDK from '/pkg/index.js';
  import * as REF from '/ref/index.mjs';
  await SDK.prefetch();
  const settle = (p) => p.then(() => 'resolved', (e) => e.name);
  window.variants = {
    snippet: async () => { const { link } = await (await fetch('/init', { method: 'POST' })).json(); return settle(REF.showKomboConnect(link)); },
    without: () => settle(SDK.connectHris({ activateUrl: false, initUrl: '/init', loading: false })),
    with: () => settle(SDK.connectHris({ activateUrl: false, initUrl: '/init', loading: false, flowOrigin: '${FLOW}' })),
  };
  window.ready = true;
</script>`;
const app = http.createServer((req, res) => {
  const path = new URL(req.url, 'http://x').pathname;
  if (path === '/init') return setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ link: `${FLOW}/connect?r=${Math.random()}` })), INIT_MS);
  if (path === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end(page);
  const file = path.startsWith('/pkg/') ? normalize(join(root, path))
    : path.startsWith('/ref/') ? join(root, 'node_modules/@kombo-api/connect/dist', path.slice(5)) : null;
  if (!file || !file.startsWith(root)) return res.writeHead(404).end();
  try {
    res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  } catch {
    res.writeHead(404).end();
  }
});
const APP = `http://127.0.0.1:${await listen(app)}`;

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const results = {};
for (const engine of ENGINES) {
  if (engine.missing) { console.error(`preconnect bench: ${engine.name} skipped (${engine.missing} missing)`); continue; }
  const { driver, stop } = await engine.start();
  try {
    const times = { snippet: [], without: [], with: [] };
    for (let i = 0; i < RUNS; i++) {
      for (const variant of Object.keys(times)) {
        // A fresh page, and no connection to the flow left from the last run.
        await driver.get(`${APP}/?${variant}${i}`);
        await inPage(driver, () => new Promise((r) => { const t = setInterval(() => window.ready && (clearInterval(t), r()), 5); }));
        await inPage(driver, () => new Promise((r) => setTimeout(r, 300)));
        const [outcome, ms] = await inPage(driver, async (v) => {
          const t0 = performance.now();
          const outcome = await window.variants[v]();
          return [outcome, performance.now() - t0];
        }, variant);
        if (outcome !== 'KomboConnectCancelledError') throw new Error(`${engine.name} ${variant}: ${outcome}`);
        times[variant].push(ms);
      }
    }
    results[engine.name] = { browser: await browserVersion(driver), ...Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)])) };
    console.error(`preconnect bench: ${engine.name} ${JSON.stringify(results[engine.name])}`);
  } finally {
    await driver.quit();
    stop?.();
  }
}
proxy.close();
flow.close();
app.close();

const rows = Object.entries(results).map(([name, r]) =>
  `| ${r.browser} | ${r.snippet.toFixed(0)} | ${r.without.toFixed(0)} | ${r.with.toFixed(0)} | ${(r.without - r.with).toFixed(0)} |`);
const md = `# Preconnect: connectHris() against the guide's snippet

Produced by \`make bench\` (bench/preconnect.mjs). Each new connection to the flow's origin waits
${DELAY_MS} ms (a loopback proxy), the init route answers after ${INIT_MS} ms, the flow is on another site
than the page. Median of ${RUNS} runs each, ms from the call to the flow's first message; the .wasm
already loaded.

| browser | guide's snippet | connectHris() without flowOrigin | connectHris({ flowOrigin }) | saved by the preconnect |
|---|---:|---:|---:|---:|
${rows.join('\n')}

Chromium keys its socket pool by the top-level site *and* whether the frame is cross-site, so a
connection the page opens is not the one a cross-site iframe uses: there the hint saves nothing
(and costs one idle connection). Firefox and WebKit key connections by the top-level site only,
and the iframe's first request finds the connection open.
`;
writeFileSync(new URL('PRECONNECT.md', import.meta.url), md);
writeFileSync(new URL('preconnect.json', import.meta.url), JSON.stringify(results, null, 2) + '\n');
console.log(md);
