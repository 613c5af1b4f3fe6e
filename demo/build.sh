#!/usr/bin/env bash
# demo/build.sh — assembles the static demo site in demo/dist/ from the demo
# sources, the browser package (js/dist/, built by js/build.sh) and the
# bundled corpus. demo/dist/ is not committed; any static file server can
# serve it (demo/serve.sh is one).
set -euo pipefail
cd "$(dirname "$0")/.."
out=demo/dist
need=(kate.mjs kate.worker.js kate.wasm)
for f in "${need[@]}"; do
	if [[ ! -f js/dist/$f ]]; then
		echo "demo/build.sh: js/dist/$f is missing; build the package first (bash js/build.sh)" >&2
		exit 1
	fi
done
if [[ ! -f testdata/20news-sample.jsonl.gz ]]; then
	echo "demo/build.sh: testdata/20news-sample.jsonl.gz is missing (go run ./scripts/make-sample)" >&2
	exit 1
fi
rm -rf "$out"
mkdir -p "$out/src" "$out/kate" "$out/data"
cp demo/index.html demo/style.css "$out/"
cp demo/src/*.js "$out/src/"
cp -R js/dist/. "$out/kate/"
cp testdata/20news-sample.jsonl.gz "$out/data/"
total=$(du -sk "$out" | cut -f1)
echo "demo/build.sh: built $out (${total} KB; sample $(du -k testdata/20news-sample.jsonl.gz | cut -f1) KB)" >&2
