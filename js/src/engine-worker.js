// engine-worker.js — an engine in a Web Worker or a Node worker thread: the
// page's side of the message protocol of protocol.js (worker-main.js is the
// other side).
//
// A port adapts the worker: { post(msg, transfer), terminate(), ref(), unref() } and
// it calls the handlers { message(data), failed(reason) } given to it.

import { MSG, errorMessage } from './protocol.js';

/** A port for a Web Worker. */
export function webWorkerPort(worker, handlers) {
  worker.onmessage = (e) => handlers.message(e.data);
  worker.onerror = (e) => {
    if (e && typeof e.preventDefault === 'function') e.preventDefault();
    handlers.failed(`kate: the worker failed: ${e && e.message ? e.message : 'could not load or run kate.worker.js'}`);
  };
  worker.onmessageerror = () => handlers.failed('kate: a message from the worker could not be read');
  return {
    post: (msg, transfer) => worker.postMessage(msg, transfer || []),
    terminate: () => worker.terminate(),
    ref() {},
    unref() {},
  };
}

/** Proxies calls to a worker through a port made by makePort(handlers). */
export class WorkerEngine {
  constructor(makePort) {
    this.pending = new Map();
    this.next = 1;
    this.dead = null;
    this.port = makePort({ message: (m) => this.onMessage(m), failed: (reason) => this.die(reason) });
    this.port.unref();
  }

  onMessage(m) {
    if (!m || typeof m !== 'object') return;
    if (m.type === MSG.fatal) {
      this.die(m.message);
      return;
    }
    const p = this.pending.get(m.id);
    if (!p) return;
    if (m.type === MSG.progress) {
      if (p.onProgress) p.onProgress(m.event);
      return;
    }
    this.settle(m.id);
    if (m.type === MSG.error) p.reject(new Error(m.message));
    else p.resolve(m.type === MSG.ready ? m.info : m.value);
  }

  settle(id) {
    this.pending.delete(id);
    if (this.pending.size === 0 && !this.dead) this.port.unref();
  }

  /** Ends the engine: pending and later calls reject with message. */
  die(message) {
    if (this.dead) return;
    this.dead = message;
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) p.reject(new Error(message));
    try {
      this.port.terminate();
    } catch {
      // already gone
    }
  }

  send(message, onProgress, transfer) {
    const id = this.next++;
    if (this.dead) return { id, promise: Promise.reject(new Error(this.dead)) };
    const promise = new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress });
    });
    this.port.ref();
    try {
      this.port.post({ ...message, id }, transfer);
    } catch (e) {
      this.settle(id);
      return { id, promise: Promise.reject(new Error(`kate: could not send the call to the worker: ${errorMessage(e)}`)) };
    }
    return { id, promise };
  }

  /** Starts the engine in the worker; resolves with its runtime information. */
  init(options) {
    return this.send({ type: MSG.init, options }).promise;
  }

  /**
   * Runs op (a name in protocol.js's OPS); returns { id, promise }.
   * transfer lists objects of args to hand over (MessagePorts).
   */
  call(op, args, onProgress, transfer) {
    return this.send({ type: MSG.call, op, args }, onProgress, transfer);
  }

  cancel(id) {
    if (!this.dead && this.pending.has(id)) this.port.post({ type: MSG.cancel, id });
  }
}
