// Package model holds the KATE model file embedded in the Workers service at
// build time.
//
// The bundled default, default.kate, is trained on the sample corpus
// testdata/20news-sample.jsonl.gz by worker/make-model.sh. worker/build.sh
// can embed another model file in its place (KATE_MODEL=path) through a
// go build -overlay, so this package never changes.
package model

import _ "embed"

// File is the embedded model file's bytes. It must not be modified.
//
//go:embed default.kate
var File []byte
