// connect() and its shortcuts in headless Chromium, against a real HTTP
// server on 127.0.0.1 that plays the customer's back-end (init and activate
// routes) and serves the mock flow on a second origin. Every test checks
// what the server received and that nothing is left in the page.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertClean, openPage } from './support/page.mjs';
import { openSession } from './support/session.mjs';
import { sleep, until } from './support/wait.mjs';

const INIT = '/integrations/kombo/init';
const ACTIVATE = '/integrations/kombo/activate';

let session;
let servers;
before(async () => {
  session = await openSession();
  ({ servers } = session);
});
after(() => session?.close());
beforeEach(() => {
  for (const path of Object.keys(servers.routes)) delete servers.routes[path];
  servers.routes[INIT] = (req, res) => json(res, 200, { link: flowLink() });
  servers.routes[ACTIVATE] = (req, res, body) =>
    json(res, 200, { id: 'personio:CBNMt7dSNCzBdnRTx87dev4E', tool: 'personio', token_seen: JSON.parse(body).token });
});

const flowLink = () => `${servers.flow}/pages/flow.html?token=link_1`;
const json = (res, status, value) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
const sent = (path) => servers.requests.filter((r) => r.path === path);

/** A fresh page of the ES module (or `impl`), with the request log cleared. */
async function page(impl = 'esm') {
  servers.requests.length = 0;
  return openPage(session, impl);
}

/** Runs `fn(ctx)` on a fresh page, then checks that the page is clean. */
async function withPage(fn, impl) {
  const ctx = await page(impl);
  try {
    await fn(ctx);
    await assertClean(ctx);
  } finally {
    await ctx.page.close();
  }
}

const connect = (ctx, category, options, via) =>
  ctx.page.evaluate(([c, o, v]) => T.connect(c, o, v), [category, options, via]);
const finishFlow = (ctx, token = 'act_tok_1') => ctx.post({ type: 'success', data: { activation_token: token } });

for (const [category, via] of [['HRIS', 'connectHris'], ['ATS', 'connectAts'], ['ASSESSMENT', 'connectAssessment'], ['LMS', 'connectLms']]) {
  test(`${via}() posts init, shows the flow, posts activate, and resolves with both`, () => withPage(async (ctx) => {
    const id = await connect(ctx, null, { initBody: { integration_tool: 'personio', language: 'de' } }, via);
    await finishFlow(ctx);
    const r = await ctx.result(id);
    assert.equal(r.state, 'resolved', JSON.stringify(r.error));
    assert.deepEqual(r.value, {
      activationToken: 'act_tok_1',
      activation: { id: 'personio:CBNMt7dSNCzBdnRTx87dev4E', tool: 'personio', token_seen: 'act_tok_1' },
    });
    const [init] = sent(INIT);
    assert.equal(init.method, 'POST');
    assert.equal(init.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(init.body), { integration_category: category, integration_tool: 'personio', language: 'de' });
    const [activate] = sent(ACTIVATE);
    assert.equal(activate.method, 'POST');
    assert.equal(activate.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(activate.body), { token: 'act_tok_1' });
    assert.ok(activate.at >= init.at);
  }));
}

test('the global script exposes connect() and the shortcuts too', () => withPage(async (ctx) => {
  const id = await connect(ctx, null, {}, 'connectHris');
  await finishFlow(ctx);
  assert.equal((await ctx.result(id)).value.activationToken, 'act_tok_1');
  assert.deepEqual(JSON.parse(sent(INIT)[0].body), { integration_category: 'HRIS' });
}, 'global'));

test("Kombo's own {data: {link}} shape from the init route is accepted", () => withPage(async (ctx) => {
  servers.routes[INIT] = (req, res) => json(res, 200, { status: 'success', data: { link: flowLink() } });
  const id = await connect(ctx, 'HRIS');
  await finishFlow(ctx);
  assert.equal((await ctx.result(id)).state, 'resolved');
}));

async function initFails(ctx, options = {}) {
  const r = await ctx.result(await connect(ctx, 'HRIS', options), 5000);
  assert.equal(r.state, 'rejected');
  assert.equal(await ctx.iframes(), 0, 'an iframe was opened');
  assert.equal(sent(ACTIVATE).length, 0);
  return r.error;
}

