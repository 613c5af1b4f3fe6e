// panel-source.js — step 1: where the documents come from (the sample,
// pasted text or files) and the corpus it gives.

import { CorpusError, parsePasted, parseFiles, prepareCorpus, fewDocsWarning } from './corpus.js';
import { autoEpochs } from './training.js';
import { int, readText } from './util.js';
import { $, app, notify, clearNotice, message } from './page.js';

export function source() {
  return document.querySelector('input[name="source"]:checked').value;
}

/** The corpus chosen in step 1, checked; throws CorpusError. */
export function chosenCorpus() {
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

export function updateCorpusInfo() {
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

export async function onFiles(fileList) {
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
