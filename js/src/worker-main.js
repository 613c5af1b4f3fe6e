// worker-main.js — the worker's side of the message protocol of
// protocol.js: receives calls from the page, runs them on a Core, posts
// results, progress events and, if the engine dies, one fatal message.
// worker.browser.js and worker.node.js connect it to their thread.

import { startCore } from './core.js';
import { MSG, OPS, errorMessage } from './protocol.js';

/**
 * Serves the page. post(msg, transfer) sends a message, listen(fn) receives
 * them, compile(url) (optional) fetches and compiles kate.wasm.
 */
export function serveEngine({ post, listen, compile }) {
  let core = null;
  let fatal = null;
  const die = (message) => {
    if (fatal) return;
    fatal = message;
    post({ type: MSG.fatal, message });
  };
  listen(async (msg) => {
    if (!msg || typeof msg !== 'object') return;
    if (msg.type === MSG.init) {
      try {
        core = await startCore({ ...msg.options, compile, onExit: die });
        post({ type: MSG.ready, id: msg.id, info: core.info() });
        // An encode helper (api.js) only encodes large calls: it checks and
        // installs the encoding kernels now, in the background, instead of
        // in its first part of one (Core.encodeKernelsReady never rejects).
        if (msg.options.encodeHelper) core.encodeKernelsReady();
      } catch (e) {
        post({ type: MSG.error, id: msg.id, message: errorMessage(e) });
      }
      return;
    }
    if (msg.type === MSG.cancel) {
      if (core) core.cancel(msg.id);
      return;
    }
    if (msg.type !== MSG.call) return;
    const { id, op, args } = msg;
    if (fatal || !core) {
      post({ type: MSG.error, id, message: fatal || 'kate: the engine is not started' });
      return;
    }
    const onProgress = Object.hasOwn(OPS, op) && OPS[op].progress ? (event) => post({ type: MSG.progress, id, event }) : null;
    try {
      const { value, transfer } = await core.call(id, op, args, onProgress);
      post({ type: MSG.result, id, value }, transfer);
    } catch (e) {
      post({ type: MSG.error, id, message: errorMessage(e) });
    }
  });
}
