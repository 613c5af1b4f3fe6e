// panel-settings.js — step 2: the training settings, checked.

import { CorpusError } from './corpus.js';
import { autoEpochs } from './training.js';
import { $ } from './page.js';

export function intField(id, name, lo, hi) {
  const raw = $(id).value.trim();
  const v = Number(raw);
  if (raw === '' || !Number.isInteger(v) || v < lo || v > hi) {
    throw new CorpusError(`${name} must be a whole number from ${lo} to ${hi} (got “${raw}”).`);
  }
  return v;
}

export function settings(nDocs) {
  const dim = intField('opt-dim', 'Dimensions', 2, 1024);
  const k = intField('opt-k', 'Winners k', 1, 1024);
  if (k > dim) throw new CorpusError(`Winners k (${k}) cannot be larger than the dimensions (${dim}).`);
  const epochs = $('opt-epochs').value.trim() === '' ? autoEpochs(nDocs) : intField('opt-epochs', 'Epochs', 1, 500);
  const vocabSize = intField('opt-vocab', 'Vocabulary', 10, 50000);
  const seed = intField('opt-seed', 'Seed', 0, 4294967295);
  const alpha = Number($('opt-alpha').value);
  if (!Number.isFinite(alpha) || alpha < 0 || alpha > 100) throw new CorpusError('Alpha must be a number from 0 to 100.');
  return {
    dim, k, epochs, vocabSize, seed, alpha,
    batchSize: nDocs < 1000 ? Math.max(10, Math.min(100, Math.round(nDocs / 10))) : 100,
    gradient: $('opt-gradient').value,
    stem: $('opt-stem').checked,
    stopwords: $('opt-stop').checked,
  };
}
