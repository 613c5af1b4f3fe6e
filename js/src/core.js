// core.js — the engine: runs kate.wasm (Go) in the current thread and
// turns calls into bridge calls through the operation table of
// protocol.js. It runs inside the Web Worker (worker-main.js) and, with
// initialize({ worker: false }), on the page's own thread (engine-local.js).

import { goRuntime } from 'kate:go-runtime';
import { OPS, errorMessage } from './protocol.js';
import { simdImports } from './simd-imports.js';
import { VERSION } from './version.js';

/** Fetches and compiles kate.wasm (streaming when the server sends application/wasm). */
export async function fetchWasm(url) {
  url = String(url);
  let r;
  try {
    r = await fetch(url);
  } catch (e) {
    throw new Error(`kate: could not fetch ${url}: ${errorMessage(e)}`);
  }
  if (!r.ok) throw new Error(`kate: could not fetch ${url}: HTTP ${r.status}`);
  const type = (r.headers.get('content-type') || '').split(';')[0].trim();
  if (type === 'application/wasm' && typeof WebAssembly.compileStreaming === 'function') {
    return WebAssembly.compileStreaming(r);
  }
  return WebAssembly.compile(await r.arrayBuffer());
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

// Go's output. The runtime writes through globalThis.fs.writeSync, the
// console stand-in of wasm_exec.js. The hook reads it line by line for the
// Core that runs on this thread (one at a time): a fatal error or panic is
// kept as the cause of the engine's death, and an out-of-memory crash is
// not printed (its goroutine dump is hundreds of lines that say nothing to
// the page); everything else goes to the console as before.
let output = null; // { fatal, oom } of the running Core
const HOOKED = Symbol.for('kate.goOutput');

function hookGoOutput() {
  const fs = globalThis.fs;
  if (!fs || typeof fs.writeSync !== 'function' || fs[HOOKED]) return;
  const write = fs.writeSync.bind(fs);
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  let partial = '';
  fs.writeSync = (fd, buf) => {
    if (fd !== 1 && fd !== 2) return write(fd, buf);
    partial += decoder.decode(buf, { stream: true });
    const lines = partial.split('\n');
    partial = lines.pop();
    for (const line of lines) {
      const out = output;
      if (out && !out.fatal) {
        if (line.startsWith('runtime: out of memory')) out.oom = line.slice('runtime: '.length);
        if (line === 'fatal error: out of memory' || out.oom) out.oom = out.oom || 'out of memory';
        if (/^(fatal error|panic): /.test(line)) out.fatal = line;
      }
      if (!(out && out.oom)) write(fd, encoder.encode(`${line}\n`));
    }
    return buf.length;
  };
  Object.defineProperty(fs, HOOKED, { value: true });
}

/** The message pending calls reject with when the Go program ends with code. */
function deathMessage(code, out) {
  if (out.oom) {
    return `kate: not enough memory for this model: the engine ran out of memory (${out.oom}) and stopped; ` +
      'the next call starts a new engine (models trained or loaded before are lost: train or load them again)';
  }
  const cause = out.fatal ? ` after "${out.fatal}"` : '';
  return `kate: the WebAssembly program stopped (exit code ${code})${cause}; the next call starts a new engine`;
}

/**
 * Starts kate.wasm and returns a Core. options: wasmModule (a
 * WebAssembly.Module) or wasmURL; simd (default true); compile(url), which
 * fetches and compiles the wasm (default fetchWasm); onExit(message),
 * called if the Go program ends.
 */
export async function startCore(options) {
  const Go = goRuntime();
  let module = options.wasmModule;
  if (!(module instanceof WebAssembly.Module)) module = await (options.compile || fetchWasm)(options.wasmURL);
  hookGoOutput();
  const out = { fatal: null, oom: null };
  output = out;
  const go = new Go();
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
    const msg = deathMessage(code, out);
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
  // The SIMD kernels as direct imports of kate.wasm, bound to the kernel
  // modules' instances below (simd-imports.js).
  const simd = simdImports();
  let instance;
  try {
    instance = await WebAssembly.instantiate(module, { ...go.importObject, kate_simd: simd.imports });
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
  core = new Core(bridge, instance, 'go', null, death);
  if (options.simd !== false) {
    const modules = bridge.simdModules();
    let exports = null;
    if (!modules.every((bytes) => WebAssembly.validate(bytes))) {
      core.simdError = 'WebAssembly SIMD is not available';
    } else {
      try {
        // Compiled synchronously (each module is under the browsers' 4 KB
        // limit for synchronous compilation on a page's thread): an
        // asynchronous compile waits in the engine's background queue
        // behind the optimizing compiler's work on kate.wasm, which took
        // ~150 ms of initialize() in a Chromium trace on 2 cores.
        exports = {};
        for (const bytes of modules) {
          Object.assign(exports, new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { mem: instance.exports.mem } }).exports);
        }
        // The bridge's useKernels calls it (wasm/simd.Kernels).
        exports.bindImports = simd.bind;
      } catch (e) {
        exports = null;
        core.simdError = errorMessage(e);
      }
    }
    // Installed by the first call that needs them (Core.kernelsReady).
    core.simdExports = exports;
  }
  if (exited) throw new Error('kate: the WebAssembly program stopped during start-up');
  return core;
}

