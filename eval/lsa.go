package eval

// Every product that is added or subtracted here is converted first,
// float32(a*b) + c or float64(a*b) + c, so that no compiler fuses it into
// one multiply-add (which rounds once, as arm64 and GOAMD64=v3 builds
// would): the same bits on every platform (docs/design.md §6).

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"

	"github.com/kate-web/kate/internal/parallel"
	"github.com/kate-web/kate/kate"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/lapack/lapack64"
	"gonum.org/v1/gonum/mat"
)

// MaxLSAVocabulary is the largest vocabulary for which FitLSA may
// eigen-decompose the dense V x V Gram matrix (O(V²) memory, O(V³) time).
// Larger vocabularies are accepted only when subspace iteration applies
// (dim small next to V) and converges.
const MaxLSAVocabulary = 8192

// MaxLSABlock bounds V·(2·dim+16), the size of the subspace iteration's
// blocks (each a V x (2·dim+16) float64 matrix; three are kept).
const MaxLSABlock = 1 << 25

// Subspace iteration settings of FitLSA.
const (
	// lsaTol bounds every wanted Ritz pair's residual ||XᵀX u − θ u||,
	// relative to the largest eigenvalue.
	lsaTol = 1e-7
	// lsaMaxIter bounds the subspace iterations; without convergence
	// FitLSA falls back to the full decomposition.
	lsaMaxIter = 300
	// lsaCheckEvery is the number of iterations between Rayleigh-Ritz
	// steps (which check convergence).
	lsaCheckEvery = 3
)

// LSA is latent semantic analysis: the truncated singular value
// decomposition X ≈ U_k S_k V_kᵀ of the n x V input matrix X of the training
// documents. A document x is represented by its coordinates x V_k on the
// top right singular vectors (for a training document, its row of U_k S_k).
// The input matrix is not centred, as in classic LSA.
type LSA struct {
	v, dim int
	basis  []float64 // V x dim, row-major: column j is the j-th right singular vector
	// Singular are the dim largest singular values of X, largest first.
	Singular []float64
	// Iterations is the number of subspace iterations used (0 when the
	// full eigen-decomposition was used).
	Iterations int
}

// Dim returns the number of coordinates of a document.
func (l *LSA) Dim() int { return l.dim }

// FitLSA computes the dim-dimensional LSA of the input vectors xs over a
// vocabulary of v terms. The right singular vectors of X are the
// eigenvectors of the V x V Gram matrix XᵀX and the singular values the
// square roots of its eigenvalues. When dim is small next to V, FitLSA
// finds the top dim of them by subspace iteration (a block of 2·dim+16
// vectors from a fixed seed, multiplied by Xᵀ(X·) with the sparse X,
// Rayleigh-Ritz every few steps) until every wanted pair's residual is
// below 1e-7 of the largest eigenvalue; otherwise, or without convergence,
// it eigen-decomposes the dense Gram matrix (gonum mat.EigenSym), whose cost
// grows as V³. Each vector's sign is fixed so that its largest loading is
// positive, so the result is deterministic. It errors when xs is empty, a
// vector is malformed, dim is not in [1, v], v·(2·dim+16) exceeds
// MaxLSABlock, or the dense decomposition would be needed for a vocabulary
// larger than MaxLSAVocabulary.
func FitLSA(xs []kate.SparseVector, v, dim int) (*LSA, error) {
	if len(xs) == 0 {
		return nil, errors.New("eval: LSA needs at least one document")
	}
	if v < 1 || v > kate.MaxVocabulary {
		return nil, fmt.Errorf("eval: LSA vocabulary size %d must be in [1, %d]", v, kate.MaxVocabulary)
	}
	if dim < 1 || dim > v {
		return nil, fmt.Errorf("eval: LSA dimension %d must be in [1, %d] (the vocabulary size)", dim, v)
	}
	p := 2*dim + 16
	subspace := 2*p <= v
	if v*p > MaxLSABlock || (!subspace && v > MaxLSAVocabulary) {
		return nil, fmt.Errorf("eval: LSA of %d dimensions over a vocabulary of %d terms is too large", dim, v)
	}
	for i, x := range xs {
		if err := x.Validate(v); err != nil {
			return nil, fmt.Errorf("eval: document %d: %w", i, err)
		}
	}
	l := &LSA{v: v, dim: dim, basis: make([]float64, v*dim), Singular: make([]float64, dim)}
	var values []float64
	var vecs *mat.Dense
	ok := false
	if subspace {
		values, vecs, l.Iterations, ok = subspaceEigen(gramOp(xs, v), v, dim, p)
	}
	if !ok {
		if v > MaxLSAVocabulary {
			return nil, fmt.Errorf("eval: LSA subspace iteration did not converge and the vocabulary of %d terms is too large for the full decomposition", v)
		}
		var err error
		if values, vecs, err = denseEigen(gram(xs, v), dim); err != nil {
			return nil, err
		}
		l.Iterations = 0
	}
	for j := range dim {
		l.Singular[j] = math.Sqrt(max(0, values[j]))
		col := mat.Col(nil, j, vecs)
		big := 0
		for i, c := range col {
			if math.Abs(c) > math.Abs(col[big]) {
				big = i
			}
		}
		sign := 1.0
		if col[big] < 0 {
			sign = -1
		}
		for i, c := range col {
			l.basis[i*dim+j] = sign * c
		}
	}
	return l, nil
}

