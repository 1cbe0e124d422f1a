// Assembles pkg/ (the npm package) from wasm-pack's output.
//
// wasm-pack gives us the .wasm and wasm-bindgen's ES module glue. A page
// needs more than that: a small entry that loads the rest lazily
// (js/index.js, built twice: ES module and classic script), the runtime it
// loads (js/runtime.js with the glue), and the types. esbuild bundles and
// minifies them, and a current wasm-opt (npm `binaryen`) shrinks the .wasm.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const raw = join(root, 'target/wasm-pack');
const out = join(root, 'pkg');
const crate = readFileSync(join(root, 'Cargo.toml'), 'utf8');
const version = crate.match(/^version = "(.+)"/m)[1];

rmSync(out, { recursive: true, force: true });
mkdirSync(out);

// wasm-bindgen names every import and export like
// `__wbg_setAttribute_f75317b2b5cabfb4`, and each name is stored twice, in
// the .wasm and in the glue. wasm-opt renames them to one or two letters and
// prints the mapping, which we apply to the glue (the README's size table
// has the saving). The tests all run against this output.
const wasmOpt = (input, output) => JSON.parse(execFileSync(join(root, 'node_modules/.bin/wasm-opt'), [
  // GUFA then -Oz twice: smaller than one -Oz on this crate; more rounds
  // or other passes gained nothing more.
  '--gufa', '-Oz', '-Oz', '--strip-debug', '--strip-producers',
  // True of every instance of this module, which defines its own memory
  // (the fresh instance after a panic included), and lets wasm-opt drop
  // zero-initialisation and fold low addresses.
  '--zero-filled-memory', '--low-memory-unused',
  // wasm-opt reads the features rustc used from the module itself.
  '--detect-features',
  '--minify-imports-and-exports-and-modules',
  input, '-o', output,
], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }));
const mapping = wasmOpt(join(raw, 'kombo_connect_wasm_bg.wasm'), join(out, 'kombo_connect_wasm_bg.wasm'));
const glueModule = join(root, 'target/kombo_connect_wasm.min.js');
writeFileSync(glueModule, refuseStaleClosures(minifyGlueNames(readFileSync(join(raw, 'kombo_connect_wasm.js'), 'utf8'), mapping)));

// The JavaScript build of the same Rust, for pages whose CSP refuses to
// compile WebAssembly (no 'wasm-unsafe-eval'): the MVP build (`make pkg`
// makes it with -Z build-std, see the Makefile) through wasm2js, behind the
// same glue and the same js/runtime.js. The loader fetches it only there.
const rawMvp = join(root, 'target/wasm-pack-mvp');
const mvpWasm = join(root, 'target/kombo_connect_wasm_mvp.wasm');
const mvpMapping = wasmOpt(join(rawMvp, 'kombo_connect_wasm_bg.wasm'), mvpWasm);
const asmModule = join(root, 'target/kombo_connect_wasm_asm.js');
execFileSync(join(root, 'node_modules/.bin/wasm2js'), [mvpWasm, '-Oz', '-o', asmModule], { stdio: 'inherit' });
writeFileSync(asmModule, asmFuncModule(readFileSync(asmModule, 'utf8')));
const jsGlueModule = join(root, 'target/kombo_connect_wasm_js.min.js');
writeFileSync(jsGlueModule, instantiateWithAsmFunc(refuseStaleClosures(minifyGlueNames(readFileSync(join(rawMvp, 'kombo_connect_wasm.js'), 'utf8'), mvpMapping))));

/**
 * wasm2js writes a module that imports its imports and instantiates itself
 * once. We want the factory (`asmFunc(imports)`), so the glue can pass its
 * imports, and call it again for a fresh instance after a panic.
 *
 * It also fixes wasm2js' memory growth: it copies memory into a new buffer
 * and leaves the old one attached, while wasm-bindgen's glue renews its
 * cached views only once the old buffer is detached, so after a growth Rust
 * would read stale bytes. Growing by `ArrayBuffer.prototype.transfer`
 * detaches the old buffer (with a copy and a transfer to a MessagePort where
 * it is missing).
 */
