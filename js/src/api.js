// api.js — the public API of the kate package: initialize, train, load,
// pca, Model. It validates every argument (a mistake is a rejected promise
// with a clear Error), then runs the work on an engine: a Web Worker (or a
// Node worker thread) by default, or a Core on this thread.
//
// Source fragment, concatenated after core.js into dist/kate.mjs and
// dist/kate.js; BASE_URL (the URL of the library file) and VERSION are
// defined by the build.

const TRAIN_OPTIONS = {
  dim: 'integer', k: 'integer', alpha: 'number', vocabSize: 'integer', epochs: 'integer',
  batchSize: 'integer', validationDocs: 'integer', gradient: 'gradient', seed: 'seed',
  stem: 'boolean', stopwords: 'boolean', onProgress: 'function', signal: 'signal',
};
const MAX_DIM = 4096;
const MAX_VOCAB = 1 << 20;

function fail(message) {
  throw new Error(`kate: ${message}`);
}

function describe(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return v.constructor && v.constructor.name ? `a ${v.constructor.name}` : 'an object';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 20 ? `${v.slice(0, 20)}…` : v)}`;
  return `${typeof v} ${String(v)}`;
}

function checkInt(name, v, lo, hi) {
  if (typeof v !== 'number' || !Number.isInteger(v)) fail(`${name} must be an integer, got ${describe(v)}`);
  if (v < lo || v > hi) fail(`${name} must be between ${lo} and ${hi}, got ${v}`);
  return v;
}

function checkTexts(fn, texts) {
  if (!Array.isArray(texts)) fail(`${fn} expects an array of strings, got ${describe(texts)}`);
  if (texts.length === 0) fail(`${fn} needs at least one text, got an empty array`);
  for (let i = 0; i < texts.length; i++) {
    if (typeof texts[i] !== 'string') fail(`${fn}: text ${i} is ${describe(texts[i])}, not a string`);
  }
  return texts;
}

function checkText(fn, text) {
  if (typeof text !== 'string') fail(`${fn} expects a string, got ${describe(text)}`);
  if (text.trim() === '') fail(`${fn} needs a non-empty text`);
  return text;
}

/** Validates train options; returns { cfg, onProgress, signal }. */
function trainOptions(options) {
  if (options === undefined || options === null) options = {};
  if (typeof options !== 'object' || Array.isArray(options)) fail(`train options must be an object, got ${describe(options)}`);
  const cfg = {};
  for (const key of Object.keys(options)) {
    const v = options[key];
    const kind = TRAIN_OPTIONS[key];
    if (!kind) fail(`unknown train option "${key}" (known: ${Object.keys(TRAIN_OPTIONS).join(', ')})`);
    if (v === undefined) continue;
    switch (kind) {
      case 'integer':
        checkInt(`option ${key}`, v, key === 'validationDocs' ? 0 : 1, key === 'vocabSize' ? MAX_VOCAB : key === 'dim' ? MAX_DIM : key === 'batchSize' ? 65536 : 100000);
        cfg[key] = v;
        break;
      case 'number':
        if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) fail(`option ${key} must be a finite number >= 0, got ${describe(v)}`);
        cfg[key] = v;
        break;
      case 'boolean':
        if (typeof v !== 'boolean') fail(`option ${key} must be true or false, got ${describe(v)}`);
        cfg[key] = v;
        break;
      case 'gradient':
        if (v !== 'full' && v !== 'none') fail(`option gradient must be "full" or "none", got ${describe(v)}`);
        cfg[key] = v;
        break;
      case 'seed':
        if (typeof v === 'bigint') {
          if (v < 0n || v >= 1n << 64n) fail(`option seed must be in [0, 2^64), got ${v}`);
        } else if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
          fail(`option seed must be a non-negative integer (or a BigInt), got ${describe(v)}`);
        }
        cfg.seed = String(v);
        break;
      case 'function':
        if (typeof v !== 'function') fail(`option ${key} must be a function, got ${describe(v)}`);
        break;
      case 'signal':
        if (typeof v !== 'object' || typeof v.aborted !== 'boolean' || typeof v.addEventListener !== 'function') {
          fail(`option signal must be an AbortSignal, got ${describe(v)}`);
        }
        break;
    }
  }
  const dim = cfg.dim ?? 128;
  const k = cfg.k ?? Math.max(1, Math.round(dim / 4));
  if (cfg.k !== undefined && cfg.k > dim) fail(`option k (${cfg.k}) must not exceed dim (${dim})`);
  cfg.k = k;
  return { cfg, onProgress: options.onProgress, signal: options.signal };
}

function abortError(signal) {
  if (signal && signal.reason !== undefined) return signal.reason;
  return new DOMException('kate: training was cancelled', 'AbortError');
}

function isEmbeddings(e) {
  return e !== null && typeof e === 'object' && e.data instanceof Float32Array && Array.isArray(e.dims) && e.dims.length === 2;
}

function checkEmbeddings(fn, e, dim) {
  if (!isEmbeddings(e)) fail(`${fn} expects embeddings { data: Float32Array, dims: [n, dim] } as returned by model.encode, got ${describe(e)}`);
  const [n, d] = e.dims;
  if (!Number.isInteger(n) || !Number.isInteger(d) || n < 0 || d < 1 || n * d !== e.data.length) {
    fail(`${fn}: dims [${e.dims}] do not match data of length ${e.data.length}`);
  }
  if (dim !== undefined && d !== dim) fail(`${fn}: the embeddings have dimension ${d} but the model has ${dim}`);
  return e;
}

// ---------------------------------------------------------------- engines

/** Runs a Core on this thread. */
class LocalEngine {
  constructor(core) {
    this.core = core;
    this.next = 1;
  }

  get dead() {
    return this.core.dead;
  }

  call(op, args, onProgress) {
    const id = this.next++;
    const promise = this.core.call(id, op, args, onProgress).then((r) => r.value);
    return { id, promise };
  }

  cancel(id) {
    this.core.cancel(id);
  }
}

/** Proxies calls to a Web Worker or a Node worker thread. */
class WorkerEngine {
  constructor(worker, isNode) {
    this.worker = worker;
    this.isNode = isNode;
    this.pending = new Map();
    this.next = 1;
    this.dead = null;
    const onMessage = (m) => this.onMessage(m);
    if (isNode) {
      worker.on('message', onMessage);
      worker.on('error', (e) => this.die(`kate: the worker failed: ${e && e.message ? e.message : e}`));
      worker.on('exit', (code) => this.die(`kate: the worker stopped (exit code ${code})`));
      worker.unref();
    } else {
      worker.onmessage = (e) => onMessage(e.data);
      worker.onerror = (e) => {
        if (e && typeof e.preventDefault === 'function') e.preventDefault();
        this.die(`kate: the worker failed: ${e && e.message ? e.message : 'could not load or run kate.worker.js'}`);
      };
      worker.onmessageerror = () => this.die('kate: a message from the worker could not be read');
    }
  }

  onMessage(m) {
    if (!m || typeof m !== 'object') return;
    if (m.type === 'fatal') {
      this.die(m.message);
      return;
    }
    const p = this.pending.get(m.id);
    if (!p) return;
    if (m.type === 'progress') {
      if (p.onProgress) p.onProgress(m.event);
      return;
    }
    this.settle(m.id);
    if (m.type === 'error') p.reject(new Error(m.message));
    else p.resolve(m.type === 'ready' ? m.info : m.value);
  }

  settle(id) {
    this.pending.delete(id);
    if (this.isNode && this.pending.size === 0 && !this.dead) this.worker.unref();
  }

  die(message) {
    if (this.dead) return;
    this.dead = message;
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) p.reject(new Error(message));
    try {
      this.worker.terminate();
    } catch {
      // already gone
    }
  }

  send(type, op, args, onProgress) {
    const id = this.next++;
    if (this.dead) return { id, promise: Promise.reject(new Error(this.dead)) };
    const promise = new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress });
    });
    if (this.isNode) this.worker.ref();
    try {
      this.worker.postMessage(type === 'init' ? { type, id, options: args } : { type, id, op, args });
    } catch (e) {
      this.settle(id);
      return { id, promise: Promise.reject(new Error(`kate: could not send the call to the worker: ${e.message}`)) };
    }
    return { id, promise };
  }

  call(op, args, onProgress) {
    return this.send('call', op, args, onProgress);
  }

  cancel(id) {
    if (!this.dead && this.pending.has(id)) this.worker.postMessage({ type: 'cancel', id });
  }
}

// ---------------------------------------------------------------- initialize

let initPromise = null;
let engine = null;
let runtime = null;
// Helper engines (workers) that share large encode calls; see Model.encode.
let helpers = [];

// encode calls with at least this many texts are spread over the helpers.
const PARALLEL_MIN = 256;

function resolveURL(u, name) {
  if (u instanceof URL) return u.href;
  if (typeof u !== 'string' || u === '') fail(`initialize: option ${name} must be a URL or a string, got ${describe(u)}`);
  try {
    return new URL(u, BASE_URL || undefined).href;
  } catch {
    return fail(`initialize: option ${name} is not a valid URL: ${u}`);
  }
}

async function start(options) {
  if (options === undefined || options === null) options = {};
  if (typeof options !== 'object') fail(`initialize expects an options object, got ${describe(options)}`);
  const known = ['wasmURL', 'wasmModule', 'worker', 'workerURL', 'wasmExecURL', 'simd', 'encodeWorkers'];
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) fail(`unknown initialize option "${key}" (known: ${known.join(', ')})`);
  }
  const base = BASE_URL ? new URL('./', BASE_URL).href : '';
  const opt = {
    wasmURL: options.wasmURL !== undefined ? resolveURL(options.wasmURL, 'wasmURL') : new URL('kate.wasm', base).href,
    wasmExecURL: options.wasmExecURL !== undefined ? resolveURL(options.wasmExecURL, 'wasmExecURL') : new URL('wasm_exec.js', base).href,
    simd: options.simd === undefined ? true : options.simd,
  };
  if (typeof opt.simd !== 'boolean') fail(`initialize: option simd must be true or false, got ${describe(opt.simd)}`);
  if (options.wasmModule !== undefined) {
    if (!(options.wasmModule instanceof WebAssembly.Module)) fail(`initialize: option wasmModule must be a WebAssembly.Module, got ${describe(options.wasmModule)}`);
    opt.wasmModule = options.wasmModule;
  }
  const useWorker = options.worker === undefined ? true : options.worker;
  if (typeof useWorker !== 'boolean') fail(`initialize: option worker must be true or false, got ${describe(useWorker)}`);
  if (options.encodeWorkers !== undefined) checkInt('initialize: option encodeWorkers', options.encodeWorkers, 1, 16);
  if (!useWorker) {
    const core = await startCore(opt);
    engine = new LocalEngine(core);
    runtime = (await core.call(0, 'runtimeInfo', [])).value;
    runtime.worker = false;
    return;
  }
  const workerURL = options.workerURL !== undefined ? resolveURL(options.workerURL, 'workerURL') : new URL('kate.worker.js', base).href;
  let encodeWorkers = options.encodeWorkers;
  if (encodeWorkers === undefined) encodeWorkers = Math.max(1, Math.min(4, await cpuCount()));
  const w = await startWorker(workerURL, opt);
  runtime = w.info;
  runtime.worker = true;
  engine = w.engine;
  // Helpers for large encode calls start in the background; encode uses
  // those that are ready.
  helpers = [];
  for (let i = 1; i < encodeWorkers; i++) {
    startWorker(workerURL, opt).then(
      (h) => {
        if (engine === w.engine) helpers.push(h.engine);
        else h.engine.die('kate: not needed');
      },
      () => {},
    );
  }
}

/** Starts one worker engine; returns { engine, info }. */
async function startWorker(workerURL, opt) {
  let w;
  if (IS_NODE) {
    const { Worker } = await import('node:worker_threads');
    w = new WorkerEngine(new Worker(new URL(workerURL)), true);
  } else {
    if (typeof Worker !== 'function') fail('Web Workers are not available here; call initialize({ worker: false })');
    w = new WorkerEngine(new Worker(workerURL), false);
  }
  try {
    const info = await w.send('init', null, opt).promise;
    return { engine: w, info };
  } catch (e) {
    w.die(e.message);
    throw e;
  }
}

/** The number of logical processors (1 when unknown). */
async function cpuCount() {
  if (typeof navigator !== 'undefined' && navigator.hardwareConcurrency > 0) return navigator.hardwareConcurrency;
  if (IS_NODE) {
    const os = await import('node:os');
    return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  }
  return 1;
}

/**
 * Starts the library: loads kate.wasm into a Web Worker (or, with
 * worker: false, into this thread). A repeated call returns the same
 * promise; if starting fails, the next call tries again.
 */
function initialize(options) {
  if (!initPromise) {
    const p = start(options);
    initPromise = p;
    p.catch(() => {
      if (initPromise === p) {
        initPromise = null;
        engine = null;
      }
    });
  }
  return initPromise;
}

async function getEngine(fn) {
  if (!initPromise) fail(`call initialize() before ${fn}()`);
  await initPromise;
  if (engine.dead) throw new Error(engine.dead);
  return engine;
}

/** Runs op on the engine and returns its result. */
async function run(fn, op, args, onProgress) {
  const e = await getEngine(fn);
  return e.call(op, args, onProgress).promise;
}

/** Describes the running engine: kernels ('simd' or 'go'), memory, worker. */
async function runtimeInfo() {
  const info = await run('runtimeInfo', 'runtimeInfo', []);
  return { ...info, worker: runtime.worker, encodeWorkers: 1 + helpers.filter((h) => !h.dead).length, version: VERSION };
}

// ---------------------------------------------------------------- models

const MODEL_KEY = Symbol('kate.Model');

function numberSeed(s) {
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : BigInt(s);
}

/** A trained or loaded KATE model, held by the engine until dispose(). */
class Model {
  #handle;
  #engine;
  #disposed = false;
  // helper engine -> Promise of this model's handle there
  #replicas = new Map();
  #bytes = null;

  constructor(key, eng, info) {
    if (key !== MODEL_KEY) throw new TypeError('kate: models come from train() or load()');
    this.#engine = eng;
    this.#handle = info.handle;
    /** Hyper-parameters. */
    this.params = Object.freeze({
      dim: info.dim, k: info.k, alpha: info.alpha, gradient: info.gradient,
      vocabSize: info.vocabSize, stem: info.stem, stopwords: info.stopwords,
    });
    /** The training run: seed, epochs run, best epoch, its validation loss, documents. */
    this.info = Object.freeze({
      seed: numberSeed(info.seed), epochs: info.epochs, bestEpoch: info.bestEpoch,
      valLoss: info.valLoss, docs: info.docs,
    });
    Object.freeze(this);
  }

  /** The embedding size K. */
  get dim() {
    return this.params.dim;
  }

  /** The number of winners k. */
  get k() {
    return this.params.k;
  }

  /** The vocabulary size V. */
  get vocabSize() {
    return this.params.vocabSize;
  }

  /** True after dispose(). */
  get disposed() {
    return this.#disposed;
  }

  async #call(fn, op, args) {
    if (this.#disposed) fail(`model.${fn}: this model has been disposed`);
    if (this.#engine.dead) throw new Error(this.#engine.dead);
    return this.#engine.call(op, [this.#handle, ...args]).promise;
  }

  /** Embeddings of texts: { data: Float32Array (n x dim, row-major), dims: [n, dim] }. */
  async encode(texts) {
    checkTexts('model.encode', texts);
    const pool = this.#engine === engine ? helpers.filter((h) => !h.dead) : [];
    if (texts.length < PARALLEL_MIN || pool.length === 0) {
      const data = await this.#call('encode', 'encode', [texts]);
      return { data, dims: [texts.length, this.dim] };
    }
    return { data: await this.#encodeParallel(texts, pool), dims: [texts.length, this.dim] };
  }

  /** Encodes contiguous parts of texts on this model's engine and on helper engines at once. */
  async #encodeParallel(texts, pool) {
    const parts = pool.length + 1;
    const size = Math.ceil(texts.length / parts);
    const chunks = [];
    for (let i = 0; i < parts; i++) chunks.push(texts.slice(i * size, (i + 1) * size));
    const results = await Promise.all(chunks.map(async (chunk, i) => {
      if (chunk.length === 0) return new Float32Array(0);
      if (i === 0) return this.#call('encode', 'encode', [chunk]);
      const h = pool[i - 1];
      try {
        const handle = await this.#replica(h);
        if (this.#disposed) fail('model.encode: this model has been disposed');
        return await h.call('encode', [handle, chunk]).promise;
      } catch (e) {
        if (this.#disposed) throw e;
        // A helper that failed is not used again; its share runs here.
        h.die(`kate: encode helper failed: ${e.message}`);
        return this.#call('encode', 'encode', [chunk]);
      }
    }));
    const out = new Float32Array(texts.length * this.dim);
    let pos = 0;
    for (const r of results) {
      out.set(r, pos);
      pos += r.length;
    }
    return out;
  }

  /** This model's handle in helper engine h (loaded there from the model file once). */
  #replica(h) {
    let p = this.#replicas.get(h);
    if (!p) {
      if (!this.#bytes) this.#bytes = this.#call('save', 'save', []);
      p = this.#bytes.then((bytes) => h.call('load', [bytes.slice()]).promise).then((info) => info.handle);
      this.#replicas.set(h, p);
      p.catch(() => this.#replicas.delete(h));
    }
    return p;
  }

  /** For every hidden unit, the n words with the largest weights. */
  async topics(n = 10) {
    checkInt('model.topics: n', n, 1, 1000);
    return this.#call('topics', 'topics', [n]);
  }

  /**
   * The n candidates most similar (cosine) to query: [{ index, score }],
   * best first. query: a text or a Float32Array embedding; candidates: an
   * array of texts or embeddings from encode().
   */
  async similar(query, candidates, n = 10) {
    if (query instanceof Float32Array) {
      if (query.length !== this.dim) fail(`model.similar: the query embedding has length ${query.length}, the model's dimension is ${this.dim}`);
    } else {
      checkText('model.similar: query', query);
    }
    if (Array.isArray(candidates)) checkTexts('model.similar: candidates', candidates);
    else checkEmbeddings('model.similar: candidates', candidates, this.dim);
    checkInt('model.similar: n', n, 1, 2 ** 31 - 1);
    const c = Array.isArray(candidates) ? candidates : candidates.data;
    if (!Array.isArray(c) && c.length === 0) return [];
    const r = await this.#call('similar', 'similar', [query, c, n]);
    const out = new Array(r.indices.length);
    for (let i = 0; i < out.length; i++) out[i] = { index: r.indices[i], score: r.scores[i] };
    return out;
  }

  /** The model file (the same bytes as the Go library's Save). */
  async save() {
    return this.#call('save', 'save', []);
  }

  /**
   * What the k-competitive layer does with one text, and the gradient of
   * one reconstruction step at every hidden unit.
   */
  async explain(text, options) {
    checkText('model.explain', text);
    let gradient = this.params.gradient;
    if (options !== undefined && options !== null) {
      if (typeof options !== 'object') fail(`model.explain: options must be an object, got ${describe(options)}`);
      for (const key of Object.keys(options)) {
        if (key !== 'gradient') fail(`model.explain: unknown option "${key}"`);
      }
      if (options.gradient !== undefined) {
        if (options.gradient !== 'full' && options.gradient !== 'none') fail(`model.explain: gradient must be "full" or "none", got ${describe(options.gradient)}`);
        gradient = options.gradient;
      }
    }
    return this.#call('explain', 'explain', [text, gradient]);
  }

  /** The vocabulary, in input order. */
  async vocabulary() {
    return this.#call('vocabulary', 'vocabulary', []);
  }

  /** Frees the model in the engine; later calls on it reject. */
  async dispose() {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const [h, p] of this.#replicas) {
      p.then((handle) => (h.dead ? null : h.call('dispose', [handle]).promise), () => {}).catch(() => {});
    }
    this.#replicas.clear();
    this.#bytes = null;
    if (this.#engine.dead) return;
    await this.#engine.call('dispose', [this.#handle]).promise;
  }
}

