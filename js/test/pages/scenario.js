// scenario.js — what browser.test.mjs runs in a page, on the ES module or
// the script-tag build (passed in as kate): initialize, train with progress
// events, cancel a run mid-epoch, train the reference model (and, with
// workers, again on two workers), encode, save, load, and report everything back (typed arrays as plain arrays).
window.cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
});

window.runScenario = async function runScenario(kate, args) {
  const out = { events: [], errors: [] };
  await kate.initialize(args.worker ? { worker: true, encodeWorkers: 2 } : { worker: false });
  // Encode helpers start lazily (on the first large encode), not with the engine.
  const helpersAtStart = (await kate.runtimeInfo()).encodeWorkers;
  out.runtime = await kate.runtimeInfo();
  out.version = kate.version;
  try {
    await kate.train(['a b c'], { dim: 4, k: 5 });
  } catch (e) {
    out.errors.push(e.message);
  }
  // Cancel a long run at its first progress event inside an epoch.
  const many = [];
  for (let r = 0; r < 4; r++) many.push(...args.cancelTexts);
  const ac = new AbortController();
  let at = null;
  const t0 = performance.now();
  try {
    await kate.train(many, {
      epochs: 50, batchSize: 20, signal: ac.signal,
      onProgress(e) {
        if (!at && !e.epochDone) {
          at = e;
          ac.abort();
        }
      },
    });
    out.cancel = { error: 'not cancelled' };
  } catch (e) {
    out.cancel = { name: e.name, at, ms: performance.now() - t0 };
  }
  // The reference model.
  const model = await kate.train(args.train, { ...args.options, onProgress: (e) => out.events.push(e) });
  out.params = model.params;
  const emb = await model.encode(args.test);
  out.dims = emb.dims;
  out.embeddings = Array.from(emb.data);
  const bytes = await model.save();
  out.model = Array.from(bytes);
  if (args.worker) {
    // The same model trained on two workers (data-parallel replicas).
    let workers = 0;
    const two = await kate.train(args.train, { ...args.options, workers: 2, onProgress: (e) => { workers = e.workers; } });
    out.twoWorkers = workers;
    const bytes2 = await two.save();
    out.twoWorkersSame = bytes2.length === bytes.length && bytes2.every((b, i) => b === bytes[i]);
    await two.dispose();
  }
  const loaded = await kate.load(bytes);
  const emb2 = await loaded.encode(args.test);
  out.loadedSame = emb2.data.every((v, i) => v === emb.data[i]);
  out.topics = (await model.topics(3)).length;
  out.similar = await model.similar(args.test[0], emb, 3);
  const ex = await model.explain(args.test[0], { gradient: 'full' });
  out.explainLosersWithGradient = [...ex.posLosers, ...ex.negLosers].filter((i) => ex.gradZ[i] !== 0).length;
  out.pca = (await kate.pca(emb, 2)).dims;
  // A large encode call (spread over the encode workers when there are
  // several) equals encoding in small calls on the engine alone. The first
  // large call starts the helpers (they start lazily).
  const big = args.cancelTexts.slice(0, 1000);
  const first = await model.encode(big);
  if (args.worker) {
    for (let i = 0; i < 100 && (await kate.runtimeInfo()).encodeWorkers < 2; i++) await new Promise((r) => setTimeout(r, 100));
  }
  out.encodeWorkers = (await kate.runtimeInfo()).encodeWorkers;
  out.helpersAtStart = helpersAtStart;
  const whole = await model.encode(big);
  let same = whole.dims[0] === big.length && first.data.every((v, q) => v === whole.data[q]);
  for (let i = 0; i < big.length && same; i += 200) {
    const part = await model.encode(big.slice(i, i + 200));
    same = part.data.every((v, q) => v === whole.data[i * emb.dims[1] + q]);
  }
  out.bigEncodeSame = same;
  await loaded.dispose();
  try {
    await loaded.encode(['x']);
  } catch (e) {
    out.errors.push(e.message);
  }
  out.memory = (await kate.runtimeInfo()).peakMemoryBytes;
  out.csp = window.cspViolations;
  return out;
};
