// encode.mjs — encoding new text in headless Chromium, for one or more
// builds of js/dist alternating in one run (docs/speed.md, "Encoding new
// text"):
//
//   node js/bench/encode.mjs [DIST ...] --model FILE [--data FILE] [--rounds 3] [--encode-workers N]
//                            [--epochs N] [--trace 1]
//
// Each round opens, for each build in turn (the order rotating from round
// to round), a fresh page (encode.html: a new engine and new helpers) that
// loads the model FILE and encodes the texts of --data (default: the
// benchmark corpus, $KATE_BENCH_DATA or the full 20 Newsgroups beside the
// repository; its test split, or all its texts when it has none) as
// measure.mjs does: cold in calls of 250 texts (one worker), cold in one
// call (the default encode workers, or --encode-workers), then warm. For
// each phase it prints docs/s by the wall clock and per second of the CPU
// time of all of Chromium's processes (from /proc, on Linux: on a machine
// shared with other jobs it moves far less), the medians, their ratios to
// the first build, and whether all builds gave the same embeddings. DIST
// defaults to js/dist. --epochs N: each page first trains a model for N
// epochs on the training split (one worker, as js/bench/measure.mjs does
// before it encodes: the engine's code has run). --trace 1: prints, for
// each page's cold one-call phase, the library's timeline of the call
// (builds from the sixth session on): when the helpers were ready and the
// model's replicas loaded, relative to the call's start (negative: before
// it), and for each engine its parts, its first part, its busy time and
// when it finished. It also prints initialize()'s time (fetching,
// compiling and starting kate.wasm).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, launchChromium, distDir, benchDataFile, flagValue as arg } from '../test/support.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const valued = new Set(['--model', '--data', '--rounds', '--encode-workers', '--epochs', '--trace']);
const dists = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && !valued.has(all[i - 1]));
if (dists.length === 0) dists.push(distDir);
const modelFile = arg('model');
const dataFile = path.resolve(arg('data', benchDataFile));
const rounds = Number(arg('rounds', 3));
const workers = arg('encode-workers');
const epochs = arg('epochs');
const trace = arg('trace') === '1';
if (!modelFile) {
  console.error('usage: node js/bench/encode.mjs [DIST ...] --model FILE [--data FILE] [--rounds 3] [--encode-workers N]');
  process.exit(2);
}
for (const d of dists) {
  if (!fs.existsSync(path.join(d, 'kate.mjs'))) {
    console.error(`${d}: no kate.mjs (run bash js/build.sh)`);
    process.exit(2);
  }
}

/** CPU seconds (user + system) of this process's descendants (Chromium), or NaN without /proc. */
function childrenCPU() {
  let procs;
  try {
    procs = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return NaN;
  }
  const stat = new Map();
  for (const p of procs) {
    try {
      const s = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
      stat.set(Number(p), { ppid: Number(f[1]), cpu: Number(f[11]) + Number(f[12]) });
    } catch {
      // the process ended
    }
  }
  const mine = new Set([process.pid]);
  let total = 0;
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, s] of stat) {
      if (!mine.has(pid) && mine.has(s.ppid)) {
        mine.add(pid);
        total += s.cpu;
        grew = true;
      }
    }
  }
  return total / 100; // clock ticks (USER_HZ = 100 on Linux)
}

/** One line per engine of a traced call: see encode-page.mjs and session.js's trace. */
function traceLines({ start, loadMs, ms, events }) {
  const rel = (t) => Math.round(t - start);
  const lines = [`  load ${Math.round(loadMs)} ms, call ${Math.round(ms)} ms`];
  for (const e of events.filter((x) => x.what === 'helper ready' || x.what === 'replica')) {
    lines.push(`  ${e.what} (${e.engine}): ${rel(e.t1 ?? e.t0)} ms${e.t1 !== undefined ? ` (took ${Math.round(e.t1 - e.t0)})` : ''}`);
  }
  const parts = events.filter((x) => x.what === 'part');
  for (const engine of [...new Set(parts.map((p) => p.engine))]) {
    const mine = parts.filter((p) => p.engine === engine);
    const busy = mine.reduce((a, p) => a + p.t1 - p.t0, 0);
    const first = mine[0];
    lines.push(`  ${engine}: ${mine.length} parts, ${mine.reduce((a, p) => a + p.texts, 0)} texts, first part ${first.texts} texts from ${rel(first.t0)} to ${rel(first.t1)} ms, busy ${Math.round(busy)} ms, done at ${rel(mine[mine.length - 1].t1)} ms`);
    lines.push(`    parts (texts/ms): ${mine.map((p) => `${p.texts}/${Math.round(p.t1 - p.t0)}`).join(' ')}`);
  }
  return lines;
}

