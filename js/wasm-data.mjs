// wasm-data.mjs — rewrites the data section of a WebAssembly module so that
// it compresses well: js/build.mjs runs it on kate.wasm.
//
// Go's linker writes a data segment for every run of non-zero bytes that is
// separated from the next one by more zero bytes than a segment header
// takes (it keeps the raw file small). Some of Go's runtime tables are
// sparse: the table that maps a program counter to its function holds 20
// bytes for every 4096 program counters, and under wasm a function's
// program counters take 65,536 values, so that table is ~700 KB of which 1
// byte in 10 is non-zero. Go writes it as ~33,000 segments of 2 to 4 bytes,
// each behind a header of 7 bytes with a different offset: ~60 KB once
// gzipped, where the same memory written out with its zeros gzips to ~7 KB.
//
// packData joins the segments that are fewer than maxGap zero bytes apart
// into one segment holding those zeros. The memory a module starts with is
// the same byte for byte (memory starts zeroed; the segments do not
// overlap, which is checked); the raw file grows by the zeros written out,
// the gzipped file shrinks.
//
//   node js/wasm-data.mjs in.wasm [out.wasm]   print the sizes before and after (and write out.wasm)

/** Reads the LEB128 numbers and bytes of a module from pos on. */
export class Reader {
  constructor(bytes, pos = 0) {
    this.bytes = bytes;
    this.pos = pos;
  }

  u32() {
    let r = 0;
    let shift = 0;
    for (;;) {
      if (this.pos >= this.bytes.length) throw new Error('wasm-data: truncated module');
      const b = this.bytes[this.pos++];
      r += (b & 0x7f) * 2 ** shift;
      if (!(b & 0x80)) return r;
      shift += 7;
      if (shift > 28) throw new Error('wasm-data: LEB128 number over 32 bits');
    }
  }

  /** A signed LEB128 number of at most 32 bits. */
  s32() {
    let r = 0;
    let shift = 0;
    let b;
    do {
      b = this.byte();
      r |= (b & 0x7f) << shift;
      shift += 7;
    } while (b & 0x80 && shift < 35);
    if (b & 0x80) throw new Error('wasm-data: LEB128 number over 32 bits');
    if (shift < 32 && b & 0x40) r |= -1 << shift;
    return r | 0;
  }

  byte() {
    if (this.pos >= this.bytes.length) throw new Error('wasm-data: truncated module');
    return this.bytes[this.pos++];
  }
}

