//go:build !(js && wasm)

// Command worker, built natively, serves the same handler as the Workers
// build with net/http on a loopback address, for debugging and comparison:
//
//	go run ./worker [-addr 127.0.0.1:8788] [-model FILE]
//
// Without -model it serves the embedded model file.
package main

import (
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/kate-web/kate/worker/model"
	"github.com/kate-web/kate/worker/service"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8788", "address to listen on")
	modelPath := flag.String("model", "", "model file to serve (default: the embedded one)")
	flag.Parse()
	cfg := service.Config{Model: model.File, SHA256: model.BuildSHA256}
	if *modelPath != "" {
		b, err := os.ReadFile(*modelPath)
		if err != nil {
			fmt.Fprintln(os.Stderr, "worker:", err)
			os.Exit(1)
		}
		cfg = service.Config{Model: b}
	}
	s := service.New(cfg)
	if _, err := s.Model(); err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		os.Exit(1)
	}
	srv := &http.Server{Addr: *addr, Handler: s, ReadHeaderTimeout: 10 * time.Second}
	log.Printf("serving the KATE embedding service on http://%s", *addr)
	log.Fatal(srv.ListenAndServe())
}
