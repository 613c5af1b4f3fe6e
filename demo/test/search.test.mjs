// Tests of the site-search component's index reader and query encoder
// (demo/src/kate-search.js) against the Go CLI: an index written by
// `kate index --model M` must rank as `kate similar --model M` does.
// Needs Go; uses the sample as the demo shows it (demo/make-search-index.mjs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SearchIndex } from '../src/kate-search.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let dir, index, kateBin, docs, model;

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kate-search-test-'));
  kateBin = path.join(dir, 'kate');
  execFileSync('go', ['build', '-o', kateBin, './cmd/kate'], { cwd: repo });
  docs = path.join(dir, 'docs.jsonl');
  fs.writeFileSync(docs, execFileSync('node', ['demo/make-search-index.mjs', 'testdata/20news-sample.jsonl.gz'], { cwd: repo, maxBuffer: 64 << 20 }));
  model = path.join(dir, 'm.kate');
  execFileSync(kateBin, ['train', '--quiet', '--dim', '64', '--k', '16', '--epochs', '5', '--data', docs, '-o', model]);
  const out = path.join(dir, 's.kidx');
  execFileSync(kateBin, ['index', '--quiet', '--model', model, '-o', out, docs]);
  index = new SearchIndex(new Uint8Array(zlib.gunzipSync(fs.readFileSync(out))));
});

after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** kate similar's ranking: [{i (0-based), score}]. */
function similar(query, n) {
  const out = execFileSync(kateBin, ['similar', '--model', model, '--data', docs, '-n', String(n), query], { maxBuffer: 16 << 20 }).toString();
  return out.trim().split('\n').map((l) => {
    const [, score, id] = l.split('\t');
    return { i: Number(id.split(' ')[0]) - 1, score: Number(score) };
  });
}

for (const query of ['launch of the space shuttle', 'encryption key chip government', 'hockey playoffs tonight', 'my hard disk controller does not boot']) {
  test(`"${query}": the page ranks as kate similar does`, () => {
    const go = similar(query, 20);
    const js = index.search(query, 10, { prefix: false });
    assert.equal(js.length, 10);
    // The same best document, scores within the int8 quantisation error.
    assert.equal(js[0].i, go[0].i, `best: page ${js[0].title} / CLI document ${go[0].i}`);
    const goScore = new Map(go.map((h) => [h.i, h.score]));
    let shared = 0;
    for (const h of js) {
      if (!goScore.has(h.i)) continue;
      shared++;
      assert.ok(Math.abs(h.score - goScore.get(h.i)) < 0.02, `${query}: document ${h.i} scores ${h.score} in the page, ${goScore.get(h.i)} in the CLI`);
    }
    assert.ok(shared >= 9, `${query}: only ${shared} of the page's top 10 are in the CLI's top 20`);
  });
}

test('query words: known forms, the prefix being typed, unknown words, highlighting', () => {
  const full = index.terms('launched shuttle');
  assert.equal(full.ids.length, 2);
  assert.deepEqual(index.terms('shuttl').words, [index.terms('shuttle').words[0]], 'a prefix stands for the shortest known word');
  assert.deepEqual(index.terms('shuttl ').ids, [], 'a finished word is not a prefix');
  assert.deepEqual(index.search('zzqx qqzz', 5), []);
  assert.equal(index.encode('zzqx'), null);
  assert.equal(index.highlight('The Shuttle <launched> & landed', 'launch shuttle'),
    'The <mark>Shuttle</mark> &#60;<mark>launched</mark>&#62; &#38; landed');
  const hits = index.search('space shuttle', 5);
  for (let i = 1; i < hits.length; i++) assert.ok(hits[i].score <= hits[i - 1].score);
});

test('a file that is not an index is a clear error', () => {
  assert.throws(() => new SearchIndex(new TextEncoder().encode('not an index at all')), /not a KATE search index/);
  const gz = fs.readFileSync(path.join(dir, 's.kidx'));
  const raw = zlib.gunzipSync(gz);
  assert.throws(() => new SearchIndex(new Uint8Array(raw.subarray(0, raw.length - 10))), /expected \d+/);
});
