// panel-files.js — saving and loading model files, the last model kept in
// IndexedDB, and the TSV export.

import * as kate from 'kate';
import { toProjectorTSV } from './corpus.js';
import * as store from './store.js';
import { int, download } from './util.js';
import { $, app, setState, refreshControls, notify, clearNotice, message, fail } from './page.js';
import { chosenCorpus } from './panel-source.js';
import { useModel } from './panel-training.js';

export async function saveModel() {
  try {
    const bytes = await app.model.save();
    download(bytes, 'kate-model.kate');
  } catch (e) {
    notify(`Could not save the model: ${message(e)}`);
  }
}

/** Loads model bytes and maps the corpus with it. */
export async function adoptBytes(bytes, corpus, what) {
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

export function describeModel(model, what) {
  const { dim, k, vocabSize } = model.params;
  return `${what}, dim ${dim}, k ${k}, vocabulary ${int(vocabSize)}`;
}

export async function loadModelFile(file) {
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

export async function keepLast(corpus) {
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

export async function offerRestore() {
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

export function exportTSV(which) {
  const [, dim] = app.emb.dims;
  const { vectors, metadata } = toProjectorTSV(app.emb.data, dim, app.corpus.docs);
  if (which === 'vectors') download(vectors, 'kate-embeddings.tsv', 'text/tab-separated-values');
  else download(metadata, 'kate-metadata.tsv', 'text/tab-separated-values');
}
