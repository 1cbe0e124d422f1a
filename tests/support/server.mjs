// A static file server for the browser tests, listening on three ports of
// 127.0.0.1 so that the test has three real origins: the app page, the
// Connect flow, and "elsewhere" (where a hijacked flow navigates to).
import { createServer } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { readFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(import.meta.url), '../../..');
const mounts = {
  '/ref/': join(root, 'node_modules/@kombo-api/connect/dist/'),
  '/pkg/': join(root, 'pkg/'),
  // The same files at another URL: a second, separate copy of the SDK.
  '/pkg-copy/': join(root, 'pkg/'),
  '/pages/': join(root, 'tests/pages/'),
};
/** Content types by extension, as these servers send them. */
export const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
};

/**
 * Starts the three origins. Returns `{ app, flow, elsewhere, requests, routes, close }`
 * where each origin is like `http://127.0.0.1:PORT`, and `requests` lists
 * every request (path, method, headers, body) to check what a page
 * downloaded or sent, and when. `extraMounts` adds directories, e.g.
 * `{ '/fixture/': dir }`. `routes` maps a path to `(req, res, body) => …`
 * and plays the customer's back-end; tests set and replace its entries.
 * `/hang` never answers (a flow page that never loads); `close()` drops
 * such open connections. A URL with `?isolated` is served cross-origin
 * isolated (COOP, COEP, CORP), which gives a page `performance.now()` at
 * microsecond resolution instead of 100 µs: the benchmark's warm open is a
 * few milliseconds. (Frames in such a page need `?isolated` too.)
 */
export async function startServers(extraMounts = {}) {
  const all = { ...mounts, ...extraMounts };
  const requests = [];
  const routes = { '/hang': () => {} };
  const origins = {};
  const handler = async (req, res) => {
    if (new URL(req.url, 'http://x').searchParams.has('isolated')) {
      res.setHeader('cross-origin-opener-policy', 'same-origin');
      res.setHeader('cross-origin-embedder-policy', 'require-corp');
      res.setHeader('cross-origin-resource-policy', 'cross-origin');
    }
    const url = new URL(req.url, 'http://x');
    const record = { origin: `http://${req.headers.host}`, path: url.pathname, method: req.method, headers: req.headers, at: Date.now() };
    requests.push(record);
    const route = routes[url.pathname];
    if (route) {
      const chunks = [];
      for await (const chunk of req) chunks.push(chunk);
      record.body = Buffer.concat(chunks).toString('utf8');
      return route(req, res, record.body);
    }
    const mount = Object.keys(all).find((m) => url.pathname.startsWith(m));
    if (!mount) return send(res, 404, 'not found');
    const file = normalize(join(all[mount], url.pathname.slice(mount.length) || 'index.html'));
    if (!file.startsWith(all[mount])) return send(res, 403, 'forbidden');
    let body;
    try {
      body = await readFile(file);
    } catch {
      return send(res, 404, 'not found');
    }
    const headers = { 'content-type': types[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' };
    const csp = url.searchParams.get('csp');
    if (['strict', 'trusted-types', 'no-frames', 'no-wasm', 'no-wasm-tt'].includes(csp) && extname(file) === '.html') {
      // What the README tells customers to allow, and nothing more; with
      // Trusted Types enforced and no policy allowed on top for 'trusted-types'.
      // 'no-wasm': a policy that does not allow WebAssembly, as the reference's
      // README never needed to ask for it.
      const noWasm = csp.startsWith('no-wasm');
      headers['content-security-policy'] = [
        "default-src 'none'",
        noWasm ? "script-src 'self'" : "script-src 'self' 'wasm-unsafe-eval'",
        "style-src 'self'",
        "connect-src 'self'",
        // 'no-frames': a page whose policy was written before it embedded Kombo Connect.
        csp === 'no-frames' ? "frame-src 'self'" : `frame-src ${origins.flow}`,
        ...(csp === 'trusted-types' || csp === 'no-wasm-tt' ? ["require-trusted-types-for 'script'", "trusted-types 'none'"] : []),
      ].join('; ');
    }
    if (csp === 'nonce' && extname(file) === '.html') {
      // A strict CSP as web.dev recommends it: every script carries the
      // response's nonce, and 'strict-dynamic' trusts what they load.
      const nonce = randomBytes(16).toString('base64');
      headers['content-security-policy'] = [
        `script-src 'nonce-${nonce}' 'strict-dynamic' 'wasm-unsafe-eval'`,
        "object-src 'none'", "base-uri 'none'",
        `frame-src ${origins.flow}`,
      ].join('; ');
      body = String(body).replaceAll('<script', `<script nonce="${nonce}"`);
    }
    res.writeHead(200, headers).end(body);
  };
  const servers = [];
  for (const name of ['app', 'flow', 'elsewhere']) {
    const server = createServer(handler);
    await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
    servers.push(server);
    origins[name] = `http://127.0.0.1:${server.address().port}`;
  }
  return {
    ...origins,
    requests,
    routes,
    close: () => Promise.all(servers.map((s) => new Promise((ok) => { s.closeAllConnections(); s.close(ok); }))),
  };
}

function send(res, status, text) {
  res.writeHead(status, { 'content-type': 'text/plain' }).end(text);
}

/** A TCP port on 127.0.0.1 that nothing listens on, for a server of a tool's own. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createTcpServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
    s.on('error', reject);
  });
}