/** The unsigned LEB128 encoding of n. */
function uleb(n) {
  const out = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

/** The signed LEB128 encoding of n, a 32-bit integer. */
function sleb(n) {
  const out = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

/**
 * The sections of a module: [{ id, start, content, end }], start at the
 * section's id byte, content after its size, end after its content.
 */
export function sections(bytes) {
  const magic = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  if (bytes.length < 8 || magic.some((b, i) => bytes[i] !== b)) throw new Error('wasm-data: not a WebAssembly module (version 1)');
  const r = new Reader(bytes, 8);
  const out = [];
  while (r.pos < bytes.length) {
    const start = r.pos;
    const id = r.byte();
    const size = r.u32();
    const content = r.pos;
    r.pos += size;
    if (r.pos > bytes.length) throw new Error('wasm-data: truncated module');
    out.push({ id, start, content, end: r.pos });
  }
  return out;
}

/**
 * The active data segments of a module, [{ offset, data }] in file order.
 * Segments of any other form (passive, another memory, an offset that is
 * not a constant) are an error: Go's linker writes none.
 */
export function dataSegments(bytes) {
  const sec = sections(bytes).find((s) => s.id === 11);
  if (!sec) return [];
  const r = new Reader(bytes, sec.content);
  const n = r.u32();
  const segs = [];
  for (let i = 0; i < n; i++) {
    const flags = r.u32();
    if (flags !== 0) throw new Error(`wasm-data: data segment ${i} is not an active segment of memory 0 (flags ${flags})`);
    if (r.byte() !== 0x41) throw new Error(`wasm-data: data segment ${i} has an offset that is not an i32.const`);
    // Offsets above 2^31 (negative as i32) are not Go's: refused.
    const offset = r.s32();
    if (offset < 0) throw new Error(`wasm-data: data segment ${i} has an offset at or above 2^31`);
    if (r.byte() !== 0x0b) throw new Error(`wasm-data: data segment ${i} has an offset that is not a lone i32.const`);
    const len = r.u32();
    if (r.pos + len > sec.end) throw new Error('wasm-data: truncated data section');
    segs.push({ offset, data: bytes.subarray(r.pos, r.pos + len) });
    r.pos += len;
  }
  if (r.pos !== sec.end) throw new Error('wasm-data: bytes after the last data segment');
  return segs;
}

/**
 * Returns a copy of the module bytes (a Uint8Array) whose data segments
 * fewer than maxGap zero bytes apart are joined, the zeros written out;
 * the other sections are copied as they are. The memory the module starts
 * with does not change. Overlapping segments are an error.
 */
export function packData(bytes, maxGap = 64) {
  const all = sections(bytes);
  const sec = all.find((s) => s.id === 11);
  if (!sec) return Uint8Array.from(bytes);
  const segs = dataSegments(bytes).slice().sort((a, b) => a.offset - b.offset);
  const joined = [];
  for (const s of segs) {
    const prev = joined[joined.length - 1];
    const prevEnd = prev ? prev.offset + prev.length : 0;
    if (prev && s.offset < prevEnd) throw new Error(`wasm-data: data segments overlap at offset ${s.offset}`);
    if (prev && s.offset - prevEnd < maxGap) {
      prev.parts.push({ at: s.offset - prev.offset, data: s.data });
      prev.length = s.offset + s.data.length - prev.offset;
    } else {
      joined.push({ offset: s.offset, length: s.data.length, parts: [{ at: 0, data: s.data }] });
    }
  }
  const body = [uleb(joined.length)];
  let bodyLength = body[0].length;
  for (const j of joined) {
    const data = new Uint8Array(j.length);
    for (const p of j.parts) data.set(p.data, p.at);
    const head = [0x00, 0x41, ...sleb(j.offset), 0x0b, ...uleb(j.length)];
    body.push(head, data);
    bodyLength += head.length + data.length;
  }
  const head = [11, ...uleb(bodyLength)];
  // A data count section (id 12) must give the new number of segments.
  const out = [];
  for (const s of all) {
    if (s.id === 11) out.push(head, ...body);
    else if (s.id === 12) {
      const count = uleb(joined.length);
      out.push([12, ...uleb(count.length), ...count]);
    } else out.push(bytes.subarray(s.start, s.end));
  }
  const total = 8 + out.reduce((n, p) => n + p.length, 0);
  const result = new Uint8Array(total);
  result.set(bytes.subarray(0, 8));
  let pos = 8;
  for (const p of out) {
    result.set(p, pos);
    pos += p.length;
  }
  return result;
}

/**
 * The memory image the data segments of a module write: a Uint8Array from
 * address 0 to the end of the last segment (the bytes no segment writes
 * are zero).
 */
export function memoryImage(bytes) {
  const segs = dataSegments(bytes);
  const end = segs.reduce((m, s) => Math.max(m, s.offset + s.data.length), 0);
  const mem = new Uint8Array(end);
  for (const s of segs) mem.set(s.data, s.offset);
  return mem;
}

if (process.argv[1] && import.meta.url === (await import('node:url')).pathToFileURL(process.argv[1]).href) {
  const fs = await import('node:fs');
  const zlib = await import('node:zlib');
  const [input, output] = process.argv.slice(2);
  if (!input) {
    console.error('usage: node js/wasm-data.mjs in.wasm [out.wasm]');
    process.exit(2);
  }
  const before = fs.readFileSync(input);
  const after = packData(before);
  const gz = (b) => zlib.gzipSync(b, { level: 9 }).length;
  console.log(`${input}: ${dataSegments(before).length} data segments, ${before.length} bytes, ${gz(before)} gzipped`);
  console.log(`packed: ${dataSegments(after).length} data segments, ${after.length} bytes, ${gz(after)} gzipped`);
  if (output) fs.writeFileSync(output, after);
}
