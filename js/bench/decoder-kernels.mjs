// decoder-kernels.mjs — the exact decoder's WebAssembly SIMD kernels
// (decodeRows, sigmoidDelta, gradRows of wasm/simd's modules, and the
// loss's softplus) in this Node, per element, in three memory settings (docs/speed.md, "The decoder"):
//
//   node js/bench/decoder-kernels.mjs [--rounds 7] [--modules DIR_A[,DIR_B]]
//
// "L1": 32 rows of V = 128 (16 KB of weights and 16 KB of gradient), the
// same every call; "L2": 32 rows of V = 2,000 (256 KB each), the same every
// call; "step": a training step's pattern at V = 2,000, K = 128, k = 32:
// the weights and four chunk gradients of 128 rows (1 MB each), 32 random
// winner rows per document, the chunk's gradient for 25 documents each, and
// after every 100 documents a pass over 9 MB (as Adadelta's over W, its two
// accumulators, the transposed copy and the four gradients). If "step" runs
// as fast as "L2", the decoder does not wait on memory. Each call is timed
// (performance.now) and the median call is kept: on a shared machine a
// call of microseconds is rarely interrupted, so the median is steadier
// than a loop's total. The modules are the
// *.wasm files of DIR (default wasm/simd); with two directories, the rounds
// alternate A and B and the last column is B/A.
import fs from 'node:fs';
import path from 'node:path';
import { rootDir, flagValue as arg } from '../test/support.mjs';

const rounds = Number(arg('rounds', 7));
const dirs = arg('modules', path.join(rootDir, 'wasm', 'simd')).split(',');
const V = 2000, K = 128, R = 32, CHUNK = 25, BATCH = 100, DOCS = 400;

const mem = new WebAssembly.Memory({ initial: 300 }); // 19.7 MB
const sets = dirs.map((d) => {
  const ex = {};
  for (const f of fs.readdirSync(d).filter((f) => f.endsWith('.wasm')).sort()) {
    Object.assign(ex, new WebAssembly.Instance(new WebAssembly.Module(fs.readFileSync(path.join(d, f))), { env: { mem } }).exports);
  }
  for (const k of ['decodeRows', 'sigmoidDelta', 'gradRows', 'softplus']) if (!ex[k]) throw new Error(`${d}: no ${k} export`);
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

const wt = alloc(K * V), gws = [0, 1, 2, 3].map(() => alloc(K * V));
const sweep = alloc(9 * 262144); // 9 MB
const h = alloc(K), g = alloc(K), c = alloc(V), y = alloc(V), d = alloc(V), sp = alloc(V);
const rowLists = alloc(DOCS * R);
fill(wt, K * V, 0.1);
for (const gw of gws) fill(gw, K * V, 1e-6);
fill(h, K, 1);
fill(c, V, 1);
for (let doc = 0; doc < DOCS; doc++) {
  const perm = [...Array(K).keys()];
  for (let i = 0; i < R; i++) {
    const j = i + Math.floor(rand() * (K - i));
    [perm[i], perm[j]] = [perm[j], perm[i]];
    i32[rowLists / 4 + doc * R + i] = perm[i];
  }
}
// L1: its own small arrays.
const v1 = 128, r1 = R;
const wt1 = alloc(K * v1), gw1 = alloc(K * v1), y1 = alloc(v1), d1 = alloc(v1), c1 = alloc(v1);
fill(wt1, K * v1, 0.1);
fill(c1, v1, 1);

const now = () => performance.now();
const median = (a) => [...a].sort((p, q) => p - q)[(a.length - 1) >> 1];

// One pass of a setting with kernel set ex: the median time of a call of
// each kernel per element it processed (ns).
function run(ex, setting) {
  const t = [[], [], [], []];
  const one = (yy, cc, w, gw, v, rows, nr, dd) => {
    const t0 = now();
    ex.decodeRows(yy, cc, w, v, rows, nr, h);
    const t1 = now();
    ex.sigmoidDelta(yy, dd, v, 1e-6);
    const t2 = now();
    ex.gradRows(dd, w, gw, v, rows, nr, h, g);
    const t3 = now();
    ex.softplus(yy, sp, v);
    const t4 = now();
    t[3].push(((t4 - t3) * 1e6) / v);
    t[0].push(((t1 - t0) * 1e6) / (nr * v));
    t[1].push(((t2 - t1) * 1e6) / v);
    t[2].push(((t3 - t2) * 1e6) / (nr * v));
  };
  if (setting === 'L1') {
    for (let i = 0; i < DOCS; i++) one(y1, c1, wt1, gw1, v1, rowLists, r1, d1);
  } else if (setting === 'L2') {
    for (let i = 0; i < DOCS; i++) one(y, c, wt, gws[0], V, rowLists, R, d);
  } else {
    for (let doc = 0; doc < DOCS; doc++) {
      if (doc % BATCH === 0) {
        let s = 0;
        for (let i = sweep / 4, e = i + 9 * 262144; i < e; i += 16) s += f32[i];
        f32[sweep / 4] = s * 0; // keep the pass
      }
      one(y, c, wt, gws[Math.floor(doc / CHUNK) % 4], V, rowLists + doc * R * 4, R, d);
    }
  }
  return t.map(median);
}

const names = ['decodeRows', 'sigmoidDelta', 'gradRows', 'softplus'];
const settings = ['L1', 'L2', 'step'];
const res = sets.map(() => Object.fromEntries(settings.map((s) => [s, names.map(() => [])])));
for (let r = 0; r < rounds + 1; r++) {
  const order = r % 2 ? [...sets.keys()].reverse() : [...sets.keys()];
  for (const m of order) {
    for (const s of settings) {
      const x = run(sets[m], s);
      if (r > 0) x.forEach((v, k) => res[m][s][k].push(v)); // round 0 warms the engine up
    }
  }
}
console.log(`ns per element, the median call (rows x V for decodeRows and gradRows, V for sigmoidDelta and softplus), then the median of ${rounds} rounds; load ${fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
const rows = [];
for (const s of settings) {
  names.forEach((nm, k) => {
    const row = { setting: s, kernel: nm };
    sets.forEach((_, m) => { row[dirs.length > 1 ? 'AB'[m] : 'ns'] = +median(res[m][s][k]).toFixed(3); });
    if (sets.length > 1) row['B/A'] = +(median(res[1][s][k]) / median(res[0][s][k])).toFixed(3);
    rows.push(row);
  });
}
console.table(rows);
