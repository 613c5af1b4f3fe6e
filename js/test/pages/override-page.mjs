// The ES module build with its files elsewhere, as from a CDN layout:
// wasmURL and workerURL relative to this page (browser.test.mjs serves a
// copy of js/dist at /elsewhere/).
import * as kate from '/dist/kate.mjs';

window.overrideResult = (async () => {
  try {
    await kate.initialize({ wasmURL: '../elsewhere/kate.wasm', workerURL: '../elsewhere/kate.worker.js', encodeWorkers: 1 });
    const texts = [];
    for (let i = 0; i < 40; i++) texts.push(i % 2 ? `apple banana fruit ${i}` : `engine wheel motor ${i}`);
    const m = await kate.train(texts, { dim: 6, k: 2, epochs: 2, vocabSize: 30, validationDocs: 5 });
    const e = await m.encode(['apple', 'motor']);
    return { dims: e.dims, worker: (await kate.runtimeInfo()).worker };
  } catch (err) {
    return { error: err.message };
  }
})();
