// node-io.js — reading kate.wasm in Node: file: URLs from the file system,
// anything else with fetch. Only the Node builds import it.

import fs from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { fetchWasm } from './core.js';

/** Compiles kate.wasm from url (a file: URL is read from disk). */
export async function compileFile(url) {
  url = String(url);
  if (!url.startsWith('file:')) return fetchWasm(url);
  let bytes;
  try {
    bytes = await fs.readFile(fileURLToPath(url));
  } catch (e) {
    throw new Error(`kate: could not read ${url}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
  }
  return WebAssembly.compile(bytes);
}
