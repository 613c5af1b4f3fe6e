// wasm-size.mjs — where kate.wasm's bytes are (docs/speed.md, "Size of the
// page"). Builds ./wasm with its function names (js/dist's kate.wasm is
// stripped) into a temporary file, or reads the file given, and prints:
//
//   - each section, raw and gzipped on its own (level 9, as the budget);
//   - the code by Go package: the function bodies' bytes, and those bodies
//     gzipped together on their own (not additive across packages: gzip
//     finds repeats between them in the whole file);
//   - with --functions N, the N largest functions.
//
//   node js/bench/wasm-size.mjs [--functions 40] [file.wasm]
//
// To see what one change costs, compare the page totals that js/build.sh
// prints before and after it; this script tells where to look.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { rootDir, flagValue as arg } from '../test/support.mjs';
import { Reader, sections, dataSegments, packData } from '../wasm-data.mjs';

const gz = (b) => zlib.gzipSync(b, { level: 9 }).length;
const topFunctions = Number(arg('functions', 0));
const fileArg = process.argv.slice(2).find((a, i, all) => !a.startsWith('--') && all[i - 1] !== '--functions');

let file = fileArg;
let tmp;
const goEnv = { ...process.env, GOOS: 'js', GOARCH: 'wasm' };
if (!file) {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kate-wasm-size-'));
  file = path.join(tmp, 'kate.wasm');
  // As js/build.sh builds it, but with the name section (no -s -w).
  execFileSync('go', ['build', '-trimpath', '-buildvcs=false', '-o', file, './wasm'], { cwd: rootDir, env: goEnv, stdio: 'inherit' });
}
const bytes = fs.readFileSync(file);
if (tmp) fs.rmSync(tmp, { recursive: true, force: true });

// The sections, and what the code and name sections hold.
const names = new Map();
const bodies = [];
let imported = 0;
const rows = [];
const sectionName = ['custom', 'type', 'import', 'function', 'table', 'memory', 'global', 'export', 'start', 'element', 'code', 'data', 'data count'];
for (const s of sections(bytes)) {
  const r = new Reader(bytes, s.content);
  let label = sectionName[s.id] || `id ${s.id}`;
  if (s.id === 0) {
    const n = r.u32();
    const custom = Buffer.from(bytes.subarray(r.pos, r.pos + n)).toString();
    r.pos += n;
    label = `custom "${custom}"`;
    if (custom === 'name') {
      while (r.pos < s.end) {
        const sub = r.byte();
        const end = r.u32() + r.pos;
        if (sub === 1) {
          for (let i = r.u32(); i > 0; i--) {
            const idx = r.u32();
            const len = r.u32();
            names.set(idx, Buffer.from(bytes.subarray(r.pos, r.pos + len)).toString());
            r.pos += len;
          }
        }
        r.pos = end;
      }
    }
  } else if (s.id === 2) {
    for (let i = r.u32(); i > 0; i--) {
      for (let k = 0; k < 2; k++) {
        const len = r.u32(); // module, then name
        r.pos += len;
      }
      const kind = r.byte();
      if (kind === 0) {
        r.u32();
        imported++;
      } else if (kind === 1) {
        r.byte();
        if (r.u32() & 1) r.u32(), r.u32();
        else r.u32();
      } else if (kind === 2) {
        if (r.u32() & 1) r.u32(), r.u32();
        else r.u32();
      } else r.pos += 2; // global: type, mutability
    }
  } else if (s.id === 10) {
    for (let i = r.u32(); i > 0; i--) {
      const len = r.u32();
      bodies.push(bytes.subarray(r.pos, r.pos + len));
      r.pos += len;
    }
  } else if (s.id === 11) {
    label += ` (${dataSegments(bytes).length} segments)`;
  }
  rows.push([label, s.end - s.start, gz(bytes.subarray(s.start, s.end))]);
}
const packed = packData(bytes);
const fmt = (n) => n.toLocaleString('en-US');
console.log(`${fileArg || 'kate.wasm with names'}: ${fmt(bytes.length)} bytes, ${fmt(gz(bytes))} gzipped; data segments joined as js/build.mjs does: ${fmt(packed.length)} bytes, ${fmt(gz(packed))} gzipped`);
console.log('\nsection                          raw    gzipped');
for (const [label, raw, z] of rows) console.log(`${label.padEnd(24)} ${fmt(raw).padStart(12)} ${fmt(z).padStart(10)}`);

if (!names.size) {
  console.log('\n(no name section: build without -ldflags=-s to see the code by package)');
  process.exit(0);
}

// Go's wasm linker writes names with "/", "-", "(", ")" and "*" as "_";
// a function belongs to the longest package path (so written) before a ".".
const pkgs = execFileSync('go', ['list', '-deps', './wasm'], { cwd: rootDir, env: goEnv, encoding: 'utf8' })
  .trim().split('\n').map((p) => [p.replace(/[/\-]/g, '_'), p]).sort((a, b) => b[0].length - a[0].length);
const packageOf = (fn) => {
  if (fn.startsWith('type:')) return '(type equality and hash functions)';
  if (fn.startsWith('main.')) return 'github.com/kate-web/kate/wasm (main)';
  for (const [mangled, p] of pkgs) if (fn.startsWith(`${mangled}.`)) return p;
  return '(runtime assembly and others)';
};
const byPackage = new Map();
const fns = [];
bodies.forEach((b, i) => {
  const fn = names.get(imported + i) || `function ${imported + i}`;
  const p = packageOf(fn);
  if (!byPackage.has(p)) byPackage.set(p, []);
  byPackage.get(p).push(b);
  fns.push([fn, b.length]);
});
console.log('\ncode by package              functions        raw  gzipped alone');
const list = [...byPackage].map(([p, bs]) => [p, bs.length, bs.reduce((n, b) => n + b.length, 0), gz(Buffer.concat(bs))]).sort((a, b) => b[2] - a[2]);
for (const [p, n, raw, z] of list) console.log(`${p.padEnd(30)} ${String(n).padStart(6)} ${fmt(raw).padStart(10)} ${fmt(z).padStart(10)}`);
if (topFunctions > 0) {
  console.log(`\nthe ${topFunctions} largest functions (raw bytes)`);
  for (const [fn, n] of fns.sort((a, b) => b[1] - a[1]).slice(0, topFunctions)) console.log(`${fmt(n).padStart(8)}  ${fn}`);
}
