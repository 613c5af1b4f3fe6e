package kate

// Every product that is added or subtracted here is converted first,
// float32(a*b) + c or float64(a*b) + c, so that no compiler fuses it into
// one multiply-add (which rounds once, as arm64 and GOAMD64=v3 builds
// would): the same bits on every platform (docs/design.md §6).

import (
	"errors"
	"math"
	"strconv"
)

// PCA projects the rows of the row-major matrix rows (n x dim) onto their
// first out principal components and returns the n x out row-major
// coordinates. Each component's sign is fixed so that its largest loading
// is positive, so the result is deterministic. It errors when the shape is
// inconsistent, dim is over MaxDim, out is not in [1, dim], or there are
// fewer than two rows. The eigenvectors of the covariance matrix come from
// Jacobi rotations and subspace iteration (see topEigenvectors; no
// linear-algebra dependency: gonum would add about 110 KB to the gzipped
// WebAssembly build).
func PCA(rows []float32, dim, out int) ([]float32, error) {
	if dim < 1 || len(rows)%dim != 0 {
		return nil, errors.New("kate: PCA: rows do not have the given dimension")
	}
	if dim > MaxDim {
		return nil, errors.New("kate: PCA: dimension " + strconv.Itoa(dim) + " is over the limit of " + strconv.Itoa(MaxDim))
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
				row[b] += float64(ca * cen[b])
			}
		}
	}
	for a := 0; a < dim; a++ {
		for b := a; b < dim; b++ {
			v := cov[a*dim+b] / float64(n-1)
			cov[a*dim+b], cov[b*dim+a] = v, v
		}
	}
	comps := topEigenvectors(cov, dim, out)
	for _, v := range comps {
		best := 0.0
		for _, x := range v {
			if math.Abs(x) > math.Abs(best) {
				best = x
			}
		}
		if best < 0 {
			for j := range v {
				v[j] = -v[j]
			}
		}
	}
	res := make([]float32, n*out)
	for i := 0; i < n; i++ {
		r := rows[i*dim : (i+1)*dim]
		for c, v := range comps {
			s := 0.0
			for j, x := range r {
				s += float64((float64(x) - mean[j]) * v[j])
			}
			res[i*out+c] = float32(s)
		}
	}
	return res, nil
}

// topEigenvectors returns the eigenvectors of the out largest eigenvalues
// of the symmetric dim x dim matrix c (row-major; may be destroyed), in
// decreasing order of eigenvalue. Small matrices are diagonalised whole by
// Jacobi rotations; larger ones by subspace iteration on out+8 vectors with
// a Rayleigh–Ritz step (Jacobi on the small projected matrix), which costs
// dim²·(out+8) per iteration instead of the O(dim³) per sweep of a full
// diagonalisation.
func topEigenvectors(c []float64, dim, out int) [][]float64 {
	if dim <= 48 {
		vals, vecs := jacobiEigen(c, dim)
		order := descending(vals)
		comps := make([][]float64, out)
		for i := range comps {
			v := make([]float64, dim)
			for j := range v {
				v[j] = vecs[j*dim+order[i]]
			}
			comps[i] = v
		}
		return comps
	}
	p := min(dim, out+8)
	// Deterministic start: a fixed pseudo-random basis.
	q := make([][]float64, p)
	state := uint64(0x9e3779b97f4a7c15)
	for i := range q {
		q[i] = make([]float64, dim)
		for j := range q[i] {
			state = state*6364136223846793005 + 1442695040888963407
			q[i][j] = float64(float64(int64(state>>11))/float64(1<<52)) - 1
		}
	}
	orthonormalize(q)
	z := make([][]float64, p)
	for i := range z {
		z[i] = make([]float64, dim)
	}
	norm := 0.0
	for _, x := range c {
		norm = math.Max(norm, math.Abs(x))
	}
	var ritz [][]float64
	for iter := 0; iter < 3000; iter++ {
		for i := range q {
			symMatVec(c, dim, q[i], z[i])
		}
		if iter%10 == 9 || iter == 2999 {
			// Rayleigh–Ritz: H = Qᵀ C Q, whose eigenvectors rotate Q into
			// Ritz vectors; stop when the top out residuals are negligible.
			h := make([]float64, p*p)
			for a := 0; a < p; a++ {
				for b := 0; b < p; b++ {
					h[a*p+b] = dot64(q[a], z[b])
				}
			}
			vals, vecs := jacobiEigen(h, p)
			order := descending(vals)
			ritz = make([][]float64, out)
			done := true
			r := make([]float64, dim)
			for i := 0; i < out; i++ {
				v := make([]float64, dim)
				cv := make([]float64, dim)
				for a := 0; a < p; a++ {
					w := vecs[a*p+order[i]]
					for j := range v {
						v[j] += float64(w * q[a][j])
						cv[j] += float64(w * z[a][j])
					}
				}
				for j := range r {
					r[j] = cv[j] - float64(vals[order[i]]*v[j])
				}
				if math.Sqrt(dot64(r, r)) > 1e-10*math.Max(norm, 1e-300)*math.Sqrt(float64(dim)) {
					done = false
				}
				ritz[i] = v
			}
			if done {
				break
			}
		}
		q, z = z, q
		orthonormalize(q)
	}
	return ritz
}

