// esbuild bundles the app; it does not follow new URL('./…', import.meta.url),
// so the two files kate loads at run time are copied next to the bundle
// (where the bundle's import.meta.url points). initialize() needs no options.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import * as esbuild from 'esbuild';

await esbuild.build({
  entryPoints: ['src/main.js'],
  bundle: true,
  format: 'esm',
  outdir: 'dist',
  minify: true,
});
const kateDir = path.dirname(createRequire(import.meta.url).resolve('@kate-web/kate/kate.wasm'));
for (const f of ['kate.worker.js', 'kate.wasm']) fs.copyFileSync(path.join(kateDir, f), path.join('dist', f));