for (const status of [403, 500]) {
  test(`init HTTP ${status} rejects with KomboConnectRequestError (stage, status, URL, body)`, () => withPage(async (ctx) => {
    servers.routes[INIT] = (req, res) => json(res, status, { error: 'no_session' });
    const e = await initFails(ctx);
    assert.ok(e.isRequestError && e.isError);
    assert.equal(e.name, 'KomboConnectRequestError');
    assert.equal(e.stage, 'init');
    assert.equal(e.status, status);
    assert.equal(e.message, `POST ${INIT} failed with HTTP ${status}: {"error":"no_session"}`);
  }));
}

test('init answering HTML instead of JSON rejects and says so', () => withPage(async (ctx) => {
  servers.routes[INIT] = (req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><h1>Login</h1>');
  const e = await initFails(ctx);
  assert.equal(e.stage, 'init');
  assert.equal(e.status, undefined);
  assert.match(e.message, /did not answer with JSON: <!doctype html><h1>Login<\/h1>$/);
}));

test('init JSON without a link rejects and says what was expected', () => withPage(async (ctx) => {
  servers.routes[INIT] = (req, res) => json(res, 200, { url: flowLink() });
  const e = await initFails(ctx);
  assert.ok(e.isRequestError);
  assert.match(e.message, /answered without a link/);
}));

test('a javascript: link from init is refused like showKomboConnect refuses it, before any iframe', () => withPage(async (ctx) => {
  servers.routes[INIT] = (req, res) => json(res, 200, { link: "javascript:parent.postMessage({type:'success',data:{activation_token:'x'}},'*')" });
  const e = await initFails(ctx);
  assert.equal(e.name, 'TypeError');
  assert.match(e.message, /Refused/);
}));

test('a hung init times out after timeoutMs', () => withPage(async (ctx) => {
  servers.routes[INIT] = () => {}; // never answers
  const started = Date.now();
  const e = await initFails(ctx, { timeoutMs: 300 });
  // Far above 300 ms for a busy machine, far below the default 30 s.
  assert.ok(Date.now() - started < 10_000);
  assert.ok(e.isRequestError);
  assert.equal(e.status, undefined);
  assert.equal(e.message, `POST ${INIT} timed out after 300 ms`);
}));

test('a network error rejects with stage init and no status', () => withPage(async (ctx) => {
  const e = await initFails(ctx, { initUrl: 'http://127.0.0.1:9/integrations/kombo/init' });
  assert.ok(e.isRequestError);
  assert.equal(e.stage, 'init');
  assert.equal(e.status, undefined);
  assert.match(e.message, /^POST http:\/\/127\.0\.0\.1:9\/integrations\/kombo\/init failed: network error/);
}));

test('user cancel rejects with KomboConnectCancelledError and never calls activate', () => withPage(async (ctx) => {
  const id = await connect(ctx, 'ATS');
  await ctx.post({ type: 'close' });
  const r = await ctx.result(id);
  assert.ok(r.error.isCancelled);
  await sleep(100);
  assert.equal(sent(ACTIVATE).length, 0);
}));

test('activate 5xx rejects with stage activate and keeps the activation token', () => withPage(async (ctx) => {
  servers.routes[ACTIVATE] = (req, res) => json(res, 502, { error: 'kombo down' });
  const id = await connect(ctx, 'HRIS');
  await finishFlow(ctx, 'act_keep_me');
  const r = await ctx.result(id);
  assert.equal(r.state, 'rejected');
  assert.ok(r.error.isRequestError);
  assert.equal(r.error.stage, 'activate');
  assert.equal(r.error.status, 502);
  assert.equal(r.error.activationToken, 'act_keep_me');
}));

test('aborting during init stops the request and rejects with an AbortError DOMException', () => withPage(async (ctx) => {
  let closed = false;
  servers.routes[INIT] = (req, res) => { res.on('close', () => { closed = !res.writableFinished; }); }; // hangs
  const id = await connect(ctx, 'HRIS', { abortable: true });
  await until(() => sent(INIT).length > 0, 'the init request');
  await ctx.page.evaluate((id) => T.controllers[id].abort(), id);
  const r = await ctx.result(id);
  assert.equal(r.state, 'rejected');
  assert.equal(r.error.name, 'AbortError');
  assert.ok(r.error.isDomException);
  await until(() => closed, 'the init request cancelled');
  assert.equal(await ctx.iframes(), 0);
}));

test('aborting while the flow is open closes it and rejects with AbortError; activate is not called', () => withPage(async (ctx) => {
  const id = await connect(ctx, 'HRIS', { abortable: true });
  await ctx.flowFrame();
  await ctx.page.evaluate((id) => T.controllers[id].abort(), id);
  const r = await ctx.result(id);
  assert.equal(r.error.name, 'AbortError');
  assert.ok(r.error.isDomException);
  await sleep(100);
  assert.equal(sent(ACTIVATE).length, 0);
}));

test('an already aborted signal rejects at once, with no request', () => withPage(async (ctx) => {
  const id = await ctx.page.evaluate(() => {
    const c = new AbortController();
    c.abort();
    return T.connect('HRIS', { signal: c.signal });
  });
  assert.equal((await ctx.result(id)).error.name, 'AbortError');
  assert.equal(sent(INIT).length, 0);
}));

test('a double click sends one init request; the second call is KomboConnectAlreadyOpenError', () => withPage(async (ctx) => {
  const [first, second] = await ctx.page.evaluate(() => [T.connect('HRIS'), T.connect('HRIS')]);
  const r2 = await ctx.result(second);
  assert.ok(r2.error.isAlreadyOpen, JSON.stringify(r2));
  await finishFlow(ctx);
  assert.equal((await ctx.result(first)).state, 'resolved');
  assert.equal(sent(INIT).length, 1);
  assert.equal(sent(ACTIVATE).length, 1);
}));

test('activateUrl: false skips activation and resolves with activation null', () => withPage(async (ctx) => {
  const id = await connect(ctx, 'HRIS', { activateUrl: false });
  await finishFlow(ctx, 'webhook_tok');
  assert.deepEqual((await ctx.result(id)).value, { activationToken: 'webhook_tok', activation: null });
  await sleep(50);
  assert.equal(sent(ACTIVATE).length, 0);
}));

test('custom headers and same-origin cookies reach both endpoints', () => withPage(async (ctx) => {
  await ctx.page.evaluate(() => { document.cookie = 'sid=session_42; path=/'; });
  const id = await connect(ctx, 'HRIS', { headers: { 'X-CSRF-Token': 'csrf_1', Authorization: 'Bearer app_jwt' } });
  await finishFlow(ctx);
  assert.equal((await ctx.result(id)).state, 'resolved');
  for (const r of [sent(INIT)[0], sent(ACTIVATE)[0]]) {
    assert.equal(r.headers['x-csrf-token'], 'csrf_1', r.path);
    assert.equal(r.headers.authorization, 'Bearer app_jwt', r.path);
    assert.equal(r.headers.cookie, 'sid=session_42', r.path);
    assert.equal(r.headers['content-type'], 'application/json', r.path);
  }
}));

test('custom initUrl and activateUrl are used', () => withPage(async (ctx) => {
  servers.routes['/api/kombo/link'] = (req, res) => json(res, 200, { link: flowLink() });
  servers.routes['/api/kombo/done'] = (req, res) => res.writeHead(204).end();
  const id = await connect(ctx, 'LMS', { initUrl: '/api/kombo/link', activateUrl: '/api/kombo/done' });
  await finishFlow(ctx);
  assert.deepEqual((await ctx.result(id)).value, { activationToken: 'act_tok_1', activation: null });
  assert.equal(sent('/api/kombo/link').length, 1);
  assert.equal(sent('/api/kombo/done').length, 1);
}));

test('an invalid category or option rejects with a TypeError before any request', () => withPage(async (ctx) => {
  for (const [category, options] of [['hris', {}], ['CRM', {}], [undefined, {}], ['HRIS', { timeoutMs: -1 }],
    ['HRIS', { credentials: 'always' }], ['HRIS', { signal: 'stop' }], ['HRIS', { initBody: [1] }], ['HRIS', { container: 'body' }]]) {
    const r = await ctx.result(await ctx.page.evaluate(([c, o]) => T.connect(c, o), [category, options]));
    assert.equal(r.error?.name, 'TypeError', `${category} ${JSON.stringify(options)}`);
  }
  assert.equal(sent(INIT).length, 0);
}));

// reconnect(): the relink route instead of init, the rest as connect().
const RELINK = '/integrations/kombo/relink';
const reconnect = (ctx, integrationId, options) =>
  ctx.page.evaluate(([i, o]) => T.reconnect(i, o), [integrationId, options]);

for (const impl of ['esm', 'global']) {
  test(`reconnect() posts relink with the integration id, shows the flow, activates, and resolves (${impl})`, () => withPage(async (ctx) => {
    servers.routes[RELINK] = (req, res) => json(res, 200, { link: flowLink() });
    const id = await reconnect(ctx, 'personio:CBNMt7dSNCzBdnRTx87dev4E', { initBody: { language: 'de' }, onEvent: 'record' });
    await finishFlow(ctx, 'relink_tok');
    const r = await ctx.result(id);
    assert.equal(r.state, 'resolved', JSON.stringify(r.error));
    assert.equal(r.value.activationToken, 'relink_tok');
    assert.equal(r.value.activation.token_seen, 'relink_tok');
    const [relink] = sent(RELINK);
    assert.equal(relink.method, 'POST');
    assert.equal(relink.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(relink.body), { integration_id: 'personio:CBNMt7dSNCzBdnRTx87dev4E', language: 'de' });
    assert.equal(sent(INIT).length, 0);
    assert.deepEqual(JSON.parse(sent(ACTIVATE)[0].body), { token: 'relink_tok' });
    const events = await ctx.page.evaluate((i) => T.events[i].map((e) => e.type), id);
    assert.deepEqual(events, ['init-start', 'init-done', 'open', 'loaded', 'success', 'close', 'activate-start', 'activate-done']);
  }, impl));
}

test('a reconnection flow that ends without a token resolves with activationToken null and skips activation', () => withPage(async (ctx) => {
  servers.routes[RELINK] = (req, res) => json(res, 200, { link: flowLink() });
  const id = await reconnect(ctx, 'personio:1');
  await ctx.post({ type: 'success', data: {} });
  assert.deepEqual((await ctx.result(id)).value, { activationToken: null, activation: null });
  await sleep(50);
  assert.equal(sent(ACTIVATE).length, 0);
}));

test('connect() keeps ignoring a success without a token: the flow stays open', () => withPage(async (ctx) => {
  const id = await connect(ctx, 'HRIS');
  await ctx.post({ type: 'success', data: {} });
  assert.ok(await ctx.pendingFor(id, 200));
  await finishFlow(ctx);
  assert.equal((await ctx.result(id)).value.activationToken, 'act_tok_1');
}));

test('"activate": false in the relink (or init) response skips activation', () => withPage(async (ctx) => {
  servers.routes[RELINK] = (req, res) => json(res, 200, { link: flowLink(), activate: false });
  const id = await reconnect(ctx, 'personio:1');
  await finishFlow(ctx, 'relink_tok');
  assert.deepEqual((await ctx.result(id)).value, { activationToken: 'relink_tok', activation: null });
  servers.routes[INIT] = (req, res) => json(res, 200, { link: flowLink(), activate: false });
  const id2 = await connect(ctx, 'HRIS');
  await finishFlow(ctx, 'tok_2');
  assert.deepEqual((await ctx.result(id2)).value, { activationToken: 'tok_2', activation: null });
  await sleep(50);
  assert.equal(sent(ACTIVATE).length, 0);
}));

test('reconnect() errors are connect() errors: relink 404 is a KomboConnectRequestError with an error event', () => withPage(async (ctx) => {
  servers.routes['/api/relink'] = (req, res) => json(res, 404, { error: { code: 'not_found' } });
  const id = await reconnect(ctx, 'personio:gone', { relinkUrl: '/api/relink', onEvent: 'record' });
  const r = await ctx.result(id);
  assert.ok(r.error.isRequestError);
  assert.equal(r.error.stage, 'init');
  assert.equal(r.error.status, 404);
  assert.match(r.error.message, /^POST \/api\/relink failed with HTTP 404/);
  assert.deepEqual(await ctx.page.evaluate((i) => T.events[i].map((e) => e.type), id), ['init-start', 'error']);
  assert.equal(await ctx.iframes(), 0);
}));

test('reconnect() without an integration id rejects with a TypeError before any request', () => withPage(async (ctx) => {
  for (const bad of [undefined, '', 42, { id: 'personio:1' }]) {
    const r = await ctx.result(await reconnect(ctx, bad));
    assert.equal(r.error?.name, 'TypeError', JSON.stringify(bad));
    assert.match(r.error.message, /reconnect\(\) needs the id of the integration/);
  }
  assert.equal(servers.requests.filter((r) => r.method === 'POST').length, 0);
}));

test('aborting a reconnection while the flow is open rejects with AbortError and skips activation', () => withPage(async (ctx) => {
  servers.routes[RELINK] = (req, res) => json(res, 200, { link: flowLink() });
  const id = await reconnect(ctx, 'personio:1', { abortable: true });
  await ctx.flowFrame();
  await ctx.page.evaluate((i) => T.controllers[i].abort(), id);
  assert.equal((await ctx.result(id)).error.name, 'AbortError');
  await sleep(50);
  assert.equal(sent(ACTIVATE).length, 0);
}));

// flowOrigin: the origin the page expects the flow on.
test('with flowOrigin, a link from any other origin is refused before any iframe, with an error event', () => withPage(async (ctx) => {
  const id = await connect(ctx, 'HRIS', { flowOrigin: 'https://connect.kombo.dev', onEvent: 'record' });
  const r = await ctx.result(id);
  assert.equal(r.error?.name, 'TypeError');
  assert.match(r.error.message, /not on the flowOrigin/);
  assert.equal(await ctx.iframes(), 0);
  assert.deepEqual(await ctx.page.evaluate((i) => T.events[i].map((e) => e.type), id), ['init-start', 'init-done', 'error']);
  assert.equal(sent(ACTIVATE).length, 0);
}));

test('with flowOrigin matching the link (any path, a trailing slash), the flow opens', () => withPage(async (ctx) => {
  const id = await connect(ctx, 'HRIS', { flowOrigin: `${servers.flow}/` });
  await finishFlow(ctx);
  assert.equal((await ctx.result(id)).state, 'resolved');
}));

test('an invalid flowOrigin is a TypeError before any request', () => withPage(async (ctx) => {
  for (const bad of ['connect.kombo.dev', 42, 'data:text/html,x']) {
    const r = await ctx.result(await connect(ctx, 'HRIS', { flowOrigin: bad }));
    assert.equal(r.error?.name, 'TypeError', String(bad));
    assert.match(r.error.message, /flowOrigin/);
  }
  assert.equal(sent(INIT).length, 0);
}));

test('while init runs, the page preconnects to the flow origin; the hint is gone once the flow opens', () => withPage(async (ctx) => {
  let answer;
  servers.routes[INIT] = (req, res) => { answer = () => json(res, 200, { link: flowLink() }); };
  const hints = () => ctx.page.evaluate(() => [...document.head.querySelectorAll('link[rel=preconnect]')].map((l) => l.href));
  const id = await connect(ctx, 'HRIS', { flowOrigin: servers.flow });
  await until(() => answer, 'the init request');
  assert.deepEqual(await hints(), [`${servers.flow}/`]);
  answer();
  await ctx.flowFrame();
  assert.deepEqual(await hints(), []);
  await finishFlow(ctx);
  assert.equal((await ctx.result(id)).state, 'resolved');
  // Without flowOrigin: Kombo's own origin; gone again when init fails.
  answer = null;
  servers.routes[INIT] = (req, res) => { answer = () => json(res, 500, {}); };
  const id2 = await connect(ctx, 'HRIS');
  await until(() => answer, 'the second init request');
  assert.deepEqual(await hints(), ['https://connect.kombo.dev/']);
  answer();
  assert.equal((await ctx.result(id2)).error.status, 500);
  assert.deepEqual(await hints(), []);
}));