// descending returns the indices of vals in decreasing order of value
// (ties to the lower index).
func descending(vals []float64) []int {
	order := make([]int, len(vals))
	for i := range order {
		order[i] = i
	}
	for a := 1; a < len(order); a++ {
		x := order[a]
		b := a - 1
		for b >= 0 && vals[order[b]] < vals[x] {
			order[b+1] = order[b]
			b--
		}
		order[b+1] = x
	}
	return order
}

// symMatVec sets y = C x for the row-major dim x dim matrix c.
func symMatVec(c []float64, dim int, x, y []float64) {
	for i := range y {
		y[i] = dot64(c[i*dim:(i+1)*dim], x)
	}
}

func dot64(a, b []float64) float64 {
	s := 0.0
	for i, x := range a {
		s += float64(x * b[i])
	}
	return s
}

// orthonormalize makes the vectors orthonormal in order (modified
// Gram–Schmidt, twice for stability); a vector that vanishes is replaced by
// a unit vector orthogonal to the others.
func orthonormalize(q [][]float64) {
	for pass := 0; pass < 2; pass++ {
		for i := range q {
			for k := 0; k < i; k++ {
				d := dot64(q[i], q[k])
				for j := range q[i] {
					q[i][j] -= float64(d * q[k][j])
				}
			}
			nrm := math.Sqrt(dot64(q[i], q[i]))
			if nrm < 1e-300 {
				clear(q[i])
				q[i][i%len(q[i])] = 1
				continue
			}
			for j := range q[i] {
				q[i][j] /= nrm
			}
		}
	}
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
			diag += float64(a[p*dim+p] * a[p*dim+p])
			for q := p + 1; q < dim; q++ {
				off += float64(a[p*dim+q] * a[p*dim+q])
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
				t := 1 / (math.Abs(theta) + math.Sqrt(float64(theta*theta)+1))
				if theta < 0 {
					t = -t
				}
				c := 1 / math.Sqrt(float64(t*t)+1)
				s := t * c
				// A' = Jᵀ A J on rows and columns p and q.
				for k := 0; k < dim; k++ {
					akp, akq := a[k*dim+p], a[k*dim+q]
					a[k*dim+p] = float64(c*akp) - float64(s*akq)
					a[k*dim+q] = float64(s*akp) + float64(c*akq)
				}
				for k := 0; k < dim; k++ {
					apk, aqk := a[p*dim+k], a[q*dim+k]
					a[p*dim+k] = float64(c*apk) - float64(s*aqk)
					a[q*dim+k] = float64(s*apk) + float64(c*aqk)
				}
				for k := 0; k < dim; k++ {
					vkp, vkq := vecs[k*dim+p], vecs[k*dim+q]
					vecs[k*dim+p] = float64(c*vkp) - float64(s*vkq)
					vecs[k*dim+q] = float64(s*vkp) + float64(c*vkq)
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
