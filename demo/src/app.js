// app.js — the KATE demo page. Everything runs in the browser: the `kate`
// package (js/dist, mapped by the import map in index.html) trains and
// encodes in a Web Worker; this module only drives the page.

import * as kate from 'kate';
import {
  CorpusError, parsePasted, parseFiles, prepareCorpus, parseSample, snippet, docTitle, toProjectorTSV, fewDocsWarning,
} from './corpus.js';
import { MapView } from './mapview.js';
import { drawLossChart } from './chart.js';
import { renderExplanation } from './explain.js';
import * as store from './store.js';
import { MAX_LAYOUT_DOCS } from './layout.js';
import { autoEpochs, trainingEnd } from './training.js';
import { esc, int, duration, download, palette, diverging, readText, gunzipText, sci } from './util.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const SAMPLE_URL = 'data/20news-sample.jsonl.gz';
const NEIGHBORS = 10;
const LAYOUT_KEY = 'kate-demo-layout';

/** The layout the visitor chose last ('umap' = Neighbours, the default, or 'pca'), kept across visits. */
function preferredLayout() {
  try {
    return localStorage.getItem(LAYOUT_KEY) === 'pca' ? 'pca' : 'umap';
  } catch {
    return 'umap';
  }
}


const app = {
  sample: null, // {docs, labels}
  filesCorpus: null, // {docs, name}
  corpus: null, // the corpus the current model's map shows: {docs, labels, name, kind}
  model: null,
  modelInfo: '',
  emb: null, // {data, dims}
  coords: null,
  colors: [],
  labelColor: new Map(),
  selected: null,
  lastSearch: null,
  focusLabel: null,
  colorBy: 'label',
  controller: null,
  busy: false,
  t0: performance.now(),
};

// ---------------------------------------------------------------- state

const STATUS = {
  loading: 'Loading…',
  ready: 'Ready to train',
  training: 'Training…',
  trained: 'Model trained',
  error: 'Something went wrong',
};

function setState(state, text) {
  document.body.dataset.state = state;
  $('status').textContent = text || STATUS[state];
  refreshControls();
}

function refreshControls() {
  const state = document.body.dataset.state;
  const training = state === 'training';
  const haveModel = !!app.model && !training && !app.busy;
  const started = state !== 'loading';
  $('train').disabled = !started || training || app.busy || !app.kateReady;
  $('train').textContent = app.model ? 'Train again' : 'Train';
  $('train-cta').disabled = $('train').disabled;
  $('train-cta').hidden = training;
  const src = started ? source() : 'sample';
  $('train-cta').textContent = src === 'sample' ? 'Train on the sample' : 'Train on your documents';
  $('cancel').hidden = !training;
  for (const el of document.querySelectorAll('.side input, .side select, .side textarea')) {
    if (el.id === 'load') continue;
    el.disabled = training;
  }
  $('save').disabled = !haveModel;
  $('export-vectors').disabled = !haveModel || !app.emb;
  $('export-meta').disabled = !haveModel || !app.emb;
  const canLoad = started && !training && !app.busy && app.kateReady;
  $('load').disabled = !canLoad;
  $('load-label').setAttribute('aria-disabled', String(!canLoad));
  $('restore').disabled = !canLoad;
  $('query').disabled = !haveModel || !app.emb;
  $('search-btn').disabled = !haveModel || !app.emb;
  $('explain-random').disabled = !haveModel || !app.corpus;
  $('explain-selected').disabled = !haveModel || app.selected === null;
  for (const b of document.querySelectorAll('#explain-form button, #explain-form input')) b.disabled = !haveModel;
}

/** Shows a plain message above the page (kind: 'error' or 'info'). */
function notify(message, kind = 'error') {
  const box = $('notice');
  box.classList.toggle('info', kind === 'info');
  box.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  $('notice-text').textContent = message;
  box.hidden = false;
}

function clearNotice() {
  $('notice').hidden = true;
}

/** Turns anything thrown into a plain sentence. */
function message(e) {
  if (e instanceof CorpusError) return e.message;
  let m = e && e.message ? e.message : String(e);
  m = m.replace(/^(kate|Error):\s*/i, '');
  return m.charAt(0).toUpperCase() + m.slice(1);
}

function fail(what, e) {
  notify(`${what}: ${message(e)}`);
  setState('error', 'Error — see the message above');
}

// ---------------------------------------------------------------- start

