#!/usr/bin/env node
// table.mjs — turns `kate eval` JSON lines (one file each, as suite.sh
// writes them) into one Markdown table: one row per data set, means over
// the files (seeds) of that data set, and the spread (min–max) of KATE's
// classification score.
//
//   node scripts/corpora/table.mjs FILE...
import fs from 'node:fs';

const runs = {};
for (const f of process.argv.slice(2)) {
  const lines = fs.readFileSync(f, 'utf8').trim().split('\n');
  let r;
  try {
    r = JSON.parse(lines[lines.length - 1]);
  } catch {
    console.error(`table.mjs: ${f}: last line is not a JSON object`);
    process.exit(1);
  }
  (runs[r.dataset] ??= []).push(r);
}
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const fmt = (v) => (v === undefined || Number.isNaN(v) ? '' : v.toFixed(4));
const pick = (rs, f) => {
  const xs = rs.map(f).filter((v) => typeof v === 'number');
  return xs.length === rs.length ? xs : undefined;
};
// LSA does not depend on the seed (only on the split), so suite.sh computes
// it in the first seed's run only: its figures are taken from the runs that
// have them.
const pickLSA = (rs, f) => {
  const xs = rs.map(f).filter((v) => typeof v === 'number');
  return xs.length ? xs : undefined;
};
console.log('| data set | docs train/test | classes | score | KATE | LSA | KATE − LSA | KATE P@0.01 | KATE P@0.01 from origin | LSA P@0.01 | KATE P@0.001 | LSA P@0.001 | KATE R² | LSA R² | KATE NPMI | NMF NPMI | seeds | KATE min–max | epochs (best) |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const [name, rs] of Object.entries(runs)) {
  const multi = rs[0].multi_label;
  const score = multi ? 'micro-F1' : 'accuracy';
  const k = pick(rs, (r) => (multi ? r.micro_f1 : r.accuracy));
  const l = pickLSA(rs, (r) => (multi ? r.lsa_micro_f1 : r.lsa_accuracy));
  const kp = pick(rs, (r) => r.precision?.['0.01']);
  // From the model's origin: what `kate similar` and the demo rank by
  // (LSA's origin is zero, so its raw column is also its origin column).
  const ko = pick(rs, (r) => r.precision_origin?.['0.01']);
  const kn = pick(rs, (r) => r.topic_npmi);
  const nn = pick(rs, (r) => r.nmf_npmi);
  const lp = pickLSA(rs, (r) => r.lsa_precision?.['0.01']);
  const kp3 = pick(rs, (r) => r.precision?.['0.001']);
  const lp3 = pickLSA(rs, (r) => r.lsa_precision?.['0.001']);
  const kr = pick(rs, (r) => r.r2);
  const lr = pickLSA(rs, (r) => r.lsa_r2);
  const m = (xs) => (xs ? mean(xs) : undefined);
  const diff = k && l ? (mean(k) - mean(l)) * 100 : undefined;
  console.log(`| ${name} | ${rs[0].docs_train}/${rs[0].docs_test} | ${rs[0].classes} | ${score} | ${fmt(m(k))} | ${fmt(m(l))} | ${diff === undefined ? '' : (diff >= 0 ? '+' : '') + diff.toFixed(1) + ' pt'} | ${fmt(m(kp))} | ${fmt(m(ko))} | ${fmt(m(lp))} | ${fmt(m(kp3))} | ${fmt(m(lp3))} | ${fmt(m(kr))} | ${fmt(m(lr))} | ${fmt(m(kn))} | ${fmt(m(nn))} | ${rs.map((r) => r.seed).join(',')} | ${k ? `${Math.min(...k).toFixed(4)}–${Math.max(...k).toFixed(4)}` : ''} | ${rs.map((r) => `${r.epochs} (${r.best_epoch})`).join(', ')} |`);
}
