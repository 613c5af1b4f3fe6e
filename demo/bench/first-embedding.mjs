// Benchmark (issue 12): navigation -> first embedding in headless Chromium
// on loopback, over fresh browser contexts (nothing cached). The page
// (demo/bench/first-embedding.html) imports the package from js/dist, calls
// initialize(), loads a saved 128-d model (trained here on the bundled
// sample by the CLI, 3 epochs) and encodes one sentence. Prints each run's
// breakdown and the medians.
//
//   bash js/build.sh && node demo/bench/first-embedding.mjs [runs=5] [--compare DIR] [--trace FILE]
//
// KATE_DIST=DIR measures another build than js/dist. --compare DIR also
// measures the build in DIR (a js/dist built from another commit), the two
// alternating run by run, so that both see the same machine load; it
// prints both medians. --trace FILE also records a Chrome trace of the
// first run (every thread, with the V8 WebAssembly compiler's events: open
// it in Chrome's DevTools Performance panel or ui.perfetto.dev).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { serve } from '../../scripts/web/server.mjs';
import { launchChromium } from '../../scripts/web/chromium.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const args = process.argv.slice(2);
/** Removes --name VALUE from args; returns VALUE, or null when absent. */
function option(name) {
  const at = args.indexOf(name);
  if (at < 0) return null;
  const value = args.splice(at, 2)[1];
  if (!value) throw new Error(`${name} needs a value`);
  return value;
}
const traceFile = option('--trace');
const compare = option('--compare');
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

const builds = [process.env.KATE_DIST ? path.resolve(process.env.KATE_DIST) : path.join(repo, 'js/dist')];
if (compare) builds.push(path.resolve(compare));
for (const dir of builds) {
  if (!fs.existsSync(path.join(dir, 'kate.mjs')) || !fs.existsSync(path.join(dir, 'kate.wasm'))) {
    throw new Error(`${dir} holds no built package (kate.mjs, kate.wasm): run bash js/build.sh`);
  }
}
// One directory per build: /kate (the package), /index.html, /model.kate.
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kate-first-embedding-'));
const model = path.join(root, 'model.kate');
execFileSync('go', ['run', './cmd/kate', 'train', '--quiet', '--data', 'testdata/20news-sample.jsonl.gz', '--dim', '128', '--k', '32',
  '--epochs', '3', '-o', model], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
const sites = builds.map((dir, i) => {
  const site = path.join(root, `build${i}`);
  fs.cpSync(dir, path.join(site, 'kate'), { recursive: true });
  fs.copyFileSync(path.join(repo, 'demo/bench/first-embedding.html'), path.join(site, 'index.html'));
  fs.copyFileSync(model, path.join(site, 'model.kate'));
  return { dir, site, rows: [] };
});
const servers = [];
try {
  for (const s of sites) {
    const srv = await serve(s.site);
    servers.push(srv);
    s.url = srv.url;
  }
  for (let r = 0; r < runs; r++) {
    for (const s of sites) {
      const m = await measure(s.url, r === 0 && s === sites[0] ? traceFile : null);
      s.rows.push(m);
      const name = sites.length > 1 ? ` ${label(s.dir)}` : '';
      console.log(`run ${r + 1}${name}: total ${m.total.toFixed(0)} ms = page ${m.start.toFixed(0)} + import ${m.import.toFixed(0)} + initialize ${m.initialize.toFixed(0)} + load ${m.load.toFixed(0)} + encode ${m.encode.toFixed(0)} (dims ${m.dims})`);
    }
  }
} finally {
  for (const srv of servers) await srv.close();
  fs.rmSync(root, { recursive: true, force: true });
}
for (const s of sites) {
  const med = (k) => {
    const v = s.rows.map((row) => row[k]).sort((a, b) => a - b);
    return v[v.length >> 1].toFixed(0);
  };
  const totals = s.rows.map((row) => row.total);
  const name = sites.length > 1 ? ` (${label(s.dir)})` : '';
  console.log(`median over ${runs} fresh contexts${name}: total ${med('total')} ms (range ${Math.min(...totals).toFixed(0)}–${Math.max(...totals).toFixed(0)}; page ${med('start')}, import ${med('import')}, initialize ${med('initialize')}, load ${med('load')}, encode ${med('encode')})`);
}
console.log(`load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} (1, 5, 15 minutes) on ${os.cpus().length} cores`);

/** A build's directory as printed: relative to the repository when inside it. */
function label(dir) {
  const rel = path.relative(repo, dir);
  return rel.startsWith('..') || path.isAbsolute(rel) ? dir : rel;
}

/** One fresh browser: opens url, waits for the page's result; traces to traceFile when set. */
async function measure(url, traceFile) {
  const browser = await launchChromium({ prefix: 'kate-first-embedding-' });
  const ctx = browser.context;
  try {
    const page = ctx.pages()[0] ?? (await ctx.newPage());
    const trace = traceFile ? await startTrace(ctx, page) : null;
    // The page says when it is done on its console: polling it (waitForFunction)
    // would run Playwright's script on the page's thread inside the timing.
    const done = Promise.race([
      page.waitForEvent('console', { predicate: (msg) => msg.text() === 'kate first embedding: done', timeout: 60000 }),
      new Promise((_, reject) => page.on('pageerror', (e) => reject(new Error(`the page failed: ${e.message}`)))),
    ]);
    done.catch(() => {});
    await page.goto(`${url}/`);
    await done;
    if (trace) {
      fs.writeFileSync(traceFile, JSON.stringify({ traceEvents: await trace.stop() }));
      console.log(`trace of run 1 (slowed by the tracing) written to ${traceFile}`);
    }
    return await page.evaluate(() => window.firstEmbedding);
  } finally {
    await browser.close();
  }
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
