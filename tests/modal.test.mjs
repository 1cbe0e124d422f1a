// Issue 6, point 5: while the flow is open the page behind it cannot take
// the keyboard or scroll, and afterwards it is exactly as it was. Each
// behaviour is checked on the reference too, which does none of it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertClean, openPage } from './support/page.mjs';
import { openSession } from './support/session.mjs';

let session;
before(async () => {
  // Classic scrollbars, so that hiding one would shift the page.
  session = await openSession(undefined, { scrollbars: true });
});
after(() => session?.close());

async function withPage(impl, fn) {
  const ctx = await openPage(session, impl);
  // The .wasm loaded, so that each call acts at once (what the idle warm-up gives a real page).
  await ctx.page.evaluate(() => SDK.prefetch?.());
  try {
    // A long page, scrolled, with its own inline overflow-y and one element
    // the app had made inert itself.
    await ctx.page.evaluate(() => {
      const tall = document.createElement('div');
      tall.style.height = '3000px';
      const mine = document.createElement('div');
      mine.id = 'already-inert';
      mine.inert = true;
      document.body.append(tall, mine);
      document.documentElement.style.overflowY = 'scroll';
      scrollTo(0, 600);
    });
    await fn(ctx);
  } finally {
    await ctx.page.close();
  }
}

/** What the page behind the flow looks like at its next frame. */
const pageState = (ctx) => ctx.page.evaluate(async () => (await new Promise((r) => requestAnimationFrame(r)), {
  inert: [...document.body.children].filter((el) => el.inert).map((el) => el.id || el.tagName),
  htmlStyle: document.documentElement.style.cssText,
  overflow: getComputedStyle(document.documentElement).overflowY,
  scrollY,
  width: document.body.getBoundingClientRect().width,
}));

for (const impl of ['esm', 'global']) {
  test(`on document.body: the rest of the page is inert and does not scroll or shift; all restored after (${impl})`, () =>
    withPage(impl, async (ctx) => {
      const before = await pageState(ctx);
      assert.deepEqual(before.inert, ['already-inert']);
      assert.ok(await ctx.page.evaluate(() => innerWidth - document.documentElement.clientWidth) > 0, 'no scrollbar to compensate');
      const id = await ctx.open();
      const during = await pageState(ctx);
      assert.deepEqual(during.inert, ['H1', 'connect', 'DIV', 'already-inert'], 'page content still focusable');
      assert.equal(during.overflow, 'hidden');
      assert.equal(during.scrollY, 600, 'the page jumped');
      assert.equal(during.width, before.width, 'the page shifted sideways (scrollbar width not compensated)');
      await ctx.post({ type: 'close' });
      await ctx.result(id);
      assert.deepEqual(await pageState(ctx), before);
      // The app's own `inert` stays; assertClean counts any.
      await ctx.page.evaluate(() => { document.getElementById('already-inert').inert = false; });
      await assertClean(ctx);
    }));
}

test('the reference leaves the page behind the flow focusable and scrollable', () =>
  withPage('ref', async (ctx) => {
    const id = await ctx.open();
    const during = await pageState(ctx);
    assert.deepEqual(during.inert, ['already-inert']);
    assert.equal(during.overflow, 'scroll');
    await ctx.post({ type: 'close' });
    await ctx.result(id);
  }));

test("Tab cannot reach the page behind the flow", () =>
  withPage('esm', async (ctx) => {
    await ctx.page.focus('#connect');
    const id = await ctx.page.evaluate((url) => T.open(url), `${session.servers.flow}/hang`);
    const focused = [];
    for (let i = 0; i < 4; i++) {
      await ctx.page.keyboard.press('Tab');
      focused.push(await ctx.page.evaluate(() => {
        const el = document.activeElement;
        return el.closest('[data-kombo-connect]') ? 'overlay' : el.tagName;
      }));
    }
    assert.ok(focused.every((f) => ['overlay', 'IFRAME', 'BODY'].includes(f)), `focus reached the page: ${focused}`);
    await ctx.page.click('[data-kombo-connect] button');
    await ctx.result(id);
    assert.equal(await ctx.page.evaluate(() => document.activeElement.id), 'connect', 'focus did not come back');
  }));

