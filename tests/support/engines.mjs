// The three browser engines, driven over WebDriver (selenium-webdriver):
// Chromium (chromedriver), Firefox ESR (geckodriver) and WebKitGTK
// (WebKitWebDriver, under Xvfb: WebKitGTK has no headless mode). Playwright
// can only drive its own Firefox and WebKit builds, which this network
// cannot download, so the suites written for it run on Chromium and the
// cross-engine suite (tests/engines.test.mjs) runs here, on all three.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { freePort } from './server.mjs';
import { until } from './wait.mjs';
import { Builder } from 'selenium-webdriver';
import chrome from 'selenium-webdriver/chrome.js';
import firefox from 'selenium-webdriver/firefox.js';

const which = (cmd) => {
  try {
    return execFileSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
};
const MINIBROWSER = ['/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser', '/usr/lib/aarch64-linux-gnu/webkit2gtk-4.1/MiniBrowser']
  .find((p) => existsSync(p));

/** Each engine, with why it cannot run here (`missing`) or how to start it. */
export const ENGINES = [
  {
    name: 'chromium',
    missing: !which('chromedriver') && 'chromedriver',
    async start() {
      const options = new chrome.Options().addArguments('--headless=new', '--no-sandbox', '--disable-gpu', '--window-size=1280,900');
      const binary = which('chromium') ?? which('google-chrome');
      if (binary) options.setChromeBinaryPath(binary);
      const service = new chrome.ServiceBuilder(which('chromedriver'));
      return { driver: await new Builder().forBrowser('chrome').setChromeOptions(options).setChromeService(service).build() };
    },
  },
  {
    name: 'firefox',
    missing: (!which('geckodriver') && 'geckodriver') || (!which('firefox-esr') && !which('firefox') && 'firefox'),
    async start() {
      const options = new firefox.Options().addArguments('-headless', '--width=1280', '--height=900')
        .setBinary(which('firefox-esr') ?? which('firefox'));
      const service = new firefox.ServiceBuilder(which('geckodriver'));
      return { driver: await new Builder().forBrowser('firefox').setFirefoxOptions(options).setFirefoxService(service).build() };
    },
  },
  {
    name: 'webkit',
    missing: (!which('WebKitWebDriver') && 'WebKitWebDriver') || (!which('xvfb-run') && 'xvfb-run') || (!MINIBROWSER && 'MiniBrowser'),
    async start() {
      const port = await freePort();
      const server = spawn('xvfb-run', ['-a', '-s', '-screen 0 1280x1024x24', 'WebKitWebDriver', `--port=${port}`], { stdio: 'ignore', detached: true });
      await waitForPort(port, 20_000);
      const driver = await new Builder().usingServer(`http://127.0.0.1:${port}`).withCapabilities({
        browserName: 'MiniBrowser',
        'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] },
      }).build();
      return { driver, stop: () => { try { process.kill(-server.pid); } catch { /* gone */ } } };
    },
  },
];

/** The browser's own version string, for the report. */
export async function browserVersion(driver) {
  const caps = await driver.getCapabilities();
  return `${caps.getBrowserName()} ${caps.getBrowserVersion()}`;
}

/**
 * Runs `fn(...args)` in the page (it may return a Promise) and returns its
 * value; what it throws comes back as an Error here.
 */
export async function inPage(driver, fn, ...args) {
  const result = await driver.executeAsyncScript(`
    const done = arguments[arguments.length - 1];
    const args = Array.prototype.slice.call(arguments, 0, -1);
    Promise.resolve().then(() => (${fn})(...args)).then(
      (value) => done({ value: value === undefined ? null : value }),
      (error) => done({ error: String(error && error.stack || error) }),
    );`, ...args);
  if (result.error) throw new Error(`in the page: ${result.error}`);
  return result.value;
}

function waitForPort(port, ms) {
  // Refused until the driver listens.
  const answers = () => fetch(`http://127.0.0.1:${port}/status`).then((res) => res.ok, () => false);
  return until(answers, `WebKitWebDriver answering on port ${port}`, ms);
}
