#!/usr/bin/env bash
# build.sh — build the KATE embedding service for Cloudflare Workers into
# worker/build/ (not committed):
#
#   build/app.wasm      the Go program (GOOS=js GOARCH=wasm), model embedded
#   build/worker.mjs    the Workers entry point (wrangler.toml: main)
#   build/runtime.mjs   }  JavaScript glue from github.com/syumai/workers'
#   build/wasm_exec.js  }  workers-assets-gen (its patched copy of Go's)
#
#   bash worker/build.sh                       embed worker/model/default.kate
#   KATE_MODEL=path/to/model bash worker/build.sh   embed another model file
#
# The model is embedded with //go:embed; KATE_MODEL swaps the file in with a
# go build -overlay, so the checkout is never modified. The script prints the
# wasm's size, gzipped, against the Workers limits.
set -euo pipefail
cd "$(dirname "$0")"
WORKER=$(pwd)

model=$WORKER/model/default.kate
if [[ -n ${KATE_MODEL:-} ]]; then
	model=$(cd "$(dirname "$KATE_MODEL")" && pwd)/$(basename "$KATE_MODEL")
	[[ -f $model ]] || { echo "worker/build.sh: KATE_MODEL=$KATE_MODEL is not a file" >&2; exit 1; }
	# Refuse a file that is not a valid model before building (native check).
	(cd .. && go run ./cmd/kate topics --model "$model" -n 1 >/dev/null)
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go run github.com/syumai/workers/cmd/workers-assets-gen -mode=go -o "$tmp/build"
overlay=()
if [[ $model != "$WORKER/model/default.kate" ]]; then
	printf '{"Replace":{"%s":"%s"}}\n' "$WORKER/model/default.kate" "$model" >"$tmp/overlay.json"
	overlay=(-overlay "$tmp/overlay.json")
fi
sum=$(sha256sum "$model" | cut -d' ' -f1)
# -s -w: no symbol table or DWARF (smaller upload). -X: the model's hash,
# so that GET /v1/model need not hash the file in every fresh instance.
# -buildvcs=false: no VCS stamp, so a clean clone and a work tree build the
# same bytes (docs/speed.md, "Size of the page").
GOOS=js GOARCH=wasm go build -buildvcs=false -trimpath -ldflags="-s -w -X github.com/kate-web/kate/worker/model.BuildSHA256=$sum" "${overlay[@]}" -o "$tmp/build/app.wasm" .
# Join the data segments that Go's linker writes for its sparse runtime
# tables (js/wasm-data.mjs, as js/build.mjs does for kate.wasm): the same
# memory at start, ~70 KB less compressed.
node ../js/wasm-data.mjs "$tmp/build/app.wasm" "$tmp/build/app.wasm" >&2
rm -rf build
mv "$tmp/build" build

raw=$(stat -c %s build/app.wasm)
gz=$(gzip -9c build/app.wasm | wc -c)
mb() { awk -v b="$1" 'BEGIN { printf "%.2f MiB", b / 1048576 }'; }
echo "worker/build: app.wasm $(mb "$raw"), gzipped $(mb "$gz") (Workers limits, compressed: 3 MiB free, 10 MiB paid); model $(basename "$model") $(stat -c %s "$model") bytes" >&2