test("with a container the caller's own modal keeps its focus trap: nothing is made inert", () =>
  withPage('esm', async (ctx) => {
    await ctx.page.evaluate(() => T.container());
    const id = await ctx.open(undefined, 'container-0');
    const during = await pageState(ctx);
    assert.deepEqual(during.inert, ['already-inert']);
    assert.equal(during.overflow, 'hidden', 'scroll is locked either way: the flow covers the viewport');
    await ctx.post({ type: 'close' });
    await ctx.result(id);
    assert.equal((await pageState(ctx)).overflow, 'scroll');
  }));

/**
 * The page's own modal, made of divs with a script focus trap as MUI,
 * Radix and the focus-trap package make them: focus leaving it is pulled
 * back, on `focusin` elsewhere and by a timer. The flow opened from it
 * must keep the keyboard: a trap that wins leaves the user unable to type
 * in the flow.
 */
const scriptTrap = (ctx) => ctx.page.evaluate(() => {
  const modal = document.createElement('div');
  modal.id = 'library-modal';
  modal.setAttribute('role', 'dialog');
  modal.tabIndex = -1;
  const button = modal.appendChild(document.createElement('button'));
  button.id = 'from-modal';
  button.textContent = 'Connect';
  document.body.append(modal);
  const pull = () => { if (!modal.contains(document.activeElement)) modal.focus(); };
  document.addEventListener('focusin', (event) => { if (!modal.contains(event.target)) modal.focus(); });
  modal.addEventListener('focusout', (event) => { if (event.relatedTarget && !modal.contains(event.relatedTarget)) button.focus(); });
  window.trapTimer = setInterval(pull, 50);
  button.focus();
});

for (const impl of ['ref', 'esm', 'global']) {
  test(`opened from a modal with a script focus trap, the flow keeps the keyboard (${impl})`, () =>
    withPage(impl, async (ctx) => {
      await scriptTrap(ctx);
      const id = await ctx.open();
      const frame = await ctx.flowFrame();
      await frame.evaluate(() => { document.body.insertAdjacentHTML('beforeend', '<input id="company">'); });
      const size = ctx.page.viewportSize();
      await ctx.page.mouse.click(size.width / 2, size.height / 2);
      await frame.focus('#company');
      await ctx.page.keyboard.type('Acme', { delay: 60 });
      const seen = {
        typed: await frame.evaluate(() => document.getElementById('company').value),
        focus: await ctx.page.evaluate(() => document.activeElement?.tagName),
      };
      await ctx.post({ type: 'close' });
      await ctx.result(id);
      await ctx.page.evaluate(() => clearInterval(window.trapTimer));
      if (impl === 'ref') {
        assert.notDeepEqual(seen, { typed: 'Acme', focus: 'IFRAME' }, 'the reference was expected to lose the keyboard to the trap');
      } else {
        assert.deepEqual(seen, { typed: 'Acme', focus: 'IFRAME' });
        assert.equal(await ctx.page.evaluate(() => document.activeElement.id), 'from-modal', 'focus did not come back');
      }
    }));
}

for (const impl of ['esm', 'global']) {
  test(`what the page adds to <body> while the flow is open (a toast in a new portal) is inert too, and let go after (${impl})`, () =>
    withPage(impl, async (ctx) => {
      const id = await ctx.open();
      await ctx.flowFrame();
      const toast = () => ctx.page.evaluate(async () => {
        await new Promise((r) => setTimeout(r, 50)); // past the observer's delivery
        const el = document.getElementById('toast');
        return { inert: el.inert, reachable: !el.querySelector('button').closest('[inert]') };
      });
      await ctx.page.evaluate(() => {
        const portal = document.createElement('div');
        portal.id = 'toast';
        portal.innerHTML = '<p>Saved</p><button>Undo</button>';
        document.body.append(portal);
      });
      assert.deepEqual(await toast(), { inert: true, reachable: false }, 'Tab out of the flow reaches the toast');
      await ctx.post({ type: 'close' });
      await ctx.result(id);
      assert.deepEqual(await toast(), { inert: false, reachable: true }, 'the toast stays inert after the flow');
    }));
}
