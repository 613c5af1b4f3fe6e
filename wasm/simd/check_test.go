package simd

import (
	"bytes"
	"flag"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/kate-web/kate/internal/kernels"
)

func TestCheckAcceptsTheReference(t *testing.T) {
	if err := Check(kernels.Go(), kernels.Go(), 1, 50); err != nil {
		t.Fatal(err)
	}
}

// TestCheckCatchesOneBit makes sure that the checker is able to fail: a
// kernel set whose results differ from the reference in one bit of one
// element must be reported.
func TestCheckCatchesOneBit(t *testing.T) {
	for _, tc := range []struct {
		name string
		mod  func(k *kernels.Set)
	}{
		{"SigmoidDelta", func(k *kernels.Set) {
			inner := k.SigmoidDelta
			k.SigmoidDelta = func(y, p []float32, scale float32) {
				inner(y, p, scale)
				if len(y) > 2 {
					p[2] = math.Nextafter32(p[2], 10)
				}
			}
		}},
		{"Axpy", func(k *kernels.Set) {
			inner := k.Axpy
			k.Axpy = func(a float32, x, y []float32) {
				inner(a, x, y)
				y[len(x)-1] = math.Nextafter32(y[len(x)-1], -10)
			}
		}},
		{"GradRows (g)", func(k *kernels.Set) {
			inner := k.GradRows
			k.GradRows = func(d, wt, gw []float32, v int, rows []int32, h, g []float32) {
				inner(d, wt, gw, v, rows, h, g)
				if len(rows) > 0 {
					g[rows[0]] = math.Nextafter32(g[rows[0]], 10)
				}
			}
		}},
		{"DecodeRows", func(k *kernels.Set) {
			inner := k.DecodeRows
			k.DecodeRows = func(y, c, wt []float32, v int, rows []int32, h []float32) {
				inner(y, c, wt, v, rows, h)
				y[v-1] = math.Nextafter32(y[v-1], 10)
			}
		}},
	} {
		bad := kernels.Go()
		tc.mod(&bad)
		err := Check(kernels.Go(), bad, 2, 50)
		if err == nil || !strings.Contains(err.Error(), tc.name) {
			t.Errorf("%s: a one-bit difference was not reported (err = %v)", tc.name, err)
		}
	}
}

var update = flag.Bool("update", false, "rewrite kernels.wasm from the assembler")

// TestModuleFileIsCurrent keeps kernels.wasm (what Module returns) equal
// to what the assembler builds from this package's source.
func TestModuleFileIsCurrent(t *testing.T) {
	want := build()
	if *update {
		if err := os.WriteFile("kernels.wasm", want, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Skip("kernels.wasm rewritten; run the tests again to compile it in")
	}
	if got := Module(); !bytes.Equal(got, want) {
		t.Fatalf("kernels.wasm (%d bytes) differs from the assembled module (%d bytes); run go test ./wasm/simd -run TestModuleFileIsCurrent -update", len(got), len(want))
	}
}

func TestModuleIsWellFormed(t *testing.T) {
	m := build()
	if string(m[:4]) != "\x00asm" || m[4] != 1 {
		t.Fatalf("bad header % x", m[:8])
	}
	for _, name := range []string{"axpy", "decodeRows", "sigmoidDelta", "gradRows", "mem"} {
		if !strings.Contains(string(m), name) {
			t.Errorf("module does not mention %q", name)
		}
	}
	// The library compiles it synchronously (js/src/core.js), which
	// browsers allow on a page's own thread for modules up to 4 KB.
	if len(m) > 4096 {
		t.Errorf("module is %d bytes; the library compiles it synchronously, which needs at most 4096", len(m))
	}
}
