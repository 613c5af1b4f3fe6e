#!/usr/bin/env bash
# js/build.sh — builds the browser package in js/dist:
#   kate.wasm       the Go bridge (./wasm), GOOS=js GOARCH=wasm
# then js/build.mjs bundles js/src with esbuild (with the same toolchain's
# wasm_exec.js inside) into kate.mjs, kate.js, kate.worker.js and the Node
# builds, copies kate.d.ts and checks the size budget (gzipped wasm +
# JavaScript <= 1 MB).
#
# -buildvcs=false: no vcs.revision, vcs.time or vcs.modified in the binary,
# so one commit builds the same kate.wasm in a clean clone and in a worktree
# with changes (the stamp cost 157 gzipped bytes, and a GOFLAGS from the
# environment replaces one set with go env -w). Nothing reads the stamp:
# the version the library reports is kate.Version.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p js/dist
GOOS=js GOARCH=wasm go build -trimpath -buildvcs=false -ldflags='-s -w' -o js/dist/kate.wasm ./wasm
node js/build.mjs "$@"
