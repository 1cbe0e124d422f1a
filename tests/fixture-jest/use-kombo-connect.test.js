// A React app's unit test, as written in a stock Jest + jsdom project: the
// component uses the package's hook, the test swaps the package for its
// test double. The hook's own entry must load under require() and reach
// the same (mocked) package.
jest.mock('kombo-connect-wasm', () => require('kombo-connect-wasm/testing'));

const { createElement, act } = require('react');
const { createRoot } = require('react-dom/client');
const { useKomboConnect } = require('kombo-connect-wasm/react');
const { komboConnectTest } = require('kombo-connect-wasm/testing');

globalThis.IS_REACT_ACT_ENVIRONMENT = true;

// The app under test: a Connect button that shows how the run went.
function ConnectHris() {
  const { status, result, start } = useKomboConnect('HRIS');
  return createElement('div', null,
    createElement('button', { onClick: start }, 'Connect'),
    createElement('p', null, status === 'connected' ? `connected: ${result.activation.tool}` : status));
}

async function render() {
  const host = document.body.appendChild(document.createElement('div'));
  const root = createRoot(host);
  await act(async () => root.render(createElement(ConnectHris)));
  return { host, root };
}

// The double settles in a later task, as the real flow does: wait for the
// text as Testing Library's waitFor would, letting React render in between.
async function textBecomes(el, expected, ms = 5000) {
  for (const end = Date.now() + ms; el.textContent !== expected && Date.now() < end;) {
    await act(() => new Promise((resolve) => setTimeout(resolve, 10)));
  }
  expect(el.textContent).toBe(expected);
}

afterEach(() => komboConnectTest.reset());

test('the hook connects through the test double', async () => {
  komboConnectTest.nextOutcome({ type: 'success', token: 'tok_1', activation: { tool: 'personio' } });
  const { host, root } = await render();
  await act(async () => host.querySelector('button').click());
  await textBecomes(host.querySelector('p'), 'connected: personio');
  expect(komboConnectTest.calls).toMatchObject([{ fn: 'connect', category: 'HRIS' }]);
  await act(async () => root.unmount());
});

test('a cancelled run is not an error', async () => {
  komboConnectTest.nextOutcome({ type: 'cancel' });
  const { host, root } = await render();
  await act(async () => host.querySelector('button').click());
  await textBecomes(host.querySelector('p'), 'cancelled');
  await act(async () => root.unmount());
});
