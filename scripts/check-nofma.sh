#!/usr/bin/env bash
# check-nofma.sh — fails if the compiler fuses a multiply and an add anywhere
# in this module's code (docs/design.md §6, Determinism).
#
#   bash scripts/check-nofma.sh
#
# The Go spec lets a compiler fuse x*y + z into one fused multiply-add (FMA),
# which rounds once instead of twice. Go does so on arm64 always and on amd64
# with GOAMD64=v3 or v4; the WebAssembly build and the SIMD kernels never do,
# so a fused site would make native results differ from the browser's. An
# explicit conversion of the product, float32(x*y) + z, forbids the fusion.
#
# This compiles every package of the module and its tests (without running
# them) for GOARCH=arm64, for GOAMD64=v3 and for GOAMD64=v3
# GOEXPERIMENT=simd (the native AVX2/AVX-512 kernels), with -gcflags=-S on
# this module's packages only (not the standard library or gonum), and lists
# file:line of every fused instruction in this module's files. The build
# cache replays the assembly listing, so a second run takes seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

# Scalar and packed fused instructions: arm64 FMADDS/FMADDD/FMSUBS/FMSUBD
# and their FNM forms, VFMLA/VFMLS; amd64 VFMADD231SS, VFNMSUB213PD, ...
ARM64_RE='[[:space:]](F(N)?M(ADD|SUB)[SD]|VFML[AS])[[:space:]]'
AMD64_RE='[[:space:]]VFN?M(ADD|SUB)[A-Z0-9]*[[:space:]]'

status=0
# check NAME REGEXP ENV...: build the module's packages with ENV and list
# the fused instructions found in its own files.
check() {
	local name=$1 re=$2
	shift 2
	local out hits
	out=$(mktemp)
	# go build lists the packages' own code; go test the test files too (a
	# test's reference computation must round as the kernel it checks). The
	# test binaries run true instead of the tests: compile and link only.
	if ! { env "$@" go build -gcflags=-S ./... &&
		env "$@" go test -count=1 -vet=off -run '^$' -exec true -gcflags=-S ./...; } >"$out" 2>&1; then
		echo "check-nofma: go build or go test -exec true ($name) failed:" >&2
		grep -v '^[[:space:]]' "$out" | head -20 >&2
		rm -f "$out"
		status=1
		return
	fi
	# Listing lines look like "	0x0038 00056 (/path/file.go:68)	FMADDS	...":
	# keep those of files under the repository and print file:line and the
	# instruction.
	hits=$({ grep -E "$re" "$out" || true; } |
		sed -nE "s|^.*\((${ROOT//|/\\|}/[^):]+:[0-9]+)\)[[:space:]]+([A-Z0-9]+).*$|\1 \2|p" |
		sed "s|^$ROOT/||" | sort -t: -k1,1 -k2,2n -u)
	rm -f "$out"
	if [[ -n $hits ]]; then
		echo "check-nofma: $(wc -l <<<"$hits") fused multiply-add site(s) with $name:" >&2
		echo "$hits" >&2
		status=1
	else
		echo "check-nofma: no fused multiply-add with $name"
	fi
}

check "GOARCH=arm64" "$ARM64_RE" GOARCH=arm64 GOOS=linux
check "GOAMD64=v3" "$AMD64_RE" GOARCH=amd64 GOOS=linux GOAMD64=v3
check "GOAMD64=v3 GOEXPERIMENT=simd" "$AMD64_RE" GOARCH=amd64 GOOS=linux GOAMD64=v3 GOEXPERIMENT=simd
if ((status != 0)); then
	echo "check-nofma: convert each product explicitly, e.g. y[i] += float32(a * x[i]) (docs/design.md §6)" >&2
fi
exit $status
