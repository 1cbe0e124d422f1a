// Loaded before the SDK on every bench page. Records when the first iframe
// appears (for cold start) and offers the measurement loops that
// bench/run.mjs calls with page.evaluate. No SDK internals are touched:
// every implementation is measured the same way, from the outside.
(() => {
  const params = new URLSearchParams(location.search);
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const settle = async () => { await sleep(30); await new Promise((r) => requestAnimationFrame(() => r())); };

  // ?noidle: a page whose idle callbacks never come, so that our idle
  // warm-up does not start before the cold click (on a classic-script page
  // the browser is idle between the load event and the first paint). The
  // reference uses none.
  if (params.has('noidle')) window.requestIdleCallback = () => 0;

  new MutationObserver((_, observer) => {
    if (document.querySelector('iframe')) {
      window.__iframeAt = performance.now();
      observer.disconnect();
      console.debug('bench:iframe');
    }
  }).observe(document, { childList: true, subtree: true });

  // The page's first contentful paint, when a person first sees it and can
  // click: bench/run.mjs waits for it before the cold click. A classic-script
  // page's load event comes before it (a module script's page usually
  // paints while its module loads).
  new PerformanceObserver((list, observer) => {
    if (!list.getEntriesByName('first-contentful-paint').length) return;
    observer.disconnect();
    console.debug('bench:painted');
  }).observe({ type: 'paint', buffered: true });

  let inserted = null; // durations of the iframe insertions in one open (warmSplit)

  /**
   * `n` warm opens with `sdk`, each in a new container closed by removing
   * it: call → return timed, and `sample(ms, container)` makes of it what
   * is kept.
   */
  async function timedOpens(sdk, link, n, sample) {
    const out = [];
    for (let i = 0; i < n; i++) {
      const container = document.createElement('div');
      document.body.append(container);
      const t0 = performance.now();
      const p = sdk.showKomboConnect(link, { container });
      out.push(sample(performance.now() - t0, container));
      container.remove();
      await p.catch(() => {});
      await settle();
    }
    return out;
  }

  const sdkFor = (impl) => (impl ? window.SDKS[impl] : window.SDK);

  window.B = {
    /** Cold start: call as soon as the SDK and a <body> are there. */
    coldCall() {
      const call = () => {
        window.__callAt = performance.now();
        window.SDK.showKomboConnect(params.get('link')).catch(() => {});
      };
      if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', call);
      else call();
    },

    /** Click at load: the first click anywhere opens the flow. */
    clickToOpen() {
      document.addEventListener('click', (event) => {
        window.__clickAt = event.timeStamp;
        window.SDK.showKomboConnect(params.get('link')).catch(() => {});
      }, { once: true });
    },

    /**
     * Loads everything (our runtime and .wasm) and warms the JIT: five
     * opens, each given 20 ms, since on a fresh page ours inserts its first
     * iframe only once its runtime has arrived.
     */
    async warmUp(link, impl) {
      const sdk = sdkFor(impl);
      for (let i = 0; i < 5; i++) {
        const container = document.createElement('div');
        document.body.append(container);
        const p = sdk.showKomboConnect(link, { container });
        await sleep(20);
        container.remove();
        await p.catch(() => {});
      }
    },

    /**
     * Call → iframe in the DOM, `n` times, closing each by removing its
     * container; with `window.SDKS[impl]` on a page that has them all
     * (all.html).
     */
    warm(link, n, impl) {
      return timedOpens(sdkFor(impl), link, n, (ms, container) => {
        if (!container.querySelector('iframe')) throw new Error('iframe not in the DOM when the call returned');
        return ms;
      });
    },

    /**
     * Warm opens, each split in two: the iframe's insertion into the page
     * (the browser creating the frame, the same work whichever SDK asks for
     * it) and the rest of the call, the SDK's own work. The split wraps this
     * page's DOM insertion methods for good: call it on a page of its own.
     */
    warmSplit(link, n, impl) {
      if (!inserted) {
        inserted = [];
        for (const [proto, name] of [[Node.prototype, 'insertBefore'], [Node.prototype, 'appendChild'], [Element.prototype, 'append']]) {
          const insert = proto[name];
          proto[name] = function (...args) {
            if (!(args[0] instanceof HTMLIFrameElement)) return insert.apply(this, args);
            const t0 = performance.now();
            try {
              return insert.apply(this, args);
            } finally {
              inserted.push(performance.now() - t0);
            }
          };
        }
      }
      return timedOpens(sdkFor(impl), link, n, (ms) => {
        if (inserted.length !== 1) throw new Error(`${inserted.length} iframe insertions in one open`);
        const insertion = inserted.pop();
        return { own: ms - insertion, insertion };
      });
    },

    /** Call → token, against a flow page that posts success as soon as it runs. */
    async flow(link, n) {
      const out = [];
      for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        const token = await window.SDK.showKomboConnect(link);
        out.push(performance.now() - t0);
        if (token !== 'bench_token') throw new Error(`unexpected token ${token}`);
        await settle();
      }
      return out;
    },

    /** Open/close cycles through a container, as fast as they settle. */
    async cycles(link, n) {
      for (let i = 0; i < n; i++) {
        const container = document.createElement('div');
        document.body.append(container);
        const p = window.SDK.showKomboConnect(link, { container });
        await Promise.resolve();
        container.remove();
        await p.catch(() => {});
      }
      return document.querySelectorAll('iframe').length;
    },

    /** connectHris() (ours) or the guide's snippet, fixed (any SDK): init → flow → activate. */
    async glue(kind, n) {
      const out = [];
      for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        if (kind === 'connectHris') {
          await window.SDK.connectHris();
        } else {
          const init = await fetch('/integrations/kombo/init', {
            method: 'POST', headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ integration_category: 'HRIS' }),
          });
          const { link } = await init.json();
          const token = await window.SDK.showKomboConnect(link);
          await fetch('/integrations/kombo/activate', {
            method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token }),
          }).then((r) => r.json());
        }
        out.push(performance.now() - t0);
        await settle();
      }
      return out;
    },
  };
  if (params.has('click')) window.B.clickToOpen();
})();
