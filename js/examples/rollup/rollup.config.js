// Rollup with the two plugins every browser app uses for packages:
// node-resolve (browser: true picks the package's browser build) and
// import-meta-assets (copies files named by new URL('./…', import.meta.url),
// here kate.worker.js and kate.wasm). Nothing here is about kate.
import { nodeResolve } from '@rollup/plugin-node-resolve';
import { importMetaAssets } from '@web/rollup-plugin-import-meta-assets';

export default {
  input: 'src/main.js',
  output: { dir: 'dist', format: 'esm' },
  plugins: [nodeResolve({ browser: true }), importMetaAssets()],
};
