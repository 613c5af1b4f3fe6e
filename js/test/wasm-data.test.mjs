// wasm-data.test.mjs — js/wasm-data.mjs joins data segments without
// changing the memory a module starts with: on small modules made here
// (instantiated, their memories compared) and on the built kate.wasm.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { distDir } from './support.mjs';
import { dataSegments, memoryImage, packData } from '../wasm-data.mjs';

const uleb = (n) => {
  const out = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
};
const section = (id, body) => [id, ...uleb(body.length), ...body];

/**
 * A module with one page of memory exported as "mem" and the given data
 * segments ([offset, bytes], offsets below 2^20); raw segments (already
 * encoded) may be given instead.
 */
function module(segments) {
  const data = [...uleb(segments.length)];
  for (const s of segments) {
    if (s.raw) data.push(...s.raw);
    else {
      const [offset, bytes] = s;
      // i32.const with a signed LEB128 offset: three bytes hold up to 2^20 - 1.
      data.push(0x00, 0x41, (offset & 0x7f) | 0x80, ((offset >> 7) & 0x7f) | 0x80, (offset >> 14) & 0x3f, 0x0b, ...uleb(bytes.length), ...bytes);
    }
  }
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(5, [1, 0x00, 1]),
    ...section(7, [1, 3, 0x6d, 0x65, 0x6d, 2, 0]),
    ...section(11, data),
  ]);
}

async function memoryOf(bytes) {
  const { instance } = await WebAssembly.instantiate(bytes);
  return new Uint8Array(instance.exports.mem.buffer);
}

test('packData joins segments fewer than maxGap zeros apart; the memory is the same', async () => {
  const segs = [
    [100, [1, 2, 3]],
    [10, [9, 9]], // out of order, as Go writes its sections
    [110, [4]], // 7 zeros after the first
    [200, [5, 6]], // 89 zeros after the second group
    [230, [0, 7]], // a segment may hold zeros of its own
    [40000, [8]],
  ];
  const before = module(segs);
  assert.ok(WebAssembly.validate(before));
  const after = packData(before, 64);
  assert.ok(WebAssembly.validate(after));
  assert.deepEqual(
    dataSegments(after).map((s) => [s.offset, [...s.data]]),
    [
      [10, [9, 9]],
      [100, [1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 4]],
      [200, [5, 6, ...new Array(28).fill(0), 0, 7]],
      [40000, [8]],
    ],
  );
  assert.deepEqual(await memoryOf(after), await memoryOf(before));
  assert.deepEqual(memoryImage(after), memoryImage(before));
  // A smaller gap joins less; packing twice changes nothing.
  assert.equal(dataSegments(packData(before, 8)).length, 5);
  assert.deepEqual(packData(after, 64), after);
});

test('packData refuses overlapping, passive and non-constant segments', () => {
  assert.throws(() => packData(module([[100, [1, 2, 3]], [102, [4]]])), /overlap at offset 102/);
  assert.throws(() => packData(module([{ raw: [0x01, 1, 7] }])), /not an active segment of memory 0/);
  assert.throws(() => packData(module([{ raw: [0x00, 0x23, 0, 0x0b, 1, 7] }])), /not an i32.const/);
  assert.throws(() => packData(Uint8Array.from([0, 0x61, 0x73, 0x6d, 2, 0, 0, 0])), /not a WebAssembly module/);
});

test('the built kate.wasm has its data segments joined', () => {
  const wasm = fs.readFileSync(path.join(distDir, 'kate.wasm'));
  const n = dataSegments(wasm).length;
  // Go's linker writes ~38,000 segments; js/build.mjs joins them into ~20.
  assert.ok(n > 0 && n < 100, `kate.wasm has ${n} data segments: js/build.mjs did not join them`);
  assert.deepEqual(Buffer.from(packData(wasm)), wasm, 'packing kate.wasm again changes nothing');
});
