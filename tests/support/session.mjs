// What every browser test file sets up: the three local origins and one
// Chromium, plus a place to leave the tables it measured.
import { mkdirSync, writeFileSync } from 'node:fs';
import { launch } from './browser.mjs';
import { startServers } from './server.mjs';

/** Starts the servers (see server.mjs) and Chromium; `close()` stops both. */
export async function openSession(extraMounts, browserOptions) {
  const servers = await startServers(extraMounts);
  const browser = await launch(browserOptions);
  return {
    servers,
    browser,
    close: async () => {
      await browser.close();
      await servers.close();
    },
  };
}

/** Prints `text` and saves it as tests/out/`name`, where `make test` shows it from. */
export function writeReport(name, text) {
  const dir = new URL('../out/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL(name, dir), text + '\n');
  console.log('\n' + text);
}
