package kernels_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/kate-web/kate/internal/kernels"
)

// benchSets returns the kernel sets the benchmarks compare: pure Go, the
// AVX2 set where the CPU has AVX2, and the native set where it differs
// from the AVX2 one (AVX-512).
func benchSets() []kernels.Set {
	sets := []kernels.Set{kernels.Go()}
	if a, ok := kernels.AVX2(); ok {
		sets = append(sets, a)
	}
	if k, ok := kernels.Native(); ok && k.Name != sets[len(sets)-1].Name {
		sets = append(sets, k)
	}
	return sets
}

// benchRows draws nr distinct rows of k, in random order, for each of nd
// documents: the rows and offsets of DecodeRowsDocs and GradRowsDocs.
func benchRows(rng *rand.Rand, nd, k, nr int) (rows, offs []int32) {
	offs = []int32{0}
	for range nd {
		for _, j := range rng.Perm(k)[:nr] {
			rows = append(rows, int32(j))
		}
		offs = append(offs, int32(len(rows)))
	}
	return rows, offs
}

// BenchmarkKernels times the kernels of a training step at the benchmark
// shape of kate's BenchmarkTrain (V = 2000, K = 128, 32 winners, ~90
// non-zero inputs), for the pure-Go set and, when the build has them, the
// AVX2 set and the native set (its 512-bit kernels where the CPU has
// AVX-512). The inputs do not drift from call to call (each kernel
// writes only buffers no kernel reads, or adds to them linearly), so no
// run slows down on subnormal numbers.
func BenchmarkKernels(b *testing.B) {
	sets := benchSets()
	const v, k, nnz = 2000, 128, 90
	rng := rand.New(rand.NewPCG(1, 2))
	vec := func(n int) []float32 {
		s := make([]float32, n)
		for i := range s {
			s[i] = float32(rng.NormFloat64())
		}
		return s
	}
	wt, gw, wT, gwT := vec(k*v), vec(k*v), vec(v*k), vec(v*k)
	h, g, c, y, d := vec(k), vec(k), vec(v), vec(v), vec(v)
	y4, p, a := vec(v), vec(v), vec(k)
	for i := range y4 {
		y4[i] *= 4
	}
	rows := make([]int32, 32)
	for i, j := range rng.Perm(k)[:32] {
		rows[i] = int32(j)
	}
	idx := make([]int32, nnz)
	for i, j := range rng.Perm(v)[:nnz] {
		idx[i] = int32(j)
	}
	x := vec(nnz)
	gs := [4][]float32{vec(v * k), vec(v * k), vec(v * k), vec(v * k)}
	th, acc, upd := vec(v*k), vec(v*k), vec(v*k)
	for i := range acc {
		acc[i], upd[i] = acc[i]*acc[i], upd[i]*upd[i]
	}
	chunkRows := make([]int32, k)
	for j := range chunkRows {
		chunkRows[j] = int32(j)
	}
	chunkDA := vec(25 * k)
	for i := range chunkDA {
		chunkDA[i] *= 1e-6 // the gradient does not grow over the calls
	}
	var chunkIdx [][]int32
	var chunkX [][]float32
	for range 25 {
		var ix []int32
		for _, j := range rng.Perm(v)[:nnz] {
			ix = append(ix, int32(j))
		}
		chunkIdx = append(chunkIdx, ix)
		chunkX = append(chunkX, vec(nnz))
	}
	for _, s := range sets {
		b.Run(s.Name+"/DecodeRows", func(b *testing.B) {
			for range b.N {
				s.DecodeRows(y, c, wt, v, rows, h)
			}
		})
		b.Run(s.Name+"/GradRows", func(b *testing.B) {
			for range b.N {
				s.GradRows(d, wt, gw, v, rows, h, g)
			}
		})
		b.Run(s.Name+"/SigmoidDelta", func(b *testing.B) {
			for range b.N {
				s.SigmoidDelta(y4, p, 1e-3)
			}
		})
		b.Run(s.Name+"/AxpyRows", func(b *testing.B) {
			for range b.N {
				s.AxpyRows(a, wT, idx, x)
			}
		})
		b.Run(s.Name+"/Softplus", func(b *testing.B) {
			for range b.N {
				s.Softplus(y4, p)
			}
		})
		b.Run(s.Name+"/Tanh", func(b *testing.B) {
			// The encoder's activation: K values, a document's a.
			for range b.N {
				s.Tanh(a, p[:k])
			}
		})
		b.Run(s.Name+"/SparseAxpyDocs", func(b *testing.B) {
			// A chunk's encoder gradient: 25 documents on all K rows.
			for range b.N {
				s.SparseAxpyDocs(gw, v, chunkRows, 8, chunkDA, k, chunkIdx, chunkX)
			}
		})
		b.Run(s.Name+"/SparseAxpy", func(b *testing.B) {
			for range b.N {
				s.SparseAxpy(gw, v, rows, h, idx, x)
			}
		})
		b.Run(s.Name+"/ScatterAxpy", func(b *testing.B) {
			for range b.N {
				s.ScatterAxpy(gwT, h, idx, x)
			}
		})
		b.Run(s.Name+"/Transpose", func(b *testing.B) {
			for range b.N {
				s.Transpose(wT, wt, k, v, v)
			}
		})
		b.Run(s.Name+"/AdadeltaSum", func(b *testing.B) {
			for range b.N {
				// rho = 1: the accumulators keep their values.
				s.AdadeltaSum(th, acc, upd, gs[0], gs[1], gs[2], gs[3], 1, 1, 1e-6)
			}
		})
	}
}