async function start() {
  bindUI();
  const ver = kate.version ?? kate.VERSION;
  if (ver) $('version').textContent = `kate ${ver}.`;
  setState('loading', 'Loading the WebAssembly module and the sample…');
  const init = kate.initialize().then(() => {
    app.kateReady = true;
  });
  const sample = fetch(SAMPLE_URL)
    .then((r) => {
      if (!r.ok) throw new Error(`the server answered ${r.status} for ${SAMPLE_URL}`);
      return r.arrayBuffer();
    })
    .then(gunzipText)
    .then((txt) => {
      app.sample = prepareCorpus(parseSample(txt));
      updateCorpusInfo();
    });
  try {
    await init;
  } catch (e) {
    fail('Could not start KATE (WebAssembly)', e);
    return;
  }
  try {
    await sample;
  } catch (e) {
    // The page still works with pasted or uploaded documents.
    notify(`The bundled sample could not be loaded (${message(e)}). You can still paste or upload documents.`);
  }
  const readyMs = performance.now();
  document.body.dataset.readyMs = String(Math.round(readyMs));
  setState('ready', app.sample ? `Ready · ${int(app.sample.docs.length)} documents loaded in ${duration(readyMs / 1000)}` : 'Ready');
  offerRestore();
  if (params.get('autotrain') === '1') {
    for (const [p, id] of [['epochs', 'opt-epochs'], ['dim', 'opt-dim'], ['k', 'opt-k']]) {
      if (params.has(p)) $(id).value = params.get(p);
    }
    trainModel();
  }
}

// ---------------------------------------------------------------- corpus

function source() {
  return document.querySelector('input[name="source"]:checked').value;
}

/** The corpus chosen in step 1, checked; throws CorpusError. */
function chosenCorpus() {
  switch (source()) {
    case 'sample':
      if (!app.sample) throw new CorpusError('The bundled sample is not available; paste or upload documents instead.');
      return { ...app.sample, name: '20 Newsgroups sample', kind: 'sample' };
    case 'paste': {
      const docs = parsePasted($('paste').value, { perLine: $('per-line').checked });
      if (!docs.length) throw new CorpusError('The corpus is empty: paste some documents first (separated by blank lines).');
      return { ...prepareCorpus(docs), name: 'pasted text', kind: 'docs' };
    }
    case 'files':
      if (!app.filesCorpus) throw new CorpusError('No file chosen yet: choose .txt, .jsonl or .csv files first.');
      return { ...prepareCorpus(app.filesCorpus.docs), name: app.filesCorpus.name, kind: 'docs' };
  }
  throw new CorpusError('Choose where the documents come from.');
}

function updateCorpusInfo() {
  let text = '';
  let warn = '';
  try {
    const c = chosenCorpus();
    text = `${int(c.docs.length)} documents${c.labels.length ? ` · ${c.labels.length} labels` : ''}`;
    warn = fewDocsWarning(c.docs.length);
    $('opt-epochs').placeholder = `auto: ${autoEpochs(c.docs.length)}`;
  } catch (e) {
    text = source() === 'sample' && !app.sample ? 'Loading the sample…' : '';
    $('opt-epochs').placeholder = 'auto';
  }
  $('corpus-info').textContent = text;
  $('corpus-warn').textContent = warn;
  $('corpus-warn').hidden = !warn;
}

async function onFiles(fileList) {
  const files = [...fileList];
  app.filesCorpus = null;
  $('files-info').textContent = '';
  if (!files.length) return;
  try {
    const read = await Promise.all(files.map(async (f) => ({ name: f.name, text: await readText(f) })));
    const { docs, summary } = parseFiles(read);
    const c = prepareCorpus(docs);
    app.filesCorpus = { docs: c.docs, name: summary };
    $('files-info').textContent = `${summary}: ${int(c.docs.length)} documents${c.labels.length ? `, ${c.labels.length} labels` : ''}.`;
    clearNotice();
  } catch (e) {
    $('files-info').textContent = '';
    notify(`Could not use ${files.length === 1 ? files[0].name : 'these files'}: ${message(e)}`);
  }
  updateCorpusInfo();
}

// ---------------------------------------------------------------- settings

function intField(id, name, lo, hi) {
  const raw = $(id).value.trim();
  const v = Number(raw);
  if (raw === '' || !Number.isInteger(v) || v < lo || v > hi) {
    throw new CorpusError(`${name} must be a whole number from ${lo} to ${hi} (got “${raw}”).`);
  }
  return v;
}

function settings(nDocs) {
  const dim = intField('opt-dim', 'Dimensions', 2, 1024);
  const k = intField('opt-k', 'Winners k', 1, 1024);
  if (k > dim) throw new CorpusError(`Winners k (${k}) cannot be larger than the dimensions (${dim}).`);
  const epochs = $('opt-epochs').value.trim() === '' ? autoEpochs(nDocs) : intField('opt-epochs', 'Epochs', 1, 500);
  const vocabSize = intField('opt-vocab', 'Vocabulary', 10, 50000);
  const seed = intField('opt-seed', 'Seed', 0, 4294967295);
  const alpha = Number($('opt-alpha').value);
  if (!Number.isFinite(alpha) || alpha < 0 || alpha > 100) throw new CorpusError('Alpha must be a number from 0 to 100.');
  return {
    dim, k, epochs, vocabSize, seed, alpha,
    batchSize: nDocs < 1000 ? Math.max(10, Math.min(100, Math.round(nDocs / 10))) : 100,
    gradient: $('opt-gradient').value,
    stem: $('opt-stem').checked,
    stopwords: $('opt-stop').checked,
  };
}

// ---------------------------------------------------------------- training

