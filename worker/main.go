//go:build js && wasm

// Command worker is the KATE embedding service for Cloudflare Workers: the
// handler of package service over the embedded model file, served with
// github.com/syumai/workers. Build it with worker/build.sh; run it locally
// with worker/dev.sh; deploy it with wrangler deploy (see worker/README.md).
package main

import (
	"github.com/kate-web/kate/worker/model"
	"github.com/kate-web/kate/worker/service"
	"github.com/syumai/workers"
)

func main() {
	// BuildSHA256 is set by worker/build.sh: hashing the
	// file in WebAssembly would cost milliseconds on every request.
	workers.Serve(service.New(service.Config{Model: model.File, SHA256: model.BuildSHA256}))
}
