// The package as a customer gets it: `npm pack` of pkg/, installed into
// tests/fixture, built with Vite and with webpack 5 (no plugin, no init()),
// run in Chromium; imported in Node (server-side rendering); and its types
// compiled with `tsc --strict`.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import vm from 'node:vm';
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { messageListeners } from './support/browser.mjs';
import { freePort, types } from './support/server.mjs';
import { openSession } from './support/session.mjs';

const root = new URL('../', import.meta.url).pathname;
const fixture = new URL('./fixture/', import.meta.url).pathname;
const jestFixture = new URL('./fixture-jest/', import.meta.url).pathname;
const nextFixture = new URL('./fixture-next/', import.meta.url).pathname;
const out = new URL('./out/', import.meta.url).pathname;
// CI may set FORCE_COLOR; tools' output is matched as plain text.
const plainEnv = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', NEXT_TELEMETRY_DISABLED: '1' };
const run = (cmd, args, cwd) =>
  execFileSync(cmd, args, { cwd, env: plainEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

let packed;
let session;
let servers;
let browser;

before(async () => {
  mkdirSync(out, { recursive: true });
  [packed] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', out, './pkg'], root));
  copyFileSync(out + packed.filename, out + 'kombo-connect-wasm.tgz');
  // Fresh copy of the package every run; the bundlers stay installed.
  rmSync(fixture + 'node_modules/kombo-connect-wasm', { recursive: true, force: true });
  rmSync(fixture + 'node_modules/.vite', { recursive: true, force: true }); // re-run Vite's pre-bundling
  run('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock'], fixture);
  rmSync(jestFixture + 'node_modules/kombo-connect-wasm', { recursive: true, force: true });
  run('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock'], jestFixture);
  run(process.execPath, [fixture + 'node_modules/vite/bin/vite.js', 'build'], fixture);
  session = await openSession({
    '/vite/': fixture + 'dist-vite/', '/webpack/': fixture + 'dist-webpack/', '/webpack-cjs/': fixture + 'dist-webpack-cjs/', '/esbuild/': fixture + 'dist-esbuild/', '/next/': nextFixture + 'out/',
  });
  ({ servers, browser } = session);
  serveCdn(servers.routes);
  // The back-end the recipes' connect() calls.
  const json = (res, value) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(value));
  servers.routes['/integrations/kombo/init'] = (req, res) => json(res, { link: `${servers.flow}/pages/flow.html` });
  servers.routes['/integrations/kombo/activate'] = (req, res) => json(res, { id: 'personio:1' });
  servers.routes['/integrations/kombo/relink'] = (req, res, body) => {
    relinked.push(JSON.parse(body).integration_id);
    json(res, { link: `${servers.flow}/pages/flow.html` });
  };
});
const relinked = [];

after(() => session?.close());

test('the tarball holds exactly the package files, with exports/types/files/sideEffects/license/engines and no made-up repository', () => {
  assert.deepEqual(packed.files.map((f) => f.path).sort(),
    ['LICENSE', 'README.md', 'CHANGELOG.md', 'package.json', 'kombo-connect.global.js', 'kombo_connect_runtime.js', 'kombo_connect_runtime_js.js', 'kombo_connect_wasm_bg.wasm',
      ...['index', 'testing', 'react', 'vue'].flatMap((name) => [`${name}.js`, `${name}.cjs`, `${name}.d.ts`, `${name}.d.cts`])].sort());
  const pkg = JSON.parse(readFileSync(fixture + 'node_modules/kombo-connect-wasm/package.json', 'utf8'));
  assert.equal(pkg.name, 'kombo-connect-wasm');
  assert.equal(pkg.license, 'MIT');
  assert.equal(pkg.repository, undefined, 'a repository URL that does not exist yet');
  assert.ok(pkg.engines?.node, 'engines');
  assert.deepEqual(pkg.peerDependenciesMeta, { react: { optional: true }, vue: { optional: true } });
  assert.equal(pkg.types, './index.d.ts');
  assert.deepEqual(pkg.exports['.'], {
    module: { types: './index.d.ts', default: './index.js' },
    require: { types: './index.d.cts', default: './index.cjs' },
    default: { types: './index.d.ts', default: './index.js' },
  });
  assert.ok(Array.isArray(pkg.files) && Array.isArray(pkg.sideEffects));
});

