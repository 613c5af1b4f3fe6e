// protocol.js — the engine's operations, declared once. Every side reads
// this table: the Core runs an operation on the Go bridge with run(), the
// Web Worker posts its result with transfer(), and the page's engines send
// any name found here (docs/design.md §4, the JavaScript layers).
//
// An operation: run(core, args, call) returns the value or a Promise of
// it (core.bridge is the bridge object of wasm/main.go; call is { id,
// onProgress }); transfer(value), when present, lists the ArrayBuffers
// the worker may hand over instead of copying; progress marks the
// operations that report progress events.

import { portExchange } from './replica.js';

const textEncoder = new TextEncoder();

/**
 * Packs texts into one Uint8Array: uint32 count, uint32 byte lengths, UTF-8
 * bytes. The texts are encoded in place (encodeInto) into a buffer sized
 * for one byte per UTF-16 unit, grown once to the worst case (3 bytes per
 * unit) of the texts left when a text does not fit: no copy per text for
 * ASCII text (docs/speed.md, "Encoding new text (sixth session)").
 */
export function packTexts(texts) {
  const n = texts.length;
  let units = 0;
  for (let i = 0; i < n; i++) units += texts[i].length;
  let out = new Uint8Array(4 + 4 * n + units);
  let pos = 4 + 4 * n;
  const lengths = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const t = texts[i];
    let { read, written } = textEncoder.encodeInto(t, out.subarray(pos));
    if (read < t.length) {
      let rest = 0;
      for (let j = i; j < n; j++) rest += texts[j].length;
      const bigger = new Uint8Array(pos + 3 * rest);
      bigger.set(out.subarray(0, pos));
      out = bigger;
      ({ written } = textEncoder.encodeInto(t, out.subarray(pos)));
    }
    lengths[i] = written;
    pos += written;
  }
  const dv = new DataView(out.buffer);
  dv.setUint32(0, n, true);
  for (let i = 0; i < n; i++) dv.setUint32(4 + 4 * i, lengths[i], true);
  return out.subarray(0, pos);
}

const buffer = (v) => [v.buffer];

/** encode calls with at least this many texts use the SIMD encoder kernel (Core.encodeKernelsReady). */
export const ENCODE_KERNELS_MIN = 64;

/**
 * The operations, by name. run(core, args, call) does the work; progress:
 * it sends progress events; transfer(value): the buffers the result hands
 * over; kernels: it needs the training kernels installed (Core.kernelsReady);
 * encodeKernels(args): true when this call should first install the kernel
 * that encoding uses (Core.encodeKernelsReady).
 */
export const OPS = Object.freeze({
  // train(texts, cfg, replica?) -> model info; cfg is validated by
  // validation.js. replica ({ index, count, ports }, replica.js): this
  // engine trains replica index of count together with the engines at the
  // other ends of ports; replica 0 resolves with the model, the others
  // with null (or 'dismissed' when replica 0 went on alone).
  train: {
    progress: true,
    kernels: true,
    run: (core, [texts, cfg, replica], call) => {
      const x = replica ? portExchange(replica) : null;
      if (!x) return core.bridge.train(String(call.id), packTexts(texts), cfg, call.onProgress || null);
      // Closed when training ends, or when the Go program dies: a message
      // arriving later must not call into it.
      core.death.catch(() => x.close());
      return core.bridge.train(String(call.id), packTexts(texts), cfg, call.onProgress || null, x).finally(() => x.close());
    },
  },
  // load(bytes) -> model info
  load: { run: (core, [bytes]) => core.bridge.load(bytes) },
  // encode(handle, texts) -> Float32Array (n x dim). A call of
  // ENCODE_KERNELS_MIN texts or more (every part a helper takes) first
  // installs the SIMD kernel of the encoder, after its own check; a smaller
  // call (a search box's query) does not wait for that check.
  encode: {
    encodeKernels: ([, texts]) => Array.isArray(texts) && texts.length >= ENCODE_KERNELS_MIN,
    run: (core, [handle, texts]) => core.bridge.encode(handle, packTexts(texts)),
    transfer: buffer,
  },
  // topics(handle, n, by) -> [{ unit, label, words, weights, docs, empty, duplicateOf }]
  topics: { run: (core, [handle, n, by]) => core.bridge.topics(handle, n, by) },
  // topicDocuments(handle, texts, n) -> number[][] (per unit, indices of texts)
  topicDocuments: { run: (core, [handle, texts, n]) => core.bridge.topicDocuments(handle, packTexts(texts), n) },
  // similar(handle, query: text | Float32Array, candidates: texts | Float32Array, n) -> { indices, scores }
  similar: {
    run: (core, [handle, query, candidates, n]) => core.bridge.similar(
      handle,
      typeof query === 'string' ? packTexts([query]) : query,
      Array.isArray(candidates) ? packTexts(candidates) : candidates,
      n,
    ),
  },
  // save(handle) -> Uint8Array (the model file)
  save: { run: (core, [handle]) => core.bridge.save(handle), transfer: buffer },
  // explain(handle, text, gradient) -> object
  explain: { run: (core, [handle, text, gradient]) => core.bridge.explain(handle, packTexts([text]), gradient) },
  // vocabulary(handle) -> string[]
  vocabulary: { run: (core, [handle]) => core.bridge.vocabulary(handle) },
  // dispose(handle) -> bool
  dispose: { run: (core, [handle]) => core.bridge.dispose(handle) },
  // pca(Float32Array, dim, n) -> Float32Array (rows x n)
  pca: { run: (core, [data, dim, n]) => core.bridge.pca(data, dim, n), transfer: buffer },
  // runtimeInfo() -> { kernels, simdError, memoryBytes, peakMemoryBytes, limits }
  runtimeInfo: { kernels: true, run: (core) => core.info() },
  // selfTest(rounds) -> '' when the SIMD kernels equal the pure-Go ones
  selfTest: { kernels: true, run: (core, [rounds]) => core.bridge.selfTest(rounds) },
  // kernelSet() -> the name of the kernel set in use ('go',
  // 'wasm-simd-encode' or 'wasm-simd'; the library's tests)
  kernelSet: { run: (core) => core.bridge.kernelSet() },
  // crash() ends the Go program as a fatal error would (tests of the
  // library's handling of a dead engine).
  // crash('oom') runs it out of memory for real.
  crash: {
    run: (core, [how]) => {
      if (how === 'oom') core.bridge.outOfMemory();
      else core.bridge.exit(3);
      return null;
    },
  },
});

/** Message types between the page and the worker. */
export const MSG = Object.freeze({
  // page -> worker: { type, id, options } | { type, id, op, args } | { type, id }
  init: 'init',
  call: 'call',
  cancel: 'cancel',
  // worker -> page: { type, id, info } | { type, id, value } | { type, id, message } |
  // { type, id, event } | { type, message }
  ready: 'ready',
  result: 'result',
  error: 'error',
  progress: 'progress',
  fatal: 'fatal',
});

/** The message of an error-like value. */
export function errorMessage(e) {
  return e && e.message ? e.message : String(e);
}
