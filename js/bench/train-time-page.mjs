// train-time-page.mjs — the page of train-time.mjs: trains one model on the
// training split of a labelled JSON Lines .gz file with the library's
// defaults (early stopping included, as a user's `kate.train(texts)`), and
// publishes the wall time in window.benchResult. Query parameters: data
// (URL of the file), options (JSON of extra train options, e.g.
// {"vocabSize":5000}).
import * as kate from '/dist/kate.mjs';

const q = new URLSearchParams(location.search);
const out = document.getElementById('out');
const log = (s) => {
  out.textContent += `\n${s}`;
};

async function main() {
  const r = await fetch(q.get('data'));
  if (!r.ok) throw new Error(`${q.get('data')}: HTTP ${r.status}`);
  const text = await new Response(r.body.pipeThrough(new DecompressionStream('gzip'))).text();
  const train = text.split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((d) => d.split === 'train').map((d) => d.text);
  const options = JSON.parse(q.get('options') || '{}');
  await kate.initialize();
  const t0 = performance.now();
  let last;
  const model = await kate.train(train, {
    ...options,
    onProgress(e) {
      if (e.epochDone) {
        last = e;
        log(`epoch ${e.epoch}: val ${e.valLoss?.toFixed(5)} ${Math.round(e.docsPerSecond)} docs/s`);
      }
    },
  });
  const trainMs = performance.now() - t0;
  window.benchResult = {
    docs: train.length, options, trainSeconds: trainMs / 1000, loopSeconds: last.elapsedMs / 1000,
    epochs: model.info.epochs, bestEpoch: model.info.bestEpoch, vocabSize: model.vocabSize,
  };
  log(JSON.stringify(window.benchResult));
}

main().catch((e) => {
  log(`ERROR ${e && e.stack ? e.stack : e}`);
  window.benchResult = { error: String(e && e.message ? e.message : e) };
});
