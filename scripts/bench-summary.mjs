// bench-summary.mjs — the one table ./build.sh bench ends with: the headline
// figures of the benchmarks it ran, read from their outputs at the
// repository root (bench-native.txt: `kate version`, naming the kernels,
// then go test -bench output; bench-native-go.txt, bench-wasm.txt: go test
// -bench output;
// bench-js.txt: js/bench/run.mjs, whose last line is JSON; bench-first.txt:
// demo/bench/first-embedding.mjs). A missing file or figure shows as "-".
//
//   node scripts/bench-summary.mjs
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const read = (name) => {
  try {
    return fs.readFileSync(path.join(root, name), 'utf8');
  } catch {
    return '';
  }
};
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[(s.length - 1) >> 1] : NaN;
};
// goBench returns the median docs/s of the benchmark lines named name
// (exactly, before the -GOMAXPROCS suffix) in go test -bench output.
function goBench(text, name) {
  const xs = [];
  for (const line of text.split('\n')) {
    const m = /^(Benchmark\S+?)(-\d+)?\s+\d+\s+.*?([\d.]+) docs\/s/.exec(line);
    if (m && m[1] === name) xs.push(Number(m[3]));
  }
  return median(xs);
}
let js = {};
try {
  js = JSON.parse(read('bench-js.txt').trim().split('\n').pop());
} catch {
  js = {};
}
const row = (prefix, kernels) => (js.rows || []).find((r) => r.name.startsWith(prefix) && r.kernels === kernels) || {};
const chromium = row('Chromium (', 'simd');
const sampled = (js.rows || []).find((r) => r.name.includes('V=10,000, sampling')) || {};
const tfjs = row('Chromium, TensorFlow.js', 'tfjs');
const many = (js.rows || []).find((r) => r.name.startsWith('Chromium (') && r.kernels === 'simd' && r['train workers'] > 1) || {};
const node = row('Node', 'simd');
const nativeReal = (js.rows || []).find((r) => r.name.startsWith('native, kate train')) || {};
const first = /median over \d+ fresh contexts: total (\d+) ms/.exec(read('bench-first.txt'));
const native = read('bench-native.txt');
const nativeGo = read('bench-native-go.txt');
const nativeKernels = (/kernels (\S+)\)/.exec(native) || [])[1] || '?';
const wasm = read('bench-wasm.txt');
const trainKey = 'train docs/s (epochs 2+)';
const host = (js.rows || []).find((r) => r.name.startsWith('host')) || {};
// perRun: a row's ratio to TensorFlow.js taken within each run (median over
// runs), by wall clock and by CPU time.
const perRun = (r) => (typeof r['x TensorFlow.js (per run)'] === 'number' ? `${r['x TensorFlow.js (per run)']}x; ${r['x TensorFlow.js per CPU s (per run)'] ?? '-'}x per CPU second` : '-');
const fmt = (v, digits = 0) => (typeof v === 'number' && Number.isFinite(v) ? v.toLocaleString('en-US', { maximumFractionDigits: digits }) : '-');
const rows = [
  ['training, Chromium, kate (worker, SIMD), 20NG, epochs 2+, docs/s', fmt(chromium[trainKey])],
  ['training, Chromium, TensorFlow.js 4.22 wasm, same run, docs/s', fmt(tfjs[trainKey])],
  ['  kate / TensorFlow.js (median of per-run ratios; per CPU second)', perRun(chromium)],
  [`training, Chromium, kate on ${many['train workers'] ?? 'the default'} workers (data-parallel), docs/s`, fmt(many[trainKey])],
  ['  kate on several workers / TensorFlow.js', perRun(many)],
  ['training, Chromium, kate at V=10,000 with sampling 2 (1 worker), docs/s', fmt(sampled[trainKey])],
  ['  kate at V=10,000 (sampling 2) / TensorFlow.js at V=2,000', perRun(sampled)],
  ['host memory slice during the Chromium runs, median ms (slowest run / fastest)', host['memory slice ms'] ? `${host['memory slice ms']} (${host['memory slice ms, slowest run / fastest']}x)` : '-'],
  ['training, Node (worker thread, SIMD), 20NG, docs/s', fmt(node[trainKey])],
  [`training, native kate train (${nativeReal.kernels ?? '?'} kernels), all cores, 20NG, same run as Chromium, whole-run docs/s`, fmt(nativeReal['train docs/s (whole run)'])],
  ['  native / Chromium (the better of 1 and several workers, whole run; median of per-run ratios)', typeof nativeReal['native / Chromium best (whole run, per run)'] === 'number' ? `${nativeReal['native / Chromium best (whole run, per run)'].toFixed(2)}x` : '-'],
  [`training, native (${nativeKernels} kernels), all cores (synthetic, k=32), docs/s`, fmt(goBench(native, 'BenchmarkTrain/k=32/sparse-parallel'))],
  [`training, native (${nativeKernels} kernels), 1 goroutine (synthetic, k=32), docs/s`, fmt(goBench(native, 'BenchmarkTrain/k=32/sparse-serial'))],
  ['training, native (pure-Go kernels), all cores / 1 goroutine, docs/s', `${fmt(goBench(nativeGo, 'BenchmarkTrain/k=32/sparse-parallel'))} / ${fmt(goBench(nativeGo, 'BenchmarkTrain/k=32/sparse-serial'))}`],
  ['training, wasm in Node, pure-Go kernels (synthetic, k=32), docs/s', fmt(goBench(wasm, 'BenchmarkTrain/k=32/sparse-serial'))],
  ['training at V=10,000, native, exact / sampling 5, docs/s', `${fmt(goBench(native, 'BenchmarkTrainSampling/V=10000/sampling=0'))} / ${fmt(goBench(native, 'BenchmarkTrainSampling/V=10000/sampling=5'))}`],
  ['encoding, Chromium, new text, 1 worker / default workers, docs/s', `${fmt(chromium['encode docs/s (cold, 1 worker)'])} / ${fmt(Object.entries(chromium).find(([k]) => /cold, \d+ workers/.test(k))?.[1])}`],
  ['encoding, native, warm token cache (1 goroutine), docs/s', fmt(goBench(native, 'BenchmarkEncode/text'))],
  ['first embedding, Chromium, median total, ms', first ? fmt(Number(first[1])) : '-'],
];
console.log(`\nkate benchmark summary (load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} on ${os.cpus().length} cores; details above)`);
console.table(Object.fromEntries(rows.map(([k, v]) => [k, v])));