async function trainModel() {
  clearNotice();
  let corpus, opts;
  try {
    corpus = chosenCorpus();
    opts = settings(corpus.docs.length);
  } catch (e) {
    fail('Cannot train', e);
    return;
  }
  const few = fewDocsWarning(corpus.docs.length);
  if (few) notify(`${few} Training anyway.`, 'info');
  const controller = new AbortController();
  app.controller = controller;
  const points = [];
  let bestEpoch = 0;
  const texts = corpus.docs.map((d) => d.text);
  const chart = $('loss-chart');
  $('progress-box').hidden = false;
  $('chart-fig').hidden = false;
  setProgress(0, `Preparing ${int(texts.length)} documents…`);
  drawLossChart(chart, points, { epochs: opts.epochs });
  $('busy-title').textContent = `Training KATE on ${int(texts.length)} documents…`;
  setState('training', `Training on ${int(texts.length)} documents…`);
  const t0 = performance.now();
  let model;
  try {
    model = await kate.train(texts, {
      ...opts,
      signal: controller.signal,
      onProgress(ev) {
        const epochs = ev.epochs || opts.epochs;
        const frac = ev.batches ? ev.batch / ev.batches : 1;
        const done = ev.epochDone ?? (ev.batches ? ev.batch === ev.batches : true);
        const progress = Math.min(1, (ev.epoch - 1 + (done ? 1 : frac)) / epochs);
        const elapsed = (ev.elapsedMs ?? performance.now() - t0) / 1000;
        const left = progress > 0 ? (elapsed / progress) * (1 - progress) : NaN;
        if (done && !points.some((p) => p.epoch === ev.epoch)) {
          points.push({ epoch: ev.epoch, loss: ev.loss, valLoss: ev.valLoss });
        }
        if (ev.bestEpoch) bestEpoch = ev.bestEpoch;
        const dps = ev.docsPerSecond ? `${int(ev.docsPerSecond)} docs/s` : '';
        setProgress(progress, [`epoch ${ev.epoch} of ${epochs}`, dps, ev.stopping ? 'finishing' : `about ${duration(left)} left`].filter(Boolean).join(' · '));
        app.chartArgs = [points, { epochs, bestEpoch, partial: done ? null : { x: ev.epoch - 1 + frac, loss: ev.loss } }];
        drawLossChart(chart, ...app.chartArgs);
        $('status').textContent = `Training… epoch ${ev.epoch}/${epochs}`;
      },
    });
  } catch (e) {
    app.controller = null;
    if (controller.signal.aborted) {
      setProgress(0, 'Cancelled.');
      notify(app.model ? 'Training cancelled. The previous model is still loaded.' : 'Training cancelled. No model was trained.', 'info');
      setState(app.model ? 'trained' : 'ready', 'Training cancelled');
      return;
    }
    setProgress(0, 'Failed.');
    fail('Training failed', e);
    return;
  }
  app.controller = null;
  const trainMs = performance.now() - t0;
  document.body.dataset.trainMs = String(Math.round(trainMs));
  setProgress(1, `Done in ${duration(trainMs / 1000)} · ${points.length} epochs`);
  const end = trainingEnd(points, opts.epochs, bestEpoch);
  $('train-end').textContent = end.text;
  $('train-end').hidden = !end.text;
  $('train-end').dataset.end = end.kind;
  await useModel(model, corpus, `${corpus.name}, ${int(texts.length)} documents, dim ${opts.dim}, k ${opts.k}, trained in ${duration(trainMs / 1000)}`);
  if (app.model === model) {
    setState('trained', `Trained in ${duration(trainMs / 1000)} · ${int(texts.length)} documents`);
    keepLast(corpus);
  }
}

function setProgress(frac, text) {
  const pct = Math.round(frac * 100);
  $('progress-fill').style.width = `${pct}%`;
  $('busy-fill').style.width = `${pct}%`;
  $('busy-text').textContent = text;
  $('progress').setAttribute('aria-valuenow', String(pct));
  $('progress-text').textContent = text;
}

/** Makes model the current one: encodes the corpus, lays out the map, lists the topics. */
async function useModel(model, corpus, info) {
  app.busy = true;
  refreshControls();
  $('status').textContent = `Mapping ${int(corpus.docs.length)} documents…`;
  try {
    const emb = await model.encode(corpus.docs.map((d) => d.text));
    // The neighbour layout works on embeddings measured from the empty
    // document's embedding tanh(b) (a text without any vocabulary word): the
    // bias is shared by every embedding and would otherwise dominate
    // distances. model.similar does the same internally.
    const e0 = Float32Array.from((await model.encode(['.'])).data);
    const [n, dim] = emb.dims;
    const rel = new Float32Array(n * dim);
    for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) rel[i * dim + j] = emb.data[i * dim + j] - e0[j];
    const proj = await kate.pca(emb, 2);
    const coords = proj instanceof Float32Array ? proj : Float32Array.from(proj.data ?? proj);
    const topics = await model.topics(8);
    if (app.model && app.model !== model) {
      try { await app.model.dispose(); } catch { /* already gone */ }
    }
    app.model = model;
    app.modelInfo = info;
    app.corpus = corpus;
    app.emb = emb;
    app.e0 = e0;
    app.rel = rel;
    app.coords = coords;
    app.layouts = { pca: coords, umap: null };
    // The layout the visitor prefers; while the neighbour layout is being
    // computed the map is in its "arranging" state (see computeLayout).
    app.layoutMode = preferredLayout() === 'umap' && corpus.docs.length >= 3 && corpus.docs.length <= MAX_LAYOUT_DOCS ? 'umap' : 'pca';
    app.topics = normTopics(topics);
    app.selected = null;
    app.lastSearch = null;
    app.focusLabel = null;
    app.colorBy = 'label';
    $('model-info').textContent = info;
    setupColors();
    $('map-empty').hidden = true;
    $('map-tools').hidden = false;
    mapView.setData(coords, app.colors);
    $('map').dataset.layout = app.layoutMode === 'umap' ? 'arranging' : 'pca';
    renderLegend();
    renderTopics();
    renderResults();
    $('explain').innerHTML = '<p class="hint">Pick a document: a random one, the one selected on the map, or type a text.</p>';
  } finally {
    app.busy = false;
    refreshControls();
  }
  if (app.model === model) computeLayout();
}