const mounts = { '/bench/': here, '/data/': path.dirname(dataFile), '/model/': path.dirname(path.resolve(modelFile)) };
dists.forEach((d, i) => (mounts[`/d${i}/`] = d));
const srv = await serve(mounts);
const { context, close } = await launchChromium();
const PHASES = ['cold1', 'coldN', 'warmN'];
const res = dists.map(() => Object.fromEntries(PHASES.flatMap((p) => [[p, []], [`${p} cpu`, []]])));
const hashes = new Set();
let workersSeen;
let docs;
try {
  for (let r = 0; r < rounds; r++) {
    for (let j = 0; j < dists.length; j++) {
      const i = (j + r) % dists.length;
      const page = await context.newPage();
      page.on('pageerror', (e) => console.error('page error:', e.message));
      const q = new URLSearchParams({ dist: `/d${i}/`, model: `/model/${path.basename(modelFile)}`, data: `/data/${path.basename(dataFile)}` });
      if (workers) q.set('encodeWorkers', workers);
      if (epochs) q.set('epochs', epochs);
      if (trace) q.set('trace', '1');
      await page.goto(`${srv.url}/bench/encode.html?${q}`);
      await page.waitForFunction(() => window.benchReady, null, { timeout: 10 * 60_000, polling: 100 });
      const ready = await page.evaluate(() => window.benchReady);
      if (ready !== true) throw new Error(`${dists[i]}: ${ready}`);
      const line = [];
      let traced = null;
      for (const p of PHASES) {
        const c0 = childrenCPU();
        const out = await page.evaluate((name) => window.encodeBench[name](), p);
        const cpu = childrenCPU() - c0;
        docs = out.docs;
        res[i][p].push((out.docs / out.ms) * 1000);
        res[i][`${p} cpu`].push(out.docs / cpu);
        hashes.add(out.hash);
        if (out.trace) traced = out.trace;
        line.push(`${p} ${Math.round((out.docs / out.ms) * 1000)} (${Math.round(out.docs / cpu)} per CPU s)`);
      }
      const info = await page.evaluate(() => window.encodeBench.info());
      workersSeen = info.encodeWorkers;
      await page.close();
      console.log(`round ${r + 1} ${dists[i]}: ${line.join(', ')} docs/s; initialize ${Math.round(info.initMs)} ms`);
      if (traced) console.log(`coldN's timeline:\n${traceLines(traced).join('\n')}`);
    }
  }
} finally {
  await close();
  await srv.close();
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[(s.length - 1) >> 1];
};
const keys = Object.keys(res[0]);
console.log(`medians of ${rounds}, docs/s (${docs} texts of ${path.basename(dataFile)}; cold1: one worker, calls of 250; coldN, warmN: one call, ${workersSeen} encode workers at the end):`);
console.table(dists.map((d, i) => Object.fromEntries([['build', d], ...keys.map((k) => [k, Math.round(median(res[i][k]))])])));
for (let i = 1; i < dists.length; i++) {
  console.log(`${dists[i]} / ${dists[0]}: ${keys.map((k) => `${k} ${(median(res[i][k]) / median(res[0][k])).toFixed(2)}`).join(', ')}`);
}
console.log(hashes.size === 1 ? 'all builds give the same embeddings' : `the embeddings differ (${hashes.size} different hashes)`);
