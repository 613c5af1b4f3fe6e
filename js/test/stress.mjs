// stress.mjs — the JavaScript engine under the loads of issue 13 (item 3),
// run by ./build.sh stress (scripts/stress/stress.sh), not by the tests:
// minutes of CPU and gigabytes of WebAssembly memory.
//
// In worker and local mode: five trainings of the largest model at once
// (4,000 texts with about 91,000 distinct words, dim 512, vocabSize 65536,
// stem false, 1 epoch). Each must either succeed or reject with "not enough
// memory for this model"; the engine must not die, nothing may print a
// goroutine dump, and a small training afterwards must work. Then a
// 600 MB load() is rejected without being copied to the worker (item 9).
// Prints the time, the engine's peak memory and the outcome of each run.
import assert from 'node:assert/strict';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { distDir } from './support.mjs';

/**
 * 4,000 texts of 60 words drawn uniformly from 100,000 made-up words
 * (deterministic): about 91,000 distinct words, so the vocabulary is full
 * (V = 65,536) and the model the largest allowed (V x 512 = 2^25 weights).
 */
function bigCorpus() {
  let x = 12345;
  const rnd = () => {
    // xorshift32: exact in 32-bit integer arithmetic (a float LCG loses
    // precision and cycles over a few thousand values).
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
  const word = (i) => `w${i.toString(36)}x`;
  const texts = [];
  for (let d = 0; d < 4000; d++) {
    const words = [];
    for (let j = 0; j < 60; j++) words.push(word(Math.floor(rnd() * 100000)));
    texts.push(words.join(' '));
  }
  return texts;
}

const printed = [];
for (const k of ['log', 'error', 'warn']) {
  const orig = console[k];
  console[k] = (...a) => {
    printed.push(a.join(' '));
    orig(...a);
  };
}

const worker = process.argv[2] !== 'local';
const kate = await import(pathToFileURL(path.join(distDir, 'kate.node.mjs')).href);
await kate.initialize({ worker });
const texts = bigCorpus();
const t0 = Date.now();
const runs = [];
for (let i = 0; i < 5; i++) {
  runs.push(kate.train(texts, { dim: 512, vocabSize: 65536, stem: false, epochs: 1, seed: i + 1 }).then(
    (m) => ({ ok: true, vocabSize: m.vocabSize, model: m }),
    (e) => ({ ok: false, message: e.message }),
  ));
}
const results = await Promise.all(runs);
const info = await kate.runtimeInfo();
console.log(`${worker ? 'worker' : 'local'} mode: 5 concurrent trainings (dim 512, vocabSize 65536, 4,000 texts) in ${((Date.now() - t0) / 1000).toFixed(1)} s, engine peak memory ${(info.peakMemoryBytes / 2 ** 20).toFixed(0)} MiB`);
for (const [i, r] of results.entries()) console.log(`  training ${i + 1}: ${r.ok ? `ok, V = ${r.vocabSize}` : r.message}`);
for (const r of results) {
  assert.ok(r.ok || /not enough memory for this model/.test(r.message), `unexpected failure: ${r.message}`);
  if (r.ok) assert.equal(r.vocabSize, 65536, 'the corpus must fill the largest vocabulary');
  if (r.ok) await r.model.dispose();
}
assert.ok(results.some((r) => r.ok), 'no training succeeded');
assert.ok(!printed.some((l) => /goroutine \d+ \[/.test(l)), 'a goroutine dump was printed');
const small = await kate.train(texts.slice(0, 200), { dim: 16, epochs: 1 });
assert.equal((await small.encode(['w1x w2x'])).dims[1], 16);

// load(): a 600 MB buffer is refused before it is copied to the engine.
const t1 = Date.now();
await assert.rejects(kate.load(new Uint8Array(600 << 20)), /larger than \d+ bytes/);
console.log(`  load(600 MB): rejected in ${Date.now() - t1} ms`);
process.exit(0);
