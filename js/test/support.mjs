// support.mjs — helpers for the tests and benchmarks of the kate package:
// the project's static file server and Chromium launcher (scripts/web/),
// the packed npm package, the native reference, and the 20 Newsgroups data
// (the bundled sample, or the full corpus when present).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { launchChromium } from '../../scripts/web/chromium.mjs';

export { serve } from '../../scripts/web/server.mjs';
export { launchChromium };

export const jsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const rootDir = path.dirname(jsDir);
export const distDir = path.join(jsDir, 'dist');
export const sampleFile = path.join(rootDir, 'testdata', '20news-sample.jsonl.gz');
// The full corpus: $KATE_DATA, else the shared folder next to the repository.
export const fullFile = process.env.KATE_DATA || path.join(rootDir, '..', 'shared', 'data', '20news-bydate.jsonl.gz');
// The benchmarks' corpus: $KATE_BENCH_DATA, else the full corpus when
// present, else the bundled sample.
export const benchDataFile = process.env.KATE_BENCH_DATA || (fs.existsSync(fullFile) ? fullFile : sampleFile);

/** The value after `--name` on the command line, or def when the flag is absent. */
export function flagValue(name, def) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
}

/**
 * Runs fn(arg) in a headless Chromium page when the command line has
 * --chromium, else in this process, and returns { result, engine } (engine:
 * "Chrome/…" or "Node v…"). fn must use nothing outside itself
 * (page.evaluate sends its source): the kernel benchmarks' measurement.
 */
export async function runHereOrInChromium(fn, arg) {
  if (!process.argv.includes('--chromium')) return { result: await fn(arg), engine: `Node ${process.version}` };
  const { context, close } = await launchChromium();
  try {
    const page = await context.newPage();
    const result = await page.evaluate(fn, arg);
    const engine = await page.evaluate(() => navigator.userAgent.match(/Chrome\/[\d.]+/)?.[0] ?? 'Chromium');
    return { result, engine };
  } finally {
    await close();
  }
}

/**
 * The npm package as a tarball: the one js/test.sh packed once for every
 * test ($KATE_PACK_DIR holds it and pack.json, `npm pack --json`'s
 * output), else packed now into dir. Returns npm pack's description of it
 * plus tarball, its path.
 */
export function packTarball(dir) {
  const packDir = process.env.KATE_PACK_DIR;
  let json;
  if (packDir) {
    json = fs.readFileSync(path.join(packDir, 'pack.json'), 'utf8');
  } else {
    json = execFileSync('npm', ['pack', '--json', '--pack-destination', dir], { cwd: jsDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  }
  const packed = JSON.parse(json)[0];
  return { ...packed, tarball: path.join(packDir || dir, packed.filename) };
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
