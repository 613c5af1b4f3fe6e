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
import { execFileSync } from 'node:child_process';
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

/**
 * Trains and encodes with the native command-line tool (cmd/kate, built
 * once per process into a temporary directory): the reference the browser
 * and Node results must equal. train and test are arrays of texts; flags
 * are kate train's training flags. Returns { model: Uint8Array,
 * embeddings: Float32Array (test.length x dim) }.
 */
export function nativeReference(train, test, flags) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kate-ref-'));
  try {
    const cli = path.join(dir, 'kate');
    execFileSync('go', ['build', '-o', cli, './cmd/kate'], { cwd: rootDir, stdio: ['ignore', 'ignore', 'inherit'] });
    const write = (name, texts) => {
      const f = path.join(dir, name);
      fs.writeFileSync(f, texts.map((text) => JSON.stringify({ text })).join('\n') + '\n');
      return f;
    };
    const trainFile = write('train.jsonl', train);
    const testFile = write('test.jsonl', test);
    const model = path.join(dir, 'model.kate');
    const out = path.join(dir, 'out.f32');
    execFileSync(cli, ['train', '--data', trainFile, '-o', model, '--quiet', ...flags], { stdio: 'pipe' });
    execFileSync(cli, ['encode', '--model', model, '--data', testFile, '-o', out], { stdio: 'pipe' });
    const raw = fs.readFileSync(out);
    return {
      model: new Uint8Array(fs.readFileSync(model)),
      embeddings: new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength)),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The small training setup shared by the tests: texts, options and CLI flags. */
export function smallSetup() {
  const rows = readCorpus(sampleFile);
  const train = rows.filter((r) => r.split === 'train').slice(0, 400).map((r) => r.text);
  const test = rows.filter((r) => r.split === 'test').slice(0, 60).map((r) => r.text);
  const options = { dim: 24, k: 6, vocabSize: 400, epochs: 3, batchSize: 40, validationDocs: 50, seed: 11 };
  const flags = ['--dim', '24', '--k', '6', '--vocab', '400', '--epochs', '3', '--batch', '40', '--val', '50', '--seed', '11'];
  return { train, test, options, flags };
}
