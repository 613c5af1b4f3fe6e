// ab-train.mjs — training docs/s of two builds of js/dist, alternating, in
// Node (the engine on the main thread, worker: false, SIMD kernels; with
// --worker, in worker threads, so that the train option workers can be
// compared), so that both see the same machine load (docs/speed.md):
//
//   node js/bench/ab-train.mjs DIST_A DIST_B [--rounds 3] [--epochs 3] [--options JSON] [--options-b JSON] [--worker]
//
// Each round trains once with each build (in a fresh process, A first on
// odd rounds, B first on even ones) on the training split of the corpus
// ($KATE_BENCH_DATA, else the full 20 Newsgroups beside the repository,
// else the bundled sample), seed 1, with the train options --options (JSON,
// e.g. '{"vocabSize":10000,"sampling":2}'; --options-b, when given, replaces
// them for B, e.g. to compare V = 2,000 exact with V = 10,000 sampled; DIST_A
// and DIST_B may then be the same build). It prints the docs/s of every
// epoch after the first (their time includes the epoch's validation loss),
// by the wall clock and by the process's CPU time (steadier on a shared
// machine; the CPU time of all the process's threads), the medians and B/A, and the final
// validation loss of each build (equal losses mean the same training).
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { readCorpus, benchDataFile as dataFile, flagValue as arg } from '../test/support.mjs';

const here = fileURLToPath(import.meta.url);

if (process.env.KATE_AB_CHILD) {
  const kate = await import(pathToFileURL(path.join(path.resolve(process.env.KATE_AB_CHILD), 'kate.node.mjs')).href);
  const train = readCorpus(dataFile).filter((r) => r.split === 'train').map((r) => r.text);
  await kate.initialize({ worker: process.env.KATE_AB_WORKER === '1' });
  const ends = [];
  const options = JSON.parse(process.env.KATE_AB_OPTIONS || '{}');
  const cpu = [];
  const onProgress = (e) => {
    if (!e.epochDone) return;
    ends.push(e);
    const u = process.cpuUsage();
    cpu.push((u.user + u.system) / 1000);
  };
  await kate.train(train, { epochs: Number(process.env.KATE_AB_EPOCHS), seed: 1, ...options, onProgress });
  const held = Math.min(options.validationDocs ?? 1000, Math.floor(train.length / 5));
  const perEpoch = [];
  const perCPU = [];
  for (let i = 1; i < ends.length; i++) {
    perEpoch.push(((train.length - held) / (ends[i].elapsedMs - ends[i - 1].elapsedMs)) * 1000);
    perCPU.push(((train.length - held) / (cpu[i] - cpu[i - 1])) * 1000);
  }
  console.log(JSON.stringify({ perEpoch, perCPU, valLoss: ends.at(-1).valLoss }));
  process.exit(0);
}

const [a, b] = process.argv.slice(2);
if (!a || !b || a.startsWith('--') || b.startsWith('--')) {
  console.error('usage: node js/bench/ab-train.mjs DIST_A DIST_B [--rounds 3] [--epochs 3] [--options JSON]');
  process.exit(2);
}
const rounds = Number(arg('rounds', 3));
const epochs = String(arg('epochs', 3));
const options = arg('options', '{}');
const optionsB = arg('options-b', options);
JSON.parse(options);
JSON.parse(optionsB);
const median = (xs) => {
  const s = [...xs].sort((x, y) => x - y);
  return s[(s.length - 1) >> 1];
};
// Runs are keyed by side (A, B), so that A and B may be the same build.
const res = { A: [], B: [] };
const resCPU = { A: [], B: [] };
const loss = {};
const dir = { A: a, B: b };
const opts = { A: options, B: optionsB };
for (let r = 0; r < rounds; r++) {
  for (const d of r % 2 ? ['B', 'A'] : ['A', 'B']) {
    const out = execFileSync(process.execPath, [here], {
      env: { ...process.env, KATE_AB_CHILD: dir[d], KATE_AB_EPOCHS: epochs, KATE_AB_OPTIONS: opts[d], KATE_AB_WORKER: process.argv.includes('--worker') ? '1' : '0' },
      encoding: 'utf8', maxBuffer: 1 << 24,
    });
    const j = JSON.parse(out.trim().split('\n').pop());
    res[d].push(...j.perEpoch);
    resCPU[d].push(...j.perCPU);
    loss[d] = j.valLoss;
    console.log(`round ${r + 1} ${d} ${dir[d]}: ${j.perEpoch.map(Math.round).join(' ')} docs/s, ${j.perCPU.map(Math.round).join(' ')} docs per CPU second`);
  }
}
for (const d of ['A', 'B']) {
  console.log(`${d} ${dir[d]} ${opts[d]}: median ${Math.round(median(res[d]))} docs/s, ${Math.round(median(resCPU[d]))} docs per CPU second; validation loss ${loss[d]}`);
}
console.log(`B/A ${(median(res.B) / median(res.A)).toFixed(2)} (wall clock), ${(median(resCPU.B) / median(resCPU.A)).toFixed(2)} (CPU time); ${path.basename(dataFile)}, ${epochs} epochs`);
