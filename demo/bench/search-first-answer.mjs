// Benchmark: time from navigation to the first answer of the site-search
// page (demo/search.html with ?q=…), in headless Chromium on loopback, over
// fresh browser contexts (nothing cached); prints each run and the median,
// with the size of the index the page downloads.
//
//   bash demo/build.sh && node demo/bench/search-first-answer.mjs [runs=3]
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { serve } from '../../scripts/web/server.mjs';
import { launchChromium } from '../../scripts/web/chromium.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const runs = Number(process.argv[2] || 3);
const root = path.join(repo, 'demo/dist');
const index = path.join(root, 'data/sample.kidx');
if (!fs.existsSync(index)) throw new Error('demo/dist/data/sample.kidx is missing: run bash demo/build.sh');
const srv = await serve(root);
const times = [];
try {
  for (let r = 0; r < runs; r++) {
    const browser = await launchChromium({ prefix: 'kate-search-bench-' });
    const ctx = browser.context;
    try {
      const page = ctx.pages()[0] ?? (await ctx.newPage());
      await page.goto(`${srv.url}/search.html?q=launch+of+the+space+shuttle`);
      await page.waitForSelector('kate-search[data-answered]', { timeout: 30000 });
      const t = await page.evaluate(() => {
        const el = document.querySelector('kate-search');
        return { answered: Number(el.dataset.answered), ready: Number(el.dataset.ready), hits: el.shadowRoot.querySelectorAll('li').length };
      });
      if (t.hits === 0) throw new Error('no hits');
      times.push(t.answered);
      console.log(`run ${r + 1}: index loaded ${t.ready} ms, first answer ${t.answered} ms after navigation (${t.hits} hits)`);
    } finally {
      await browser.close();
    }
  }
} finally {
  await srv.close();
}
const sorted = [...times].sort((a, b) => a - b);
const raw = zlib.gunzipSync(fs.readFileSync(index)).length;
console.log(`median first answer: ${sorted[sorted.length >> 1]} ms over ${runs} fresh contexts; index ${(fs.statSync(index).size / 1024).toFixed(0)} KiB gzipped (${(raw / 1024).toFixed(0)} KiB raw)`);
