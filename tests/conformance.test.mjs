// Conformance suite: the same scenarios in headless Chromium against
// @kombo-api/connect 1.3.0 (its UMD build) and against our pkg/, as an ES
// module and as the classic global script.
//
// "parity" rows are the reference's contract: all three must pass.
// "fix" rows are the reference's bugs: ours must pass, and the reference must
// fail, which proves each row really detects the bug it is named after.
// The side-by-side table is printed and written to tests/out/conformance.md.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertClean, openPage } from './support/page.mjs';
import { openSession, writeReport } from './support/session.mjs';
import { sleep } from './support/wait.mjs';

const IMPLS = [
  { id: 'ref', label: 'reference 1.3.0', ours: false },
  { id: 'esm', label: 'ours, ES module', ours: true },
  { id: 'global', label: 'ours, global script', ours: true },
];

let session;
let servers;

/**
 * The flow opened from a button in a modal <dialog>, in the light DOM or
 * inside an open shadow root: it must be on top, clickable and focused, and
 * the dialog must come back as it was, focus on that button.
 */
function modalDialogRow({ id, title, inShadowRoot }) {
  return {
    id,
    title,
    kind: 'fix',
    async run(ctx) {
      await ctx.page.evaluate((inShadowRoot) => {
        const dialog = document.createElement('dialog');
        const button = document.createElement('button');
        button.id = 'from-dialog';
        button.textContent = 'Connect';
        dialog.append(button);
        const host = document.createElement('div');
        document.body.append(inShadowRoot ? host : dialog);
        if (inShadowRoot) host.attachShadow({ mode: 'open' }).append(dialog);
        window.settings = { dialog, root: inShadowRoot ? host.shadowRoot : document };
        dialog.showModal();
        button.focus();
      }, inShadowRoot);
      const call = await ctx.open();
      const frame = await ctx.flowFrame();
      const top = await ctx.page.evaluate(() => document.elementFromPoint(innerWidth / 2, innerHeight / 2)?.tagName);
      assert.equal(top, 'IFRAME', 'something is drawn over the flow');
      await frame.evaluate(() => { window.clicks = 0; addEventListener('click', () => window.clicks++); });
      const size = ctx.page.viewportSize();
      await ctx.page.mouse.click(size.width / 2, size.height / 2);
      assert.equal(await frame.evaluate(() => window.clicks), 1, 'a click does not reach the flow');
      await ctx.page.waitForFunction(() => document.activeElement?.tagName === 'IFRAME', null, { timeout: 2000 })
        .catch(() => assert.fail('focus not in the flow'));
      await ctx.post({ type: 'close' });
      assert.ok((await ctx.result(call)).error?.isCancelled);
      const after = await ctx.page.evaluate(() => {
        const { dialog, root } = window.settings;
        return { open: dialog.open, modal: dialog.matches(':modal'), inert: dialog.inert, focus: root.activeElement?.id, ours: document.querySelectorAll('[data-kombo-connect]').length };
      });
      assert.deepEqual(after, { open: true, modal: true, inert: false, focus: 'from-dialog', ours: 0 });
    },
  };
}

/**
 * Opens the flow on the page as it is, checks that it is exactly the
 * viewport and drawn over everything (at the top left corner and at the
 * bottom edge), and closes it. `label` names the page's case in a failure.
 */
async function assertFlowCoversViewport(ctx, label) {
  const call = await ctx.open();
  await ctx.flowFrame();
  const f = await ctx.page.evaluate(() => {
    const r = document.querySelector('iframe').getBoundingClientRect();
    return {
      rect: [r.left, r.top, r.width, r.height].map(Math.round),
      viewport: [0, 0, document.documentElement.clientWidth, document.documentElement.clientHeight],
      drawn: [document.elementFromPoint(5, 5)?.tagName, document.elementFromPoint(innerWidth / 2, innerHeight - 5)?.tagName],
    };
  });
  assert.deepEqual(f.rect, f.viewport, `${label}: the flow does not cover the viewport`);
  assert.deepEqual(f.drawn, ['IFRAME', 'IFRAME'], `${label}: something is drawn over the flow`);
  await ctx.post({ type: 'close' });
  assert.ok((await ctx.result(call)).error?.isCancelled);
}

