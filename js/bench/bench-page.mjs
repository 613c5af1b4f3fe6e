// bench-page.mjs — the benchmark page (js/bench/bench.html), run by
// js/bench/run.mjs in headless Chromium. Query parameters: data (URL of a
// 20 Newsgroups JSON Lines .gz file), simd (1 or 0), epochs, worker (1/0).
// It trains on the training split, encodes the test split twice (cold and
// warm token cache) and publishes the figures in window.benchResult.
import * as kate from '/dist/kate.mjs';

const q = new URLSearchParams(location.search);
const out = document.getElementById('out');
const log = (s) => {
  out.textContent += `\n${s}`;
};

async function corpus(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  const text = await new Response(r.body.pipeThrough(new DecompressionStream('gzip'))).text();
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[(s.length - 1) >> 1] : NaN;
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
  const ends = [];
  t0 = performance.now();
  let firstEvent = null;
  const model = await kate.train(train, {
    epochs, seed: 1,
    onProgress(e) {
      if (firstEvent === null) firstEvent = performance.now() - t0;
      if (e.epochDone) {
        ends.push(e);
        log(`epoch ${e.epoch}: loss ${e.loss?.toFixed(5)} val ${e.valLoss?.toFixed(5)} ${Math.round(e.docsPerSecond)} docs/s`);
      }
    },
  });
  const trainMs = performance.now() - t0;
  const nVal = Math.min(1000, Math.floor(train.length / 5));
  const perEpoch = [];
  for (let i = 1; i < ends.length; i++) perEpoch.push(((train.length - nVal) / (ends[i].elapsedMs - ends[i - 1].elapsedMs)) * 1000);
  const last = ends[ends.length - 1];
  const setupMs = trainMs - last.elapsedMs; // tokenising and building the vocabulary (and messaging)
  t0 = performance.now();
  await model.encode(test);
  const coldMs = performance.now() - t0;
  t0 = performance.now();
  await model.encode(test);
  const warmMs = performance.now() - t0;
  const info = await kate.runtimeInfo();
  const res = {
    kernels: info.kernels, worker, epochs: ends.length, trainDocs: train.length, testDocs: test.length,
    trainDocsPerSecond: last.docsPerSecond,
    epochDocsPerSecondMedian: median(perEpoch),
    epochDocsPerSecond: perEpoch,
    setupMs,
    trainWallMs: trainMs,
    encodeColdDocsPerSecond: (test.length / coldMs) * 1000,
    encodeWarmDocsPerSecond: (test.length / warmMs) * 1000,
    peakMemoryBytes: info.peakMemoryBytes,
    userAgent: navigator.userAgent,
  };
  log(JSON.stringify(res, null, 1));
  window.benchResult = res;
}

main().catch((e) => {
  log(`ERROR ${e && e.stack ? e.stack : e}`);
  window.benchResult = { error: String(e && e.message ? e.message : e) };
});
