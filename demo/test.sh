#!/usr/bin/env bash
# demo/test.sh — the demo's tests (called by ./build.sh test after the build):
# unit tests of the input parsing in Node, then the headless Chromium test of
# the built site (demo/dist). Screenshots land in demo/test-output/.
# DEMO_EPOCHS (default 10) sets the epochs of the autotrain run.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "==> demo: parsing, layout, training advice and site-search tests (node:test)" >&2
node --test demo/test/corpus.test.mjs demo/test/layout.test.mjs demo/test/training.test.mjs demo/test/search.test.mjs
if [[ ! -f demo/dist/index.html ]]; then
	bash demo/build.sh
fi
if [[ ! -d node_modules/playwright-core ]]; then
	echo "demo/test.sh: node_modules/playwright-core is missing: run npm ci at the repository root" >&2
	exit 1
fi
echo "==> demo: headless Chromium test (screenshots in demo/test-output/)" >&2
node --test --test-reporter=spec demo/test/browser.test.mjs
