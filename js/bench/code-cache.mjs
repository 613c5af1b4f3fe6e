// code-cache.mjs — what Chromium's WebAssembly code cache saves a returning
// page (docs/speed.md, "Encoding new text (sixth session)"):
//
//   node js/bench/code-cache.mjs [DIST] --model FILE [--data FILE] [--rounds 3] [--epochs N]
//
// Each round starts a new browser profile twice, once serving DIST
// (default js/dist) with `Cache-Control: max-age=3600` (so that the
// second visit may compile kate.wasm from Chromium's code cache) and once
// with `no-store` (as every other benchmark here, so both visits compile
// it), the order alternating from round to round, and in each profile
// opens the encode page (encode.html) twice, 5 s apart (Chromium writes
// its code cache after the first visit has run the code). It prints
// initialize()'s time (fetching, compiling and starting kate.wasm) and
// encode.mjs's three phases (cold in calls of 250, cold in one call on the
// default encode workers, warm) for each visit, and their medians.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, launchChromium, distDir, benchDataFile, flagValue as arg } from '../test/support.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const valued = new Set(['--model', '--data', '--rounds', '--epochs']);
const dist = path.resolve(process.argv.slice(2).find((a, i, all) => !a.startsWith('--') && !valued.has(all[i - 1])) ?? distDir);
const modelFile = arg('model');
const dataFile = path.resolve(arg('data', benchDataFile));
const rounds = Number(arg('rounds', 3));
const epochs = arg('epochs');
if (!modelFile || !fs.existsSync(path.join(dist, 'kate.mjs'))) {
  console.error('usage: node js/bench/code-cache.mjs [DIST] --model FILE [--data FILE] [--rounds 3] [--epochs N] (DIST: a built js/dist)');
  process.exit(2);
}
const PHASES = ['cold1', 'coldN', 'warmN'];
const res = {};
for (let r = 0; r < rounds; r++) {
  for (const mode of r % 2 ? ['no-store', 'max-age'] : ['max-age', 'no-store']) {
    const mounts = { '/bench/': here, '/dist/': dist, '/data/': path.dirname(dataFile), '/model/': path.dirname(path.resolve(modelFile)) };
    const srv = await serve(mounts, { headers: (rel) => (mode === 'max-age' && rel.startsWith('/dist/') ? { 'Cache-Control': 'max-age=3600' } : {}) });
    const { context, close } = await launchChromium();
    try {
      for (const visit of [1, 2]) {
        const page = await context.newPage();
        page.on('pageerror', (e) => console.error('page error:', e.message));
        const q = new URLSearchParams({ dist: '/dist/', model: `/model/${path.basename(modelFile)}`, data: `/data/${path.basename(dataFile)}` });
        if (epochs) q.set('epochs', epochs);
        await page.goto(`${srv.url}/bench/encode.html?${q}`);
        await page.waitForFunction(() => window.benchReady, null, { timeout: 10 * 60_000, polling: 100 });
        const ready = await page.evaluate(() => window.benchReady);
        if (ready !== true) throw new Error(ready);
        const row = {};
        for (const p of PHASES) {
          const out = await page.evaluate((name) => window.encodeBench[name](), p);
          row[p] = (out.docs / out.ms) * 1000;
        }
        row.initMs = (await page.evaluate(() => window.encodeBench.info())).initMs;
        await page.close();
        const key = `${mode}, visit ${visit}`;
        for (const [k, v] of Object.entries(row)) ((res[key] ??= {})[k] ??= []).push(v);
        console.log(`round ${r + 1} ${key}: initialize ${Math.round(row.initMs)} ms, ${PHASES.map((p) => `${p} ${Math.round(row[p])}`).join(', ')} docs/s`);
        if (visit === 1) await new Promise((done) => setTimeout(done, 5000));
      }
    } finally {
      await close();
      await srv.close();
    }
  }
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[(s.length - 1) >> 1];
};
console.log(`medians of ${rounds} (docs/s; initialize in ms):`);
console.table(Object.entries(res).map(([k, o]) => Object.fromEntries([['profile, visit', k], ...Object.entries(o).map(([n, v]) => [n, Math.round(median(v))])])));
