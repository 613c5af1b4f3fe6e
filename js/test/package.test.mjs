// package.test.mjs — the npm package: `npm pack` js/, install the tarball
// in a temporary project, and use it from there as a user would (ES module
// import by name, the engine on the main thread and in a worker thread, the
// declared files and types).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { jsDir } from './support.mjs';

const pkg = JSON.parse(fs.readFileSync(path.join(jsDir, 'package.json'), 'utf8'));
let dir;
let packed;

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kate-pack-'));
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', dir], { cwd: jsDir, encoding: 'utf8' });
  packed = JSON.parse(out)[0];
  fs.mkdirSync(path.join(dir, 'app'));
  fs.writeFileSync(path.join(dir, 'app', 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--offline', path.join(dir, packed.filename)], { cwd: path.join(dir, 'app'), stdio: 'pipe' });
});

after(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('the tarball holds the built files, the types and the README', () => {
  const files = packed.files.map((f) => f.path).sort();
  assert.deepEqual(files, [
    'README.md', 'dist/kate.d.ts', 'dist/kate.js', 'dist/kate.mjs', 'dist/kate.wasm',
    'dist/kate.worker.js', 'dist/wasm_exec.js', 'package.json',
  ]);
  assert.equal(packed.version, pkg.version);
  assert.equal(packed.name, pkg.name);
});

function run(script) {
  const f = path.join(dir, 'app', `check-${Math.random().toString(36).slice(2)}.mjs`);
  fs.writeFileSync(f, script);
  return execFileSync(process.execPath, [f], { cwd: path.join(dir, 'app'), encoding: 'utf8', timeout: 120000 });
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

test('exports resolve to the files, including the types', () => {
  const out = run(`
const names = ['${pkg.name}', '${pkg.name}/kate.js', '${pkg.name}/kate.worker.js', '${pkg.name}/kate.wasm', '${pkg.name}/wasm_exec.js', '${pkg.name}/kate.d.ts'];
console.log(JSON.stringify(names.map((n) => import.meta.resolve(n).split('/node_modules/')[1])));
`);
  const base = `${pkg.name}/dist/`;
  assert.deepEqual(JSON.parse(out), ['kate.mjs', 'kate.js', 'kate.worker.js', 'kate.wasm', 'wasm_exec.js', 'kate.d.ts'].map((f) => base + f));
  const installed = JSON.parse(fs.readFileSync(path.join(dir, 'app', 'node_modules', pkg.name, 'package.json'), 'utf8'));
  assert.equal(installed.types, './dist/kate.d.ts');
  assert.match(fs.readFileSync(path.join(dir, 'app', 'node_modules', pkg.name, 'dist', 'kate.d.ts'), 'utf8'), /export function train\(texts: string\[\], options\?: TrainOptions\): Promise<Model>;/);
});
