// run.mjs — the browser benchmark: in headless Chromium, each run trains
// with kate's SIMD kernels on one worker (then encodes the test split), on
// min(4, processors) workers (data-parallel, training only), natively
// (`kate train` built with GOEXPERIMENT=simd, all cores, on the same
// documents; it must end with the same validation loss), at V = 10,000 with
// reconstruction sampling (R = 2, one worker), and the same model with
// TensorFlow.js's wasm backend (tfjs.html; when the dev dependencies
// @tensorflow/tfjs-core and -backend-wasm are installed). Every ratio to
// TensorFlow.js is taken within a run and the median over runs is printed,
// since this machine's speed moves between runs (docs/speed.md, "The
// benchmark's method"): each run starts with a probe of the host's speed
// (host-speed.mjs), and each timed span is also divided by the CPU time the
// browser used in it (cpu.mjs). kate is timed over epochs 2..N (--epochs,
// 8 by default: about as long as TensorFlow.js's --tfjs-seconds, after
// the first epoch as TensorFlow.js after its first batches). Then the pure-Go
// kernels on one worker, and the same benchmark in Node. Prints a table;
// the last line is JSON (scripts/bench-summary.mjs reads it). Data: the full
// 20 Newsgroups corpus when present ($KATE_DATA, else
// ../shared/data/20news-bydate.jsonl.gz beside the repository), else the
// bundled sample.
//
//   node js/bench/run.mjs [--epochs 8] [--runs N] [--only chromium|node] [--tfjs-seconds 30]
import path from 'node:path';
import fs from 'node:fs';
import os from 'node:os';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cpuMeter } from './cpu.mjs';
import { serve, launchChromium, distDir, jsDir, benchDataFile as dataFile, flagValue as arg } from '../test/support.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const epochs = Number(arg('epochs', 8));
const runs = Number(arg('runs', 1));
const only = arg('only', '');
const tfjsSeconds = Number(arg('tfjs-seconds', 30));

// The train options of the large-vocabulary row.
const SAMPLED = { vocabSize: 10000, sampling: 2 };

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[(s.length - 1) >> 1];
};

// encodeColumns: the medians of a page's encoding figures.
function encodeColumns(results) {
  const pick = (k) => median(results.map((r) => r[k]));
  return {
    'encode docs/s (cold, 1 worker)': Math.round(pick('encodeColdOneWorkerDocsPerSecond')),
    [`encode docs/s (cold, ${results[0].encodeWorkers} workers)`]: Math.round(pick('encodeColdDocsPerSecond')),
    [`encode docs/s (warm, ${results[0].encodeWorkers} workers)`]: Math.round(pick('encodeWarmDocsPerSecond')),
  };
}

function summarize(name, results) {
  const pick = (k) => median(results.map((r) => r[k]));
  return {
    name,
    kernels: results[0].kernels,
    runs: results.length,
    'train workers': results[0].trainWorkers,
    'train docs/s (epochs 2+)': Math.round(pick('laterEpochsDocsPerSecond')),
    'train docs/s (whole run)': Math.round(pick('trainDocsPerSecond')),
    'vocabulary setup s': +(pick('setupMs') / 1000).toFixed(2),
    ...encodeColumns(results),
    'peak wasm MB': +(pick('peakMemoryBytes') / 2 ** 20).toFixed(1),
  };
}

// tfjsBundle bundles TensorFlow.js core, its gradients and the wasm backend
// (dev dependencies) into DIR/tf.mjs; it returns { dir, wasmDir }, or null
// when they are not installed.
function tfjsBundle() {
  const require = createRequire(path.join(path.dirname(jsDir), 'package.json'));
  let esbuild, wasmDir;
  try {
    esbuild = require('esbuild');
    wasmDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
    require.resolve('@tensorflow/tfjs-core');
  } catch {
    return null;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kate-tfjs-'));
  esbuild.buildSync({
    stdin: {
      contents: "export * from '@tensorflow/tfjs-core'; import '@tensorflow/tfjs-core/dist/register_all_gradients'; export { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';",
      resolveDir: path.dirname(jsDir), loader: 'js',
    },
    bundle: true, format: 'esm', minify: true, platform: 'browser', outfile: path.join(dir, 'tf.mjs'), logLevel: 'warning',
  });
  return { dir, wasmDir };
}

// nativeKate builds the command-line tool as ./build.sh does (GOEXPERIMENT=simd:
// the AVX2 kernels where the CPU has them) into a temporary directory; it
// returns { bin, kernels, dir }.
function nativeKate() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kate-native-'));
  const bin = path.join(dir, 'kate');
  const env = { ...process.env, GOEXPERIMENT: 'simd' };
  execFileSync('go', ['build', '-trimpath', '-o', bin, './cmd/kate'], { cwd: path.dirname(jsDir), env, stdio: 'inherit' });
  const version = execFileSync(bin, ['version'], { encoding: 'utf8' });
  return { bin, dir, kernels: /kernels (\S+)\)/.exec(version)?.[1] ?? '?' };
}

