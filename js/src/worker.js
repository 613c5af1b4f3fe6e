// worker.js — the Web Worker (and Node worker_threads) side: receives
// calls from the page, runs them on a Core, posts results, progress events
// and, if the engine dies, one fatal message.
//
// Source fragment, concatenated after core.js into dist/kate.worker.js.
//
// Messages in:  {type: 'init', options} | {type: 'call', id, op, args} |
//               {type: 'cancel', id}
// Messages out: {type: 'ready', id, info} | {type: 'result', id, value} |
//               {type: 'error', id, message} | {type: 'progress', id, event} |
//               {type: 'fatal', message}

(async () => {
  let post;
  let listen;
  if (typeof importScripts === 'function') {
    post = (msg, transfer) => self.postMessage(msg, transfer || []);
    listen = (fn) => {
      self.onmessage = (e) => fn(e.data);
    };
  } else {
    const { parentPort } = await import('node:worker_threads');
    post = (msg, transfer) => parentPort.postMessage(msg, transfer || []);
    listen = (fn) => parentPort.on('message', fn);
  }
  let core = null;
  let fatal = null;
  const die = (message) => {
    if (fatal) return;
    fatal = message;
    post({ type: 'fatal', message });
  };
  const errMessage = (e) => (e && e.message ? e.message : String(e));
  listen(async (msg) => {
    if (!msg || typeof msg !== 'object') return;
    if (msg.type === 'init') {
      try {
        core = await startCore({ ...msg.options, onExit: die });
        const { value } = await core.call(0, 'runtimeInfo', []);
        post({ type: 'ready', id: msg.id, info: value });
      } catch (e) {
        post({ type: 'error', id: msg.id, message: errMessage(e) });
      }
      return;
    }
    if (msg.type === 'cancel') {
      if (core) core.cancel(msg.id);
      return;
    }
    if (msg.type !== 'call') return;
    const { id, op, args } = msg;
    if (fatal || !core) {
      post({ type: 'error', id, message: fatal || 'kate: the engine is not started' });
      return;
    }
    const onProgress = op === 'train' ? (event) => post({ type: 'progress', id, event }) : null;
    try {
      const { value, transfer } = await core.call(id, op, args, onProgress);
      post({ type: 'result', id, value }, transfer);
    } catch (e) {
      post({ type: 'error', id, message: errMessage(e) });
    }
  });
})();
