// layout.worker.js — runs the neighbour layout (layout.js) off the main
// thread. Message in: {id, data, n, dim, init}; out: {id, progress} while
// working, then {id, xy} or {id, error}.
import { neighbourLayout } from './layout.js';

self.onmessage = (ev) => {
  const { id, data, n, dim, init } = ev.data;
  try {
    let last = 0;
    const xy = neighbourLayout(data, n, dim, init, {
      onProgress(f) {
        if (f - last >= 0.05) {
          last = f;
          self.postMessage({ id, progress: f });
        }
      },
    });
    self.postMessage({ id, xy }, [xy.buffer]);
  } catch (e) {
    self.postMessage({ id, error: e && e.message ? e.message : String(e) });
  }
};
