// panel-layout.js — the map's layout switch: PCA, or the neighbour layout
// computed in a worker (layout.worker.js) while the map follows it.

import { MAX_LAYOUT_DOCS } from './layout.js';
import { int } from './util.js';
import { $, app, notify, mapView } from './page.js';

export const LAYOUT_KEY = 'kate-demo-layout';

/** The layout the visitor chose last ('umap' = Neighbours, the default, or 'pca'), kept across visits. */
export function preferredLayout() {
  try {
    return localStorage.getItem(LAYOUT_KEY) === 'pca' ? 'pca' : 'umap';
  } catch {
    return 'umap';
  }
}

let layoutWorker = null;
let layoutJob = 0;

/** Shows or hides the "arranging" state of the map (text, or '' to hide). */
export function arranging(text) {
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
export function computeLayout() {
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
export async function finishLayout(mode) {
  app.layoutMode = mode;
  updateLayoutButtons();
  $('map').dataset.layout = `${mode}-moving`;
  await mapView.animateTo(app.layouts[mode], 600);
  arranging('');
  $('map-box').classList.remove('moving');
  if (app.layoutMode === mode) $('map').dataset.layout = mode;
}

/** The visitor picked a layout: remember it and move there. */
export async function pickLayout(mode) {
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

export function updateLayoutButtons() {
  const ready = !!app.layouts?.umap;
  const on = ready ? app.layoutMode : 'pca';
  $('lay-pca').setAttribute('aria-pressed', String(on === 'pca'));
  $('lay-umap').setAttribute('aria-pressed', String(on === 'umap'));
  $('lay-umap').disabled = !ready;
}
