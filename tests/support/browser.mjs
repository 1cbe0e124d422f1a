// Launches Debian's Chromium through playwright-core (no browser download).
import { chromium } from 'playwright-core';
import { existsSync } from 'node:fs';

const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/**
 * `scrollbars: true` keeps classic scrollbars, which Playwright hides in
 * headless mode by default; the scroll-lock test needs one to measure.
 */
export function launch({ scrollbars = false } = {}) {
  const executablePath = candidates.find((p) => p && existsSync(p));
  if (!executablePath) throw new Error('Chromium not found: run `make tools` or set CHROMIUM_PATH.');
  return chromium.launch({
    executablePath,
    ignoreDefaultArgs: scrollbars ? ['--hide-scrollbars'] : [],
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/** Number of `message` listeners on `window`, as DevTools sees them. */
export async function messageListeners(page) {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { result } = await cdp.send('Runtime.evaluate', { expression: 'window' });
    const { listeners } = await cdp.send('DOMDebugger.getEventListeners', { objectId: result.objectId });
    return listeners.filter((l) => l.type === 'message').length;
  } finally {
    await cdp.detach();
  }
}
