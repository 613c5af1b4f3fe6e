// The demo's headless Chromium test (issue 5): serves demo/dist on
// 127.0.0.1, opens it with ?autotrain=1&epochs=N, waits for the model, and
// checks the map, search, keyboard selection, "Inside KATE", topics,
// save/load, the IndexedDB restore, cancel, the in-page errors, that no
// console error was logged and that nothing was fetched from elsewhere.
// Screenshots go to demo/test-output/.
//
//   node --test demo/test/browser.test.mjs
// Environment: DEMO_ROOT (default demo/dist), DEMO_EPOCHS (default 10),
// CHROMIUM (default /usr/bin/chromium).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { serve } from '../../scripts/web/server.mjs';
import { launchChromium } from '../../scripts/web/chromium.mjs';
import { parseSample, prepareCorpus } from '../src/corpus.js';
import { autoEpochs } from '../src/training.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const ROOT = path.resolve(repo, process.env.DEMO_ROOT || 'demo/dist');
const EPOCHS = Number(process.env.DEMO_EPOCHS || 10);
const OUT = path.join(repo, 'demo/test-output');
// The demo shows the sample's header-free posts, less near-empty ones and duplicates.
const SAMPLE_DOCS = prepareCorpus(parseSample(zlib.gunzipSync(fs.readFileSync(path.join(repo, 'testdata/20news-sample.jsonl.gz'))).toString('utf8'))).docs.length;

let srv, ctx, page, base, browser;
const consoleErrors = [];
const foreign = [];