test("customers' unit tests: a stock Jest 30 + jsdom project (CommonJS, no Babel, no transformIgnorePatterns) requires the package and its test double, and tests a React component that uses the hook", () => {
  const result = JSON.parse(run(process.execPath, [jestFixture + 'node_modules/jest/bin/jest.js', '--ci', '--json'], jestFixture));
  assert.deepEqual([result.numPassedTests, result.numFailedTests], [6, 0]);
});

test("the package's README is for users: under 20 KB, no repository paths or test names, only web links", () => {
  const readme = readFileSync(root + 'pkg/README.md', 'utf8');
  assert.ok(Buffer.byteLength(readme) < 20_000, `${Buffer.byteLength(readme)} bytes`);
  assert.doesNotMatch(readme, /tests\/|\.test\.m?js|\bsrc\/|bench\/|make (test|bench|pkg)|\.rs\b/);
  for (const [, target] of readme.matchAll(/\]\(([^)]+)\)/g)) assert.match(target, /^(https:\/\/|#)/, target);
  for (const section of ['## Install', '## Migrating from `@kombo-api/connect`', '## API', '## Content-Security-Policy', '## Browsers', '## In React and Vue']) {
    assert.ok(readme.includes(section), section);
  }
});

test('npm pack --dry-run and npm publish --dry-run accept pkg/ as it is', () => {
  for (const args of [['pack', '--dry-run'], ['publish', '--dry-run']]) {
    run('npm', [...args, '--json', '--ignore-scripts'], root + 'pkg/');
  }
});

/** Type-checks the fixture's project `config` with the repository's tsc; throws with tsc's output on error. */
const typeCheck = (config) =>
  run(process.execPath, [createRequire(root + 'package.json').resolve('typescript/bin/tsc'), '-p', fixture + config], fixture);

