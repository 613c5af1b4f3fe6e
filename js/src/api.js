// api.js — the public functions of the kate package: initialize, train,
// load, pca, runtimeInfo (Model is in model.js). Each validates its
// arguments (validation.js; a mistake is a rejected promise with a clear
// Error), then runs the work on the engine: a Web Worker (or a Node worker
// thread) by default, or a Core on this thread. The entry files
// (index.*.js) choose the platform.

import { fetchWasm, startCore } from './core.js';
import { errorMessage } from './protocol.js';
import { LocalEngine } from './engine-local.js';
import { WorkerEngine } from './engine-worker.js';
import { Model, MODEL_KEY, PREPARE_HELPERS } from './model.js';
import { channels } from './replica.js';
import { session, getEngine, traceEvent } from './session.js';
import {
  abortError, checkBoolean, checkEmbeddings, checkInt, checkTexts, describe, fail, modelBytes, trainOptions,
} from './validation.js';
import { VERSION } from './version.js';

export { Model };
export const version = VERSION;

/** Sets the platform of this build; the entry files call it once. */
export function usePlatform(platform) {
  session.platform = platform;
}

const INIT_OPTIONS = ['wasmURL', 'wasmModule', 'worker', 'workerURL', 'simd', 'encodeWorkers', 'trainWorkers'];

/** The most workers one training runs on (the Go core's kate.MaxReplicas). */
export const MAX_TRAIN_WORKERS = 4;

/**
 * The default number of training workers on cpus logical processors: half
 * of them, 4 from 8, 2 from 4, else 1 (3 would be no faster than 2: a
 * batch's four chunks split 1, 1, 2). On 2 processors two workers were
 * slower than one in most runs (docs/speed.md): the workers run in lock
 * step, so one that waits for a processor stalls them all. A training on
 * the default workers also lets replica 0 go on alone when waiting for the
 * others costs more than they save.
 */
export function defaultTrainWorkers(cpus) {
  if (cpus >= 8) return 4;
  return cpus >= 4 ? 2 : 1;
}

function resolveURL(u, name) {
  if (u instanceof URL) return u.href;
  if (typeof u !== 'string' || u === '') fail(`initialize: option ${name} must be a URL or a string, got ${describe(u)}`);
  try {
    return new URL(u, session.platform.baseURL()).href;
  } catch {
    return fail(`initialize: option ${name} is not a valid URL: ${u}`);
  }
}

/** Validates initialize's options; returns them normalized (defaults filled in). */
function initOptions(options) {
  if (options === undefined || options === null) options = {};
  if (typeof options !== 'object' || Array.isArray(options)) fail(`initialize expects an options object, got ${describe(options)}`);
  for (const key of Object.keys(options)) {
    if (key === 'wasmExecURL') fail('initialize: option wasmExecURL is no longer used (Go\'s wasm_exec.js is built into the library); remove it');
    if (!INIT_OPTIONS.includes(key)) fail(`unknown initialize option "${key}" (known: ${INIT_OPTIONS.join(', ')})`);
  }
  const opt = {
    wasmURL: options.wasmURL !== undefined ? resolveURL(options.wasmURL, 'wasmURL') : undefined,
    wasmModule: options.wasmModule,
    worker: options.worker === undefined ? true : checkBoolean('initialize: option worker', options.worker),
    workerURL: options.workerURL !== undefined ? resolveURL(options.workerURL, 'workerURL') : undefined,
    simd: options.simd === undefined ? true : checkBoolean('initialize: option simd', options.simd),
    encodeWorkers: options.encodeWorkers,
    trainWorkers: options.trainWorkers,
  };
  if (opt.wasmModule !== undefined && !(opt.wasmModule instanceof WebAssembly.Module)) {
    fail(`initialize: option wasmModule must be a WebAssembly.Module, got ${describe(opt.wasmModule)}`);
  }
  if (opt.encodeWorkers !== undefined) checkInt('initialize: option encodeWorkers', opt.encodeWorkers, 1, 16);
  if (opt.trainWorkers !== undefined) {
    checkInt('initialize: option trainWorkers', opt.trainWorkers, 1, MAX_TRAIN_WORKERS);
    if (opt.trainWorkers > 1 && !opt.worker) fail('initialize: option trainWorkers above 1 needs worker: true (without workers, training runs on this thread)');
  }
  return opt;
}

