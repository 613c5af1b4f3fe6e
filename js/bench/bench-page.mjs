// bench-page.mjs — the benchmark page (js/bench/bench.html), run by
// js/bench/run.mjs in headless Chromium. Query parameters: data (URL of a
// 20 Newsgroups JSON Lines .gz file), simd (1 or 0), epochs, worker (1/0),
// workers (train's workers option; absent: the default), encode (1/0),
// options (JSON: more train options, e.g. {"vocabSize":10000,"sampling":2}).
// It runs measure.mjs and publishes the figures in window.benchResult.
import * as kate from '/dist/kate.mjs';
import { measure } from '/bench/measure.mjs';

const q = new URLSearchParams(location.search);
const out = document.getElementById('out');
// Every line also goes to the console, where run.mjs reads the CPU time
// at each epoch's end.
const log = (s) => {
  out.textContent += `\n${s}`;
  console.log(s);
};

async function corpus(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  const text = await new Response(r.body.pipeThrough(new DecompressionStream('gzip'))).text();
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

async function main() {
  const simd = q.get('simd') !== '0';
  const epochs = Number(q.get('epochs') || 3);
  const worker = q.get('worker') !== '0';
  const rows = await corpus(q.get('data'));
  const train = rows.filter((r) => r.split === 'train').map((r) => r.text);
  const test = rows.filter((r) => r.split === 'test').map((r) => r.text);
  let t0 = performance.now();
  await kate.initialize({ simd, worker });
  const initMs = performance.now() - t0;
  const info0 = await kate.runtimeInfo();
  log(`kernels ${info0.kernels}, init ${initMs.toFixed(0)} ms, ${train.length} train / ${test.length} test documents`);
  const workers = q.has('workers') ? Number(q.get('workers')) : undefined;
  const options = JSON.parse(q.get('options') || '{}');
  const res = await measure(kate, train, test, { epochs, log, workers, options, encode: q.get('encode') !== '0' });
  res.userAgent = navigator.userAgent;
  log(JSON.stringify(res, null, 1));
  window.benchResult = res;
}

main().catch((e) => {
  log(`ERROR ${e && e.stack ? e.stack : e}`);
  window.benchResult = { error: String(e && e.message ? e.message : e) };
});