test('the public types have no `any` and compile for a consumer under tsc --strict', () => {
  const dts = readFileSync(root + 'pkg/index.d.ts', 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
  assert.doesNotMatch(dts, /\bany\b/);
  typeCheck('tsconfig.json');
});

test('a CommonJS TypeScript project (node16 resolution) gets CommonJS types for every entry it can require', () => {
  // Types that say "ES module" for a file require() loads make tsc refuse
  // the import (TS1479) in such a project, and mislead it about default
  // exports in others ("masquerading as ESM").
  typeCheck('tsconfig.cjs.json');
});

test('every entry but the script tag loads with require() in Node, as a CommonJS tool (Jest) loads it', () => {
  const script = `for (const entry of ['', '/testing', '/react', '/vue']) {
      const m = require('kombo-connect-wasm' + entry);
      console.log(entry || '.', Object.keys(m).sort().join(','));
    }`;
  // As Node 18 to 20.18 and 22.0 to 22.11 do (the package supports Node 18
  // and later), where require() cannot load an ES module.
  const lines = run(process.execPath, ['--no-experimental-require-module', '--input-type=commonjs', '-e', script], fixture).trim().split('\n');
  assert.equal(lines.length, 4);
  assert.match(lines[0], /^\. .*showKomboConnect/);
  assert.match(lines[1], /^\/testing .*komboConnectTest/);
  assert.match(lines[2], /^\/react useKomboConnect,useKomboReconnect$/);
  assert.match(lines[3], /^\/vue useKomboConnect,useKomboReconnect$/);
});

test('importing the package in Node (server-side rendering) does not throw', () => {
  const script = `const m = await import('kombo-connect-wasm');
    console.log(JSON.stringify(Object.keys(m).sort()));
    console.log(new m.KomboConnectCancelledError('x') instanceof Error);
    console.log(await m.showKomboConnect('https://connect.kombo.dev/x').catch((e) => e.message));
    console.log(await m.connectHris().catch((e) => e.message));`;
  const output = run(process.execPath, ['--input-type=module', '-e', script], fixture).trim().split('\n');
  assert.deepEqual(JSON.parse(output[0]), ['KomboConnectAlreadyOpenError', 'KomboConnectCancelledError', 'KomboConnectLoadError', 'KomboConnectRequestError',
    'connect', 'connectAssessment', 'connectAts', 'connectHris', 'connectLms', 'prefetch', 'reconnect', 'showKomboConnect']);
  assert.equal(output[1], 'true');
  // Called on the server, it says where the call belongs (not "fetch failed").
  for (const message of output.slice(2)) assert.match(message, /runs in a browser: call it in an event handler or effect/);
});

test('the error classes keep their names through minification, in both builds (what loggers and error trackers print)', () => {
  const names = ['KomboConnectAlreadyOpenError', 'KomboConnectCancelledError', 'KomboConnectLoadError', 'KomboConnectRequestError'];
  const script = `const m = await import('kombo-connect-wasm');
    const names = ${JSON.stringify(names)};
    console.log(JSON.stringify(names.map((n) => [m[n].name, new m[n]('x').constructor.name, new m[n]('x').name])));`;
  const esm = JSON.parse(run(process.execPath, ['--input-type=module', '-e', script], fixture).trim());
  assert.deepEqual(esm, names.map((n) => [n, n, n]));
  // The script tag's build, evaluated as a classic script in a page-like global
  // (with timers, which the warm-up uses where there are no idle callbacks).
  const page = { URL, setTimeout: () => 0, document: { currentScript: null, baseURI: 'https://app.example/' } };
  vm.runInNewContext(readFileSync(root + 'pkg/kombo-connect.global.js', 'utf8'), page);
  assert.deepEqual(names.map((n) => [page.KomboConnect[n].name, new page.KomboConnect[n]('x').constructor.name]), names.map((n) => [n, n]));
});

test('the script-tag build loads like the reference UMD: into a CommonJS or AMD loader when the page has one, the global otherwise', () => {
  const source = readFileSync(root + 'pkg/kombo-connect.global.js', 'utf8');
  const page = () => ({ URL, setTimeout: () => 0, document: { currentScript: null, baseURI: 'https://app.example/' } });
  // A CommonJS loader runs the file inside a function of (module, exports).
  const cjs = page();
  const module = { exports: {} };
  vm.runInNewContext(`(function (module, exports) {\n${source}\n})(module, module.exports)`, Object.assign(cjs, { module }));
  assert.equal(typeof module.exports.showKomboConnect, 'function');
  assert.equal(cjs.KomboConnect, undefined, 'a CommonJS load also set the global');
  // An AMD loader (RequireJS) defines `define` with `define.amd`.
  const amd = page();
  let defined;
  amd.define = (deps, factory) => { defined = factory(); };
  amd.define.amd = {};
  vm.runInNewContext(source, amd);
  assert.equal(typeof defined?.showKomboConnect, 'function');
  assert.equal(amd.KomboConnect, undefined, 'an AMD load also set the global');
  // A plain page: the global, as before.
  const plain = page();
  vm.runInNewContext(source, plain);
  assert.equal(typeof plain.KomboConnect.showKomboConnect, 'function');
});

async function runFlowIn(path, origin = servers.app) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const link = `${servers.flow}/pages/flow.html`;
  await page.goto(`${origin}${path}?link=${encodeURIComponent(link)}`);
  await page.click('#connect');
  const frame = await page.waitForSelector('iframe').then((el) => el.contentFrame());
  await frame.waitForLoadState('load');
  await frame.evaluate(() => parent.postMessage({ type: 'success', data: { activation_token: 'tok_bundled' } }, '*'));
  await page.waitForFunction(() => document.getElementById('result').textContent !== '');
  const text = await page.textContent('#result');
  await page.close();
  assert.deepEqual(errors, []);
  assert.equal(text, 'token: tok_bundled');
}

