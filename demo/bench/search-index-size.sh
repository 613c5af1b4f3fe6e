#!/usr/bin/env bash
# demo/bench/search-index-size.sh — the size of a site-search index for
# 10,000 documents: the first 10,000 posts of the full 20 Newsgroups corpus
# (header-free text, Subject as title; ../shared/data/20news-bydate.jsonl.gz
# or $KATE_20NG), indexed by `kate index` with its defaults (64-d, int8,
# 160-character snippets) and 3 epochs (training length does not change the
# size). Prints the gzipped size the page downloads.
set -euo pipefail
cd "$(dirname "$0")/../.."
data=${KATE_20NG:-../shared/data/20news-bydate.jsonl.gz}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
node demo/make-search-index.mjs "$data" >"$tmp/docs.jsonl"
go run ./cmd/kate index --quiet --epochs 3 --max-docs 10000 -o "$tmp/s.kidx" "$tmp/docs.jsonl"
bytes=$(stat -c %s "$tmp/s.kidx")
raw=$(gzip -dc <"$tmp/s.kidx" | wc -c)
echo "10,000 documents: ${bytes} bytes gzipped ($(awk "BEGIN{printf \"%.2f\", $bytes/1e6}") MB; budget 2 MB), ${raw} bytes raw"
