// app.js — the KATE demo page. Everything runs in the browser: the `kate`
// package (js/dist, mapped by the import map in index.html) trains and
// encodes in a Web Worker; this module starts the page and wires its
// controls to the panels (one module per panel: panel-*.js, page.js).

import * as kate from 'kate';
import { prepareCorpus, parseSample } from './corpus.js';
import { MapView } from './mapview.js';
import { drawLossChart } from './chart.js';
import { int, duration, gunzipText } from './util.js';
import { $, app, setState, refreshControls, notify, clearNotice, message, fail, showTab, mapView, setMapView } from './page.js';
import { saveModel, loadModelFile, offerRestore, exportTSV } from './panel-files.js';
import { explainDoc, explainText } from './panel-inside.js';
import { pickLayout } from './panel-layout.js';
import { applyColorBy, focusOnLabel } from './panel-legend.js';
import { onHover, select, search } from './panel-map.js';
import { source, updateCorpusInfo, onFiles } from './panel-source.js';
import { renderTopics } from './panel-topics.js';
import { trainModel } from './panel-training.js';

const params = new URLSearchParams(location.search);

const SAMPLE_URL = 'data/20news-sample.jsonl.gz';

async function start() {
  bindUI();
  $('version').textContent = `kate ${kate.version}.`;
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

function bindUI() {
  setMapView(new MapView($('map'), { onHover, onSelect: (i) => (app.corpus ? select(i) : null) }));

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
