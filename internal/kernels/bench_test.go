package kernels_test

import (
	"math/rand/v2"
	"testing"

	"github.com/kate-web/kate/internal/kernels"
)

// BenchmarkKernels times the kernels of a training step at the benchmark
// shape of kate's BenchmarkTrain (V = 2000, K = 128, 32 winners, ~90
// non-zero inputs), for the pure-Go set and, when the build has one, the
// native SIMD set. The inputs do not drift from call to call (each kernel
// writes only buffers no kernel reads, or adds to them linearly), so no
// run slows down on subnormal numbers.
func BenchmarkKernels(b *testing.B) {
	sets := []kernels.Set{kernels.Go()}
	if k, ok := kernels.Native(); ok {
		sets = append(sets, k)
	}
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
