// Regenerates the README's screenshot of the demo (docs/demo.png): serves
// demo/dist, trains with the default settings on the bundled sample, waits
// for the neighbour layout, runs a search and saves the page at 1440x900.
//
//   bash demo/build.sh && node demo/test/screenshot.mjs [docs/demo.png]

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '../../scripts/web/server.mjs';
import { launchChromium } from '../../scripts/web/chromium.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const out = path.resolve(repo, process.argv[2] || 'docs/demo.png');
const query = process.env.DEMO_QUERY || 'launch of the space shuttle';

const srv = await serve(path.join(repo, 'demo/dist'));
const browser = await launchChromium({ prefix: 'kate-demo-shot-', viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
const ctx = browser.context;
try {
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  await page.goto(`${srv.url}/?autotrain=1`);
  await page.waitForFunction(() => ['trained', 'error'].includes(document.body.dataset.state), null, { timeout: 180000 });
  if ((await page.evaluate(() => document.body.dataset.state)) !== 'trained') throw new Error(await page.textContent('#notice-text'));
  await page.waitForSelector('#map[data-layout="umap"]', { timeout: 60000 });
  await page.fill('#query', query);
  await page.press('#query', 'Enter');
  await page.waitForSelector('#results-body .hits li');
  await page.locator('#query').blur();
  await page.mouse.move(0, 0);
  await page.waitForTimeout(300);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  await page.screenshot({ path: out });
  console.log(`wrote ${path.relative(repo, out)} (trained in ${await page.evaluate(() => document.body.dataset.trainMs)} ms)`);
} finally {
  await browser.close();
  await srv.close();
}
