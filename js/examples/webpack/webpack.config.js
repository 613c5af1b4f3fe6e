// Nothing here is about kate: webpack 5 finds kate.worker.js and kate.wasm
// by itself (new URL('./…', import.meta.url) in the package).
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export default {
  mode: 'production',
  entry: './src/main.js',
  output: {
    path: path.join(path.dirname(fileURLToPath(import.meta.url)), 'dist'),
    filename: 'main.js',
    clean: true,
  },
};
