// ab-encode.mjs — encoding docs/s of two builds of js/dist, alternating, in
// Node (the engine on the main thread, worker: false, SIMD kernels), so
// that both see the same machine load (docs/speed.md):
//
//   node js/bench/ab-encode.mjs DIST_A DIST_B --model FILE [--rounds 5] [--jit-warm 1]
//
// Each round runs each build once (in a fresh process, A first on odd
// rounds, B first on even ones): it loads the model FILE (e.g. from
// `kate train --data ../shared/data/20news-bydate.jsonl.gz -o FILE`) and
// encodes the test split of the corpus ($KATE_BENCH_DATA, else the full 20
// Newsgroups beside the repository, else the bundled sample; all its texts
// when it has no test split) in calls of
// 250 texts, cold (a freshly loaded model: empty token cache, every raw
// token stemmed once) and then warm (the same texts again). It prints the
// docs/s by the wall clock and by the process's CPU time, their medians
// and B/A, and checks that both builds give the same embeddings.
// --jit-warm 1: before the cold pass each process loads another copy of the
// model and encodes 3,000 texts of the training split (else of the corpus)
// twice with it, so that the cold pass (a fresh token cache) runs in code
// V8 has already optimized: the cold pass without the engine's first-run
// costs.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { readCorpus, benchDataFile as dataFile, flagValue as arg } from '../test/support.mjs';

const here = fileURLToPath(import.meta.url);

if (process.env.KATE_AB_CHILD) {
  const kate = await import(pathToFileURL(path.join(path.resolve(process.env.KATE_AB_CHILD), 'kate.node.mjs')).href);
  const rows = readCorpus(dataFile);
  const split = rows.filter((r) => r.split === 'test');
  const test = (split.length ? split : rows).map((r) => r.text);
  await kate.initialize({ worker: false });
  const model = await kate.load(new Uint8Array(fs.readFileSync(process.env.KATE_AB_MODEL)));
  const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const pass = async () => {
    const hash = crypto.createHash('sha256');
    const t0 = performance.now();
    const c0 = cpuMs();
    for (let i = 0; i < test.length; i += 250) {
      const e = await model.encode(test.slice(i, i + 250));
      hash.update(new Uint8Array(e.data.buffer, e.data.byteOffset, e.data.byteLength));
    }
    return { wall: (test.length / (performance.now() - t0)) * 1000, cpu: (test.length / (cpuMs() - c0)) * 1000, hash: hash.digest('hex') };
  };
  if (process.env.KATE_AB_JIT_WARM === '1') {
    const trainRows = rows.filter((r) => r.split === 'train');
    const train = (trainRows.length ? trainRows : rows).map((r) => r.text).slice(0, 3000);
    const other = await kate.load(new Uint8Array(fs.readFileSync(process.env.KATE_AB_MODEL)));
    for (let k = 0; k < 2; k++) for (let i = 0; i < train.length; i += 250) await other.encode(train.slice(i, i + 250));
    await other.dispose();
  }
  const cold = await pass();
  const warm = await pass();
  console.log(JSON.stringify({ cold, warm }));
  process.exit(0);
}

const [a, b] = process.argv.slice(2);
const modelFile = arg('model');
if (!a || !b || a.startsWith('--') || b.startsWith('--') || !modelFile) {
  console.error('usage: node js/bench/ab-encode.mjs DIST_A DIST_B --model FILE [--rounds 5] [--jit-warm 1]');
  process.exit(2);
}
const rounds = Number(arg('rounds', 5));
const median = (xs) => {
  const s = [...xs].sort((x, y) => x - y);
  return s[(s.length - 1) >> 1];
};
const res = {};
const hashes = new Set();
for (let r = 0; r < rounds; r++) {
  for (const d of r % 2 ? [b, a] : [a, b]) {
    const out = execFileSync(process.execPath, [here], {
      env: { ...process.env, KATE_AB_CHILD: d, KATE_AB_MODEL: modelFile, KATE_AB_JIT_WARM: arg('jit-warm', '0') }, encoding: 'utf8', maxBuffer: 1 << 24,
    });
    const j = JSON.parse(out.trim().split('\n').pop());
    for (const k of ['cold', 'warm']) {
      for (const m of ['wall', 'cpu']) ((res[d] ??= {})[`${k} ${m}`] ??= []).push(j[k][m]);
      hashes.add(j[k].hash);
    }
    console.log(`round ${r + 1} ${d}: cold ${Math.round(j.cold.wall)} docs/s (${Math.round(j.cold.cpu)} per CPU s), warm ${Math.round(j.warm.wall)} (${Math.round(j.warm.cpu)})`);
  }
}
for (const [name, d] of [['A', a], ['B', b]]) {
  console.log(`${name} ${d}: medians ${Object.entries(res[d]).map(([k, v]) => `${k} ${Math.round(median(v))}`).join(', ')} docs/s`);
}
console.log(`B/A: ${Object.keys(res[a]).map((k) => `${k} ${(median(res[b][k]) / median(res[a][k])).toFixed(2)}`).join(', ')}; ${path.basename(dataFile)} (its test split, or all its texts when it has none)`);
console.log(hashes.size === 1 ? 'both builds give the same embeddings' : `the embeddings differ (${hashes.size} different hashes)`);