// BenchmarkDecoderBlocks asks what reading W once per document would win
// (docs/speed.md, "The decoder"): one op is one document's DecodeRows,
// SigmoidDelta and GradRows (32 random rows of K = 128, V = 2,000) in a
// training step's memory pattern (W and four chunk gradients of 1 MB, the
// chunk's gradient changing every 25 documents, a 9 MB pass every 100 as
// Adadelta's), on rows of the whole V ("rows", as training runs them) or
// with W and the gradients stored as column blocks of 256 and the kernels
// called block by block ("blocks"): a block's rows of W (32 KB) are still
// in L1 when GradRows reads them after DecodeRows, as in a fused decoder.
// The block sums are not the reference's (timing only).
func BenchmarkDecoderBlocks(b *testing.B) {
	const v, k, nr, chunk, batch = 2000, 128, 32, 25, 100
	rng := rand.New(rand.NewPCG(3, 4))
	vec := func(n int, s float64) []float32 {
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(rng.NormFloat64() * s)
		}
		return x
	}
	wt := vec(k*v, 0.1)
	gws := [4][]float32{vec(k*v, 1e-6), vec(k*v, 1e-6), vec(k*v, 1e-6), vec(k*v, 1e-6)}
	sweep := vec(9<<18, 1)
	h, g, c, y, d := vec(k, 1), vec(k, 1), vec(v, 1), vec(v, 1), vec(v, 1)
	rows := make([][]int32, 400)
	for i := range rows {
		for _, j := range rng.Perm(k)[:nr] {
			rows[i] = append(rows[i], int32(j))
		}
	}
	s := kernels.Active()
	var sink float32
	for _, bw := range []int{0, 256, 512} {
		name := "rows"
		if bw > 0 {
			name = fmt.Sprintf("blocks=%d", bw)
		}
		b.Run(name, func(b *testing.B) {
			for i := range b.N {
				if i%batch == 0 {
					for q := 0; q < len(sweep); q += 16 {
						sink += sweep[q]
					}
				}
				gw, r := gws[(i/chunk)%4], rows[i%len(rows)]
				if bw == 0 {
					s.DecodeRows(y, c, wt, v, r, h)
					s.SigmoidDelta(y, d, 1e-6)
					s.GradRows(d, wt, gw, v, r, h, g)
					continue
				}
				// Block lo holds rows of length bw at lo*k: W[j][lo:lo+bw]
				// at wt[lo*k+j*bw:].
				for lo := 0; lo < v; lo += bw {
					n := min(bw, v-lo)
					wb, gb := wt[lo*k:lo*k+k*n], gw[lo*k:lo*k+k*n]
					s.DecodeRows(y[lo:lo+n], c[lo:lo+n], wb, n, r, h)
					s.SigmoidDelta(y[lo:lo+n], d[lo:lo+n], 1e-6)
					s.GradRows(d[lo:lo+n], wb, gb, n, r, h, g)
				}
			}
		})
	}
	_ = sink
}

