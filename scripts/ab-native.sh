#!/usr/bin/env bash
# ab-native.sh — native training throughput, pure-Go kernels against the
# AVX2 kernels (GOEXPERIMENT=simd), the two builds alternating in one run so
# that both see the same machine load (docs/speed.md, "Native kernels").
#
#   bash scripts/ab-native.sh [ROUNDS] [BENCH-REGEXP] [BENCHTIME]
#   bash scripts/ab-native.sh corpus [ROUNDS] [DATA] [EPOCHS]
#
# Defaults: 5 rounds of -bench 'Train$/k=32/sparse' -benchtime 200x. Prints
# every round, then per benchmark the median docs/s of each build and their
# ratio, with the load average before and after.
#
# "corpus" runs `kate train --data DATA --split train --epochs EPOCHS`
# instead (defaults: 3 rounds, ../shared/data/20news-bydate.jsonl.gz, 3
# epochs), the two builds of cmd/kate alternating, and compares the docs/s
# they print (training and the validation loss, all cores) and checks
# that both wrote the same model file.
#
#   bash scripts/ab-native.sh commits REV_A REV_B [ROUNDS] [DATA] [EPOCHS]
#
# "commits" compares two commits of this repository instead of two kernel
# sets: cmd/kate of each (from git archive, built with GOEXPERIMENT=simd;
# KATE_KERNELS=go in the environment runs both on the pure-Go kernels)
# runs the same kate train, alternating (defaults: 5 rounds, 20 Newsgroups,
# 3 epochs); prints the docs/s and the CPU seconds (user + system) of every
# run, their medians and B/A, and checks that both wrote the same model file
# (with KATE_AB_MODELS=differ, for a change meant to change the model's
# bytes, it only reports whether they differ).
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ${1:-} == commits ]]; then
	[[ $# -ge 3 ]] || { echo "usage: bash scripts/ab-native.sh commits REV_A REV_B [ROUNDS] [DATA] [EPOCHS]" >&2; exit 2; }
	revs=("$2" "$3")
	rounds=${4:-5}
	data=${5:-../shared/data/20news-bydate.jsonl.gz}
	epochs=${6:-3}
	[[ -f $data ]] || { echo "ab-native.sh: $data is missing" >&2; exit 1; }
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	for s in 0 1; do
		mkdir "$tmp/src$s"
		git archive "${revs[$s]}" | tar -x -C "$tmp/src$s"
		(cd "$tmp/src$s" && GOEXPERIMENT=simd go build -o "$tmp/kate$s" ./cmd/kate)
	done
	"$tmp/kate1" version
	echo "A = ${revs[0]} ($(git rev-parse --short "${revs[0]}")), B = ${revs[1]} ($(git rev-parse --short "${revs[1]}")), kernels ${KATE_KERNELS:-native: avx2, avx512 where the CPU has it}"
	echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
	TIMEFORMAT='%U %S'
	for r in $(seq "$rounds"); do
		order="0 1"
		((r % 2)) || order="1 0"
		for s in $order; do
			{ time "$tmp/kate$s" train --data "$data" --split train --epochs "$epochs" -o "$tmp/m$s.kate" >"$tmp/out$s" 2>&1; } 2>"$tmp/time$s"
			rate=$(awk '/^time/ { for (i = 1; i < NF; i++) if ($(i+1) == "docs/s") print $i }' "$tmp/out$s" | tr -d ,)
			cpu=$(awk '{ print $1 + $2 }' "$tmp/time$s")
			side=A
			((s == 0)) || side=B
			echo "$r $side $rate $cpu" | tee -a "$tmp/all.txt"
		done
		same="same model file"
		cmp -s "$tmp/m0.kate" "$tmp/m1.kate" || same="different model files"
		[[ $same == same* || ${KATE_AB_MODELS:-} == differ ]] || { echo "ab-native.sh: the two commits wrote different models" >&2; exit 1; }
	done
	echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
	med() { awk -v b="$1" -v c="$2" '$2 == b {print $c}' "$tmp/all.txt" | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
	awk -v ra="$(med A 3)" -v rb="$(med B 3)" -v ca="$(med A 4)" -v cb="$(med B 4)" -v same="$same" 'BEGIN {
		printf "kate train, medians: A %.0f docs/s, %.2f CPU s; B %.0f docs/s, %.2f CPU s; B/A %.2f by docs/s, %.2f by CPU time (%s)\n", ra, ca, rb, cb, rb / ra, ca / cb, same }'
	exit 0
fi
if [[ ${1:-} == corpus ]]; then
	rounds=${2:-3}
	data=${3:-../shared/data/20news-bydate.jsonl.gz}
	epochs=${4:-3}
	[[ -f $data ]] || { echo "ab-native.sh: $data is missing" >&2; exit 1; }
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	go build -o "$tmp/kate-go" ./cmd/kate
	GOEXPERIMENT=simd go build -o "$tmp/kate-simd" ./cmd/kate
	"$tmp/kate-simd" version
	echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
	for r in $(seq "$rounds"); do
		for b in go simd; do
			rate=$("$tmp/kate-$b" train --data "$data" --split train --epochs "$epochs" -o "$tmp/$b.kate" 2>&1 |
				awk '/^time/ { for (i = 1; i < NF; i++) if ($(i+1) == "docs/s") print $i }' | tr -d ,)
			echo "$r $b $rate" | tee -a "$tmp/all.txt"
		done
		cmp -s "$tmp/go.kate" "$tmp/simd.kate" || { echo "ab-native.sh: the two builds wrote different models" >&2; exit 1; }
	done
	echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
	med() { awk -v b="$1" '$2 == b {print $3}' "$tmp/all.txt" | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
	awk -v g="$(med go)" -v s="$(med simd)" 'BEGIN { printf "kate train, median docs/s: pure Go %.0f, native %.0f, %.2fx (same model file)\n", g, s, s / g }'
	exit 0
fi
rounds=${1:-5}
bench=${2:-'Train$/k=32/sparse'}
benchtime=${3:-200x}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go test -c -o "$tmp/go.test" ./kate
GOEXPERIMENT=simd go test -c -o "$tmp/simd.test" ./kate
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$rounds"); do
	for b in go simd; do
		(cd kate && "$tmp/$b.test" -test.run '^$' -test.bench "$bench" -test.benchtime "$benchtime") |
			awk -v b="$b" -v r="$r" '/docs\/s/ { for (i = 1; i < NF; i++) if ($(i+1) == "docs/s") print r, b, $1, $i }' |
			tee -a "$tmp/all.txt"
	done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
printf '%-40s %12s %12s %7s\n' benchmark "go docs/s" "native docs/s" ratio
for name in $(awk '{print $3}' "$tmp/all.txt" | sort -u); do
	med() { awk -v n="$name" -v b="$1" '$3 == n && $2 == b {print $4}' "$tmp/all.txt" | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
	g=$(med go)
	s=$(med simd)
	awk -v n="$name" -v g="$g" -v s="$s" 'BEGIN { printf "%-40s %12.0f %12.0f %6.2fx\n", n, g, s, s / g }'
done
