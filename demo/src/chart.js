// chart.js — the live loss curve (training and validation loss per epoch).

import { sci } from './util.js';

/**
 * Draws the loss curve.
 * @param {HTMLCanvasElement} canvas
 * @param {{epoch: number, loss: number, valLoss: number}[]} points one per finished epoch
 * @param {{epochs: number, partial?: {x: number, loss: number}, bestEpoch?: number}} opts
 */
export function drawLossChart(canvas, points, opts) {
  const rect = canvas.getBoundingClientRect();
  const dpr = window.devicePixelRatio || 1;
  const W = Math.max(50, rect.width);
  const H = Math.max(50, rect.height);
  if (canvas.width !== Math.round(W * dpr)) canvas.width = Math.round(W * dpr);
  if (canvas.height !== Math.round(H * dpr)) canvas.height = Math.round(H * dpr);
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, W, H);

  const css = getComputedStyle(document.documentElement);
  const cTrain = css.getPropertyValue('--accent').trim() || '#4338ca';
  const cVal = css.getPropertyValue('--pos').trim() || '#e8590c';
  const left = 44, right = 8, top = 8, bottom = 20;
  const pw = W - left - right, ph = H - top - bottom;

  const vals = [];
  for (const p of points) {
    if (Number.isFinite(p.loss)) vals.push(p.loss);
    if (Number.isFinite(p.valLoss)) vals.push(p.valLoss);
  }
  if (opts.partial && Number.isFinite(opts.partial.loss)) vals.push(opts.partial.loss);
  const xmax = Math.max(2, Math.min(opts.epochs, Math.max(points.length + 1, 10)));

  ctx.font = '11px system-ui, sans-serif';
  ctx.fillStyle = '#8a90a0';
  ctx.strokeStyle = '#e2e5ec';
  ctx.lineWidth = 1;
  if (!vals.length) {
    ctx.textAlign = 'center';
    ctx.fillText('the loss appears after the first epoch', left + pw / 2, top + ph / 2);
    return;
  }
  let y0 = Math.min(...vals), y1 = Math.max(...vals);
  const padY = (y1 - y0) * 0.08 || Math.abs(y1) * 0.05 || 0.01;
  y0 -= padY;
  y1 += padY;
  const X = (e) => left + ((e - 1) / (xmax - 1)) * pw;
  const Y = (v) => top + (1 - (v - y0) / (y1 - y0)) * ph;

  // Grid and axes.
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (let t = 0; t <= 3; t++) {
    const v = y0 + ((y1 - y0) * t) / 3;
    const y = Y(v);
    ctx.beginPath();
    ctx.moveTo(left, y + 0.5);
    ctx.lineTo(W - right, y + 0.5);
    ctx.stroke();
    ctx.fillText(sci(v, 2), left - 5, y);
  }
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  const step = Math.max(1, Math.ceil(xmax / 6));
  for (let e = 1; e <= xmax; e += step) ctx.fillText(String(e), X(e), H - bottom + 5);

  if (opts.bestEpoch && opts.bestEpoch <= points.length) {
    const x = X(opts.bestEpoch);
    ctx.strokeStyle = 'rgba(67,56,202,.25)';
    ctx.setLineDash([3, 3]);
    ctx.beginPath();
    ctx.moveTo(x, top);
    ctx.lineTo(x, top + ph);
    ctx.stroke();
    ctx.setLineDash([]);
  }

  const line = (key, color, extra) => {
    const pts = points.filter((p) => Number.isFinite(p[key])).map((p) => [X(p.epoch), Y(p[key])]);
    if (extra) pts.push(extra);
    if (!pts.length) return;
    ctx.strokeStyle = color;
    ctx.fillStyle = color;
    ctx.lineWidth = 2;
    ctx.lineJoin = 'round';
    ctx.beginPath();
    pts.forEach(([x, y], i) => (i ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
    ctx.stroke();
    for (const [x, y] of pts) {
      ctx.beginPath();
      ctx.arc(x, y, 2.2, 0, 2 * Math.PI);
      ctx.fill();
    }
  };
  const partial = opts.partial && Number.isFinite(opts.partial.loss) ? [X(opts.partial.x), Y(opts.partial.loss)] : null;
  line('loss', cTrain, partial);
  line('valLoss', cVal);
}
