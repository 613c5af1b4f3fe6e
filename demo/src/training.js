// training.js — the demo's training advice, pure functions (tested in Node):
// the default number of epochs for a corpus, and how a run ended, in words.

import { sci } from './util.js';

/**
 * The default number of epochs for n training documents: about 120,000
 * document passes (about 10 s in a browser), at least 10 and at most 100
 * epochs, a multiple of 5. Small corpora get more epochs, which cost little.
 */
export function autoEpochs(n) {
  return Math.max(10, Math.min(100, 5 * Math.round(120000 / Math.max(1, n) / 5)));
}

/**
 * Says in words how training ended: stopped early (the validation loss had
 * stopped improving), at the epoch limit while still improving, or at the
 * limit after its best epoch. kind is 'early', 'improving' or 'limit'.
 */
export function trainingEnd(points, epochs, bestEpoch) {
  const n = points.length;
  const last = points[n - 1];
  if (!last || !Number.isFinite(last.valLoss)) return { kind: 'limit', text: '' };
  const best = points.find((p) => p.epoch === bestEpoch) ?? last;
  const val = `validation loss ${sci(best.valLoss, 3)}`;
  if (n < epochs) {
    return { kind: 'early', text: `Stopped early, at epoch ${n} of ${epochs}: the validation loss had stopped improving. The model kept is the one of epoch ${best.epoch} (${val}).` };
  }
  if (bestEpoch === last.epoch && n >= 2) {
    const back = points[Math.max(0, n - 6)];
    const gain = (100 * (back.valLoss - last.valLoss)) / back.valLoss;
    return {
      kind: 'improving',
      text: `Reached the limit of ${epochs} epochs while the validation loss was still improving ` +
        `(${gain.toFixed(1)}% over the last ${n - 1 - points.indexOf(back)} epochs): more epochs would refine the model a little (${val}).`,
    };
  }
  return { kind: 'limit', text: `Ran all ${epochs} epochs; the best was epoch ${best.epoch}, and that model is kept (${val}).` };
}
