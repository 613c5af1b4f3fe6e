// go-wasm-exec.mjs — the Node side of scripts/go_js_wasm_exec: Go's
// lib/wasm/wasm_exec_node.js (run a GOOS=js GOARCH=wasm binary with the
// arguments and environment given) plus the import module kate_simd of
// js/src/simd-imports.js. Its bind function is left in the global
// kateSimdImports, where wasm/simd's tests find it (they instantiate the
// kernel modules themselves).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { simdImports } from '../js/src/simd-imports.js';

if (process.argv.length < 3) {
  console.error('usage: go_js_wasm_exec [wasm binary] [arguments]');
  process.exit(1);
}
const goroot = process.env.GOROOT || execFileSync('go', ['env', 'GOROOT'], { encoding: 'utf8' }).trim();
const require = createRequire(import.meta.url);
globalThis.require = require;
globalThis.fs = fs;
globalThis.path = path;
require(path.join(goroot, 'lib', 'wasm', 'wasm_exec.js'));

const simd = simdImports();
globalThis.kateSimdImports = { bind: simd.bind };
const go = new globalThis.Go();
go.argv = process.argv.slice(2);
go.env = Object.assign({ TMPDIR: os.tmpdir() }, process.env);
go.exit = process.exit;
try {
  const { instance } = await WebAssembly.instantiate(fs.readFileSync(process.argv[2]), { ...go.importObject, kate_simd: simd.imports });
  process.on('exit', (code) => { // Node exits when no event is pending
    if (code === 0 && !go.exited) {
      // A deadlock: make Go print its error and the stacks.
      go._pendingEvent = { id: 0 };
      go._resume();
    }
  });
  await go.run(instance);
} catch (err) {
  console.error(err);
  process.exit(1);
}
