// layout.worker.js — runs the neighbour layout (layout.js) off the main
// thread. Message in: {id, data, n, dim, init, frames}; out: {id, progress}
// while working, {id, progress, frame} (intermediate coordinates, when frames
// is true) while the points move, then {id, xy} or {id, error}.
import { neighbourLayout } from './layout.js';

self.onmessage = (ev) => {
  const { id, data, n, dim, init, frames } = ev.data;
  try {
    let last = 0;
    let progress = 0;
    const xy = neighbourLayout(data, n, dim, init, {
      onFrame: frames ? (frame) => self.postMessage({ id, progress, frame }, [frame.buffer]) : undefined,
      onProgress(f) {
        progress = f;
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
