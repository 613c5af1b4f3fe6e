// profile.mjs — CPU profile of training in the engine (docs/speed.md).
// Builds kate.wasm with its function names (js/dist's is stripped) into a
// temporary copy of js/dist, trains on the training split of the corpus
// with worker: false (the engine in the profiled thread; a worker runs the
// same code) and records a V8 CPU profile of the training only:
//
//   node js/bench/profile.mjs node     [--epochs 2] [--simd 1] [--out FILE] [--options JSON]
//   node js/bench/profile.mjs chromium [--epochs 2] [--simd 1] [--out FILE] [--encode]
//
// "node" profiles in this process (node:inspector, the profiler behind
// node --cpu-prof); "chromium" runs js/bench/bench.html?worker=0 in headless
// Chromium and profiles the page through the DevTools protocol (Profiler
// domain). Prints the self time by function, grouped, and writes the
// .cpuprofile (open it in Chrome DevTools' Performance panel).
// --options (node only) adds train options, e.g. '{"vocabSize":10000,"sampling":2}'.
// --encode profiles encoding instead: a model trained for --epochs is saved
// and loaded again (an empty token cache, as in a new encode worker), then
// encodes the test split in calls of 250 texts; the summary covers the
// samples under the bridge's encode. With chromium, the model is trained
// in Node and the page is js/bench/encode.html?worker=0 (the engine on the
// page's thread, pure-Go kernels as on an encode helper: nothing there
// installs the SIMD ones). --prior N (chromium --encode): N cold passes
// before the profiled one, each with a fresh copy of the model (an empty
// token cache), so that the profiled pass runs V8's optimized code, as the
// benchmark's one-call phase does after its calls of 250.
// Data: $KATE_BENCH_DATA, else the full 20 Newsgroups corpus beside the
// repository, else the bundled sample.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { serve, launchChromium, distDir, rootDir, readCorpus, benchDataFile as dataFile, flagValue as arg } from '../test/support.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const where = process.argv[2];
if (where !== 'node' && where !== 'chromium') {
  console.error('usage: node js/bench/profile.mjs node|chromium [--epochs N] [--simd 1|0] [--out FILE]');
  process.exit(2);
}
const epochs = Number(arg('epochs', 2));
const encodeMode = process.argv.includes('--encode');
const simd = arg('simd', '1') !== '0';
const out = arg('out', path.join(os.tmpdir(), `kate-train-${where}-${simd ? 'simd' : 'go'}.cpuprofile`));

if (!fs.existsSync(path.join(distDir, 'kate.mjs'))) {
  console.error('js/dist is missing: run bash js/build.sh first');
  process.exit(1);
}
// A copy of js/dist whose kate.wasm keeps its name section.
const dist = fs.mkdtempSync(path.join(os.tmpdir(), 'kate-prof-dist-'));
for (const f of fs.readdirSync(distDir)) fs.copyFileSync(path.join(distDir, f), path.join(dist, f));
execFileSync('go', ['build', '-trimpath', '-o', path.join(dist, 'kate.wasm'), './wasm'], {
  cwd: rootDir, env: { ...process.env, GOOS: 'js', GOARCH: 'wasm' }, stdio: 'inherit',
});

// Groups of functions, by the first matching pattern on the function's name.
const GROUPS = [
  ['validation loss (end of epoch, no competition)', /^\[validation\]/],
  ['calls into the SIMD kernels (Go side: bounds checks, kate_simd imports; wasm-to-js)', /wasm_simd\.(imp[A-Z]|check|span|__jsKernels_)|^wasm-to-js/],
  ['encoder forward (axpyRows over the transposed weights, tanh; transpose after each update)', /preactivate|tanhf|[Tt]anh|\.encode$|axpyRows|AxpyRows|sparseDot|SparseDot|transpose|Transpose|syncTransposed/],
  ['encoder gradient', /encoderGrad|sparseAxpy|SparseAxpy/],
  ['sampled decoder and its draws (reconstruction sampling)', /sampledDecoder|sampler|seedSampling|PCG|sparseDecode|SparseDecode|sparseGrad|SparseGrad|slices\.(partition|insertion|pdq|choose|median|breakPattern)/],
  ['decoder (DecodeRows kernel)', /decodeRows|decode$/],
  ['sigmoid+delta kernel', /sigmoid/i],
  ['decoder gradient (GradRows kernel)', /gradRows|axpyDot|grad$/],
  ['axpy kernel (output bias gradient; before: chunk reduction)', /axpy/i],
  ['training loss (softplus, every LossEvery-th batch)', /softplus|log1p|docLoss|\blog\b/],
  ['competition (forward, backward, selection)', /competition|selectTop|kthLargest|sort\.|pdqsort|insertionSort|partition/],
  ['Adadelta and chunk reduction', /adadelta/i],
  ['Go<->JS crossings (syscall/js, wasm_exec)', /syscall\/js|wasmExit|valueCall|valueGet|valueSet|valueNew|valueIndex|loadValue|storeValue|loadSlice|Invoke|copyBytes|_resume|_makeFuncWrapper|runtime\.handleEvent|\.kernels\)\./],
  ['garbage collector and allocation', /runtime\.(gc|mark|scan|sweep|malloc|greyobject|findObject|heapBits|memclr|nextFree|bgsweep|wbBuf|typePointers)/],
  ['Go scheduler and runtime (other)', /^runtime\.|^internal\//],
  ['text to vectors (tokenizer, stemmer, vocabulary: set-up)', /snowball|Token|termCounter|BuildCorpus|mapaccess|memhash|mapassign|strings\.|unicode\.|utf8\./],
  ['idle / program', /\(idle\)|\(program\)|\(garbage collector\)/],
];

