// panel-legend.js — the map's colours (by label or by a unit's activation)
// and its legend.

import { esc, int, palette, diverging } from './util.js';
import { $, app, mapView } from './page.js';

export function setupColors() {
  const { docs, labels } = app.corpus;
  const pal = palette(labels.length);
  app.labelColor = new Map(labels.map((l, i) => [l, pal[i]]));
  const sel = $('color-by');
  sel.innerHTML = (labels.length ? '<option value="label">by label</option>' : '<option value="label">one colour</option>') +
    app.topics.map((t) => `<option value="${t.unit}">by unit ${t.unit}: ${esc(t.label)}</option>`).join('');
  sel.value = 'label';
  app.colors = docs.map((d) => colorOfDoc(d));
}

export function colorOfDoc(d) {
  if (d.label === null) return app.corpus.labels.length ? '#adb5bd' : '#4338ca';
  return app.labelColor.get(d.label);
}

export function applyColorBy(value) {
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

export function renderLegend() {
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

export function focusOnLabel(label) {
  app.focusLabel = app.focusLabel === label ? null : label;
  mapView.setFaded(app.focusLabel === null ? null : (i) => app.corpus.docs[i].label !== app.focusLabel);
  renderLegend();
}
