// End to end: the demo server as `make demo` runs it, driven in Chromium
// like a person would: connect an HRIS through the cross-origin mock flow,
// cancel an ATS, see an init failure explained, restart the server and
// still see the integration; then the ES module page. Each step leaves a
// screenshot in tests/out/demo/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch } from './support/browser.mjs';

const root = new URL('../', import.meta.url).pathname;
const shots = join(root, 'tests/out/demo');
const dataDir = mkdtempSync(join(tmpdir(), 'kombo-demo-'));
let browser;
let server;
let ports;

async function freePort() {
  const s = createServer();
  await new Promise((ok) => s.listen(0, '127.0.0.1', ok));
  const { port } = s.address();
  await new Promise((ok) => s.close(ok));
  return port;
}

/** Starts the demo binary; resolves once it printed its URL. */
function startDemo() {
  const child = spawn(join(root, 'target/debug/kombo-connect-demo'), [], {
    cwd: root,
    env: { ...process.env, PORT: String(ports.app), FLOW_PORT: String(ports.flow), DATA_DIR: dataDir, KOMBO_API_KEY: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.output = '';
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      child.output += d;
      if (child.output.includes('Press Ctrl-C to stop.')) resolve(child);
    });
    child.stderr.on('data', (d) => { child.output += d; });
    child.on('exit', (code) => reject(new Error(`demo exited with ${code}:\n${child.output}`)));
  });
}

function stopDemo(child) {
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.kill('SIGINT');
  });
}

before(async () => {
  execFileSync('cargo', ['build', '-q', '-p', 'kombo-connect-demo'], { cwd: root, stdio: 'inherit' });
  rmSync(shots, { recursive: true, force: true });
  mkdirSync(shots, { recursive: true });
  ports = { app: await freePort(), flow: await freePort() };
  server = await startDemo();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  if (server && server.exitCode === null) await stopDemo(server);
  rmSync(dataDir, { recursive: true, force: true });
});

const app = () => `http://127.0.0.1:${ports.app}`;
let page;
const shot = (name) => page.screenshot({ path: join(shots, name) });
// What the signed-in organization has stored, asked with the page's session.
const stored = (on = page) => on.evaluate(async () => (await (await fetch('/integrations')).json()).integrations);

async function flowFrame() {
  const frame = await (await page.waitForSelector('iframe[title="Kombo Connect"]')).contentFrame();
  await frame.waitForSelector('main.dialog');
  // Screenshots show the flow as the user sees it once it has settled: the
  // SDK's loading overlay gone, the dialog's entrance animation finished.
  await page.waitForSelector('[data-kombo-connect]', { state: 'detached' });
  await frame.evaluate(() => Promise.all(document.getAnimations().map((a) => a.finished)));
  return frame;
}

