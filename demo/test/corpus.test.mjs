// Unit tests of the demo's input parsing (demo/src/corpus.js), in Node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import zlib from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CorpusError, parsePasted, parseJSONL, parseCSV, parseCSVRows, parseFiles, prepareCorpus, parseSample, snippet,
  titleOf, toProjectorTSV, docTitle, fewDocsWarning, FEW_DOCS,
} from '../src/corpus.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

test('pasted text splits at blank lines, or per line', () => {
  const src = 'first doc\nstill first\n\n \n second doc \r\n\r\nthird';
  assert.deepEqual(parsePasted(src).map((d) => d.text), ['first doc\nstill first', 'second doc', 'third']);
  assert.deepEqual(parsePasted('a\nb\n\nc', { perLine: true }).map((d) => d.text), ['a', 'b', 'c']);
  assert.deepEqual(parsePasted('   \n\n\t'), []);
});

test('JSON Lines: text and optional label, strings, arrays, clear errors', () => {
  const docs = parseJSONL('{"text":"a","label":"x"}\n\n{"Body":"b"}\n"c"\n{"text":"d","category":3}\n');
  assert.deepEqual(docs, [
    { text: 'a', label: 'x' }, { text: 'b', label: null }, { text: 'c', label: null }, { text: 'd', label: '3' },
  ]);
  assert.deepEqual(parseJSONL('[{"text":"a"}, "b"]'), [{ text: 'a', label: null }, { text: 'b', label: null }]);
  assert.throws(() => parseJSONL('{"text":"a"}\n{oops}', 'f.jsonl'), (e) => e instanceof CorpusError && /f\.jsonl, line 2, is not valid JSON/.test(e.message));
  assert.throws(() => parseJSONL('{"title":"a"}', 'f.jsonl'), /line 1 has no "text" field.*Fields found: title/);
  assert.throws(() => parseJSONL('{"text": 5}'), /no "text" field/);
  assert.throws(() => parseJSONL('[1, 2'), /not valid JSON/);
  assert.throws(() => parseJSONL('42'), /neither a JSON object nor a string/);
});

test('CSV: quotes, embedded delimiters and newlines, BOM, delimiter guess', () => {
  const rows = parseCSVRows('\ufeffa,b\r\n"x, ""quoted""","multi\nline"\n3,4');
  assert.deepEqual(rows, [['a', 'b'], ['x, "quoted"', 'multi\nline'], ['3', '4']]);
  assert.deepEqual(parseCSVRows('a;b\n1;2'), [['a', 'b'], ['1', '2']]);
  assert.deepEqual(parseCSVRows('a\tb\n1\t2\n'), [['a', 'b'], ['1', '2']]);
  assert.throws(() => parseCSVRows('a,b\n"open,1'), /ends inside a quoted field/);
});

test('CSV documents: named text/label columns, or the longest column', () => {
  assert.deepEqual(parseCSV('id,Text,Label\n1,hello world,greet\n2,"bye, now",\n'), [
    { text: 'hello world', label: 'greet' }, { text: 'bye, now', label: null },
  ]);
  assert.deepEqual(parseCSV('id,review\n1,a long review text\n2,another long one\n'), [
    { text: 'a long review text', label: null }, { text: 'another long one', label: null },
  ]);
  assert.throws(() => parseCSV('text\n', 'f.csv'), /f\.csv needs a header row and at least one row/);
  assert.throws(() => parseCSV('label,text\nx\n', 'f.csv'), /f\.csv, row 2, has 1 field\(s\) but the text is column 2/);
});

test('files: one document per .txt, a lone .txt split at blank lines, mixed kinds, binary rejected', () => {
  const two = parseFiles([{ name: 'a.txt', text: 'doc a\n\nmore a' }, { name: 'b.txt', text: 'doc b' }]);
  assert.deepEqual(two.docs.map((d) => d.text), ['doc a\n\nmore a', 'doc b']);
  assert.equal(two.summary, '2 files');
  const one = parseFiles([{ name: 'a.txt', text: 'p1\n\np2\n\np3' }]);
  assert.equal(one.docs.length, 3);
  assert.equal(one.summary, 'a.txt');
  const mixed = parseFiles([
    { name: 'x.jsonl', text: '{"text":"j1","label":"L"}\n{"text":"j2","label":"M"}' },
    { name: 'y.CSV', text: 'text\nc1\nc2' },
    { name: 'z.tsv', text: 'label\ttext\nT\tt1' },
  ]);
  assert.deepEqual(mixed.docs.map((d) => d.text), ['j1', 'j2', 'c1', 'c2', 't1']);
  assert.equal(mixed.docs[4].label, 'T');
  assert.throws(() => parseFiles([{ name: 'img.png', text: '\x89PNG\0\0\0' }]), /img\.png is not a text file/);
  assert.throws(() => parseFiles([]), /No file was chosen/);
});

