// The floor for any SDK that loads its code on first use, as issue 9 asks
// of ours: the reference itself, its ES module fetched by import() on the
// first call. One small request and nothing to compile; ours fetches the
// runtime and the .wasm there, then instantiates.
window.SDK = { showKomboConnect: (...args) => import('/ref/index.mjs').then((ref) => ref.showKomboConnect(...args)) };
if (new URLSearchParams(location.search).has('cold')) window.B.coldCall();
