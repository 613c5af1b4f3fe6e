// platform.node.js — the Node build (dist/kate.node.mjs, chosen by the
// "node" condition of package.json's exports): the engine runs in a
// worker_threads Worker (dist/kate.node-worker.mjs) and kate.wasm is read
// from disk.

import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { compileFile } from './node-io.js';
import { errorMessage } from './protocol.js';

function nodeWorkerPort(worker, handlers) {
  worker.on('message', handlers.message);
  worker.on('error', (e) => handlers.failed(`kate: the worker failed: ${errorMessage(e)}`));
  worker.on('exit', (code) => handlers.failed(`kate: the worker stopped (exit code ${code})`));
  return {
    post: (msg, transfer) => worker.postMessage(msg, transfer || []),
    terminate: () => worker.terminate(),
    ref: () => worker.ref(),
    unref: () => worker.unref(),
  };
}

export const platform = {
  wasmURL: () => new URL('./kate.wasm', import.meta.url).href,
  /** Relative URLs and paths given to initialize are relative to the working directory. */
  baseURL: () => pathToFileURL(`${process.cwd()}/`).href,
  worker(url, handlers) {
    const w = new Worker(url === undefined ? new URL('./kate.node-worker.mjs', import.meta.url) : new URL(url));
    return nodeWorkerPort(w, handlers);
  },
  compile: compileFile,
  cpuCount: () => (typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length),
};
