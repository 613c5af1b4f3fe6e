// validation-decoder.mjs — the validation losses' decoder in wasm/simd's
// kernels.wasm, grouped (decodeRowsDocs: 8 documents per call) against
// document by document (decodeRows), in the validation's pattern: each
// document decoded from all K = 128 units (the loss without competition)
// and from 32 of them (with it), at V = 2,000 and V = 10,000 (docs/speed.md,
// "Where issue 14 stands (end of the seventh session)"):
//
//   node js/bench/validation-decoder.mjs [--rounds 7] [--chromium]
//
// Each round times one pass over 64 documents (8 groups) with each form,
// the two forms alternating first, and keeps the pass's time per document;
// the table gives the median over the rounds (round 0 warms the engine up)
// and grouped / per document. Both forms give the same outputs (checked
// here for every group before the timing: the same bits). --chromium runs it in a headless
// Chromium page (its V8 is newer than Node's) instead of in this process.
import fs from 'node:fs';
import path from 'node:path';
import { rootDir, runHereOrInChromium, flagValue as arg } from '../test/support.mjs';

const rounds = Number(arg('rounds', 7));

// bench runs in this process or in a page (page.evaluate sends its source):
// it uses nothing outside itself.
function bench({ b64, rounds }) {
  const K = 128, R = 32, G = 8, DOCS = 64;
  const mem = new WebAssembly.Memory({ initial: 1200 }); // 78.6 MB
  const bytes = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
  const ex = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { mem } }).exports;
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
  const median = (a) => [...a].sort((p, q) => p - q)[(a.length - 1) >> 1];
  const out = [];
  for (const V of [2000, 10000]) {
    const wt = alloc(K * V), c = alloc(V);
    for (let i = 0; i < K * V; i++) f32[wt / 4 + i] = (rand() * 2 - 1) * 0.1;
    for (let i = 0; i < V; i++) f32[c / 4 + i] = rand();
    // Two decodes per document: all K rows, then R of them.
    const n = 2 * G;
    const h = alloc(DOCS * 2 * K), rows = alloc(DOCS * 2 * K), offs = alloc(DOCS * 2 + 1);
    const yA = alloc(n * V), yB = alloc(n * V);
    let o = 0;
    for (let e = 0; e < DOCS * 2; e++) {
      for (let j = 0; j < K; j++) f32[h / 4 + e * K + j] = rand() * 2 - 1;
      i32[offs / 4 + e] = o;
      const nr = e % 2 ? R : K;
      for (let j = 0; j < nr; j++) i32[rows / 4 + o + j] = e % 2 ? Math.floor(rand() * K) : j;
      o += nr;
    }
    i32[offs / 4 + DOCS * 2] = o;
    const perDoc = (g) => {
      for (let e = 0; e < n; e++) {
        const d = g * n + e, lo = i32[offs / 4 + d], hi = i32[offs / 4 + d + 1];
        ex.decodeRows(yA + e * V * 4, c, wt, V, rows + lo * 4, hi - lo, h + d * K * 4);
      }
    };
    const grouped = (g) => {
      // decodeRowsDocs reads offs relative to rows, as validationLosses passes them.
      ex.decodeRowsDocs(yB, c, wt, V, rows, offs + g * n * 4, n, h + g * n * K * 4, K);
    };
    // The same bits: every group, both forms, before the timing.
    for (let g = 0; g < DOCS / G; g++) {
      perDoc(g);
      grouped(g);
      for (let i = 0; i < n * V; i++) {
        const a = f32[yA / 4 + i], b = f32[yB / 4 + i];
        if (a !== b && !(Number.isNaN(a) && Number.isNaN(b))) throw new Error(`V=${V}: output ${i} of group ${g} differs`);
      }
    }
    const t = { perDoc: [], grouped: [] };
    for (let r = 0; r <= rounds; r++) {
      const order = r % 2 ? ['grouped', 'perDoc'] : ['perDoc', 'grouped'];
      for (const form of order) {
        const t0 = performance.now();
        for (let g = 0; g < DOCS / G; g++) {
          if (form === 'perDoc') perDoc(g); else grouped(g);
        }
        const ms = performance.now() - t0;
        if (r > 0) t[form].push(ms);
      }
    }
    const per = median(t.perDoc), grp = median(t.grouped);
    out.push({ V, 'per document, µs a document': +(per * 1000 / DOCS).toFixed(1), 'grouped, µs a document': +(grp * 1000 / DOCS).toFixed(1), 'grouped / per document': +(grp / per).toFixed(3) });
  }
  return out;
}

const b64 = fs.readFileSync(path.join(rootDir, 'wasm', 'simd', 'kernels.wasm')).toString('base64');
const { result: rows, engine } = await runHereOrInChromium(bench, { b64, rounds });
console.log(`${engine}: the validation decoder (each document from all 128 units and from 32), medians of ${rounds} rounds over 64 documents; load ${fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
console.table(rows);
