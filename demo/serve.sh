#!/usr/bin/env bash
# demo/serve.sh — serves demo/dist on http://127.0.0.1:8080 (./build.sh serve
# builds it first). Options: --port N, --host H (or the PORT and HOST
# environment variables).
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -f demo/dist/index.html ]]; then
	echo "demo/serve.sh: demo/dist is not built; run ./build.sh (or ./build.sh serve)" >&2
	exit 1
fi
exec node scripts/web/server.mjs --root demo/dist "$@"
