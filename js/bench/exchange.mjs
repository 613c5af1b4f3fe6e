// exchange.mjs — the cost of a data-parallel training round between two
// Web Workers in headless Chromium (exchange.html), apart from training:
// rounds of `work` ms of busy work in both workers, then a message of
// `size` bytes each way (docs/speed.md, "Data-parallel training in the
// browser"). On an idle machine a round takes about `work` plus the
// message's latency; on a loaded one, the waiting worker's wake-up adds
// milliseconds.
//
//   node js/bench/exchange.mjs [--rounds 200] [--size 1000000] [--work 0,2,4,8]
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, launchChromium, flagValue as arg } from '../test/support.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const rounds = Number(arg('rounds', 200));
const size = Number(arg('size', 1e6));
const works = String(arg('work', '0,2,4,8')).split(',').map(Number);
const srv = await serve({ '/bench/': here });
const { context, close } = await launchChromium();
try {
  for (const work of works) {
    const page = await context.newPage();
    await page.goto(`${srv.url}/bench/exchange.html?rounds=${rounds}&size=${size}&work=${work}`);
    await page.waitForFunction(() => window.exchangeResult, null, { timeout: 10 * 60_000, polling: 200 });
    const r = await page.evaluate(() => window.exchangeResult);
    await page.close();
    console.log(`work ${work} ms, ${size} bytes each way: ${r.msPerRound.toFixed(3)} ms per round (${(r.msPerRound - work).toFixed(3)} ms over the work), ${rounds} rounds`);
  }
} finally {
  await close();
  await srv.close();
}
