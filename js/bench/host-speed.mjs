// host-speed.mjs — how steady is this machine? Times the same fixed work
// slice by slice: a compute-bound loop (square roots on 32 KB) and a
// memory-streaming one (two 12 MB arrays, about what a training batch's
// Adadelta update streams at V = 2,000). Nothing of kate runs; when the
// slices of one kind differ by more than their usual ±10%, the machine
// itself changed speed (on a virtual machine: other tenants of the host's
// cores, memory bandwidth or shared cache), and so did every benchmark
// measured at that time (docs/speed.md, "Where issue 14 stands (end of
// the fifth session)").
//
//   node js/bench/host-speed.mjs [--slices 24] [--rounds 2] [--json]
//
// --json: the last line is {"compute": ms, "memory": ms}, the last round's
// median slices (js/bench/run.mjs runs it before each of its runs).
import { flagValue as arg } from '../test/support.mjs';

const slices = Number(arg('slices', 24));
const rounds = Number(arg('rounds', 2));
const json = process.argv.includes('--json');
const last = {};

function compute() {
  const a = new Float64Array(4096).map((_, i) => i * 1e-3);
  let x = 0;
  for (let r = 0; r < 6000; r++) for (let i = 0; i < a.length; i++) x += Math.sqrt(a[i] + r);
  return x;
}

const a = new Float32Array(3 << 20).fill(1);
const b = new Float32Array(3 << 20).fill(2);
function stream() {
  for (let r = 0; r < 40; r++) for (let i = 0; i < a.length; i++) a[i] = a[i] * 0.999 + b[i] * 0.001;
  return a[0];
}

const median = (xs) => [...xs].sort((p, q) => p - q)[(xs.length - 1) >> 1];
for (let round = 1; round <= rounds; round++) {
  for (const [name, work] of [['compute', compute], ['memory', stream]]) {
    const ms = [];
    for (let s = 0; s < slices; s++) {
      const t0 = performance.now();
      if (Number.isNaN(work())) console.log('');
      ms.push(Math.round(performance.now() - t0));
    }
    const m = median(ms);
    last[name] = m;
    console.log(`round ${round} ${name.padEnd(7)} median ${m} ms, slowest ${Math.max(...ms)} ms (${(Math.max(...ms) / m).toFixed(2)}x): ${ms.join(' ')}`);
  }
}
if (json) console.log(JSON.stringify(last));
