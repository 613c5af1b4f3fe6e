// train-time.mjs — how long a user's `kate.train(texts)` takes on the whole
// 20 Newsgroups training split in headless Chromium (worker, SIMD kernels,
// the library's defaults with early stopping), for one or more option sets,
// alternating them run by run. Issue 9 bounds it: under 30 s on the
// project's 2-core machine. Data: $KATE_DATA, else
// ../shared/data/20news-bydate.jsonl.gz beside the repository.
//
//   node js/bench/train-time.mjs [--runs N] [--options '{"vocabSize":5000}' ...]
import path from 'node:path';
import fs from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { serve, launchChromium, distDir, fullFile } from '../test/support.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
let runs = 1;
const sets = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--runs') runs = Number(args[++i]);
  else if (args[i] === '--options') sets.push(args[++i]);
  else {
    console.error(`train-time.mjs: unknown argument ${args[i]}`);
    process.exit(2);
  }
}
if (!sets.length) sets.push('{}');
for (const s of sets) JSON.parse(s); // fail early on a typo
if (!fs.existsSync(fullFile)) {
  console.error(`train-time.mjs: ${fullFile} not found (set KATE_DATA)`);
  process.exit(2);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[(xs.length - 1) >> 1];

const srv = await serve({ '/dist/': distDir, '/bench/': here, '/data/': path.dirname(fullFile) });
const { context, close } = await launchChromium();
const results = sets.map(() => []);
try {
  for (let r = 0; r < runs; r++) {
    for (const [i, s] of sets.entries()) {
      const page = await context.newPage();
      page.on('pageerror', (e) => console.error('page error:', e.message));
      await page.goto(`${srv.url}/bench/train-time.html?data=/data/${path.basename(fullFile)}&options=${encodeURIComponent(s)}`);
      await page.waitForFunction(() => window.benchResult, null, { timeout: 30 * 60_000, polling: 500 });
      const res = await page.evaluate(() => window.benchResult);
      await page.close();
      if (res.error) throw new Error(`train-time page: ${res.error}`);
      console.error(`run ${r + 1} ${s}: ${res.trainSeconds.toFixed(1)} s, ${res.epochs} epochs (best ${res.bestEpoch}), load ${os.loadavg()[0].toFixed(1)}`);
      results[i].push(res);
    }
  }
} finally {
  await close();
  await srv.close();
}
console.log('| options | runs | train s (median) | min–max | epochs (best) |');
console.log('|---|---:|---:|---|---|');
for (const [i, s] of sets.entries()) {
  const t = results[i].map((r) => r.trainSeconds);
  console.log(`| \`${s}\` | ${t.length} | ${median(t).toFixed(1)} | ${Math.min(...t).toFixed(1)}–${Math.max(...t).toFixed(1)} | ${results[i].map((r) => `${r.epochs} (${r.bestEpoch})`).join(', ')} |`);
}
