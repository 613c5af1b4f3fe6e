//go:build js && wasm

package simd

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/kate-web/kate/internal/kernels"
	"github.com/kate-web/kate/kate"
)

// decoderTimer accumulates the time spent in the exact decoder's kernels
// and the elements they processed (rows × V for DecodeRows and GradRows,
// V for SigmoidDelta); calls with more than maxRows rows (the validation
// loss decodes from every unit) are not counted.
type decoderTimer struct {
	maxRows                              int
	decode, sigmoid, grad                time.Duration
	decodeN, sigmoidN, gradN             int
	decodeCalls, sigmoidCalls, gradCalls int
}

// timedKernels returns base with DecodeRows, SigmoidDelta and GradRows
// timed into dt (one time.Now pair per call: a call takes microseconds).
func timedKernels(base kernels.Set, dt *decoderTimer) kernels.Set {
	s := base
	s.DecodeRows = func(y, c, wt []float32, v int, rows []int32, h []float32) {
		t0 := time.Now()
		base.DecodeRows(y, c, wt, v, rows, h)
		if len(rows) <= dt.maxRows {
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

func (dt *decoderTimer) report(b *testing.B) {
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
		return (float64(d.Nanoseconds()) - float64(calls)*pair) / float64(n)
	}
	b.ReportMetric(per(dt.decode, dt.decodeCalls, dt.decodeN), "decode-ns/elem")
	b.ReportMetric(per(dt.sigmoid, dt.sigmoidCalls, dt.sigmoidN), "sigmoid-ns/elem")
	b.ReportMetric(per(dt.grad, dt.gradCalls, dt.gradN), "grad-ns/elem")
	b.ReportMetric(pair, "timer-ns")
}

// benchTexts returns up to 3,000 texts of the full 20 Newsgroups corpus
// beside the repository, or of the bundled sample.
func benchTexts(b *testing.B) []string {
	for _, p := range []string{"../../../shared/data/20news-bydate.jsonl.gz", "../../testdata/20news-sample.jsonl.gz"} {
		f, err := os.Open(p)
		if err != nil {
			continue
		}
		defer f.Close()
		gz, err := gzip.NewReader(f)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(gz)
		sc.Buffer(make([]byte, 1<<20), 1<<26)
		var out []string
		for sc.Scan() && len(out) < 3000 {
			var d struct{ Text string }
			if json.Unmarshal(sc.Bytes(), &d) == nil {
				out = append(out, d.Text)
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	b.Skip("no 20 Newsgroups texts")
	return nil
}

// BenchmarkDecoder is kate's BenchmarkDecoder (kate/bench_test.go) with the
// WebAssembly SIMD kernels: the exact decoder's kernels per element inside
// training ("step": 20 Newsgroups texts, V = 2,000, K = 128, k = 32, one
// epoch; one op = one training run) and on the same calls repeated on data
// that stays in cache ("L2": 32 rows of V = 2,000, "L1": 16 rows of V =
// 256). Run it with GOOS=js GOARCH=wasm go test -run '^$' -bench Decoder
// -exec=$(go env GOROOT)/lib/wasm/go_js_wasm_exec ./wasm/simd.
func BenchmarkDecoder(b *testing.B) {
	set := Kernels(instantiate(b))
	const k, kk = 128, 32
	b.Run("step", func(b *testing.B) {
		texts := benchTexts(b)
		c, err := kate.BuildCorpus(texts, kate.DefaultTextOptions(), 2000)
		if err != nil {
			b.Fatal(err)
		}
		cfg := kate.DefaultConfig()
		cfg.Dim, cfg.Winners, cfg.Epochs, cfg.ValidationDocs = k, kk, 1, 100
		dt := decoderTimer{maxRows: kk}
		old := kernels.Use(timedKernels(set, &dt))
		defer kernels.Use(old)
		b.ResetTimer()
		start := time.Now()
		for range b.N {
			if _, err := kate.TrainCorpus(context.Background(), c, cfg, kate.TrainOptions{}); err != nil {
				b.Fatal(err)
			}
		}
		all := time.Since(start)
		dt.report(b)
		b.ReportMetric(float64(dt.decode+dt.sigmoid+dt.grad)/float64(all), "decoder-share")
	})
	for _, c := range []struct {
		name    string
		v, rows int
	}{{"L2", 2000, kk}, {"L1", 256, 16}} {
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
			var dt decoderTimer
			s := set
			// Each kernel in its own loop, timed as a whole.
			b.ResetTimer()
			t0 := time.Now()
			for range b.N {
				s.DecodeRows(y, cc, wt, v, rows, h)
			}
			t1 := time.Now()
			for range b.N {
				s.SigmoidDelta(y, d, 1e-6)
			}
			t2 := time.Now()
			for range b.N {
				s.GradRows(d, wt, gw, v, rows, h, g)
			}
			dt.decode, dt.sigmoid, dt.grad = t1.Sub(t0), t2.Sub(t1), time.Since(t2)
			dt.decodeN, dt.sigmoidN, dt.gradN = b.N*len(rows)*v, b.N*v, b.N*len(rows)*v
			dt.report(b)
		})
	}
}
