// api-cases.mjs — the API tests shared by api-local.test.mjs (engine on
// the main thread) and api-worker.test.mjs (engine in a worker thread):
// every misuse is a rejected promise with a clear message, training and
// encoding equal the native command-line tool bit for bit, save/load round
// trips, cancellation mid-epoch leaves the library usable, a dead engine
// makes pending calls and its models reject instead of hanging, and the
// next call starts a new engine (also after a real out-of-memory crash).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { distDir, jsDir, smallSetup, nativeReference, sampleTexts } from './support.mjs';

/** Fails if promise has not settled after ms. */
function within(ms, promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: still pending after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const equalBytes = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

export function defineAPITests({ worker }) {
  const url = pathToFileURL(path.join(distDir, 'kate.node.mjs')).href;
  let kate;
  let hooks; // the library's test hooks, not part of its API
  const setup = smallSetup();
  let model;

  test('calls before initialize() reject with a clear message', async () => {
    kate = await import(url);
    hooks = kate.initialize[Symbol.for('kate.testing')];
    assert.deepEqual(Object.keys(kate).sort(), ['Model', 'initialize', 'load', 'pca', 'runtimeInfo', 'train', 'version'], 'the public exports');
    const pkg = JSON.parse(fs.readFileSync(path.join(jsDir, 'package.json'), 'utf8'));
    assert.equal(kate.version, pkg.version);
    await assert.rejects(kate.train(['a b c'], {}), /call initialize\(\) before train\(\)/);
    await assert.rejects(kate.load(new Uint8Array(8)), /call initialize\(\) before load\(\)/);
    await assert.rejects(kate.pca({ data: new Float32Array(4), dims: [2, 2] }), /call initialize\(\) before pca\(\)/);
    await assert.rejects(kate.runtimeInfo(), /initialize/);
  });

  test('initialize rejects bad options and can be retried; repeated calls share one promise', async () => {
    await assert.rejects(kate.initialize({ worker, wasmUrl: 'x' }), /unknown initialize option "wasmUrl"/);
    await assert.rejects(kate.initialize({ worker: 'yes' }), /option worker must be true or false/);
    await assert.rejects(kate.initialize({ worker, simd: 1 }), /option simd must be true or false/);
    await assert.rejects(kate.initialize({ worker, wasmModule: new Uint8Array(3) }), /wasmModule must be a WebAssembly.Module/);
    await assert.rejects(kate.initialize({ worker, wasmExecURL: 'wasm_exec.js' }), /option wasmExecURL is no longer used/);
    await assert.rejects(
      kate.initialize({ worker, wasmURL: new URL('./missing.wasm', url) }),
      /missing\.wasm|no such file|ENOENT/,
    );
    if (worker) {
      await assert.rejects(
        within(20000, kate.initialize({ worker, workerURL: new URL('./missing.worker.js', url) }), 'missing worker'),
        /worker/,
      );
      await assert.rejects(kate.initialize({ worker, encodeWorkers: 0 }), /option encodeWorkers must be between 1 and 16/);
    }
    const options = worker ? { worker, encodeWorkers: 3 } : { worker };
    const p = kate.initialize(options);
    assert.equal(kate.initialize({ ...options }), p, 'a repeated call with the same options returns the same promise');
    assert.equal(kate.initialize(), p, 'a repeated call without options returns the same promise');
    await assert.rejects(
      kate.initialize({ ...options, worker: !worker }),
      new RegExp(`initialize\\(\\) was already called with other options \\(worker: ${worker}, not ${!worker}\\)`),
    );
    await assert.rejects(kate.initialize({ ...options, simd: false }), /already called with other options \(simd: true, not false\)/);
    await p;
    const info = await kate.runtimeInfo();
    assert.equal(info.limits.dim, 4096, 'limits come from the Go core');
    assert.equal(info.limits.defaultDim, 128, 'the default dim comes from the Go core');
    assert.equal(info.limits.defaultVocabSize, 2000, 'the default vocabSize comes from the Go core');
    assert.equal(info.limits.vocabSize, 2 ** 20);
    assert.equal(info.limits.alpha, 100);
    assert.equal(info.worker, worker);
    assert.equal(info.kernels, 'simd', `SIMD kernels expected in Node 20 (${info.simdError})`);
    assert.equal(info.version, kate.version);
    assert.ok(info.memoryBytes > 0 && info.peakMemoryBytes >= info.memoryBytes);
  });

  test('the SIMD kernels equal the pure-Go kernels bit for bit', async () => {
    assert.equal(await hooks.selfTest(60), '');
  });

  test('train: every misuse rejects with a clear message', async () => {
    const t = ['one text', 'two texts'];
    const cases = [
      [() => kate.train('just a string'), /train expects an array of strings, got the string/],
      [() => kate.train(), /train expects an array of strings, got undefined/],
      [() => kate.train([]), /train needs at least one text/],
      [() => kate.train(['ok', 7]), /text 1 is number 7, not a string/],
      [() => kate.train(['ok', null]), /text 1 is null/],
      [() => kate.train(t, 'fast'), /train options must be an object/],
      [() => kate.train(t, { dims: 8 }), /unknown train option "dims"/],
      [() => kate.train(t, { dim: 8, k: 9 }), /option k \(9\) must not exceed dim \(8\)/],
      [() => kate.train(t, { k: 129 }), /option k \(129\) must not exceed dim \(128\)/],
      [() => kate.train(t, { dim: 0 }), /option dim must be between 1 and 4096, got 0/],
      [() => kate.train(t, { dim: 5000 }), /option dim must be between 1 and 4096/],
      [() => kate.train(t, { epochs: 1.5 }), /option epochs must be an integer, got number 1.5/],
      [() => kate.train(t, { batchSize: '10' }), /option batchSize must be an integer, got the string "10"/],
      [() => kate.train(t, { alpha: -1 }), /option alpha must be a finite number >= 0/],
      [() => kate.train(t, { alpha: NaN }), /option alpha must be a finite number >= 0/],
      [() => kate.train(t, { sampling: -1 }), /option sampling must be a finite number >= 0/],
      [() => kate.train(t, { sampling: 1001 }), /sampling 1001 must be in \[0, 1000\]/],
      [() => kate.train(t, { alpha: 101 }), /option alpha must be at most 100, got number 101/],
      [() => kate.train(t, { gradient: 'half' }), /option gradient must be "full" or "none"/],
      [() => kate.train(t, { seed: -1 }), /option seed must be a non-negative integer/],
      [() => kate.train(t, { seed: 2 ** 64 }), /option seed must be a non-negative integer/],
      [() => kate.train(t, { seed: 2n ** 64n }), /option seed must be in \[0, 2\^64\)/],
      [() => kate.train(t, { stem: 'yes' }), /option stem must be true or false/],
      [() => kate.train(t, { onProgress: 'log' }), /option onProgress must be a function/],
      [() => kate.train(t, { signal: {} }), /option signal must be an AbortSignal/],
      [() => kate.train(t, { vocabSize: 0 }), /option vocabSize must be between 1/],
      [() => kate.train(t, { minInputs: -1 }), /option minInputs must be between 0 and/],
      [() => kate.train(t, { minInputs: 0.5 }), /option minInputs must be an integer/],
      [() => kate.train(['the and of', '123 456'], { epochs: 1 }), /no terms/],
    ];
    for (const [call, re] of cases) await assert.rejects(call(), re);
  });

  test('reconstruction sampling: train equals the native command-line tool bit for bit', async () => {
    const ref = nativeReference(setup.train, setup.test, [...setup.flags, '--sampling', '1.5']);
    const sampled = await kate.train(setup.train, { ...setup.options, sampling: 1.5 });
    const bytes = await sampled.save();
    assert.ok(equalBytes(bytes, ref.model), 'the sampled model file differs from the native one');
    await sampled.dispose();
  });

  test('train equals the native command-line tool bit for bit, with progress events', async () => {
    const ref = nativeReference(setup.train, setup.test, setup.flags);
    const events = [];
    model = await kate.train(setup.train, { ...setup.options, onProgress: (e) => events.push(e) });
    assert.deepEqual(model.params, { dim: 24, k: 6, alpha: model.params.alpha, gradient: 'full', vocabSize: 400, stem: true, stopwords: true });
    assert.ok(Math.abs(model.params.alpha - 6.26) < 1e-6);
    assert.equal(model.dim, 24);
    assert.equal(model.info.seed, 11);
    assert.equal(model.info.docs, setup.train.length);
    const ends = events.filter((e) => e.epochDone);
    assert.deepEqual(ends.map((e) => e.epoch), [1, 2, 3]);
    for (const e of ends) {
      for (const key of ['loss', 'valLoss', 'docsPerSecond', 'elapsedMs', 'learningRate']) {
        assert.ok(typeof e[key] === 'number' && Number.isFinite(e[key]), `event.${key} = ${e[key]}`);
      }
      assert.equal(e.epochs, 3);
    }
    assert.equal(ends[2].stopping, true);
    assert.ok(events.every((e) => e.workers === 1), 'training this small corpus runs on one worker by default');
    const bytes = await model.save();
    assert.ok(bytes instanceof Uint8Array);
    assert.ok(equalBytes(bytes, ref.model), 'the model file differs from the native one');
    const emb = await model.encode(setup.test);
    assert.deepEqual(emb.dims, [setup.test.length, 24]);
    assert.ok(emb.data instanceof Float32Array && emb.data.length === setup.test.length * 24);
    assert.ok(emb.data.every((v, i) => v === ref.embeddings[i]), 'embeddings differ from the native ones');
  });

  test('option workers: misuse rejects with a clear message', async () => {
    const t = ['one text', 'two texts'];
    await assert.rejects(kate.train(t, { workers: 0 }), /option workers must be between 1 and 4, got 0/);
    await assert.rejects(kate.train(t, { workers: 5 }), /option workers must be between 1 and 4, got 5/);
    await assert.rejects(kate.train(t, { workers: 1.5 }), /option workers must be an integer, got number 1.5/);
    if (!worker) await assert.rejects(kate.train(t, { workers: 2 }), /option workers above 1 needs initialize\(\{ worker: true \}\)/);
    const cpus = os.availableParallelism();
    assert.equal((await kate.runtimeInfo()).trainWorkers, worker ? (cpus >= 8 ? 4 : cpus >= 4 ? 2 : 1) : 1);
  });

  if (worker) test('training on 2, 3 and 4 workers gives the same model bytes as on one (exact loss and sampling)', async () => {
    const one = await model.save();
    const emb = await model.encode(setup.test);
    for (const workers of [2, 3, 4]) {
      const events = [];
      const m = await kate.train(setup.train, { ...setup.options, workers, onProgress: (e) => events.push(e) });
      assert.ok(equalBytes(await m.save(), one), `the model trained on ${workers} workers differs from one worker's`);
      const e2 = await m.encode(setup.test);
      assert.ok(e2.data.every((v, i) => v === emb.data[i]), `embeddings differ with ${workers} workers`);
      assert.deepEqual(events.filter((e) => e.epochDone).map((e) => e.epoch), [1, 2, 3], 'one set of progress events');
      assert.ok(events.every((e) => e.workers === workers), `progress events report ${workers} workers`);
      await m.dispose();
    }
    const sampled = { ...setup.options, sampling: 1.5, seed: 4 };
    const s1 = await kate.train(setup.train, { ...sampled, workers: 1 });
    const s2 = await kate.train(setup.train, { ...sampled, workers: 2 });
    assert.ok(equalBytes(await s2.save(), await s1.save()), 'the sampled model trained on 2 workers differs from one worker\'s');
    await s1.dispose();
    await s2.dispose();
  });

  if (worker) test('replica 0 trains on alone when the others cost more than they save: the same model', async () => {
    const texts = sampleTexts().slice(0, 1000);
    const options = { dim: 24, k: 6, vocabSize: 400, epochs: 1, batchSize: 20, seed: 5 };
    const alone = await kate.train(texts, { ...options, workers: 1 });
    hooks.dismiss(1e-9); // dismiss at the first check, after 32 batches (default trainings only, otherwise)
    const events = [];
    let m;
    try {
      m = await kate.train(texts, { ...options, workers: 2, onProgress: (e) => events.push(e) });
    } finally {
      hooks.dismiss(null);
    }
    assert.ok(equalBytes(await m.save(), await alone.save()), 'the model differs from one worker\'s');
    // Without the dismissal the events would report 2 workers to the end.
    assert.equal(events.at(-1).workers, 1, 'the last progress event reports one worker');
    await m.dispose();
    await alone.dispose();
  });

  if (worker) test('a training worker that dies mid-training rejects train with a clear error, not a hang', async () => {
    const many = [];
    for (let r = 0; r < 3; r++) many.push(...sampleTexts());
    let started;
    const progressed = new Promise((resolve) => {
      started = resolve;
    });
    const pending = kate.train(many, { epochs: 50, workers: 2, onProgress: started });
    pending.catch(() => {});
    await within(30000, progressed, 'first progress event');
    await hooks.crash('train');
    await assert.rejects(within(10000, pending, 'pending train'), /^Error: kate: training worker 2 of 2 stopped, so training stopped: the WebAssembly program stopped \(exit code 3\)/);
    // The engine is unharmed: its model works and the next training runs on two workers.
    assert.equal((await model.encode(setup.test.slice(0, 2))).dims[0], 2);
    const m = await kate.train(setup.train, { ...setup.options, workers: 2 });
    assert.ok(equalBytes(await m.save(), await model.save()));
    await m.dispose();
  });

  test('encode: misuse rejects; results are deterministic', async () => {
    await assert.rejects(model.encode('a text'), /model.encode expects an array of strings, got the string/);
    await assert.rejects(model.encode([]), /model.encode needs at least one text/);
    await assert.rejects(model.encode(['a', 3]), /text 1 is number 3/);
    const e = await model.encode([setup.test[0], '', setup.test[0]]);
    const row = (i) => e.data.subarray(i * 24, (i + 1) * 24);
    assert.deepEqual(row(0), row(2));
    assert.ok(row(1).every(Number.isFinite), 'the empty text encodes to tanh(b)');
  });

  test('save/load round trip; corrupted, truncated and wrong inputs reject', async () => {
    const bytes = await model.save();
    const m2 = await kate.load(bytes);
    const m3 = await kate.load(bytes.buffer.slice(0));
    assert.deepEqual(m2.params, model.params);
    assert.deepEqual(m2.info, model.info);
    const a = await model.encode(setup.test.slice(0, 5));
    const b = await m2.encode(setup.test.slice(0, 5));
    const c = await m3.encode(setup.test.slice(0, 5));
    assert.deepEqual(b.data, a.data);
    assert.deepEqual(c.data, a.data);
    assert.ok(equalBytes(await m2.save(), bytes));
    const corrupt = bytes.slice();
    corrupt[200] ^= 0x55;
    await assert.rejects(kate.load(corrupt), /invalid model file: checksum mismatch/);
    await assert.rejects(kate.load(bytes.slice(0, 100)), /invalid model file: truncated/);
    await assert.rejects(kate.load(new TextEncoder().encode('hello world, not a model')), /invalid model file: not a KATE model/);
    await assert.rejects(kate.load(new Uint8Array(0)), /the model file is empty/);
    await assert.rejects(kate.load('model.kate'), /load expects the model file as a Uint8Array or ArrayBuffer, got the string/);
    await assert.rejects(kate.load([1, 2, 3]), /got an array/);
    await m2.dispose();
    await m3.dispose();
  });

  test('topics, similar, explain, vocabulary, pca', async () => {
    const topics = await model.topics(5);
    assert.equal(topics.length, 24);
    assert.equal(topics[3].unit, 3);
    assert.equal(topics[3].words.length, 5);
    assert.ok(topics[3].weights instanceof Float32Array);
    assert.ok(topics[3].weights[0] >= topics[3].weights[4]);
    for (const t of topics) {
      assert.equal(t.label, t.words.slice(0, 3).join(' '));
      assert.equal(typeof t.empty, 'boolean');
      assert.ok(t.docs >= 0 && t.duplicateOf >= -1 && t.duplicateOf < t.unit);
    }
    // Every training document is assigned to 4 units.
    assert.equal(topics.reduce((s, t) => s + t.docs, 0), 4 * model.info.docs);
    const byWeight = await model.topics(5, { by: 'weight' });
    for (const t of byWeight) {
      assert.equal(t.docs, -1);
      for (let i = 1; i < 5; i++) assert.ok(t.weights[i - 1] >= t.weights[i]);
    }
    assert.notDeepEqual(byWeight.map((t) => t.words), topics.map((t) => t.words));
    assert.deepEqual(await model.topics(5, { by: 'documents' }), topics);
    await assert.rejects(model.topics(0), /model.topics: n must be between 1 and 1000, got 0/);
    await assert.rejects(model.topics(2.5), /n must be an integer/);
    await assert.rejects(model.topics(5, { by: 'size' }), /by must be 'documents', 'weight' or 'learned'/);
    await assert.rejects(model.topics(5, { order: 1 }), /unknown option "order"/);
    const reps = await model.topicDocuments(setup.test, 3);
    assert.equal(reps.length, 24);
    for (const docs of reps) {
      assert.equal(docs.length, 3);
      for (const d of docs) assert.ok(Number.isInteger(d) && d >= 0 && d < setup.test.length);
      assert.equal(new Set(docs).size, 3);
    }
    assert.deepEqual(await model.topicDocuments(setup.test, 3), reps);
    await assert.rejects(model.topicDocuments(setup.test, 0), /model.topicDocuments: n must be between 1/);
    await assert.rejects(model.topicDocuments('text'), /model.topicDocuments/);

    const emb = await model.encode(setup.test);
    const byText = await model.similar(setup.test[3], setup.test, 4);
    assert.equal(byText.length, 4);
    assert.equal(byText[0].index, 3);
    assert.ok(Math.abs(byText[0].score - 1) < 1e-5);
    for (let i = 1; i < byText.length; i++) assert.ok(byText[i - 1].score >= byText[i].score);
    const byEmb = await model.similar(setup.test[3], emb, 4);
    assert.deepEqual(byEmb, byText);
    const byVec = await model.similar(emb.data.slice(3 * 24, 4 * 24), emb, 2);
    assert.equal(byVec[0].index, 3);
    assert.equal((await model.similar('god', emb, 1000)).length, setup.test.length);
    await assert.rejects(model.similar('', setup.test), /query needs a non-empty text/);
    await assert.rejects(model.similar(42, setup.test), /query expects a string/);
    await assert.rejects(model.similar('god', { data: new Float32Array(10), dims: [2, 5] }), /dimension 5 but the model has 24/);
    await assert.rejects(model.similar('god', { data: new Float32Array(10), dims: [3, 5] }), /do not match data of length 10/);
    await assert.rejects(model.similar(new Float32Array(3), emb), /query embedding has length 3/);
    await assert.rejects(model.similar('god', emb, 0), /n must be between 1/);

    const full = await model.explain(setup.test[1], { gradient: 'full' });
    const none = await model.explain(setup.test[1], { gradient: 'none' });
    assert.equal(full.z.length, 24);
    assert.equal(full.gradient, 'full');
    assert.equal(full.posWinners.length + full.negWinners.length <= 6, true);
    assert.ok(full.terms.length > 0 && full.terms.length === full.x.length);
    const losers = [...full.posLosers, ...full.negLosers];
    assert.ok(losers.length > 0 && losers.every((i) => full.h[i] === 0), 'losers output 0');
    assert.ok(losers.some((i) => full.gradZ[i] !== 0), 'in full mode losers get gradient through alpha');
    assert.ok(none.gradZ.every((g) => g === 0), 'no gradient through the competition in none mode');
    assert.deepEqual(none.z, full.z);
    assert.equal((await model.explain(setup.test[1])).gradient, 'full', 'the model\'s own mode by default');
    await assert.rejects(model.explain(''), /model.explain needs a non-empty text/);
    await assert.rejects(model.explain(['x']), /model.explain expects a string/);
    await assert.rejects(model.explain('x', { gradient: 'some' }), /gradient must be "full" or "none"/);
    await assert.rejects(model.explain('x', { mode: 'full' }), /unknown option "mode"/);
    await assert.rejects(model.explain('qqqq zzzz'), /no vocabulary term/);

    const vocab = await model.vocabulary();
    assert.equal(vocab.length, 400);
    assert.ok(full.terms.every((t) => vocab.includes(t)));

    const p = await kate.pca(emb, 2);
    assert.deepEqual(p.dims, [setup.test.length, 2]);
    assert.ok(p.data instanceof Float32Array && p.data.every(Number.isFinite));
    const p1 = await kate.pca(emb);
    assert.deepEqual(p1.dims, [setup.test.length, 2]);
    await assert.rejects(kate.pca(emb, 25), /pca: n must be between 1 and 24/);
    await assert.rejects(kate.pca({ data: emb.data.slice(0, 24), dims: [1, 24] }), /at least two rows/);
    await assert.rejects(kate.pca(emb.data), /pca expects embeddings/);
  });

  test('cancelling mid-epoch rejects with an AbortError and the library stays usable', async () => {
    const many = [];
    const base = sampleTexts();
    for (let r = 0; r < 4; r++) many.push(...base);
    const aborted = new AbortController();
    aborted.abort();
    await assert.rejects(kate.train(setup.train, { signal: aborted.signal }), { name: 'AbortError' });

    const ac = new AbortController();
    let cancelledAt = null;
    const t0 = performance.now();
    const run = kate.train(many, {
      epochs: 50, seed: 3, batchSize: 20,
      signal: ac.signal,
      onProgress(e) {
        if (!cancelledAt && !e.epochDone) {
          cancelledAt = e;
          ac.abort();
        }
      },
    });
    await assert.rejects(within(20000, run, 'cancelled training'), { name: 'AbortError' });
    assert.ok(cancelledAt, 'a progress event arrived inside an epoch');
    assert.ok(cancelledAt.batch < cancelledAt.batches, 'cancelled mid-epoch');
    assert.ok(performance.now() - t0 < 20000);
    // Still usable: the existing model works and a new run trains.
    const e = await model.encode(setup.test.slice(0, 2));
    assert.equal(e.dims[0], 2);
    const m = await kate.train(setup.train.slice(0, 100), { dim: 8, k: 2, epochs: 1, vocabSize: 100 });
    assert.equal(m.dim, 8);
    await m.dispose();
  });

  if (worker) test('large encode calls are spread over helper workers with the same results', async () => {
    // Helpers start with the session's first model (trained or loaded),
    // before any large encode call, and load each model's replica as it
    // comes; a call takes each helper on as it becomes ready. Every large
    // call equals encoding in small calls on the engine alone.
    let info;
    for (let i = 0; i < 200; i++) {
      info = await kate.runtimeInfo();
      if (info.encodeWorkers === 3) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(info.encodeWorkers, 3, 'two helper workers started with the first model, before any large encode call');
    // They check and install the encoding kernels as they start (in the
    // background), not in their first part of a large call.
    let started;
    for (let i = 0; i < 200; i++) {
      started = await hooks.kernelSets();
      if (started.helpers.length === 2 && started.helpers.every((k) => k === 'wasm-simd-encode')) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.deepEqual(started.helpers, ['wasm-simd-encode', 'wasm-simd-encode'], 'the helpers install the encoding kernels as they start, before any large call');
    const firstTexts = sampleTexts('train').slice(0, 300);
    const firstRef = new Float32Array(firstTexts.length * 24);
    for (let i = 0; i < firstTexts.length; i += 200) firstRef.set((await model.encode(firstTexts.slice(i, i + 200))).data, i * 24);
    // A model loaded now: its replicas load in the background; its first
    // large call (a fresh token cache on every engine) equals small calls.
    const file = await model.save();
    const loaded = await kate.load(file);
    file.fill(0); // load keeps its own copy for the helpers
    const first = await loaded.encode(firstTexts);
    assert.ok(first.data.every((v, i) => v === firstRef[i]), 'the first large call of a loaded model equals small calls');
    await loaded.dispose();
    // Disposed while its replicas are still loading: nothing breaks.
    const gone = await kate.load(await model.save());
    await gone.dispose();
    const again0 = await model.encode(firstTexts);
    assert.ok(again0.data.every((v, i) => v === firstRef[i]), 'the trained model\'s large call equals small calls');
    const texts = sampleTexts('train').slice(0, 700);
    const ref = new Float32Array(texts.length * 24);
    for (let i = 0; i < texts.length; i += 200) {
      const part = await model.encode(texts.slice(i, i + 200)); // below the parallel threshold
      ref.set(part.data, i * 24);
    }
    hooks.traceEncode(true);
    const par = await model.encode(texts);
    const parts = hooks.traceEncode(false).filter((e) => e.what === 'part');
    assert.deepEqual(par.dims, [texts.length, 24]);
    assert.ok(par.data.every((v, i) => v === ref[i]), 'parallel encoding equals encoding on one engine');
    // The parts cover the texts once, none smaller than 64 texts but the
    // last, in the order they were taken.
    assert.equal(parts.reduce((a, p) => a + p.texts, 0), texts.length, 'the parts cover every text once');
    const sizes = parts.toSorted((a, b) => a.t0 - b.t0).map((p) => p.texts);
    assert.ok(sizes.length > 3 && sizes.every((x, i) => i === 0 || x <= sizes[i - 1] || i === sizes.length - 1), `part sizes ${sizes}`);
    assert.ok(sizes.slice(0, -1).every((x) => x >= 64), `part sizes ${sizes}`);
    const sets = await hooks.kernelSets();
    assert.equal(sets.engine, 'wasm-simd', 'the engine trained, so it runs all the SIMD kernels');
    assert.deepEqual(sets.helpers, ['wasm-simd-encode', 'wasm-simd-encode'], 'the helpers run the SIMD encoder kernel, checked alone');
    // Helpers that die during a call: their share is encoded by the engine.
    const running = model.encode(texts);
    await hooks.crash('helpers');
    const after = await running;
    assert.ok(after.data.every((v, i) => v === ref[i]));
    const again = await model.encode(texts);
    assert.ok(again.data.every((v, i) => v === ref[i]));
    assert.equal((await kate.runtimeInfo()).encodeWorkers, 1, 'dead helpers are not used');
  });

  test('an exception in onProgress rejects train with it', async () => {
    const boom = new Error('boom from onProgress');
    await assert.rejects(
      kate.train(setup.train, { ...setup.options, onProgress: () => { throw boom; } }),
      (e) => e === boom,
    );
  });

  test('a disposed model rejects every call', async () => {
    const m = await kate.load(await model.save());
    await m.dispose();
    assert.equal(m.disposed, true);
    await m.dispose(); // twice is fine
    for (const call of [() => m.encode(['x']), () => m.topics(), () => m.save(), () => m.similar('x', ['y']), () => m.explain('x'), () => m.vocabulary()]) {
      await assert.rejects(call(), /this model has been disposed/);
    }
  });

  test('when the engine dies, pending calls and its models reject', async () => {
    const many = [];
    for (let r = 0; r < 3; r++) many.push(...sampleTexts());
    let started;
    const progressed = new Promise((resolve) => {
      started = resolve;
    });
    const pending = kate.train(many, { epochs: 50, onProgress: started });
    pending.catch(() => {});
    await within(20000, progressed, 'first progress event');
    await hooks.crash();
    await assert.rejects(within(10000, pending, 'pending train'), /stopped|exited|worker/);
    await assert.rejects(within(10000, model.encode(['x']), 'encode'), /stopped|exited|worker/);
  });

  // Issue 13, item 3: the engine restarts after it dies, and an
  // out-of-memory death names its cause without a goroutine dump.
  test('after the engine dies, the next call starts a new engine', async () => {
    const again = await within(60000, kate.load(await within(60000, (async () => {
      await kate.initialize(); // a live engine, not the dead one
      return (await kate.train(setup.train, setup.options)).save();
    })(), 'train on a new engine')), 'load on a new engine');
    assert.equal((await again.encode(['space shuttle'])).dims[1], again.dim);
    model = again;
  });

  test('out of memory: the cause is named, no goroutine dump, and the library recovers', async () => {
    const printed = [];
    const saved = { log: console.log, error: console.error, warn: console.warn };
    for (const k of Object.keys(saved)) console[k] = (...a) => printed.push(a.join(' '));
    let pending;
    try {
      let started;
      const progressed = new Promise((resolve) => {
        started = resolve;
      });
      pending = kate.train([...sampleTexts(), ...sampleTexts()], { epochs: 50, onProgress: started });
      pending.catch(() => {});
      await within(20000, progressed, 'first progress event');
      await hooks.crash('engine', 'oom');
      await assert.rejects(within(30000, pending, 'pending train'), /not enough memory for this model: the engine ran out of memory/);
      await assert.rejects(within(10000, model.encode(['x']), 'encode'), /not enough memory/);
    } finally {
      Object.assign(console, saved);
    }
    assert.ok(!printed.some((l) => /goroutine \d+ \[/.test(l)), `goroutine dump printed: ${printed.join('\n').slice(0, 300)}`);
    const m = await within(60000, kate.train(setup.train, setup.options), 'train after the restart');
    model = m;
    assert.equal((await m.encode(['space'])).dims[1], m.dim);
  });
}