const { version } = JSON.parse(readFileSync(root + 'pkg/package.json', 'utf8'));

/**
 * A public npm CDN, as jsDelivr and unpkg serve the package: every file
 * with `Access-Control-Allow-Origin: *`, the `jsdelivr`/`unpkg` field's
 * file at the package's short URL (jsDelivr answers it directly, unpkg
 * redirects to the versioned file), and /static/ for a customer's own
 * static host that sends no CORS headers. The tests load them from the
 * `elsewhere` origin.
 */
function serveCdn(routes) {
  const file = (res, path, cors = true) => res.writeHead(200, {
    'content-type': types[path.slice(path.lastIndexOf('.'))],
    ...(cors && { 'access-control-allow-origin': '*' }),
  }).end(readFileSync(root + 'pkg/' + path));
  for (const path of ['kombo-connect.global.js', 'kombo_connect_runtime.js', 'kombo_connect_runtime_js.js', 'kombo_connect_wasm_bg.wasm']) {
    routes[`/npm/kombo-connect-wasm@${version}/${path}`] = (req, res) => file(res, path);
    routes[`/kombo-connect-wasm@${version}/${path}`] = (req, res) => file(res, path);
    routes[`/static/${path}`] = (req, res) => file(res, path, false);
  }
  for (const short of ['/npm/kombo-connect-wasm', '/npm/kombo-connect-wasm@0', `/npm/kombo-connect-wasm@${version}`]) {
    routes[short] = (req, res) => file(res, 'kombo-connect.global.js');
  }
  routes['/kombo-connect-wasm'] = (req, res) => res.writeHead(302, {
    location: `/kombo-connect-wasm@${version}/kombo-connect.global.js`, 'access-control-allow-origin': '*',
  }).end();
}

/**
 * A page of the app that loads the script tag from `src` and shows the
 * call's outcome; with `connectSrc`, under a Content-Security-Policy that
 * allows the CDN's scripts and `connectSrc` for what they fetch. Returns
 * its path.
 */
function cdnPage(name, src, connectSrc) {
  const csp = connectSrc && {
    'content-security-policy': `script-src 'nonce-page' ${servers.elsewhere} 'wasm-unsafe-eval'; connect-src ${connectSrc}; frame-src ${servers.flow}`,
  };
  servers.routes[`/cdn-${name}.html`] = (req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...csp }).end(`<!doctype html>
<script src="${src}"></script>
<button id="connect">Connect</button><p id="result"></p>
<script nonce="page">
  const link = new URLSearchParams(location.search).get('link');
  document.getElementById('connect').onclick = () => KomboConnect.showKomboConnect(link).then(
    (token) => { document.getElementById('result').textContent = 'token: ' + token; },
    (error) => { document.getElementById('result').textContent = error.name + ': ' + error.message; });
</script>`);
  return `/cdn-${name}.html`;
}

test("the script tag from a CDN on another origin, by the package's short URL as jsDelivr and unpkg give it (no version, a range, the version), runs the flow", async () => {
  for (const [name, path] of [['jsdelivr', '/npm/kombo-connect-wasm'], ['jsdelivr-range', '/npm/kombo-connect-wasm@0'],
    ['jsdelivr-version', `/npm/kombo-connect-wasm@${version}`], ['unpkg', '/kombo-connect-wasm'],
    ['full-path', `/kombo-connect-wasm@${version}/kombo-connect.global.js`]]) {
    await runFlowIn(cdnPage(name, servers.elsewhere + path)).catch((error) => { throw new Error(`${name}: ${error.message}`); });
  }
});