// ---------------------------------------------------------------- neighbour layout

let layoutWorker = null;
let layoutJob = 0;

/** Shows or hides the "arranging" state of the map (text, or '' to hide). */
function arranging(text) {
  $('map-box').classList.toggle('is-arranging', !!text);
  $('arranging').hidden = !text;
  $('arranging-text').textContent = text;
}

/**
 * Computes the neighbour layout in a worker. When the visitor prefers it
 * (the default), the map says "Arranging…" while the neighbours are found,
 * then follows the points as the layout moves them away from the PCA start,
 * so the map never sits as a PCA blob; otherwise it is computed quietly and
 * the Neighbours button lights up when ready.
 */
function computeLayout() {
  const [n, dim] = app.emb.dims;
  updateLayoutButtons();
  if (n > MAX_LAYOUT_DOCS || n < 3) {
    $('layout-status').textContent = n > MAX_LAYOUT_DOCS ? `PCA only above ${int(MAX_LAYOUT_DOCS)} documents` : '';
    if (app.layoutMode !== 'pca') finishLayout('pca');
    return;
  }
  const id = ++layoutJob;
  const live = app.layoutMode === 'umap';
  layoutWorker ??= new Worker(new URL('./layout.worker.js', import.meta.url), { type: 'module' });
  layoutWorker.onmessage = (ev) => {
    const m = ev.data;
    if (m.id !== layoutJob) return;
    if (m.frame) {
      if (app.layoutMode === 'umap') {
        arranging(`Arranging the documents by their neighbours… ${Math.round(m.progress * 100)}%`);
        $('map-box').classList.add('moving');
        mapView.animateTo(m.frame, 250);
      }
    } else if (m.progress !== undefined) {
      const pct = Math.round(m.progress * 100);
      if (app.layoutMode === 'umap') arranging(`Arranging the documents by their neighbours… ${pct}%`);
      else $('layout-status').textContent = `neighbours… ${pct}%`;
    } else if (m.error) {
      $('layout-status').textContent = 'neighbour layout failed';
      notify(`The neighbour layout failed (${m.error}); the map keeps the PCA layout.`);
      if (app.layoutMode === 'umap') finishLayout('pca');
    } else {
      $('layout-status').textContent = '';
      app.layouts.umap = m.xy;
      if (app.layoutMode === 'umap') finishLayout('umap');
      else updateLayoutButtons();
    }
  };
  layoutWorker.onerror = (e) => {
    e.preventDefault();
    $('layout-status').textContent = '';
    app.layouts.umap = null;
    if (app.layoutMode === 'umap') finishLayout('pca');
    updateLayoutButtons();
  };
  if (live) arranging('Arranging the documents by their neighbours…');
  else $('layout-status').textContent = 'neighbours…';
  const init = Float32Array.from(app.layouts.pca);
  const data = Float32Array.from(app.rel);
  layoutWorker.postMessage({ id, data, n, dim, init, frames: live }, [data.buffer, init.buffer]);
}

/** Ends the arranging state with the map in layout mode. */
async function finishLayout(mode) {
  app.layoutMode = mode;
  updateLayoutButtons();
  $('map').dataset.layout = `${mode}-moving`;
  await mapView.animateTo(app.layouts[mode], 600);
  arranging('');
  $('map-box').classList.remove('moving');
  if (app.layoutMode === mode) $('map').dataset.layout = mode;
}

/** The visitor picked a layout: remember it and move there. */
async function pickLayout(mode) {
  try {
    localStorage.setItem(LAYOUT_KEY, mode);
  } catch { /* private mode: kept for this page only */ }
  const xy = app.layouts?.[mode];
  if (!xy || mode === app.layoutMode) return;
  app.layoutMode = mode;
  arranging('');
  $('map-box').classList.remove('moving');
  updateLayoutButtons();
  $('map').dataset.layout = `${mode}-moving`;
  await mapView.animateTo(xy);
  if (app.layoutMode === mode) $('map').dataset.layout = mode;
}

