// Unit tests of the neighbour layout (demo/src/layout.js), in Node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { neighbourLayout, pullIn, MAX_LAYOUT_DOCS } from '../src/layout.js';

// Four well-separated clusters in 16 dimensions, started from a useless
// layout (all clusters mixed on a circle).
function clusters(perCluster = 60, dim = 16) {
  let s = 12345;
  const rnd = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32) - 0.5;
  const n = 4 * perCluster;
  const data = new Float32Array(n * dim);
  const label = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 4;
    label[i] = c;
    for (let j = 0; j < dim; j++) data[i * dim + j] = (j % 4 === c ? 1 : 0) + 0.15 * rnd();
  }
  const init = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    init[2 * i] = Math.cos(i);
    init[2 * i + 1] = Math.sin(i);
  }
  return { data, label, n, dim, init };
}

function agreement(xy, label, n, k = 10) {
  let same = 0;
  for (let i = 0; i < n; i++) {
    const d = [];
    for (let j = 0; j < n; j++) if (j !== i) d.push([(xy[2 * i] - xy[2 * j]) ** 2 + (xy[2 * i + 1] - xy[2 * j + 1]) ** 2, j]);
    d.sort((a, b) => a[0] - b[0]);
    for (const [, j] of d.slice(0, k)) same += label[j] === label[i] ? 1 : 0;
  }
  return same / (n * k);
}

test('the layout puts neighbours together: separated clusters stay apart in 2-D', () => {
  const { data, label, n, dim, init } = clusters();
  assert.ok(agreement(init, label, n) < 0.5, 'the start layout mixes the clusters');
  const seen = [];
  const xy = neighbourLayout(data, n, dim, init, { onProgress: (f) => seen.push(f) });
  assert.equal(xy.length, 2 * n);
  assert.ok(xy.every(Number.isFinite), 'finite coordinates');
  const a = agreement(xy, label, n);
  assert.ok(a > 0.95, `10-NN label agreement in 2-D is ${a}`);
  assert.ok(seen.length > 3 && seen.every((f, i) => f >= 0 && f <= 1 && (i === 0 || f >= seen[i - 1])), 'progress rises from 0 to 1');
});

test('the layout is deterministic and validates its input size', () => {
  const { data, n, dim, init } = clusters(20);
  assert.deepEqual(neighbourLayout(data, n, dim, init), neighbourLayout(data, n, dim, init));
  assert.deepEqual(neighbourLayout(data.subarray(0, 2 * dim), 2, dim, init.subarray(0, 4)), init.subarray(0, 4));
  assert.throws(() => neighbourLayout(new Float32Array(0), MAX_LAYOUT_DOCS + 1, 1, new Float32Array(0)), /at most/);
});

test('pullIn brings far outliers closer and leaves the bulk alone', () => {
  const n = 100;
  const xy = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    xy[2 * i] = Math.cos(i) * (i % 10);
    xy[2 * i + 1] = Math.sin(i) * (i % 10);
  }
  xy[0] = 1000;
  xy[1] = 0;
  const before = Float32Array.from(xy);
  pullIn(xy, n);
  assert.ok(xy[0] < 100 && xy[0] > 9, `the outlier moved from 1000 to ${xy[0]}`);
  let same = 0;
  for (let i = 1; i < n; i++) if (xy[2 * i] === before[2 * i] && xy[2 * i + 1] === before[2 * i + 1]) same++;
  assert.ok(same >= 90, `${same} of 99 points unchanged`);
});
