package eval

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/kate-web/kate/kate"
	"gonum.org/v1/gonum/mat"
)

// randomSparse returns n random sparse vectors over v terms (about a tenth
// of the entries non-zero, values in (0, 1]) and the same as a dense matrix.
func randomSparse(rng *rand.Rand, n, v int) ([]kate.SparseVector, *mat.Dense) {
	xs := make([]kate.SparseVector, n)
	dense := mat.NewDense(n, v, nil)
	for d := range xs {
		for i := range v {
			if rng.IntN(10) == 0 {
				val := float32(1 - float64(rng.Float64()))
				xs[d].Indices = append(xs[d].Indices, int32(i))
				xs[d].Values = append(xs[d].Values, val)
				dense.Set(d, i, float64(val))
			}
		}
	}
	return xs, dense
}

func TestLSAMatchesSVD(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	const n, v = 80, 150
	xs, dense := randomSparse(rng, n, v)
	var svd mat.SVD
	if !svd.Factorize(dense, mat.SVDThin) {
		t.Fatal("SVD failed")
	}
	sv := svd.Values(nil)
	var vt mat.Dense
	svd.VTo(&vt)
	// dim 10 uses subspace iteration, dim 60 the full decomposition.
	for _, dim := range []int{10, 60} {
		l, err := FitLSA(xs, v, dim)
		if err != nil {
			t.Fatal(err)
		}
		if (dim == 10) != (l.Iterations > 0) {
			t.Errorf("dim %d: %d subspace iterations", dim, l.Iterations)
		}
		for j := range dim {
			if math.Abs(l.Singular[j]-sv[j]) > 1e-6*sv[0] {
				t.Errorf("dim %d: singular value %d = %v, SVD %v", dim, j, l.Singular[j], sv[j])
			}
			// Same direction as the SVD's right singular vector, sign fixed
			// so that the largest loading is positive.
			dot, big := 0.0, 0
			for i := range v {
				dot += float64(l.basis[i*dim+j] * vt.At(i, j))
				if math.Abs(l.basis[i*dim+j]) > math.Abs(l.basis[big*dim+j]) {
					big = i
				}
			}
			if math.Abs(math.Abs(dot)-1) > 1e-6 {
				t.Errorf("dim %d: vector %d has |cos| %v with the SVD's", dim, j, math.Abs(dot))
			}
			if l.basis[big*dim+j] < 0 {
				t.Errorf("dim %d: vector %d: largest loading is negative", dim, j)
			}
		}
		// Coordinates of the training documents: their squared norms per
		// column are the squared singular values (X V = U S).
		coords, err := l.Transform(xs)
		if err != nil {
			t.Fatal(err)
		}
		for j := range dim {
			s := 0.0
			for d := range n {
				s += float64(float64(coords[d*dim+j]) * float64(coords[d*dim+j]))
			}
			if math.Abs(math.Sqrt(s)-sv[j]) > 1e-4*sv[0] {
				t.Errorf("dim %d: column %d of X V has norm %v, want %v", dim, j, math.Sqrt(s), sv[j])
			}
		}
	}
}

func TestLSAErrors(t *testing.T) {
	xs := []kate.SparseVector{{Indices: []int32{0, 2}, Values: []float32{1, 0.5}}}
	if _, err := FitLSA(nil, 3, 1); err == nil {
		t.Error("no documents: no error")
	}
	if _, err := FitLSA(xs, 3, 4); err == nil {
		t.Error("dim > v: no error")
	}
	if _, err := FitLSA(xs, 3, 0); err == nil {
		t.Error("dim 0: no error")
	}
	if _, err := FitLSA(xs, 2, 1); err == nil {
		t.Error("index out of range: no error")
	}
	if _, err := FitLSA(xs, MaxLSAVocabulary+1, MaxLSAVocabulary/2); err == nil {
		t.Error("dense decomposition of a huge vocabulary: no error")
	}
	if _, err := FitLSA(xs, kate.MaxVocabulary, 1000); err == nil {
		t.Error("huge subspace blocks: no error")
	}
	if _, err := FitLSA(xs, kate.MaxVocabulary+1, 1); err == nil {
		t.Error("vocabulary above kate.MaxVocabulary: no error")
	}
	l, err := FitLSA(xs, 3, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Transform([]kate.SparseVector{{Indices: []int32{7}, Values: []float32{1}}}); err == nil {
		t.Error("Transform of a malformed vector: no error")
	}
}
