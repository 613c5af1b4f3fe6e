// tiering.mjs — does V8's dynamic tiering explain run-to-run spread of the
// training benchmark? Runs bench.html (SIMD, one worker, training only)
// alternately in a Chromium with default flags and one with
// --js-flags=--no-wasm-dynamic-tiering (every function compiled by the
// optimizing compiler up front), and prints each run's per-epoch docs/s.
//
//   node js/bench/tiering.mjs [--rounds 3] [--epochs 3]
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, launchChromium, distDir, benchDataFile as dataFile, flagValue as arg } from '../test/support.mjs';
import { CHROMIUM_ARGS } from '../../scripts/web/chromium.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const rounds = Number(arg('rounds', 3));
const epochs = Number(arg('epochs', 3));
const srv = await serve({ '/dist/': distDir, '/bench/': here, '/data/': path.dirname(dataFile) });
const variants = { default: [], 'no-dynamic-tiering': ['--js-flags=--no-wasm-dynamic-tiering'] };
try {
  for (let r = 0; r < rounds; r++) {
    for (const [name, extra] of Object.entries(variants)) {
      const { context, close } = await launchChromium({ args: [...CHROMIUM_ARGS, ...extra] });
      try {
        const page = await context.newPage();
        const t0 = Date.now();
        await page.goto(`${srv.url}/bench/bench.html?simd=1&encode=0&workers=1&epochs=${epochs}&data=/data/${path.basename(dataFile)}`);
        await page.waitForFunction(() => window.benchResult, null, { timeout: 30 * 60_000, polling: 500 });
        const res = await page.evaluate(() => window.benchResult);
        if (res.error) throw new Error(res.error);
        console.log(`round ${r + 1} ${name.padEnd(20)} epochs 2+: ${res.epochDocsPerSecond.map(Math.round).join(', ')} docs/s; whole run ${Math.round(res.trainDocsPerSecond)}; setup ${(res.setupMs / 1000).toFixed(2)} s; page ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      } finally {
        await close();
      }
    }
  }
} finally {
  await srv.close();
}
