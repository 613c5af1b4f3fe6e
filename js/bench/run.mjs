// run.mjs — runs the benchmark page (bench.html) in headless Chromium with
// the SIMD and the pure-Go kernels (training on one worker), with the SIMD
// kernels training on min(4, processors) workers (data-parallel, whatever
// the library's default; its runs alternate with the one-worker runs), the same model trained with
// TensorFlow.js's wasm backend in the same browser (tfjs.html; when the dev
// dependencies @tensorflow/tfjs-core and -backend-wasm are installed), the
// same model at V = 10,000 with reconstruction sampling (R = 2, one worker),
// native training (`kate train` built with GOEXPERIMENT=simd, all cores, on
// the same documents; its runs alternate with the Chromium ones, and it must
// end with the same validation loss), and the same benchmark in Node, and
// prints a table. Data: the full 20 Newsgroups corpus when present
// ($KATE_DATA, else ../shared/data/20news-bydate.jsonl.gz beside the repository), else the bundled sample.
//
//   node js/bench/run.mjs [--epochs N] [--runs N] [--only chromium|node] [--tfjs-seconds 30]
import path from 'node:path';
import fs from 'node:fs';
import os from 'node:os';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { serve, launchChromium, distDir, jsDir, benchDataFile as dataFile, flagValue as arg } from '../test/support.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const epochs = Number(arg('epochs', 3));
const runs = Number(arg('runs', 1));
const only = arg('only', '');
const tfjsSeconds = Number(arg('tfjs-seconds', 30));

// The train options of the large-vocabulary row.
const SAMPLED = { vocabSize: 10000, sampling: 2 };

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[(s.length - 1) >> 1];
};