// ---------------------------------------------------------------- train, load, pca

/** Trains a model on texts. */
async function train(texts, options) {
  checkTexts('train', texts);
  const { cfg, onProgress, signal } = trainOptions(options);
  const eng = await getEngine('train');
  if (signal && signal.aborted) throw abortError(signal);
  return new Promise((resolve, reject) => {
    let done = false;
    let progressError = null;
    let call = null;
    const finish = (fn, v) => {
      if (done) return;
      done = true;
      if (signal) signal.removeEventListener('abort', onAbort);
      fn(v);
    };
    const onAbort = () => {
      if (call) eng.cancel(call.id);
      finish(reject, abortError(signal));
    };
    const progress = onProgress
      ? (event) => {
          if (done) return;
          try {
            onProgress(event);
          } catch (e) {
            progressError = e;
            eng.cancel(call.id);
            finish(reject, e);
          }
        }
      : null;
    if (signal) signal.addEventListener('abort', onAbort);
    call = eng.call('train', [texts, cfg], progress);
    call.promise.then(
      (info) => {
        if (done) {
          // cancelled too late: the model is not wanted
          eng.call('dispose', [info.handle]).promise.catch(() => {});
          return;
        }
        finish(resolve, new Model(MODEL_KEY, eng, info));
      },
      (e) => {
        if (progressError) return;
        if (signal && signal.aborted) finish(reject, abortError(signal));
        else finish(reject, e);
      },
    );
  });
}

