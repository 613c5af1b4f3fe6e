// Package kernelbench times the exact decoder's kernels (DecodeRows,
// SigmoidDelta, GradRows) for the benchmarks that ask whether the decoder
// waits on memory (docs/speed.md, "The decoder"): kate's BenchmarkDecoder
// with the active kernel set (pure Go or AVX2 natively, pure Go under
// WebAssembly) and wasm/simd's with the WebAssembly SIMD kernels. Each
// times the kernels inside training (Step) and on the same calls repeated
// on data that stays in cache (InCache), and reports nanoseconds per
// element.
package kernelbench

// Every product that is added or subtracted here is converted first,
// float32(a*b) + c or float64(a*b) + c, so that no compiler fuses it into
// one multiply-add (which rounds once, as arm64 and GOAMD64=v3 builds
// would): the same bits on every platform (docs/design.md §6).

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/kate-web/kate/internal/kernels"
)

// timer accumulates the time spent in the decoder's kernels and the
// elements they processed (rows × V for DecodeRows and GradRows, V for
// SigmoidDelta); DecodeRows calls with more than maxRows rows (the
// validation loss decodes from every unit) are not counted when maxRows > 0.
type timer struct {
	maxRows                              int
	decode, sigmoid, grad                time.Duration
	decodeN, sigmoidN, gradN             int
	decodeCalls, sigmoidCalls, gradCalls int
}

// timed returns base with DecodeRows, SigmoidDelta and GradRows timed into
// dt (one time.Now pair per call: a call takes microseconds).
func timed(base kernels.Set, dt *timer) kernels.Set {
	s := base
	s.DecodeRows = func(y, c, wt []float32, v int, rows []int32, h []float32) {
		t0 := time.Now()
		base.DecodeRows(y, c, wt, v, rows, h)
		if dt.maxRows <= 0 || len(rows) <= dt.maxRows {
			dt.decode += time.Since(t0)
			dt.decodeN += len(rows) * v
			dt.decodeCalls++
		}
	}
	s.SigmoidDelta = func(y, p []float32, scale float32) {
		t0 := time.Now()
		base.SigmoidDelta(y, p, scale)
		dt.sigmoid += time.Since(t0)
		dt.sigmoidN += len(y)
		dt.sigmoidCalls++
	}
	s.GradRows = func(d, wt, gw []float32, v int, rows []int32, h, g []float32) {
		t0 := time.Now()
		base.GradRows(d, wt, gw, v, rows, h, g)
		dt.grad += time.Since(t0)
		dt.gradN += len(rows) * v
		dt.gradCalls++
	}
	return s
}

// report adds the kernels' nanoseconds per element to b's metrics.
func (dt *timer) report(b *testing.B) {
	// One time.Now pair costs tens of nanoseconds natively and more under
	// WebAssembly (a call into JavaScript): measure it and take it off.
	const n = 2000
	t0 := time.Now()
	var sink time.Duration
	for range n {
		t1 := time.Now()
		sink += time.Since(t1)
	}
	pair := float64(time.Since(t0).Nanoseconds()) / n
	_ = sink
	per := func(d time.Duration, calls, n int) float64 {
		if n == 0 {
			return 0
		}
		return (float64(d.Nanoseconds()) - float64(float64(calls)*pair)) / float64(n)
	}
	b.ReportMetric(per(dt.decode, dt.decodeCalls, dt.decodeN), "decode-ns/elem")
	b.ReportMetric(per(dt.sigmoid, dt.sigmoidCalls, dt.sigmoidN), "sigmoid-ns/elem")
	b.ReportMetric(per(dt.grad, dt.gradCalls, dt.gradN), "grad-ns/elem")
	b.ReportMetric(pair, "timer-ns")
}

// Step installs set with its decoder kernels timed, runs op(i) for i in
// [0, b.N) (op trains: one batch, one run, ...), restores the kernels
// installed before, and reports the kernels' nanoseconds per element and
// their share of the time ("decoder-share"). DecodeRows calls with more
// than maxRows rows are not counted when maxRows > 0. It returns the time
// op took in all.
func Step(b *testing.B, set kernels.Set, maxRows int, op func(i int)) time.Duration {
	dt := timer{maxRows: maxRows}
	old := kernels.Use(timed(set, &dt))
	defer kernels.Use(old)
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		op(i)
	}
	all := time.Since(start)
	dt.report(b)
	b.ReportMetric(float64(dt.decode+dt.sigmoid+dt.grad)/float64(all), "decoder-share")
	return all
}

// InCache runs two sub-benchmarks of set's decoder kernels, each kernel in
// its own loop on data that stays in cache: "L2", rows of K rows of V
// (rows × V floats of W and of the gradient), and "L1", 16 rows of V = 256.
// It panics when rows > k or 16 > k.
func InCache(b *testing.B, set kernels.Set, k, v, rows int) {
	for _, c := range []struct {
		name    string
		v, rows int
	}{{"L2", v, rows}, {"L1", 256, 16}} {
		b.Run(c.name, func(b *testing.B) {
			r := rand.New(rand.NewPCG(5, 6))
			vec := func(n int, s float64) []float32 {
				x := make([]float32, n)
				for i := range x {
					x[i] = float32(r.NormFloat64() * s)
				}
				return x
			}
			v := c.v
			wt, gw := vec(k*v, 0.1), vec(k*v, 1e-6)
			h, g, cc, y, d := vec(k, 1), vec(k, 1), vec(v, 1), vec(v, 1), vec(v, 1e-6)
			rows := make([]int32, c.rows)
			for i, j := range r.Perm(k)[:c.rows] {
				rows[i] = int32(j)
			}
			var dt timer
			b.ResetTimer()
			t0 := time.Now()
			for range b.N {
				set.DecodeRows(y, cc, wt, v, rows, h)
			}
			t1 := time.Now()
			for range b.N {
				set.SigmoidDelta(y, d, 1e-6)
			}
			t2 := time.Now()
			for range b.N {
				set.GradRows(d, wt, gw, v, rows, h, g)
			}
			dt.decode, dt.sigmoid, dt.grad = t1.Sub(t0), t2.Sub(t1), time.Since(t2)
			dt.decodeN, dt.sigmoidN, dt.gradN = b.N*len(rows)*v, b.N*v, b.N*len(rows)*v
			dt.report(b)
		})
	}
}
