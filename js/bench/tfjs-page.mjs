// tfjs-page.mjs — the same tied KATE model trained with TensorFlow.js's
// WebAssembly backend (SIMD, one thread: the page is not cross-origin
// isolated), for the side-by-side figure of js/bench/run.mjs (docs/speed.md).
// /tfjs/tf.mjs is TensorFlow.js core with its gradients and the wasm
// backend, bundled by run.mjs from the dev dependencies; /tfjs-wasm/ serves
// the backend's .wasm files. Query parameters: data (URL of a 20 Newsgroups
// JSON Lines .gz file), seconds (training time measured after 5 warm-up
// batches).
// Input vectors: lower-cased letter runs, the 2,000 most frequent words,
// log(1+count) / max log(1+count) (no stemming or stopwords: the shapes and
// sparsity are what matter for speed). Model: K = 128, k = 32 (16 positive,
// 16 negative winners), alpha = 6.26, tied weights, sigmoid cross-entropy,
// Adadelta (2.0, 0.95, 1e-8), batches of 100, KATE's gradient through the
// competition (compete below). TensorFlow.js computes densely (B×V×K
// products per matrix product): that is what the comparison measures.
import * as tf from '/tfjs/tf.mjs';
const q = new URLSearchParams(location.search);
const out = document.getElementById('out');
const log = (s) => {
  out.textContent += `\n${s}`;
};
const V = 2000, K = 128, KP = 16, KN = 16, ALPHA = 6.26, B = 100;

async function corpus(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  const text = await new Response(r.body.pipeThrough(new DecompressionStream('gzip'))).text();
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((d) => d.split === 'train').map((d) => d.text);
}

function vectors(texts) {
  const docs = texts.map((t) => {
    const c = new Map();
    for (const w of t.toLowerCase().match(/[a-z]{2,}/g) || []) c.set(w, (c.get(w) || 0) + 1);
    return c;
  });
  const tf0 = new Map();
  for (const c of docs) for (const [w, n] of c) tf0.set(w, (tf0.get(w) || 0) + n);
  const vocab = new Map([...tf0].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, V).map(([w], i) => [w, i]));
  return docs.map((c) => {
    const idx = [], val = [];
    let mx = 0;
    for (const [w, n] of c) if (vocab.has(w)) { idx.push(vocab.get(w)); val.push(Math.log1p(n)); mx = Math.max(mx, Math.log1p(n)); }
    return { idx, val: val.map((v) => v / mx) };
  }).filter((d) => d.idx.length > 0);
}

// The k-competitive layer with KATE's gradient (docs/design.md §1.3): a
// winner passes its gradient through, a loser of a side receives alpha times
// the sum of that side's winners' gradients.
const compete = tf.customGrad((z, save) => {
  const side = (s, k) => {
    const thr = tf.slice(tf.topk(s, k).values, [0, k - 1], [-1, 1]);
    const win = tf.cast(tf.logicalAnd(tf.greaterEqual(s, thr), tf.greater(s, 0)), 'float32');
    const lose = tf.sub(tf.cast(tf.greater(s, 0), 'float32'), win);
    const energy = tf.sum(tf.mul(s, lose), 1, true);
    return { win, lose, h: tf.mul(tf.add(s, tf.mul(ALPHA, energy)), win) };
  };
  const p = side(tf.relu(z), KP);
  const n = side(tf.relu(tf.neg(z)), KN);
  save([p.win, p.lose, n.win, n.lose]);
  return {
    value: tf.sub(p.h, n.h),
    gradFunc: (dy, [pw, pl, nw, nl]) => {
      const sp = tf.sum(tf.mul(dy, pw), 1, true);
      const sn = tf.sum(tf.mul(dy, nw), 1, true);
      return tf.add(tf.mul(dy, tf.add(pw, nw)), tf.mul(ALPHA, tf.add(tf.mul(sp, pl), tf.mul(sn, nl))));
    },
  };
});

async function main() {
  tf.setWasmPaths('/tfjs-wasm/');
  await tf.setBackend('wasm');
  await tf.ready();
  const docs = vectors(await corpus(q.get('data')));
  const seconds = Number(q.get('seconds') || 30);
  log(`backend ${tf.getBackend()}, ${docs.length} documents`);
  const W = tf.variable(tf.randomNormal([V, K], 0, 0.01, 'float32', 1));
  const b = tf.variable(tf.zeros([K]));
  const c = tf.variable(tf.zeros([V]));
  const opt = tf.train.adadelta(2.0, 0.95, 1e-8);
  const x = new Float32Array(B * V);
  let done = 0, t0 = 0, batches = 0;
  for (let i = 0; ; i = (i + B) % (docs.length - B)) {
    x.fill(0);
    for (let d = 0; d < B; d++) {
      const { idx, val } = docs[i + d];
      for (let q2 = 0; q2 < idx.length; q2++) x[d * V + idx[q2]] = val[q2];
    }
    const X = tf.tensor2d(x, [B, V]);
    const loss = opt.minimize(() => {
      const z = tf.tanh(tf.add(tf.matMul(X, W), b));
      const y = tf.add(tf.matMul(compete(z), W, false, true), c);
      return tf.losses.sigmoidCrossEntropy(X, y);
    }, true, [W, b, c]);
    await loss.data();
    loss.dispose();
    X.dispose();
    batches++;
    if (batches === 5) {
      t0 = performance.now();
      console.log('timing starts'); // run.mjs reads the CPU time here and at the end
    }
    if (batches > 5) done += B;
    if (t0 && performance.now() - t0 > seconds * 1000) break;
  }
  const ms = performance.now() - t0;
  const docsPerSecond = (done / ms) * 1000;
  console.log('timing ends');
  log(`${Math.round(docsPerSecond)} docs/s`);
  window.benchResult = { docsPerSecond, docs: done, ms, backend: tf.getBackend(), userAgent: navigator.userAgent };
}

main().catch((e) => {
  log(`ERROR ${e && e.stack ? e.stack : e}`);
  window.benchResult = { error: String(e && e.message ? e.message : e) };
});
