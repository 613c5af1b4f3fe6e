// build.mjs — bundles js/src (ES modules) with esbuild into the JavaScript
// files of js/dist, copies the type declarations, checks that no browser
// file reaches for Node's modules, and checks the size budget. js/build.sh
// runs it after building kate.wasm.
//
//   dist/kate.mjs              ES module for browsers and bundlers (src/index.browser.js)
//   dist/kate.js               script-tag build, global KATE (src/index.script.js)
//   dist/kate.worker.js        the Web Worker, module or classic (src/worker.browser.js)
//   dist/kate.node.mjs         ES module for Node (src/index.node.js)
//   dist/kate.node-worker.mjs  its worker thread (src/worker.node.js)
//
// Go's wasm_exec.js (from the Go toolchain that built kate.wasm) is
// bundled into the files that run the engine, as the module
// "kate:go-runtime" (see goRuntimePlugin).
//
//   node js/build.mjs            build (warns when over the size budget)
//   node js/build.mjs --check    build, and fail when over the size budget
//   node js/build.mjs --sizes    also print the sizes as JSON on stdout
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dataSegments, packData } from './wasm-data.mjs';

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

let esbuild;
try {
  esbuild = createRequire(path.join(root, 'package.json'))('esbuild');
} catch {
  die('esbuild is missing: run npm ci at the repository root');
}

const pkg = JSON.parse(fs.readFileSync(path.join(here, 'package.json'), 'utf8'));
const goVersion = (fs.readFileSync(path.join(root, 'kate', 'version.go'), 'utf8').match(/^\s*(?:const\s+)?Version\s*=\s*"([^"]+)"/m) || [])[1];
if (!goVersion) die('cannot find the constant Version in kate/version.go');
if (pkg.version !== goVersion) die(`js/package.json version ${pkg.version} differs from kate.Version ${goVersion}`);
const VERSION = pkg.version;
const wasmFile = path.join(dist, 'kate.wasm');
if (!fs.existsSync(wasmFile)) die('js/dist/kate.wasm is missing (run js/build.sh)');

// kate.wasm's data segments joined across short runs of zeros: the same
// memory, ~70 KB less once gzipped (see wasm-data.mjs). Idempotent.
{
  const linked = fs.readFileSync(wasmFile);
  const packed = packData(linked);
  if (Buffer.compare(linked, packed) !== 0) {
    fs.writeFileSync(wasmFile, packed);
    console.error(`js/build.mjs: kate.wasm's ${dataSegments(linked).length} data segments joined into ${dataSegments(packed).length}`);
  }
}

// Go's wasm_exec.js, wrapped as a module whose goRuntime() returns the Go
// class without leaving it in globalThis.Go (the file's other globals, fs
// and process stand-ins, stay: the Go program reads them).
const goroot = process.env.GOROOT || execFileSync('go', ['env', 'GOROOT'], { encoding: 'utf8' }).trim();
const wasmExecFile = path.join(goroot, 'lib', 'wasm', 'wasm_exec.js');
if (!fs.existsSync(wasmExecFile)) die(`${wasmExecFile} is missing (is Go installed?)`);
const wasmExec = fs.readFileSync(wasmExecFile, 'utf8');
const body = wasmExec.replace(/^(\/\/[^\n]*\n)+\s*"use strict";\s*\n/, '');
if (body === wasmExec || !body.includes('globalThis.Go = class')) die(`${wasmExecFile} does not look like Go's wasm_exec.js`);
const goVersionUsed = execFileSync('go', ['env', 'GOVERSION'], { encoding: 'utf8' }).trim();
const goRuntimeModule =
  `/*! Go's wasm_exec.js (${goVersionUsed}): Copyright 2018 The Go Authors. BSD-3-Clause licence, see THIRD_PARTY_NOTICES.md in the kate package. */\n` +
  'let Go = null;\n' +
  'export function goRuntime() {\n' +
  '  if (Go) return Go;\n' +
  "  const saved = Object.getOwnPropertyDescriptor(globalThis, 'Go');\n" +
  body +
  '  Go = globalThis.Go;\n' +
  "  if (saved) Object.defineProperty(globalThis, 'Go', saved);\n" +
  '  else delete globalThis.Go;\n' +
  '  return Go;\n' +
  '}\n';