// BenchmarkDecodeRowsDocs times the validation losses' decoder
// (kate/train.go's validationLosses): 8 documents per call, all K = 128
// rows or 32 of them, at V = 2,000 and 10,000, each set's DecodeRowsDocs
// ("docs") against the loop over its DecodeRows ("loop", what a set
// without its own DecodeRowsDocs runs). One op is one call.
func BenchmarkDecodeRowsDocs(b *testing.B) {
	sets := []kernels.Set{kernels.Go()}
	if k, ok := kernels.Native(); ok {
		sets = append(sets, k)
	}
	const k, nd = 128, 8
	rng := rand.New(rand.NewPCG(5, 6))
	vec := func(n int) []float32 {
		s := make([]float32, n)
		for i := range s {
			s[i] = float32(rng.NormFloat64())
		}
		return s
	}
	for _, v := range []int{2000, 10000} {
		wt, c, y, h := vec(k*v), vec(v), vec(nd*v), vec(nd*k)
		for _, nr := range []int{k, 32} {
			rows, offs := benchRows(rng, nd, k, nr)
			for _, s := range sets {
				loop := kernels.DecodeRowsDocsWith(s.DecodeRows)
				b.Run(fmt.Sprintf("%s/V=%d/rows=%d/loop", s.Name, v, nr), func(b *testing.B) {
					for range b.N {
						loop(y, c, wt, v, rows, offs, h, k)
					}
				})
				b.Run(fmt.Sprintf("%s/V=%d/rows=%d/docs", s.Name, v, nr), func(b *testing.B) {
					for range b.N {
						s.DecodeRowsDocs(y, c, wt, v, rows, offs, h, k)
					}
				})
			}
		}
	}
}

// BenchmarkGradRowsDocs times the decoder gradient of one training chunk
// (25 documents, 32 of K = 128 rows each, V = 2,000): each set's
// GradRowsDocs ("docs", the native one by rows, four documents at a time)
// against the loop over its GradRows ("loop"). One op is one call.
func BenchmarkGradRowsDocs(b *testing.B) {
	sets := benchSets()
	const v, k, nd, nr = 2000, 128, 25, 32
	rng := rand.New(rand.NewPCG(7, 8))
	vec := func(n int, sc float64) []float32 {
		s := make([]float32, n)
		for i := range s {
			s[i] = float32(rng.NormFloat64() * sc)
		}
		return s
	}
	wt, gw, d, h, g := vec(k*v, 0.1), vec(k*v, 1e-6), vec(nd*v, 1e-6), vec(nd*k, 1), vec(nd*k, 1)
	rows, offs := benchRows(rng, nd, k, nr)
	for _, s := range sets {
		loop := kernels.GradRowsDocsWith(s.GradRows)
		b.Run(s.Name+"/loop", func(b *testing.B) {
			for range b.N {
				loop(d, wt, gw, v, rows, offs, h, g, k)
			}
		})
		b.Run(s.Name+"/docs", func(b *testing.B) {
			for range b.N {
				s.GradRowsDocs(d, wt, gw, v, rows, offs, h, g, k)
			}
		})
	}
}