function summarize(name, results) {
  const pick = (k) => median(results.map((r) => r[k]));
  return {
    name,
    kernels: results[0].kernels,
    runs: results.length,
    'train workers': results[0].trainWorkers,
    'train docs/s (epochs 2+)': Math.round(pick('epochDocsPerSecondMedian')),
    'train docs/s (whole run)': Math.round(pick('trainDocsPerSecond')),
    'vocabulary setup s': +(pick('setupMs') / 1000).toFixed(2),
    'encode docs/s (cold, 1 worker)': Math.round(pick('encodeColdOneWorkerDocsPerSecond')),
    [`encode docs/s (cold, ${results[0].encodeWorkers} workers)`]: Math.round(pick('encodeColdDocsPerSecond')),
    [`encode docs/s (warm, ${results[0].encodeWorkers} workers)`]: Math.round(pick('encodeWarmDocsPerSecond')),
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

async function chromium() {
  const tfjs = tfjsBundle();
  const native = nativeKate();
  const mounts = { '/dist/': distDir, '/bench/': here, '/data/': path.dirname(dataFile) };
  if (tfjs) Object.assign(mounts, { '/tfjs/': tfjs.dir, '/tfjs-wasm/': tfjs.wasmDir });
  const srv = await serve(mounts);
  const { context, close } = await launchChromium();
  const rows = [];
  try {
    // A benchmark page's result; query: its parameters.
    const runPage = async (query) => {
      const page = await context.newPage();
      page.on('pageerror', (e) => console.error('page error:', e.message));
      await page.goto(`${srv.url}/bench/bench.html?${query}&epochs=${epochs}&data=/data/${path.basename(dataFile)}`);
      await page.waitForFunction(() => window.benchResult, null, { timeout: 30 * 60_000, polling: 500 });
      const res = await page.evaluate(() => window.benchResult);
      await page.close();
      if (res.error) throw new Error(`benchmark page: ${res.error}`);
      return res;
    };
    const chrome = (r) => r.userAgent.match(/Chrome\/[\d.]+/)?.[0] ?? '?';
    // SIMD kernels on one worker, alternating with training on
    // min(4, processors) workers (training only).
    // Native training alternates with them (issue 14: native at least twice
    // the browser's, in the same run).
    const W = Math.min(4, os.availableParallelism());
    const one = [];
    const many = [];
    const nat = [];
    for (let r = 0; r < runs; r++) {
      one.push(await runPage('simd=1&workers=1'));
      if (W > 1) {
        many.push(await runPage(`simd=1&encode=0&workers=${W}`));
        console.error(`run ${r + 1}: training docs/s (epochs 2+) on 1 worker ${Math.round(one[r].epochDocsPerSecondMedian)}, on ${W} workers ${Math.round(many[r].epochDocsPerSecondMedian)} (${(many[r].epochDocsPerSecondMedian / one[r].epochDocsPerSecondMedian).toFixed(2)}x)`);
      }
      nat.push(nativeTrain(native));
      const browser = Math.max(one[r].trainDocsPerSecond, many[r]?.trainDocsPerSecond ?? 0);
      console.error(`run ${r + 1}: training docs/s (whole run) native ${nat[r].trainDocsPerSecond}, Chromium's best ${Math.round(browser)} (${(nat[r].trainDocsPerSecond / browser).toFixed(2)}x)`);
      if (nat[r].valLoss !== one[r].valLoss.toFixed(6)) throw new Error(`kate train ended with validation loss ${nat[r].valLoss}, the page with ${one[r].valLoss.toFixed(6)}: not the same training`);
    }
    rows.push(summarize(`Chromium (${chrome(one[0])}), worker`, one));
    const p = (k) => median(many.map((x) => x[k]));
    if (W > 1) rows.push({
      name: `Chromium (${chrome(many[0])}), ${many[0].trainWorkers} training workers`, kernels: many[0].kernels, runs,
      'train workers': many[0].trainWorkers, 'train docs/s (epochs 2+)': Math.round(p('epochDocsPerSecondMedian')),
      'train docs/s (whole run)': Math.round(p('trainDocsPerSecond')), 'vocabulary setup s': +(p('setupMs') / 1000).toFixed(2),
      'peak wasm MB': +(p('peakMemoryBytes') / 2 ** 20).toFixed(1),
    });
    if (many.some((x, i) => x.valLoss !== one[i].valLoss)) throw new Error('the training workers ended with another validation loss than one worker');
    rows.push({
      name: `native, kate train, all cores (${os.availableParallelism()})`, kernels: native.kernels, runs,
      'train docs/s (whole run)': Math.round(median(nat.map((x) => x.trainDocsPerSecond))),
      'native / Chromium best (whole run, per run)': +median(nat.map((x, i) => x.trainDocsPerSecond / Math.max(one[i].trainDocsPerSecond, many[i]?.trainDocsPerSecond ?? 0))).toFixed(2),
    });
    const goKernels = [];
    for (let r = 0; r < runs; r++) goKernels.push(await runPage('simd=0&workers=1'));
    rows.push(summarize(`Chromium (${chrome(goKernels[0])}), worker`, goKernels));
    // A five times larger vocabulary with reconstruction sampling (issue 14:
    // V = 10,000 at V = 2,000's speed, i.e. 10x TensorFlow.js at V = 2,000).
    const sampled = [];
    for (let r = 0; r < runs; r++) sampled.push(await runPage(`simd=1&encode=0&workers=1&options=${encodeURIComponent(JSON.stringify(SAMPLED))}`));
    const ps = (k) => median(sampled.map((x) => x[k]));
    rows.push({
      name: `Chromium (${chrome(sampled[0])}), worker, V=10,000, sampling 2`, kernels: sampled[0].kernels, runs,
      'train workers': sampled[0].trainWorkers, 'train docs/s (epochs 2+)': Math.round(ps('epochDocsPerSecondMedian')),
      'train docs/s (whole run)': Math.round(ps('trainDocsPerSecond')), 'vocabulary setup s': +(ps('setupMs') / 1000).toFixed(2),
      'peak wasm MB': +(ps('peakMemoryBytes') / 2 ** 20).toFixed(1),
    });
    if (!tfjs) {
      console.error('TensorFlow.js row skipped: @tensorflow/tfjs-core and @tensorflow/tfjs-backend-wasm are not installed (npm ci at the repository root)');
    } else {
      const results = [];
      for (let r = 0; r < runs; r++) {
        const page = await context.newPage();
        page.on('pageerror', (e) => console.error('page error:', e.message));
        await page.goto(`${srv.url}/bench/tfjs.html?seconds=${tfjsSeconds}&data=/data/${path.basename(dataFile)}`);
        await page.waitForFunction(() => window.benchResult, null, { timeout: 30 * 60_000, polling: 500 });
        const res = await page.evaluate(() => window.benchResult);
        await page.close();
        if (res.error) throw new Error(`TensorFlow.js page: ${res.error}`);
        results.push(res.docsPerSecond);
      }
      rows.push({ name: 'Chromium, TensorFlow.js 4.22 (wasm backend, SIMD), page', kernels: 'tfjs', runs, 'train docs/s (epochs 2+)': Math.round(median(results)) });
    }
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
const speed = (name, kernels, workers) => rows.find((r) => r.name.startsWith(name) && r.kernels === kernels && (workers === undefined || r['train workers'] === workers))?.['train docs/s (epochs 2+)'];
const kateSIMD = speed('Chromium (', 'simd', 1);
const kateMany = rows.find((r) => r.name.startsWith('Chromium (') && r.kernels === 'simd' && r['train workers'] > 1);
const tfjsSpeed = speed('Chromium, TensorFlow.js', 'tfjs');
if (kateSIMD && tfjsSpeed) console.log(`training in Chromium, same run: kate (SIMD, worker) ${kateSIMD} docs/s, TensorFlow.js wasm ${tfjsSpeed} docs/s: ${(kateSIMD / tfjsSpeed).toFixed(1)}x`);
if (kateMany && tfjsSpeed) {
  const v = kateMany['train docs/s (epochs 2+)'];
  console.log(`training in Chromium on ${kateMany['train workers']} workers, same run: kate ${v} docs/s (${(v / kateSIMD).toFixed(2)}x one worker), TensorFlow.js wasm ${tfjsSpeed} docs/s: ${(v / tfjsSpeed).toFixed(1)}x`);
}
const nativeRow = rows.find((r) => r.name.startsWith('native, kate train'));
if (nativeRow) console.log(`native training (${nativeRow.kernels} kernels, all cores), same run: ${nativeRow['train docs/s (whole run)']} docs/s over the whole run, ${nativeRow['native / Chromium best (whole run, per run)']}x Chromium's best (median over runs of native / max(1 worker, ${kateMany?.["train workers"] ?? 1} workers))`);
const kateSampled = rows.find((r) => r.name.includes('V=10,000, sampling'))?.['train docs/s (epochs 2+)'];
if (kateSampled && tfjsSpeed) console.log(`training in Chromium at V=10,000 with sampling 2 (one worker), same run: ${kateSampled} docs/s, ${(kateSampled / tfjsSpeed).toFixed(1)}x TensorFlow.js at V=2,000 (${(kateSampled / kateSIMD).toFixed(2)}x kate at V=2,000)`);
console.log(JSON.stringify({ data: dataFile, epochs, runs, rows }));
