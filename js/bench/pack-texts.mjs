// pack-texts.mjs — the JavaScript cost of handing texts to an engine
// (docs/speed.md, "Encoding new text (sixth session)"): packTexts (the
// texts as one UTF-8 buffer for the bridge, made in the engine's worker)
// of one or more source trees, alternating, and a structured clone of the
// texts (what posting them to a worker copies), on the benchmark corpus's
// test split in parts of 471 texts (a shared encode call's parts):
//
//   node js/bench/pack-texts.mjs [ROOT ...] [--rounds 9]
//
// ROOT: a checkout of the repository (default: this one), e.g. an older
// commit from `git archive COMMIT | tar -x -C DIR`; its js/src/protocol.js
// is loaded. Prints the median milliseconds per pass over the split.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { readCorpus, benchDataFile, flagValue as arg } from '../test/support.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const roots = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && all[i - 1] !== '--rounds');
if (roots.length === 0) roots.push(path.join(here, '..', '..'));
const rounds = Number(arg('rounds', 9));
const rows = readCorpus(benchDataFile);
const split = rows.filter((r) => r.split === 'test');
const texts = (split.length ? split : rows).map((r) => r.text);
const parts = [];
for (let i = 0; i < texts.length; i += 471) parts.push(texts.slice(i, i + 471));
const packs = [];
for (const root of roots) packs.push((await import(pathToFileURL(path.resolve(root, 'js/src/protocol.js')).href)).packTexts);
const times = roots.map(() => []);
const clone = [];
for (let r = 0; r < rounds; r++) {
  for (let j = 0; j < roots.length; j++) {
    const k = (j + r) % roots.length;
    const t0 = performance.now();
    for (const p of parts) packs[k](p);
    times[k].push(performance.now() - t0);
  }
  const t0 = performance.now();
  for (const p of parts) structuredClone(p);
  clone.push(performance.now() - t0);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[(xs.length - 1) >> 1];
const chars = texts.reduce((a, t) => a + t.length, 0);
console.log(`${texts.length} texts (${chars} UTF-16 units) of ${path.basename(benchDataFile)} in parts of 471, medians of ${rounds} rounds:`);
roots.forEach((root, k) => console.log(`  packTexts of ${root}: ${median(times[k]).toFixed(1)} ms`));
console.log(`  structuredClone of the texts: ${median(clone).toFixed(1)} ms`);
