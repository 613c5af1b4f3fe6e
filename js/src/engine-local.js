// engine-local.js — an engine on the page's own thread (initialize({
// worker: false })): calls go straight to a Core.

export class LocalEngine {
  constructor(core) {
    this.core = core;
    this.next = 1;
  }

  get dead() {
    return this.core.dead;
  }

  /** Runs op (a name in protocol.js's OPS); returns { id, promise }. */
  call(op, args, onProgress) {
    const id = this.next++;
    const promise = this.core.call(id, op, args, onProgress).then((r) => r.value);
    return { id, promise };
  }

  cancel(id) {
    this.core.cancel(id);
  }

  /** Ends the engine; pending and later calls reject with message. */
  die(message) {
    if (!this.core.dead) this.core.dead = message;
  }
}
