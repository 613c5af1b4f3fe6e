#!/usr/bin/env bash
# build.sh — build, test, serve and benchmark the project.
#
#   ./build.sh            build js/dist (wasm + JS package), the demo and the command-line tool
#                         bin/kate (with GOEXPERIMENT=simd: AVX2 kernels on amd64)
#   ./build.sh test       every test: Go (native and wasm), JS, browser, demo, worker
#   ./build.sh bench      benchmarks (Go native, Go under wasm in Node, browser with TF.js, first
#                         embedding), then one summary table (scripts/bench-summary.mjs)
#   ./build.sh serve      build and serve the demo on http://127.0.0.1:8080
#   ./build.sh worker-dev run the Workers service locally on http://127.0.0.1:8787
#   ./build.sh stress     the big-input reliability checks (minutes, GBs; not CI)
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
# The repository's runner of GOOS=js test binaries: Go's go_js_wasm_exec plus the
# kate_simd imports a binary linking wasm/simd needs (scripts/go_js_wasm_exec).
WASM_EXEC_NODE="$ROOT/scripts/go_js_wasm_exec"

log() { printf '\n==> %s\n' "$*" >&2; }
die() {
	printf 'build.sh: %s\n' "$*" >&2
	exit 1
}

# need_tools: Go and Node must be on PATH (checked first, so a missing tool
# fails in the first second, not after minutes of tests).
need_tools() {
	command -v go >/dev/null 2>&1 || die "Go is missing: install Go 1.26 (https://go.dev/dl/)"
	command -v node >/dev/null 2>&1 || die "Node is missing: install Node 20 and npm (apt-get install nodejs npm)"
}

# node_deps: runs `npm ci` when node_modules is missing or was installed from
# another package-lock.json (a stamp holds the lockfile's hash).
node_deps() {
	local stamp=node_modules/.package-lock.sha256 want
	want=$(sha256sum package-lock.json | cut -d' ' -f1)
	if [[ -f $stamp && $(cat "$stamp") == "$want" ]]; then
		return
	fi
	command -v npm >/dev/null 2>&1 || die "npm is missing: install it (apt-get install npm), then run: npm ci"
	log "npm ci (node_modules missing or older than package-lock.json)"
	npm ci --no-audit --no-fund || die "npm ci failed; run it yourself at the repository root: npm ci"
	echo "$want" >"$stamp"
}

# chromium_dep: the browser tests need a Chromium. CHROMIUM names one;
# otherwise Debian's chromium, installed through apt when we are root.
chromium_dep() {
	if [[ -n ${CHROMIUM:-} ]]; then
		[[ -x $CHROMIUM ]] || die "CHROMIUM=$CHROMIUM is not an executable file"
		return
	fi
	local found
	found=$(command -v chromium || command -v chromium-browser || true)
	if [[ -z $found && $(id -u) == 0 ]] && command -v apt-get >/dev/null 2>&1; then
		log "installing Debian's chromium (apt-get)"
		DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null ||
			die "apt-get install chromium failed; install it yourself: apt-get install chromium"
		found=$(command -v chromium || true)
	fi
	[[ -n $found ]] || die "Chromium is missing for the browser tests: run sudo apt-get install chromium (or set CHROMIUM=/path/to/chrome)"
	export CHROMIUM=$found
}

# part SCRIPT ARGS...: run a part's own script; a missing script is an
# error, not a silent skip.
part() {
	local script=$1
	shift
	[[ -f $script ]] || die "$script is missing (every part's script is part of the repository)"
	bash "$script" "$@"
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
	log "go vet (GOOS=js GOARCH=wasm)"
	GOOS=js GOARCH=wasm go vet ./...
	log "go vet (GOEXPERIMENT=simd)"
	GOEXPERIMENT=simd go vet ./internal/kernels ./cmd/kate
	# No fused multiply-add in arm64 or GOAMD64=v3 builds (docs/design.md §6).
	log "no fused multiply-add (scripts/check-nofma.sh)"
	part scripts/check-nofma.sh
}

# cpu_v3: whether this machine runs GOAMD64=v3 binaries (amd64 with AVX2,
# FMA, BMI1/2, F16C, MOVBE and LZCNT).
cpu_v3() {
	[[ $(go env GOHOSTARCH) == amd64 && -r /proc/cpuinfo ]] || return 1
	local flags f
	flags=$(grep -m1 '^flags' /proc/cpuinfo)
	for f in avx2 fma bmi1 bmi2 f16c movbe abm; do
		[[ " $flags " == *" $f "* ]] || return 1
	done
}

