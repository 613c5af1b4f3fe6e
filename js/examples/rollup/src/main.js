// The example app: start kate with no options, train on a few documents,
// encode two more, show the result. (window.kateResult is read by
// js/test/examples.test.mjs.)
import * as kate from '@kate-web/kate';

const texts = [];
for (let i = 0; i < 60; i++) {
  texts.push(i % 2 ? `apple banana cherry fruit juice orchard ${i}` : `engine wheel brake motor car garage ${i}`);
}

async function run() {
  await kate.initialize();
  const model = await kate.train(texts, { dim: 8, k: 2, epochs: 3, vocabSize: 50, validationDocs: 10, seed: 7 });
  const { data, dims } = await model.encode(['apple juice', 'brake motor']);
  const info = await kate.runtimeInfo();
  return { version: kate.version, worker: info.worker, kernels: info.kernels, dims, finite: data.every(Number.isFinite) };
}

const out = document.getElementById('out');
run().then(
  (result) => {
    window.kateResult = result;
    out.textContent = JSON.stringify(result, null, 2);
  },
  (e) => {
    window.kateResult = { error: e.message };
    out.textContent = `error: ${e.message}`;
    console.error(e);
  },
);
