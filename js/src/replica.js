// replica.js — data-parallel training (docs/design.md §2.2): train() on
// the page runs one engine per worker, each training a replica of the same
// model; every batch, each sends its chunks' gradients to the others over
// MessagePorts. portExchange is the worker's side (the exchange object the
// Go bridge calls, wasm/replica.go); channels builds the ports on the page.

/**
 * The exchange object of replica index of count, over ports (ports[j]
 * reaches replica j; null at index): exchange(Uint8Array) posts this
 * replica's message of the round to every other one (taking its buffer)
 * and resolves with the others' messages of the same round (an array
 * indexed by replica, null at index); close() closes the ports. Messages
 * of a port arrive in order, so the rounds need no numbers.
 */
export function portExchange({ index, count, ports }) {
  const queues = ports.map(() => []);
  let waiting = null;
  const deliver = () => {
    if (!waiting) return;
    for (let j = 0; j < count; j++) if (j !== index && queues[j].length === 0) return;
    const w = waiting;
    waiting = null;
    w(queues.map((q, j) => (j === index ? null : q.shift())));
  };
  ports.forEach((p, j) => {
    if (!p) return;
    p.onmessage = (e) => {
      queues[j].push(e.data);
      deliver();
    };
  });
  const peers = ports.filter((p) => p);
  return {
    index,
    count,
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