/** Loads a model file (Uint8Array or ArrayBuffer). */
async function load(bytes) {
  if (bytes instanceof ArrayBuffer) bytes = new Uint8Array(bytes);
  else if (ArrayBuffer.isView(bytes) && !(bytes instanceof Uint8Array)) bytes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!(bytes instanceof Uint8Array)) fail(`load expects the model file as a Uint8Array or ArrayBuffer, got ${describe(bytes)}`);
  if (bytes.length === 0) fail('load: the model file is empty');
  const eng = await getEngine('load');
  const info = await eng.call('load', [bytes]).promise;
  return new Model(MODEL_KEY, eng, info);
}

/**
 * Projects embeddings onto their first n principal components:
 * { data: Float32Array (rows x n), dims: [rows, n] }.
 */
async function pca(embeddings, n = 2) {
  checkEmbeddings('pca', embeddings);
  const [rows, dim] = embeddings.dims;
  checkInt('pca: n', n, 1, dim);
  if (rows < 2) fail(`pca needs at least two rows, got ${rows}`);
  const data = await run('pca', 'pca', [embeddings.data, dim, n]);
  return { data, dims: [rows, n] };
}

/** For tests: ends the engine (or the encode helpers) as a fatal error would. */
async function _crashForTesting(which = 'engine') {
  const e = await getEngine('_crashForTesting');
  for (const target of which === 'helpers' ? helpers : [e]) target.call('crash', []).promise.catch(() => {});
}

/** For tests: checks the SIMD kernels in use against the pure-Go ones ('' = identical). */
async function _selfTestForTesting(rounds = 50) {
  return run('_selfTestForTesting', 'selfTest', [rounds]);
}
