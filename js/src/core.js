// core.js — the engine: runs kate.wasm (Go) in the current thread and turns
// calls into bridge calls. It is used inside the Web Worker (kate.worker.js)
// and, with { worker: false }, on the page's own thread.
//
// Source fragment: js/build.mjs concatenates the files of js/src into the
// builds in js/dist; VERSION is defined by the build.

const IS_NODE = typeof process !== 'undefined' && !!(process.versions && process.versions.node) &&
  typeof window === 'undefined' && typeof importScripts !== 'function';

const textEncoder = new TextEncoder();

/** Packs texts into one Uint8Array: uint32 count, uint32 byte lengths, UTF-8 bytes. */
function packTexts(texts) {
  const n = texts.length;
  const parts = new Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const b = textEncoder.encode(texts[i]);
    parts[i] = b;
    total += b.length;
  }
  const out = new Uint8Array(4 + 4 * n + total);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, n, true);
  let pos = 4 + 4 * n;
  for (let i = 0; i < n; i++) {
    dv.setUint32(4 + 4 * i, parts[i].length, true);
    out.set(parts[i], pos);
    pos += parts[i].length;
  }
  return out;
}

/** Reads the bytes at url (fetch, or the file system for file: URLs in Node). */
async function fetchBytes(url) {
  url = String(url);
  if (IS_NODE && url.startsWith('file:')) {
    const fs = await import('node:fs/promises');
    const { fileURLToPath } = await import('node:url');
    return new Uint8Array(await fs.readFile(fileURLToPath(url)));
  }
  let r;
  try {
    r = await fetch(url);
  } catch (e) {
    throw new Error(`kate: could not fetch ${url}: ${e && e.message ? e.message : e}`);
  }
  if (!r.ok) throw new Error(`kate: could not fetch ${url}: HTTP ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}

/** Compiles kate.wasm from url (streaming when the server sends application/wasm). */
async function compileWasm(url) {
  url = String(url);
  if (!(IS_NODE && url.startsWith('file:')) && typeof WebAssembly.compileStreaming === 'function') {
    let r;
    try {
      r = await fetch(url);
    } catch (e) {
      throw new Error(`kate: could not fetch ${url}: ${e && e.message ? e.message : e}`);
    }
    if (!r.ok) throw new Error(`kate: could not fetch ${url}: HTTP ${r.status}`);
    if ((r.headers.get('content-type') || '').split(';')[0].trim() === 'application/wasm') {
      return WebAssembly.compileStreaming(r);
    }
    return WebAssembly.compile(await r.arrayBuffer());
  }
  return WebAssembly.compile(await fetchBytes(url));
}

/** Makes globalThis.Go (Go's wasm_exec.js) available. */
async function loadGoRuntime(url) {
  if (typeof globalThis.Go === 'function') return;
  if (typeof importScripts === 'function') {
    importScripts(String(url)); // classic worker
  } else {
    await import(String(url));
  }
  if (typeof globalThis.Go !== 'function') {
    throw new Error(`kate: ${url} did not define Go (is it Go's wasm_exec.js?)`);
  }
}

/** Returns a function that runs a callback as a new task (no timer clamping). */
function makeYield() {
  if (typeof setImmediate === 'function') return (cb) => setImmediate(cb);
  if (typeof MessageChannel === 'function') {
    const ch = new MessageChannel();
    const queue = [];
    ch.port1.onmessage = () => {
      const cb = queue.shift();
      if (cb) cb();
    };
    return (cb) => {
      queue.push(cb);
      ch.port2.postMessage(0);
    };
  }
  return (cb) => setTimeout(cb, 0);
}

let registrations = 0;

/**
 * Starts kate.wasm and returns a Core. options: wasmModule (a
 * WebAssembly.Module) or wasmURL; wasmExecURL; simd (default true);
 * onExit(message), called if the Go program ends.
 */
async function startCore(options) {
  await loadGoRuntime(options.wasmExecURL);
  let module = options.wasmModule;
  if (!(module instanceof WebAssembly.Module)) module = await compileWasm(options.wasmURL);
  const go = new globalThis.Go();
  const regName = `__kateRegister_${Date.now().toString(36)}_${registrations++}_${Math.random().toString(36).slice(2)}`;
  let bridge = null;
  globalThis[regName] = (b) => {
    bridge = b;
  };
  go.argv = ['kate', regName];
  go.env = {};
  let exited = false;
  let core = null;
  let kill;
  const death = new Promise((resolve, reject) => {
    kill = reject;
  });
  death.catch(() => {});
  const onExit = (code) => {
    if (exited) return;
    exited = true;
    const msg = `kate: the WebAssembly program stopped (exit code ${code})`;
    if (core) core.dead = msg;
    // Timer events the program scheduled must not fire into it any more
    // (wasm_exec.js would throw "Go program has already exited" from them).
    if (go._scheduledTimeouts instanceof Map) {
      for (const t of go._scheduledTimeouts.values()) clearTimeout(t);
      go._scheduledTimeouts.clear();
    }
    kill(new Error(msg));
    if (options.onExit) options.onExit(msg);
  };
  go.exit = onExit;
  let instance;
  try {
    instance = await WebAssembly.instantiate(module, go.importObject);
    go.run(instance).then(() => onExit(go.exited ? 'exited' : 'unknown'), (e) => onExit(e && e.message));
  } finally {
    delete globalThis[regName];
  }
  if (!bridge) throw new Error('kate: kate.wasm did not start (is it the kate bridge?)');
  if (bridge.version !== VERSION) {
    throw new Error(`kate: kate.wasm is version ${bridge.version} but the JavaScript library is version ${VERSION}; serve the files of one build together`);
  }
  const yieldTask = makeYield();
  bridge.setYield((cb) => yieldTask(() => {
    if (!exited) cb();
  }));
  let kernels = 'go';
  let simdError = null;
  if (options.simd !== false) {
    const bytes = bridge.simdModule();
    if (WebAssembly.validate(bytes)) {
      try {
        const k = await WebAssembly.instantiate(bytes, { env: { mem: instance.exports.mem } });
        kernels = await bridge.useKernels(k.instance.exports);
      } catch (e) {
        simdError = e && e.message ? e.message : String(e);
        kernels = 'go';
      }
    } else {
      simdError = 'WebAssembly SIMD is not available';
    }
  }
  core = new Core(bridge, instance, kernels, simdError, death);
  if (exited) throw new Error('kate: the WebAssembly program stopped during start-up');
  return core;
}

/** Core: the operations on a started bridge. Every method returns a Promise. */
class Core {
  constructor(bridge, instance, kernels, simdError, death) {
    this.bridge = bridge;
    this.death = death;
    this.instance = instance;
    this.kernels = kernels;
    this.simdError = simdError;
    this.dead = null;
    this.peakMemory = this.memoryBytes();
  }

  memoryBytes() {
    return this.instance.exports.mem.buffer.byteLength;
  }

  /**
   * Runs op with args; returns Promise<{ value, transfer }> where transfer
   * lists the ArrayBuffers the result may hand over. onProgress receives
   * training progress events.
   */
  call(id, op, args, onProgress) {
    // A call pending when the program dies rejects with the reason.
    return Promise.race([this.run(id, op, args, onProgress), this.death]);
  }

  async run(id, op, args, onProgress) {
    if (this.dead) throw new Error(this.dead);
    const b = this.bridge;
    try {
      switch (op) {
        case 'train': {
          const [texts, cfg] = args;
          const packed = packTexts(texts);
          return { value: await b.train(String(id), packed, cfg, onProgress || null), transfer: [] };
        }
        case 'load':
          return { value: await b.load(args[0]), transfer: [] };
        case 'encode': {
          const [handle, texts] = args;
          const data = await b.encode(handle, packTexts(texts));
          return { value: data, transfer: [data.buffer] };
        }
        case 'topics':
          return { value: await b.topics(args[0], args[1]), transfer: [] };
        case 'similar': {
          const [handle, query, candidates, n] = args;
          const q = typeof query === 'string' ? packTexts([query]) : query;
          const c = Array.isArray(candidates) ? packTexts(candidates) : candidates;
          return { value: await b.similar(handle, q, c, n), transfer: [] };
        }
        case 'save': {
          const bytes = await b.save(args[0]);
          return { value: bytes, transfer: [bytes.buffer] };
        }
        case 'explain':
          return { value: await b.explain(args[0], packTexts([args[1]]), args[2]), transfer: [] };
        case 'vocabulary':
          return { value: await b.vocabulary(args[0]), transfer: [] };
        case 'dispose':
          return { value: b.dispose(args[0]), transfer: [] };
        case 'pca': {
          const out = await b.pca(args[0], args[1], args[2]);
          return { value: out, transfer: [out.buffer] };
        }
        case 'selfTest':
          return { value: await b.selfTest(args[0]), transfer: [] };
        case 'crash':
          // Ends the Go program as a fatal error would (tests of the
          // library's handling of a dead engine).
          b.exit(3);
          return { value: null, transfer: [] };
        case 'runtimeInfo':
          return {
            value: { kernels: this.kernels, simdError: this.simdError, memoryBytes: this.memoryBytes(), peakMemoryBytes: this.peakMemory },
            transfer: [],
          };
        default:
          throw new Error(`kate: unknown operation ${op}`);
      }
    } finally {
      const m = this.memoryBytes();
      if (m > this.peakMemory) this.peakMemory = m;
    }
  }

  cancel(id) {
    if (!this.dead) this.bridge.cancel(String(id));
  }
}
