// explain.js — "Inside KATE": draws what model.explain returns for one
// document, for the 'full' and the 'none' gradient modes side by side.
//
// docs/design.md §1.2–1.3: z = tanh(xW + b); the ceil(k/2) largest positive and the
// floor(k/2) most negative activations win; the losers' summed activation
// (energy) is added, times alpha, to every winner of the same sign; losers
// output 0. Backward, g = dL/dh reaches the winners; in 'full' mode every
// positive loser receives alpha * (sum of g over the positive winners), and
// likewise for the negatives; in 'none' mode nothing passes back.

import { esc, sci, num } from './util.js';

const C = {
  posW: '#e8590c', posL: '#ffc9a6', negW: '#1c7ed6', negL: '#a9d1f7', zero: '#ced4da',
  gain: '#ffa94d', gainN: '#74c0fc', axis: '#adb5bd', text: '#5d6475', ink: '#1d2130',
};

/**
 * An explanation as model.explain returns it (js/kate.d.ts Explanation),
 * with its typed arrays as plain arrays; a null loss is NaN.
 */
export function normExplanation(e) {
  return {
    z: Array.from(e.z),
    h: Array.from(e.h),
    posWinners: Array.from(e.posWinners),
    negWinners: Array.from(e.negWinners),
    posLosers: Array.from(e.posLosers),
    negLosers: Array.from(e.negLosers),
    posEnergy: e.posEnergy,
    negEnergy: e.negEnergy,
    alpha: e.alpha,
    gradH: Array.from(e.gradH),
    gradZ: Array.from(e.gradZ),
    gradient: e.gradient,
    loss: e.loss ?? NaN,
    terms: Array.from(e.terms),
    x: Array.from(e.x),
  };
}

/** Role of every unit: 'pw', 'nw', 'pl', 'nl' or 'zero'. */
function roles(e) {
  const r = new Array(e.z.length).fill('zero');
  for (const i of e.posWinners) r[i] = 'pw';
  for (const i of e.negWinners) r[i] = 'nw';
  for (const i of e.posLosers) r[i] = 'pl';
  for (const i of e.negLosers) r[i] = 'nl';
  return r;
}

const ROLE_NAME = { pw: 'positive winner', nw: 'negative winner', pl: 'positive loser', nl: 'negative loser', zero: 'zero' };
const ROLE_FILL = { pw: C.posW, nw: C.negW, pl: C.posL, nl: C.negL, zero: C.zero };

/**
 * A bar chart over the units in `order`, as an SVG string.
 * bars: per unit, a list of [from, to, fill] segments (in value units).
 */
function bars({ order, segs, titles, domain, height = 150, annotate = '', yLabel = '', fmt = num, brackets = null, W = 1000, top = 10 }) {
  const left = 56, right = 8;
  const bottom = brackets ? 34 : 8;
  const ph = height - top - bottom;
  const n = order.length;
  const bw = (W - left - right) / n;
  const [d0, d1] = domain;
  const Y = (v) => top + ((d1 - v) / (d1 - d0 || 1)) * ph;
  let s = `<svg class="xp-svg" viewBox="0 0 ${W} ${height}" role="img" aria-label="${esc(yLabel)}">`;
  // Axis ticks: the domain ends and zero.
  const ticks = [d1, 0, d0].filter((v, i, a) => a.indexOf(v) === i);
  for (const t of ticks) {
    const y = Y(t);
    s += `<line x1="${left - 4}" x2="${W - right}" y1="${y}" y2="${y}" stroke="${t === 0 ? C.axis : '#edf0f3'}" stroke-width="1"/>`;
    s += `<text x="${left - 7}" y="${y + 4}" text-anchor="end" font-size="12" fill="${C.text}">${esc(fmt(t))}</text>`;
  }
  s += `<text x="12" y="${top + ph / 2}" font-size="13" fill="${C.ink}" font-style="italic" text-anchor="middle" transform="rotate(-90 12 ${top + ph / 2})">${esc(yLabel)}</text>`;
  for (let q = 0; q < n; q++) {
    const i = order[q];
    const x = left + q * bw;
    s += `<g><title>${esc(titles[i])}</title>`;
    for (const [a, b, fill, extra] of segs[i]) {
      const y0 = Y(Math.max(a, b));
      const y1 = Y(Math.min(a, b));
      s += `<rect x="${(x + bw * 0.12).toFixed(2)}" y="${y0.toFixed(2)}" width="${(bw * 0.76).toFixed(2)}" height="${Math.max(0.8, y1 - y0).toFixed(2)}" fill="${fill}"${extra || ''}/>`;
    }
    // Transparent hit area for the tooltip.
    s += `<rect x="${x.toFixed(2)}" y="${top}" width="${bw.toFixed(2)}" height="${ph}" fill="transparent"/></g>`;
  }
  if (brackets) {
    for (const b of brackets) {
      if (b.from > b.to) continue;
      const x0 = left + b.from * bw + 1, x1 = left + (b.to + 1) * bw - 1;
      const y = height - bottom + 8;
      s += `<path d="M${x0} ${y - 4} V${y} H${x1} V${y - 4}" fill="none" stroke="${b.color}" stroke-width="1.5"/>`;
      const need = b.label.length * 6.4;
      const edge = b.from === 0 ? 'start' : b.to === n - 1 ? 'end' : 'middle';
      const wide = x1 - x0 > (edge === 'middle' ? need : need * 0.55);
      const tx = edge === 'start' ? x0 : edge === 'end' ? x1 : (x0 + x1) / 2;
      if (wide) s += `<text x="${tx}" y="${y + 15}" font-size="12.5" text-anchor="${edge}" fill="${b.color === C.zero ? C.text : b.color}" font-weight="600">${esc(b.label)}</text>`;
    }
  }
  s += annotate + '</svg>';
  return s;
}