async function start(opt) {
  const { platform } = session;
  const wasmURL = opt.wasmURL ?? platform.wasmURL();
  const engineOptions = { wasmURL, simd: opt.simd };
  if (opt.wasmModule !== undefined) engineOptions.wasmModule = opt.wasmModule;
  session.spawnWorker = null;
  if (!opt.worker) {
    const core = await startCore({ ...engineOptions, compile: platform.compile });
    session.engine = new LocalEngine(core);
    session.runtime = { ...core.info(), worker: false };
    session.trainWorkers = 1;
    return;
  }
  // kate.wasm is fetched and compiled once, here (streaming, off the main
  // thread), while the worker's script loads; the worker and the encode
  // helpers receive the compiled module.
  const module = opt.wasmModule !== undefined ? Promise.resolve(opt.wasmModule) : (platform.compile || fetchWasm)(wasmURL);
  module.catch(() => {});
  const w = await startWorker(opt.workerURL, engineOptions, module);
  session.runtime = { ...w.info, worker: true };
  session.engine = w.engine;
  // Training's other replicas run in workers started for each training
  // and ended after it (each holds the corpus and the model).
  session.trainWorkers = opt.trainWorkers ?? defaultTrainWorkers(platform.cpuCount());
  session.spawnWorker = () => startWorker(opt.workerURL, engineOptions, module);
  session.helpers = [];
  session.helpersStarting = 0;
  // Helpers for large encode calls start with the first model (load or
  // train: modelReady) or the first large encode call, whichever comes
  // first; a call in progress takes each helper on as it becomes ready.
  // Starting them here would slow the engine's own start on machines with
  // few cores (docs/speed.md, "Encoding new text (sixth session)").
  let wanted = (opt.encodeWorkers ?? Math.max(1, Math.min(4, platform.cpuCount()))) - 1;
  let started = 0;
  session.startHelpers = () => {
    for (; wanted > 0; wanted--) {
      session.helpersStarting++;
      const label = `helper ${++started}`;
      const t0 = performance.now();
      // encodeHelper: the helper checks and installs the encoding
      // kernels as soon as it has started (worker-main.js), not in its
      // first part of a large call.
      startWorker(opt.workerURL, { ...engineOptions, encodeHelper: true }, module).then(
        (h) => {
          if (session.engine !== w.engine) {
            h.engine.die('kate: not needed');
            return;
          }
          h.engine.label = label;
          traceEvent({ what: 'helper ready', engine: label, t0, t1: performance.now() });
          session.helpersStarting--;
          session.helpers.push(h.engine);
          for (const ready of session.helperReady) ready(h.engine);
          for (const join of session.helperListeners) join(h.engine);
        },
        () => {
          if (session.engine === w.engine) session.helpersStarting--;
        },
      );
    }
  };
}

/**
 * Starts one worker engine; returns { engine, info }. module: a promise of
 * the compiled kate.wasm (sent to the worker), or undefined to let the
 * worker fetch engineOptions.wasmURL itself.
 */
async function startWorker(workerURL, engineOptions, module) {
  const w = new WorkerEngine((handlers) => session.platform.worker(workerURL, handlers));
  try {
    let options = engineOptions;
    if (module) {
      const wasmModule = await module;
      options = { ...engineOptions, wasmModule };
    }
    return { engine: w, info: await w.init(options) };
  } catch (e) {
    w.die(e.message);
    throw e;
  }
}

