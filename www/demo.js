// The settings page of the demo: two buttons that run connect() against
// this server's back-end routes, a status line, and the signed-in
// organization's integrations, each with a Reconnect button (reconnect()).
// The organization can be switched in the top bar (the server signed this
// visit in as the first one). Plain DOM, no framework, no innerHTML
// (strict CSP).
window.startDemo = function startDemo(sdk) {
  const status = document.getElementById('status');
  const list = document.getElementById('integrations');
  const empty = document.getElementById('empty');
  const buttons = [...document.querySelectorAll('button[data-category]')];
  const names = { HRIS: 'HR system', ATS: 'applicant tracking system' };
  const tools = {
    personio: 'Personio', bamboohr: 'BambooHR', hibob: 'HiBob', workday: 'Workday',
    greenhouse: 'Greenhouse', lever: 'Lever', workable: 'Workable', teamtailor: 'Teamtailor',
  };
  const toolName = (id) => tools[id] || id;
  let stored = [];
  // The origin the back-end's links must be on (the mock flow here, Kombo's
  // own in production); connect() refuses links from anywhere else.
  const config = fetch('/demo/config.json').then((r) => r.json()).catch(() => ({}));
  const flowOptions = async () => ({ flowOrigin: (await config).flow_origin });

  // One plain sentence for people, and the SDK's technical message below it
  // for whoever opens a support ticket.
  function say(kind, text, detail) {
    status.dataset.kind = kind;
    status.replaceChildren(text);
    if (detail) status.append(el('small', { className: 'detail', textContent: detail }));
  }

  function el(tag, props = {}, ...children) {
    const node = Object.assign(document.createElement(tag), props);
    node.append(...children);
    return node;
  }

  /** GET a JSON route of this server; throws on an error answer. */
  async function get(path) {
    const response = await fetch(path);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return response.json();
  }

  async function refresh() {
    try {
      // The list comes in pages: follow them (an organization has a few).
      const integrations = [];
      let page = await get('/integrations');
      integrations.push(...page.integrations);
      while (page.next) {
        page = await get(`/integrations?after=${encodeURIComponent(page.next)}`);
        integrations.push(...page.integrations);
      }
      stored = integrations;
      list.replaceChildren(...integrations.map(row));
      empty.hidden = integrations.length > 0;
    } catch (error) {
      say('error', `Could not load your integrations: ${error.message}`);
    }
  }

  function row(integration) {
    const again = el('button', { type: 'button', className: 'link', textContent: 'Reconnect' });
    again.addEventListener('click', () => reconnect(integration, again));
    const remove = el('button', { type: 'button', className: 'link', textContent: 'Remove' });
    remove.addEventListener('click', async () => {
      remove.disabled = true;
      const response = await fetch(`/integrations/${encodeURIComponent(integration.id)}`, { method: 'DELETE' });
      if (response.ok) say('idle', `Removed ${toolName(integration.tool)}.`);
      else say('error', `Could not remove ${toolName(integration.tool)} (HTTP ${response.status}).`);
      await refresh();
    });
    const when = new Date(integration.connected_at * 1000).toLocaleString();
    return el('li', { className: 'integration' },
      el('span', { className: 'tool', textContent: toolName(integration.tool) }),
      el('span', { className: 'meta', textContent: `${integration.id} · connected ${when}` }),
      el('span', { className: 'badge', textContent: (integration.setup_status || 'unknown').toLowerCase() }),
      el('span', { className: 'row-actions' }, again, remove));
  }

  /** Runs `run()` with every SDK button busy, and says how it went. */
  async function busy(run, done, category) {
    // Busy, not disabled: focus comes back to the button when the flow closes.
    if (running) return;
    running = true;
    const all = document.querySelectorAll('button[data-category], .integration button, #status button');
    all.forEach((b) => b.setAttribute('aria-busy', 'true'));
    try {
      await done(await run());
    } catch (error) {
      // The back-end refuses a second integration of a category the
      // organization has (HTTP 409): offer to reconnect the one it has.
      if (category && error instanceof sdk.KomboConnectRequestError && error.status === 409) await offerReconnect(category, error);
      else explain(error);
    } finally {
      running = false;
      all.forEach((b) => b.setAttribute('aria-busy', 'false'));
    }
  }

  function reconnect(integration) {
    const name = toolName(integration.tool);
    say('busy', `Opening Kombo Connect to reconnect ${name}…`);
    return busy(async () => sdk.reconnect(integration.id, await flowOptions()), async () => {
      say('success', `Reconnected ${name}.`);
      await refresh();
    });
  }

  let running = false;
  function connect(category) {
    say('busy', `Opening Kombo Connect for your ${names[category]}…`);
    return busy(async () => sdk.connect(category, await flowOptions()), async ({ activation }) => {
      say('success', `Connected ${toolName(activation.tool)}. It is listed below.`);
      await refresh();
    }, category);
  }

  async function offerReconnect(category, error) {
    await refresh();
    const existing = stored.find((i) => i.category === category);
    if (!existing) return explain(error);
    const name = toolName(existing.tool);
    const again = el('button', { type: 'button', className: 'secondary', textContent: `Reconnect ${name}` });
    again.addEventListener('click', () => reconnect(existing));
    say('warning', `Your ${names[category]} is already connected: ${name}. Connecting a second one would duplicate it; reconnect it instead if it stopped syncing.`);
    status.append(again);
  }

  function explain(error) {
    if (error instanceof sdk.KomboConnectCancelledError) {
      say('idle', 'Cancelled. Nothing was connected.');
    } else if (error instanceof sdk.KomboConnectRequestError) {
      const step = error.stage === 'init' ? 'start the connection' : 'save the connection';
      const why = error.status ? `the server answered with an error (HTTP ${error.status})` : 'the server could not be reached';
      say('error', `Could not ${step}: ${why}. Please try again in a moment.`, error.message);
    } else if (error instanceof sdk.KomboConnectLoadError) {
      const why = { csp: 'this page does not allow it to be shown', replaced: 'something on this page closed it', sdk: 'its files did not load' }[error.reason] ?? 'it did not load in time';
      say('error', `Kombo Connect could not open: ${why}. Please try again in a moment.`, error.message);
    } else {
      say('error', 'Something went wrong. Please try again.', error.message);
    }
  }

  const organization = document.getElementById('organization');
  const email = document.getElementById('email');
  function signedIn({ organization: current, organizations }) {
    organization.replaceChildren(...organizations.map((o) => el('option', { value: o.id, textContent: o.name })));
    organization.value = current.id;
    email.textContent = current.email;
  }
  organization.addEventListener('change', async () => {
    const response = await fetch('/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ organization_id: organization.value }),
    });
    if (!response.ok) return say('error', `Could not switch organization (HTTP ${response.status}).`);
    signedIn(await response.json());
    say('idle', `Signed in as ${organization.selectedOptions[0].textContent}.`);
    await refresh();
  });

  buttons.forEach((b) => b.addEventListener('click', () => connect(b.dataset.category)));
  get('/session').then(signedIn, (error) => say('error', `Not signed in: ${error.message}. Reload the page.`));
  refresh();
};
