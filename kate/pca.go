package kate

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// PCA projects the rows of the row-major matrix rows (n x dim) onto their
// first out principal components and returns the n x out row-major
// coordinates. Each component's sign is fixed so that its largest loading
// is positive, so the result is deterministic. It errors when the shape is
// inconsistent, out is not in [1, dim], or there are fewer than two rows.
func PCA(rows []float32, dim, out int) ([]float32, error) {
	if dim < 1 || len(rows)%dim != 0 {
		return nil, errors.New("kate: PCA: rows do not have the given dimension")
	}
	n := len(rows) / dim
	if n < 2 {
		return nil, errors.New("kate: PCA needs at least two rows")
	}
	if out < 1 || out > dim {
		return nil, fmt.Errorf("kate: PCA: %d components requested from dimension %d", out, dim)
	}
	mean := make([]float64, dim)
	for i := 0; i < n; i++ {
		for j := 0; j < dim; j++ {
			mean[j] += float64(rows[i*dim+j])
		}
	}
	for j := range mean {
		mean[j] /= float64(n)
	}
	cov := mat.NewSymDense(dim, nil)
	cen := make([]float64, dim)
	for i := 0; i < n; i++ {
		for j := 0; j < dim; j++ {
			cen[j] = float64(rows[i*dim+j]) - mean[j]
		}
		cov.SymRankOne(cov, 1/float64(n-1), mat.NewVecDense(dim, cen))
	}
	var eig mat.EigenSym
	if !eig.Factorize(cov, true) {
		return nil, errors.New("kate: PCA: eigendecomposition failed")
	}
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	// Eigenvalues come in ascending order: take the last out columns.
	comps := make([][]float64, out)
	for c := 0; c < out; c++ {
		col := dim - 1 - c
		v := make([]float64, dim)
		best := 0.0
		for j := 0; j < dim; j++ {
			v[j] = vecs.At(j, col)
			if math.Abs(v[j]) > math.Abs(best) {
				best = v[j]
			}
		}
		if best < 0 {
			for j := range v {
				v[j] = -v[j]
			}
		}
		comps[c] = v
	}
	res := make([]float32, n*out)
	for i := 0; i < n; i++ {
		for c, v := range comps {
			s := 0.0
			for j := 0; j < dim; j++ {
				s += (float64(rows[i*dim+j]) - mean[j]) * v[j]
			}
			res[i*out+c] = float32(s)
		}
	}
	return res, nil
}