const goRuntimePlugin = {
  name: 'kate-go-runtime',
  setup(build) {
    build.onResolve({ filter: /^kate:go-runtime$/ }, () => ({ path: 'go-runtime', namespace: 'kate' }));
    build.onLoad({ filter: /.*/, namespace: 'kate' }, () => ({ contents: goRuntimeModule, loader: 'js', resolveDir: src }));
  },
};

const banner = (what) =>
  `// ${what} — kate ${VERSION}, KATE (k-competitive autoencoder for text) in the browser.\n` +
  '// MIT licence; includes Go\'s wasm_exec.js (BSD-3-Clause), see THIRD_PARTY_NOTICES.md.\n' +
  '// Built by js/build.mjs from js/src with esbuild; do not edit.';

const builds = [
  { out: 'kate.mjs', entry: 'index.browser.js', format: 'esm', platform: 'browser', what: 'ES module for browsers and bundlers' },
  { out: 'kate.js', entry: 'index.script.js', format: 'iife', platform: 'browser', what: 'script-tag build, sets the global KATE' },
  { out: 'kate.worker.js', entry: 'worker.browser.js', format: 'iife', platform: 'browser', what: 'the Web Worker' },
  { out: 'kate.node.mjs', entry: 'index.node.js', format: 'esm', platform: 'node', what: 'ES module for Node' },
  { out: 'kate.node-worker.mjs', entry: 'worker.node.js', format: 'esm', platform: 'node', what: 'the Node worker thread' },
];

fs.mkdirSync(dist, { recursive: true });
for (const b of builds) {
  const r = await esbuild.build({
    entryPoints: [path.join(src, b.entry)],
    outfile: path.join(dist, b.out),
    bundle: true,
    format: b.format,
    platform: b.platform,
    target: b.platform === 'node' ? 'node20' : 'es2022',
    banner: { js: banner(`${b.out}: ${b.what}`) },
    legalComments: 'inline',
    plugins: [goRuntimePlugin],
    logLevel: 'warning',
    logOverride: { 'empty-import-meta': 'error' },
    metafile: true,
  });
  if (r.errors.length) die(`esbuild failed on ${b.entry}`);
  if (b.platform === 'browser') {
    const inputs = Object.keys(r.metafile.inputs).filter((f) => f.startsWith('node:') || /platform\.node|node-io|worker\.node/.test(f));
    const text = fs.readFileSync(path.join(dist, b.out), 'utf8');
    if (inputs.length || /["']node:/.test(text)) die(`dist/${b.out} reaches for Node's modules (${inputs.join(', ') || 'a "node:" string'})`);
  }
}
fs.copyFileSync(path.join(here, 'kate.d.ts'), path.join(dist, 'kate.d.ts'));
// The package ships the repository's licence files (js/LICENSE and
// js/THIRD_PARTY_NOTICES.md are copies, not committed).
for (const f of ['LICENSE', 'THIRD_PARTY_NOTICES.md']) fs.copyFileSync(path.join(root, f), path.join(here, f));
fs.rmSync(path.join(dist, 'wasm_exec.js'), { force: true }); // no longer shipped on its own

// Size budget: what a browser page loads.
const gz = (name) => zlib.gzipSync(fs.readFileSync(path.join(dist, name)), { level: 9 }).length;
const sizes = {};
for (const f of ['kate.wasm', 'kate.mjs', 'kate.js', 'kate.worker.js']) sizes[f] = gz(f);
const total = sizes['kate.wasm'] + Math.max(sizes['kate.mjs'], sizes['kate.js']) + sizes['kate.worker.js'];
const line = Object.entries(sizes).map(([f, n]) => `${f} ${(n / 1024).toFixed(1)} KB`).join(', ');
console.error(`js/build.mjs: gzipped ${line}; a page loads ${total} bytes of ${BUDGET} allowed (margin ${BUDGET - total})`);
if (total > BUDGET) {
  const msg = `size budget exceeded: ${total} bytes gzipped > ${BUDGET}`;
  if (process.argv.includes('--check')) die(msg);
  console.error(`js/build.mjs: WARNING: ${msg}`);
}
if (process.argv.includes('--sizes')) {
  console.log(JSON.stringify({ ...sizes, total, budget: BUDGET }));
}
