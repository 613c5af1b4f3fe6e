// panel-map.js — the map's hover, selection, nearest documents and search.

import { snippet, docTitle } from './corpus.js';
import { esc } from './util.js';
import { $, app, refreshControls, notify, clearNotice, message, mapView } from './page.js';
import { explainDoc } from './panel-inside.js';

export const NEIGHBORS = 10;

export const tooltip = () => $('tooltip');

export function onHover(i, x, y) {
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
export async function nearest(q, n, skip = -1) {
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

export async function select(i) {
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

export function hitList(hits) {
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

export function renderResults() {
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

export async function search(query) {
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
