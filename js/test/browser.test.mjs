// browser.test.mjs — the package in headless Chromium (Debian chromium via
// playwright-core), pages served on 127.0.0.1 with a strict
// Content-Security-Policy: the ES module build and the script-tag build
// with the engine in a Web Worker, and the ES module build on the main
// thread. Each trains with progress events, cancels a run mid-epoch
// (on the default training workers), trains again on two workers,
// encodes, saves and loads, and must give the native command-line tool's
// model file and embeddings, bit for bit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, launchChromium, distDir, smallSetup, nativeReference, sampleTexts } from './support.mjs';

const pagesDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'pages');
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; object-src 'none'; base-uri 'none'";

let srv;
let chromium;
let ref;
const setup = smallSetup();

before(async () => {
  ref = nativeReference(setup.train, setup.test, setup.flags);
  srv = await serve({ '/dist/': distDir, '/elsewhere/': distDir, '/pages/': pagesDir }, { headers: () => ({ 'content-security-policy': CSP }) });
  chromium = await launchChromium();
});

after(async () => {
  if (chromium) await chromium.close();
  if (srv) await srv.close();
});

async function runPage(page, worker) {
  const p = await chromium.context.newPage();
  const logs = [];
  p.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
  p.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
  try {
    await p.goto(`${srv.url}/pages/${page}`);
    await p.waitForFunction(() => window.kateAPI && window.runScenario, null, { timeout: 30000 });
    return await p.evaluate(
      (args) => window.runScenario(window.kateAPI, args),
      { worker, train: setup.train, test: setup.test, options: setup.options, cancelTexts: sampleTexts() },
    );
  } catch (e) {
    throw new Error(`${page}: ${e.message}\n${logs.join('\n')}`);
  } finally {
    await p.close();
  }
}

function check(out, worker) {
  assert.deepEqual(out.csp, [], 'no Content-Security-Policy violation');
  assert.equal(out.runtime.worker, worker);
  assert.equal(out.runtime.kernels, 'simd', `SIMD kernels in Chromium (${out.runtime.simdError})`);
  assert.match(out.errors[0], /option k \(5\) must not exceed dim \(4\)/);
  assert.match(out.errors[1], /this model has been disposed/);
  assert.equal(out.cancel.name, 'AbortError', JSON.stringify(out.cancel));
  assert.ok(out.cancel.at && out.cancel.at.batch < out.cancel.at.batches, 'cancelled mid-epoch');
  const ends = out.events.filter((e) => e.epochDone);
  assert.deepEqual(ends.map((e) => e.epoch), [1, 2, 3]);
  assert.ok(ends.every((e) => Number.isFinite(e.valLoss) && Number.isFinite(e.docsPerSecond)));
  assert.deepEqual(out.dims, [setup.test.length, setup.options.dim]);
  let maxDiff = 0;
  for (let i = 0; i < ref.embeddings.length; i++) maxDiff = Math.max(maxDiff, Math.abs(out.embeddings[i] - ref.embeddings[i]));
  assert.ok(maxDiff <= 1e-5, `embeddings within 1e-5 of the native ones (max difference ${maxDiff})`);
  assert.ok(out.embeddings.every((v, i) => Object.is(v, ref.embeddings[i])), 'embeddings bit-identical to the native ones');
  assert.equal(out.model.length, ref.model.length);
  assert.ok(out.model.every((b, i) => b === ref.model[i]), 'model file bit-identical to the native one');
  assert.equal(out.loadedSame, true);
  if (worker) {
    assert.equal(out.twoWorkers, 2, 'progress events report two workers');
    assert.equal(out.twoWorkersSame, true, 'the model trained on two workers is the same bytes');
  }
  assert.equal(out.topics, setup.options.dim);
  assert.equal(out.similar[0].index, 0);
  assert.ok(out.explainLosersWithGradient > 0);
  assert.deepEqual(out.pca, [setup.test.length, 2]);
  assert.equal(out.encodeWorkers, worker ? 2 : 1, 'encode workers');
  assert.equal(out.helpersAtStart, 1, 'no encode helper before the first large encode');
  assert.equal(out.bigEncodeSame, true, 'a large encode call equals small calls');
  assert.ok(out.memory > 0 && out.memory < 300 * 2 ** 20);
}

test('ES module build, engine in a Web Worker', async () => {
  check(await runPage('esm.html', true), true);
});

test('script-tag build (global KATE), engine in a Web Worker', async () => {
  check(await runPage('script.html', true), true);
});

test('ES module build, engine on the main thread', async () => {
  check(await runPage('esm.html', false), false);
});

test('wasmURL and workerURL relative to the page load the files from there', async () => {
  const p = await chromium.context.newPage();
  const requested = [];
  const onRequest = (r) => requested.push(new URL(r.url()).pathname);
  chromium.context.on('request', onRequest);
  try {
    await p.goto(`${srv.url}/pages/override.html`);
    const out = await p.evaluate(() => window.overrideResult);
    assert.deepEqual(out, { dims: [2, 6], worker: true });
    assert.ok(requested.includes('/elsewhere/kate.wasm') && requested.includes('/elsewhere/kate.worker.js'), requested.join(' '));
    assert.ok(!requested.includes('/dist/kate.wasm') && !requested.includes('/dist/kate.worker.js'), requested.join(' '));
  } finally {
    chromium.context.off('request', onRequest);
    await p.close();
  }
});
