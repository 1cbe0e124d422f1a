parent.postMessage({ type: 'success', data: { activation_token: 'bench_token' } }, '*');
