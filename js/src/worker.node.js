// worker.node.js — entry of dist/kate.node-worker.mjs, the engine in a
// Node worker thread.

import { parentPort } from 'node:worker_threads';
import { compileFile } from './node-io.js';
import { serveEngine } from './worker-main.js';

serveEngine({
  post: (msg, transfer) => parentPort.postMessage(msg, transfer || []),
  listen: (fn) => parentPort.on('message', fn),
  compile: compileFile,
});