function updateLayoutButtons() {
  const ready = !!app.layouts?.umap;
  const on = ready ? app.layoutMode : 'pca';
  $('lay-pca').setAttribute('aria-pressed', String(on === 'pca'));
  $('lay-umap').setAttribute('aria-pressed', String(on === 'umap'));
  $('lay-umap').disabled = !ready;
}

function normTopics(topics) {
  return Array.from(topics, (t, j) => {
    const words = Array.from(t.words ?? t.terms ?? t);
    return {
      unit: t.unit ?? j,
      words,
      weights: Array.from(t.weights ?? []),
      // A short name (the first three words), and the marks of units that
      // represent almost no document or nearly repeat an earlier unit.
      label: t.label ?? words.slice(0, 3).join(' '),
      empty: Boolean(t.empty),
      duplicateOf: t.duplicateOf ?? -1,
    };
  });
}

// ---------------------------------------------------------------- colours, legend

function setupColors() {
  const { docs, labels } = app.corpus;
  const pal = palette(labels.length);
  app.labelColor = new Map(labels.map((l, i) => [l, pal[i]]));
  const sel = $('color-by');
  sel.innerHTML = (labels.length ? '<option value="label">by label</option>' : '<option value="label">one colour</option>') +
    app.topics.map((t) => `<option value="${t.unit}">by unit ${t.unit}: ${esc(t.label)}</option>`).join('');
  sel.value = 'label';
  app.colors = docs.map((d) => colorOfDoc(d));
}

function colorOfDoc(d) {
  if (d.label === null) return app.corpus.labels.length ? '#adb5bd' : '#4338ca';
  return app.labelColor.get(d.label);
}

function applyColorBy(value) {
  app.colorBy = value;
  $('color-by').value = value;
  if (value === 'label') {
    app.colors = app.corpus.docs.map(colorOfDoc);
  } else {
    const u = Number(value);
    const [n, dim] = app.emb.dims;
    app.colors = new Array(n);
    for (let i = 0; i < n; i++) app.colors[i] = diverging(app.emb.data[i * dim + u]);
  }
  mapView.setColors(app.colors);
  renderLegend();
  for (const b of document.querySelectorAll('.topic')) b.setAttribute('aria-pressed', String(b.dataset.unit === value));
}

function renderLegend() {
  const box = $('legend');
  box.classList.toggle('focused', app.focusLabel !== null);
  if (app.colorBy !== 'label') {
    const t = app.topics.find((t) => String(t.unit) === app.colorBy);
    box.innerHTML = `<div class="scale">activation of unit ${esc(app.colorBy)} <i>(${esc(t ? t.words.slice(0, 5).join(', ') : '')})</i>:
      <span>−1</span><span class="bar"></span><span>+1</span>
      <button type="button" id="legend-back" class="small">Colour by label</button></div>`;
    $('legend-back').onclick = () => applyColorBy('label');
    return;
  }
  const { docs, labels } = app.corpus;
  if (!labels.length) {
    box.innerHTML = `<span class="hint">${int(docs.length)} documents, no labels.</span>`;
    return;
  }
  const count = new Map();
  for (const d of docs) count.set(d.label, (count.get(d.label) || 0) + 1);
  box.innerHTML = labels.map((l) => `<button type="button" data-label="${esc(l)}" aria-pressed="${app.focusLabel === l}">` +
    `<span class="dot" style="background:${app.labelColor.get(l)}"></span>${esc(l)} <span class="count">${int(count.get(l))}</span></button>`).join('');
}

function focusOnLabel(label) {
  app.focusLabel = app.focusLabel === label ? null : label;
  mapView.setFaded(app.focusLabel === null ? null : (i) => app.corpus.docs[i].label !== app.focusLabel);
  renderLegend();
}

// ---------------------------------------------------------------- map, selection, search

const tooltip = () => $('tooltip');

function onHover(i, x, y) {
  const tip = tooltip();
  if (i === null || !app.corpus) {
    tip.hidden = true;
    return;
  }
  const d = app.corpus.docs[i];
  tip.innerHTML = `${d.label !== null ? `<div class="lab"><span class="dot" style="background:${app.labelColor.get(d.label)}"></span>${esc(d.label)}</div>` : ''}<b>${esc(docTitle(d, 100))}</b><br>${esc(snippet(d.text, 200))}`;
  tip.hidden = false;
  const box = $('map-box').getBoundingClientRect();
  const tw = tip.offsetWidth, th = tip.offsetHeight;
  let left = x + 14, top = y + 14;
  if (left + tw > box.width - 6) left = x - tw - 14;
  if (top + th > box.height - 6) top = y - th - 14;
  tip.style.left = `${Math.max(6, left)}px`;
  tip.style.top = `${Math.max(6, top)}px`;
}

/**
 * The documents most similar to the embedding q, by the library's
 * model.similar (cosine measured from the empty document's embedding).
 */
