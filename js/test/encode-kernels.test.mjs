// encode-kernels.test.mjs — an engine that only encodes (no training, so
// the SIMD kernels' full start-up check never runs) installs the SIMD
// encoder kernel, checked alone, with its first encode call of
// ENCODE_KERNELS_MIN texts or more, and gives the native command-line
// tool's embeddings bit for bit before, with and after it; smaller calls
// leave the pure-Go kernels. Its own process: the engine must be fresh.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { distDir, smallSetup, nativeReference } from './support.mjs';
import { ENCODE_KERNELS_MIN } from '../src/protocol.js';

test('an engine that only encodes uses the SIMD encoder kernel from its first large call, same embeddings', async () => {
  const kate = await import(pathToFileURL(path.join(distDir, 'kate.node.mjs')).href);
  const hooks = kate.initialize[Symbol.for('kate.testing')];
  const setup = smallSetup();
  // dim 26: six groups of four rows in the SIMD module, two rows in Go.
  const flags = setup.flags.map((f, i) => (setup.flags[i - 1] === '--dim' ? '26' : f));
  const ref = nativeReference(setup.train, setup.test, flags);
  const n = setup.test.length;
  assert.ok(n < ENCODE_KERNELS_MIN && 2 * n >= ENCODE_KERNELS_MIN, `the test split (${n}) straddles the threshold`);
  await kate.initialize({ worker: false });
  const model = await kate.load(ref.model);
  assert.equal(model.dim, 26);
  const same = (data, what) => {
    for (let i = 0; i < data.length; i++) {
      if (data[i] !== ref.embeddings[i % (n * 26)]) assert.fail(`${what}: embedding ${Math.floor(i / 26)}, unit ${i % 26} differs from the native one`);
    }
  };
  same((await model.encode(setup.test)).data, 'a small call');
  assert.deepEqual(await hooks.kernelSets(), { engine: 'go', helpers: [] }, 'a small call leaves the pure-Go kernels');
  const twice = [...setup.test, ...setup.test];
  same((await model.encode(twice)).data, 'the first large call');
  assert.equal((await hooks.kernelSets()).engine, 'wasm-simd-encode', 'a large call installs the encoder kernel alone');
  same((await model.encode(twice)).data, 'a later large call');
  const info = await kate.runtimeInfo(); // installs all the kernels, after their full check
  assert.equal(info.kernels, 'simd', `SIMD kernels expected in Node (${info.simdError})`);
  assert.equal((await hooks.kernelSets()).engine, 'wasm-simd');
  same((await model.encode(twice)).data, 'with all the SIMD kernels');
  assert.equal(await hooks.selfTest(5), '');
  await model.dispose();
});
