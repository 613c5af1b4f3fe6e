// Benchmark (issue 12): navigation -> first embedding in headless Chromium
// on loopback, over fresh browser contexts (nothing cached). The page
// (demo/bench/first-embedding.html) imports the package from js/dist, calls
// initialize(), loads a saved 128-d model (trained here on the bundled
// sample by the CLI, 3 epochs) and encodes one sentence. Prints each run's
// breakdown and the medians. --trace FILE also records a Chrome trace of
// the first run (every thread, with the V8 WebAssembly compiler's events:
// open it in Chrome's DevTools Performance panel or ui.perfetto.dev).
//
//   bash js/build.sh && node demo/bench/first-embedding.mjs [runs=5] [--trace FILE]   (KATE_DIST=dir: another build)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { serve } from '../../scripts/web/server.mjs';
import { launchChromium } from '../../scripts/web/chromium.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const args = process.argv.slice(2);
const traceAt = args.indexOf('--trace');
const traceFile = traceAt >= 0 ? args.splice(traceAt, 2)[1] : null;
if (traceAt >= 0 && !traceFile) throw new Error('--trace needs a file name');
const runs = Number(args[0] || 5);
if (!(Number.isInteger(runs) && runs > 0)) throw new Error(`runs must be a positive integer, got ${args[0]}`);
// The trace's categories: the page's and the worker's tasks, network,
// script compilation and the WebAssembly compiler (streaming, lazy
// compilation, the optimizing tier), and the V8 CPU profiler's samples.
const TRACE_CATEGORIES = [
  'devtools.timeline', 'disabled-by-default-devtools.timeline', 'toplevel', 'loading', 'blink.user_timing',
  'v8', 'v8.execute', 'v8.wasm', 'disabled-by-default-v8.wasm.detailed', 'disabled-by-default-v8.compile',
  'disabled-by-default-v8.cpu_profiler',
];
const dist = process.env.KATE_DIST ? path.resolve(process.env.KATE_DIST) : path.join(repo, 'js/dist');
if (!fs.existsSync(path.join(dist, 'kate.mjs'))) throw new Error('js/dist is not built: run bash js/build.sh');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kate-first-embedding-'));
fs.cpSync(dist, path.join(root, 'kate'), { recursive: true });
fs.copyFileSync(path.join(repo, 'demo/bench/first-embedding.html'), path.join(root, 'index.html'));
execFileSync('go', ['run', './cmd/kate', 'train', '--quiet', '--data', 'testdata/20news-sample.jsonl.gz', '--dim', '128', '--k', '32',
  '--epochs', '3', '-o', path.join(root, 'model.kate')], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
const srv = await serve(root);
const rows = [];
try {
  for (let r = 0; r < runs; r++) {
    const browser = await launchChromium({ prefix: 'kate-first-embedding-' });
    const ctx = browser.context;
    try {
      const page = ctx.pages()[0] ?? (await ctx.newPage());
      const errors = [];
      page.on('pageerror', (e) => errors.push(e.message));
      const trace = r === 0 && traceFile ? await startTrace(ctx, page) : null;
      await page.goto(`${srv.url}/`);
      await page.waitForFunction(() => document.body.dataset.done === '1', null, { timeout: 60000 }).catch(() => {
        throw new Error(`the page did not finish: ${errors.join('; ')}`);
      });
      if (trace) {
        fs.writeFileSync(traceFile, JSON.stringify({ traceEvents: await trace.stop() }));
        console.log(`trace of run 1 (slowed by the tracing) written to ${traceFile}`);
      }
      const m = await page.evaluate(() => window.firstEmbedding);
      rows.push(m);
      console.log(`run ${r + 1}: total ${m.total.toFixed(0)} ms = page ${m.start.toFixed(0)} + import ${m.import.toFixed(0)} + initialize ${m.initialize.toFixed(0)} + load ${m.load.toFixed(0)} + encode ${m.encode.toFixed(0)} (dims ${m.dims})`);
    } finally {
      await browser.close();
    }
  }
} finally {
  await srv.close();
  fs.rmSync(root, { recursive: true, force: true });
}
/** Starts a Chrome trace of the whole browser; stop() resolves with its events. */
async function startTrace(ctx, page) {
  const cdp = await ctx.newCDPSession(page);
  const events = [];
  cdp.on('Tracing.dataCollected', (e) => events.push(...e.value));
  const complete = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
  await cdp.send('Tracing.start', { traceConfig: { includedCategories: TRACE_CATEGORIES } });
  return {
    async stop() {
      await cdp.send('Tracing.end');
      await complete;
      return events;
    },
  };
}

const med = (k) => {
  const v = rows.map((r) => r[k]).sort((a, b) => a - b);
  return v[v.length >> 1].toFixed(0);
};
const totals = rows.map((r) => r.total);
console.log(`median over ${runs} fresh contexts: total ${med('total')} ms (range ${Math.min(...totals).toFixed(0)}–${Math.max(...totals).toFixed(0)}; page ${med('start')}, import ${med('import')}, initialize ${med('initialize')}, load ${med('load')}, encode ${med('encode')}); load average ${os.loadavg()[0].toFixed(1)}`);