/** The options of a and b that differ, as "name: a, not b". */
function optionDifferences(a, b) {
  const show = (v) => (v instanceof WebAssembly.Module ? 'a WebAssembly.Module' : JSON.stringify(v) ?? 'unset');
  return INIT_OPTIONS.filter((k) => a[k] !== b[k]).map((k) => `${k}: ${show(a[k])}, not ${show(b[k])}`);
}

/** Starts the engine with opt as initialize()'s promise; a failure lets the next call try again. */
function begin(opt) {
  const p = start(opt);
  session.promise = p;
  session.options = opt;
  p.catch(() => {
    if (session.promise === p) {
      session.promise = null;
      session.options = null;
      session.engine = null;
    }
  });
  return p;
}

/**
 * Replaces a dead engine (and its helpers) by a new one started with the
 * same options; concurrent callers share the one restart.
 */
let restarting = null;
session.restart = () => {
  if (!restarting) {
    for (const h of session.helpers) h.die('kate: not needed');
    session.helpers = [];
    session.helpersStarting = 0;
    session.helperReady.clear(); // the old engine's models
    restarting = begin(session.options).finally(() => {
      restarting = null;
    });
  }
  return restarting;
};

/**
 * Starts the library: loads kate.wasm into a Web Worker (or, with
 * worker: false, into this thread). A repeated call returns the same
 * promise when it has no options or the same ones, and rejects when its
 * options differ; if starting fails, the next call tries again. If the
 * engine has died (out of memory, say), a call starts a new one.
 */
export function initialize(options) {
  let opt;
  try {
    opt = initOptions(options);
  } catch (e) {
    return Promise.reject(e);
  }
  if (session.engine && session.engine.dead && !restarting) {
    // The old engine is gone: start again, with the new options if any.
    return options === undefined ? session.restart() : begin(opt);
  }
  if (session.promise) {
    if (options === undefined) return session.promise;
    const diff = optionDifferences(session.options, opt);
    if (diff.length === 0) return session.promise;
    return Promise.reject(new Error(`kate: initialize() was already called with other options (${diff.join('; ')}); call it once, or with no options to wait for the running engine`));
  }
  return begin(opt);
}

/** Describes the running engine: kernels ('simd' or 'go'), memory, worker, limits. */
export async function runtimeInfo() {
  const e = await getEngine('runtimeInfo');
  const info = await e.call('runtimeInfo', []).promise;
  return {
    ...info, worker: session.runtime.worker,
    encodeWorkers: 1 + session.helpers.filter((h) => !h.dead).length, trainWorkers: session.trainWorkers, version: VERSION,
  };
}

/**
 * How many workers a training of n texts with options cfg runs on: the
 * option workers, or else the engine's trainWorkers when the corpus has at
 * least TRAIN_PARALLEL_MIN texts (for fewer, starting a worker costs more
 * than it saves), the model at most TRAIN_PARALLEL_MAX_WEIGHTS weights
 * (each replica holds the model and its optimizer state: 9 float32 arrays
 * of vocabSize x dim) and no other training runs (docs/limits.md).
 */
export const TRAIN_PARALLEL_MIN = 1000;
export const TRAIN_PARALLEL_MAX_WEIGHTS = 2 ** 22;
let trainings = 0;

function trainWorkerCount(workers, n, cfg) {
  if (workers !== undefined) {
    if (workers > 1 && !session.spawnWorker) fail('option workers above 1 needs initialize({ worker: true }) (without workers, training runs on this thread)');
    return workers;
  }
  const { limits } = session.runtime;
  const weights = (cfg.vocabSize ?? limits.defaultVocabSize) * (cfg.dim ?? limits.defaultDim);
  if (!session.spawnWorker || n < TRAIN_PARALLEL_MIN || weights > TRAIN_PARALLEL_MAX_WEIGHTS || trainings > 0) return 1;
  return session.trainWorkers;
}