before(async () => {
  assert.ok(fs.existsSync(path.join(ROOT, 'index.html')), `${ROOT}/index.html is missing: run bash demo/build.sh`);
  fs.mkdirSync(OUT, { recursive: true });
  srv = await serve(ROOT);
  base = `${srv.url}/`;
  browser = await launchChromium({ prefix: 'kate-demo-chromium-', acceptDownloads: true, viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
  ctx = browser.context;
  page = ctx.pages()[0] ?? (await ctx.newPage());
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
  ctx.on('request', (r) => {
    const u = new URL(r.url());
    if (!['127.0.0.1', 'data:', 'blob:'].includes(u.hostname || u.protocol)) foreign.push(r.url());
  });
});

after(async () => {
  await browser?.close();
  await srv?.close();
});

const state = () => page.evaluate(() => document.body.dataset.state);
const notice = () => page.evaluate(() => (document.getElementById('notice').hidden ? '' : document.getElementById('notice-text').textContent));

async function waitState(wanted, timeout) {
  await page.waitForFunction((w) => w.includes(document.body.dataset.state), wanted, { timeout, polling: 100 });
  return state();
}

test('first visit: loads, trains with autotrain, maps every document', async () => {
  const t0 = Date.now();
  await page.goto(`${base}?autotrain=1&epochs=${EPOCHS}`);
  // Record every layout state of the map, to check that it never rests on the PCA blob.
  await page.evaluate(() => {
    window.layoutSeen = [];
    new MutationObserver(() => window.layoutSeen.push(document.getElementById('map').dataset.layout))
      .observe(document.getElementById('map'), { attributes: true, attributeFilter: ['data-layout'] });
  });
  await waitState(['ready', 'training', 'trained', 'error'], 20000);
  const readyMs = Number(await page.evaluate(() => document.body.dataset.readyMs));
  assert.notEqual(await state(), 'error', `error on load: ${await notice()}`);
  const s = await waitState(['trained', 'error'], 180000);
  assert.equal(s, 'trained', `training ended in state ${s}: ${await notice()}`);
  const trainMs = Number(await page.evaluate(() => document.body.dataset.trainMs));
  console.log(`# first visit: interactive after ${readyMs} ms; trained ${EPOCHS} epochs on the sample in ${trainMs} ms; total ${Date.now() - t0} ms`);
  assert.ok(readyMs > 0 && readyMs < 5000, `the page became interactive after ${readyMs} ms`);

  assert.equal(await page.textContent('#corpus-info'), `${SAMPLE_DOCS.toLocaleString('en-US')} documents · 20 labels`);
  assert.equal(await page.locator('#corpus-warn').isHidden(), true, 'no few-documents warning for the sample');
  // Epochs: empty means a default from the corpus size, shown as the placeholder.
  assert.equal(await page.getAttribute('#opt-epochs', 'placeholder'), `auto: ${autoEpochs(SAMPLE_DOCS)}`);
  // How training ended, in words: 10 epochs on the sample end while the validation loss still improves.
  assert.equal(await page.getAttribute('#train-end', 'data-end'), 'improving');
  assert.match(await page.textContent('#train-end'), new RegExp(`^Reached the limit of ${EPOCHS} epochs while the validation loss was still improving \\(\\d+\\.\\d% over the last 5 epochs\\)`));
  // The loss captions say that the two losses are measured differently.
  const caption = await page.textContent('#loss-caption');
  assert.match(caption, /with\s+the k-competitive layer/);
  assert.match(caption, /without\s+the competition/);
  assert.match(caption, /not overfitting/);
  const drawn = Number(await page.getAttribute('#map', 'data-drawn'));
  assert.equal(drawn, SAMPLE_DOCS, 'the map drew every document');
  // The canvas really has coloured pixels: at least a few thousand.
  const painted = await page.evaluate(() => {
    const c = document.getElementById('map');
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
    return n;
  });
  assert.ok(painted > 5000, `only ${painted} painted pixels on the map`);
  assert.equal(await page.locator('#legend button').count(), 20, 'one legend entry per label');
  assert.equal(await page.locator('#map-empty').isHidden(), true);
  // The loss curve got one point per epoch and the progress text says so.
  assert.match(await page.textContent('#progress-text'), /Done in .* \d+ epochs/);
  // No PCA blob: the map says it is arranging the documents, then the points
  // move into the neighbour layout.
  const t1 = Date.now();
  if ((await page.getAttribute('#map', 'data-layout')) === 'arranging') {
    assert.match(await page.textContent('#arranging'), /Arranging the documents by their neighbours/);
    await page.screenshot({ path: path.join(OUT, 'arranging.png') });
  }
  await page.waitForSelector('#map[data-layout="umap"]', { timeout: 60000 });
  console.log(`# neighbour layout ready ${Date.now() - t1} ms after the map appeared`);
  const seen = await page.evaluate(() => window.layoutSeen);
  assert.ok(seen.includes('arranging'), `layout states ${seen}`);
  assert.ok(!seen.includes('pca'), `the map rested on the PCA layout: ${seen}`);
  assert.equal(await page.locator('#arranging').isHidden(), true, 'the arranging label goes away');
  assert.equal(Number(await page.getAttribute('#map', 'data-drawn')), SAMPLE_DOCS, 'the neighbour layout drew every document');
  assert.equal(await page.getAttribute('#lay-umap', 'aria-pressed'), 'true');
  await page.screenshot({ path: path.join(OUT, 'trained.png') });
});

test('search returns the nearest documents, ranked', async () => {
  const query = 'encryption key chip government';
  await page.fill('#query', query);
  await page.press('#query', 'Enter');
  await page.waitForSelector('#results-body .hits li', { timeout: 10000 });
  const hits = await page.$$eval('#results-body .hits li', (lis) =>
    lis.map((li) => ({ score: Number(li.querySelector('.sim').textContent), label: li.querySelector('.l')?.textContent.trim(),
      title: li.querySelector('.t').textContent, text: li.querySelector('.s').textContent })));
  assert.equal(hits.length, 10);
  assert.equal(new Set(hits.map((h) => h.text)).size, 10, `a post appears twice: ${JSON.stringify(hits.map((h) => h.title))}`);
  for (const h of hits) assert.doesNotMatch(h.text, /^(From|Subject|Organization|Lines): /, 'snippets without mail headers');
  for (let i = 0; i < hits.length; i++) {
    assert.ok(hits[i].score <= 1.0005 && hits[i].score >= -1.0005, `score ${hits[i].score} out of range`);
    if (i) assert.ok(hits[i].score <= hits[i - 1].score + 1e-6, 'results are sorted by similarity');
  }
  const crypt = hits.filter((h) => h.label === 'sci.crypt').length;
  console.log(`# search "${query}": ${crypt}/10 hits from sci.crypt`);
  assert.ok(crypt >= 5, `only ${crypt} of the 10 nearest documents are from sci.crypt: ${JSON.stringify(hits)}`);
  // The hits are highlighted on the map.
  assert.equal(await page.textContent('#results-body h3'), `Nearest to “${query}”`);
  await page.screenshot({ path: path.join(OUT, 'search.png') });

  // A query without any vocabulary word says so instead of ranking noise.
  await page.fill('#query', 'zzzqqq xxyyzz');
  await page.press('#query', 'Enter');
  await page.waitForFunction(() => !document.getElementById('notice').hidden, null, { timeout: 5000 });
  assert.match(await notice(), /None of the words of “zzzqqq xxyyzz” is in the model’s vocabulary/);
  await page.click('#notice-close');
});

test('keyboard: select a document on the map, see its neighbours, open Inside KATE', async () => {
  await page.focus('#map');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowUp');
  // The keyboard cursor shows the same snippet as hovering.
  assert.equal(await page.locator('#tooltip').isVisible(), true);
  assert.ok((await page.textContent('#tooltip')).length > 20, 'the tooltip shows a snippet');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#results-body .doc-card.sel', { timeout: 5000 });
  assert.equal(await page.locator('#results-body .hits li').count(), 10);
  const scores = await page.$$eval('#results-body .hits .sim', (s) => s.map((x) => Number(x.textContent)));
  assert.ok(scores[0] >= scores[9], 'neighbours are sorted');
  await page.screenshot({ path: path.join(OUT, 'selected.png') });

  await page.click('#sel-explain');
  await page.waitForSelector('#explain [data-testid="full-reached"]', { timeout: 10000 });
  assert.equal(await page.getAttribute('#tab-explain', 'aria-selected'), 'true');
  const K = await page.locator('#explain .xp-table tbody tr').count();
  assert.equal(K, 128, 'one row per hidden unit');
  const roles = await page.$$eval('#explain .xp-table tbody tr', (trs) => trs.map((tr) => tr.children[1].textContent));
  const winners = roles.filter((r) => r.endsWith('winner')).length;
  assert.ok(winners > 0 && winners <= 32, `${winners} winners for k = 32`);
  const fullReached = Number(await page.textContent('[data-testid="full-reached"]'));
  const noneReached = Number(await page.textContent('[data-testid="none-reached"]'));
  assert.ok(fullReached > winners, `full mode: the gradient reaches losers too (${fullReached} units, ${winners} winners)`);
  assert.equal(noneReached, 0, "none mode: no gradient passes back through the competition");
  // Three bar charts of 128 units each plus two side-by-side ones.
  assert.ok(await page.locator('#explain svg.xp-svg').count() >= 5);
  await page.screenshot({ path: path.join(OUT, 'explain.png'), fullPage: true });
});

test('topics list every hidden unit and colour the map', async () => {
  await page.click('#tab-topics');
  assert.equal(await page.locator('#topics .topic').count(), 128);
  const first = await page.textContent('#topics .topic .w');
  assert.ok(first.trim().length > 0, 'a topic has words');
  // Header-free text: host names are not in the topics any more (the issue: "edu" in 54 of 128 units).
  const words = await page.$$eval('#topics .topic .w', (ws) => ws.map((w) => [...w.children].map((c) => c.textContent)));
  const edu = words.filter((w) => w.includes('edu')).length;
  assert.ok(edu <= 12, `"edu" in ${edu} units (54 of 128 with the mail headers)`);
  // The filter's example word matches a unit; a word that matches none says so.
  const example = (await page.getAttribute('#topic-filter', 'placeholder')).replace(/^e\.g\. /, '');
  assert.ok(example.length >= 4, `placeholder ${example}`);
  await page.fill('#topic-filter', example);
  assert.ok(Number(await page.getAttribute('#topic-count', 'data-matches')) >= 1, `the example "${example}" matches no unit`);
  assert.ok(await page.locator('#topics .topic:not(.dim) mark').count() >= 1);
  await page.fill('#topic-filter', 'zzqx');
  assert.match(await page.textContent('#topic-count'), /^No unit has a word starting with “zzqx”/);
  await page.fill('#topic-filter', '');
  await page.click('#topics .topic >> nth=3');
  assert.equal(await page.getAttribute('#tab-map', 'aria-selected'), 'true');
  assert.match(await page.textContent('#legend'), /activation of unit/);
  await page.click('#legend-back');
  assert.equal(await page.locator('#legend button[data-label]').count(), 20);
});

test('save the model, load it back, export TSV', async () => {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#save')]);
  assert.equal(dl.suggestedFilename(), 'kate-model.kate');
  const file = path.join(OUT, 'kate-model.kate');
  await dl.saveAs(file);
  const size = fs.statSync(file).size;
  assert.ok(size > 100000, `model file of ${size} bytes`);

  const [tsv] = await Promise.all([page.waitForEvent('download'), page.click('#export-vectors')]);
  const tsvFile = path.join(OUT, 'kate-embeddings.tsv');
  await tsv.saveAs(tsvFile);
  const lines = fs.readFileSync(tsvFile, 'utf8').trimEnd().split('\n');
  assert.equal(lines.length, SAMPLE_DOCS);
  assert.equal(lines[0].split('\t').length, 128);
  const [meta] = await Promise.all([page.waitForEvent('download'), page.click('#export-meta')]);
  const metaFile = path.join(OUT, 'kate-metadata.tsv');
  await meta.saveAs(metaFile);
  const mlines = fs.readFileSync(metaFile, 'utf8').trimEnd().split('\n');
  assert.equal(mlines.length, SAMPLE_DOCS + 1, 'header + one row per document');
  assert.match(mlines[0], /^label\ttitle$/);

  await page.setInputFiles('#load', file);
  await page.waitForFunction(() => /Loaded/.test(document.getElementById('status').textContent), null, { timeout: 30000 });
  assert.equal(await state(), 'trained');
  assert.equal(Number(await page.getAttribute('#map', 'data-drawn')), SAMPLE_DOCS);

  // A file that is not a model: a plain in-page error.
  const junk = path.join(OUT, 'not-a-model.kate');
  fs.writeFileSync(junk, 'this is not a KATE model file');
  await page.setInputFiles('#load', junk);
  await waitState(['error'], 10000);
  assert.match(await notice(), /Could not load model file not-a-model\.kate/);
});

test('the last model is kept in IndexedDB and restored after a reload, in the layout chosen', async () => {
  await page.waitForFunction(() => document.body.dataset.kept === '1', null, { timeout: 10000 }).catch(() => {});
  await page.click('#tab-map');
  for (const layout of ['umap', 'pca']) {
    // The visitor picks a layout (PCA first, so that Neighbours is a real choice), then reloads.
    await page.waitForSelector('#map[data-layout="umap"], #map[data-layout="pca"]', { timeout: 60000, state: 'attached' });
    await page.waitForSelector('#lay-umap:not([disabled])', { timeout: 60000 });
    await page.click('#lay-pca');
    if (layout === 'umap') await page.click('#lay-umap');
    await page.waitForSelector(`#map[data-layout="${layout}"]`, { timeout: 10000, state: 'attached' });
    await page.goto(base);
    await waitState(['ready'], 20000);
    await page.waitForSelector('#restore:not([hidden])', { timeout: 5000 });
    await page.click('#restore');
    await waitState(['trained', 'error'], 30000);
    assert.equal(await state(), 'trained', await notice());
    assert.equal(Number(await page.getAttribute('#map', 'data-drawn')), SAMPLE_DOCS);
    await page.waitForSelector(`#map[data-layout="${layout}"]`, { timeout: 60000, state: 'attached' });
    if (layout === 'pca') {
      // The neighbour layout is still computed, quietly, for the button.
      await page.waitForSelector('#lay-umap:not([disabled])', { timeout: 60000 });
      assert.equal(await page.getAttribute('#map', 'data-layout'), 'pca', 'restored in the PCA layout chosen');
      assert.equal(await page.getAttribute('#lay-pca', 'aria-pressed'), 'true');
      await page.click('#lay-umap'); // back to the default for the next tests
    } else {
      assert.equal(await page.getAttribute('#lay-umap', 'aria-pressed'), 'true', 'restored in the Neighbours layout chosen');
    }
  }
});

test('Inside KATE words a document without negative units plainly', async () => {
  const text = await page.evaluate(async () => {
    const { renderExplanation } = await import('./src/explain.js');
    const K = 8;
    const z = [0.9, 0.7, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05];
    const e = (mode) => ({
      z, h: [0.9 + 6.26 * 1.55, 0.7 + 6.26 * 1.55, 0, 0, 0, 0, 0, 0], posWinners: [0, 1], negWinners: [],
      posLosers: [2, 3, 4, 5, 6, 7], negLosers: [], posEnergy: 1.55, negEnergy: 0, alpha: 6.26,
      gradH: [0.1, 0.2, 0, 0, 0, 0, 0, 0], gradZ: mode === 'full' ? [0.1, 0.2, 1.9, 1.9, 1.9, 1.9, 1.9, 1.9] : [0.1, 0.2, 0, 0, 0, 0, 0, 0],
      mode, loss: 1, terms: ['word'], x: [1],
    });
    const div = document.createElement('div');
    renderExplanation(div, e('full'), e('none'), { title: 't', label: null, k: 4 });
    return div.textContent.replace(/\s+/g, ' ');
  });
  assert.match(text, /no unit is negative, so the 2 negative places stay empty/);
  assert.doesNotMatch(text, /only 0 unit/);
});

test('cancel stops training and says so', async () => {
  await page.fill('#opt-epochs', '200');
  await page.click('#train');
  await waitState(['training'], 5000);
  await page.waitForFunction(() => /epoch/.test(document.getElementById('progress-text').textContent), null, { timeout: 30000 });
  await page.click('#cancel');
  await waitState(['trained', 'ready', 'error'], 15000);
  assert.equal(await state(), 'trained', 'the previous model is still there');
  assert.match(await notice(), /Training cancelled/);
  await page.fill('#opt-epochs', String(EPOCHS));
});

test('bad input gives a plain in-page error', async () => {
  await page.check('input[name="source"][value="paste"]');
  await page.fill('#paste', '   \n\n  ');
  await page.click('#train');
  await waitState(['error'], 5000);
  assert.match(await notice(), /corpus is empty/i);

  await page.fill('#opt-k', '200');
  await page.fill('#paste', 'one document about cats\n\nanother one about dogs\n\na third about birds');
  assert.match(await page.textContent('#corpus-warn'), /^Only 3 documents: .*mean little/);
  assert.equal(await page.locator('#corpus-warn').isVisible(), true);
  await page.click('#train');
  await waitState(['error'], 5000);
  assert.match(await notice(), /Winners k \(200\) cannot be larger than the dimensions \(128\)/);
  await page.fill('#opt-k', '32');

  await page.check('input[name="source"][value="files"]');
  const bad = path.join(OUT, 'bad.jsonl');
  fs.writeFileSync(bad, '{"text": "fine"}\n{"text": broken\n');
  // The k = 200 notice above must not satisfy the wait below: close it, and
  // wait for the file's own message.
  if (await page.locator('#notice').isVisible()) await page.click('#notice-close');
  await page.setInputFiles('#files', bad);
  await page.waitForFunction(() => {
    const n = document.getElementById('notice');
    return !n.hidden && /bad\.jsonl/.test(n.textContent);
  }, null, { timeout: 5000 }).catch(() => {});
  assert.match(await notice(), /bad\.jsonl, line 2, is not valid JSON/);
});

test('your own documents: a CSV with labels trains and maps; pasted text too', async () => {
  // 160 documents of four groups from the sample, as CSV with quoted, multi-line fields.
  const docs = zlib.gunzipSync(fs.readFileSync(path.join(repo, 'testdata/20news-sample.jsonl.gz')))
    .toString('utf8').trim().split('\n').map((l) => JSON.parse(l))
    .filter((d) => ['rec.sport.hockey', 'sci.space', 'talk.politics.guns', 'comp.graphics'].includes(d.label))
    .filter((d, i, all) => all.slice(0, i).filter((e) => e.label === d.label).length < 40);
  const q = (t) => `"${t.replace(/"/g, '""')}"`;
  const csv = ['id,category,text', ...docs.map((d, i) => `${i},${d.label},${q(d.text)}`)].join('\r\n');
  const file = path.join(OUT, 'own.csv');
  fs.writeFileSync(file, csv);
  await page.check('input[name="source"][value="files"]');
  // The previous test's notice (bad.jsonl) must not satisfy the wait below.
  if (await page.locator('#notice').isVisible()) await page.click('#notice-close');
  await page.setInputFiles('#files', file);
  await page.waitForFunction(() => /own\.csv/.test(document.getElementById('files-info').textContent) || !document.getElementById('notice').hidden, null, { timeout: 5000 });
  assert.equal(await page.textContent('#files-info'), 'own.csv: 160 documents, 4 labels.', await notice());
  await page.fill('#opt-epochs', '5');
  await page.click('#train');
  await waitState(['trained', 'error'], 60000);
  assert.equal(await state(), 'trained', await notice());
  assert.equal(Number(await page.getAttribute('#map', 'data-drawn')), 160);
  assert.equal(await page.locator('#legend button[data-label]').count(), 4);

  await page.check('input[name="source"][value="paste"]');
  const pasted = docs.filter((d, i) => i % 4 === 0).map((d) => d.text.replace(/\n\s*\n/g, '\n')).join('\n\n');
  await page.fill('#paste', pasted);
  assert.match(await page.textContent('#corpus-info'), /^40 documents$/);
  await page.click('#train');
  await waitState(['training', 'trained', 'error'], 60000);
  assert.match(await notice(), /^Only 40 documents: .* Training anyway\.$/);
  await waitState(['trained', 'error'], 60000);
  assert.equal(await state(), 'trained', await notice());
  assert.equal(Number(await page.getAttribute('#map', 'data-drawn')), 40);
  assert.match(await page.textContent('#legend'), /40 documents, no labels/);
  await page.fill('#opt-epochs', String(EPOCHS));
});

test('site search page: answers from the URL at load, then as you type, with highlighted words', async () => {
  await page.goto(`${base}search.html?q=${encodeURIComponent('launch of the space shuttle')}`);
  await page.waitForSelector('kate-search[data-answered]', { timeout: 20000 });
  const hits = () => page.$$eval('kate-search', ([el]) => [...el.shadowRoot.querySelectorAll('li')].map((li) => ({
    title: li.querySelector('.t').textContent, snippet: li.querySelector('.s').textContent,
    marks: [...li.querySelectorAll('mark')].map((m) => m.textContent.toLowerCase()),
  })));
  const first = await hits();
  assert.equal(first.length, 8);
  assert.ok(first.some((h) => h.marks.some((m) => /^(space|shuttl|launch)/.test(m))), `no highlighted query word: ${JSON.stringify(first)}`);
  await page.screenshot({ path: path.join(OUT, 'search-page.png') });
  console.log(`# search page: first answer ${await page.getAttribute('kate-search', 'data-answered')} ms after navigation (loaded machine; see demo/bench)`);
  // Typing: every keystroke answers; the word being typed counts as a prefix.
  const input = page.locator('kate-search input');
  await input.fill('');
  await input.pressSequentially('hocke', { delay: 20 });
  await page.waitForFunction(() => /Nearest to: hockey/.test(document.querySelector('kate-search').shadowRoot.querySelector('.status').textContent));
  const hockey = await hits();
  assert.ok(hockey.length === 8 && hockey.filter((h) => h.marks.includes('hockey')).length >= 1, JSON.stringify(hockey.map((h) => h.title)));
  await input.fill('zzqx qqzz');
  await page.waitForFunction(() => /None of these words/.test(document.querySelector('kate-search').shadowRoot.querySelector('.status').textContent));
  assert.equal((await hits()).length, 0);
});

test('no console errors and nothing fetched from the internet', () => {
  assert.deepEqual(consoleErrors, []);
  assert.deepEqual(foreign, []);
});
