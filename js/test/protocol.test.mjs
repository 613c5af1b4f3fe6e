// protocol.test.mjs — the operation table of js/src/protocol.js is the one
// place operations are declared: every operation the library sends is in
// it, every bridge function it calls is one wasm/main.go registers, and
// packTexts writes the layout the bridge reads (wasm/convert.go).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { OPS, MSG, packTexts } from '../src/protocol.js';
import { jsDir, rootDir } from './support.mjs';

const src = (f) => fs.readFileSync(path.join(jsDir, 'src', f), 'utf8');
const matches = (text, re) => [...text.matchAll(re)].map((m) => m[1]);

test('every operation the library sends is declared in OPS', () => {
  const sent = new Set();
  for (const f of fs.readdirSync(path.join(jsDir, 'src'))) {
    for (const op of matches(src(f), /\.call\('([a-zA-Z]+)'/g)) sent.add(op);
    for (const op of matches(src(f), /#call\('[^']*', '([a-zA-Z]+)'/g)) sent.add(op); // model.js
  }
  assert.ok(sent.size >= 12, `found the calls (${[...sent]})`);
  for (const op of sent) assert.ok(Object.hasOwn(OPS, op), `operation ${op} is sent but not declared in OPS`);
});

test('every bridge function OPS and the core call is registered by wasm/main.go', () => {
  const main = fs.readFileSync(path.join(rootDir, 'wasm', 'main.go'), 'utf8');
  const registered = new Set([...matches(main, /^\s*"([a-zA-Z]+)":/gm), ...matches(main, /o\.Set\("([a-zA-Z]+)"/g)]);
  const used = new Set([
    ...matches(src('protocol.js'), /core\.bridge\.([a-zA-Z]+)/g),
    ...matches(src('core.js'), /bridge\.([a-zA-Z]+)/g),
  ]);
  assert.ok(used.size >= 12, `found the bridge calls (${[...used]})`);
  for (const name of used) assert.ok(registered.has(name), `bridge.${name} is called but wasm/main.go does not register it`);
  for (const [name, spec] of Object.entries(OPS)) {
    assert.equal(typeof spec.run, 'function', `OPS.${name}.run`);
    if (spec.transfer) assert.equal(typeof spec.transfer, 'function', `OPS.${name}.transfer`);
  }
  assert.deepEqual(Object.values(MSG).length, new Set(Object.values(MSG)).size, 'message types are distinct');
});

function unpack(b) {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const n = dv.getUint32(0, true);
  let pos = 4 + 4 * n;
  const out = [];
  for (let i = 0; i < n; i++) {
    const len = dv.getUint32(4 + 4 * i, true);
    out.push(b.subarray(pos, pos + len));
    pos += len;
  }
  assert.equal(pos, b.length, 'no bytes after the last text');
  return out;
}

test('packTexts: every text\'s bytes are TextEncoder\'s, wherever the buffer has to grow', () => {
  const enc = new TextEncoder();
  const cases = [
    [],
    [''],
    ['plain ascii', 'x'.repeat(1000)],
    ['é'], // 2 bytes from 1 unit: the buffer grows at the first text
    ['ascii first', 'then ünïcödé 🙂 and 日本語', 'ascii again'],
    ['lone surrogates \ud800 x \udfff', '\ud83d', '🙂🙂🙂'], // U+FFFD (3 bytes) for each lone one
    Array.from({ length: 50 }, (_, i) => (i % 7 === 3 ? '€'.repeat(i) : 'a'.repeat(i))),
  ];
  for (const texts of cases) {
    const parts = unpack(packTexts(texts));
    assert.equal(parts.length, texts.length);
    texts.forEach((t, i) => assert.deepEqual([...parts[i]], [...enc.encode(t)], `text ${i} of ${JSON.stringify(texts).slice(0, 60)}`));
  }
});

test('packTexts writes count, byte lengths, then the UTF-8 bytes', () => {
  const texts = ['one', '', 'ünïcödé 🙂'];
  const b = packTexts(texts);
  const dv = new DataView(b.buffer);
  assert.equal(dv.getUint32(0, true), 3);
  const lens = [0, 1, 2].map((i) => dv.getUint32(4 + 4 * i, true));
  assert.deepEqual(lens, texts.map((t) => new TextEncoder().encode(t).length));
  let pos = 16;
  const back = lens.map((n) => {
    const s = new TextDecoder().decode(b.subarray(pos, pos + n));
    pos += n;
    return s;
  });
  assert.deepEqual(back, texts);
  assert.equal(pos, b.length);
});
