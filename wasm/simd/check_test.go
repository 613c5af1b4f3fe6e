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
		{"SparseDot", func(k *kernels.Set) {
			inner := k.SparseDot
			k.SparseDot = func(a, wt []float32, v int, rows, idx []int32, x []float32) {
				inner(a, wt, v, rows, idx, x)
				if len(rows) > 0 && len(idx) > 0 {
					a[rows[0]] = math.Nextafter32(a[rows[0]], 10)
				}
			}
		}},
		{"SparseAxpy", func(k *kernels.Set) {
			inner := k.SparseAxpy
			k.SparseAxpy = func(gw []float32, v int, rows []int32, d []float32, idx []int32, x []float32) {
				inner(gw, v, rows, d, idx, x)
				if len(rows) > 0 && len(idx) > 0 {
					i := int(rows[0])*v + int(idx[0])
					gw[i] = math.Nextafter32(gw[i], 10)
				}
			}
		}},
		{"SparseGrad (g)", func(k *kernels.Set) {
			inner := k.SparseGrad
			k.SparseGrad = func(d, wt, gw []float32, v int, rows []int32, h, g []float32, idx []int32) {
				inner(d, wt, gw, v, rows, h, g, idx)
				if len(rows) > 0 {
					g[rows[0]] = math.Nextafter32(g[rows[0]], 10)
				}
			}
		}},
		{"SparseDecode", func(k *kernels.Set) {
			inner := k.SparseDecode
			k.SparseDecode = func(y, c, wT []float32, rows []int32, h []float32, idx []int32) {
				inner(y, c, wT, rows, h, idx)
				if len(idx) > 0 {
					y[len(idx)-1] = math.Nextafter32(y[len(idx)-1], 10)
				}
			}
		}},
		{"AxpyRows", func(k *kernels.Set) {
			inner := k.AxpyRows
			k.AxpyRows = func(a, wT []float32, idx []int32, x []float32) {
				inner(a, wT, idx, x)
				if len(idx) > 0 {
					a[len(a)-1] = math.Nextafter32(a[len(a)-1], 10)
				}
			}
		}},
		{"SparseGradT (g)", func(k *kernels.Set) {
			inner := k.SparseGradT
			k.SparseGradT = func(d, wT, gwT []float32, rows []int32, h, g []float32, idx []int32) {
				inner(d, wT, gwT, rows, h, g, idx)
				if len(rows) > 0 && len(idx) > 0 {
					g[rows[0]] = math.Nextafter32(g[rows[0]], 10)
				}
			}
		}},
		{"ScatterAxpy", func(k *kernels.Set) {
			inner := k.ScatterAxpy
			k.ScatterAxpy = func(gT, d []float32, idx []int32, x []float32) {
				inner(gT, d, idx, x)
				if len(idx) > 0 && len(d) > 0 {
					i := int(idx[0]) * len(d)
					gT[i] = math.Nextafter32(gT[i], 10)
				}
			}
		}},
		{"Transpose", func(k *kernels.Set) {
			inner := k.Transpose
			k.Transpose = func(dst, src []float32, rows, cols, ld int) {
				inner(dst, src, rows, cols, ld)
				dst[0] = math.Nextafter32(dst[0], 10)
			}
		}},
		{"KthLargest", func(k *kernels.Set) {
			inner := k.KthLargest
			k.KthLargest = func(a []uint64, q int) uint64 {
				inner(a, q)
				a[q-1] ^= 1 << 40
				return a[q-1]
			}
		}},
		{"Tanh", func(k *kernels.Set) {
			inner := k.Tanh
			k.Tanh = func(a, z []float32) {
				inner(a, z)
				z[len(a)-1] = math.Nextafter32(z[len(a)-1], 10)
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

// TestModuleFileIsCurrent keeps kernels.wasm, sparse.wasm, decoder.wasm and loss.wasm
// (what Modules returns) equal to what the assembler builds from this package's
// source.
func TestModuleFileIsCurrent(t *testing.T) {
	want := [][]byte{build(), buildSparse(), buildDecoder(), buildLoss()}
	files := []string{"kernels.wasm", "sparse.wasm", "decoder.wasm", "loss.wasm"}
	if *update {
		for i, f := range files {
			if err := os.WriteFile(f, want[i], 0o644); err != nil {
				t.Fatal(err)
			}
		}
		t.Skip("kernels.wasm, sparse.wasm, decoder.wasm and loss.wasm rewritten; run the tests again to compile them in")
	}
	for i, got := range Modules() {
		if !bytes.Equal(got, want[i]) {
			t.Errorf("%s (%d bytes) differs from the assembled module (%d bytes); run go test ./wasm/simd -run TestModuleFileIsCurrent -update", files[i], len(got), len(want[i]))
		}
	}
}

func TestModuleIsWellFormed(t *testing.T) {
	for i, tc := range []struct {
		m     []byte
		names []string
	}{
		{build(), []string{"axpy", "decodeRows", "gradRows", "adadeltaSum", "mem"}},
		{buildDecoder(), []string{"sigmoidDelta", "sparseGradT", "scanTokens", "mem"}},
		{buildLoss(), []string{"softplus", "mem"}},
		{buildSparse(), []string{"sparseDot", "sparseAxpy", "sparseGrad", "sparseDecode", "mem"}},
	} {
		m := tc.m
		if string(m[:4]) != "\x00asm" || m[4] != 1 {
			t.Fatalf("module %d: bad header % x", i, m[:8])
		}
		for _, name := range tc.names {
			if !strings.Contains(string(m), name) {
				t.Errorf("module %d does not mention %q", i, name)
			}
		}
		// The library compiles them synchronously (js/src/core.js), which
		// browsers allow on a page's own thread for modules up to 4 KB.
		if len(m) > 4096 {
			t.Errorf("module %d is %d bytes; the library compiles it synchronously, which needs at most 4096", i, len(m))
		}
	}
}

func TestCheckEncodeAcceptsTheReference(t *testing.T) {
	if err := CheckEncode(kernels.Go(), kernels.Go(), 1, 50); err != nil {
		t.Fatal(err)
	}
}

// TestCheckEncodeCatchesOneBit makes sure that the encoding check fails on
// a SparseDot that differs from the reference in one bit of one sum: of
// the first row, of a row of the last, incomplete group of four, or only
// past the first block of 32 indices, or only when a row is left out.
func TestCheckEncodeCatchesOneBit(t *testing.T) {
	for name, bad := range map[string]func(a []float32, rows, idx []int32){
		"first row": func(a []float32, rows, idx []int32) {
			flipBit(a, rows[0])
		},
		"last row of an incomplete group": func(a []float32, rows, idx []int32) {
			if len(rows)%4 != 0 {
				flipBit(a, rows[len(rows)-1])
			}
		},
		"past the first block of indices": func(a []float32, rows, idx []int32) {
			if len(idx) > 32 {
				flipBit(a, rows[len(rows)/2])
			}
		},
		"a tall matrix": func(a []float32, rows, idx []int32) {
			if len(a) > 200 {
				flipBit(a, rows[0])
			}
		},
	} {
		k := kernels.Go()
		k.SparseDot = func(a, wt []float32, v int, rows, idx []int32, x []float32) {
			kernels.Go().SparseDot(a, wt, v, rows, idx, x)
			if len(rows) > 0 && len(idx) > 0 {
				bad(a, rows, idx)
			}
		}
		err := CheckEncode(kernels.Go(), k, 1, 2)
		if err == nil || !strings.Contains(err.Error(), "SparseDot") {
			t.Errorf("%s: got %v, want a SparseDot difference", name, err)
		}
	}
}

// TestCheckEncodeCatchesAxpyRows: the encoding check fails on an AxpyRows
// that differs from the reference in one bit of the first unit, of the
// last, or of a unit past the module's first block of 16 columns.
func TestCheckEncodeCatchesAxpyRows(t *testing.T) {
	for name, bad := range map[string]func(a []float32, idx []int32){
		"first unit": func(a []float32, idx []int32) { flipBit(a, 0) },
		"last unit":  func(a []float32, idx []int32) { flipBit(a, int32(len(a)-1)) },
		"past 16 units": func(a []float32, idx []int32) {
			if len(a) > 16 {
				flipBit(a, 16)
			}
		},
	} {
		k := kernels.Go()
		k.AxpyRows = func(a, wT []float32, idx []int32, x []float32) {
			kernels.Go().AxpyRows(a, wT, idx, x)
			if len(a) > 0 && len(idx) > 0 {
				bad(a, idx)
			}
		}
		err := CheckEncode(kernels.Go(), k, 1, 2)
		if err == nil || !strings.Contains(err.Error(), "AxpyRows") {
			t.Errorf("%s: got %v, want an AxpyRows difference", name, err)
		}
	}
}

// flipBit changes the lowest bit of a[j] (a NaN, whose bits the check
// ignores, becomes 0).
func flipBit(a []float32, j int32) {
	if a[j] != a[j] {
		a[j] = 0
		return
	}
	a[j] = math.Float32frombits(math.Float32bits(a[j]) ^ 1)
}