async function nearest(q, n, skip = -1) {
  // A few more than n: exact duplicates (cross-posted texts) are shown once.
  const hits = await app.model.similar(q, app.emb, n + 6);
  const seen = new Set(skip >= 0 ? [app.corpus.docs[skip].text] : []);
  const out = [];
  for (const h of hits) {
    const t = app.corpus.docs[h.index].text;
    if (h.index === skip || seen.has(t)) continue;
    seen.add(t);
    out.push(h);
  }
  return out.slice(0, n);
}

async function select(i) {
  app.selected = i;
  app.neighbors = null;
  if (i === null) {
    mapView.setSelection(null, app.lastSearch ? app.lastSearch.hits.map((h) => h.index) : []);
    renderResults();
    refreshControls();
    return;
  }
  const [, dim] = app.emb.dims;
  mapView.setSelection(i, []);
  let hits;
  try {
    hits = await nearest(app.emb.data.slice(i * dim, (i + 1) * dim), NEIGHBORS, i);
  } catch (e) {
    notify(`Could not find the nearest documents: ${message(e)}`);
    return;
  }
  if (app.selected !== i) return;
  app.neighbors = hits;
  mapView.setSelection(i, hits.map((h) => h.index));
  renderResults();
  refreshControls();
}

function hitList(hits) {
  return `<ol class="hits">${hits.map((h) => {
    const d = app.corpus.docs[h.index];
    const pct = Math.max(0, Math.min(100, h.score * 100));
    return `<li><button type="button" data-doc="${h.index}">
      <span><span class="sim">${h.score.toFixed(3)}</span><span class="simbar"><i style="width:${pct.toFixed(0)}%"></i></span></span>
      <span><span class="t">${esc(docTitle(d))}</span>
      ${d.label !== null ? `<span class="l"><span class="dot" style="background:${app.labelColor.get(d.label)}"></span>${esc(d.label)}</span>` : ''}
      <span class="s">${esc(snippet(d.text, 180))}</span></span></button></li>`;
  }).join('')}</ol>`;
}

function renderResults() {
  const body = $('results-body');
  const empty = $('results-empty');
  if (!app.corpus || (app.selected === null && !app.lastSearch)) {
    body.hidden = true;
    empty.hidden = false;
    body.innerHTML = '';
    return;
  }
  empty.hidden = true;
  body.hidden = false;
  if (app.selected !== null) {
    const i = app.selected;
    const d = app.corpus.docs[i];
    body.innerHTML = `${app.lastSearch ? '<button type="button" class="small" id="back-results">← Back to the search results</button>' : ''}
      <h3>Selected document</h3>
      <div class="doc-card sel">
        ${d.label !== null ? `<div class="lab"><span class="dot" style="background:${app.labelColor.get(d.label)}"></span>${esc(d.label)}</div>` : ''}
        <div class="title">${esc(docTitle(d))}</div>
        <div class="body" tabindex="0" aria-label="Document text">${esc(d.text)}</div>
        <div class="actions"><button type="button" class="small" id="sel-explain">Inside KATE →</button>
          <button type="button" class="small" id="sel-clear">Clear</button></div>
      </div>
      <h3>Nearest documents</h3>${app.neighbors ? hitList(app.neighbors) : '<p class="hint">…</p>'}`;
    $('sel-explain').onclick = () => explainDoc(i);
    $('sel-clear').onclick = () => select(null);
    if ($('back-results')) $('back-results').onclick = () => select(null);
  } else {
    const s = app.lastSearch;
    body.innerHTML = `<h3>Nearest to “${esc(s.query)}”</h3>${hitList(s.hits)}`;
  }
}

async function search(query) {
  query = query.trim();
  if (!query) {
    $('query').focus();
    return;
  }
  clearNotice();
  try {
    const [, dim] = app.emb.dims;
    const qe = (await app.model.encode([query])).data;
    const q = Float32Array.from(qe);
    let moved = 0;
    for (let j = 0; j < dim; j++) moved += Math.abs(q[j] - app.e0[j]);
    if (moved === 0) {
      notify(`None of the words of “${query}” is in the model’s vocabulary (the corpus’s most frequent words). Try other words.`, 'info');
      return;
    }
    const hits = await nearest(q, NEIGHBORS);
    app.lastSearch = { query, hits };
    app.selected = null;
    mapView.setSelection(null, hits.map((h) => h.index));
    renderResults();
    refreshControls();
    document.body.dataset.searched = String(hits.length);
  } catch (e) {
    notify(`Search failed: ${message(e)}`);
  }
}

// ---------------------------------------------------------------- topics

/** A word shown in the topics, for the filter's example: the one in most units. */
function exampleWord(topics) {
  const count = new Map();
  for (const t of topics) for (const w of t.words) if (/^[a-z]{4,}$/i.test(w)) count.set(w, (count.get(w) || 0) + 1);
  let best = '', most = 0;
  for (const [w, c] of count) if (c > most) [best, most] = [w, c];
  return best;
}

