// Package model holds the KATE model file embedded in the Workers service at
// build time.
//
// The bundled default, default.kate, is trained on the sample corpus
// testdata/20news-sample.jsonl.gz by worker/make-model.sh. worker/build.sh
// can embed another model file in its place (KATE_MODEL=path) through a
// go build -overlay, so this package never changes, and sets BuildSHA256 to
// the embedded file's hash with -ldflags -X.
package model

import _ "embed"

// File is the embedded model file's bytes. It must not be modified.
//
//go:embed default.kate
var File []byte

// BuildSHA256 is the hex SHA-256 of File computed at build time
// (go build -ldflags "-X github.com/kate-web/kate/worker/model.BuildSHA256=..."),
// or empty. The service hashes File itself when it is empty.
var BuildSHA256 string
