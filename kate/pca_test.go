package kate

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// gonumPCA is the reference: the same projection computed with gonum's
// symmetric eigendecomposition (gonum stays out of the library itself,
// which must stay small as WebAssembly).
func gonumPCA(rows []float32, dim, out int) []float32 {
	n := len(rows) / dim
	mean := make([]float64, dim)
	for i := 0; i < n; i++ {
		for j := 0; j < dim; j++ {
			mean[j] += float64(rows[i*dim+j]) / float64(n)
		}
	}
	cov := mat.NewSymDense(dim, nil)
	cen := make([]float64, dim)
	for i := 0; i < n; i++ {
		for j := range cen {
			cen[j] = float64(rows[i*dim+j]) - mean[j]
		}
		cov.SymRankOne(cov, 1/float64(n-1), mat.NewVecDense(dim, cen))
	}
	var eig mat.EigenSym
	eig.Factorize(cov, true)
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	res := make([]float32, n*out)
	for c := 0; c < out; c++ {
		col := dim - 1 - c
		best := 0.0
		for j := 0; j < dim; j++ {
			if v := vecs.At(j, col); math.Abs(v) > math.Abs(best) {
				best = v
			}
		}
		sign := 1.0
		if best < 0 {
			sign = -1
		}
		for i := 0; i < n; i++ {
			s := 0.0
			for j := 0; j < dim; j++ {
				s += float64((float64(rows[i*dim+j]) - mean[j]) * vecs.At(j, col) * sign)
			}
			res[i*out+c] = float32(s)
		}
	}
	return res
}

func TestPCAMatchesGonum(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, shape := range [][3]int{{50, 6, 2}, {300, 32, 3}, {200, 128, 2}, {400, 300, 3}, {2, 3, 1}} {
		n, dim, out := shape[0], shape[1], shape[2]
		rows := make([]float32, n*dim)
		for i := 0; i < n; i++ {
			for j := 0; j < dim; j++ {
				// Decreasing variance per column, plus correlation.
				rows[i*dim+j] = float32(rng.NormFloat64()*float64(dim-j)) + float32(0.3*rows[i*dim])
			}
		}
		got, err := PCA(rows, dim, out)
		if err != nil {
			t.Fatal(err)
		}
		want := gonumPCA(rows, dim, out)
		scale := 0.0
		for _, w := range want {
			scale = math.Max(scale, math.Abs(float64(w)))
		}
		for i := range want {
			if d := math.Abs(float64(got[i] - want[i])); d > 1e-4*scale {
				t.Fatalf("%v: element %d: got %v, gonum %v", shape, i, got[i], want[i])
			}
		}
	}
	for _, bad := range []struct {
		rows     []float32
		dim, out int
	}{{make([]float32, 5), 2, 1}, {make([]float32, 4), 4, 1}, {make([]float32, 8), 4, 5}, {make([]float32, 8), 4, 0}, {make([]float32, 2*(MaxDim+1)), MaxDim + 1, 2}} {
		if _, err := PCA(bad.rows, bad.dim, bad.out); err == nil {
			t.Errorf("PCA(%d values, %d, %d): no error", len(bad.rows), bad.dim, bad.out)
		}
	}
}
