// entry.mjs — the Worker's entry point (wrangler.toml: main): the
// syumai/workers glue that worker/build.sh writes to build/worker.mjs, run
// for one request at a time per isolate (limit.mjs says why).
import glue from './build/worker.mjs';
import { limitConcurrency } from './limit.mjs';

const limited = limitConcurrency((req, env, ctx) => glue.fetch(req, env, ctx), { max: 1 });

export default {
  fetch: limited.fetch,
};
