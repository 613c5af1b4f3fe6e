// node-bench.mjs DATA SIMD EPOCHS — the benchmark of bench-page.mjs in
// Node (a worker thread); prints the figures as JSON on the last line.
import { readCorpus, distDir } from '../test/support.mjs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [data, simdArg, epochsArg] = process.argv.slice(2);
const kate = await import(pathToFileURL(path.join(distDir, 'kate.mjs')).href);
const rows = readCorpus(data);
const train = rows.filter((r) => r.split === 'train').map((r) => r.text);
const test = rows.filter((r) => r.split === 'test').map((r) => r.text);
await kate.initialize({ simd: simdArg !== '0' });
const ends = [];
let t0 = performance.now();
const model = await kate.train(train, { epochs: Number(epochsArg), seed: 1, onProgress: (e) => e.epochDone && ends.push(e) });
const trainMs = performance.now() - t0;
const nVal = Math.min(1000, Math.floor(train.length / 5));
const perEpoch = [];
for (let i = 1; i < ends.length; i++) perEpoch.push(((train.length - nVal) / (ends[i].elapsedMs - ends[i - 1].elapsedMs)) * 1000);
const s = [...perEpoch].sort((a, b) => a - b);
t0 = performance.now();
await model.encode(test);
const coldMs = performance.now() - t0;
t0 = performance.now();
await model.encode(test);
const warmMs = performance.now() - t0;
const info = await kate.runtimeInfo();
console.log(JSON.stringify({
  kernels: info.kernels,
  trainDocsPerSecond: ends[ends.length - 1].docsPerSecond,
  epochDocsPerSecondMedian: s[(s.length - 1) >> 1],
  setupMs: trainMs - ends[ends.length - 1].elapsedMs,
  encodeColdDocsPerSecond: (test.length / coldMs) * 1000,
  encodeWarmDocsPerSecond: (test.length / warmMs) * 1000,
  peakMemoryBytes: info.peakMemoryBytes,
}));