/** Starts n workers for training's other replicas; resolves with those that started. */
async function startPeers(n) {
  const started = await Promise.allSettled(Array.from({ length: n }, () => session.spawnWorker()));
  return started.filter((r) => r.status === 'fulfilled').map((r) => r.value.engine);
}

/** Trains a model on texts. */
export async function train(texts, options) {
  checkTexts('train', texts);
  const eng = await getEngine('train');
  const { cfg, onProgress, signal, workers } = trainOptions(options, session.runtime.limits, MAX_TRAIN_WORKERS);
  const count = trainWorkerCount(workers, texts.length, cfg);
  const explicit = workers !== undefined;
  if (signal && signal.aborted) throw abortError(signal);
  trainings++;
  let counted = true;
  const uncount = () => {
    if (counted) trainings--;
    counted = false;
  };
  try {
    return await trainOn(eng, texts, cfg, onProgress, signal, count, explicit, uncount);
  } finally {
    uncount();
  }
}

/**
 * train() on eng and count - 1 more workers (explicit: the option workers
 * chose count); uncount() when it settles.
 */
async function trainOn(eng, texts, cfg, onProgress, signal, count, explicit, uncount) {
  // The other replicas' engines. If some fail to start, training runs on
  // fewer workers: the model is the same bits on any number.
  const peers = count > 1 ? await startPeers(count - 1) : [];
  const engines = [eng, ...peers];
  const n = engines.length;
  session.trainPeers = peers;
  return new Promise((resolve, reject) => {
    let done = false;
    let progressError = null;
    let active = n;
    const calls = [];
    const finish = (fn, v) => {
      if (done) return;
      done = true;
      if (signal) signal.removeEventListener('abort', onAbort);
      for (const c of calls) c.engine.cancel(c.call.id);
      for (const p of peers) p.die('kate: not needed');
      if (session.trainPeers === peers) session.trainPeers = [];
      uncount();
      fn(v);
    };
    const onAbort = () => finish(reject, abortError(signal));
    if (signal) {
      if (signal.aborted) {
        onAbort();
        return;
      }
      signal.addEventListener('abort', onAbort);
    }
    const progress = onProgress
      ? (event) => {
          if (done) return;
          try {
            // replicas: how many train together as replica 0 reports it
            // (its dismissal of the others shows here before their
            // workers' answers reach this thread).
            const { replicas, ...rest } = event;
            onProgress({ ...rest, workers: Math.min(active, replicas ?? active) });
          } catch (e) {
            progressError = e;
            finish(reject, e);
          }
        }
      : null;
    const ports = n > 1 ? channels(n) : null;
    // With the default workers, replica 0 may dismiss the others
    // (kate.Replica.Dismiss); they then resolve with null.
    const dismiss = session.dismissAlways ?? (explicit ? 0 : 1);
    engines.forEach((engine, i) => {
      const replica = ports ? { index: i, count: n, ports: ports[i], dismiss } : undefined;
      const args = replica ? [texts, cfg, replica] : [texts, cfg];
      const transfer = replica ? ports[i].filter((p) => p) : undefined;
      calls.push({ engine, call: engine.call('train', args, i === 0 ? progress : null, transfer) });
    });
    calls[0].call.promise.then(
      (info) => {
        if (done) {
          // cancelled too late: the model is not wanted
          eng.call('dispose', [info.handle]).promise.catch(() => {});
          return;
        }
        finish(resolve, modelReady(new Model(MODEL_KEY, eng, info)));
      },
      (e) => {
        if (progressError) return;
        if (signal && signal.aborted) finish(reject, abortError(signal));
        else finish(reject, e);
      },
    );
    // Another replica failing stops the training: its engine died (the
    // others would wait for it), or it met the error replica 0 meets too.
    calls.slice(1).forEach(({ engine, call }, i) => {
      call.promise.then((v) => {
        // Dismissed: replica 0 trains on alone; the worker is not needed.
        if (done || v !== 'dismissed') return;
        active--;
        engine.die('kate: not needed');
      }, (e) => {
        if (done) return;
        if (engine.dead) finish(reject, new Error(`kate: training worker ${i + 2} of ${n} stopped, so training stopped: ${errorMessage(e).replace(/^kate: /, '')}`));
        else finish(reject, e);
      });
    });
  });
}

