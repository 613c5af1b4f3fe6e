// panel-inside.js — the Inside KATE tab: model.explain for one document in
// both gradient modes (drawn by explain.js).

import { docTitle } from './corpus.js';
import { renderExplanation } from './explain.js';
import { esc } from './util.js';
import { $, app, message, showTab } from './page.js';

export async function explainDoc(i) {
  const d = app.corpus.docs[i];
  await explainText(d.text, { title: docTitle(d, 140), label: d.label, labelColor: app.labelColor.get(d.label) });
  app.explained = i;
}

export async function explainText(text, doc) {
  showTab('tab-explain');
  const box = $('explain');
  box.setAttribute('aria-busy', 'true');
  try {
    const [full, none] = await Promise.all([
      app.model.explain(text, { gradient: 'full' }),
      app.model.explain(text, { gradient: 'none' }),
    ]);
    renderExplanation(box, full, none, { ...doc, k: app.model.params.k });
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
