// support.mjs — helpers for the tests and benchmarks of the kate package:
// a small static file server on 127.0.0.1, headless Chromium through
// playwright-core (from the repository's root node_modules), and the
// 20 Newsgroups data (the bundled sample, or the full corpus when present).
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export const jsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const rootDir = path.dirname(jsDir);
export const distDir = path.join(jsDir, 'dist');
export const sampleFile = path.join(rootDir, 'testdata', '20news-sample.jsonl.gz');
export const fullFile = '/work/shared/data/20news-bydate.jsonl.gz';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.gz': 'application/gzip',
  '.ts': 'text/plain; charset=utf-8',
};

/**
 * Serves the directories of mounts ({ '/prefix/': dir }) on 127.0.0.1 at a
 * free port. headers(urlPath) may add response headers (e.g. a CSP).
 * Returns { url, close() }.
 */
export async function serve(mounts, headers = () => ({})) {
  const server = http.createServer((req, res) => {
    const u = new URL(req.url, 'http://x');
    const p = decodeURIComponent(u.pathname);
    for (const [prefix, dir] of Object.entries(mounts)) {
      if (!p.startsWith(prefix)) continue;
      const file = path.join(dir, p.slice(prefix.length));
      if (!file.startsWith(dir) || !fs.existsSync(file) || !fs.statSync(file).isFile()) break;
      res.writeHead(200, {
        'content-type': TYPES[path.extname(file)] || 'application/octet-stream',
        'cache-control': 'no-store',
        ...headers(p),
      });
      fs.createReadStream(file).pipe(res);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(resolve);
    }),
  };
}

/** Launches headless Debian Chromium; returns { browser, close() }. */
export async function launchChromium() {
  const require = createRequire(path.join(rootDir, 'package.json'));
  const { chromium } = require('playwright-core');
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kate-chromium-'));
  const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
  return {
    context,
    close: async () => {
      await context.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Reads a 20 Newsgroups JSON Lines file (gzip): [{ id, split, label, text }]. */
export function readCorpus(file) {
  return zlib.gunzipSync(fs.readFileSync(file)).toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

/** The bundled sample's training texts. */
export function sampleTexts(split = 'train') {
  return readCorpus(sampleFile).filter((r) => r.split === split).map((r) => r.text);
}
