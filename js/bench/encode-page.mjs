// encode-page.mjs — the encode benchmark page (js/bench/encode.html), driven
// by js/bench/encode.mjs in headless Chromium. Query parameters: dist (the
// URL of a js/dist directory), model (a model file's URL), data (a JSON
// Lines .gz corpus: its test split, or all its texts when it has none),
// encodeWorkers (unset: the library's default), worker (0: the engine on
// the page's thread, for js/bench/profile.mjs chromium --encode), epochs
// (when set, the page first trains a model that many epochs on the
// corpus's training split, one worker, as js/bench/measure.mjs does, so
// that the engine's code has run before; the model file is still the
// one encoded), trace (1: coldN also returns the library's timeline of
// the call: when each helper started and became ready, when the model's
// replicas loaded, each part's engine and times). window.encodeBench runs
// the phases of measure.mjs's encoding one at a time (the driver reads the
// browser's CPU time between them): cold1 encodes the texts with a freshly
// loaded model (empty token cache) in calls of 250 (below the parallel
// threshold: the engine alone), coldN with another fresh copy in one call
// (the encode workers; the first such call starts the helpers), warmN
// repeats that call. Each returns { ms, docs, hash } (hash: the SHA-256 of
// the embeddings, hex); info() returns runtimeInfo() after them and the
// time initialize() took (initMs: fetching, compiling and starting
// kate.wasm in the engine).
const q = new URLSearchParams(location.search);

async function fetchOk(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return r;
}

async function corpus(url) {
  const r = await fetchOk(url);
  const text = await new Response(r.body.pipeThrough(new DecompressionStream('gzip'))).text();
  const rows = text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const test = rows.filter((r) => r.split === 'test');
  const train = rows.filter((r) => r.split === 'train');
  return { texts: (test.length ? test : rows).map((r) => r.text), train: (train.length ? train : rows).map((r) => r.text) };
}

async function sha256(data) {
  const d = await crypto.subtle.digest('SHA-256', data);
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

async function start() {
  const kate = await import(`${q.get('dist')}kate.mjs`);
  const [bytes, { texts, train }] = await Promise.all([fetchOk(q.get('model')).then((r) => r.arrayBuffer()).then((b) => new Uint8Array(b)), corpus(q.get('data'))]);
  const options = { worker: q.get('worker') !== '0' };
  if (q.get('encodeWorkers')) options.encodeWorkers = Number(q.get('encodeWorkers'));
  const t0 = performance.now();
  await kate.initialize(options);
  const initMs = performance.now() - t0;
  if (q.get('epochs')) await (await kate.train(train, { epochs: Number(q.get('epochs')), seed: 1, workers: 1 })).dispose();
  // The library's own test hooks (not its API); traceEncode is new in the
  // sixth session, so an older build returns no timeline.
  const hooks = kate.initialize[Symbol.for('kate.testing')];
  const tracing = q.get('trace') === '1' && hooks && typeof hooks.traceEncode === 'function';
  let pooled = null;
  const timed = async (fn) => {
    const t0 = performance.now();
    const data = await fn();
    const ms = performance.now() - t0;
    return { ms, docs: texts.length, hash: await sha256(data) };
  };
  window.encodeBench = {
    cold1: async () => {
      const single = await kate.load(bytes);
      const r = await timed(async () => {
        const out = new Float32Array(texts.length * single.dim);
        for (let i = 0; i < texts.length; i += 250) out.set((await single.encode(texts.slice(i, i + 250))).data, i * single.dim);
        return out;
      });
      await single.dispose();
      return r;
    },
    coldN: async () => {
      if (tracing) hooks.traceEncode(true);
      const l0 = performance.now();
      pooled = await kate.load(bytes);
      const loadMs = performance.now() - l0;
      const r = await timed(async () => (await pooled.encode(texts)).data);
      if (tracing) r.trace = { start: l0 + loadMs, loadMs, ms: r.ms, events: hooks.traceEncode(false) };
      return r;
    },
    warmN: () => timed(async () => (await pooled.encode(texts)).data),
    // After the phases (runtimeInfo installs the SIMD kernels on the engine).
    info: async () => ({ ...(await kate.runtimeInfo()), initMs }),
  };
}

start().then(() => {
  window.benchReady = true;
}, (e) => {
  window.benchReady = `ERROR ${e && e.stack ? e.stack : e}`;
});
