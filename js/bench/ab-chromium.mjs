// ab-chromium.mjs — training docs/s of two builds of js/dist in headless
// Chromium, alternating, so that both see the same machine load
// (docs/speed.md, "Fewer crossings into JavaScript"):
//
//   node js/bench/ab-chromium.mjs DIST_A DIST_B [--rounds 3] [--epochs 3] [--workers 1] [--options JSON]
//
// Each round runs the benchmark page (bench.html: training only, SIMD
// kernels, the engine in a Web Worker, train's workers option --workers)
// once with each build, A first on odd rounds and B first on even ones, in
// one browser, on the training split of the corpus ($KATE_BENCH_DATA, else
// the full 20 Newsgroups beside the repository, else the bundled sample),
// seed 1, with the train options --options (e.g.
// '{"vocabSize":10000,"sampling":2}'). It prints the docs/s of the epochs
// after the first, their median per build and B/A, each round's B/A (of
// the two pages' medians) with their median and B's wins, and the final
// validation loss of each build (equal losses mean the same training).
// Chromium gives no CPU time per page: run it on a quiet machine, or
// with more rounds, and say what the load was.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, launchChromium, benchDataFile as dataFile, flagValue as arg } from '../test/support.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const [distA, distB] = process.argv.slice(2, 4);
if (!distA || !distB || distA.startsWith('--') || distB.startsWith('--')) {
  console.error('usage: node js/bench/ab-chromium.mjs DIST_A DIST_B [--rounds 3] [--epochs 3] [--workers 1] [--options JSON]');
  process.exit(2);
}
const rounds = Number(arg('rounds', 3));
const epochs = Number(arg('epochs', 3));
const workers = Number(arg('workers', 1));
const options = arg('options', '{}');
JSON.parse(options); // fail early on bad JSON

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[(s.length - 1) >> 1];
};

// One server per build: the page imports /dist/kate.mjs.
const servers = {};
for (const [name, dir] of [['A', distA], ['B', distB]]) {
  servers[name] = await serve({ '/dist/': path.resolve(dir), '/bench/': here, '/data/': path.dirname(dataFile) });
}
const { context, close } = await launchChromium();
const rates = { A: [], B: [] };
const roundRatios = []; // B/A of each round's medians
const losses = { A: new Set(), B: new Set() };
try {
  for (let r = 1; r <= rounds; r++) {
    const med = {};
    for (const name of r % 2 ? ['A', 'B'] : ['B', 'A']) {
      const page = await context.newPage();
      page.on('pageerror', (e) => console.error('page error:', e.message));
      const query = new URLSearchParams({
        simd: '1', worker: '1', encode: '0', workers: String(workers), epochs: String(epochs),
        options, data: `/data/${path.basename(dataFile)}`,
      });
      await page.goto(`${servers[name].url}/bench/bench.html?${query}`);
      await page.waitForFunction(() => window.benchResult, null, { timeout: 30 * 60_000, polling: 500 });
      const res = await page.evaluate(() => window.benchResult);
      await page.close();
      if (res.error) throw new Error(`benchmark page (${name}): ${res.error}`);
      if (res.kernels !== 'simd') throw new Error(`benchmark page (${name}) ran the ${res.kernels} kernels`);
      rates[name].push(...res.epochDocsPerSecond);
      med[name] = median(res.epochDocsPerSecond);
      losses[name].add(res.valLoss);
      console.log(`round ${r} ${name}: ${res.epochDocsPerSecond.map(Math.round).join(' ')} docs/s (epochs 2+), val loss ${res.valLoss}`);
    }
    roundRatios.push(med.B / med.A);
    console.log(`round ${r} B/A ${(med.B / med.A).toFixed(2)}`);
  }
} finally {
  await close();
  for (const s of Object.values(servers)) await s.close();
}
const mA = median(rates.A);
const mB = median(rates.B);
console.log(`A ${distA}: median ${Math.round(mA)} docs/s; validation loss ${[...losses.A].join(', ')}`);
console.log(`B ${distB}: median ${Math.round(mB)} docs/s; validation loss ${[...losses.B].join(', ')}`);
console.log(`B/A ${(mB / mA).toFixed(2)} (wall clock, epochs 2+ of ${rounds} rounds); ${path.basename(dataFile)}, ${epochs} epochs, options ${options}`);
// Each round's B/A (of the two pages' medians, run back to back) is less
// swayed by the host's slow and fast minutes than the pooled medians.
const wins = roundRatios.filter((x) => x > 1).length;
console.log(`per round B/A: ${roundRatios.map((x) => x.toFixed(2)).join(' ')}; median ${median(roundRatios).toFixed(2)}; B ahead in ${wins} of ${rounds}`);
