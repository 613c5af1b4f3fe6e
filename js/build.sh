#!/usr/bin/env bash
# js/build.sh — builds the browser package in js/dist:
#   kate.wasm       the Go bridge (./wasm), GOOS=js GOARCH=wasm
#   wasm_exec.js    Go's support file, copied from the same toolchain
#   kate.mjs        ES module
#   kate.js         script-tag build (global KATE)
#   kate.worker.js  the Web Worker
#   kate.d.ts       type declarations
# and checks the size budget (gzipped wasm + JavaScript <= 1 MB).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p js/dist
GOOS=js GOARCH=wasm go build -trimpath -ldflags='-s -w' -o js/dist/kate.wasm ./wasm
cp "$(go env GOROOT)/lib/wasm/wasm_exec.js" js/dist/wasm_exec.js
node js/build.mjs "$@"
