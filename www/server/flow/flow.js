// The mock Connect flow's only script: the two messages of the real
// protocol, posted to the page that framed us.
const post = (message) => window.parent.postMessage(message, '*');

for (const button of document.querySelectorAll('[data-close]')) {
  button.addEventListener('click', () => post({ type: 'close' }));
}
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape') post({ type: 'close' });
});

const form = document.querySelector('form[data-token]');
if (form) {
  const error = form.querySelector('.error');
  const submit = form.querySelector('button[type=submit]');
  form.querySelector('input[name=tool]:not([type=hidden]), input[name=api_key]')?.focus();
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    const label = submit.textContent;
    submit.textContent = label === 'Reconnect' ? 'Reconnecting…' : 'Connecting…';
    error.hidden = true;
    try {
      const response = await fetch('/connect/complete', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ token: form.dataset.token, tool: new FormData(form).get('tool') }),
      });
      const answer = await response.json();
      if (!response.ok) throw new Error(answer.error || `HTTP ${response.status}`);
      post({ type: 'success', data: { activation_token: answer.activation_token } });
    } catch (e) {
      error.textContent = `Could not connect: ${e.message}`;
      error.hidden = false;
      submit.disabled = false;
      submit.textContent = label;
    }
  });
}
