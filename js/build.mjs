// build.mjs — writes the JavaScript files of js/dist from js/src (plain
// concatenation, no bundler), copies the type declarations, and checks the
// size budget. js/build.sh runs it after building kate.wasm and copying
// wasm_exec.js.
//
//   node js/build.mjs            build (warns when over the size budget)
//   node js/build.mjs --check    build, and fail when over the size budget
//   node js/build.mjs --sizes    also print the sizes as JSON on stdout
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(here);
const src = path.join(here, 'src');
const dist = path.join(here, 'dist');

// Size budget: gzipped kate.wasm + the JavaScript a page loads.
const BUDGET = 1_000_000;

function die(msg) {
  console.error(`js/build.mjs: ${msg}`);
  process.exit(1);
}

const pkg = JSON.parse(fs.readFileSync(path.join(here, 'package.json'), 'utf8'));
const goVersion = (fs.readFileSync(path.join(root, 'kate', 'version.go'), 'utf8').match(/const Version = "([^"]+)"/) || [])[1];
if (!goVersion) die('cannot find const Version in kate/version.go');
if (pkg.version !== goVersion) die(`js/package.json version ${pkg.version} differs from kate.Version ${goVersion}`);
const VERSION = pkg.version;

const read = (name) => fs.readFileSync(path.join(src, name), 'utf8');
const core = read('core.js');
const api = read('api.js');
const worker = read('worker.js');
for (const [name, text] of [['core.js', core], ['api.js', api], ['worker.js', worker]]) {
  if (/^\s*(import|export)\s/m.test(text)) die(`js/src/${name} must not use import/export statements (it is concatenated)`);
}

const banner = (what) =>
  `// ${what} — kate ${VERSION}, KATE (k-competitive autoencoder for text) in the browser.\n` +
  `// Built by js/build.mjs from js/src; do not edit.\n`;
const versionLine = `const VERSION = ${JSON.stringify(VERSION)};\n`;
const publicNames = ['initialize', 'train', 'load', 'pca', 'runtimeInfo', 'Model', '_crashForTesting', '_selfTestForTesting'];

const mjs =
  banner('kate.mjs: ES module') +
  versionLine +
  'const BASE_URL = import.meta.url;\n' +
  core + '\n' + api + '\n' +
  `const version = VERSION;\nexport { ${publicNames.join(', ')}, version };\n`;

const script =
  banner('kate.js: script-tag build, sets the global KATE') +
  '(() => {\n\'use strict\';\n' +
  versionLine +
  "const BASE_URL = (typeof document !== 'undefined' && document.currentScript && document.currentScript.src) ||\n" +
  "  (typeof location !== 'undefined' ? location.href : '');\n" +
  core + '\n' + api + '\n' +
  `globalThis.KATE = Object.freeze({ ${publicNames.join(', ')}, version: VERSION });\n})();\n`;

const workerJS =
  banner('kate.worker.js: the Web Worker (also a Node worker thread)') +
  '(() => {\n\'use strict\';\n' + versionLine + core + '\n' + worker + '})();\n';

fs.mkdirSync(dist, { recursive: true });
fs.writeFileSync(path.join(dist, 'kate.mjs'), mjs);
fs.writeFileSync(path.join(dist, 'kate.js'), script);
fs.writeFileSync(path.join(dist, 'kate.worker.js'), workerJS);
fs.copyFileSync(path.join(here, 'kate.d.ts'), path.join(dist, 'kate.d.ts'));

// Size budget.
const gz = (name) => zlib.gzipSync(fs.readFileSync(path.join(dist, name)), { level: 9 }).length;
for (const f of ['kate.wasm', 'wasm_exec.js']) {
  if (!fs.existsSync(path.join(dist, f))) die(`js/dist/${f} is missing (run js/build.sh)`);
}
const sizes = {};
for (const f of ['kate.wasm', 'wasm_exec.js', 'kate.mjs', 'kate.js', 'kate.worker.js']) sizes[f] = gz(f);
const total = sizes['kate.wasm'] + sizes['wasm_exec.js'] + Math.max(sizes['kate.mjs'], sizes['kate.js']) + sizes['kate.worker.js'];
const line = Object.entries(sizes).map(([f, n]) => `${f} ${(n / 1024).toFixed(1)} KB`).join(', ');
console.error(`js/build.mjs: gzipped ${line}; a page loads ${(total / 1024).toFixed(1)} KB of ${(BUDGET / 1024).toFixed(0)} KB allowed`);
if (total > BUDGET) {
  const msg = `size budget exceeded: ${total} bytes gzipped > ${BUDGET}`;
  if (process.argv.includes('--check')) die(msg);
  console.error(`js/build.mjs: WARNING: ${msg}`);
}
if (process.argv.includes('--sizes')) {
  console.log(JSON.stringify({ ...sizes, total, budget: BUDGET }));
}