// The SIMD modules (wasm/simd) name their functions (name section); the
// profile shows them as simd.NAME.
const SIMD_FUNCS = new Set(['axpy', 'decodeRows', 'sigmoidDelta', 'gradRows', 'softplus', 'adadeltaSum',
  'sparseDot', 'sparseAxpy', 'sparseGrad', 'sparseDecode', 'axpyRows', 'transpose', 'tanh', 'decodeRowsDocs', 'sparseAxpyDocs', 'kthLargest']);
function kernelName(name) {
  const bare = name.replace(/^\$/, '');
  return SIMD_FUNCS.has(bare) ? `simd.${bare}` : name;
}

function summarize(profile, rootRe = /trainer.*\.run$/) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children || []) parent.set(c, n.id);
  // In the training loop: a sample whose stack passes through trainer.run.
  const inRun = new Map();
  const training = (id) => {
    if (inRun.has(id)) return inRun.get(id);
    const n = byId.get(id);
    const r = rootRe.test(n.callFrame.functionName) || (parent.has(id) && training(parent.get(id)));
    inRun.set(id, r);
    return r;
  };
  const underValidation = (id) => {
    for (; id !== undefined; id = parent.get(id)) if (/validationLoss/.test(byId.get(id).callFrame.functionName)) return true;
    return false;
  };
  const self = new Map();
  const dt = profile.timeDeltas;
  let all = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    all += dt[i] || 0;
    if (!training(profile.samples[i])) continue;
    let id = profile.samples[i];
    // expf and log1p are shared helpers: their time goes to their caller.
    while (/\.expf$|^math\.log1p$|^log$/.test(byId.get(id).callFrame.functionName) && parent.has(id)) id = parent.get(id);
    const n = byId.get(id);
    let name = kernelName(n.callFrame.functionName) || `(anonymous ${path.basename(n.callFrame.url || '')})`;
    if (underValidation(id)) name = `[validation] ${name}`;
    self.set(name, (self.get(name) || 0) + (dt[i] || 0));
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const groups = new Map();
  const groupOf = (name) => (GROUPS.find(([, re]) => re.test(name)) || ['other'])[0];
  for (const [name, us] of self) {
    const g = groupOf(name);
    groups.set(g, (groups.get(g) || 0) + us);
  }
  const pct = (us) => `${((100 * us) / total).toFixed(1)}%`;
  console.log(`\nself time inside ${rootRe} (${(total / 1e6).toFixed(2)} s of ${(all / 1e6).toFixed(2)} s sampled), by group:`);
  console.table([...groups].sort((a, b) => b[1] - a[1]).map(([g, us]) => ({ group: g, ms: Math.round(us / 1000), share: pct(us) })));
  console.log('top functions by self time:');
  console.table([...self].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([f, us]) => ({ function: f.slice(0, 70), group: groupOf(f).slice(0, 24), ms: Math.round(us / 1000), share: pct(us) })));
}

async function profileNode() {
  const inspector = await import('node:inspector/promises');
  const kate = await import(pathToFileURL(path.join(dist, 'kate.node.mjs')).href);
  const train = readCorpus(dataFile).filter((r) => r.split === 'train').map((r) => r.text);
  await kate.initialize({ simd, worker: false });
  const session = new inspector.Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  const t0 = performance.now();
  let last;
  const started = await session.post('Profiler.start').then(() => performance.now());
  await kate.train(train, { epochs, seed: 1, ...JSON.parse(arg('options', '{}')), onProgress: (e) => { if (e.epochDone) last = e; } });
  const { profile } = await session.post('Profiler.stop');
  console.error(`trained ${epochs} epochs in ${((performance.now() - started) / 1000).toFixed(1)} s (${Math.round(last.docsPerSecond)} docs/s over the run, ${((performance.now() - t0) / 1000).toFixed(1)} s with set-up)`);
  return profile;
}

