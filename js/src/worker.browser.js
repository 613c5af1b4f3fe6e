// worker.browser.js — entry of dist/kate.worker.js, the Web Worker (a
// module or a classic worker: the build has no import statements).

import { serveEngine } from './worker-main.js';

serveEngine({
  post: (msg, transfer) => self.postMessage(msg, transfer || []),
  listen: (fn) => {
    self.onmessage = (e) => fn(e.data);
  },
});
