// Assembles pkg/ (the npm package) from wasm-pack's output.
//
// wasm-pack gives us the .wasm and wasm-bindgen's ES module glue. A page
// needs more than that: an entry that loads the .wasm lazily (js/index.js),
// one classic <script> for pages without a bundler, and the types. esbuild
// bundles and minifies the glue with our entry twice (ES module and IIFE),
// and a current wasm-opt (npm `binaryen`) shrinks the .wasm.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const raw = join(root, 'target/wasm-pack');
const out = join(root, 'pkg');
const crate = readFileSync(join(root, 'Cargo.toml'), 'utf8');
const version = crate.match(/^version = "(.+)"/m)[1];

// wasm-bindgen copies js/errors.js into snippets/<crate>-<hash>/; the glue
// imports that copy, so our entry must import the very same file, or the
// classes a page imports would not be the ones Rust throws.
const snippets = join(raw, 'snippets');
const [snippetDir] = readdirSync(snippets);
const errorsModule = join(snippets, snippetDir, 'js/errors.js');

rmSync(out, { recursive: true, force: true });
mkdirSync(out);

// wasm-bindgen names every import and export like
// `__wbg_setAttribute_f75317b2b5cabfb4`, and each name is stored twice, in
// the .wasm and in the glue. wasm-opt renames them to one or two letters and
// prints the mapping, which we apply to the glue: 3.5 KB less gzip, for a
// package whose budget is 24 KB. The tests all run against this output.
const mapping = JSON.parse(execFileSync(join(root, 'node_modules/.bin/wasm-opt'), [
  // GUFA then -Oz twice: 40 bytes gzip less than one -Oz (measured on
  // this crate; more rounds or other passes gained nothing more).
  '--gufa', '-Oz', '-Oz', '--strip-debug', '--strip-producers',
  // wasm-opt reads the features rustc used from the module itself.
  '--detect-features',
  '--minify-imports-and-exports-and-modules',
  join(raw, 'kombo_connect_wasm_bg.wasm'), '-o', join(out, 'kombo_connect_wasm_bg.wasm'),
], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }));
const glueModule = join(root, 'target/kombo_connect_wasm.min.js');
writeFileSync(glueModule, minifyGlueNames(readFileSync(join(raw, 'kombo_connect_wasm.js'), 'utf8'), mapping));

function minifyGlueNames(glue, { imports, exports }) {
  const modules = new Set(imports.map(([module]) => module));
  if (modules.size !== 1 || !glue.includes(`"${[...modules][0]}": import0`)) {
    throw new Error(`unexpected wasm-bindgen glue: import modules ${[...modules].join(', ')}`);
  }
  const rename = (text, pattern, to) => {
    const next = text.replace(pattern, () => to); // a function: `$` in a name is literal
    if (next === text) throw new Error(`wasm-bindgen glue has no ${pattern}`);
    return next;
  };
  glue = rename(glue, `"${[...modules][0]}": import0`, '"a": import0');
  for (const [, name, short] of imports) glue = rename(glue, new RegExp(`\\b${name}:`, 'g'), `${short}:`);
  for (const [name, short] of exports) {
    if (glue.includes(`wasm.${name}`)) glue = rename(glue, new RegExp(`\\bwasm\\.${name}\\b`, 'g'), `wasm.${short}`);
  }
  return glue;
}

const resolveLocal = {
  name: 'resolve-local',
  setup(b) {
    b.onResolve({ filter: /^\.\/errors\.js$/ }, () => ({ path: errorsModule }));
    // The glue, moved out of wasm-pack's folder, imports the snippet by a
    // relative path; point it back at the same file.
    b.onResolve({ filter: /\/snippets\/.*\/js\/errors\.js$/ }, () => ({ path: errorsModule }));
    b.onResolve({ filter: /^\.\/kombo_connect_wasm\.js$/ }, () => ({ path: glueModule }));
  },
};
const common = {
  entryPoints: [join(root, 'js/index.js')],
  bundle: true,
  minify: true,
  target: 'es2020',
  plugins: [resolveLocal],
  legalComments: 'none',
  logLevel: 'warning',
};
await build({ ...common, format: 'esm', outfile: join(out, 'index.js'), define: { __GLOBAL_BUILD__: 'false' } });
await build({
  ...common,
  format: 'iife',
  globalName: 'KomboConnect',
  outfile: join(out, 'kombo-connect.global.js'),
  // A classic script has no import.meta; it finds its .wasm next to its own
  // src (see js/index.js) and falls back to the page's base URL.
  define: { __GLOBAL_BUILD__: 'true', 'import.meta.url': 'document.baseURI' },
});

// The test double for customers' unit tests: plain JavaScript, no .wasm.
await build({ ...common, entryPoints: [join(root, 'js/testing.js')], format: 'esm', minify: false, outfile: join(out, 'testing.js') });

copyFileSync(join(root, 'js/index.d.ts'), join(out, 'index.d.ts'));
copyFileSync(join(root, 'js/testing.d.ts'), join(out, 'testing.d.ts'));
copyFileSync(join(root, 'LICENSE'), join(out, 'LICENSE'));
copyFileSync(join(root, 'README.md'), join(out, 'README.md'));

const files = ['index.js', 'index.d.ts', 'kombo-connect.global.js', 'kombo_connect_wasm_bg.wasm', 'testing.js', 'testing.d.ts', 'README.md', 'LICENSE'];
writeFileSync(join(out, 'package.json'), JSON.stringify({
  name: 'kombo-connect-wasm',
  version,
  description: 'Drop-in Rust/WebAssembly replacement for @kombo-api/connect: shows the Kombo Connect flow and resolves with the activation token.',
  license: 'MIT',
  repository: { type: 'git', url: 'git+https://github.com/kombo-connect-wasm/kombo-connect-wasm.git' },
  keywords: ['kombo', 'kombo-connect', 'hris', 'ats', 'wasm', 'webassembly'],
  type: 'module',
  main: './index.js',
  module: './index.js',
  types: './index.d.ts',
  unpkg: './kombo-connect.global.js',
  jsdelivr: './kombo-connect.global.js',
  exports: {
    '.': { types: './index.d.ts', default: './index.js' },
    './testing': { types: './testing.d.ts', default: './testing.js' },
    './kombo-connect.global.js': './kombo-connect.global.js',
    './kombo_connect_wasm_bg.wasm': './kombo_connect_wasm_bg.wasm',
    './package.json': './package.json',
  },
  files,
  // Only the classic script has an effect when loaded (it defines
  // window.KomboConnect); an unused ES module import can be dropped.
  sideEffects: ['./kombo-connect.global.js'],
}, null, 2) + '\n');
console.log(`pkg/ built: ${files.join(', ')}`);
