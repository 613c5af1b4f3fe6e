// limit.mjs — run a Workers fetch handler for at most `max` requests at a
// time in one isolate (the entry point, entry.mjs, wraps the syumai/workers
// glue with it; docs/limits.md, "Workers service").
//
// Why: the glue instantiates the Go program afresh for every request
// (worker/README.md), so N concurrent requests kept N Go instances (6–8 MiB of
// wasm memory each) alive in the one isolate. Under wrangler dev with the CPU
// starved (load average 8–12 on 2 cores), 8 concurrent POSTs made workerd
// hang and then drop its keep-alive connections, a few requests each 200–400
// (the client saw EOF; through wrangler's proxy, 503 "Your worker restarted
// mid-request", though nothing restarted). With one Go instance at a time the
// same load passes. The isolate runs one thread, so the throughput of
// CPU-bound requests is the same.
//
// How: a request waits for a free slot by polling (a promise resolved by
// another request's code would not wake it: workerd cancels a request whose
// wake-up comes from another request's context as hung). A body announced
// with a Content-Length up to `bufferBytes` is read before waiting, so a slow
// upload does not hold the slot; the response body is read within the slot,
// because the Go instance lives until its body has been read.

/**
 * Wraps a fetch handler so that at most `max` calls run at once.
 *
 * @param {(req: Request, env: any, ctx: any) => Promise<Response>} handler
 * @param {{max?: number, pollMs?: number, bufferBytes?: number}} [options]
 *   max: concurrent calls (default 1); pollMs: how often a waiting request
 *   looks for a free slot (default 2); bufferBytes: largest Content-Length
 *   read before waiting (default 1 MiB, the service's body limit).
 * @returns {{fetch: (req: Request, env: any, ctx: any) => Promise<Response>, active: () => number}}
 */
export function limitConcurrency(handler, { max = 1, pollMs = 2, bufferBytes = 1 << 20 } = {}) {
  if (!(max >= 1)) throw new RangeError(`limitConcurrency: max must be at least 1, got ${max}`);
  let active = 0;
  return {
    active: () => active,
    async fetch(req, env, ctx) {
      const length = Number(req.headers.get('content-length'));
      if (req.body !== null && length > 0 && length <= bufferBytes) {
        req = new Request(req, { body: await req.arrayBuffer() });
      }
      while (active >= max) await new Promise((resolve) => setTimeout(resolve, pollMs));
      active++;
      try {
        const res = await handler(req, env, ctx);
        if (res.body === null) return res;
        return new Response(await res.arrayBuffer(), res);
      } finally {
        active--;
      }
    },
  };
}
