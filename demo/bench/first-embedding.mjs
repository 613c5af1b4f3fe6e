// Benchmark (issue 12): navigation -> first embedding in headless Chromium
// on loopback, over fresh browser contexts (nothing cached). The page
// (demo/bench/first-embedding.html) imports the package from js/dist, calls
// initialize(), loads a saved 128-d model (trained here on the bundled
// sample by the CLI, 3 epochs) and encodes one sentence. Prints each run's
// breakdown and the medians.
//
//   bash js/build.sh && node demo/bench/first-embedding.mjs [runs=3]   (KATE_DIST=dir: another build)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { serve } from '../../scripts/web/server.mjs';
import { launchChromium } from '../../scripts/web/chromium.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const runs = Number(process.argv[2] || 3);
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
      await page.goto(`${srv.url}/`);
      await page.waitForFunction(() => document.body.dataset.done === '1', null, { timeout: 60000 }).catch(() => {
        throw new Error(`the page did not finish: ${errors.join('; ')}`);
      });
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
const med = (k) => {
  const v = rows.map((r) => r[k]).sort((a, b) => a - b);
  return v[v.length >> 1].toFixed(0);
};
console.log(`median over ${runs} fresh contexts: total ${med('total')} ms (page ${med('start')}, import ${med('import')}, initialize ${med('initialize')}, load ${med('load')}, encode ${med('encode')}); load average ${os.loadavg()[0].toFixed(1)}`);