const SCENARIOS = [
  {
    id: 'iframe-matches-reference',
    title: 'Iframe: same src (+sdkv=1.3.0), sandbox, allow, fixed full-viewport, on top, in body',
    kind: 'parity',
    async run(ctx) {
      await ctx.open(ctx.flowUrl('?token=abc&lang=de#step'));
      await ctx.page.waitForSelector('iframe');
      const f = await ctx.page.evaluate(() => {
        const el = document.querySelector('iframe');
        const cs = getComputedStyle(el);
        const r = el.getBoundingClientRect();
        return {
          src: el.getAttribute('src'), sandbox: el.getAttribute('sandbox'), allow: el.getAttribute('allow'),
          transparent: el.getAttribute('allowtransparency'), position: cs.position, z: Number(cs.zIndex),
          covers: r.left <= 0 && r.top <= 0 && r.right >= innerWidth && r.bottom >= innerHeight,
          parent: el.parentElement === document.body,
        };
      });
      assert.equal(f.src, ctx.flowUrl('?token=abc&lang=de&sdkv=1.3.0#step'));
      assert.equal(f.sandbox, 'allow-scripts allow-downloads allow-same-origin allow-top-navigation allow-forms allow-popups allow-pointer-lock allow-popups-to-escape-sandbox');
      assert.equal(f.allow, 'clipboard-read; clipboard-write');
      assert.equal(f.transparent, 'true');
      assert.equal(f.position, 'fixed');
      assert.ok(f.z >= 2147483647, `z-index ${f.z}`);
      assert.ok(f.covers, 'iframe does not cover the viewport');
      assert.ok(f.parent, 'iframe is not a child of document.body');
    },
  },
  {
    id: 'iframe-again',
    title: "A second flow gets a new iframe, the same as the first's but for the src of its own link",
    kind: 'parity',
    async run(ctx) {
      const read = () => ctx.page.evaluate(() => {
        const el = document.querySelector('iframe');
        const cs = getComputedStyle(el);
        const attributes = Object.fromEntries([...el.attributes].map((a) => [a.name, a.name === 'style' ? el.style.cssText : a.value]));
        const again = el === window.first;
        window.first = el;
        return { attributes, again, computed: [cs.position, cs.zIndex, cs.width, cs.height, cs.borderTopWidth] };
      });
      const one = await ctx.open(ctx.flowUrl('?token=one'));
      await ctx.flowFrame();
      const first = await read();
      await ctx.post({ type: 'close' });
      assert.ok((await ctx.result(one)).error?.isCancelled);
      const two = await ctx.open(ctx.flowUrl('?token=two'));
      await ctx.flowFrame();
      const second = await read();
      assert.equal(second.again, false, 'the first iframe came back');
      assert.equal(second.attributes.src, ctx.flowUrl('?token=two&sdkv=1.3.0'));
      assert.deepEqual({ ...second.attributes, src: 'same' }, { ...first.attributes, src: 'same' });
      assert.deepEqual(second.computed, first.computed);
      await ctx.post({ type: 'close' });
      assert.ok((await ctx.result(two)).error?.isCancelled);
    },
  },
  {
    id: 'iframe-edge-to-edge',
    title: 'Iframe has no border: exactly the viewport, no 2px bevel along its top and left edges',
    kind: 'fix',
    async run(ctx) {
      await ctx.open();
      await ctx.page.waitForSelector('iframe');
      const f = await ctx.page.evaluate(() => {
        const el = document.querySelector('iframe');
        const r = el.getBoundingClientRect();
        return { border: getComputedStyle(el).borderTopWidth, rect: [r.left, r.top, r.width, r.height], viewport: [0, 0, document.documentElement.clientWidth, document.documentElement.clientHeight] };
      });
      assert.equal(f.border, '0px');
      assert.deepEqual(f.rect, f.viewport);
    },
  },
  {
    id: 'body-holds-fixed',
    title: 'A page whose <html> or <body> has a transform, filter, will-change or containment: the flow still covers the viewport, on top and clickable',
    kind: 'fix',
    async run(ctx) {
      // Each makes that element the containing block of position: fixed
      // elements, so a fixed iframe in <body> takes the body's box instead.
      for (const [element, css] of [['body', 'transform: translateZ(0)'], ['body', 'filter: saturate(1.1)'],
        ['body', 'will-change: transform'], ['body', 'contain: paint'], ['html', 'filter: saturate(1.1)']]) {
        await ctx.page.evaluate(([element, css]) => { document.querySelector(element).style.cssText = css; }, [element, css]);
        await assertFlowCoversViewport(ctx, `${element} { ${css} }`);
        await ctx.page.evaluate((element) => { document.querySelector(element).style.cssText = ''; }, element);
      }
    },
  },
  {
    id: 'page-element-styles',
    title: "A page's own style sheet for iframe and dialog elements (a margin, a centring transform, a maximum size) does not move or shrink the flow",
    kind: 'fix',
    async run(ctx) {
      // Rules written for the page's own embeds and modals, as themes and
      // component libraries write them; the flow must not inherit them.
      await ctx.page.evaluate(() => {
        const sheet = document.head.appendChild(document.createElement('style'));
        sheet.textContent = `
          iframe { margin: 24px; max-height: 300px; transform: scale(.8); }
          dialog { position: absolute; top: 50%; left: 50%; transform: translate(-50%, -50%); max-width: 500px; padding: 2rem; }`;
        window.settings = { dialog: document.body.appendChild(document.createElement('dialog')) };
      });
      for (const where of ['on the body', 'from a modal dialog']) {
        if (where === 'from a modal dialog') await ctx.page.evaluate(() => window.settings.dialog.showModal());
        await assertFlowCoversViewport(ctx, where);
      }
      await ctx.page.evaluate(() => window.settings.dialog.close());
    },
  },
  {
    id: 'page-pointer-events-none',
    title: "Opened while the page's own modal has set pointer-events: none on <body> (Radix UI's Dialog, so shadcn/ui's): the flow takes clicks",
    kind: 'fix',
    async run(ctx) {
      // Radix keeps the page behind its dialog from pointer events that
      // way; the property is inherited, and the flow's iframe is a child
      // of the body like any other.
      await ctx.page.evaluate(() => { document.body.style.pointerEvents = 'none'; });
      const call = await ctx.open();
      const frame = await ctx.flowFrame();
      await frame.waitForLoadState('load');
      await frame.evaluate(() => { window.clicks = 0; document.addEventListener('click', () => window.clicks++); });
      const size = ctx.page.viewportSize();
      await ctx.page.mouse.click(size.width / 2, size.height / 2);
      const reached = await frame.waitForFunction(() => window.clicks > 0, null, { timeout: 2000 }).then(() => true, () => false);
      assert.ok(reached, 'a click on the flow did not reach it');
      await ctx.post({ type: 'close' });
      assert.ok((await ctx.result(call)).error?.isCancelled);
      await ctx.page.evaluate(() => { document.body.style.pointerEvents = ''; });
    },
  },
  {
    id: 'dark-page-sees-through',
    title: 'On a page in dark mode (color-scheme: dark), the flow stays transparent: the page shows through around it',
    kind: 'fix',
    async run(ctx) {
      // A light flow in an iframe whose color-scheme is dark gets an
      // opaque canvas from the browser: the page behind turns into a white
      // screen. The mock flow, like Kombo's, has a transparent background.
      const page = [40, 90, 160];
      await ctx.page.evaluate((rgb) => {
        document.documentElement.style.colorScheme = 'dark';
        document.body.style.background = `rgb(${rgb})`;
      }, page);
      const call = await ctx.open();
      await ctx.flowFrame();
      await ctx.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      const size = ctx.page.viewportSize();
      assert.deepEqual(await ctx.pixel(size.width - 10, size.height - 10), page, 'the page does not show through the flow');
      await ctx.post({ type: 'close' });
      assert.ok((await ctx.result(call)).error?.isCancelled);
    },
  },
  {
    id: 'body-replaced',
    title: 'A page that replaces its <body> while the flow is open (Turbo Drive, a back-button restoration): the call settles, the page scrolls again, and the next call opens',
    kind: 'fix',
    async run(ctx) {
      const call = await ctx.open();
      await ctx.flowFrame();
      await ctx.page.evaluate(() => {
        const next = document.createElement('body');
        next.innerHTML = '<h1>Next page</h1><button id="connect">Connect HRIS</button>';
        document.body = next;
      });
      const first = await ctx.result(call, 2000);
      assert.equal(first.state, 'rejected', 'the call never settled');
      assert.equal(await ctx.page.evaluate(() => getComputedStyle(document.documentElement).overflowY), 'visible', 'the page is still locked');
      const next = await ctx.open();
      await ctx.flowFrame();
      await ctx.post({ type: 'success', data: { activation_token: 'after_swap' } });
      assert.deepEqual(await ctx.result(next), { state: 'resolved', value: 'after_swap' });
    },
  },
  {
    id: 'container-option',
    title: 'options.container receives the iframe',
    kind: 'parity',
    async run(ctx) {
      await ctx.page.evaluate(() => T.container());
      await ctx.open(undefined, 'container-0');
      await ctx.page.waitForSelector('#container-0 > iframe');
    },
  },
  {
    id: 'success-resolves',
    title: '{type:"success"} resolves with the activation token and cleans up',
    kind: 'parity',
    async run(ctx) {
      const id = await ctx.open();
      await ctx.post({ type: 'success', data: { activation_token: 'tok_123' } });
      assert.deepEqual(await ctx.result(id), { state: 'resolved', value: 'tok_123' });
      await assertClean(ctx);
    },
  },
  {
    id: 'close-rejects',
    title: '{type:"close"} rejects with KomboConnectCancelledError (instanceof, name) and cleans up',
    kind: 'parity',
    async run(ctx) {
      const id = await ctx.open();
      await ctx.post({ type: 'close' });
      const r = await ctx.result(id);
      assert.equal(r.state, 'rejected');
      assert.equal(r.error.name, 'KomboConnectCancelledError');
      assert.ok(r.error.isCancelled && r.error.isError);
      await assertClean(ctx);
    },
  },
  {
    id: 'unknown-type-ignored',
    title: 'Unknown message types are ignored',
    kind: 'parity',
    async run(ctx) {
      const id = await ctx.open();
      await ctx.post({ type: 'ready' });
      assert.ok(await ctx.pendingFor(id, 100));
      await ctx.post({ type: 'success', data: { activation_token: 'tok' } });
      assert.equal((await ctx.result(id)).value, 'tok');
    },
  },
  {
    id: 'other-window-ignored',
    title: 'Messages not from the iframe\'s window are ignored',
    kind: 'parity',
    async run(ctx) {
      const id = await ctx.open();
      await ctx.flowFrame();
      await ctx.page.evaluate(() => window.postMessage({ type: 'success', data: { activation_token: 'forged' } }, '*'));
      assert.ok(await ctx.pendingFor(id, 100));
      await ctx.post({ type: 'success', data: { activation_token: 'real' } });
      assert.equal((await ctx.result(id)).value, 'real');
    },
  },
  {
    id: 'already-open',
    title: 'A second call while open rejects with KomboConnectAlreadyOpenError',
    kind: 'parity',
    async run(ctx) {
      await ctx.open();
      await ctx.page.waitForSelector('iframe');
      const r = await ctx.result(await ctx.open());
      assert.equal(r.state, 'rejected');
      assert.equal(r.error.name, 'KomboConnectAlreadyOpenError');
      assert.ok(r.error.isAlreadyOpen && r.error.isError);
      assert.equal(await ctx.iframes(), 1);
    },
  },
  {
    id: 'detached-container',
    title: 'A detached container rejects ("must be attached"), no iframe',
    kind: 'parity',
    async run(ctx) {
      await ctx.page.evaluate(() => { window.detached = T.container(false); document.body.append(window.detached); window.detached.remove(); window.detached.id = 'gone'; });
      const id = await ctx.page.evaluate((url) => T.open(url, { container: window.detached }), ctx.flowUrl());
      const r = await ctx.result(id);
      assert.equal(r.state, 'rejected');
      assert.match(r.error.message, /must be attached/);
      assert.equal(await ctx.iframes(), 0);
    },
  },
  {
    id: 'container-removed',
    title: 'Removing the container while open rejects with KomboConnectCancelledError',
    kind: 'parity',
    async run(ctx) {
      await ctx.page.evaluate(() => T.container());
      const id = await ctx.open(undefined, 'container-0');
      await ctx.page.waitForSelector('#container-0 > iframe');
      await ctx.page.evaluate(() => document.getElementById('container-0').remove());
      const r = await ctx.result(id);
      assert.equal(r.state, 'rejected');
      assert.ok(r.error.isCancelled);
    },
  },
  {
    id: 'strict-csp',
    title: "Works under script-src 'self' 'wasm-unsafe-eval'; style-src 'self' (no unsafe-inline/eval)",
    kind: 'parity',
    csp: 'strict',
    async run(ctx) {
      const id = await ctx.open();
      await ctx.post({ type: 'success', data: { activation_token: 'csp' } });
      assert.equal((await ctx.result(id)).value, 'csp');
      assert.deepEqual(await ctx.page.evaluate(() => T.violations), []);
    },
  },
  {
    id: 'trusted-types',
    title: "Works with Trusted Types enforced (require-trusted-types-for 'script', no policy)",
    kind: 'parity',
    csp: 'trusted-types',
    async run(ctx) {
      const id = await ctx.open();
      await ctx.post({ type: 'close' });
      assert.ok((await ctx.result(id)).error?.isCancelled);
      const again = await ctx.open();
      await ctx.post({ type: 'success', data: { activation_token: 'tt' } });
      assert.equal((await ctx.result(again)).value, 'tt');
      assert.deepEqual(await ctx.page.evaluate(() => T.violations), []);
      assert.deepEqual(ctx.errors, []);
      // Last, since it reports a violation: the header really is enforced: a string into a script sink throws.
      assert.ok(await ctx.page.evaluate(() => {
        try { document.createElement('script').textContent = '1'; return false; } catch { return true; }
      }), 'Trusted Types not enforced on the test page');

    },
  },
  {
    id: 'same-origin-link-refused',
    title: "A link on the page's own origin (its frame could remove its own sandbox) is refused with a TypeError, no iframe",
    kind: 'fix',
    async run(ctx) {
      const own = new URL('/pages/flow.html', ctx.page.url()).href;
      const r = await ctx.result(await ctx.open(own), 1000);
      assert.equal(r.state, 'rejected');
      assert.equal(r.error.name, 'TypeError');
      assert.match(r.error.message, /own origin/);
      assert.equal(await ctx.iframes(), 0);
    },
  },
  {
    id: 'shadow-dom-container',
    title: 'A container in a shadow root works; removing it inside the shadow tree, or the host outside it, cancels at once',
    kind: 'fix',
    async run(ctx) {
      const inShadow = () => ctx.page.evaluate((url) => {
        const host = document.createElement('div');
        document.body.append(host);
        const root = host.attachShadow({ mode: 'closed' });
        const wrapper = document.createElement('section');
        const container = document.createElement('div');
        wrapper.append(container);
        root.append(wrapper);
        window.shadow = { host, root, wrapper };
        return T.open(url, { container });
      }, ctx.flowUrl());
      const first = await inShadow();
      await ctx.post({ type: 'success', data: { activation_token: 'shadow' } });
      assert.equal((await ctx.result(first)).value, 'shadow');
      // Removed inside the shadow tree.
      const second = await inShadow();
      await ctx.flowFrame();
      await ctx.page.evaluate(() => window.shadow.wrapper.remove());
      const r2 = await ctx.result(second, 1000);
      assert.equal(r2.state, 'rejected', 'removal inside the shadow tree not seen');
      assert.ok(r2.error.isCancelled);
      // The host removed from the light DOM.
      const third = await inShadow();
      await ctx.flowFrame();
      await ctx.page.evaluate(() => window.shadow.host.remove());
      const r3 = await ctx.result(third, 1000);
      assert.equal(r3.state, 'rejected', 'removal of the host not seen');
      assert.ok(r3.error.isCancelled);
    },
  },
  {
    id: 'two-copies-one-flow',
    title: 'Two copies of the SDK on one page (two bundles, or script tag and module) open one flow, not two',
    kind: 'fix',
    async run(ctx) {
      // A second, separate copy: another URL, so its own module instance
      // (and, for ours, its own WebAssembly instance).
      await ctx.page.evaluate(async (impl) => {
        if (impl === 'ref') {
          const first = window.KomboConnect;
          await new Promise((ok, fail) => {
            const s = Object.assign(document.createElement('script'), { src: '/ref/index.js?copy=2', onload: ok, onerror: fail });
            document.head.append(s);
          });
          window.SDK2 = window.KomboConnect;
          window.KomboConnect = first;
        } else {
          window.SDK2 = await import('/pkg-copy/index.js');
        }
      }, ctx.impl);
      const other = (url) => ctx.page.evaluate((url) => Promise.race([
        window.SDK2.showKomboConnect(url).then(() => 'resolved', (e) => e.name),
        new Promise((r) => setTimeout(() => r('pending: a second flow opened'), 1000)),
      ]), url);
      const id = await ctx.open();
      await ctx.page.waitForSelector('iframe');
      assert.equal(await other(ctx.flowUrl()), 'KomboConnectAlreadyOpenError');
      assert.equal(await ctx.iframes(), 1);
      await ctx.post({ type: 'close' });
      assert.ok((await ctx.result(id)).error?.isCancelled);
      // Free again for either copy.
      const second = ctx.page.evaluate((url) => { window.p2 = window.SDK2.showKomboConnect(url).then((t) => t, (e) => e.name); }, ctx.flowUrl());
      await second;
      await ctx.page.waitForSelector('iframe');
      assert.equal((await ctx.result(await ctx.open(), 1000)).error?.name, 'KomboConnectAlreadyOpenError');
      await ctx.post({ type: 'success', data: { activation_token: 'copy' } });
      assert.equal(await ctx.page.evaluate(() => window.p2), 'copy');
    },
  },
  modalDialogRow({
    id: 'modal-dialog-top-layer',
    title: 'Opened from a modal <dialog>: the flow is on top, clickable and focused; the dialog comes back as it was',
    inShadowRoot: false,
  }),
  // A design system's dialog: a native <dialog>, shown modally, inside its
  // element's shadow root, where document.querySelector does not look.
  modalDialogRow({
    id: 'modal-dialog-in-shadow-root',
    title: 'Opened from a modal <dialog> inside a web component (open shadow root): the flow is on top, clickable and focused; the dialog comes back as it was',
    inShadowRoot: true,
  }),
  {
    id: 'csp-without-wasm',
    title: "Works under script-src 'self' with no 'wasm-unsafe-eval' (the JavaScript build), Trusted Types enforced",
    kind: 'parity',
    csp: 'no-wasm-tt',
    async run(ctx) {
      const id = await ctx.open();
      await ctx.post({ type: 'close' });
      assert.ok((await ctx.result(id)).error?.isCancelled);
      const again = await ctx.open();
      await ctx.post({ type: 'success', data: { activation_token: 'no-wasm' } });
      assert.equal((await ctx.result(again)).value, 'no-wasm');
      assert.deepEqual(ctx.errors, []);
    },
  },
  {
    id: 'invalid-url-recovers',
    title: 'An invalid URL rejects and the SDK stays usable',
    kind: 'fix',
    async run(ctx) {
      const bad = await ctx.result(await ctx.open('not a url'));
      assert.equal(bad.state, 'rejected');
      const id = await ctx.open();
      await ctx.post({ type: 'success', data: { activation_token: 'after' } });
      assert.equal((await ctx.result(id)).value, 'after');
    },
  },
  {
    id: 'unsafe-links-refused',
    title: 'javascript:, data: and non-loopback http: links are refused, no iframe',
    kind: 'fix',
    async run(ctx) {
      for (const url of ["javascript:parent.postMessage({type:'success',data:{activation_token:'x'}},'*')",
        'data:text/html,<h1>phish</h1>', 'http://connect.example.com/']) {
        const r = await ctx.result(await ctx.open(url), 1000);
        assert.equal(r.state, 'rejected', url);
        assert.equal(await ctx.iframes(), 0, `iframe created for ${url}`);
      }
    },
  },
  {
    id: 'malformed-messages-ignored',
    title: 'null, strings, {type:"toString"|"constructor"}, tokenless success are ignored silently',
    kind: 'fix',
    async run(ctx) {
      const id = await ctx.open();
      for (const bad of [null, 'success', { type: 'toString' }, { type: 'constructor' }, { type: 'success' },
        { type: 'success', data: { activation_token: 42 } }]) {
        await ctx.post(bad);
      }
      await sleep(100);
      assert.deepEqual(ctx.errors, [], 'the listener threw');
      assert.equal((await ctx.page.evaluate((id) => T.calls[id], id)).state, 'pending', 'settled by a malformed message');
      await ctx.post({ type: 'success', data: { activation_token: 'tok' } });
      assert.deepEqual(await ctx.result(id), { state: 'resolved', value: 'tok' });
    },
  },
  {
    id: 'navigated-origin-ignored',
    title: 'After the iframe navigates to another origin, its messages are ignored',
    kind: 'fix',
    async run(ctx) {
      const id = await ctx.open();
      const frame = await ctx.flowFrame();
      const elsewhere = `${servers.elsewhere}/pages/flow.html`;
      await Promise.all([frame.waitForNavigation(), frame.evaluate((u) => { location.href = u; }, elsewhere)]);
      await ctx.post({ type: 'success', data: { activation_token: 'stolen' } }, servers.elsewhere);
      assert.ok(await ctx.pendingFor(id, 200), 'accepted a token from another origin');
      await ctx.page.evaluate(() => document.querySelector('iframe').remove());
      assert.equal((await ctx.result(id)).state, 'rejected');
    },
  },
  {
    id: 'removed-iframe-cancels',
    title: 'Page removes the iframe (no container): rejects with Cancelled, next call works',
    kind: 'fix',
    async run(ctx) {
      const id = await ctx.open();
      await ctx.page.waitForSelector('iframe');
      await ctx.page.evaluate(() => document.querySelector('iframe').remove());
      const r = await ctx.result(id, 1000);
      assert.equal(r.state, 'rejected', 'never settled');
      assert.ok(r.error.isCancelled);
      const next = await ctx.open();
      await ctx.page.waitForSelector('iframe', { timeout: 1000 });
      assert.equal((await ctx.page.evaluate((id) => T.calls[id], next)).state, 'pending');
    },
  },
  {
    id: 'no-leaks-1000-cycles',
    title: '1,000 open/close cycles leave no iframe, message listener or MutationObserver',
    kind: 'fix',
    async run(ctx) {
      const r = await ctx.page.evaluate((url) => T.cycles(url, 1000), ctx.flowUrl());
      assert.deepEqual(r, { done: 1000 });
      await assertClean(ctx);
    },
  },
  {
    id: 'a11y-title-focus',
    title: 'Iframe has a title; focus moves into the flow and back to the button on close',
    kind: 'fix',
    async run(ctx) {
      await ctx.page.focus('#connect');
      const id = await ctx.open();
      await ctx.page.waitForSelector('iframe');
      assert.ok(await ctx.page.evaluate(() => document.querySelector('iframe').title), 'no title');
      await ctx.flowFrame(); // focus moves in once the flow has loaded
      await ctx.page.waitForFunction(() => document.activeElement === document.querySelector('iframe'), null, { timeout: 1000 })
        .catch(() => assert.fail('focus not in the flow'));
      await ctx.post({ type: 'close' });
      await ctx.result(id);
      assert.equal(await ctx.page.evaluate(() => document.activeElement.id), 'connect');
    },
  },
];