// Transform returns the LSA coordinates x V_k of the input vectors xs as
// one row-major n x Dim matrix. It errors when a vector is malformed.
func (l *LSA) Transform(xs []kate.SparseVector) ([]float32, error) {
	out := make([]float32, len(xs)*l.dim)
	acc := make([]float64, l.dim)
	for d, x := range xs {
		if err := x.Validate(l.v); err != nil {
			return nil, fmt.Errorf("eval: document %d: %w", d, err)
		}
		clear(acc)
		for a, i := range x.Indices {
			floats.AddScaled(acc, float64(x.Values[a]), l.basis[int(i)*l.dim:(int(i)+1)*l.dim])
		}
		for j, s := range acc {
			out[d*l.dim+j] = float32(s)
		}
	}
	return out, nil
}

// gram returns the dense V x V matrix XᵀX (upper triangle filled).
func gram(xs []kate.SparseVector, v int) *mat.SymDense {
	g := make([]float64, v*v)
	workers := runtime.GOMAXPROCS(0)
	parallel.Run(workers, func(w int) {
		for _, x := range xs {
			for a, i := range x.Indices {
				if int(i)%workers != w {
					continue
				}
				xi := float64(x.Values[a])
				row := g[int(i)*v:]
				for b := a; b < len(x.Indices); b++ {
					row[x.Indices[b]] += float64(xi * float64(x.Values[b]))
				}
			}
		}
	})
	return mat.NewSymDense(v, g)
}

// gramOp returns a function setting z = XᵀX q for V x p matrices, computed
// as Xᵀ(X q) with the sparse X and spread over all cores.
func gramOp(xs []kate.SparseVector, v int) func(z, q *mat.Dense) {
	return func(z, q *mat.Dense) {
		_, p := q.Dims()
		qr := q.RawMatrix()
		y := make([]float64, len(xs)*p) // X q, n x p
		workers := runtime.GOMAXPROCS(0)
		parallel.Run(workers, func(w int) {
			for d := w; d < len(xs); d += workers {
				row := y[d*p : (d+1)*p]
				x := xs[d]
				for a, i := range x.Indices {
					floats.AddScaled(row, float64(x.Values[a]), qr.Data[int(i)*qr.Stride:int(i)*qr.Stride+p])
				}
			}
		})
		z.Zero()
		zr := z.RawMatrix()
		parallel.Run(workers, func(w int) {
			for d, x := range xs {
				row := y[d*p : (d+1)*p]
				for a, i := range x.Indices {
					if int(i)%workers == w {
						floats.AddScaled(zr.Data[int(i)*zr.Stride:int(i)*zr.Stride+p], float64(x.Values[a]), row)
					}
				}
			}
		})
	}
}

