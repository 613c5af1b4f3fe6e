// layout.js — a small UMAP-style neighbour-graph layout (McInnes et al.
// 2018, simplified) for the map, in plain JavaScript, run in a worker
// (layout.worker.js). It starts from the PCA coordinates computed by the
// kate package (Go, its own Jacobi/subspace eigen-solver; no gonum in the
// WebAssembly build) and moves the points so that each document lands next
// to its nearest neighbours by cosine similarity: clusters that two
// principal components cannot separate become visible.
//
//   1. exact k nearest neighbours by cosine similarity (O(n² · dim));
//   2. fuzzy neighbour weights: w = exp(-(d - rho) / sigma), with sigma per
//      point so that the weights sum to log2(k), then symmetrised
//      (w_ij + w_ji - w_ij·w_ji);
//   3. stochastic gradient descent on the embedding's cross-entropy:
//      attraction along the edges (sampled in proportion to their weight),
//      repulsion from random points (negative sampling), min_dist 0.1;
//   4. far outlying groups are pulled in (radially, logarithmically) so
//      that they do not squeeze the rest of the map into a corner.
// Deterministic: the same input and seed give the same layout.

/** The largest number of documents the layout accepts (it is quadratic). */
export const MAX_LAYOUT_DOCS = 6000;

/**
 * @param {Float32Array} data row-major n x dim vectors
 * @param {number} n
 * @param {number} dim
 * @param {Float32Array} init n x 2 start coordinates (PCA)
 * @param {{k?: number, epochs?: number, seed?: number, onProgress?: (f: number) => void,
 *   onFrame?: (xy: Float32Array, epoch: number) => void, frameEvery?: number}} [opts]
 *   onFrame receives a copy of the coordinates (outliers pulled in) every
 *   frameEvery epochs of the optimisation, for drawing the move as it happens.
 * @returns {Float32Array} n x 2 coordinates
 */
