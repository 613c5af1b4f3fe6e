// The example app with the script-tag build's global KATE: start it with
// no options, train on a few documents, encode two more, show the result.
// (window.kateResult is read by js/test/examples.test.mjs.)
const texts = [];
for (let i = 0; i < 60; i++) {
  texts.push(i % 2 ? `apple banana cherry fruit juice orchard ${i}` : `engine wheel brake motor car garage ${i}`);
}

async function run() {
  await KATE.initialize();
  const model = await KATE.train(texts, { dim: 8, k: 2, epochs: 3, vocabSize: 50, validationDocs: 10, seed: 7 });
  const { data, dims } = await model.encode(['apple juice', 'brake motor']);
  const info = await KATE.runtimeInfo();
  return { version: KATE.version, worker: info.worker, kernels: info.kernels, dims, finite: data.every(Number.isFinite) };
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
