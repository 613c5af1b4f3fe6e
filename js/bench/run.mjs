// run.mjs — runs the benchmark page (bench.html) in headless Chromium with
// the SIMD and the pure-Go kernels, and the same benchmark in Node, and
// prints a table. Data: the full 20 Newsgroups corpus when present
// ($KATE_DATA, else ../shared/data/20news-bydate.jsonl.gz beside the repository), else the bundled sample.
//
//   node js/bench/run.mjs [--epochs N] [--runs N] [--only chromium|node]
import path from 'node:path';
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { serve, launchChromium, distDir, sampleFile, fullFile, jsDir } from '../test/support.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
};
const epochs = Number(arg('epochs', 3));
const runs = Number(arg('runs', 1));
const only = arg('only', '');
const dataFile = process.env.KATE_BENCH_DATA || (fs.existsSync(fullFile) ? fullFile : sampleFile);

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
    'train docs/s (epochs 2+)': Math.round(pick('epochDocsPerSecondMedian')),
    'train docs/s (whole run)': Math.round(pick('trainDocsPerSecond')),
    'vocabulary setup s': +(pick('setupMs') / 1000).toFixed(2),
    'encode docs/s (cold, 1 worker)': Math.round(pick('encodeColdOneWorkerDocsPerSecond')),
    [`encode docs/s (cold, ${results[0].encodeWorkers} workers)`]: Math.round(pick('encodeColdDocsPerSecond')),
    [`encode docs/s (warm, ${results[0].encodeWorkers} workers)`]: Math.round(pick('encodeWarmDocsPerSecond')),
    'peak wasm MB': +(pick('peakMemoryBytes') / 2 ** 20).toFixed(1),
  };
}

async function chromium() {
  const srv = await serve({ '/dist/': distDir, '/bench/': here, '/data/': path.dirname(dataFile) });
  const { context, close } = await launchChromium();
  const rows = [];
  try {
    for (const simd of [1, 0]) {
      const results = [];
      for (let r = 0; r < runs; r++) {
        const page = await context.newPage();
        page.on('pageerror', (e) => console.error('page error:', e.message));
        await page.goto(`${srv.url}/bench/bench.html?simd=${simd}&epochs=${epochs}&data=/data/${path.basename(dataFile)}`);
        await page.waitForFunction(() => window.benchResult, null, { timeout: 30 * 60_000, polling: 500 });
        const res = await page.evaluate(() => window.benchResult);
        await page.close();
        if (res.error) throw new Error(`benchmark page: ${res.error}`);
        results.push(res);
      }
      rows.push(summarize(`Chromium (${results[0].userAgent.match(/Chrome\/[\d.]+/)?.[0] ?? '?'}), worker`, results));
    }
  } finally {
    await close();
    await srv.close();
  }
  return rows;
}

function node() {
  const rows = [];
  for (const simd of [1, 0]) {
    const results = [];
    for (let r = 0; r < runs; r++) {
      const out = execFileSync(process.execPath, [path.join(here, 'node-bench.mjs'), dataFile, String(simd), String(epochs)], { encoding: 'utf8', maxBuffer: 1 << 24 });
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
console.log(JSON.stringify({ data: dataFile, epochs, runs, rows }));
