// model.js — Model: a trained or loaded model, held by an engine until
// dispose(). Large encode calls are spread over the helper engines of the
// session, each holding a replica of the model loaded from its file.

import { session, PARALLEL_MIN, traceEvent } from './session.js';
import { checkEmbeddings, checkGradient, checkInt, checkText, checkTexts, describe, fail } from './validation.js';

export const MODEL_KEY = Symbol('kate.Model');
/** The method api.js calls on a new model: see Model[PREPARE_HELPERS]. */
export const PREPARE_HELPERS = Symbol('kate.prepareHelpers');

function numberSeed(s) {
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : BigInt(s);
}

/** A trained or loaded KATE model, held by the engine until dispose(). */
export class Model {
  #handle;
  #engine;
  #disposed = false;
  // helper engine -> Promise of this model's handle there
  #replicas = new Map();
  #bytes = null;
  // session.helperReady's entry for this model (PREPARE_HELPERS), or null
  #onHelper = null;

  constructor(key, eng, info, file) {
    if (key !== MODEL_KEY) throw new TypeError('kate: models come from train() or load()');
    this.#engine = eng;
    this.#handle = info.handle;
    // The model file it was loaded from (a copy): helpers load their
    // replicas from it without asking the engine to save the model.
    if (file) this.#bytes = Promise.resolve(file);
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
    const mine = this.#engine === session.engine;
    if (mine && texts.length >= PARALLEL_MIN) session.startHelpers();
    const sharing = mine && (session.helpersStarting > 0 || session.helpers.some((h) => !h.dead));
    if (texts.length < PARALLEL_MIN || !sharing) {
      const data = await this.#call('encode', 'encode', [texts]);
      return { data, dims: [texts.length, this.dim] };
    }
    return { data: await this.#encodeShared(texts), dims: [texts.length, this.dim] };
  }

  /** Encodes texts in parts that the engine and each helper (once ready) take in turn. */
  async #encodeShared(texts) {
    const n = texts.length;
    const dim = this.dim;
    const out = new Float32Array(n * dim);
    // Parts small enough that the engines finish close together, large
    // enough that the messages cost nothing measurable.
    const size = Math.max(64, Math.min(1024, Math.ceil(n / (8 * (1 + session.helpers.length + session.helpersStarting)))));
    const retry = [];
    let next = 0;
    const take = () => retry.pop() || (next < n ? [next, (next = Math.min(n, next + size))] : null);
    const onEngine = async () => {
      for (let part; (part = take());) {
        const t0 = performance.now();
        out.set(await this.#call('encode', 'encode', [texts.slice(...part)]), part[0] * dim);
        traceEvent({ what: 'part', engine: 'engine', t0, t1: performance.now(), texts: part[1] - part[0] });
      }
    };
    const helperRun = async (h) => {
      let part = null;
      try {
        const handle = await this.#replica(h);
        while ((part = take())) {
          if (this.#disposed) fail('model.encode: this model has been disposed');
          const t0 = performance.now();
          out.set(await h.call('encode', [handle, texts.slice(...part)]).promise, part[0] * dim);
          traceEvent({ what: 'part', engine: h.label, t0, t1: performance.now(), texts: part[1] - part[0] });
        }
      } catch (e) {
        if (this.#disposed) throw e;
        h.die(`kate: encode helper failed: ${e.message}`);
        if (part) retry.push(part);
      }
    };
    const runners = [onEngine(), ...session.helpers.filter((h) => !h.dead).map(helperRun)];
    const join = (h) => {
      if (next < n) runners.push(helperRun(h));
    };
    session.helperListeners.add(join);
    try {
      if (session.helpersStarting > 0 && !this.#bytes) this.#bytes = this.#call('save', 'save', []);
      for (let seen = 0; seen < runners.length;) {
        seen = runners.length;
        await Promise.all(runners);
      }
    } finally {
      session.helperListeners.delete(join);
    }
    await onEngine(); // the parts of helpers that failed after the engine's last part
    return out;
  }

  /**
   * Loads this model's replica into every encode helper of the session,
   * now and as each starts, until dispose(); api.js calls it on every new
   * model of the session's engine, then starts the helpers. A replica
   * holds the model only (its token cache starts empty, as the engine's
   * does). Returns whether the model is on the session's engine.
   */
  [PREPARE_HELPERS]() {
    if (this.#engine !== session.engine || this.#disposed) return false;
    const prepare = (h) => {
      if (!this.#disposed && !h.dead) this.#replica(h).catch(() => {});
    };
    this.#onHelper = prepare;
    session.helperReady.add(prepare);
    for (const h of session.helpers) prepare(h);
    return true;
  }

  /** This model's handle in helper engine h (loaded there from the model file once). */
  #replica(h) {
    let p = this.#replicas.get(h);
    if (!p) {
      if (!this.#bytes) this.#bytes = this.#call('save', 'save', []);
      const t0 = performance.now();
      p = this.#bytes.then((bytes) => h.call('load', [bytes.slice()]).promise).then((info) => {
        traceEvent({ what: 'replica', engine: h.label, t0, t1: performance.now() });
        return info.handle;
      });
      this.#replicas.set(h, p);
      p.catch(() => this.#replicas.delete(h));
    }
    return p;
  }

  /**
   * For every hidden unit, its n best words with a label (the first three)
   * and marks: { unit, label, words, weights, docs, empty, duplicateOf }.
   * options.by: 'documents' (default: words over-represented in the
   * training documents the unit represents best), 'weight' (raw weights)
   * or 'learned' (weight change in training).
   */
  async topics(n = 10, options) {
    checkInt('model.topics: n', n, 1, session.runtime.limits.topicWords);
    let by = 'documents';
    if (options !== undefined && options !== null) {
      if (typeof options !== 'object') fail(`model.topics: options must be an object, got ${describe(options)}`);
      for (const key of Object.keys(options)) {
        if (key !== 'by') fail(`model.topics: unknown option "${key}"`);
      }
      if (options.by !== undefined) {
        if (!['documents', 'weight', 'learned'].includes(options.by)) {
          fail(`model.topics: by must be 'documents', 'weight' or 'learned', got ${describe(options.by)}`);
        }
        by = options.by;
      }
    }
    return this.#call('topics', 'topics', [n, by]);
  }

  /**
   * For every hidden unit, the indices of the (at most) n texts that
   * represent it best: each text is assigned to the 4 units on which its
   * activation, standardised over texts, stands out most; a unit's
   * assigned texts come first by that activation, then the other texts
   * that activate it most.
   */
  async topicDocuments(texts, n = 5) {
    checkTexts('model.topicDocuments', texts);
    checkInt('model.topicDocuments: n', n, 1, 2 ** 31 - 1);
    return this.#call('topicDocuments', 'topicDocuments', [texts, n]);
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
      if (options.gradient !== undefined) gradient = checkGradient('model.explain: gradient', options.gradient);
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
    if (this.#onHelper) session.helperReady.delete(this.#onHelper);
    this.#onHelper = null;
    for (const [h, p] of this.#replicas) {
      p.then((handle) => (h.dead ? null : h.call('dispose', [handle]).promise), () => {}).catch(() => {});
    }
    this.#replicas.clear();
    this.#bytes = null;
    if (this.#engine.dead) return;
    await this.#engine.call('dispose', [this.#handle]).promise;
  }
}
