// decoder-kernels.mjs — the exact decoder's WebAssembly SIMD kernels
// (decodeRows, sigmoidDelta, gradRows of wasm/simd's modules, and the
// loss's softplus) in this Node, per element, in three memory settings (docs/speed.md, "The decoder"):
//
//   node js/bench/decoder-kernels.mjs [--rounds 7] [--modules DIR_A[,DIR_B]] [--chromium]
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
// than a loop's total (where the timer is too coarse for that, as in a
// page that is not cross-origin isolated, each kernel runs alone over the
// documents and the loop is timed). The modules are the
// *.wasm files of DIR (default wasm/simd); with two directories, the rounds
// alternate A and B and the last column is B/A. --chromium runs the same
// code in a headless Chromium page (its V8 is newer than Node's) instead of
// in this process.
import fs from 'node:fs';
import path from 'node:path';
import { rootDir, runHereOrInChromium, flagValue as arg } from '../test/support.mjs';

const rounds = Number(arg('rounds', 7));
const dirs = arg('modules', path.join(rootDir, 'wasm', 'simd')).split(',');

// bench runs the measurement on the module sets (each a list of base64
// module bytes) and returns, per setting and kernel, the median ns per
// element of each set. It uses nothing outside itself, so that a Chromium
// page can run it (page.evaluate sends its source).
function bench({ moduleSets, rounds }) {
  const V = 2000, K = 128, R = 32, CHUNK = 25, BATCH = 100, DOCS = 400;

  const mem = new WebAssembly.Memory({ initial: 300 }); // 19.7 MB
  const sets = moduleSets.map((mods, m) => {
    const ex = {};
    for (const b64 of mods) {
      const bytes = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
      Object.assign(ex, new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { mem } }).exports);
    }
    for (const k of ['decodeRows', 'sigmoidDelta', 'gradRows', 'softplus']) if (!ex[k]) throw new Error(`module set ${m}: no ${k} export`);
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
  // The timer's resolution: a page that is not cross-origin isolated gets
  // a coarse, jittered performance.now, too coarse for one call; then
  // each kernel runs alone over the documents and the loop is timed.
  let tick = Infinity;
  for (let i = 0, last = now(); i < 20000 && tick > 0.0005; i++) {
    const t = now();
    if (t > last) tick = Math.min(tick, t - last);
    last = t;
  }
  const perCall = tick <= 0.0005;
  const calls = [
    (a) => a.ex.decodeRows(a.y, a.c, a.w, a.v, a.rows, a.nr, h),
    (a) => a.ex.sigmoidDelta(a.y, a.d, a.v, 1e-6),
    (a) => a.ex.gradRows(a.d, a.w, a.gw, a.v, a.rows, a.nr, h, g),
    (a) => a.ex.softplus(a.y, sp, a.v),
  ];
  const elems = (a) => [a.nr * a.v, a.v, a.nr * a.v, a.v];

  // One pass of a setting with kernel set ex: the time of a call of each
  // kernel per element it processed (ns), the median call when the timer
  // allows, else the whole loop's.
  function run(ex, setting) {
    const args = (doc) => {
      if (setting === 'L1') return { ex, y: y1, c: c1, w: wt1, gw: gw1, v: v1, rows: rowLists, nr: r1, d: d1 };
      if (setting === 'L2') return { ex, y, c, w: wt, gw: gws[0], v: V, rows: rowLists, nr: R, d };
      return { ex, y, c, w: wt, gw: gws[Math.floor(doc / CHUNK) % 4], v: V, rows: rowLists + doc * R * 4, nr: R, d };
    };
    const sweepIf = (doc) => {
      if (setting === 'step' && doc % BATCH === 0) {
        let s = 0;
        for (let i = sweep / 4, e = i + 9 * 262144; i < e; i += 16) s += f32[i];
        f32[sweep / 4] = s * 0; // keep the pass
      }
    };
    if (perCall) {
      const t = calls.map(() => []);
      for (let doc = 0; doc < DOCS; doc++) {
        sweepIf(doc);
        const a = args(doc), n = elems(a);
        calls.forEach((call, k) => {
          const t0 = now();
          call(a);
          t[k].push(((now() - t0) * 1e6) / n[k]);
        });
      }
      return t.map(median);
    }
    return calls.map((call, k) => {
      // 25 passes over the documents, timed between the sweeps (every
      // BATCH documents): loops of milliseconds.
      let ms = 0, n = 0;
      for (let rep = 0; rep < 25; rep++) {
        for (let lo = 0; lo < DOCS; lo += BATCH) {
          sweepIf(lo);
          const t0 = now();
          for (let doc = lo; doc < lo + BATCH; doc++) call(args(doc));
          ms += now() - t0;
          for (let doc = lo; doc < lo + BATCH; doc++) n += elems(args(doc))[k];
        }
      }
      return (ms * 1e6) / n;
    });
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
  const out = [];
  for (const s of settings) {
    names.forEach((nm, k) => out.push({ setting: s, kernel: nm, ns: sets.map((_, m) => median(res[m][s][k])) }));
  }
  // Reading W once per document, as a fused decoder would: the step's
  // pattern with W and the gradients stored as column blocks of bw (a
  // block's 32 rows of W, 32 KB at bw = 256, are still in L1 when gradRows
  // reads them after decodeRows), the three kernels called block by block
  // (timing only: the block sums are not the reference's). The time of a
  // document's three kernels, the median document (or the loop's average
  // with a coarse timer), in µs, for the first module set.
  const docTime = (bw) => {
    const ex = sets[0], t = [];
    let ms = 0;
    for (let doc = 0; doc < DOCS; doc++) {
      if (doc % BATCH === 0) {
        let s = 0;
        for (let i = sweep / 4, e = i + 9 * 262144; i < e; i += 16) s += f32[i];
        f32[sweep / 4] = s * 0;
      }
      const gw = gws[Math.floor(doc / CHUNK) % 4], rows = rowLists + doc * R * 4;
      const t0 = now();
      if (bw === 0) {
        ex.decodeRows(y, c, wt, V, rows, R, h);
        ex.sigmoidDelta(y, d, V, 1e-6);
        ex.gradRows(d, wt, gw, V, rows, R, h, g);
      } else {
        for (let lo = 0; lo < V; lo += bw) {
          const n = Math.min(bw, V - lo), off = lo * K * 4;
          ex.decodeRows(y + lo * 4, c + lo * 4, wt + off, n, rows, R, h);
          ex.sigmoidDelta(y + lo * 4, d + lo * 4, n, 1e-6);
          ex.gradRows(d + lo * 4, wt + off, gw + off, n, rows, R, h, g);
        }
      }
      const dt = now() - t0;
      t.push(dt * 1000);
      ms += dt;
    }
    return perCall ? median(t) : (ms * 1000) / DOCS;
  };
  const blocks = [0, 256, 512].map((bw) => ({ bw, us: [] }));
  for (let r = 0; r < rounds + 1; r++) {
    for (const b of r % 2 ? [...blocks].reverse() : blocks) {
      const x = docTime(b.bw);
      if (r > 0) b.us.push(x);
    }
  }
  return { rows: out, perCall, blocks: blocks.map((b) => ({ layout: b.bw ? `blocks of ${b.bw}` : 'rows', us: median(b.us) })) };
}

const moduleSets = dirs.map((d) =>
  fs.readdirSync(d).filter((f) => f.endsWith('.wasm')).sort().map((f) => fs.readFileSync(path.join(d, f)).toString('base64')));
const { result: results, engine } = await runHereOrInChromium(bench, { moduleSets, rounds });

console.log(`${engine}: ns per element, ${results.perCall ? 'the median call' : 'each kernel alone over the documents (the timer is too coarse for one call)'} (rows x V for decodeRows and gradRows, V for sigmoidDelta and softplus), then the median of ${rounds} rounds; load ${fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
console.table(results.rows.map((r) => {
  const row = { setting: r.setting, kernel: r.kernel };
  r.ns.forEach((v, m) => { row[dirs.length > 1 ? 'AB'[m] : 'ns'] = +v.toFixed(3); });
  if (r.ns.length > 1) row['B/A'] = +(r.ns[1] / r.ns[0]).toFixed(3);
  return row;
}));
console.log(`a document's decodeRows, sigmoidDelta and gradRows in the step's pattern, W and the gradients as rows or as column blocks (${dirs[0]}):`);
console.table(results.blocks.map((b) => ({ layout: b.layout, 'µs per document': +b.us.toFixed(2), 'vs rows': +(b.us / results.blocks[0].us).toFixed(3) })));