/** Core: the operations on a started bridge. */
export class Core {
  constructor(bridge, instance, kernels, simdError, death) {
    this.bridge = bridge;
    this.death = death;
    this.instance = instance;
    this.kernels = kernels;
    this.simdError = simdError;
    /** The SIMD kernel module's exports, to check and install, or null. */
    this.simdExports = null;
    /** kernelsReady()'s promise once started. */
    this.checking = null;
    /** encodeKernelsReady()'s promise once started. */
    this.encodeChecking = null;
    /** Calls waiting for kernelsReady(), and those of them cancelled. */
    this.waiting = new Set();
    this.cancelled = new Set();
    this.dead = null;
    this.peakMemory = this.memoryBytes();
  }

  memoryBytes() {
    return this.instance.exports.mem.buffer.byteLength;
  }

  /** What runtimeInfo reports about this engine. */
  info() {
    const memoryBytes = this.memoryBytes();
    if (memoryBytes > this.peakMemory) this.peakMemory = memoryBytes;
    return {
      kernels: this.kernels, simdError: this.simdError, memoryBytes,
      peakMemoryBytes: this.peakMemory, limits: { ...this.bridge.limits },
    };
  }

  /**
   * Runs operation op (a name in OPS) with args; returns Promise<{ value,
   * transfer }> where transfer lists the ArrayBuffers the result may hand
   * over. onProgress receives progress events. A call pending when the
   * program dies rejects with the reason.
   */
  call(id, op, args, onProgress) {
    return Promise.race([this.run(id, op, args, onProgress), this.death]);
  }

  async run(id, op, args, onProgress) {
    if (this.dead) throw new Error(this.dead);
    const spec = Object.hasOwn(OPS, op) ? OPS[op] : null;
    if (!spec) throw new Error(`kate: unknown operation ${op}`);
    const ready = spec.kernels ? this.kernelsReady() : spec.encodeKernels && spec.encodeKernels(args) ? this.encodeKernelsReady() : null;
    if (ready) {
      this.waiting.add(id);
      try {
        await ready;
      } finally {
        this.waiting.delete(id);
      }
      if (this.cancelled.delete(id)) throw new Error(`kate: ${op} was cancelled`);
      if (this.dead) throw new Error(this.dead);
    }
    try {
      const value = await spec.run(this, args, { id, onProgress });
      return { value, transfer: spec.transfer ? spec.transfer(value) : [] };
    } finally {
      const m = this.memoryBytes();
      if (m > this.peakMemory) this.peakMemory = m;
    }
  }

  /**
   * Installs the SIMD kernels the first time a call needs them (training,
   * runtimeInfo, selfTest: OPS entries marked kernels), after the bridge has
   * checked them against the pure-Go kernels bit for bit on random inputs
   * (40 ms of CPU or more per engine; if they differ, the pure-Go kernels
   * stay and simdError says why). Only training uses them all, so loading a
   * model and encoding never wait for this check, nor share the processor
   * with it (docs/design.md §4.1); encoding installs its one kernel with
   * encodeKernelsReady. Resolves when done; never rejects.
   */
  kernelsReady() {
    if (!this.checking) {
      // After the encoding check, which may have found a difference (then
      // simdExports is null) and must not install its kernel over these.
      this.checking = (this.encodeChecking || Promise.resolve()).then(() => {
        const exports = this.simdExports;
        this.simdExports = null;
        return exports && this.bridge.useKernels(exports);
      }).then(
        (k) => {
          if (k) this.kernels = k;
        },
        (e) => {
          this.kernels = 'go';
          this.simdError = errorMessage(e);
        },
      );
    }
    return this.checking;
  }

  /**
   * Installs the SIMD kernels that encoding uses (the encoder's SparseDot
   * and AxpyRows) the first time a large encode call needs them (OPS
   * entries with encodeKernels), after the bridge has checked them against
   * the pure-Go kernels bit for bit on inputs of every shape the kernels
   * tell apart (a few ms: wasm/simd CheckEncode). Nothing to do once
   * kernelsReady has started: that check covers them. On a difference, the
   * pure-Go kernels stay, simdError says why and no SIMD kernel is
   * installed later.
   * Resolves when done; never rejects.
   */
  encodeKernelsReady() {
    if (this.checking) return this.checking;
    if (!this.encodeChecking) {
      const exports = this.simdExports;
      this.encodeChecking = !exports
        ? Promise.resolve()
        : new Promise((resolve) => resolve(this.bridge.useEncodeKernels(exports))).then(
          () => {},
          (e) => {
            this.simdExports = null;
            this.simdError = errorMessage(e);
          },
        );
    }
    return this.encodeChecking;
  }

  cancel(id) {
    if (this.waiting.has(id)) this.cancelled.add(id);
    if (!this.dead) this.bridge.cancel(String(id));
  }
}
