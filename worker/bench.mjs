// bench.mjs — where a request's time goes in the Workers build, measured in
// Node with the same glue as build/worker.mjs: every request instantiates
// the compiled module afresh (as github.com/syumai/workers does on Workers),
// starts the Go program, then handles the request.
//
//   bash worker/build.sh && node worker/bench.mjs [requests per route]
//
// After a warm-up, prints per route the median time to instantiate the module, to start Go
// (runtime and package initialisation, up to workers.Ready), to handle the
// request (model parsing included), and the instance's memory.
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
await import(join(here, "build", "wasm_exec.js"));
globalThis.tryCatch = (fn) => {
  try {
    return { result: fn() };
  } catch (error) {
    return { error };
  }
};

const reps = Number(process.argv[2] || 15);
const t0 = performance.now();
const mod = await WebAssembly.compile(readFileSync(join(here, "build", "app.wasm")));
console.log(`compile ${(performance.now() - t0).toFixed(1)} ms`);

async function request(req) {
  const go = new Go();
  const binding = {};
  let ready;
  const isReady = new Promise((resolve) => (ready = resolve));
  const a = performance.now();
  const instance = new WebAssembly.Instance(mod, { ...go.importObject, workers: { ready: () => ready() } });
  const b = performance.now();
  go.run(instance, { env: {}, ctx: {}, connect: () => {}, binding });
  await isReady;
  const c = performance.now();
  const res = await binding.handleRequest(req);
  await res.arrayBuffer();
  const d = performance.now();
  return { instantiate: b - a, start: c - b, handle: d - c, total: d - a, mem: instance.exports.mem.buffer.byteLength, status: res.status };
}

// Texts: the sample corpus's test split.
const texts = gunzipSync(readFileSync(join(here, "..", "testdata", "20news-sample.jsonl.gz")))
  .toString("utf8")
  .split("\n")
  .filter((line) => line.trim())
  .map((line) => JSON.parse(line))
  .filter((r) => r.split === "test")
  .map((r) => r.text);
const post = (path, body) => () => new Request("http://localhost" + path, { method: "POST", body: JSON.stringify(body) });
const routes = [
  ["GET /nope (404, no model)", () => new Request("http://localhost/nope")],
  ["GET /v1/model", () => new Request("http://localhost/v1/model")],
  ["GET /v1/topics?n=10", () => new Request("http://localhost/v1/topics?n=10")],
  ["POST /v1/encode, 1 text", post("/v1/encode", { texts: texts.slice(0, 1) })],
  ["POST /v1/encode, 32 texts", post("/v1/encode", { texts: texts.slice(0, 32) })],
];
// Warm up the JIT (Liftoff, then TurboFan) on every route first.
for (let i = 0; i < 5; i++) for (const [, make] of routes) await request(make());
const median = (xs) => xs.sort((x, y) => x - y)[xs.length >> 1].toFixed(1);
for (const [name, make] of routes) {
  const rs = [];
  for (let i = 0; i < reps; i++) rs.push(await request(make()));
  const bad = rs.find((r) => r.status >= 500 || (name.startsWith("GET /nope") ? r.status !== 404 : r.status !== 200));
  if (bad) throw new Error(`${name}: status ${bad.status}`);
  const col = (k) => median(rs.map((r) => r[k]));
  console.log(
    `${name.padEnd(28)} median ms: instantiate ${col("instantiate")}, start ${col("start")}, handle ${col("handle")}, total ${col("total")}; memory ${(rs.at(-1).mem / 1048576).toFixed(1)} MiB`,
  );
}