function renderTopics() {
  const box = $('topics');
  const filter = $('topic-filter').value.trim().toLowerCase();
  const example = exampleWord(app.topics);
  $('topic-filter').placeholder = example ? `e.g. ${example}` : '';
  const matches = filter ? app.topics.filter((t) => t.words.some((w) => w.toLowerCase().startsWith(filter))).length : 0;
  $('topic-count').textContent = !filter ? '' : matches
    ? `${matches} unit${matches === 1 ? '' : 's'} with a word starting with “${filter}”`
    : `No unit has a word starting with “${filter}” among its ${app.topics[0]?.words.length ?? 0} strongest words.`;
  $('topic-count').dataset.matches = String(matches);
  box.innerHTML = app.topics.map((t) => {
    const hit = filter && t.words.some((w) => w.toLowerCase().startsWith(filter));
    const words = t.words.map((w) => (filter && w.toLowerCase().startsWith(filter) ? `<mark>${esc(w)}</mark>` : `<span>${esc(w)}</span>`)).join('');
    const mark = t.empty ? ' <em class="mark">(empty)</em>' : t.duplicateOf >= 0 ? ` <em class="mark">(≈ unit ${t.duplicateOf})</em>` : '';
    return `<button type="button" class="topic${(filter && !hit) || t.empty ? ' dim' : ''}" data-unit="${t.unit}" aria-pressed="${String(app.colorBy === String(t.unit))}"
      title="Colour the map by the activation of unit ${t.unit}"><span class="u">unit ${t.unit}${mark}</span><span class="w">${words}</span></button>`;
  }).join('');
}

// ---------------------------------------------------------------- Inside KATE

async function explainDoc(i) {
  const d = app.corpus.docs[i];
  await explainText(d.text, { title: docTitle(d, 140), label: d.label, labelColor: app.labelColor.get(d.label) });
  app.explained = i;
}

async function explainText(text, doc) {
  showTab('tab-explain');
  const box = $('explain');
  box.setAttribute('aria-busy', 'true');
  try {
    const [full, none] = await Promise.all([
      app.model.explain(text, { gradient: 'full' }),
      app.model.explain(text, { gradient: 'none' }),
    ]);
    renderExplanation(box, full, none, { ...doc, k: app.model.params?.k ?? app.model.k });
    box.dataset.explained = '1';
  } catch (e) {
    const why = /no vocabulary term/.test(message(e))
      ? 'none of its words is in the model’s vocabulary (the corpus’s most frequent words). Try other words.'
      : message(e);
    box.innerHTML = `<p class="hint">Cannot explain this text: ${esc(why)}</p>`;
  } finally {
    box.removeAttribute('aria-busy');
  }
}

// ---------------------------------------------------------------- model files

async function saveModel() {
  try {
    const bytes = await app.model.save();
    download(bytes, 'kate-model.kate');
  } catch (e) {
    notify(`Could not save the model: ${message(e)}`);
  }
}

/** Loads model bytes and maps the corpus with it. */
async function adoptBytes(bytes, corpus, what) {
  clearNotice();
  app.busy = true;
  refreshControls();
  let model;
  try {
    model = await kate.load(bytes);
  } catch (e) {
    app.busy = false;
    fail(`Could not load ${what}`, e);
    return false;
  }
  app.busy = false;
  const info = describeModel(model, what);
  try {
    await useModel(model, corpus, info);
  } catch (e) {
    fail(`Could not use ${what}`, e);
    return false;
  }
  setState('trained', `Loaded ${what}`);
  return true;
}

function describeModel(model, what) {
  const p = model.params ?? model.info ?? model;
  const dim = p.dim ?? model.dim;
  const k = p.k ?? model.k;
  const v = p.vocabSize ?? model.vocabSize;
  return [what, dim && `dim ${dim}`, k && `k ${k}`, v && `vocabulary ${int(v)}`].filter(Boolean).join(', ');
}

async function loadModelFile(file) {
  let corpus;
  try {
    corpus = chosenCorpus();
  } catch (e) {
    notify(`Choose the documents to map first (step 1): ${message(e)}`);
    return;
  }
  let bytes;
  try {
    bytes = new Uint8Array(await file.arrayBuffer());
  } catch (e) {
    notify(`Could not read ${file.name}: ${message(e)}`);
    return;
  }
  if (await adoptBytes(bytes, corpus, `model file ${file.name}`)) keepLast(corpus);
}

async function keepLast(corpus) {
  try {
    const bytes = await app.model.save();
    await store.saveLast({
      bytes,
      savedAt: Date.now(),
      summary: app.modelInfo,
      corpus: corpus.kind === 'sample' ? { kind: 'sample' } : { kind: 'docs', name: corpus.name, docs: corpus.docs },
    });
    document.body.dataset.kept = '1';
  } catch (e) {
    console.warn('could not keep the model in IndexedDB', e); // eslint-disable-line no-console
  }
}

