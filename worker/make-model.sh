#!/usr/bin/env bash
# make-model.sh — regenerate the Workers service's bundled default model,
# worker/model/default.kate: KATE with 64 dimensions, k = 16 and a vocabulary
# of 2,000 terms, trained with seed 1 on the training split of the bundled
# sample corpus (testdata/20news-sample.jsonl.gz, 2,000 documents). Training
# is deterministic, so this rewrites the same bytes; it takes a few seconds.
#
#   bash worker/make-model.sh [extra kate train flags...]
set -euo pipefail
cd "$(dirname "$0")/.."
go run ./cmd/kate train --data testdata/20news-sample.jsonl.gz --split train \
	--dim 64 --k 16 --vocab 2000 --seed 1 --quiet -o worker/model/default.kate "$@"
ls -l worker/model/default.kate
sha256sum worker/model/default.kate