/** Contiguous ranges of each role along the order. */
function groups(order, role) {
  const out = [];
  let start = 0;
  for (let q = 1; q <= order.length; q++) {
    if (q === order.length || role[order[q]] !== role[order[start]]) {
      out.push({ role: role[order[start]], from: start, to: q - 1 });
      start = q;
    }
  }
  return out;
}

function bracketList(order, role) {
  const label = { pw: 'positive winners', pl: 'positive losers', zero: 'zero', nl: 'negative losers', nw: 'negative winners' };
  return groups(order, role).map((g) => ({
    ...g,
    color: ROLE_FILL[g.role] === C.posL ? '#f08c4a' : ROLE_FILL[g.role] === C.negL ? '#4b9ae0' : ROLE_FILL[g.role],
    label: `${g.to - g.from + 1} ${label[g.role]}`,
  }));
}

function symDomain(values, floor = 1e-12) {
  const m = Math.max(floor, ...values.map((v) => Math.abs(v)));
  return [-m * 1.08, m * 1.08];
}

/** A domain that covers the values and 0, each side at least a fifth of the other. */
function spanDomain(values, floor = 1e-12) {
  let lo = Math.min(0, ...values), hi = Math.max(0, ...values);
  const m = Math.max(floor, hi - lo);
  lo = Math.min(lo, -0.2 * Math.max(hi, floor));
  hi = Math.max(hi, 0.2 * Math.max(-lo, floor));
  return [lo - 0.06 * m, hi + 0.06 * m];
}

/**
 * Renders the explanation into container.
 * @param {HTMLElement} container
 * @param {object} full model.explain(text, {gradient: 'full'})
 * @param {object} none model.explain(text, {gradient: 'none'})
 * @param {{title: string, label?: string|null, labelColor?: string}} doc
 */
