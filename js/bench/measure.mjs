// measure.mjs — the benchmark, shared by the page (bench-page.mjs, in
// Chromium) and node-bench.mjs: train on the training split (seed 1, the
// default model: V=2000, K=128, k=32, batches of 100) for a few epochs,
// then encode the test split with fresh copies of the model (cold token
// cache) on all encode workers and on one, and again (warm cache).
// workers: train's workers option (undefined: the library's default);
// options: more train options (e.g. vocabSize, sampling); encode: false
// skips the encoding part.
function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[(s.length - 1) >> 1] : NaN;
}

export async function measure(kate, train, test, { epochs, log = () => {}, workers, options = {}, encode = true }) {
  const ends = [];
  let t0 = performance.now();
  const model = await kate.train(train, {
    ...options, epochs, seed: 1, workers,
    onProgress(e) {
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
  const bytes = await model.save();
  const training = {
    trainWorkers: last.workers,
    epochs: ends.length,
    trainDocs: train.length,
    trainDocsPerSecond: last.docsPerSecond,
    epochDocsPerSecondMedian: median(perEpoch.length ? perEpoch : [last.docsPerSecond]),
    // All documents of epochs 2..N over their time (the first epoch, slower
    // while V8 compiles, left out as TensorFlow.js's page leaves out its
    // first batches).
    laterEpochsDocs: (train.length - nVal) * (ends.length - 1),
    laterEpochsDocsPerSecond: ends.length > 1 ? (((train.length - nVal) * (ends.length - 1)) / (last.elapsedMs - ends[0].elapsedMs)) * 1000 : last.docsPerSecond,
    epochDocsPerSecond: perEpoch,
    setupMs: trainMs - last.elapsedMs,
    valLoss: model.info.valLoss,
  };
  if (!encode) {
    const info = await kate.runtimeInfo();
    return { kernels: info.kernels, ...training, peakMemoryBytes: info.peakMemoryBytes };
  }
  // One worker, cold: calls below the parallel threshold go to the engine only.
  const single = await kate.load(bytes);
  t0 = performance.now();
  for (let i = 0; i < test.length; i += 250) await single.encode(test.slice(i, i + 250));
  const singleMs = performance.now() - t0;
  // All encode workers, cold then warm.
  const pooled = await kate.load(bytes);
  t0 = performance.now();
  await pooled.encode(test);
  const coldMs = performance.now() - t0;
  t0 = performance.now();
  await pooled.encode(test);
  const warmMs = performance.now() - t0;
  const info = await kate.runtimeInfo();
  return {
    kernels: info.kernels,
    encodeWorkers: info.encodeWorkers,
    ...training,
    testDocs: test.length,
    encodeColdOneWorkerDocsPerSecond: (test.length / singleMs) * 1000,
    encodeColdDocsPerSecond: (test.length / coldMs) * 1000,
    encodeWarmDocsPerSecond: (test.length / warmMs) * 1000,
    peakMemoryBytes: info.peakMemoryBytes,
  };
}
