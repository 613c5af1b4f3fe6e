#!/usr/bin/env bash
# js/test.sh — tests of the browser package; run after js/build.sh (as
# ./build.sh test does):
#   1. Go tests of the bridge and the SIMD kernels under GOOS=js GOARCH=wasm (Node)
#   2. API tests with node:test: engine on the main thread and in a worker thread
#      (and js/wasm-data.mjs, which joins kate.wasm's data segments)
#   3. packaging: npm pack (once, before the tests that install it), install
#      the tarball in a temporary project, use it
#   4. headless Chromium: ES module and script-tag builds, worker and main thread
#   5. the example apps of js/examples (Vite build and dev server, webpack,
#      esbuild, Rollup, script tag) built from the packed package, in Chromium
#   6. the size budget (gzipped kate.wasm + JavaScript <= 1 MB)
set -euo pipefail
cd "$(dirname "$0")/.."
log() { printf '\n==> %s\n' "$*" >&2; }
if [[ ! -f js/dist/kate.wasm || ! -f js/dist/kate.mjs ]]; then
	echo "js/test.sh: js/dist is not built; run bash js/build.sh first" >&2
	exit 1
fi
log "node --check js/src"
for f in js/src/*.js; do node --check "$f"; done
log "go test (GOOS=js GOARCH=wasm) ./wasm/..."
GOOS=js GOARCH=wasm go test -count=1 -exec="$PWD/scripts/go_js_wasm_exec" ./wasm/...
log "npm pack"
KATE_PACK_DIR=$(mktemp -d)
export KATE_PACK_DIR
trap 'rm -rf "$KATE_PACK_DIR"' EXIT
(cd js && npm pack --json --pack-destination "$KATE_PACK_DIR" >"$KATE_PACK_DIR/pack.json")
log "JS API and packaging tests (Node $(node --version))"
node --test --test-timeout=300000 js/test/wasm-data.test.mjs js/test/protocol.test.mjs js/test/api-local.test.mjs js/test/encode-kernels.test.mjs js/test/api-worker.test.mjs js/test/package.test.mjs
log "browser tests (headless Chromium)"
node --test --test-timeout=600000 js/test/browser.test.mjs
log "example apps: each bundler, from the packed package (headless Chromium)"
node --test --test-timeout=600000 js/test/examples.test.mjs
log "size budget"
node js/build.mjs --check
