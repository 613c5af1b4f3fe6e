#!/usr/bin/env bash
# test.sh — end-to-end test of the Workers build (called by ./build.sh test):
#
#   0. runs the handler's Go tests compiled to wasm (in Node), and the tests
#      of the entry point's concurrency limit (limit.test.mjs),
#   1. builds it (worker/build.sh),
#   2. starts `wrangler dev` (the local workerd runtime) on a free loopback
#      port,
#   3. runs worker/internal/check against it: first/warm latency, good and
#      bad requests, embeddings equal to the native Go encoding and to
#      `kate encode` (CLI) for the same model and texts (within 1e-6), and a
#      bounded load check (200 requests, concurrency 8),
#   4. always stops wrangler (trap), under an overall time limit.
#
# Needs `npm ci` at the repository root (wrangler is a devDependency).
# Environment: KATE_WORKER_TEST_TIMEOUT (seconds, default 600),
# LOAD_REQUESTS (200), LOAD_CONCURRENCY (8).
set -euo pipefail
cd "$(dirname "$0")"
WORKER=$(pwd)
ROOT=$(cd .. && pwd)

# Overall time limit: run the body under timeout(1).
if [[ -z ${KATE_WORKER_TEST_INNER:-} ]]; then
	export KATE_WORKER_TEST_INNER=1
	exec timeout --kill-after=15 "${KATE_WORKER_TEST_TIMEOUT:-600}" bash "$WORKER/$(basename "$0")" "$@"
fi

export WRANGLER_SEND_METRICS=false
WRANGLER=$ROOT/node_modules/.bin/wrangler
log() { printf '\n==> worker: %s\n' "$*" >&2; }

if [[ ! -x $WRANGLER ]]; then
	echo "worker/test.sh: $WRANGLER not found: run 'npm ci' at the repository root" >&2
	exit 1
fi

tmp=$(mktemp -d)
wrangler_pid=
cleanup() {
	local rc=$?
	if [[ -n $wrangler_pid ]] && kill -0 -- "-$wrangler_pid" 2>/dev/null; then
		# wrangler runs in its own process group (setsid): stop it and its
		# workerd child together, then make sure they are gone.
		kill -TERM -- "-$wrangler_pid" 2>/dev/null || true
		for _ in $(seq 1 50); do
			kill -0 -- "-$wrangler_pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL -- "-$wrangler_pid" 2>/dev/null || true
	fi
	if ((rc != 0)) && [[ -f $tmp/wrangler.log ]]; then
		echo "---- wrangler log (last 40 lines) ----" >&2
		tail -n 40 "$tmp/wrangler.log" >&2 || true
	fi
	rm -rf "$tmp"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 143' TERM INT

free_port() {
	node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

log "service tests under GOOS=js GOARCH=wasm (Node)"
(cd "$ROOT" && GOOS=js GOARCH=wasm go test -count=1 -exec="$(go env GOROOT)/lib/wasm/go_js_wasm_exec" ./worker/service ./worker/model)

log "entry point: one request at a time per isolate (node --test limit.test.mjs)"
node --test "$WORKER/limit.test.mjs"

log "build"
bash "$WORKER/build.sh"

log "texts and the CLI's embeddings"
(cd "$ROOT" && go build -o "$tmp/check" ./worker/internal/check)
"$tmp/check" -write-texts "$tmp/texts.jsonl" -corpus "$ROOT/testdata/20news-sample.jsonl.gz" -split test -n 64
(cd "$ROOT" && go run ./cmd/kate encode --model "$WORKER/model/default.kate" --data "$tmp/texts.jsonl" -o "$tmp/cli.f32")

port=$(free_port)
inspector=$(free_port)
log "wrangler dev on 127.0.0.1:$port"
setsid "$WRANGLER" dev --ip 127.0.0.1 --port "$port" --inspector-port "$inspector" \
	--show-interactive-dev-session=false --log-level warn >"$tmp/wrangler.log" 2>&1 </dev/null &
wrangler_pid=$!

log "check"
"$tmp/check" -url "http://127.0.0.1:$port" -model "$WORKER/model/default.kate" \
	-texts "$tmp/texts.jsonl" -cli-f32 "$tmp/cli.f32" -wait 90s -timeout 300s \
	-requests "${LOAD_REQUESTS:-200}" -concurrency "${LOAD_CONCURRENCY:-8}"

log "bundle size (wrangler deploy --dry-run)"
"$WRANGLER" deploy --dry-run --outdir "$tmp/dist" 2>&1 | grep -E 'Total Upload' || true
log "ok"
