#!/usr/bin/env bash
# build.sh — build, test, serve and benchmark the project.
#
#   ./build.sh            build js/dist (wasm + JS package) and the demo
#   ./build.sh test       every test: Go (native and wasm), JS, browser, demo, worker
#   ./build.sh bench      benchmarks (Go native, Go under wasm in Node, browser)
#   ./build.sh serve      build and serve the demo on http://127.0.0.1:8080
#   ./build.sh worker-dev run the Workers service locally on http://127.0.0.1:8787
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
GOROOT_DIR=$(go env GOROOT)
WASM_EXEC_NODE="$GOROOT_DIR/lib/wasm/go_js_wasm_exec"

log() { printf '\n==> %s\n' "$*" >&2; }

# part NAME SCRIPT ARGS...: run a part's own script when that part exists.
part() {
	local script=$1
	shift
	if [[ -f $script ]]; then
		bash "$script" "$@"
	else
		log "skip: $script not present"
	fi
}

go_checks() {
	log "gofmt"
	local bad
	bad=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './node_modules/*'))
	if [[ -n $bad ]]; then
		echo "gofmt needed on:" >&2
		echo "$bad" >&2
		return 1
	fi
	log "go vet"
	go vet ./...
	GOOS=js GOARCH=wasm go vet ./kate/... ./wasm/... 2>/dev/null || GOOS=js GOARCH=wasm go vet ./kate/...
}

go_tests() {
	log "go test (native)"
	go test -count=1 ./...
	log "go fuzz (brief)"
	go test -run '^$' -fuzz '^FuzzTokenize$' -fuzztime 10s ./kate
	go test -run '^$' -fuzz '^FuzzUnmarshalModel$' -fuzztime 10s ./kate
	log "go test (GOOS=js GOARCH=wasm, Node)"
	GOOS=js GOARCH=wasm go test -count=1 -exec="$WASM_EXEC_NODE" ./kate/...
}

build_all() {
	part js/build.sh
	part demo/build.sh
}

cmd=${1:-build}
shift || true
case $cmd in
build)
	build_all
	;;
test)
	go_checks
	go_tests
	build_all
	part js/test.sh
	part demo/test.sh
	part worker/test.sh
	;;
bench)
	log "Go benchmarks (native)"
	go test -run '^$' -bench . -benchtime 2s -count 3 ./kate | tee bench-native.txt
	log "Go benchmarks (wasm in Node)"
	GOOS=js GOARCH=wasm go test -run '^$' -bench 'Train|Encode' -benchtime 2s -count 3 -exec="$WASM_EXEC_NODE" ./kate | tee bench-wasm.txt
	build_all
	part js/bench.sh
	;;
serve)
	build_all
	part demo/serve.sh "$@"
	;;
worker-dev)
	part worker/dev.sh "$@"
	;;
*)
	echo "usage: ./build.sh [build|test|bench|serve|worker-dev]" >&2
	exit 2
	;;
esac