/** What the page at `path` shows after a click on its Connect button, when the call fails. */
async function failureIn(path) {
  const page = await browser.newPage();
  try {
    await page.goto(`${servers.app}${path}?link=${encodeURIComponent(`${servers.flow}/pages/flow.html`)}`);
    await page.click('#connect');
    await page.waitForFunction(() => document.getElementById('result').textContent !== '');
    return await page.textContent('#result');
  } finally {
    await page.close();
  }
}

test('the script tag from a static host on another origin that sends no CORS headers: the call rejects with KomboConnectLoadError naming the file and CORS, instead of hanging', async () => {
  const text = await failureIn(cdnPage('no-cors', `${servers.elsewhere}/static/kombo-connect.global.js`));
  assert.match(text, /^KomboConnectLoadError: kombo-connect-wasm could not load http:\/\/127\.0\.0\.1:\d+\/static\/kombo_connect_(wasm_bg\.wasm|runtime\.js) \(.+\)\. Serve the package's files together \(with CORS if cross-origin\)/);
});

test("the script tag from a CDN under a CSP that lists the CDN in script-src only: the call rejects with KomboConnectLoadError naming the .wasm; with the CDN in connect-src too, the flow runs, as the README says", async () => {
  const src = `${servers.elsewhere}/kombo-connect-wasm@${version}/kombo-connect.global.js`;
  assert.match(await failureIn(cdnPage('csp-scripts-only', src, "'self'")), /^KomboConnectLoadError: kombo-connect-wasm could not load http:\/\/127\.0\.0\.1:\d+\/kombo-connect-wasm@[^/]+\/kombo_connect_wasm_bg\.wasm /);
  await runFlowIn(cdnPage('csp-connect', src, `'self' ${servers.elsewhere}`));
});

test('a Vite build of the fixture app runs the flow', async () => {
  await runFlowIn('/vite/index.html');
});

test('the Vite dev server (dependency pre-bundling on) runs the flow, with no config', async () => {
  const { createServer } = await import(fixture + 'node_modules/vite/dist/node/index.js');
  const vite = await createServer({ root: fixture, configFile: fixture + 'vite.config.js', server: { host: '127.0.0.1', port: 0 } });
  await vite.listen();
  try {
    const { port } = vite.httpServer.address();
    await runFlowIn('/index.html', `http://127.0.0.1:${port}`);
  } finally {
    await vite.close();
  }
});

test('a Next.js 16 app (App Router, Turbopack, static export) runs the flow from a client component, with no config for the SDK; rendering the page on the server imports the package without error', async () => {
  rmSync(nextFixture + 'node_modules/kombo-connect-wasm', { recursive: true, force: true });
  run('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock'], nextFixture);
  rmSync(nextFixture + 'out', { recursive: true, force: true });
  run(process.execPath, [nextFixture + 'node_modules/next/dist/bin/next', 'build'], nextFixture);
  await runFlowIn('/next/');
});

test("the Next.js dev server (Turbopack) runs the flow, with no config for the SDK", async () => {
  // The static export's install is the previous test's.
  const port = await freePort();
  const dev = spawn(process.execPath, [nextFixture + 'node_modules/next/dist/bin/next', 'dev', '-H', '127.0.0.1', '-p', String(port)],
    { cwd: nextFixture, env: plainEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    let output = '';
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`next dev did not start within 60 s:\n${output}`)), 60_000);
      const seen = (chunk) => { output += chunk; if (/Ready in/.test(output)) { clearTimeout(timer); resolve(); } };
      dev.stdout.on('data', seen);
      dev.stderr.on('data', seen);
      dev.on('exit', (code) => { clearTimeout(timer); reject(new Error(`next dev exited (${code}):\n${output}`)); });
    });
    await runFlowIn('/next', `http://127.0.0.1:${port}`);
  } finally {
    dev.kill();
  }
});

/** The fixture's page for a webpack build in `dist`: its bundle as a classic script. */
const webpackPage = (dist) => writeFileSync(dist + 'index.html', readFileSync(fixture + 'index.html', 'utf8')
  .replace('<script type="module" src="./src/main.js"></script>', '<script defer src="./main.js"></script>'));