// denseEigen returns the dim largest eigenvalues of g (descending) and
// their eigenvectors (the columns of a V x dim matrix) from the full
// decomposition.
func denseEigen(g *mat.SymDense, dim int) ([]float64, *mat.Dense, error) {
	v := g.SymmetricDim()
	var eig mat.EigenSym
	if !eig.Factorize(g, true) {
		return nil, nil, errors.New("eval: LSA eigen-decomposition did not converge")
	}
	all := eig.Values(nil) // ascending
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	vals := make([]float64, dim)
	out := mat.NewDense(v, dim, nil)
	for j := range dim {
		vals[j] = all[v-1-j]
		out.SetCol(j, mat.Col(nil, v-1-j, &vecs))
	}
	return vals, out, nil
}

// subspaceEigen finds the dim largest eigenpairs of the symmetric positive
// semi-definite V x V operator op by subspace iteration on a block of p
// vectors, with a Rayleigh-Ritz step every lsaCheckEvery iterations. It
// returns the eigenvalues (descending), the eigenvectors (V x dim), the
// number of iterations, and ok = false when it did not converge.
func subspaceEigen(op func(z, q *mat.Dense), v, dim, p int) (vals []float64, vecs *mat.Dense, iters int, ok bool) {
	rng := rand.New(rand.NewPCG(0x6c7361, 1)) // "lsa"
	q := mat.NewDense(v, p, nil)
	for i := range v {
		for j := range p {
			q.Set(i, j, rng.NormFloat64())
		}
	}
	orthonormalize(q)
	z := mat.NewDense(v, p, nil)
	t := mat.NewSymDense(p, nil)
	var tt, u, gu mat.Dense
	var eig mat.EigenSym
	theta := make([]float64, p)
	for it := 1; it <= lsaMaxIter; it++ {
		op(z, q)
		if it%lsaCheckEvery == 0 {
			// Rayleigh-Ritz: T = Qᵀ G Q, T = S Θ Sᵀ, u = Q s, G u = Z s.
			tt.Reset()
			tt.Mul(q.T(), z)
			for i := range p {
				for j := i; j < p; j++ {
					t.SetSym(i, j, 0.5*(tt.At(i, j)+tt.At(j, i)))
				}
			}
			if !eig.Factorize(t, true) {
				return nil, nil, it, false
			}
			eig.Values(theta) // ascending
			var sv mat.Dense
			eig.VectorsTo(&sv)
			s := mat.NewDense(p, dim, nil)
			desc := make([]float64, dim)
			for j := range dim {
				desc[j] = theta[p-1-j]
				s.SetCol(j, mat.Col(nil, p-1-j, &sv))
			}
			u.Reset()
			u.Mul(q, s)
			gu.Reset()
			gu.Mul(z, s)
			worst := 0.0
			top := math.Max(desc[0], 1e-300)
			for j := range dim {
				r := 0.0
				for i := range v {
					d := gu.At(i, j) - float64(desc[j]*u.At(i, j))
					r += float64(d * d)
				}
				worst = math.Max(worst, math.Sqrt(r)/top)
			}
			if worst < lsaTol {
				return desc, mat.DenseCopyOf(&u), it, true
			}
		}
		q.Copy(z)
		orthonormalize(q)
	}
	return nil, nil, lsaMaxIter, false
}

// orthonormalize replaces the columns of q by an orthonormal basis of their
// span (thin QR with LAPACK's Dgeqrf and Dorgqr).
func orthonormalize(q *mat.Dense) {
	a := q.RawMatrix()
	tau := make([]float64, a.Cols)
	work := make([]float64, 1)
	lapack64.Geqrf(a, tau, work, -1)
	work = make([]float64, max(int(work[0]), a.Cols))
	lapack64.Geqrf(a, tau, work, len(work))
	lapack64.Orgqr(a, tau, work, -1)
	if n := int(work[0]); n > len(work) {
		work = make([]float64, n)
	}
	lapack64.Orgqr(a, tau, work, len(work))
}