// nativeTrain trains as the benchmark page does (the training split, seed 1,
// the default model) with `kate train` and returns its whole-run docs/s (the
// same definition as the page's trainDocsPerSecond: documents trained over
// the time since training started, the validation loss included) and its
// validation loss as printed (6 decimals).
function nativeTrain(native) {
  const out = execFileSync(native.bin, ['train', '--data', dataFile, '--split', 'train', '--epochs', String(epochs), '--seed', '1', '--quiet', '-o', path.join(native.dir, 'model.kate')], { encoding: 'utf8' });
  const rate = /training, .* total, (\d+) docs\/s/.exec(out);
  const val = /val loss\s+([\d.]+)/.exec(out);
  if (!rate || !val) throw new Error(`kate train printed no docs/s or val loss:\n${out}`);
  return { trainDocsPerSecond: Number(rate[1]), valLoss: val[1] };
}

// hostProbe times fixed memory-streaming and compute work in a fresh Node
// (js/bench/host-speed.mjs): the host's own speed at that moment, printed
// beside each run's figures.
function hostProbe() {
  const out = execFileSync(process.execPath, [path.join(here, 'host-speed.mjs'), '--slices', '6', '--rounds', '1', '--json'], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop());
}

async function chromium() {
  const tfjs = tfjsBundle();
  const native = nativeKate();
  const mounts = { '/dist/': distDir, '/bench/': here, '/data/': path.dirname(dataFile) };
  if (tfjs) Object.assign(mounts, { '/tfjs/': tfjs.dir, '/tfjs-wasm/': tfjs.wasmDir });
  const srv = await serve(mounts);
  const { context, profile, close } = await launchChromium();
  const rows = [];
  try {
    const cpu = cpuMeter(profile) ?? (() => NaN);
    // A page's result; url: its path and query. The CPU time of the whole
    // browser is read at each line the page logs that marks a timed span
    // ("epoch N: ..." at each epoch's end, "timing starts" / "timing
    // ends"): result.cpuMarks.
    const openPage = async (url) => {
      const page = await context.newPage();
      const cpuMarks = [];
      page.on('console', (m) => {
        if (/^(epoch \d+:|timing (starts|ends))/.test(m.text())) cpuMarks.push(cpu());
      });
      page.on('pageerror', (e) => console.error('page error:', e.message));
      await page.goto(`${srv.url}${url}&data=/data/${path.basename(dataFile)}`);
      await page.waitForFunction(() => window.benchResult, null, { timeout: 30 * 60_000, polling: 500 });
      const res = await page.evaluate(() => window.benchResult);
      await page.close();
      if (res.error) throw new Error(`benchmark page ${url}: ${res.error}`);
      res.cpuMarks = cpuMarks;
      return res;
    };
    // kate's page: its training docs per CPU second over epochs 2..N.
    const runPage = async (query) => {
      const res = await openPage(`/bench/bench.html?${query}&epochs=${epochs}`);
      const m = res.cpuMarks;
      res.laterEpochsDocsPerCpuSecond = m.length === res.epochs && m.length > 1 ? res.laterEpochsDocs / (m[m.length - 1] - m[0]) : NaN;
      return res;
    };
    const tfjsPage = async () => {
      const res = await openPage(`/bench/tfjs.html?seconds=${tfjsSeconds}`);
      const m = res.cpuMarks;
      res.docsPerCpuSecond = m.length === 2 ? res.docs / (m[1] - m[0]) : NaN;
      return res;
    };
    const chrome = (r) => r.userAgent.match(/Chrome\/[\d.]+/)?.[0] ?? '?';
    const rate = (x) => (Number.isFinite(x) ? Math.round(x) : '-');
    // Each run: the host's speed, then kate's SIMD kernels on one worker,
    // on min(4, processors) workers (training only), native training (issue
    // 14: at least twice the browser's), V = 10,000 with reconstruction
    // sampling (issue 14: 10x TensorFlow.js at V = 2,000), and
    // TensorFlow.js: every ratio to TensorFlow.js is taken within a run,
    // then the median over runs.
    const W = Math.min(4, os.availableParallelism());
    const one = [], many = [], nat = [], sampled = [], tf = [], host = [];
    for (let r = 0; r < runs; r++) {
      host.push(hostProbe());
      one.push(await runPage('simd=1&workers=1'));
      if (W > 1) many.push(await runPage(`simd=1&encode=0&workers=${W}`));
      nat.push(nativeTrain(native));
      if (nat[r].valLoss !== one[r].valLoss.toFixed(6)) throw new Error(`kate train ended with validation loss ${nat[r].valLoss}, the page with ${one[r].valLoss.toFixed(6)}: not the same training`);
      if (many[r] && many[r].valLoss !== one[r].valLoss) throw new Error('the training workers ended with another validation loss than one worker');
      sampled.push(await runPage(`simd=1&encode=0&workers=1&options=${encodeURIComponent(JSON.stringify(SAMPLED))}`));
      if (tfjs) tf.push(await tfjsPage());
      const t = tf[r]?.docsPerSecond;
      const line = [`run ${r + 1}: host memory slice ${host[r].memory} ms, compute ${host[r].compute} ms`,
        `docs/s (epochs 2+) and docs per CPU s: 1 worker ${rate(one[r].laterEpochsDocsPerSecond)}, ${rate(one[r].laterEpochsDocsPerCpuSecond)}`];
      if (many[r]) line.push(`${W} workers ${rate(many[r].laterEpochsDocsPerSecond)}, ${rate(many[r].laterEpochsDocsPerCpuSecond)}`);
      line.push(`V=10,000 sampling 2 ${rate(sampled[r].laterEpochsDocsPerSecond)}, ${rate(sampled[r].laterEpochsDocsPerCpuSecond)}`);
      if (t) line.push(`TensorFlow.js ${rate(t)}, ${rate(tf[r].docsPerCpuSecond)} (kate ${(one[r].laterEpochsDocsPerSecond / t).toFixed(1)}x, ${many[r] ? `${(many[r].laterEpochsDocsPerSecond / t).toFixed(1)}x on ${W}, ` : ''}V=10,000 ${(sampled[r].laterEpochsDocsPerSecond / t).toFixed(1)}x)`);
      const browser = Math.max(one[r].trainDocsPerSecond, many[r]?.trainDocsPerSecond ?? 0);
      line.push(`native whole run ${nat[r].trainDocsPerSecond} (${(nat[r].trainDocsPerSecond / browser).toFixed(2)}x Chromium's best whole run)`);
      console.error(line.join('; '));
    }
    // ratio: the median over runs of kate's docs/s (key) over TensorFlow.js's.
    const ratio = (xs, key, tfKey) => (tf.length ? +median(xs.map((x, i) => x[key] / tf[i][tfKey])).toFixed(1) : undefined);
    // trainRow: a row of kate's figures; xs: its pages, one per run, in
    // step with tf's when ratios is true.
    const trainRow = (name, xs, extra = {}, ratios = true) => ({
      name, kernels: xs[0].kernels, runs, 'train workers': xs[0].trainWorkers,
      'train docs/s (epochs 2+)': Math.round(median(xs.map((x) => x.laterEpochsDocsPerSecond))),
      'train docs per CPU s (epochs 2+)': rate(median(xs.map((x) => x.laterEpochsDocsPerCpuSecond))),
      'x TensorFlow.js (per run)': ratios ? ratio(xs, 'laterEpochsDocsPerSecond', 'docsPerSecond') : undefined,
      'x TensorFlow.js per CPU s (per run)': ratios ? ratio(xs, 'laterEpochsDocsPerCpuSecond', 'docsPerCpuSecond') : undefined,
      'train docs/s (whole run)': Math.round(median(xs.map((x) => x.trainDocsPerSecond))),
      'vocabulary setup s': +(median(xs.map((x) => x.setupMs)) / 1000).toFixed(2),
      ...extra,
      'peak wasm MB': +(median(xs.map((x) => x.peakMemoryBytes)) / 2 ** 20).toFixed(1),
    });
    rows.push(trainRow(`Chromium (${chrome(one[0])}), worker`, one, encodeColumns(one)));
    if (many.length) rows.push(trainRow(`Chromium (${chrome(many[0])}), ${many[0].trainWorkers} training workers`, many));
    rows.push({
      name: `native, kate train, all cores (${os.availableParallelism()})`, kernels: native.kernels, runs,
      'train docs/s (whole run)': Math.round(median(nat.map((x) => x.trainDocsPerSecond))),
      'native / Chromium best (whole run, per run)': +median(nat.map((x, i) => x.trainDocsPerSecond / Math.max(one[i].trainDocsPerSecond, many[i]?.trainDocsPerSecond ?? 0))).toFixed(2),
    });
    rows.push(trainRow(`Chromium (${chrome(sampled[0])}), worker, V=10,000, sampling 2`, sampled));
    if (tf.length) {
      rows.push({
        name: 'Chromium, TensorFlow.js 4.22 (wasm backend, SIMD), page', kernels: 'tfjs', runs,
        'train docs/s (epochs 2+)': Math.round(median(tf.map((x) => x.docsPerSecond))),
        'train docs per CPU s (epochs 2+)': rate(median(tf.map((x) => x.docsPerCpuSecond))),
      });
    } else {
      console.error('TensorFlow.js row skipped: @tensorflow/tfjs-core and @tensorflow/tfjs-backend-wasm are not installed (npm ci at the repository root)');
    }
    rows.push({ name: 'host (js/bench/host-speed.mjs, 6 slices per run)', kernels: '-', runs, 'memory slice ms': median(host.map((h) => h.memory)), 'memory slice ms, slowest run / fastest': +(Math.max(...host.map((h) => h.memory)) / Math.min(...host.map((h) => h.memory))).toFixed(2), 'compute slice ms': median(host.map((h) => h.compute)) });
    const goKernels = [];
    for (let r = 0; r < runs; r++) goKernels.push(await runPage('simd=0&workers=1'));
    rows.push(trainRow(`Chromium (${chrome(goKernels[0])}), worker`, goKernels, encodeColumns(goKernels), false));
  } finally {
    await close();
    await srv.close();
    fs.rmSync(native.dir, { recursive: true, force: true });
    if (tfjs) fs.rmSync(tfjs.dir, { recursive: true, force: true });
  }
  return rows;
}

