// A customer's unit test, as written in a stock Jest + jsdom project: the
// app imports the real package, the test swaps in its test double.
jest.mock('kombo-connect-wasm', () => require('kombo-connect-wasm/testing'));

const { showKomboConnect, KomboConnectCancelledError } = require('kombo-connect-wasm');
const { komboConnectTest } = require('kombo-connect-wasm/testing');

// The app under test: a button that connects and reports what happened.
function connectButton(link) {
  const button = document.createElement('button');
  const status = document.createElement('p');
  button.addEventListener('click', async () => {
    try {
      status.textContent = `connected: ${await showKomboConnect(link)}`;
    } catch (error) {
      status.textContent = error instanceof KomboConnectCancelledError ? 'cancelled' : `error: ${error.message}`;
    }
  });
  document.body.append(button, status);
  return { button, status };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

test('a finished flow shows the token', async () => {
  const { button, status } = connectButton('https://connect.kombo.dev/v1?token=t');
  button.click();
  await settle();
  expect(status.textContent).toBe('connected: test_activation_token');
  expect(komboConnectTest.calls.at(-1)).toMatchObject({ fn: 'showKomboConnect', url: 'https://connect.kombo.dev/v1?token=t' });
});

test('a cancelled flow says so', async () => {
  komboConnectTest.nextOutcome({ type: 'cancel' });
  const { button, status } = connectButton('https://connect.kombo.dev/v1?token=t');
  button.click();
  await settle();
  expect(status.textContent).toBe('cancelled');
});

test('the real package loads under require() too', () => {
  const real = jest.requireActual('kombo-connect-wasm');
  expect(typeof real.showKomboConnect).toBe('function');
  expect(real.KomboConnectCancelledError.name).toBe('KomboConnectCancelledError');
});

test('the real package in jsdom (no fetch, no idle callbacks): its warm-up fails quietly, and a call rejects instead of throwing', async () => {
  const real = jest.requireActual('kombo-connect-wasm');
  await new Promise((resolve) => setTimeout(resolve, 100)); // past the warm-up's timer
  let call;
  expect(() => { call = real.showKomboConnect('https://connect.kombo.dev/v1?token=t'); }).not.toThrow();
  await expect(call).rejects.toBeInstanceOf(real.KomboConnectLoadError);
});
