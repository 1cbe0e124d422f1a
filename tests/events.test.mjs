// onEvent: lifecycle events next to the Promise, for showKomboConnect() and
// connect(). Each is { type, timestamp }; no token ever appears in one; a
// throwing callback cannot break the flow.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertClean, openPage } from './support/page.mjs';
import { openSession } from './support/session.mjs';

let session;
before(async () => {
  session = await openSession();
  const json = (res, status, value) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
  session.servers.routes['/integrations/kombo/init'] = (req, res) => json(res, 200, { link: `${session.servers.flow}/pages/flow.html` });
  session.servers.routes['/integrations/kombo/activate'] = (req, res) => json(res, 200, { id: 'personio:1' });
  session.servers.routes['/broken/init'] = (req, res) => json(res, 500, { error: 'down' });
  session.servers.routes['/refused/init'] = (req, res) => json(res, 200, { link: 'javascript:alert(1)' });
});
after(() => session?.close());

async function withPage(fn) {
  const ctx = await openPage(session, 'esm');
  try {
    await fn(ctx);
    await assertClean(ctx);
  } finally {
    await ctx.page.close();
  }
}

const eventsOf = (ctx, id) => ctx.page.evaluate((id) => T.events[id], id);
const types = (events) => events.map((e) => e.type);

function checkShape(events, secret) {
  for (const e of events) {
    assert.deepEqual(Object.keys(e).sort(), ['timestamp', 'type']);
    assert.equal(typeof e.timestamp, 'number');
  }
  for (let i = 1; i < events.length; i++) assert.ok(events[i].timestamp >= events[i - 1].timestamp);
  assert.ok(!JSON.stringify(events).includes(secret), 'a token appeared in an event');
}

test('showKomboConnect: open, loaded, success, close; no token in any event', () => withPage(async (ctx) => {
  const id = await ctx.page.evaluate((url) => T.open(url, { onEvent: 'record' }), ctx.flowUrl());
  await ctx.flowFrame();
  await ctx.page.waitForFunction((id) => T.events[id].some((e) => e.type === 'loaded'), id);
  await ctx.post({ type: 'success', data: { activation_token: 'secret_token_1' } });
  assert.equal((await ctx.result(id)).value, 'secret_token_1');
  const events = await eventsOf(ctx, id);
  assert.deepEqual(types(events), ['open', 'loaded', 'success', 'close']);
  checkShape(events, 'secret_token_1');
}));

test('showKomboConnect: cancel and abort are events too', () => withPage(async (ctx) => {
  const cancelled = await ctx.page.evaluate((url) => T.open(url, { onEvent: 'record' }), ctx.flowUrl());
  await ctx.flowFrame();
  await ctx.page.waitForFunction((id) => T.events[id].some((e) => e.type === 'loaded'), cancelled);
  await ctx.post({ type: 'close' });
  await ctx.result(cancelled);
  assert.deepEqual(types(await eventsOf(ctx, cancelled)), ['open', 'loaded', 'cancel', 'close']);

  const aborted = await ctx.page.evaluate((url) => {
    const c = new AbortController();
    const id = T.open(url, { onEvent: 'record', signal: c.signal });
    c.abort();
    return id;
  }, ctx.flowUrl());
  assert.equal((await ctx.result(aborted)).error.name, 'AbortError');
  assert.deepEqual(types(await eventsOf(ctx, aborted)), ['open', 'abort', 'close']);
}));

test('a throwing onEvent does not break the flow', () => withPage(async (ctx) => {
  const id = await ctx.page.evaluate((url) => T.open(url, { onEvent: 'throw' }), ctx.flowUrl());
  await ctx.post({ type: 'success', data: { activation_token: 't' } });
  assert.equal((await ctx.result(id)).value, 't');
  assert.deepEqual(types(await eventsOf(ctx, id)).slice(-2), ['success', 'close']);
}));

test('connectHris: init, flow and activate events in order', () => withPage(async (ctx) => {
  const id = await ctx.page.evaluate(() => T.connect(null, { onEvent: 'record' }, 'connectHris'));
  await ctx.flowFrame();
  await ctx.page.waitForFunction((id) => T.events[id].some((e) => e.type === 'loaded'), id);
  await ctx.post({ type: 'success', data: { activation_token: 'secret_token_2' } });
  assert.equal((await ctx.result(id)).state, 'resolved');
  const events = await eventsOf(ctx, id);
  assert.deepEqual(types(events),
    ['init-start', 'init-done', 'open', 'loaded', 'success', 'close', 'activate-start', 'activate-done']);
  checkShape(events, 'secret_token_2');
}));

test('connect: a failed init is an error event', () => withPage(async (ctx) => {
  const id = await ctx.page.evaluate(() => T.connect('ATS', { onEvent: 'record', initUrl: '/broken/init' }));
  assert.equal((await ctx.result(id)).error.stage, 'init');
  assert.deepEqual(types(await eventsOf(ctx, id)), ['init-start', 'error']);
}));

test('connect: a link from init that the SDK refuses is an error event, and nothing opens', () => withPage(async (ctx) => {
  const id = await ctx.page.evaluate(() => T.connect('HRIS', { onEvent: 'record', initUrl: '/refused/init' }));
  const r = await ctx.result(id);
  assert.equal(r.error.name, 'TypeError', JSON.stringify(r));
  assert.deepEqual(types(await eventsOf(ctx, id)), ['init-start', 'init-done', 'error']);
}));

test('onEvent must be a function', () => withPage(async (ctx) => {
  const r = await ctx.result(await ctx.page.evaluate((url) => T.open(url, { onEvent: 42 }), ctx.flowUrl()));
  assert.equal(r.error.name, 'TypeError');
  assert.match(r.error.message, /onEvent/);
}));
