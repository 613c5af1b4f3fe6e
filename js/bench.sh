#!/usr/bin/env bash
# js/bench.sh — benchmarks of the browser package (after js/build.sh):
# training docs/s with the SIMD and the pure-Go kernels (and, in the same
# Chromium, the same model trained with TensorFlow.js's wasm backend, a dev
# dependency: js/bench/tfjs.html), encoding docs/s
# (cold and warm token cache) and peak WebAssembly memory, in headless
# Chromium (a Web Worker) and in Node (a worker thread), on the full
# 20 Newsgroups corpus when ../shared/data (beside the repository) has it, else on the bundled
# sample. Arguments go to js/bench/run.mjs (--epochs N (8), --runs N,
# --only chromium|node, --tfjs-seconds N); KATE_BENCH_DATA=FILE picks another corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -f js/dist/kate.wasm ]]; then
	bash js/build.sh
fi
node js/bench/run.mjs "$@"
