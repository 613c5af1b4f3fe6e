// Unit tests of the demo's training advice (demo/src/training.js), in Node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { autoEpochs, trainingEnd } from '../src/training.js';

test('autoEpochs: more epochs for small corpora, within [10, 100], multiples of 5', () => {
  assert.equal(autoEpochs(2700), 45);
  assert.equal(autoEpochs(40), 100);
  assert.equal(autoEpochs(11314), 10);
  assert.equal(autoEpochs(200000), 10);
  for (const n of [1, 3, 99, 500, 1234, 5000, 9999]) {
    const e = autoEpochs(n);
    assert.ok(e >= 10 && e <= 100 && e % 5 === 0, `${n} documents: ${e} epochs`);
    assert.ok(autoEpochs(n + 1000) <= e, 'never more epochs for more documents');
  }
});

const run = (vals) => vals.map((v, i) => ({ epoch: i + 1, loss: v / 10, valLoss: v }));

test('trainingEnd: still improving at the limit', () => {
  const points = run([0.7, 0.66, 0.64, 0.63, 0.62, 0.615, 0.61, 0.605, 0.6, 0.595]);
  const end = trainingEnd(points, 10, 10);
  assert.equal(end.kind, 'improving');
  assert.match(end.text, /^Reached the limit of 10 epochs while the validation loss was still improving \(4\.0% over the last 5 epochs\): more epochs would refine the model a little \(validation loss 0\.595\)\.$/);
});

test('trainingEnd: stopped early, and ran out after the best epoch', () => {
  const points = run([0.7, 0.6, 0.55, 0.56, 0.57, 0.58, 0.59, 0.6]);
  const early = trainingEnd(points, 30, 3);
  assert.equal(early.kind, 'early');
  assert.match(early.text, /^Stopped early, at epoch 8 of 30: .* epoch 3 \(validation loss 0\.55\)\.$/);
  const limit = trainingEnd(points, 8, 3);
  assert.equal(limit.kind, 'limit');
  assert.match(limit.text, /^Ran all 8 epochs; the best was epoch 3/);
  assert.equal(trainingEnd([], 5, 0).text, '');
});
