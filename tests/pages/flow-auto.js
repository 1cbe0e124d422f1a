// `?auto=success&token=…` or `?auto=close`: the mock flow answers by itself
// once loaded, for drivers that cannot run script inside a frame (the
// cross-engine suite). Deferred: WebKit drops a message posted by a frame
// in the same turn as its load, when the answer removes that frame.
const params = new URLSearchParams(location.search);
const auto = params.get('auto');
if (auto) {
  addEventListener('load', () => setTimeout(() => {
    parent.postMessage(auto === 'success' ? { type: 'success', data: { activation_token: params.get('token') ?? 'auto' } } : { type: auto }, '*');
  }, Number(params.get('after') ?? 50)));
}
