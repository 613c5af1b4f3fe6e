// examples.test.mjs — the example apps of js/examples, built as a user
// would from the packed npm package: each is copied to a temporary
// directory, its own dependencies installed from its lockfile (npm ci), the
// package tarball installed by name, the app built, served on 127.0.0.1 and
// run in headless Chromium. Each must start kate with no options, train,
// encode two texts to [2, 8], log no console error, fail no request, and
// load at most the page budget (1 MB gzipped). The Vite app also runs under
// Vite's dev server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { execFileSync, spawn } from 'node:child_process';
import { jsDir, packTarball, serve, launchChromium } from './support.mjs';

const examplesDir = path.join(jsDir, 'examples');
const pkg = JSON.parse(fs.readFileSync(path.join(jsDir, 'package.json'), 'utf8'));
const BUDGET = 1_000_000; // the page budget of js/build.mjs, gzipped bytes

let dir;
let tarball;
let browser;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kate-examples-'));
  tarball = packTarball(dir).tarball;
  browser = await launchChromium({ prefix: 'kate-examples-chromium-' });
});

after(async () => {
  if (browser) await browser.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const npm = (args, cwd) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** Copies example name, installs its dependencies and the package, builds it; returns its directory. */
function prepare(name) {
  const app = path.join(dir, name);
  fs.cpSync(path.join(examplesDir, name), app, {
    recursive: true,
    filter: (f) => !/[/\\](node_modules|dist)$/.test(f),
  });
  if (fs.existsSync(path.join(app, 'package-lock.json'))) npm(['ci', '--no-audit', '--no-fund', '--prefer-offline'], app);
  npm(['install', '--no-save', '--no-audit', '--no-fund', '--offline', tarball], app);
  const scripts = JSON.parse(fs.readFileSync(path.join(app, 'package.json'), 'utf8')).scripts || {};
  if (scripts.build) npm(['run', 'build'], app);
  return app;
}

/**
 * Opens url and waits for the app's window.kateResult; returns it with the
 * console errors, failed requests and the gzipped size of every distinct
 * URL the page (and its workers) loaded.
 */
async function runApp(url) {
  const page = await browser.context.newPage();
  const problems = [];
  const bodies = new Map();
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  const onResponse = (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()} ${r.url()}`);
    else if (r.status() === 200 && !bodies.has(r.url())) bodies.set(r.url(), r.body().then((b) => zlib.gzipSync(b, { level: 9 }).length, () => 0));
  };
  const onFailed = (r) => problems.push(`request failed: ${r.url()} ${r.failure() ? r.failure().errorText : ''}`);
  browser.context.on('response', onResponse);
  browser.context.on('requestfailed', onFailed);
  try {
    await page.goto(url);
    await page.waitForFunction(() => window.kateResult, null, { timeout: 120000 });
    const result = await page.evaluate(() => window.kateResult);
    let gzipped = 0;
    for (const n of await Promise.all(bodies.values())) gzipped += n;
    return { result, problems, gzipped, urls: [...bodies.keys()] };
  } catch (e) {
    throw new Error(`${url}: ${e.message}\n${problems.join('\n')}`);
  } finally {
    browser.context.off('response', onResponse);
    browser.context.off('requestfailed', onFailed);
    await page.close();
  }
}

function check(t, { result, problems, gzipped, urls }, { budget = true } = {}) {
  // The margin is what the next change to kate.wasm or the JavaScript may
  // add; it shows in the test output (node --test prints diagnostics).
  const against = budget ? `budget ${BUDGET}, margin ${BUDGET - gzipped} bytes` : 'no budget (a dev server)';
  t.diagnostic(`${t.name}: ${urls.length} files, ${gzipped} bytes gzipped (level 9), ${against}`);
  assert.deepEqual(result, { version: pkg.version, worker: true, kernels: 'simd', dims: [2, 8], finite: true });
  assert.deepEqual(problems, [], 'no console error, no failed request');
  assert.ok(urls.some((u) => /\.wasm(\?|$)/.test(u)), `kate.wasm was loaded (${urls.join(', ')})`);
  if (budget) assert.ok(gzipped <= BUDGET, `the page loaded ${gzipped} bytes gzipped, ${gzipped - BUDGET} over the budget of ${BUDGET}`);
}

/** Serves root and runs the app at urlPath. */
async function runServed(root, urlPath = '/') {
  const srv = await serve(root);
  try {
    return await runApp(`${srv.url}${urlPath}`);
  } finally {
    await srv.close();
  }
}

test('Vite: build, then the built app', async (t) => {
  const app = prepare('vite');
  check(t, await runServed(path.join(app, 'dist')));
});

test('Vite: the dev server', async (t) => {
  const app = path.join(dir, 'vite');
  assert.ok(fs.existsSync(path.join(app, 'node_modules', 'vite')), 'the Vite example was installed by the previous test');
  // A free port for Vite (it has no port 0).
  const probe = await serve(app);
  const port = Number(new URL(probe.url).port);
  await probe.close();
  const child = spawn(process.execPath, [path.join(app, 'node_modules', 'vite', 'bin', 'vite.js'), '--port', String(port), '--strictPort', '--host', '127.0.0.1'], {
    cwd: app, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' },
  });
  let log = '';
  try {
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Vite did not start:\n${log}`)), 60000);
      const onData = (d) => {
        log += d;
        if (log.includes(`127.0.0.1:${port}`)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.on('exit', (code) => reject(new Error(`Vite exited (${code}):\n${log}`)));
    });
    check(t, await runApp(`http://127.0.0.1:${port}/`), { budget: false });
  } finally {
    const exited = new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve)));
    child.kill();
    await exited;
  }
});

test('webpack 5', async (t) => {
  const app = prepare('webpack');
  check(t, await runServed(app, '/index.html'));
});

test('esbuild', async (t) => {
  const app = prepare('esbuild');
  check(t, await runServed(app, '/index.html'));
});

test('Rollup', async (t) => {
  const app = prepare('rollup');
  check(t, await runServed(app, '/index.html'));
});

test('plain script tag', async (t) => {
  const app = prepare('script-tag');
  check(t, await runServed(app, '/index.html'));
});