go_tests() {
	log "go test (native)"
	go test -count=1 ./...
	# The native AVX2 kernels (internal/kernels, GOEXPERIMENT=simd) against
	# pure Go bit for bit, and kate's tests with them installed (they skip
	# themselves on a CPU without AVX2 or off amd64).
	log "go test (native, GOEXPERIMENT=simd)"
	GOEXPERIMENT=simd go test -count=1 ./internal/kernels ./kate
	# The same in a GOAMD64=v3 build, where Go may fuse a multiply and an
	# add: the pure-Go kernels must still give the AVX2 kernels' bits
	# (docs/design.md §6; scripts/check-nofma.sh checks the code statically).
	if cpu_v3; then
		log "go test (native, GOAMD64=v3 GOEXPERIMENT=simd)"
		GOAMD64=v3 GOEXPERIMENT=simd go test -count=1 ./internal/kernels ./internal/mathf ./kate
	else
		log "go test (GOAMD64=v3) not run: this CPU does not run x86-64-v3 code"
	fi
	log "go fuzz (brief)"
	# A count, not a duration: Go 1.26's fuzz coordinator can fail a target
	# with "context deadline exceeded" and no crasher at the end of a
	# -fuzztime duration on a loaded machine (golang/go#75804, fixed in Go
	# 1.27); a count sets no deadline.
	go test -run '^$' -fuzz '^FuzzTokenize$' -fuzztime 100000x ./kate
	go test -run '^$' -fuzz '^FuzzUnmarshalModel$' -fuzztime 100000x ./kate
	log "go test (GOOS=js GOARCH=wasm, Node)"
	GOOS=js GOARCH=wasm go test -count=1 -exec="$WASM_EXEC_NODE" ./kate/... ./internal/kernels ./internal/mathf ./internal/parallel ./wasm/simd
}

# build_cli builds the command-line tool with the native SIMD kernels
# (GOEXPERIMENT=simd; plain `go build` or `go install` gives the pure-Go
# kernels, with the same results bit for bit).
build_cli() {
	log "bin/kate (GOEXPERIMENT=simd)"
	GOEXPERIMENT=simd go build -trimpath -o bin/kate ./cmd/kate
}

build_all() {
	part js/build.sh
	part demo/build.sh
	build_cli
}

cmd=${1:-build}
shift || true
need_tools
case $cmd in
build)
	node_deps
	build_all
	;;
test)
	node_deps
	chromium_dep
	go_checks
	go_tests
	build_all
	part js/test.sh
	part demo/test.sh
	part worker/test.sh
	;;
bench)
	node_deps
	chromium_dep
	log "Go benchmarks (native, GOEXPERIMENT=simd: the AVX2 kernels bin/kate uses)"
	{
		GOEXPERIMENT=simd go run ./cmd/kate version
		GOEXPERIMENT=simd go test -run '^$' -bench . -benchtime 2s -count 3 ./kate
	} | tee bench-native.txt
	log "Go benchmarks (native, pure-Go kernels)"
	go test -run '^$' -bench 'Train$' -benchtime 2s -count 3 ./kate | tee bench-native-go.txt
	log "Go benchmarks (wasm in Node)"
	GOOS=js GOARCH=wasm go test -run '^$' -bench 'Train|Encode' -benchtime 2s -count 3 -exec="$WASM_EXEC_NODE" ./kate | tee bench-wasm.txt
	build_all
	part js/bench.sh | tee bench-js.txt
	log "First embedding in headless Chromium (demo/bench/first-embedding.mjs)"
	node demo/bench/first-embedding.mjs 5 | tee bench-first.txt
	node scripts/bench-summary.mjs
	;;
serve)
	node_deps
	build_all
	part demo/serve.sh "$@"
	;;
worker-dev)
	node_deps
	part worker/dev.sh "$@"
	;;
stress)
	part scripts/stress/stress.sh "$@"
	;;
*)
	echo "usage: ./build.sh [build|test|bench|serve|worker-dev|stress]" >&2
	exit 2
	;;
esac
