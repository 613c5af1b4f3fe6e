// validation.js — argument checks of the public API. A mistake is an Error
// with a one-line message naming the argument ("kate: option dim must be
// ..."). Bounds that the Go core enforces come from the engine (limits,
// reported by the bridge in wasm/main.go), so they are declared once, in Go.

export const TRAIN_OPTIONS = {
  dim: 'integer', k: 'integer', alpha: 'number', vocabSize: 'integer', epochs: 'integer',
  batchSize: 'integer', validationDocs: 'integer', minInputs: 'integer', gradient: 'gradient', seed: 'seed',
  sampling: 'number', stem: 'boolean', stopwords: 'boolean', onProgress: 'function', signal: 'signal',
  workers: 'workers',
};

/** Throws a kate Error with message. */
export function fail(message) {
  throw new Error(`kate: ${message}`);
}

/** A short description of v for error messages. */
export function describe(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return v.constructor && v.constructor.name ? `a ${v.constructor.name}` : 'an object';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 20 ? `${v.slice(0, 20)}…` : v)}`;
  return `${typeof v} ${String(v)}`;
}

export function checkInt(name, v, lo, hi) {
  if (typeof v !== 'number' || !Number.isInteger(v)) fail(`${name} must be an integer, got ${describe(v)}`);
  if (v < lo || v > hi) fail(`${name} must be between ${lo} and ${hi}, got ${v}`);
  return v;
}

export function checkBoolean(name, v) {
  if (typeof v !== 'boolean') fail(`${name} must be true or false, got ${describe(v)}`);
  return v;
}

export function checkTexts(fn, texts) {
  if (!Array.isArray(texts)) fail(`${fn} expects an array of strings, got ${describe(texts)}`);
  if (texts.length === 0) fail(`${fn} needs at least one text, got an empty array`);
  for (let i = 0; i < texts.length; i++) {
    if (typeof texts[i] !== 'string') fail(`${fn}: text ${i} is ${describe(texts[i])}, not a string`);
  }
  return texts;
}

export function checkText(fn, text) {
  if (typeof text !== 'string') fail(`${fn} expects a string, got ${describe(text)}`);
  if (text.trim() === '') fail(`${fn} needs a non-empty text`);
  return text;
}

export function checkGradient(name, v) {
  if (v !== 'full' && v !== 'none') fail(`${name} must be "full" or "none", got ${describe(v)}`);
  return v;
}

/**
 * Validates train options against the engine's limits ({ dim, vocabSize, alpha, defaultDim })
 * and maxWorkers; returns { cfg, onProgress, signal, workers }. The Go core
 * checks the rest (epochs, batchSize, the size of the network) with its own messages.
 */
export function trainOptions(options, limits, maxWorkers = 1) {
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
        checkInt(`option ${key}`, v, key === 'validationDocs' || key === 'minInputs' ? 0 : 1, Object.hasOwn(limits, key) ? limits[key] : 2 ** 31 - 1);
        cfg[key] = v;
        break;
      case 'number':
        if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) fail(`option ${key} must be a finite number >= 0, got ${describe(v)}`);
        if (Object.hasOwn(limits, key) && v > limits[key]) fail(`option ${key} must be at most ${limits[key]}, got ${describe(v)}`);
        cfg[key] = v;
        break;
      case 'boolean':
        cfg[key] = checkBoolean(`option ${key}`, v);
        break;
      case 'gradient':
        cfg[key] = checkGradient('option gradient', v);
        break;
      case 'seed':
        if (typeof v === 'bigint') {
          if (v < 0n || v >= 1n << 64n) fail(`option seed must be in [0, 2^64), got ${v}`);
        } else if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
          fail(`option seed must be a non-negative integer (or a BigInt), got ${describe(v)}`);
        }
        cfg.seed = String(v);
        break;
      case 'workers':
        checkInt('option workers', v, 1, maxWorkers);
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
  const dim = cfg.dim ?? limits.defaultDim;
  const k = cfg.k ?? Math.max(1, Math.round(dim / 4));
  if (cfg.k !== undefined && cfg.k > dim) fail(`option k (${cfg.k}) must not exceed dim (${dim})`);
  cfg.k = k;
  return { cfg, onProgress: options.onProgress, signal: options.signal, workers: options.workers };
}

/** The error a cancelled call rejects with. */
export function abortError(signal) {
  if (signal && signal.reason !== undefined) return signal.reason;
  return new DOMException('kate: training was cancelled', 'AbortError');
}

function isEmbeddings(e) {
  return e !== null && typeof e === 'object' && e.data instanceof Float32Array && Array.isArray(e.dims) && e.dims.length === 2;
}

export function checkEmbeddings(fn, e, dim) {
  if (!isEmbeddings(e)) fail(`${fn} expects embeddings { data: Float32Array, dims: [n, dim] } as returned by model.encode, got ${describe(e)}`);
  const [n, d] = e.dims;
  if (!Number.isInteger(n) || !Number.isInteger(d) || n < 0 || d < 1 || n * d !== e.data.length) {
    fail(`${fn}: dims [${e.dims}] do not match data of length ${e.data.length}`);
  }
  if (dim !== undefined && d !== dim) fail(`${fn}: the embeddings have dimension ${d} but the model has ${dim}`);
  return e;
}

/** The model file as a Uint8Array (from a Uint8Array, another view or an ArrayBuffer). */
export function modelBytes(bytes, limits) {
  if (bytes instanceof ArrayBuffer) bytes = new Uint8Array(bytes);
  else if (ArrayBuffer.isView(bytes) && !(bytes instanceof Uint8Array)) bytes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!(bytes instanceof Uint8Array)) fail(`load expects the model file as a Uint8Array or ArrayBuffer, got ${describe(bytes)}`);
  if (bytes.length === 0) fail('load: the model file is empty');
  if (limits && bytes.length > limits.modelBytes) fail(`invalid model file: larger than ${limits.modelBytes} bytes`);
  return bytes;
}
