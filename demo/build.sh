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
# The search page's index (kate index on the sample as the demo shows it),
# rebuilt only when the sample, the index writer or this recipe changed.
cache=demo/.cache
mkdir -p "$cache"
key=$(cat testdata/20news-sample.jsonl.gz cmd/kate/index.go demo/make-search-index.mjs demo/src/corpus.js demo/build.sh | sha256sum | cut -d' ' -f1)
if [[ ! -f $cache/sample.kidx || $(cat "$cache/sample.kidx.key" 2>/dev/null) != "$key" ]]; then
	echo "demo/build.sh: building the search index of the sample (kate index, 60 epochs; cached in demo/.cache)" >&2
	node demo/make-search-index.mjs testdata/20news-sample.jsonl.gz >"$cache/sample-docs.jsonl"
	go run ./cmd/kate index --quiet --epochs 60 -o "$cache/sample.kidx" "$cache/sample-docs.jsonl" >&2
	echo "$key" >"$cache/sample.kidx.key"
fi
rm -rf "$out"
mkdir -p "$out/src" "$out/kate" "$out/data"
cp demo/index.html demo/search.html demo/style.css "$out/"
cp demo/src/*.js "$out/src/"
cp -R js/dist/. "$out/kate/"
cp testdata/20news-sample.jsonl.gz "$out/data/"
cp "$cache/sample.kidx" "$out/data/sample.kidx"
total=$(du -sk "$out" | cut -f1)
echo "demo/build.sh: built $out (${total} KB; sample $(du -k testdata/20news-sample.jsonl.gz | cut -f1) KB)" >&2