test('prepareCorpus drops blank documents and rejects empty or tiny corpora', () => {
  const c = prepareCorpus([{ text: 'a', label: 'y' }, { text: '  ', label: 'z' }, { text: 'b', label: 'x' }, { text: 'c', label: null }]);
  assert.equal(c.docs.length, 3);
  assert.deepEqual(c.labels, ['x', 'y']);
  assert.throws(() => prepareCorpus([]), (e) => e instanceof CorpusError && /corpus is empty/.test(e.message));
  assert.throws(() => prepareCorpus([{ text: '\n', label: null }]), /corpus is empty/);
  assert.throws(() => prepareCorpus([{ text: 'only', label: null }]), /only one document/);
});

test('the bundled sample parses header-free: 20 labels, titles from the Subject, no duplicates', () => {
  const src = zlib.gunzipSync(fs.readFileSync(path.join(repo, 'testdata/20news-sample.jsonl.gz'))).toString('utf8');
  const c = prepareCorpus(parseSample(src));
  // 2,800 posts less those with (almost) no text of their own and cross-posted duplicates.
  assert.ok(c.docs.length > 2600 && c.docs.length <= 2800, `${c.docs.length} documents`);
  assert.equal(c.labels.length, 20);
  assert.equal(new Set(c.docs.map((d) => d.text)).size, c.docs.length, 'duplicate texts');
  const headed = c.docs.filter((d) => /^(From|Subject|Organization|Lines|Path|Newsgroups): /m.test(d.text.slice(0, 200)));
  assert.ok(headed.length < 20, `${headed.length} documents quote mail headers near their start`); // forwarded mails in the body
  // The issue's symptom: "edu" (from the From: lines) in 54 of 128 units' topics.
  const edu = c.docs.filter((d) => /\bedu\b/i.test(d.text)).length;
  assert.ok(edu < c.docs.length * 0.1, `${edu} documents mention "edu"`);
  assert.ok(c.docs.filter((d) => d.title).length > c.docs.length * 0.95, 'titles from the Subject lines');
  const short = c.docs.find((d) => d.title && d.title.length < 40 && !/\s\s/.test(d.title));
  assert.equal(docTitle(short), short.title);
  assert.equal(docTitle({ text: 'Body text here', title: null }), 'Body text here');
});

test('few documents: a warning below FEW_DOCS, none above', () => {
  assert.match(fewDocsWarning(3), /^Only 3 documents: .*mean little/);
  assert.match(fewDocsWarning(1), /^Only 1 document:/);
  assert.equal(fewDocsWarning(FEW_DOCS), '');
});

test('snippets and titles use the Subject line of e-mail-like texts', () => {
  const mail = 'From: x@y\nSubject: Re: Orbit question\nLines: 3\n\nHow   high\nis it?';
  assert.equal(titleOf(mail), 'Re: Orbit question');
  assert.equal(snippet(mail), 'Re: Orbit question — How high is it?');
  assert.equal(snippet('word '.repeat(100), 20).length, 20);
  assert.ok(snippet('word '.repeat(100), 20).endsWith('…'));
  assert.equal(titleOf('  plain\ntext  '), 'plain text');
});

test('Projector TSV: one row of dim values per document, metadata with a header when labelled', () => {
  const data = new Float32Array([0.5, -0.25, 0, 1e-7]);
  const docs = [{ text: 'Subject: Hi\tthere\n\nbody', label: 'a\tb' }, { text: 'second', label: null }];
  const { vectors, metadata } = toProjectorTSV(data, 2, docs);
  assert.equal(vectors, '0.5\t-0.25\n0\t1e-7\n');
  assert.equal(metadata, 'label\ttitle\na b\tHi there\n-\tsecond\n');
  const plain = toProjectorTSV(data, 2, [{ text: 'x', label: null }, { text: 'y', label: null }]);
  assert.equal(plain.metadata, 'x\ny\n');
  assert.throws(() => toProjectorTSV(data, 3, docs), /do not match/);
});