const results = new Map(); // scenario id -> impl id -> { ok, error }

before(async () => {
  session = await openSession();
  ({ servers } = session);
});

after(async () => {
  await session?.close();
  writeReport('conformance.md', renderTable());
});

for (const scenario of SCENARIOS) {
  for (const impl of IMPLS) {
    const expectPass = scenario.kind === 'parity' || impl.ours;
    const name = `${scenario.kind}: ${scenario.id} [${impl.id}] ${expectPass ? 'passes' : 'reproduces the bug'}`;
    test(name, { timeout: 60_000 }, async () => {
      const ctx = await openPage(session, impl.id, { csp: scenario.csp });
      let outcome;
      try {
        await scenario.run(ctx);
        outcome = { ok: true };
      } catch (error) {
        outcome = { ok: false, error };
      } finally {
        await ctx.page.close();
      }
      if (!results.has(scenario.id)) results.set(scenario.id, {});
      results.get(scenario.id)[impl.id] = outcome;
      if (expectPass && !outcome.ok) throw outcome.error;
      if (!expectPass) assert.ok(!outcome.ok, 'the reference passed a "fix" row: the scenario does not detect the bug');
    });
  }
}

function renderTable() {
  const head = `| Behaviour | Kind | ${IMPLS.map((i) => i.label).join(' | ')} |`;
  const rule = `|---|---|${IMPLS.map(() => ':---:').join('|')}|`;
  const rows = SCENARIOS.map((s) => {
    const cells = IMPLS.map((i) => {
      const r = results.get(s.id)?.[i.id];
      return r === undefined ? 'not run' : r.ok ? 'pass' : 'FAIL';
    });
    // Markdown: a `|` in a title would end its cell, a `<dialog>` would be a tag.
    const title = s.title.replace(/\|/g, '\\|').replace(/</g, '&lt;');
    return `| ${title} | ${s.kind === 'parity' ? 'parity' : 'reference bug'} | ${cells.join(' | ')} |`;
  });
  return [head, rule, ...rows].join('\n');
}
