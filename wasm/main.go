//go:build js && wasm

// Command wasm is the WebAssembly bridge between the kate package and
// JavaScript (built as js/dist/kate.wasm). It only converts values and calls
// kate: the JavaScript library in js/ starts it with the name of a global
// registration function as its first argument (go.argv[1]); the bridge calls
// that function with one object holding its functions and then waits for
// calls. Long operations run in goroutines and answer through Promises;
// training lets the JavaScript event loop run about every 50 ms so that
// progress messages and cancellation arrive while it runs.
package main

import (
	"os"
	"syscall/js"

	"github.com/kate-web/kate/internal/kernels"
	"github.com/kate-web/kate/kate"
	"github.com/kate-web/kate/wasm/simd"
)

func main() {
	if len(os.Args) < 2 {
		println("kate.wasm: start me from the kate JavaScript library")
		os.Exit(2)
	}
	b := newBridge()
	reg := js.Global().Get(os.Args[1])
	if reg.Type() != js.TypeFunction {
		println("kate.wasm: registration function", os.Args[1], "not found")
		os.Exit(2)
	}
	reg.Invoke(b.object())
	select {}
}

// object returns the JavaScript object of the bridge's functions. Every
// function returning a Promise rejects with an Error on failure; the
// synchronous ones throw.
func (b *bridge) object() js.Value {
	o := jsObject.New()
	o.Set("version", kate.Version)
	// limits: the bounds the JavaScript library checks arguments against
	// before calling (declared here once, from the kate package), and the
	// default embedding size it derives k from when dim is not given, and
	// the default vocabulary size (train's choice of workers reads both).
	o.Set("limits", newObject("dim", kate.MaxDim, "vocabSize", kate.MaxVocabulary, "alpha", kate.MaxAlpha,
		"weights", kate.MaxWeights, "topicWords", maxTopicWords, "modelBytes", kate.MaxModelBytes,
		"defaultDim", kate.DefaultConfig().Dim, "defaultVocabSize", kate.DefaultConfig().VocabSize))
	fns := map[string]func(args []js.Value) any{
		// simdModules() Uint8Array[]: the bytes of the SIMD kernel modules,
		// each importing env.mem (this instance's exported memory).
		"simdModules": func(args []js.Value) any {
			ms := simd.Modules()
			a := js.Global().Get("Array").New(len(ms))
			for i, m := range ms {
				a.SetIndex(i, bytesToJS(m))
			}
			return a
		},
		// useKernels(exports | null) string: installs the SIMD kernels of
		// instances of simdModules (exports: one object holding the
		// exports of all of them; checked against the pure-Go kernels) or,
		// with null, the pure-Go kernels; returns the kernels in use
		// ("simd" or "go").
		"useKernels": b.useKernels,
		// useEncodeKernels(exports) Promise<string>: installs the SIMD
		// kernel that encoding uses, checked against the pure-Go one
		// (bridge.useEncodeKernels); "simd", or rejects with the difference.
		"useEncodeKernels": b.useEncodeKernels,
		// kernelSet() string: the name of the kernel set in use:
		// "go", "wasm-simd-encode" (useEncodeKernels) or "wasm-simd".
		"kernelSet": func(args []js.Value) any { return kernels.Name() },
		// kernels() string: "simd" or "go".
		"kernels": func(args []js.Value) any { return b.kernels },
		// selfTest(rounds) string: "" when the SIMD kernels in use match
		// the pure-Go kernels bit for bit on random inputs, else the first
		// difference.
		"selfTest": b.selfTest,
		// setYield(fn): fn(callback) must call callback soon from a new
		// JavaScript task; training and long encodings yield through it.
		"setYield": b.setYield,
		// train(token, packedTexts, options, onProgress, replica?)
		// Promise<info>; replica (wasm/replica.go): this run is one of
		// several training one model together, and only replica 0 resolves
		// with the model (the others with null, or "dismissed" when
		// replica 0 went on alone).
		"train": b.train,
		// cancel(token): cancels the training run started with token.
		"cancel": b.cancel,
		// load(bytes) Promise<info>
		"load": b.load,
		// encode(handle, packedTexts) Promise<Float32Array> (n x dim)
		"encode": b.encode,
		// topics(handle, n, by?) Promise<[{unit, label, words, weights,
		// docs, empty, duplicateOf}]>; by: "documents" (default), "weight"
		// or "learned".
		"topics": b.topics,
		// topicDocuments(handle, packedTexts, n) Promise<number[][]>: per
		// unit, the indices of the texts that represent it best.
		"topicDocuments": b.topicDocuments,
		// similar(handle, query, candidates, n) Promise<{indices, scores}>;
		// query: packed text or Float32Array, candidates: packed texts or
		// Float32Array (rows of dim).
		"similar": b.similar,
		// save(handle) Promise<Uint8Array>
		"save": b.save,
		// explain(handle, packedText, gradient) Promise<object>
		"explain": b.explain,
		// vocabulary(handle) Promise<string[]>
		"vocabulary": b.vocabulary,
		// dispose(handle) bool
		"dispose": b.dispose,
		// pca(Float32Array, dim, out) Promise<Float32Array> (n x out)
		"pca": b.pca,
		// outOfMemory() allocates (without touching the memory) until the
		// Go runtime dies with "fatal error: out of memory", as a training
		// too large for the engine would; the library's tests use it.
		"outOfMemory": func(args []js.Value) any {
			var keep [][]byte
			for {
				keep = append(keep, make([]byte, 1<<30))
			}
		},
		// exit(code) ends the program as a fatal error would; the library's
		// tests use it to check what happens when the engine dies.
		"exit": func(args []js.Value) any {
			code, err := argInt(args, 0, "code")
			if err != nil {
				code = 3
			}
			os.Exit(code)
			return nil
		},
	}
	for name, f := range fns {
		o.Set(name, js.FuncOf(func(this js.Value, args []js.Value) any {
			return f(args)
		}))
	}
	return o
}
