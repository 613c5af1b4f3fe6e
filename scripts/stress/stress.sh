#!/usr/bin/env bash
# stress.sh — the full-size reproductions of issue 13 (./build.sh stress; not
# part of ./build.sh test: they need big inputs, minutes and gigabytes).
# Each check prints its figures (peak RSS from /usr/bin/time -v when present)
# and fails when a documented bound (docs/limits.md) does not hold.
#
#   1. kate train on a 2 MB gzip of 71.4 M lines "space shuttle" (issue 13,
#      item 1) under `ulimit -v 4 GiB`: refused with "not enough memory"
#      (exit 2), peak RSS under 64 MB; the same file cut to 2 M documents
#      trains within --max-memory.
#   2. kate encode on that file, interrupted by SIGINT: exits 130 within
#      2 s, writes nothing (item 9).
#   3. a 4 KiB model file announcing a 128 MiB model: rejected as
#      truncated with a peak RSS under 64 MB (item 4).
#   4. the JavaScript engine (js/test/stress.mjs): five concurrent trainings
#      of the largest model in worker and local mode are admitted by memory
#      or refused with "not enough memory for this model", never kill the
#      engine (item 3); a 600 MB load() is refused before any copy (item 9).
#
# Environment: STRESS_DIR (work directory, default a temporary one).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
log() { printf '\n==> stress: %s\n' "$*" >&2; }
fail() {
	echo "stress: FAIL: $*" >&2
	exit 1
}

work=${STRESS_DIR:-}
if [[ -z $work ]]; then
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work"
go build -o "$work/kate" ./cmd/kate

# timed CMD...: runs CMD under /usr/bin/time -v (when present), leaving its
# status in $rc, its stderr in $work/err and its peak RSS in KB in $rss.
timed() {
	rc=0
	if [[ -x /usr/bin/time ]]; then
		/usr/bin/time -v -o "$work/time" "$@" >"$work/out" 2>"$work/err" || rc=$?
		rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time")
		wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time")
	else
		local t0=$SECONDS
		"$@" >"$work/out" 2>"$work/err" || rc=$?
		rss=0
		wall="$((SECONDS - t0)) s"
	fi
}

log "1. kate train on 71.4 M short lines (2 MB gzip), ulimit -v 4 GiB"
big=$work/b.txt.gz
if [[ ! -f $big ]]; then
	# (yes ends with SIGPIPE when head is done: not a failure.)
	(
		set +o pipefail
		yes 'space shuttle' | head -n 71400000 | gzip -9 >"$big.tmp"
	)
	mv "$big.tmp" "$big"
fi
echo "input: $(stat -c %s "$big") bytes gzip, 71,400,000 lines"
(
	ulimit -v $((4 << 20))
	timed "$work/kate" train --data "$big" -o "$work/m.kate" --epochs 1 --quiet
	echo "rc=$rc rss=$rss wall=$wall" >"$work/result"
	cp "$work/err" "$work/err1"
)
source "$work/result"
cat "$work/err1"
echo "exit $rc, peak RSS $((rss / 1024)) MB, $wall"
[[ $rc == 2 ]] || fail "train: exit $rc, want 2"
grep -q 'not enough memory for this corpus' "$work/err1" || fail "train: no 'not enough memory' error"
grep -q 'goroutine' "$work/err1" && fail "train: goroutine dump"
[[ ! -e $work/m.kate ]] || fail "train: a model was written"
((rss < 64 * 1024)) || fail "train: peak RSS $rss KB over 64 MB"

log "1b. the first 2 M documents train within --max-memory 512MiB"
timed "$work/kate" train --data "$big" -o "$work/m2.kate" --epochs 1 --max-docs 2000000 --max-memory 512MiB --quiet
cat "$work/err"
echo "exit $rc, peak RSS $((rss / 1024)) MB, $wall"
[[ $rc == 0 ]] || fail "train 2 M: exit $rc"
((rss < 512 * 1024)) || fail "train 2 M: peak RSS $rss KB over --max-memory 512 MiB"

log "2. SIGINT during kate encode of the 71.4 M lines"
rm -f "$work/e.f32"
"$work/kate" encode --model "$work/m2.kate" --data "$big" -o "$work/e.f32" 2>"$work/err" &
pid=$!
sleep 3
t0=$(date +%s%N)
kill -INT "$pid"
rc=0
wait "$pid" || rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
cat "$work/err"
echo "exit $rc, $ms ms after SIGINT"
[[ $rc == 130 ]] || fail "encode: exit $rc after SIGINT, want 130"
((ms < 2000)) || fail "encode: $ms ms to stop"
if compgen -G "$work/e.f32*" >/dev/null || compgen -G "$work/.e.f32*" >/dev/null; then
	fail "encode: output left after SIGINT"
fi

log "3. a 4 KiB model file announcing 128 MiB"
go run ./scripts/stress/liar "$work/liar.kate"
timed "$work/kate" topics --model "$work/liar.kate"
cat "$work/err"
echo "exit $rc, peak RSS $((rss / 1024)) MB"
[[ $rc == 2 ]] || fail "topics: exit $rc, want 2"
grep -q 'truncated' "$work/err" || fail "topics: no 'truncated' error"
((rss < 64 * 1024)) || fail "topics: peak RSS $rss KB over 64 MB"

log "4. JavaScript engine: five concurrent maximum-size trainings (worker, then local mode)"
bash js/build.sh >/dev/null
node js/test/stress.mjs worker
node js/test/stress.mjs local
log "ok"