test('the demo prints its URL and serves the settings page', async () => {
  assert.match(server.output, new RegExp(`kombo-connect-wasm demo: http://127\\.0\\.0\\.1:${ports.app}/`));
  page = await browser.newPage({ viewport: { width: 1100, height: 760 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.errors = errors;
  await page.goto(`${app()}/`);
  await page.waitForSelector('#empty:not([hidden])');
  await shot('01-settings-empty.png');
  assert.deepEqual(errors, []);
});

test('Connect HRIS: pick a tool in the cross-origin flow, connect, see it listed and stored', async () => {
  await page.click('button[data-category=HRIS]');
  const frame = await flowFrame();
  assert.ok(frame.url().startsWith(`http://127.0.0.1:${ports.flow}/connect?token=`), frame.url());
  assert.match(frame.url(), /sdkv=1\.3\.0/);
  await shot('02-flow-open.png');
  await frame.click('text=HiBob');
  await frame.click('button[type=submit]');
  await page.waitForSelector('.integration');
  await page.waitForSelector('#status[data-kind=success]');
  await shot('03-connected.png');
  assert.equal(await page.textContent('#status'), 'Connected HiBob. It is listed below.');
  assert.equal(await page.textContent('.integration .tool'), 'HiBob');
  assert.equal(await page.locator('iframe').count(), 0);
  const rows = await stored();
  assert.equal(rows.length, 1);
  assert.equal(rows[0].tool, 'hibob');
  assert.equal(rows[0].end_user_email, 'alex@acme.example');
});

test('Connect ATS, then close the flow: nothing is connected and the page says so', async () => {
  await page.click('button[data-category=ATS]');
  const frame = await flowFrame();
  await frame.click('button.close');
  await page.waitForSelector('#status[data-kind=idle]');
  await shot('04-cancelled.png');
  assert.equal(await page.textContent('#status'), 'Cancelled. Nothing was connected.');
  // Focus is back on the button that opened the flow, not lost on <body>.
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.category), 'ATS');
  assert.equal(await page.locator('iframe').count(), 0);
  assert.equal((await stored()).length, 1);
});

test('an init failure is shown in plain words', async () => {
  await page.route('**/integrations/kombo/init', (route) => route.fulfill({
    status: 500, contentType: 'application/json', body: '{"error":{"code":"kombo_unavailable","message":"Kombo API unreachable"}}',
  }));
  await page.click('button[data-category=HRIS]');
  await page.waitForSelector('#status[data-kind=error]');
  await shot('05-init-failed.png');
  const text = await page.textContent('#status');
  assert.match(text, /^Could not start the connection: the server answered with an error \(HTTP 500\)\. Please try again in a moment\./);
  assert.match(await page.textContent('#status .detail'), /^POST \/integrations\/kombo\/init failed with HTTP 500: /);
  assert.equal(await page.locator('iframe').count(), 0);
  await page.unroute('**/integrations/kombo/init');
  assert.deepEqual(page.errors.filter((e) => !e.includes('500')), []);
});

test('Ctrl-C stops the server cleanly; after a restart the integration is still listed', async () => {
  const { code } = await stopDemo(server);
  assert.equal(code, 0, server.output);
  assert.match(server.output, /stopping/);
  server = await startDemo();
  await page.reload();
  await page.waitForSelector('.integration');
  await shot('06-after-restart.png');
  assert.equal(await page.textContent('.integration .tool'), 'HiBob');
});

test('Connect HRIS again is refused as a duplicate, the page offers Reconnect, and reconnecting (after the restart) updates the same integration', async () => {
  const [hibob] = await stored();
  await page.click('button[data-category=HRIS]');
  await page.waitForSelector('#status[data-kind=warning]');
  await shot('08-duplicate-refused.png');
  assert.match(await page.textContent('#status'), /^Your HR system is already connected: HiBob\./);
  assert.equal(await page.locator('iframe').count(), 0);
  await page.click('#status button:text("Reconnect HiBob")');
  const frame = await flowFrame();
  await frame.waitForSelector('h1:text("Reconnect HiBob")');
  await frame.fill('input[name=api_key]', 'a-new-api-key');
  await shot('09-reconnect-flow.png');
  await frame.click('button[type=submit]');
  await page.waitForSelector('#status[data-kind=success]');
  await shot('10-reconnected.png');
  assert.equal(await page.textContent('#status'), 'Reconnected HiBob.');
  assert.deepEqual((await stored()).map((i) => i.id), [hibob.id]);
  // The list's own Reconnect button opens the same flow; closing it changes nothing.
  await page.click('.integration button:text("Reconnect")');
  const again = await flowFrame();
  await again.waitForSelector('h1:text("Reconnect HiBob")');
  await again.click('button.close');
  await page.waitForSelector('#status[data-kind=idle]');
  assert.equal(await page.locator('iframe').count(), 0);
  assert.deepEqual((await stored()).map((i) => i.id), [hibob.id]);
});

test('each organization sees only its own integrations: switching to Globex shows none, switching back shows Acme\'s', async () => {
  const errors = page.errors.length;
  assert.equal(await page.inputValue('#organization'), 'acme-1');
  assert.equal(await page.textContent('#email'), 'alex@acme.example');
  await page.selectOption('#organization', 'globex-1');
  await page.waitForSelector('#empty:not([hidden])');
  assert.equal(await page.textContent('#email'), 'hank@globex.example');
  assert.deepEqual(await stored(), []);
  await shot('11-other-organization.png');
  await page.selectOption('#organization', 'acme-1');
  await page.waitForSelector('.integration');
  assert.equal(await page.textContent('.integration .tool'), 'HiBob');
  assert.deepEqual(page.errors.slice(errors), []);
});

test('the ES module page runs the same flow', async () => {
  await page.goto(`${app()}/module.html`);
  await page.waitForSelector('.integration');
  await page.click('button[data-category=ATS]');
  const frame = await flowFrame();
  await frame.click('text=Greenhouse');
  await frame.click('button[type=submit]');
  await page.waitForFunction(() => document.querySelectorAll('.integration').length === 2);
  await shot('07-module-page.png');
  assert.deepEqual((await stored()).map((i) => i.tool), ['hibob', 'greenhouse']);
  await page.close();
});

test('on a phone (390 and 360 px wide) every step fits the width and the list stays compact; 390 px screenshots of each step', async () => {
  const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 });
  const fits = () => phone.evaluate(() => ({
    overflow: document.documentElement.scrollWidth - innerWidth,
    height: document.documentElement.scrollHeight,
    rows: [...document.querySelectorAll('.integration')].map((li) => Math.round(li.getBoundingClientRect().height)),
    toolWidths: [...document.querySelectorAll('.integration .tool')].map((t) => Math.round(t.getBoundingClientRect().width)),
  }));
  const check = (f, step) => {
    assert.ok(f.overflow <= 0, `${step}: ${f.overflow}px wider than the screen`);
    assert.ok(f.height < 1600, `${step}: the page is ${f.height}px tall`);
    for (const h of f.rows) assert.ok(h < 160, `${step}: an integration row is ${h}px tall`);
    for (const w of f.toolWidths) assert.ok(w > 60, `${step}: a tool name is squeezed to ${w}px`);
  };
  const phoneShot = (name) => phone.screenshot({ path: join(shots, `phone-${name}`) });
  await phone.goto(`${app()}/`);
  // The list has loaded (empty, or the integrations the tests above made).
  await phone.waitForFunction(() => document.querySelector('.integration') || !document.querySelector('#empty').hidden);
  // The tests above connected an HRIS and an ATS; a second one would be refused.
  await phone.evaluate(async () => {
    const { integrations } = await (await fetch('/integrations')).json();
    for (const { id } of integrations) await fetch(`/integrations/${encodeURIComponent(id)}`, { method: 'DELETE' });
  });
  await phone.reload();
  await phone.waitForFunction(() => document.querySelector('.integration') || !document.querySelector('#empty').hidden);
  const before = await phone.locator('.integration').count();
  check(await fits(), 'settings');
  await phoneShot('01-settings.png');
  await phone.click('button[data-category=HRIS]');
  const frame = await (await phone.waitForSelector('iframe[title="Kombo Connect"]')).contentFrame();
  await frame.waitForSelector('main.dialog');
  await phone.waitForSelector('[data-kombo-connect]', { state: 'detached' });
  await frame.evaluate(() => Promise.all(document.getAnimations().map((a) => a.finished)));
  await phoneShot('02-flow-open.png');
  await frame.click('text=Personio');
  await frame.click('button[type=submit]');
  await phone.waitForFunction((n) => document.querySelectorAll('.integration').length === n, before + 1);
  await phone.waitForSelector('#status[data-kind=success]');
  check(await fits(), 'connected');
  await phoneShot('03-connected.png');
  await phone.click('button[data-category=ATS]');
  const again = await (await phone.waitForSelector('iframe[title="Kombo Connect"]')).contentFrame();
  await again.waitForSelector('main.dialog');
  await again.click('button.close');
  await phone.waitForSelector('#status[data-kind=idle]');
  await phoneShot('04-cancelled.png');
  await phone.setViewportSize({ width: 360, height: 740 });
  check(await fits(), '360 px');
  await phone.close();
});