test('a webpack 5 build of the fixture app runs the flow', async () => {
  run(process.execPath, [fixture + 'build-webpack.mjs'], fixture);
  webpackPage(fixture + 'dist-webpack/');
  await runFlowIn('/webpack/index.html');
});

test('a webpack 5 build of the same app written as CommonJS (require(), as TypeScript with module: commonjs emits it) runs the flow, with one copy of the SDK', async () => {
  // Bundlers take the ES module for require() too (the `module` condition):
  // the CommonJS twin is for Node and Jest, which cannot locate the .wasm in
  // a bundle, and a second copy of the SDK would be bytes for nothing.
  const dist = fixture + 'dist-webpack-cjs/';
  run(process.execPath, [fixture + 'build-webpack.mjs', 'cjs'], fixture);
  webpackPage(dist);
  assert.ok(readdirSync(dist).some((f) => f.endsWith('.wasm')), 'the .wasm emitted as an asset');
  await runFlowIn('/webpack-cjs/index.html');
});

test("an esbuild build (Angular CLI's application builder runs esbuild) runs the flow once the .wasm is copied next to the bundle, as the README says; before, the error names the file", async () => {
  // esbuild bundles the runtime as a chunk but does not emit the assets of
  // `new URL(file, import.meta.url)` (evanw/esbuild#795).
  const { build } = await import('esbuild');
  const dist = fixture + 'dist-esbuild/';
  rmSync(dist, { recursive: true, force: true });
  await build({ absWorkingDir: fixture, entryPoints: ['src/main.js'], bundle: true, format: 'esm', splitting: true, minify: true, outdir: dist, logLevel: 'silent' });
  writeFileSync(dist + 'index.html', readFileSync(fixture + 'index.html', 'utf8').replace('./src/main.js', './main.js'));

  const page = await browser.newPage();
  await page.goto(`${servers.app}/esbuild/index.html?link=${encodeURIComponent(`${servers.flow}/pages/flow.html`)}`);
  await page.click('#connect');
  await page.waitForFunction(() => document.getElementById('result').textContent !== '');
  assert.match(await page.textContent('#result'), /^error: kombo-connect-wasm could not load http:\/\/[^ ]+\/esbuild\/kombo_connect_wasm_bg\.wasm \(HTTP 404\)/);
  await page.close();

  copyFileSync(fixture + 'node_modules/kombo-connect-wasm/kombo_connect_wasm_bg.wasm', dist + 'kombo_connect_wasm_bg.wasm');
  await runFlowIn('/esbuild/index.html');
});

// The README's framework recipes (tests/fixture/src/recipes/), built by Vite
// from the installed package and driven in Chromium.
/** Runs `fn(page)` on a fresh recipe page, then checks nothing was left behind. */
async function withRecipePage(name, query, fn) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.errors = errors;
  try {
    await page.goto(`${servers.app}/vite/recipes-${name}.html${query}`);
    await fn(page);
    await assertNothingLeft(page);
  } finally {
    await page.close();
  }
}
const sent = (path) => servers.requests.filter((r) => r.path === path).length;
const finish = async (page, message) => {
  const frame = await page.waitForSelector('iframe').then((el) => el.contentFrame());
  await frame.waitForLoadState('load');
  await frame.evaluate((m) => parent.postMessage(m, '*'), message);
};
async function assertNothingLeft(page) {
  await page.waitForFunction(() => document.querySelectorAll('iframe').length === 0, null, { timeout: 2000 });
  assert.equal(await messageListeners(page), 0);
  assert.deepEqual(await page.evaluate(() => window.__errors), []);
  assert.deepEqual(page.errors, []);
}