export function renderExplanation(container, full, none, doc) {
  const kModel = doc.k;
  const f = normExplanation(full);
  const o = normExplanation(none);
  const K = f.z.length;
  const role = roles(f);
  const order = [...f.z.keys()].sort((a, b) => f.z[b] - f.z[a] || a - b);
  const kp = f.posWinners.length, kn = f.negWinners.length;
  const nPL = f.posLosers.length, nNL = f.negLosers.length;
  const alpha = f.alpha;
  const gainP = alpha * f.posEnergy, gainN = alpha * f.negEnergy;
  const brackets = bracketList(order, role);
  const title = (i, extra = '') => `unit ${i} · ${ROLE_NAME[role[i]]} · z = ${f.z[i].toFixed(4)}${extra}`;

  // Terms of the document, strongest first.
  const terms = f.terms.map((t, q) => [t, f.x[q] ?? 0]).sort((a, b) => b[1] - a[1]).slice(0, 40);
  const termHTML = terms.map(([t, v]) => `<span style="--a:${(0.08 + 0.5 * v).toFixed(2)}" title="x = ${v.toFixed(3)}">${esc(t)}</span>`).join('');

  // 1. Activations z.
  const zSegs = f.z.map((v, i) => [[0, v, ROLE_FILL[role[i]]]]);
  const zChart = bars({
    order, segs: zSegs, titles: f.z.map((_, i) => title(i)), domain: spanDomain(f.z, 0.05),
    yLabel: 'z', fmt: (v) => v.toFixed(2), brackets,
  });

  // 2. Competition output h, with the losers' energy drawn on top of each winner.
  const hSegs = f.h.map((v, i) => {
    const r = role[i];
    if (r === 'pw') return [[0, f.z[i], C.posW], [f.z[i], v, C.gain]];
    if (r === 'nw') return [[0, f.z[i], C.negW], [f.z[i], v, C.gainN]];
    if (r === 'pl' || r === 'nl') return [[0, f.z[i], 'none', ` stroke="${ROLE_FILL[r]}" stroke-dasharray="2 2" stroke-width="1"`]];
    return [];
  });
  const hDom = spanDomain([...f.h, ...f.z], 0.05);
  const hTitles = f.h.map((v, i) => title(i, ` · h = ${v.toFixed(4)}${role[i] === 'pw' ? ` = z + α·Ep` : role[i] === 'nw' ? ' = z − α·En' : ''}`));
  // Arrows from the loser groups to the winner groups, drawn in the empty
  // space above (positive) and below (negative) the losers' zero bars.
  const height = 210, top = 12;
  const bw = (1000 - 56 - 8) / K;
  const ph = height - top - 34;
  const Y = (v) => top + ((hDom[1] - v) / (hDom[1] - hDom[0] || 1)) * ph;
  const span = (r) => {
    const g = brackets.filter((b) => b.role === r);
    if (!g.length) return null;
    const from = Math.min(...g.map((b) => b.from)), to = Math.max(...g.map((b) => b.to));
    return { x0: 56 + from * bw, x1: 56 + (to + 1) * bw, xc: 56 + ((from + to + 1) / 2) * bw };
  };
  let arrows = `<defs><marker id="ah" viewBox="0 0 10 10" refX="8" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="${C.ink}"/></marker></defs>`;
  const label = (x, y, anchor, lines) => `<text x="${x}" y="${y}" font-size="13.5" text-anchor="${anchor}" fill="${C.ink}" paint-order="stroke" stroke="#fff" stroke-width="4">` +
    lines.map((l, q) => `<tspan x="${x}" dy="${q ? 17 : 0}"${q ? '' : ' font-weight="650"'}>${esc(l)}</tspan>`).join('') + '</text>';
  if (nPL && kp) {
    const L = span('pl'), Wn = span('pw');
    const yTop = Y(Math.max(...f.posWinners.map((i) => f.h[i])) * 0.8);
    arrows += `<path d="M${L.xc} ${Y(0) - 4} Q${L.xc} ${yTop} ${Wn.x1 + 6} ${yTop}" fill="none" stroke="${C.ink}" stroke-width="1.6" marker-end="url(#ah)"/>`;
    arrows += label(L.xc + 12, Y(0) - (Y(0) - yTop) * 0.55, 'start', [`+ α·Ep = ${alpha.toFixed(2)} × ${f.posEnergy.toFixed(2)} = +${gainP.toFixed(2)}`, `to each of the ${kp} positive winners`]);
  }
  if (nNL && kn) {
    const L = span('nl'), Wn = span('nw');
    const yBot = Y(Math.min(...f.negWinners.map((i) => f.h[i])) * 0.8);
    arrows += `<path d="M${L.xc} ${Y(0) + 4} Q${L.xc} ${yBot} ${Wn.x0 - 6} ${yBot}" fill="none" stroke="${C.ink}" stroke-width="1.6" marker-end="url(#ah)"/>`;
    arrows += label(L.xc - 12, Y(0) + (yBot - Y(0)) * 0.45, 'end', [`− α·En = ${alpha.toFixed(2)} × ${f.negEnergy.toFixed(2)} = −${gainN.toFixed(2)}`, `to each of the ${kn} negative winners`]);
  }
  const hChart = bars({
    order, segs: hSegs, titles: hTitles, domain: hDom, height, top, yLabel: 'h', fmt: (v) => v.toFixed(1), brackets, annotate: arrows,
  });

  // 3. Gradient: dL/dh at the winners, then dL/dz in each mode.
  const isW = (i) => role[i] === 'pw' || role[i] === 'nw';
  const g = f.gradH.map((v, i) => (isW(i) ? v : 0));
  const gDom = symDomain(g);
  const gChart = bars({
    order, segs: g.map((v, i) => (isW(i) ? [[0, v, ROLE_FILL[role[i]]]] : [])),
    titles: g.map((v, i) => title(i, isW(i) ? ` · ∂L/∂h = ${sci(v, 3)}` : ' · h is the constant 0: no gradient from the output')),
    domain: gDom, height: 120, yLabel: '∂L/∂h', fmt: (v) => sci(v, 1),
  });
  const short = { pw: 'pos. winners', pl: 'pos. losers', zero: 'zero', nl: 'neg. losers', nw: 'neg. winners' };
  const sideBrackets = brackets.map((b) => ({ ...b, label: short[b.role] }));
  const dzDom = symDomain([...f.gradZ, ...o.gradZ]);
  const dzChart = (e, mode) => bars({
    order,
    segs: e.gradZ.map((v, i) => (v === 0 ? [] : [[0, v, ROLE_FILL[role[i]]]])),
    titles: e.gradZ.map((v, i) => title(i, ` · ∂L/∂z (${mode}) = ${sci(v, 3)}`)),
    domain: dzDom, height: 170, yLabel: '∂L/∂z', fmt: (v) => sci(v, 1), brackets: sideBrackets, W: 600,
  });
  const sumP = f.posWinners.reduce((s, i) => s + f.gradH[i], 0);
  const sumN = f.negWinners.reduce((s, i) => s + f.gradH[i], 0);
  const reached = (e) => e.gradZ.filter((v) => v !== 0).length;
  const reachedLosers = (e) => [...e.posLosers, ...e.negLosers].filter((i) => e.gradZ[i] !== 0).length;

  const halfP = Math.ceil(kModel / 2), halfN = Math.floor(kModel / 2);
  const notes = [];
  const few = (count, sign, half) => (count === 0
    ? `no unit is ${sign}, so the ${half} ${sign} places stay empty`
    : `only ${count} unit${count === 1 ? ' is' : 's are'} ${sign}, so ${count === 1 ? 'it wins' : 'all of them win'}`);
  if (kp < halfP) notes.push(few(kp, 'positive', halfP));
  if (kn < halfN) notes.push(few(kn, 'negative', halfN));
  const winText = Number.isFinite(kModel)
    ? `With k = ${kModel}, the ${halfP} largest positive and the ${halfN} most negative activations win${notes.length ? ` (here ${notes.join('; ')})` : ''}: ${kp + kn} winners; the ${nPL + nNL} others lose.`
    : `The ${kp} largest positive and the ${kn} most negative activations win; the ${nPL + nNL} others lose.`;
  const eP = nPL
    ? `The ${nPL} positive losers’ total activation, <span class="eq">Ep = ${f.posEnergy.toFixed(3)}</span>, is added — amplified by <span class="eq">α = ${alpha.toFixed(2)}</span> — to every positive winner.`
    : 'No positive unit lost, so there is no positive energy to move.';
  const eN = nNL
    ? `The ${nNL} negative losers’ <span class="eq">En = ${f.negEnergy.toFixed(3)}</span> is likewise subtracted, times α, from every negative winner.`
    : 'No negative unit lost, so there is no negative energy to move.';
  const energyText = `${eP} ${eN}`;
  const fullParts = [];
  if (nPL) fullParts.push(`every positive loser receives <span class="eq">α · Σ ∂L/∂h<sub>pos. winners</sub> = ${alpha.toFixed(2)} × ${sci(sumP, 2)} = ${sci(alpha * sumP, 2)}</span>`);
  if (nNL) fullParts.push(`every negative loser <span class="eq">α · Σ ∂L/∂h<sub>neg. winners</sub> = ${alpha.toFixed(2)} × ${sci(sumN, 2)} = ${sci(alpha * sumN, 2)}</span>`);
  const fullText = fullParts.length ? `${fullParts.join(', ')}.` : 'this document has no loser, so only the winners get a gradient.';

  const key = `<div class="xp-key">
    <span><i style="background:${C.posW}"></i>positive winner</span>
    <span><i style="background:${C.posL}"></i>positive loser</span>
    <span><i style="background:${C.negL}"></i>negative loser</span>
    <span><i style="background:${C.negW}"></i>negative winner</span>
    <span><i style="background:${C.gain}"></i><i style="background:${C.gainN}"></i>energy received from the losers</span>
  </div>`;

  const rows = order.map((i) => `<tr><td>${i}</td><td>${ROLE_NAME[role[i]]}</td><td>${f.z[i].toFixed(4)}</td><td>${f.h[i].toFixed(4)}</td>` +
    `<td>${isW(i) ? sci(f.gradH[i], 3) : '–'}</td><td>${sci(f.gradZ[i], 3)}</td><td>${sci(o.gradZ[i], 3)}</td></tr>`).join('');

  container.innerHTML = `
  <div class="xp-doc">
    <div class="title">${doc.label ? `<span class="dot" style="background:${esc(doc.labelColor || '#999')}"></span> <span class="hint">${esc(doc.label)}</span> · ` : ''}${esc(doc.title)}</div>
    <div class="terms" aria-label="The document's vocabulary terms, strongest first">${termHTML || '<span>(no vocabulary term)</span>'}</div>
  </div>

  <div class="xp-step">
    <h3><span class="n">1</span> The encoder: <span class="eq">z = tanh(x·W + b)</span></h3>
    <p>The document’s ${f.terms.length} vocabulary terms (above; darker = larger input <i>x</i>) switch on the
      ${K} hidden units, sorted here by activation. ${winText}</p>
    ${key}
    ${zChart}
  </div>

  <div class="xp-step">
    <h3><span class="n">2</span> The competition: losers give their energy to the winners</h3>
    <p>Every loser outputs 0 (dashed: the activation it had). ${energyText}
      The decoder then reconstructs the document from these ${kp + kn} numbers only (reconstruction loss ${sci(f.loss, 3)}).</p>
    ${hChart}
  </div>

  <div class="xp-step">
    <h3><span class="n">3</span> Learning: the gradient of one training step</h3>
    <p>The reconstruction error sends a gradient <span class="eq">∂L/∂h</span> back from the decoder. It reaches only
      the winners: a loser’s output is the constant 0, so nothing flows to it from the output directly.</p>
    ${gChart}
    <div class="xp-sides">
      <div class="xp-side" id="xp-full">
        <h4>Gradient mode <code>full</code> <span class="hint">(the paper)</span></h4>
        <p>The winners pass their gradient on to the losers through the α connections: ${fullText}
          So a loser still learns: its weights move for this document’s words.</p>
        ${dzChart(f, 'full')}
        <div class="xp-sum"><div><b data-testid="full-reached">${reached(f)}</b>of ${K} units get a gradient</div>
          <div><b>${reachedLosers(f)}</b>of ${nPL + nNL} losers learn</div><div><b>${kp + kn}</b>winners learn directly</div></div>
      </div>
      <div class="xp-side" id="xp-none">
        <h4>Gradient mode <code>none</code></h4>
        <p>No gradient passes back through the competition: <span class="eq">∂L/∂z = 0</span> at every unit. The
          winners’ weights still learn through the tied decoder (the same <i>W</i>), but the losers learn nothing
          from this document.</p>
        ${dzChart(o, 'none')}
        <div class="xp-sum"><div><b data-testid="none-reached">${reached(o)}</b>of ${K} units get a gradient</div>
          <div><b>${reachedLosers(o)}</b>of ${nPL + nNL} losers learn</div><div><b>${kp + kn}</b>winners learn via the decoder</div></div>
      </div>
    </div>
  </div>

  <details class="numbers">
    <summary>All the numbers (${K} units)</summary>
    <div class="xp-table-wrap"><table class="xp-table">
      <thead><tr><th>unit</th><th>role</th><th>z</th><th>h</th><th>∂L/∂h</th><th>∂L/∂z full</th><th>∂L/∂z none</th></tr></thead>
      <tbody>${rows}</tbody></table></div>
  </details>`;
}
