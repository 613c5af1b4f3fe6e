// sampled-kernels.mjs — the WebAssembly SIMD kernels of reconstruction
// sampling's step (kernels.Set.SparseGradT: sparseGradT, or in modules
// without it sparseGrad with the strides of the V x K layout; sparseDecode)
// and of the update (adadeltaSum), timed in this Node (docs/speed.md, "The
// sampled path's kernels"):
//
//   node js/bench/sampled-kernels.mjs [--rounds 7] [--modules DIR_A[,DIR_B]]
//
// The step's pattern at V = 10,000, K = 128: the V x K weights and four
// chunk gradients (5 MB each), per document 32 random winner rows and 240
// distinct random outputs (a document of ~80 inputs at R = 2), the chunk's
// gradient changing every 25 documents; after every 100 documents the
// update, adadeltaSum over the K x V = 1.28 M weights in blocks of 80,000
// (as kate/optimizer.go's parallel.Blocks), which also evicts the rows.
// "hot" repeats the first document (its rows stay in L2): if "step" is
// slower, the kernel waits on memory.
// sparseGradT and sparseDecode are timed per call (the median call, ns per
// output and row), adadeltaSum per batch (ns per weight). The modules are
// the *.wasm files of DIR (default wasm/simd); with two directories the
// rounds alternate A and B (and C...) and the last columns are B/A (C/A...).
import fs from 'node:fs';
import path from 'node:path';
import { rootDir, flagValue as arg } from '../test/support.mjs';

const rounds = Number(arg('rounds', 7));
const dirs = arg('modules', path.join(rootDir, 'wasm', 'simd')).split(',');
const V = 10000, K = 128, R = 32, N = 240, CHUNK = 25, BATCH = 100, DOCS = 400, BLOCK = 80000;

const mem = new WebAssembly.Memory({ initial: 700 }); // 45.9 MB
const sets = dirs.map((d) => {
  const ex = {};
  for (const f of fs.readdirSync(d).filter((f) => f.endsWith('.wasm')).sort()) {
    Object.assign(ex, new WebAssembly.Instance(new WebAssembly.Module(fs.readFileSync(path.join(d, f))), { env: { mem } }).exports);
  }
  for (const k of ['sparseGrad', 'sparseDecode', 'adadeltaSum']) if (!ex[k]) throw new Error(`${d}: no ${k} export`);
  return ex;
});
const f32 = new Float32Array(mem.buffer);
const i32 = new Int32Array(mem.buffer);
let top = 1024;
const alloc = (n) => {
  const a = top;
  top = (top + n * 4 + 63) & ~63;
  if (top > mem.buffer.byteLength) throw new Error('out of memory');
  return a;
};
let seed = 1;
const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
const fill = (a, n, s) => { for (let i = 0; i < n; i++) f32[a / 4 + i] = (rand() * 2 - 1) * s; };
const pick = (dst, m, from) => { // m distinct of [0, from), random order
  const perm = [...Array(from).keys()];
  for (let i = 0; i < m; i++) {
    const j = i + Math.floor(rand() * (from - i));
    [perm[i], perm[j]] = [perm[j], perm[i]];
    i32[dst / 4 + i] = perm[i];
  }
};

const wT = alloc(K * V), acc = alloc(K * V), upd = alloc(K * V), gws = [0, 1, 2, 3].map(() => alloc(K * V));
const h = alloc(K), g = alloc(K), c = alloc(V), y = alloc(N), d = alloc(N);
const rowLists = alloc(DOCS * R), outLists = alloc(DOCS * N);
fill(wT, K * V, 0.1);
fill(acc, K * V, 1e-4);
fill(upd, K * V, 1e-4);
for (const gw of gws) fill(gw, K * V, 1e-6);
fill(h, K, 1);
fill(c, V, 1);
fill(d, N, 1e-3);
for (let doc = 0; doc < DOCS; doc++) {
  pick(rowLists + doc * R * 4, R, K);
  pick(outLists + doc * N * 4, N, V);
}

const now = () => performance.now();
const median = (a) => [...a].sort((p, q) => p - q)[(a.length - 1) >> 1];
const names = ['sparseGradT', 'sparseDecode', 'adadeltaSum'];

// One pass over the documents with kernel set ex: the median call of
// sparseGradT and sparseDecode (ns per output x row) and of a batch's
// adadeltaSum (ns per weight).
function run(ex, hot) {
  const t = names.map(() => []);
  for (let doc = 0; doc < DOCS; doc++) {
    if (doc % BATCH === 0) {
      const t0 = now();
      for (let lo = 0; lo < K * V; lo += BLOCK) {
        const n = Math.min(BLOCK, K * V - lo), o = lo * 4;
        ex.adadeltaSum(wT + o, acc + o, upd + o, gws[0] + o, gws[1] + o, gws[2] + o, gws[3] + o, n, 1, 0.95, 1e-6);
      }
      t[2].push(((now() - t0) * 1e6) / (K * V));
      for (const gw of gws) fill(gw, 1024, 1e-6); // keep some gradient
    }
    const e = hot ? 0 : doc; // hot: the same document every time (its rows stay in L2)
    const gw = gws[hot ? 0 : Math.floor(doc / CHUNK) % 4], rows = rowLists + e * R * 4, out = outLists + e * N * 4;
    let t0 = now();
    ex.sparseDecode(y, c, wT, K, rows, R, h, out, N);
    t[1].push(((now() - t0) * 1e6) / (N * R));
    t0 = now();
    if (ex.sparseGradT) ex.sparseGradT(d, wT, gw, 4 * K, rows, R, h, g, out, N);
    else ex.sparseGrad(d, wT, gw, 4, 4 * K, rows, R, h, g, out, N);
    t[0].push(((now() - t0) * 1e6) / (N * R));
  }
  return t.map(median);
}

const settings = ['step', 'hot'];
const res = sets.map(() => settings.map(() => names.map(() => [])));
for (let r = 0; r < rounds + 1; r++) {
  const order = r % 2 ? [...sets.keys()].reverse() : [...sets.keys()];
  for (const m of order) {
    settings.forEach((st, si) => {
      const x = run(sets[m], st === 'hot');
      if (r > 0) x.forEach((v, k) => res[m][si][k].push(v)); // round 0 warms the engine up
    });
  }
}
console.log(`Node ${process.version}: ns per output x row (sparseGradT, sparseDecode) or per weight (adadeltaSum), the median call, then the median of ${rounds} rounds; load ${fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
console.table(settings.flatMap((st, si) => names.map((nm, k) => {
  const row = { setting: st, kernel: nm };
  sets.forEach((_, m) => { row[dirs.length > 1 ? 'ABCDEFGH'[m] : 'ns'] = +median(res[m][si][k]).toFixed(3); });
  sets.forEach((_, m) => { if (m > 0) row[`${'ABCDEFGH'[m]}/A`] = +(median(res[m][si][k]) / median(res[0][si][k])).toFixed(3); });
  return row;
})));
