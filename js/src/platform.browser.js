// platform.browser.js — where the browser ES module build (dist/kate.mjs)
// finds its worker and kate.wasm. The two `new URL('./…', import.meta.url)`
// expressions are the literal patterns bundlers (Vite, webpack, Parcel,
// Rollup with an assets plugin) recognise: they copy the files into the
// app's output and rewrite the URLs.

import { webWorkerPort } from './engine-worker.js';
import { fail } from './validation.js';

export const platform = {
  /** The default kate.wasm, next to this file. */
  wasmURL: () => new URL('./kate.wasm', import.meta.url).href,
  /** What relative URLs given to initialize are relative to: the document. */
  baseURL: () => (typeof document !== 'undefined' && document.baseURI) ||
    (typeof location !== 'undefined' ? location.href : import.meta.url),
  /** Starts the engine's worker: the default one next to this file, or url. */
  worker(url, handlers) {
    if (typeof Worker !== 'function') fail('Web Workers are not available here; call initialize({ worker: false })');
    const w = url === undefined
      ? new Worker(new URL('./kate.worker.js', import.meta.url), { type: 'module' })
      : new Worker(url, { type: 'module' });
    return webWorkerPort(w, handlers);
  },
  /** Compiles kate.wasm from a URL (undefined: fetch, streaming). */
  compile: undefined,
  cpuCount: () => (typeof navigator !== 'undefined' && navigator.hardwareConcurrency > 0 ? navigator.hardwareConcurrency : 1),
};
