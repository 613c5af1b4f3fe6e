// panel-topics.js — the Topics tab: each unit's words, with a filter.

import { esc } from './util.js';
import { $, app } from './page.js';

/**
 * The topics as model.topics returns them (js/kate.d.ts Topic): unit,
 * words, weights (as a plain array), label (the first three words), and the
 * marks of units that represent almost no document (empty) or nearly repeat
 * an earlier unit (duplicateOf).
 */
export function normTopics(topics) {
  return topics.map((t) => ({
    unit: t.unit, words: t.words, weights: Array.from(t.weights), label: t.label, empty: t.empty, duplicateOf: t.duplicateOf,
  }));
}

/** A word shown in the topics, for the filter's example: the one in most units. */
export function exampleWord(topics) {
  const count = new Map();
  for (const t of topics) for (const w of t.words) if (/^[a-z]{4,}$/i.test(w)) count.set(w, (count.get(w) || 0) + 1);
  let best = '', most = 0;
  for (const [w, c] of count) if (c > most) [best, most] = [w, c];
  return best;
}

export function renderTopics() {
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