async function offerRestore() {
  let rec;
  try {
    rec = await store.loadLast();
  } catch {
    return;
  }
  if (!rec || !rec.bytes) return;
  const b = $('restore');
  const ago = Math.max(0, Date.now() - rec.savedAt) / 1000;
  const when = ago < 90 ? 'just now' : ago < 5400 ? `${Math.round(ago / 60)} minutes ago` : ago < 129600 ? `${Math.round(ago / 3600)} hours ago` : `${Math.round(ago / 86400)} days ago`;
  b.hidden = false;
  b.title = `${rec.summary} (kept ${when})`;
  b.textContent = `Restore last model (${when})`;
  b.onclick = async () => {
    let corpus;
    if (rec.corpus?.kind === 'docs') {
      corpus = { ...prepareCorpus(rec.corpus.docs), name: rec.corpus.name, kind: 'docs' };
    } else if (app.sample) {
      corpus = { ...app.sample, name: '20 Newsgroups sample', kind: 'sample' };
    } else {
      notify('The last model was trained on the bundled sample, which is not available.');
      return;
    }
    if (await adoptBytes(rec.bytes, corpus, 'the last model')) $('model-info').textContent = `${rec.summary} (restored)`;
  };
  refreshControls();
}

function exportTSV(which) {
  const [, dim] = app.emb.dims;
  const { vectors, metadata } = toProjectorTSV(app.emb.data, dim, app.corpus.docs);
  if (which === 'vectors') download(vectors, 'kate-embeddings.tsv', 'text/tab-separated-values');
  else download(metadata, 'kate-metadata.tsv', 'text/tab-separated-values');
}

// ---------------------------------------------------------------- UI wiring

function showTab(id) {
  for (const t of document.querySelectorAll('[role="tab"]')) {
    const on = t.id === id;
    t.setAttribute('aria-selected', String(on));
    t.tabIndex = on ? 0 : -1;
    $(t.getAttribute('aria-controls')).hidden = !on;
  }
  if (id === 'tab-map') mapView.resize();
}

let mapView;

function bindUI() {
  mapView = new MapView($('map'), { onHover, onSelect: (i) => (app.corpus ? select(i) : null) });

  $('notice-close').onclick = clearNotice;
  for (const r of document.querySelectorAll('input[name="source"]')) {
    r.addEventListener('change', () => {
      for (const s of ['sample', 'paste', 'files']) $(`src-${s}`).hidden = s !== source();
      updateCorpusInfo();
      refreshControls();
    });
  }
  $('paste').addEventListener('input', updateCorpusInfo);
  $('per-line').addEventListener('change', updateCorpusInfo);
  $('files').addEventListener('change', (e) => onFiles(e.target.files));
  const drop = $('drop');
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    onFiles(e.dataTransfer.files);
  });

  $('train').onclick = trainModel;
  $('train-cta').onclick = trainModel;
  $('cancel').onclick = () => app.controller?.abort();
  $('save').onclick = saveModel;
  $('load').addEventListener('change', (e) => {
    const f = e.target.files[0];
    e.target.value = '';
    if (f) loadModelFile(f);
  });
  $('load-label').addEventListener('keydown', (e) => {
    if ((e.key === 'Enter' || e.key === ' ') && !$('load').disabled) {
      e.preventDefault();
      $('load').click();
    }
  });
  $('export-vectors').onclick = () => exportTSV('vectors');
  $('export-meta').onclick = () => exportTSV('meta');

  $('search-form').addEventListener('submit', (e) => {
    e.preventDefault();
    search($('query').value);
  });
  $('results').addEventListener('click', (e) => {
    const b = e.target.closest('[data-doc]');
    if (b) select(Number(b.dataset.doc));
  });
  $('legend').addEventListener('click', (e) => {
    const b = e.target.closest('[data-label]');
    if (b) focusOnLabel(b.dataset.label);
  });
  $('color-by').addEventListener('change', (e) => applyColorBy(e.target.value));
  $('zoom-reset').onclick = () => mapView.resetView();
  for (const mode of ['pca', 'umap']) {
    $(`lay-${mode}`).onclick = () => pickLayout(mode);
  }

  $('topic-filter').addEventListener('input', () => app.topics && renderTopics());
  $('topics').addEventListener('click', (e) => {
    const b = e.target.closest('[data-unit]');
    if (!b) return;
    applyColorBy(b.dataset.unit);
    showTab('tab-map');
  });

  $('explain-random').onclick = () => explainDoc(Math.floor(Math.random() * app.corpus.docs.length));
  $('explain-selected').onclick = () => app.selected !== null && explainDoc(app.selected);
  $('explain-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const t = $('explain-text').value.trim();
    if (t) explainText(t, { title: t.length > 140 ? `${t.slice(0, 139)}…` : t, label: null });
  });

  const tabs = [...document.querySelectorAll('[role="tab"]')];
  for (const t of tabs) {
    t.addEventListener('click', () => showTab(t.id));
    t.addEventListener('keydown', (e) => {
      const i = tabs.indexOf(t);
      const j = e.key === 'ArrowRight' ? (i + 1) % tabs.length : e.key === 'ArrowLeft' ? (i + tabs.length - 1) % tabs.length : e.key === 'Home' ? 0 : e.key === 'End' ? tabs.length - 1 : -1;
      if (j < 0) return;
      e.preventDefault();
      showTab(tabs[j].id);
      tabs[j].focus();
    });
  }
  window.addEventListener('resize', () => {
    if (!$('chart-fig').hidden && app.chartArgs) drawLossChart($('loss-chart'), ...app.chartArgs);
  });
}

start().catch((e) => fail('The page could not start', e));
