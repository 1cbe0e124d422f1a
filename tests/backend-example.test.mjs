// The README's back-end example (examples/express-backend.mjs) really works
// with connect() and reconnect(): an Express app serves a page and the
// routes, the routes call a mock of Kombo's API (its documented request and
// response shapes), and Chromium runs the whole flow.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import express from 'express';
import { komboRoutes } from '../examples/express-backend.mjs';
import { assertClean, openPage } from './support/page.mjs';
import { openSession } from './support/session.mjs';

let session;
let app;
let origin;
const saved = [];
const kombo = [];

before(async () => {
  session = await openSession();
  const { servers } = session;
  const json = (res, status, value) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
  // Kombo's API, as documented: Bearer key, required fields, {status, data}.
  servers.routes['/v1/connect/create-link'] = (req, res, body) => {
    const b = JSON.parse(body);
    kombo.push({ path: 'create-link', auth: req.headers.authorization, body: b });
    if (!b.end_user_email || !b.end_user_organization_name) return json(res, 400, { status: 'error', error: { message: 'missing fields' } });
    json(res, 200, { status: 'success', data: { link: `${servers.flow}/pages/flow.html?token=embedded_1` } });
  };
  const integration = (owner) => ({
    id: 'personio:CBNMt7dSNCzBdnRTx87dev4E', tool: 'personio', end_user_origin_id: owner,
    end_user_organization_name: 'Acme, Inc.', end_user_email: 'user@example.com', setup_status: 'COMPLETED',
  });
  // integration-by-token, a little late: concurrent duplicates overlap.
  const byToken = (owner) => (req, res) => {
    kombo.push({ path: 'integration-by-token', method: req.method, auth: req.headers.authorization });
    setTimeout(() => json(res, 200, { status: 'success', data: integration(owner) }), 300);
  };
  servers.routes['/v1/connect/integration-by-token/act_from_flow'] = byToken('36123');
  servers.routes['/v1/connect/integration-by-token/act_of_another_customer'] = byToken('99999');
  servers.routes['/v1/integrations/personio%3ACBNMt7dSNCzBdnRTx87dev4E/relink'] = (req, res, body) => {
    kombo.push({ path: 'relink', auth: req.headers.authorization, body: JSON.parse(body) });
    json(res, 200, { status: 'success', data: { link: `${servers.flow}/pages/flow.html?token=relink_1` } });
  };
  const root = new URL('../', import.meta.url).pathname;
  const server = express()
    .use('/pages', express.static(root + 'tests/pages'))
    .use('/pkg', express.static(root + 'pkg'))
    .use(komboRoutes({
      apiKey: 'kombo_test_key',
      apiUrl: `${servers.app}/v1`,
      currentUser: () => ({ email: 'user@example.com', company: 'Acme, Inc.', companyId: '36123' }),
      saveIntegration: (req, integration) => { saved.push(integration); },
      ownsIntegration: (req, id) => saved.some((i) => i.id === id),
    }));
  app = await new Promise((ok) => { const s = server.listen(0, '127.0.0.1', () => ok(s)); });
  origin = `http://127.0.0.1:${app.address().port}`;
});

after(async () => {
  app?.closeAllConnections();
  await new Promise((ok) => (app ? app.close(ok) : ok()));
  await session?.close();
});

test('connectHris() against the README Express routes and a mock Kombo API stores the integration', async () => {
  const ctx = await openPage({ ...session, servers: { ...session.servers, app: origin } }, 'esm');
  try {
    const id = await ctx.page.evaluate(() => T.connect(null, { initBody: { integration_tool: 'personio', language: 'de' } }, 'connectHris'));
    await ctx.post({ type: 'success', data: { activation_token: 'act_from_flow' } });
    const r = await ctx.result(id);
    assert.equal(r.state, 'resolved', JSON.stringify(r.error));
    assert.equal(r.value.activationToken, 'act_from_flow');
    assert.equal(r.value.activation.id, 'personio:CBNMt7dSNCzBdnRTx87dev4E');
    assert.deepEqual(saved.map((i) => i.id), ['personio:CBNMt7dSNCzBdnRTx87dev4E']);
    assert.deepEqual(kombo, [
      { path: 'create-link', auth: 'Bearer kombo_test_key', body: {
        end_user_email: 'user@example.com', end_user_organization_name: 'Acme, Inc.', end_user_origin_id: '36123',
        integration_category: 'HRIS', integration_tool: 'personio', language: 'de' } },
      { path: 'integration-by-token', method: 'GET', auth: 'Bearer kombo_test_key' },
    ]);
    await assertClean(ctx);
  } finally {
    await ctx.page.close();
  }
});

const activate = (token) => fetch(`${origin}/integrations/kombo/activate`, {
  method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }),
});

test('the example activates concurrent duplicates of a token in one run, and refuses another customer\'s token', async () => {
  saved.length = 0;
  kombo.length = 0;
  const answers = await Promise.all([1, 2, 3, 4, 5].map(() => activate('act_from_flow')));
  assert.deepEqual(answers.map((a) => a.status), [200, 200, 200, 200, 200]);
  assert.equal(kombo.length, 1, JSON.stringify(kombo));
  assert.equal(saved.length, 1);
  const theirs = await activate('act_of_another_customer');
  assert.equal(theirs.status, 403);
  assert.equal((await theirs.json()).error.code, 'wrong_organization');
  assert.equal(saved.length, 1);
});

test('reconnect() against the README Express routes: relink for an integration the customer has, 404 for any other', async () => {
  const ctx = await openPage({ ...session, servers: { ...session.servers, app: origin } }, 'esm');
  try {
    kombo.length = 0;
    const id = await ctx.page.evaluate(() => T.reconnect('personio:CBNMt7dSNCzBdnRTx87dev4E', { initBody: { language: 'de' } }));
    await ctx.post({ type: 'success', data: { activation_token: 'act_from_flow' } });
    const r = await ctx.result(id);
    assert.equal(r.state, 'resolved', JSON.stringify(r.error));
    assert.equal(r.value.activation.id, 'personio:CBNMt7dSNCzBdnRTx87dev4E');
    assert.deepEqual(kombo.map((k) => k.path), ['relink', 'integration-by-token']);
    assert.deepEqual(kombo[0].body, { language: 'de' });
    const other = await fetch(`${origin}/integrations/kombo/relink`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ integration_id: 'personio:someone-elses' }),
    });
    assert.equal(other.status, 404);
    await assertClean(ctx);
  } finally {
    await ctx.page.close();
  }
});