export function neighbourLayout(data, n, dim, init, opts = {}) {
  if (n < 3) return Float32Array.from(init);
  if (n > MAX_LAYOUT_DOCS) throw new Error(`the neighbour layout takes at most ${MAX_LAYOUT_DOCS} documents`);
  const k = Math.min(opts.k ?? 15, n - 1);
  const epochs = opts.epochs ?? (n > 3000 ? 200 : 300);
  const progress = opts.onProgress ?? (() => {});

  // Unit rows: cosine similarity is a dot product.
  const X = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += data[i * dim + j] ** 2;
    s = Math.sqrt(s) || 1;
    for (let j = 0; j < dim; j++) X[i * dim + j] = data[i * dim + j] / s;
  }

  // 1. k nearest neighbours (distance 1 - cosine), kept sorted in a small insertion list.
  const nbr = new Int32Array(n * k);
  const dist = new Float32Array(n * k);
  const topI = new Int32Array(k);
  const topS = new Float32Array(k);
  for (let i = 0; i < n; i++) {
    let len = 0;
    const a = i * dim;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const b = j * dim;
      let s = 0;
      for (let t = 0; t < dim; t++) s += X[a + t] * X[b + t];
      if (len < k || s > topS[len - 1]) {
        let p = len < k ? len++ : k - 1;
        while (p > 0 && topS[p - 1] < s) {
          topS[p] = topS[p - 1];
          topI[p] = topI[p - 1];
          p--;
        }
        topS[p] = s;
        topI[p] = j;
      }
    }
    for (let q = 0; q < k; q++) {
      nbr[i * k + q] = topI[q];
      dist[i * k + q] = Math.max(0, 1 - topS[q]);
    }
    if (i % 256 === 0) progress(0.6 * (i / n));
  }

  // 2. Fuzzy weights, symmetrised.
  const target = Math.log2(k);
  const edges = new Map();
  for (let i = 0; i < n; i++) {
    const rho = dist[i * k];
    let lo = 0, hi = Infinity, sigma = 1;
    for (let it = 0; it < 64; it++) {
      let s = 0;
      for (let q = 0; q < k; q++) {
        const d = dist[i * k + q] - rho;
        s += d > 0 ? Math.exp(-d / sigma) : 1;
      }
      if (Math.abs(s - target) < 1e-5) break;
      if (s > target) {
        hi = sigma;
        sigma = (lo + hi) / 2;
      } else {
        lo = sigma;
        sigma = hi === Infinity ? sigma * 2 : (lo + hi) / 2;
      }
    }
    for (let q = 0; q < k; q++) {
      const j = nbr[i * k + q];
      const d = dist[i * k + q] - rho;
      const w = d > 0 ? Math.exp(-d / sigma) : 1;
      const key = i < j ? i * n + j : j * n + i;
      const prev = edges.get(key);
      edges.set(key, prev === undefined ? w : prev + w - prev * w);
    }
  }
  const E = edges.size;
  const head = new Int32Array(E), tail = new Int32Array(E), every = new Float32Array(E);
  let e = 0, wmax = 0;
  for (const w of edges.values()) wmax = Math.max(wmax, w);
  for (const [key, w] of edges) {
    head[e] = Math.floor(key / n);
    tail[e] = key % n;
    every[e] = wmax / w; // sample an edge once every `every` epochs
    e++;
  }
  const next = Float32Array.from(every);

  // 3. Start from the PCA coordinates, scaled to [-10, 10].
  const Y = new Float32Array(n * 2);
  for (const c of [0, 1]) {
    let lo = Infinity, hi = -Infinity;
    for (let i = 0; i < n; i++) {
      lo = Math.min(lo, init[2 * i + c]);
      hi = Math.max(hi, init[2 * i + c]);
    }
    for (let i = 0; i < n; i++) Y[2 * i + c] = ((init[2 * i + c] - lo) / (hi - lo || 1)) * 20 - 10;
  }
  let s = (opts.seed ?? 42) >>> 0 || 1;
  const rnd = () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s;
  };
  const A = 1.577, B = 0.895, NEG = 5; // min_dist 0.1, spread 1
  const clip = (v) => (v > 4 ? 4 : v < -4 ? -4 : v);
  for (let ep = 1; ep <= epochs; ep++) {
    const lr = 1 - (ep - 1) / epochs;
    for (let q = 0; q < E; q++) {
      if (next[q] > ep) continue;
      next[q] += every[q];
      const i = head[q], j = tail[q];
      let dx = Y[2 * i] - Y[2 * j], dy = Y[2 * i + 1] - Y[2 * j + 1];
      let d2 = dx * dx + dy * dy;
      if (d2 > 0) {
        const c = (-2 * A * B * Math.pow(d2, B - 1)) / (A * Math.pow(d2, B) + 1);
        const gx = clip(c * dx) * lr, gy = clip(c * dy) * lr;
        Y[2 * i] += gx;
        Y[2 * i + 1] += gy;
        Y[2 * j] -= gx;
        Y[2 * j + 1] -= gy;
      }
      for (let t = 0; t < NEG; t++) {
        const m = rnd() % n;
        if (m === i) continue;
        dx = Y[2 * i] - Y[2 * m];
        dy = Y[2 * i + 1] - Y[2 * m + 1];
        d2 = dx * dx + dy * dy;
        if (d2 > 0) {
          const c = (2 * B) / ((0.001 + d2) * (A * Math.pow(d2, B) + 1));
          Y[2 * i] += clip(c * dx) * lr;
          Y[2 * i + 1] += clip(c * dy) * lr;
        }
      }
    }
    if (ep % 10 === 0) progress(0.6 + 0.4 * (ep / epochs));
    if (opts.onFrame && ep % (opts.frameEvery ?? 15) === 0 && ep < epochs) {
      const frame = Float32Array.from(Y);
      pullIn(frame, n);
      opts.onFrame(frame, ep);
    }
  }
  pullIn(Y, n);
  return Y;
}

/** Pulls far outliers towards the centre (log-compresses radii beyond the 95th percentile). */
export function pullIn(Y, n) {
  const xs = [], ys = [];
  for (let i = 0; i < n; i++) {
    xs.push(Y[2 * i]);
    ys.push(Y[2 * i + 1]);
  }
  const med = (a) => a.slice().sort((p, q) => p - q)[a.length >> 1];
  const cx = med(xs), cy = med(ys);
  const r = new Float32Array(n);
  for (let i = 0; i < n; i++) r[i] = Math.hypot(Y[2 * i] - cx, Y[2 * i + 1] - cy);
  const R = Float32Array.from(r).sort()[Math.floor(0.95 * (n - 1))] || 1;
  for (let i = 0; i < n; i++) {
    if (r[i] <= R) continue;
    const f = (R * (1 + 0.4 * Math.log(r[i] / R))) / r[i];
    Y[2 * i] = cx + (Y[2 * i] - cx) * f;
    Y[2 * i + 1] = cy + (Y[2 * i + 1] - cy) * f;
  }
}
