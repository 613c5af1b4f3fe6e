// exchange-page.mjs — the page of exchange.mjs: two Web Workers joined by a
// MessageChannel, as data-parallel training joins its workers
// (docs/design.md §2.2), run rounds of the same shape as training's: each
// busy-works for work ms (by the clock), then sends a message of size
// bytes (transferring its buffer) and waits for the other's. With work=0
// a round is one message each way. Query: rounds, size, work. Publishes
// window.exchangeResult: { rounds, size, work, msPerRound }.
const WORKER = `
onmessage = (e) => {
  const { port, rounds, size, work } = e.data;
  const busy = () => {
    const t = performance.now();
    while (performance.now() - t < work) {}
  };
  let done = 0;
  const t0 = performance.now();
  const send = (buf) => {
    busy();
    const b = new Uint8Array(buf || new ArrayBuffer(size));
    port.postMessage(b, [b.buffer]);
  };
  port.onmessage = (m) => {
    done++;
    if (done === rounds) {
      postMessage((performance.now() - t0) / rounds);
      port.close();
      return;
    }
    send(m.data.buffer);
  };
  send(null);
};`;

const q = new URLSearchParams(location.search);
const rounds = Number(q.get('rounds') || 200);
const size = Number(q.get('size') || 1e6);
const work = Number(q.get('work') || 0);
const url = URL.createObjectURL(new Blob([WORKER], { type: 'text/javascript' }));
const workers = [new Worker(url), new Worker(url)];
const ch = new MessageChannel();
const times = await Promise.all(workers.map((w, i) => new Promise((resolve) => {
  w.onmessage = (e) => resolve(e.data);
  const port = i === 0 ? ch.port1 : ch.port2;
  w.postMessage({ port, rounds, size, work }, [port]);
})));
for (const w of workers) w.terminate();
window.exchangeResult = { rounds, size, work, msPerRound: Math.max(...times) };
document.getElementById('out').textContent = JSON.stringify(window.exchangeResult);
