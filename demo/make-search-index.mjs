// Writes the sample's documents as the demo shows them (header-free text,
// the Subject as title, no near-empty posts or duplicates; demo/src/corpus.js)
// as JSON Lines {title, url, text} for `kate index`, which demo/build.sh runs
// to make the search page's index.
//
//   node demo/make-search-index.mjs testdata/20news-sample.jsonl.gz > docs.jsonl
import fs from 'node:fs';
import zlib from 'node:zlib';
import { parseSample, prepareCorpus } from './src/corpus.js';

const src = zlib.gunzipSync(fs.readFileSync(process.argv[2])).toString('utf8');
const { docs } = prepareCorpus(parseSample(src));
const out = docs.map((d, i) => JSON.stringify({ title: d.title ?? '', label: d.label, text: d.text }));
process.stdout.write(`${out.join('\n')}\n`);
