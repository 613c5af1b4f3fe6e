// platform.script.js — where the script-tag build (dist/kate.js, global
// KATE) finds its worker and kate.wasm: next to the script itself, as
// <script src> named it (a CDN works too, given a same-origin workerURL).

import { webWorkerPort } from './engine-worker.js';
import { fail } from './validation.js';

// Read while the script runs: document.currentScript is null afterwards.
const SCRIPT_URL = (typeof document !== 'undefined' && document.currentScript && document.currentScript.src) ||
  (typeof location !== 'undefined' ? location.href : '');

export const platform = {
  wasmURL: () => new URL('kate.wasm', SCRIPT_URL).href,
  baseURL: () => (typeof document !== 'undefined' && document.baseURI) || SCRIPT_URL,
  worker(url, handlers) {
    if (typeof Worker !== 'function') fail('Web Workers are not available here; call initialize({ worker: false })');
    // A classic worker: kate.worker.js has no import statements.
    return webWorkerPort(new Worker(url === undefined ? new URL('kate.worker.js', SCRIPT_URL).href : url), handlers);
  },
  compile: undefined,
  cpuCount: () => (typeof navigator !== 'undefined' && navigator.hardwareConcurrency > 0 ? navigator.hardwareConcurrency : 1),
};
