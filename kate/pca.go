package kate

import (
	"errors"
	"math"
	"strconv"
)

// PCA projects the rows of the row-major matrix rows (n x dim) onto their
// first out principal components and returns the n x out row-major
// coordinates. Each component's sign is fixed so that its largest loading
// is positive, so the result is deterministic. It errors when the shape is
// inconsistent, out is not in [1, dim], or there are fewer than two rows.
// The eigenvectors of the covariance matrix come from cyclic Jacobi
// rotations (no linear-algebra dependency: gonum would add about 110 KB to
// the gzipped WebAssembly build).
func PCA(rows []float32, dim, out int) ([]float32, error) {
	if dim < 1 || len(rows)%dim != 0 {
		return nil, errors.New("kate: PCA: rows do not have the given dimension")
	}
	n := len(rows) / dim
	if n < 2 {
		return nil, errors.New("kate: PCA needs at least two rows")
	}
	if out < 1 || out > dim {
		return nil, errors.New("kate: PCA: " + strconv.Itoa(out) + " components requested from dimension " + strconv.Itoa(dim))
	}
	mean := make([]float64, dim)
	for i := 0; i < n; i++ {
		for j, x := range rows[i*dim : (i+1)*dim] {
			mean[j] += float64(x)
		}
	}
	for j := range mean {
		mean[j] /= float64(n)
	}
	// Covariance, upper triangle accumulated, then mirrored.
	cov := make([]float64, dim*dim)
	cen := make([]float64, dim)
	for i := 0; i < n; i++ {
		for j, x := range rows[i*dim : (i+1)*dim] {
			cen[j] = float64(x) - mean[j]
		}
		for a := 0; a < dim; a++ {
			ca := cen[a]
			if ca == 0 {
				continue
			}
			row := cov[a*dim : (a+1)*dim]
			for b := a; b < dim; b++ {
				row[b] += ca * cen[b]
			}
		}
	}
	for a := 0; a < dim; a++ {
		for b := a; b < dim; b++ {
			v := cov[a*dim+b] / float64(n-1)
			cov[a*dim+b], cov[b*dim+a] = v, v
		}
	}
	vals, vecs := jacobiEigen(cov, dim)
	// Components in decreasing order of eigenvalue (ties to the lower index).
	order := make([]int, dim)
	for i := range order {
		order[i] = i
	}
	for a := 1; a < dim; a++ {
		x := order[a]
		b := a - 1
		for b >= 0 && vals[order[b]] < vals[x] {
			order[b+1] = order[b]
			b--
		}
		order[b+1] = x
	}
	comps := make([][]float64, out)
	for c := range comps {
		col := order[c]
		v := make([]float64, dim)
		best := 0.0
		for j := 0; j < dim; j++ {
			v[j] = vecs[j*dim+col]
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
		r := rows[i*dim : (i+1)*dim]
		for c, v := range comps {
			s := 0.0
			for j, x := range r {
				s += (float64(x) - mean[j]) * v[j]
			}
			res[i*out+c] = float32(s)
		}
	}
	return res, nil
}

// jacobiEigen returns the eigenvalues of the symmetric dim x dim matrix a
// (row-major; destroyed) and its eigenvectors as the columns of a row-major
// matrix, by cyclic Jacobi rotations until the off-diagonal part is
// negligible.
func jacobiEigen(a []float64, dim int) (vals, vecs []float64) {
	vecs = make([]float64, dim*dim)
	for i := 0; i < dim; i++ {
		vecs[i*dim+i] = 1
	}
	for sweep := 0; sweep < 100; sweep++ {
		off, diag := 0.0, 0.0
		for p := 0; p < dim; p++ {
			diag += a[p*dim+p] * a[p*dim+p]
			for q := p + 1; q < dim; q++ {
				off += a[p*dim+q] * a[p*dim+q]
			}
		}
		if off == 0 || off <= 1e-30*diag {
			break
		}
		for p := 0; p < dim-1; p++ {
			for q := p + 1; q < dim; q++ {
				apq := a[p*dim+q]
				if apq == 0 {
					continue
				}
				app, aqq := a[p*dim+p], a[q*dim+q]
				theta := (aqq - app) / (2 * apq)
				t := 1 / (math.Abs(theta) + math.Sqrt(theta*theta+1))
				if theta < 0 {
					t = -t
				}
				c := 1 / math.Sqrt(t*t+1)
				s := t * c
				// A' = Jᵀ A J on rows and columns p and q.
				for k := 0; k < dim; k++ {
					akp, akq := a[k*dim+p], a[k*dim+q]
					a[k*dim+p] = c*akp - s*akq
					a[k*dim+q] = s*akp + c*akq
				}
				for k := 0; k < dim; k++ {
					apk, aqk := a[p*dim+k], a[q*dim+k]
					a[p*dim+k] = c*apk - s*aqk
					a[q*dim+k] = s*apk + c*aqk
				}
				for k := 0; k < dim; k++ {
					vkp, vkq := vecs[k*dim+p], vecs[k*dim+q]
					vecs[k*dim+p] = c*vkp - s*vkq
					vecs[k*dim+q] = s*vkp + c*vkq
				}
			}
		}
	}
	vals = make([]float64, dim)
	for i := range vals {
		vals[i] = a[i*dim+i]
	}
	return vals, vecs
}
