// package.test.mjs — the npm package: `npm pack` js/ (or take the tarball
// js/test.sh packed, $KATE_TARBALL), install it in a temporary project, and
// use it from there as a user would (ES module import by name, the engine
// on the main thread and in a worker thread, the declared files, types and
// licence; no Node module in the browser files).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { jsDir, rootDir, packTarball } from './support.mjs';

const pkg = JSON.parse(fs.readFileSync(path.join(jsDir, 'package.json'), 'utf8'));
let dir;
let packed;

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kate-pack-'));
  packed = packTarball(dir);
  fs.mkdirSync(path.join(dir, 'app'));
  fs.writeFileSync(path.join(dir, 'app', 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--offline', packed.tarball], { cwd: path.join(dir, 'app'), stdio: 'pipe' });
});

after(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const installedDir = () => path.join(dir, 'app', 'node_modules', ...pkg.name.split('/'));

test('the tarball holds the built files, the types, the README and the licences', () => {
  const files = packed.files.map((f) => f.path).sort();
  assert.deepEqual(files, [
    'LICENSE', 'README.md', 'THIRD_PARTY_NOTICES.md', 'dist/kate.d.ts', 'dist/kate.js', 'dist/kate.mjs',
    'dist/kate.node-worker.mjs', 'dist/kate.node.mjs', 'dist/kate.wasm', 'dist/kate.worker.js', 'package.json',
  ]);
  assert.equal(packed.version, pkg.version);
  assert.equal(packed.name, pkg.name);
  const installed = JSON.parse(fs.readFileSync(path.join(installedDir(), 'package.json'), 'utf8'));
  assert.equal(installed.license, 'MIT');
  assert.deepEqual(installed.publishConfig, { access: 'public' });
  assert.equal(fs.readFileSync(path.join(installedDir(), 'LICENSE'), 'utf8'), fs.readFileSync(path.join(rootDir, 'LICENSE'), 'utf8'));
  const notices = fs.readFileSync(path.join(installedDir(), 'THIRD_PARTY_NOTICES.md'), 'utf8');
  assert.match(notices, /wasm_exec\.js[\s\S]*Copyright 2009 The Go Authors[\s\S]*Redistribution and use in source and binary forms/);
  assert.match(notices, /Snowball[\s\S]*MIT License[\s\S]*Permission is hereby granted/);
});

test('the browser files hold no Node module and the patterns bundlers look for', () => {
  const read = (f) => fs.readFileSync(path.join(installedDir(), 'dist', f), 'utf8');
  for (const f of ['kate.mjs', 'kate.js', 'kate.worker.js']) {
    assert.doesNotMatch(read(f), /["']node:|require\(/, `${f} reaches for Node`);
  }
  const mjs = read('kate.mjs');
  assert.match(mjs, /new Worker\(new URL\(["']\.\/kate\.worker\.js["'], import\.meta\.url\), \{ type: ["']module["'] \}\)/);
  assert.match(mjs, /new URL\(["']\.\/kate\.wasm["'], import\.meta\.url\)/);
  assert.doesNotMatch(read('kate.worker.js'), /^\s*(import|export)\s/m, 'the worker runs as a classic or a module worker');
  assert.match(read('kate.worker.js'), /Copyright 2018 The Go Authors\. BSD-3-Clause/, "wasm_exec.js's notice");
});

function run(script, nodeArgs = []) {
  const f = path.join(dir, 'app', `check-${Math.random().toString(36).slice(2)}.mjs`);
  fs.writeFileSync(f, script);
  return execFileSync(process.execPath, [...nodeArgs, f], { cwd: path.join(dir, 'app'), encoding: 'utf8', timeout: 120000 });
}

const SCRIPT = (worker) => `
import * as kate from '${pkg.name}';
const texts = [];
for (let i = 0; i < 60; i++) texts.push(i % 2 ? 'apple banana cherry fruit juice ' + i : 'engine wheel brake motor car ' + i);
await kate.initialize({ worker: ${worker} });
const info = await kate.runtimeInfo();
const m = await kate.train(texts, { dim: 8, k: 2, epochs: 2, vocabSize: 50, validationDocs: 10 });
const e = await m.encode(['apple juice', 'brake motor']);
const back = await kate.load(await m.save());
console.log(JSON.stringify({ version: kate.version, kernels: info.kernels, worker: info.worker, dims: e.dims, finite: e.data.every(Number.isFinite), dim: back.dim }));
`;

test('installed package works in Node on the main thread', () => {
  const out = JSON.parse(run(SCRIPT(false)).trim());
  assert.deepEqual(out, { version: pkg.version, kernels: 'simd', worker: false, dims: [2, 8], finite: true, dim: 8 });
});

test('installed package works in Node with a worker thread', () => {
  const out = JSON.parse(run(SCRIPT(true)).trim());
  assert.deepEqual(out, { version: pkg.version, kernels: 'simd', worker: true, dims: [2, 8], finite: true, dim: 8 });
});

const RESOLVE = `
const names = ['${pkg.name}', '${pkg.name}/kate.mjs', '${pkg.name}/kate.js', '${pkg.name}/kate.worker.js', '${pkg.name}/kate.wasm', '${pkg.name}/kate.d.ts'];
console.log(JSON.stringify(names.map((n) => import.meta.resolve(n).split('/node_modules/')[1])));
`;

test('exports resolve to the files, the Node build under the node condition', () => {
  const base = `${pkg.name}/dist/`;
  const files = ['kate.mjs', 'kate.js', 'kate.worker.js', 'kate.wasm', 'kate.d.ts'].map((f) => base + f);
  assert.deepEqual(JSON.parse(run(RESOLVE)), [`${base}kate.node.mjs`, ...files]);
  assert.deepEqual(JSON.parse(run(RESOLVE, ['--conditions=browser'])), [`${base}kate.mjs`, ...files], 'browser before node');
  const installed = JSON.parse(fs.readFileSync(path.join(installedDir(), 'package.json'), 'utf8'));
  assert.equal(installed.types, './dist/kate.d.ts');
  const dts = fs.readFileSync(path.join(installedDir(), 'dist', 'kate.d.ts'), 'utf8');
  assert.match(dts, /export function train\(texts: string\[\], options\?: TrainOptions\): Promise<Model>;/);
  assert.doesNotMatch(dts, /ForTesting/);
});

test('npm pack outside a built repository fails loudly instead of packing two files', () => {
  const copy = path.join(dir, 'lonely', 'js');
  fs.mkdirSync(copy, { recursive: true });
  for (const f of ['package.json', 'build.sh', 'build.mjs', 'kate.d.ts', 'README.md']) fs.copyFileSync(path.join(jsDir, f), path.join(copy, f));
  fs.cpSync(path.join(jsDir, 'src'), path.join(copy, 'src'), { recursive: true });
  let err = null;
  try {
    execFileSync('npm', ['pack', '--dry-run'], { cwd: copy, encoding: 'utf8', stdio: 'pipe' });
  } catch (e) {
    err = e;
  }
  assert.ok(err, 'npm pack succeeded without a build');
  assert.notEqual(err.status, 0);
  assert.match(`${err.stdout}\n${err.stderr}`, /prepack[\s\S]*go\.mod file not found[\s\S]*command failed/);
});
