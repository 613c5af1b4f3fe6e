#!/usr/bin/env bash
# suite.sh — run `kate eval` over the development suite and 20 Newsgroups
# and print one table (means over seeds). Not part of CI: a full run
# trains 18 models (six corpora, three seeds), tens of minutes here.
#
#   bash scripts/corpora/suite.sh [--seeds "1 2 3"] [--corpora "20ng spam ..."] [--no-build] [--reuse] [--save-models] [-- EVAL FLAGS...]
#
# Flags after -- go to every `kate eval` (e.g. -- --paper, -- --dim 256).
# The corpora are read from $KATE_CORPORA (default: corpora/ at the
# repository root), built there by scripts/corpora/build.mjs when missing
# (unless --no-build); 20 Newsgroups from $KATE_20NG (default
# ../shared/data/20news-bydate.jsonl.gz). Each run's JSON line is kept in
# $KATE_CORPORA/results/ (one file per corpus and seed, named after the
# eval flags), so an interrupted suite can be rerun cheaply with --reuse;
# with --save-models the trained models go beside them ($KATE_CORPORA/models/,
# same names with .kate), e.g. to rank their topics again without training.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
DIR=${KATE_CORPORA:-$ROOT/corpora}
NG=${KATE_20NG:-$ROOT/../shared/data/20news-bydate.jsonl.gz}
SEEDS="1 2 3"
CORPORA="20ng spam wordnet fortunes debtags sotu"
BUILD=1
REUSE=0
SAVE=0
while [[ $# -gt 0 ]]; do
	case $1 in
	--seeds) SEEDS=$2; shift 2 ;;
	--corpora) CORPORA=$2; shift 2 ;;
	--no-build) BUILD=0; shift ;;
	--reuse) REUSE=1; shift ;;
	--save-models) SAVE=1; shift ;;
	--) shift; break ;;
	*) echo "suite.sh: unknown flag $1 (see the header of $0)" >&2; exit 2 ;;
	esac
done
EXTRA=("$@")

# The eval flags of each corpus: how it is split, and what it regresses on.
flags_for() {
	case $1 in
	20ng) echo "--data $NG" ;;
	spam) echo "--data $DIR/spam.jsonl.gz --test-share 0.2" ;;
	wordnet) echo "--data $DIR/wordnet.jsonl.gz --test-share 0.2" ;;
	fortunes) echo "--data $DIR/fortunes.jsonl.gz --test-share 0.2" ;;
	debtags) echo "--data $DIR/debtags.jsonl.gz --test-share 0.2 --skip-unlabelled" ;;
	sotu) echo "--data $DIR/sotu.jsonl.gz --target year" ;;
	*) echo "suite.sh: unknown corpus $1" >&2; return 2 ;;
	esac
}

missing=()
for c in $CORPORA; do
	[[ $c == 20ng ]] && continue
	[[ -f $DIR/$c.jsonl.gz ]] || missing+=("$c")
done
if [[ ${#missing[@]} -gt 0 ]]; then
	if [[ $BUILD == 0 ]]; then
		echo "suite.sh: missing corpora in $DIR: ${missing[*]} (build them with node scripts/corpora/build.mjs --out $DIR)" >&2
		exit 2
	fi
	node scripts/corpora/build.mjs --out "$DIR" --install "${missing[@]}"
fi
if [[ " $CORPORA " == *" 20ng "* && ! -f $NG ]]; then
	echo "suite.sh: $NG not found (set KATE_20NG)" >&2
	exit 2
fi

mkdir -p "$DIR/results"
BIN=$(mktemp -d)/kate
trap 'rm -rf "$(dirname "$BIN")"' EXIT
go build -o "$BIN" ./cmd/kate
tag=$(printf '%s' "${EXTRA[*]:-default}" | tr -c 'A-Za-z0-9.=-' '_')
files=()
for c in $CORPORA; do
	for s in $SEEDS; do
		out=$DIR/results/$c.seed$s.$tag.json
		files+=("$out")
		if [[ $REUSE == 1 && -s $out ]]; then
			continue
		fi
		echo "== $c seed $s ${EXTRA[*]:-}" >&2
		# shellcheck disable=SC2046
		# LSA depends on the split, not on the seed: only the first seed's
		# run computes it (table.mjs takes it from there).
		lsa=()
		[[ $s == "${SEEDS%% *}" ]] || lsa=(--no-lsa)
		if [[ $SAVE == 1 ]]; then
			mkdir -p "$DIR/models"
			lsa+=(--save "$DIR/models/$c.seed$s.$tag.kate")
		fi
		"$BIN" eval $(flags_for "$c") --seed "$s" --split-seed 1 --quiet "${lsa[@]}" "${EXTRA[@]}" | tail -n 1 >"$out.tmp"
		mv "$out.tmp" "$out"
	done
done
node scripts/corpora/table.mjs "${files[@]}"
