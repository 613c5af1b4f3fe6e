// replica.js — data-parallel training (docs/design.md §2.2): train() on
// the page runs one engine per worker, each training a replica of the same
// model; every batch, each sends its chunks' gradients to the others over
// MessagePorts. portExchange is the worker's side (the exchange object the
// Go bridge calls, wasm/replica.go); channels builds the ports on the page.

/**
 * The exchange object of replica index of count, over ports (ports[j]
 * reaches replica j; null at index; dismiss: kate.Replica.Dismiss, replica
 * 0 may end the others' part when waiting for them costs more than they
 * save): buffer(n) returns a Uint8Array of n bytes to write this replica's
 * message of the round into; exchange(that
 * array) posts it to every other replica (taking its buffer) and resolves
 * with the others' messages of the same round (an array indexed by
 * replica, null at index), which may be read until the next buffer() call;
 * close() closes the ports. Messages of a port arrive in order, so the
 * rounds need no numbers.
 *
 * Buffers are reused (received ones become the next messages): allocating
 * a new megabyte-sized ArrayBuffer every round cost more than copying it.
 */
export function portExchange({ index, count, ports, dismiss }) {
  const queues = ports.map(() => []);
  let waiting = null;
  const deliver = () => {
    if (!waiting) return;
    for (let j = 0; j < count; j++) if (j !== index && queues[j].length === 0) return;
    const w = waiting;
    waiting = null;
    received = queues.map((q, j) => (j === index ? null : q.shift()));
    w(received);
    received = received.filter((a) => a);
  };
  ports.forEach((p, j) => {
    if (!p) return;
    p.onmessage = (e) => {
      queues[j].push(e.data);
      deliver();
    };
  });
  const peers = ports.filter((p) => p);
  let free = [];
  let received = [];
  return {
    index,
    count,
    dismiss,
    buffer(n) {
      free.push(...received.map((a) => a.buffer));
      received = [];
      const i = free.findIndex((b) => b.byteLength >= n);
      const buf = i >= 0 ? free.splice(i, 1)[0] : new ArrayBuffer(n + (n >> 3));
      free = free.slice(-2);
      return new Uint8Array(buf, 0, n);
    },
    exchange(bytes) {
      // A copy to each peer but the last, which takes the buffer itself.
      peers.forEach((p, i) => (i === peers.length - 1 ? p.postMessage(bytes, [bytes.buffer]) : p.postMessage(bytes)));
      return new Promise((resolve) => {
        waiting = resolve;
        deliver();
      });
    },
    close() {
      waiting = null;
      for (const p of peers) {
        p.onmessage = null;
        p.close();
      }
    },
  };
}

/**
 * MessagePorts connecting count replicas pairwise: ports[i][j] is replica
 * i's port to replica j (null when i === j).
 */
export function channels(count) {
  const ports = Array.from({ length: count }, () => new Array(count).fill(null));
  for (let i = 0; i < count; i++) {
    for (let j = i + 1; j < count; j++) {
      const ch = new MessageChannel();
      ports[i][j] = ch.port1;
      ports[j][i] = ch.port2;
    }
  }
  return ports;
}