test('React StrictMode: a flow opened from an effect survives mount → unmount → mount', async () => {
  const activations = sent('/integrations/kombo/activate');
  await withRecipePage('react', '?auto', async (page) => {
    await page.waitForSelector('iframe');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await page.locator('iframe').count(), 1, 'StrictMode left two flows (or none)');
    assert.equal(await page.textContent('#status'), 'connecting');
    assert.equal(await page.textContent('#error'), '', 'the second mount met "already open"');
    await finish(page, { type: 'success', data: { activation_token: 'strict_tok' } });
    await page.waitForFunction(() => document.getElementById('status').textContent === 'connected');
    assert.equal(await page.textContent('#result'), 'strict_tok');
    assert.equal(sent('/integrations/kombo/activate'), activations + 1);
  });
});

test('React: unmounting the component while the flow is open closes it, with no error', () =>
  withRecipePage('react', '', async (page) => {
    await page.click('#connect');
    await page.waitForSelector('iframe');
    // The flow covers the page, so the app unmounts from code (a route change, a timer).
    await page.evaluate(() => document.getElementById('toggle').click());
  }));

test('React: the user closing the flow sets status "cancelled", and focus comes back to the button', () =>
  withRecipePage('react', '', async (page) => {
    await page.click('#connect');
    await finish(page, { type: 'close' });
    await page.waitForFunction(() => document.getElementById('status').textContent === 'cancelled');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'connect');
  }));

test('Vue: the composable connects, and unmounting while open closes the flow', () =>
  withRecipePage('vue', '', async (page) => {
    await page.click('#connect');
    await finish(page, { type: 'success', data: { activation_token: 'vue_tok' } });
    await page.waitForFunction(() => document.getElementById('status').textContent === 'connected');
    assert.equal(await page.textContent('#result'), 'vue_tok');
    await page.click('#connect');
    await page.waitForSelector('iframe');
    // The flow covers the page, so the app unmounts from code (a route change, a timer).
    await page.evaluate(() => document.getElementById('toggle').click());
  }));

for (const name of ['react', 'vue']) {
  test(`${name === 'react' ? 'React' : 'Vue'}: the reconnect ${name === 'react' ? 'hook' : 'composable'} calls the relink route with the integration's id, runs the flow and activates`, () =>
    withRecipePage(name, '', async (page) => {
      const before = relinked.length;
      await page.click('#reconnect');
      await finish(page, { type: 'success', data: { activation_token: `${name}_again` } });
      await page.waitForFunction(() => document.getElementById('reconnect-status').textContent === 'connected');
      assert.equal(await page.textContent('#reconnect-result'), 'personio:1');
      assert.deepEqual(relinked.slice(before), ['personio:1']);
      assert.equal(await page.textContent('#status'), 'idle', 'the connect hook is untouched');
    }));
}

// kombo-connect-wasm/testing, as the README tells customers to use it.
test("customers' unit tests: Vitest in jsdom with kombo-connect-wasm/testing mocked in", () => {
  const out = run(process.execPath, [fixture + 'node_modules/vitest/vitest.mjs', 'run', '--environment', 'jsdom', '--dir', 'unit'], fixture);
  // Strip colour codes too, in case a tool ignores NO_COLOR.
  assert.match(out.replace(/\x1b\[[0-9;]*m/g, ''), /Tests\s+4 passed/);
});

test("customers' browser tests: Playwright routes the link to flowPage() and the real SDK completes", async () => {
  const { flowPage } = await import(fixture + 'node_modules/kombo-connect-wasm/testing.js');
  const page = await browser.newPage();
  try {
    await page.route('https://connect.kombo.test/**', (route) =>
      route.fulfill({ contentType: 'text/html', body: flowPage({ type: 'success', token: 'routed_tok' }) }));
    await page.goto(`${servers.app}/vite/index.html?link=${encodeURIComponent('https://connect.kombo.test/flow')}`);
    await page.click('#connect');
    await page.waitForFunction(() => document.getElementById('result').textContent !== '');
    assert.equal(await page.textContent('#result'), 'token: routed_tok');
  } finally {
    await page.close();
  }
});