function node() {
  const rows = [];
  for (const simd of [1, 0]) {
    const results = [];
    for (let r = 0; r < runs; r++) {
      const out = execFileSync(process.execPath, [path.join(here, 'node-bench.mjs'), dataFile, String(simd), String(epochs), '1'], { encoding: 'utf8', maxBuffer: 1 << 24 });
      results.push(JSON.parse(out.trim().split('\n').pop()));
    }
    rows.push(summarize(`Node ${process.version}, worker thread`, results));
  }
  return rows;
}

console.error(`kate benchmark: ${path.relative(path.dirname(jsDir), dataFile) || dataFile}, ${epochs} epochs, ${runs} run(s) each (medians)`);
const rows = [];
if (only !== 'node') rows.push(...(await chromium()));
if (only !== 'chromium') rows.push(...node());
console.table(rows);
const kateOne = rows.find((r) => r.name.startsWith('Chromium (') && r.kernels === 'simd' && r['train workers'] === 1 && !r.name.includes('sampling'));
const kateMany = rows.find((r) => r.name.startsWith('Chromium (') && r.kernels === 'simd' && r['train workers'] > 1);
const kateSampled = rows.find((r) => r.name.includes('V=10,000, sampling'));
const tfjsRow = rows.find((r) => r.kernels === 'tfjs');
const per = (row) => `${row['train docs/s (epochs 2+)']} docs/s, ${row['x TensorFlow.js (per run)']}x TensorFlow.js (${row['x TensorFlow.js per CPU s (per run)']}x per CPU second)`;
if (kateOne && tfjsRow) {
  console.log(`training in Chromium (medians over runs; each ratio taken within a run): TensorFlow.js wasm ${tfjsRow['train docs/s (epochs 2+)']} docs/s; kate on one worker ${per(kateOne)}`);
  if (kateMany) console.log(`  kate on ${kateMany['train workers']} workers ${per(kateMany)}`);
  if (kateSampled) console.log(`  kate at V=10,000 with sampling 2 (one worker) ${per(kateSampled)}`);
}
const nativeRow = rows.find((r) => r.name.startsWith('native, kate train'));
if (nativeRow) console.log(`native training (${nativeRow.kernels} kernels, all cores), same run: ${nativeRow['train docs/s (whole run)']} docs/s over the whole run, ${nativeRow['native / Chromium best (whole run, per run)']}x Chromium's best (median over runs of native / max(1 worker, ${kateMany?.['train workers'] ?? 1} workers))`);
console.log(JSON.stringify({ data: dataFile, epochs, runs, rows }));