async function profileNodeEncode() {
  const inspector = await import('node:inspector/promises');
  const kate = await import(pathToFileURL(path.join(dist, 'kate.node.mjs')).href);
  const rows = readCorpus(dataFile);
  const train = rows.filter((r) => r.split === 'train').map((r) => r.text);
  const test = rows.filter((r) => r.split === 'test').map((r) => r.text);
  await kate.initialize({ simd, worker: false });
  const model = await kate.train(train, { epochs, seed: 1, ...JSON.parse(arg('options', '{}')) });
  const loaded = await kate.load(await model.save());
  const session = new inspector.Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  const t0 = performance.now();
  for (let i = 0; i < test.length; i += 250) await loaded.encode(test.slice(i, i + 250));
  const ms = performance.now() - t0;
  const { profile } = await session.post('Profiler.stop');
  console.error(`encoded ${test.length} texts in ${(ms / 1000).toFixed(2)} s (${Math.round((test.length / ms) * 1000)} docs/s, cold token cache, one engine)`);
  return profile;
}

async function profileChromiumEncode() {
  const kate = await import(pathToFileURL(path.join(dist, 'kate.node.mjs')).href);
  const train = readCorpus(dataFile).filter((r) => r.split === 'train').map((r) => r.text);
  await kate.initialize({ simd, worker: false });
  const model = await kate.train(train, { epochs, seed: 1, ...JSON.parse(arg('options', '{}')) });
  fs.writeFileSync(path.join(dist, 'profile-model.kate'), await model.save());
  const srv = await serve({ '/dist/': dist, '/bench/': here, '/data/': path.dirname(dataFile) });
  const { context, close } = await launchChromium();
  try {
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error('page error:', e.message));
    await page.goto(`${srv.url}/bench/encode.html?dist=/dist/&model=/dist/profile-model.kate&data=/data/${path.basename(dataFile)}&worker=0`);
    await page.waitForFunction(() => window.benchReady, null, { timeout: 10 * 60_000, polling: 100 });
    const ready = await page.evaluate(() => window.benchReady);
    if (ready !== true) throw new Error(ready);
    // --prior N: N unprofiled cold passes first (each with a fresh model), so
    // that V8 has optimized the encode path as in the benchmark's coldN phase,
    // which follows its cold1 phase.
    for (let i = 0; i < Number(arg('prior', 0)); i++) await page.evaluate(() => window.encodeBench.cold1());
    const cdp = await context.newCDPSession(page);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
    await cdp.send('Profiler.start');
    const r = await page.evaluate(() => window.encodeBench.cold1());
    const { profile } = await cdp.send('Profiler.stop');
    console.error(`encoded ${r.docs} texts in ${(r.ms / 1000).toFixed(2)} s (${Math.round((r.docs / r.ms) * 1000)} docs/s, cold token cache, one engine on the page's thread)`);
    return profile;
  } finally {
    await close();
    await srv.close();
  }
}

async function profileChromium() {
  const srv = await serve({ '/dist/': dist, '/bench/': here, '/data/': path.dirname(dataFile) });
  const { context, close } = await launchChromium();
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
    // The page's measure() trains, then encodes; profile from the start of
    // the page to the last epoch's report (the encode part is not profiled).
    let done;
    const trained = new Promise((r) => (done = r));
    page.on('console', (m) => {
      const t = m.text();
      console.error(`page: ${t.slice(0, 160)}`);
    });
    page.on('pageerror', (e) => console.error('page error:', e.message));
    await cdp.send('Profiler.start');
    await page.goto(`${srv.url}/bench/bench.html?simd=${simd ? 1 : 0}&epochs=${epochs}&worker=0&data=/data/${path.basename(dataFile)}`);
    await page.waitForFunction((n) => (document.getElementById('out')?.textContent.match(/epoch \d+:/g) || []).length >= n, epochs, { timeout: 30 * 60_000, polling: 250 });
    done();
    await trained;
    const { profile } = await cdp.send('Profiler.stop');
    console.error((await page.evaluate(() => document.getElementById('out').textContent)).trim().split('\n').slice(0, epochs + 1).join('\n'));
    return profile;
  } finally {
    await close();
    await srv.close();
  }
}

console.error(`profiling ${encodeMode ? 'encoding' : 'training'} (${where}, ${simd ? 'SIMD' : 'pure-Go'} kernels, ${epochs} epochs) on ${path.relative(rootDir, dataFile)}`);
const profile = encodeMode ? await (where === 'node' ? profileNodeEncode() : profileChromiumEncode())
  : where === 'node' ? await profileNode() : await profileChromium();
fs.writeFileSync(out, JSON.stringify(profile));
fs.rmSync(dist, { recursive: true, force: true });
summarize(profile, encodeMode ? /__bridge_\.encode/ : undefined);
console.log(`profile written to ${out}`);
process.exit(0);
