// Waiting from Node for something a page or a server does, always with a
// deadline: a wait that fails names what never happened instead of running
// into the test runner's time-out.

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Resolves once `check()` (sync or async) is truthy; rejects naming `what`
 * after `ms`. The deadline is generous on purpose: it only decides how
 * long a failing test takes, never whether a passing one passes on a busy
 * machine.
 */
export async function until(check, what, ms = 10_000) {
  for (const deadline = Date.now() + ms; !(await check());) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(10);
  }
}
