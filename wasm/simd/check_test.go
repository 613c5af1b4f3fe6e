package simd

import (
	"math"
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

func TestModuleIsWellFormed(t *testing.T) {
	m := Module()
	if string(m[:4]) != "\x00asm" || m[4] != 1 {
		t.Fatalf("bad header % x", m[:8])
	}
	for _, name := range []string{"axpy", "decodeRows", "sigmoidDelta", "gradRows", "mem"} {
		if !strings.Contains(string(m), name) {
			t.Errorf("module does not mention %q", name)
		}
	}
	if len(m) > 8192 {
		t.Errorf("module is %d bytes; expected a few KB", len(m))
	}
}