/** Loads a model file (Uint8Array or ArrayBuffer). */
export async function load(bytes) {
  bytes = modelBytes(bytes);
  const eng = await getEngine('load');
  modelBytes(bytes, session.runtime.limits);
  // A copy: the helpers load their replicas from it, and the caller may
  // change bytes once load has returned.
  const file = bytes.slice();
  const info = await eng.call('load', [bytes]).promise;
  return modelReady(new Model(MODEL_KEY, eng, info, file));
}

/**
 * Starts the encode helpers (once per engine, in the background) and has
 * them load model's replica, so that its first large encode call does not
 * wait for their start (docs/speed.md, "Encoding new text (sixth
 * session)"). Returns model.
 */
function modelReady(model) {
  if (model[PREPARE_HELPERS]()) session.startHelpers();
  return model;
}

/**
 * Projects embeddings onto their first n principal components:
 * { data: Float32Array (rows x n), dims: [rows, n] }.
 */
export async function pca(embeddings, n = 2) {
  checkEmbeddings('pca', embeddings);
  const [rows, dim] = embeddings.dims;
  checkInt('pca: n', n, 1, dim);
  if (rows < 2) fail(`pca needs at least two rows, got ${rows}`);
  const e = await getEngine('pca');
  const data = await e.call('pca', [embeddings.data, dim, n]).promise;
  return { data, dims: [rows, n] };
}

/**
 * Hooks for the library's own tests, reached through
 * initialize[Symbol.for('kate.testing')] (not part of the API):
 * crash(which, how) ends the engine (or, with which = 'helpers', the encode
 * helpers; 'train', the workers of the running training's other replicas)
 * as a fatal error would, or with how = 'oom' runs it out of memory for real; selfTest(rounds) checks the SIMD kernels in use against the
 * pure-Go ones ('' = identical); kernelSets() names the kernel set in use
 * in the engine and in each live encode helper ({ engine, helpers });
 * traceEncode(on) returns the timeline of encoding (js/bench/encode.mjs
 * --trace).
 */
const testing = Object.freeze({
  async crash(which = 'engine', how = 'exit') {
    const e = await getEngine('crash');
    const targets = { helpers: session.helpers, train: session.trainPeers }[which] || [e];
    for (const target of targets) target.call('crash', [how]).promise.catch(() => {});
  },
  /** Sets kate.Replica.Dismiss for every training (1e-9: dismiss at the first check); null restores the default. */
  dismiss(ratio) {
    session.dismissAlways = ratio ?? undefined;
  },
  async kernelSets() {
    const e = await getEngine('kernelSets');
    const helpers = session.helpers.filter((h) => !h.dead);
    return {
      engine: await e.call('kernelSet', []).promise,
      helpers: await Promise.all(helpers.map((h) => h.call('kernelSet', []).promise)),
    };
  },
  async selfTest(rounds = 50) {
    const e = await getEngine('selfTest');
    return e.call('selfTest', [rounds]).promise;
  },
  /**
   * Returns the timeline of encoding recorded since the last call (when
   * each helper became ready, when each model's replica loaded there, each
   * part of a shared encode call: { what, engine, t0, t1, texts }, times
   * from performance.now()) and records anew when on is true.
   */
  traceEncode(on) {
    const events = session.trace || [];
    session.trace = on ? [] : null;
    return events;
  },
});
Object.defineProperty(initialize, Symbol.for('kate.testing'), { value: testing });
