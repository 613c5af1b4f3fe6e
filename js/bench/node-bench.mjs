// node-bench.mjs DATA SIMD EPOCHS [WORKERS] — the benchmark of
// bench-page.mjs in Node (a worker thread; training on WORKERS workers,
// default 1); prints the figures as JSON on the last line.
import { readCorpus, distDir } from '../test/support.mjs';
import { measure } from './measure.mjs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [data, simdArg, epochsArg, workersArg = '1'] = process.argv.slice(2);
const kate = await import(pathToFileURL(path.join(distDir, 'kate.node.mjs')).href);
const rows = readCorpus(data);
const train = rows.filter((r) => r.split === 'train').map((r) => r.text);
const test = rows.filter((r) => r.split === 'test').map((r) => r.text);
await kate.initialize({ simd: simdArg !== '0' });
console.log(JSON.stringify(await measure(kate, train, test, { epochs: Number(epochsArg), workers: Number(workersArg) })));
process.exit(0);
