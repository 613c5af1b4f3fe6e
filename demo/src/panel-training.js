// panel-training.js — training with live progress and loss chart, and
// making a model the current one (encode, PCA, topics, map).

import * as kate from 'kate';
import { fewDocsWarning } from './corpus.js';
import { drawLossChart } from './chart.js';
import { MAX_LAYOUT_DOCS } from './layout.js';
import { trainingEnd } from './training.js';
import { int, duration } from './util.js';
import { $, app, setState, refreshControls, notify, clearNotice, fail, mapView } from './page.js';
import { keepLast } from './panel-files.js';
import { preferredLayout, computeLayout } from './panel-layout.js';
import { setupColors, renderLegend } from './panel-legend.js';
import { renderResults } from './panel-map.js';
import { settings } from './panel-settings.js';
import { chosenCorpus } from './panel-source.js';
import { normTopics, renderTopics } from './panel-topics.js';

export async function trainModel() {
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
        const done = ev.epochDone;
        const progress = Math.min(1, (ev.epoch - 1 + (done ? 1 : frac)) / epochs);
        const elapsed = ev.elapsedMs / 1000;
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

export function setProgress(frac, text) {
  const pct = Math.round(frac * 100);
  $('progress-fill').style.width = `${pct}%`;
  $('busy-fill').style.width = `${pct}%`;
  $('busy-text').textContent = text;
  $('progress').setAttribute('aria-valuenow', String(pct));
  $('progress-text').textContent = text;
}

/** Makes model the current one: encodes the corpus, lays out the map, lists the topics. */
export async function useModel(model, corpus, info) {
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
    const coords = (await kate.pca(emb, 2)).data;
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
