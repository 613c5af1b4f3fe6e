// page.js — the demo page's shared state (`app`), its status line and
// controls, notices, tabs, and the map view the panels draw on.

import { CorpusError } from './corpus.js';
import { source } from './panel-source.js';

export const $ = (id) => document.getElementById(id);

export const app = {
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

export const STATUS = {
  loading: 'Loading…',
  ready: 'Ready to train',
  training: 'Training…',
  trained: 'Model trained',
  error: 'Something went wrong',
};

export function setState(state, text) {
  document.body.dataset.state = state;
  $('status').textContent = text || STATUS[state];
  refreshControls();
}

export function refreshControls() {
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
export function notify(message, kind = 'error') {
  const box = $('notice');
  box.classList.toggle('info', kind === 'info');
  box.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  $('notice-text').textContent = message;
  box.hidden = false;
}

export function clearNotice() {
  $('notice').hidden = true;
}

/** Turns anything thrown into a plain sentence. */
export function message(e) {
  if (e instanceof CorpusError) return e.message;
  let m = e && e.message ? e.message : String(e);
  m = m.replace(/^(kate|Error):\s*/i, '');
  return m.charAt(0).toUpperCase() + m.slice(1);
}

export function fail(what, e) {
  notify(`${what}: ${message(e)}`);
  setState('error', 'Error — see the message above');
}

export function showTab(id) {
  for (const t of document.querySelectorAll('[role="tab"]')) {
    const on = t.id === id;
    t.setAttribute('aria-selected', String(on));
    t.tabIndex = on ? 0 : -1;
    $(t.getAttribute('aria-controls')).hidden = !on;
  }
  if (id === 'tab-map') mapView.resize();
}

/** The map view (set once by app.js at start). */
export let mapView;

export function setMapView(v) {
  mapView = v;
}