function asmFuncModule(js) {
  const imports = /^import \* as a from 'a';\n/m;
  const instantiate = /\nvar retasmFunc = asmFunc\([\s\S]*$/;
  const grow = /var newBuffer = new ArrayBuffer\(([^;]+)\);\s*var newHEAP8 = new Int8Array\(newBuffer\);\s*newHEAP8\.set\(HEAP8\);/;
  for (const pattern of [imports, instantiate, grow]) {
    if (!pattern.test(js)) throw new Error(`unexpected wasm2js output: no ${pattern}`);
  }
  return js.replace(imports, '').replace(instantiate, '\nexport { asmFunc };\n')
    .replace(grow, (_, size) => `var newBuffer = growBuffer(buffer, ${size});`)
    + `
function growBuffer(old, size) {
  if (old.transfer) return old.transfer(size);
  const grown = new ArrayBuffer(size);
  new Int8Array(grown).set(new Int8Array(old));
  new MessageChannel().port1.postMessage(old, [old]); // detaches it, in every browser
  return grown;
}
`;
}

/** The glue, instantiating `asmFunc` where it would compile the .wasm. */
function instantiateWithAsmFunc(glue) {
  const reinit = 'new WebAssembly.Instance(wasmModule, __wbg_get_imports())';
  const exported = 'export { initSync, __wbg_init as default };';
  if (!glue.includes(reinit) || !glue.includes(exported)) throw new Error('unexpected wasm-bindgen glue: no reinit or exports');
  return `import { asmFunc } from ${JSON.stringify(asmModule)};\n`
    + glue.replace(reinit, '{ exports: asmFunc(__wbg_get_imports()) }').replace(exported, `
// The runtime's start: the same instance as from a .wasm, made by wasm2js' factory.
async function __wbg_init_asm() {
  return wasm !== undefined ? wasm : __wbg_finalize_init({ exports: asmFunc(__wbg_get_imports()) }, null);
}
export { __wbg_init_asm as default };`);
}

// After a panic, src/panic.rs schedules a fresh instance, which the glue
// creates on the next call into Rust, closures included. A closure of the
// old instance that fires first (a Promise callback of a request that was
// in flight) would pass the glue's instance check, trigger the reset, and
// then run with the old instance's pointers in the new one. So a closure
// whose instance is gone, or about to be, does nothing: its flow was torn
// down with that instance, and throwing would only put an uncaught error
// in the page's console.
function refuseStaleClosures(glue) {
  const check = 'if (state.instance !== __wbg_instance_id) {';
  if (!glue.includes(check) || !glue.includes('let __wbg_reinit_scheduled')) {
    throw new Error('unexpected wasm-bindgen glue: no closure instance check or reinit flag');
  }
  const stale = /if \(state\.instance !== __wbg_instance_id\) \{\s*throw new Error\('Cannot invoke closure from previous WASM instance'\);\s*\}/g;
  const patched = glue.replace(stale, 'if (state.instance !== __wbg_instance_id || __wbg_reinit_scheduled) return;');
  if (patched.includes(check)) throw new Error('unexpected wasm-bindgen glue: closure instance check not patched');
  return patched;
}

function minifyGlueNames(glue, { imports, exports }) {
  const bg = './kombo_connect_wasm_bg.js';
  if (!glue.includes(`"${bg}": import0`)) throw new Error('unexpected wasm-bindgen glue: no import0');
  const rename = (text, pattern, to) => {
    const next = text.replace(pattern, () => to); // a function: `$` in a name is literal
    if (next === text) throw new Error(`wasm-bindgen glue has no ${pattern}`);
    return next;
  };
  // wasm-opt moves every import into one module, "a". Functions the glue
  // imports straight from a snippet (js/host.js) join import0 there.
  const fromSnippets = [];
  for (const [module, name, short] of imports) {
    if (module === bg) {
      glue = rename(glue, new RegExp(`\\b${name}:`, 'g'), `${short}:`);
      continue;
    }
    const ns = glue.match(new RegExp(`import \\* as (\\w+) from "${module.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"`));
    if (!ns) throw new Error(`wasm-bindgen glue does not import ${module}`);
    fromSnippets.push(`${JSON.stringify(short)}: ${ns[1]}.${name}`);
  }
  glue = rename(glue, `"${bg}": import0`, `"a": Object.assign(import0, { ${fromSnippets.join(', ')} })`);
  glue = glue.replace(/^\s*"\.\/snippets\/[^"]+": import\d+,\n/gm, '');
  for (const [name, short] of exports) {
    if (glue.includes(`wasm.${name}`)) glue = rename(glue, new RegExp(`\\bwasm\\.${name}\\b`, 'g'), `wasm.${short}`);
  }
  return glue;
}

// The glue imports its snippets (js/errors.js, js/host.js) from copies
// wasm-pack made; point them back at the originals, so that the runtime
// entry and the glue share one module of each.
const resolveLocal = {
  name: 'resolve-local',
  setup(b) {
    b.onResolve({ filter: /\/snippets\/.*\/js\/[a-z]+\.js$/ }, (a) => ({ path: join(root, 'js', a.path.split('/').pop()) }));
    b.onResolve({ filter: /^\.\/kombo_connect_wasm\.js$/ }, () => ({ path: glueModule }));
  },
};
const common = {
  bundle: true,
  minify: true,
  target: 'es2020',
  plugins: [resolveLocal],
  legalComments: 'none',
  logLevel: 'warning',
};
// The runtime, loaded by both entries with import(). The entry that loads
// it has defined the error classes on their page-wide key (js/errors.js),
// so the runtime takes them from there instead of carrying a second copy.
// errors.js ends with `export const { ...names } = (globalThis[KEY] ??= define());`;
// the runtime keeps that line without the `define()` fallback.
const classesFromPage = {
  name: 'classes-from-page',
  setup(b) {
    b.onLoad({ filter: /\/js\/errors\.js$/ }, ({ path }) => {
      const source = readFileSync(path, 'utf8');
      const key = source.match(/^const KEY = (Symbol\.for\('[^']+'\));$/m);
      const names = source.match(/^export const \{[^}]+\}/m);
      if (!key || !names) throw new Error('js/errors.js no longer has the shape the runtime build expects');
      return { contents: `${names[0]} = globalThis[${key[1]}];` };
    });
  },
};
// V8's explicit compile hint (a plain comment to other engines): compile
// every function of the runtime as the file loads, which is usually while
// the page is idle, instead of each on its first call, which is the user's
// first click (`make bench`'s README figures). Most of them are
// wasm-bindgen's imports, which the first open calls by the dozen. An app's
// bundler that rewrites the file drops the comment: no harm, no gain.
// Not on the JavaScript build, whose generated code is large and mostly
// never run.
await build({ ...common, banner: { js: '//# allFunctionsCalledOnLoad' }, plugins: [resolveLocal, classesFromPage], entryPoints: [join(root, 'js/runtime.js')], format: 'esm', outfile: join(out, 'kombo_connect_runtime.js'), define: { __JS_BUILD__: 'false' } });
// The same runtime over the JavaScript build.
const resolveJsGlue = {
  name: 'resolve-js-glue',
  setup(b) {
    b.onResolve({ filter: /^\.\/kombo_connect_wasm\.js$/ }, () => ({ path: jsGlueModule }));
  },
};
await build({ ...common, plugins: [resolveJsGlue, resolveLocal, classesFromPage], entryPoints: [join(root, 'js/runtime.js')], format: 'esm', outfile: join(out, 'kombo_connect_runtime_js.js'), define: { __JS_BUILD__: 'true' } });
const entry = { ...common, entryPoints: [join(root, 'js/index.js')], external: ['./kombo_connect_runtime.js', './kombo_connect_runtime_js.js'] };
await build({ ...entry, format: 'esm', outfile: join(out, 'index.js'), define: { __GLOBAL_BUILD__: 'false' } });
await build({
  ...entry,
  entryPoints: [join(root, 'js/global.js')],
  format: 'iife',
  outfile: join(out, 'kombo-connect.global.js'),
  // A classic script has no import.meta; it finds its files next to its own
  // src (see js/index.js) and falls back to the page's base URL.
  define: { __GLOBAL_BUILD__: 'true', __VERSION__: JSON.stringify(version), 'import.meta.url': 'document.baseURI' },
  // js/global.js hands the API to a CommonJS loader, on purpose.
  logOverride: { 'commonjs-variable-in-esm': 'silent' },
});

// CommonJS twins for `require()` (Jest runs CommonJS): the same entry,
// finding its files next to itself through __filename, and the same double.
await build({
  ...entry,
  format: 'cjs',
  outfile: join(out, 'index.cjs'),
  banner: { js: 'var __kombo_connect_url = require("url").pathToFileURL(__filename).href;' },
  define: { __GLOBAL_BUILD__: 'false', 'import.meta.url': '__kombo_connect_url' },
});

// Framework entries: thin, importing the package's own entry (one SDK per
// page) and the framework, which the app provides (optional peers). Their
// CommonJS twins require the CommonJS entry, the file a Jest test's
// `jest.mock('kombo-connect-wasm', …)` replaces.
const cjsEntry = { name: 'cjs-entry', setup: (b) => b.onResolve({ filter: /^\.\/index\.js$/ }, () => ({ path: './index.cjs', external: true })) };
for (const name of ['react', 'vue']) {
  const framework = { ...common, entryPoints: [join(root, `js/${name}.js`)], minify: false, external: ['./index.js', name] };
  await build({ ...framework, format: 'esm', outfile: join(out, `${name}.js`) });
  await build({ ...framework, format: 'cjs', outfile: join(out, `${name}.cjs`), plugins: [cjsEntry] });
}

// The test double for customers' unit tests: plain JavaScript, no .wasm.
await build({ ...common, entryPoints: [join(root, 'js/testing.js')], format: 'esm', minify: false, outfile: join(out, 'testing.js') });
await build({ ...common, entryPoints: [join(root, 'js/testing.js')], format: 'cjs', minify: false, outfile: join(out, 'testing.cjs') });

// Types, twice: in a "type": "module" package a .d.ts describes an ES
// module, so a CommonJS TypeScript project (node16 resolution) refuses to
// require() what it describes. The .d.cts twins describe the .cjs files and
// import each other.
const entries = ['index', 'testing', 'react', 'vue'];
for (const name of entries) {
  const dts = readFileSync(join(root, `js/${name}.d.ts`), 'utf8');
  writeFileSync(join(out, `${name}.d.ts`), dts);
  writeFileSync(join(out, `${name}.d.cts`), dts.replace(/from '\.\/(index|react)\.js'/g, "from './$1.cjs'"));
}
copyFileSync(join(root, 'LICENSE'), join(out, 'LICENSE'));
// The package's README is written for users (docs/package-README.md); this
// repository's README is for contributors.
copyFileSync(join(root, 'docs/package-README.md'), join(out, 'README.md'));
copyFileSync(join(root, 'CHANGELOG.md'), join(out, 'CHANGELOG.md'));

const files = [
  ...entries.flatMap((name) => [`${name}.js`, `${name}.cjs`, `${name}.d.ts`, `${name}.d.cts`]),
  'kombo-connect.global.js', 'kombo_connect_runtime.js', 'kombo_connect_runtime_js.js', 'kombo_connect_wasm_bg.wasm', 'README.md', 'CHANGELOG.md', 'LICENSE',
];
// Each condition with its own types. Bundlers (`module`: webpack, esbuild,
// Vite) get the ES module even for require(): only it lets them find and
// emit the .wasm, and one copy of the SDK per bundle. `require` (Node, Jest)
// gets the CommonJS twin; anything else the ES module.
const esm = (name) => ({ types: `./${name}.d.ts`, default: `./${name}.js` });
const exportsOf = (name) => ({
  module: esm(name),
  require: { types: `./${name}.d.cts`, default: `./${name}.cjs` },
  default: esm(name),
});
writeFileSync(join(out, 'package.json'), JSON.stringify({
  name: 'kombo-connect-wasm',
  version,
  description: 'Drop-in Rust/WebAssembly replacement for @kombo-api/connect: shows the Kombo Connect flow and resolves with the activation token.',
  license: 'MIT',
  // No `repository` until there is a public one: a made-up URL would send users nowhere.
  keywords: ['kombo', 'kombo-connect', 'hris', 'ats', 'wasm', 'webassembly'],
  type: 'module',
  main: './index.js',
  module: './index.js',
  types: './index.d.ts',
  unpkg: './kombo-connect.global.js',
  jsdelivr: './kombo-connect.global.js',
  exports: {
    '.': exportsOf('index'),
    './testing': exportsOf('testing'),
    './react': exportsOf('react'),
    './vue': exportsOf('vue'),
    './kombo-connect.global.js': './kombo-connect.global.js',
    './kombo_connect_runtime.js': './kombo_connect_runtime.js',
    './kombo_connect_runtime_js.js': './kombo_connect_runtime_js.js',
    './kombo_connect_wasm_bg.wasm': './kombo_connect_wasm_bg.wasm',
    './package.json': './package.json',
  },
  files,
  // Node only imports it (server-side rendering); the flow itself runs in browsers.
  engines: { node: '>=18' },
  // Only for kombo-connect-wasm/react and kombo-connect-wasm/vue.
  peerDependencies: { react: '>=18', vue: '>=3' },
  peerDependenciesMeta: { react: { optional: true }, vue: { optional: true } },
  // Only the classic script has an effect when loaded (it defines
  // window.KomboConnect); an unused ES module import can be dropped.
  sideEffects: ['./kombo-connect.global.js'],
}, null, 2) + '\n');
console.log(`pkg/ built: ${files.join(', ')}`);
// Subresource Integrity for pages that load the entry from a CDN:
// <script src=".../kombo-connect.global.js" integrity="sha384-…" crossorigin="anonymous">
for (const file of ['kombo-connect.global.js', 'index.js']) {
  console.log(`  integrity of ${file}: sha384-${createHash('sha384').update(readFileSync(join(out, file))).digest('base64')}`);
}
