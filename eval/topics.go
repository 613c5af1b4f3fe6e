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
	"slices"

	"github.com/kate-web/kate/internal/parallel"
	"github.com/kate-web/kate/kate"
	"gonum.org/v1/gonum/mat"
)

// Topic-quality settings: coherence is measured on each topic's first
// NPMIWords terms and diversity on its first DiversityWords terms, the
// usual choices of the topic-model literature.
const (
	NPMIWords      = 10
	DiversityWords = 25
)

// Cooccurrence counts in how many documents of a reference corpus each
// term, and each pair of terms, occurs (binary occurrence: a term counts
// once per document however often it appears).
type Cooccurrence struct {
	docs     int
	postings [][]int32 // term -> ascending document numbers
}

// NewCooccurrence indexes the input vectors xs over a vocabulary of v terms.
// It errors when xs is empty or a vector is malformed.
func NewCooccurrence(xs []kate.SparseVector, v int) (*Cooccurrence, error) {
	if len(xs) == 0 {
		return nil, errors.New("eval: coherence needs at least one reference document")
	}
	c := &Cooccurrence{docs: len(xs), postings: make([][]int32, v)}
	for d, x := range xs {
		if err := x.Validate(v); err != nil {
			return nil, fmt.Errorf("eval: document %d: %w", d, err)
		}
		for _, i := range x.Indices {
			c.postings[i] = append(c.postings[i], int32(d))
		}
	}
	return c, nil
}

// DocFreq returns the number of reference documents containing term i.
func (c *Cooccurrence) DocFreq(i int) int { return len(c.postings[i]) }

// pairCount returns the number of documents containing both terms.
func (c *Cooccurrence) pairCount(i, j int) int {
	a, b := c.postings[i], c.postings[j]
	n, p, q := 0, 0, 0
	for p < len(a) && q < len(b) {
		switch {
		case a[p] < b[q]:
			p++
		case a[p] > b[q]:
			q++
		default:
			n++
			p++
			q++
		}
	}
	return n
}

// NPMI returns the normalised pointwise mutual information of a pair of
// terms over the reference documents (N documents, D(i) of them containing
// term i, D(i,j) both terms):
//
//	p(i) = D(i)/N,  p(i,j) = D(i,j)/N,
//	NPMI(i,j) = log(p(i,j) / (p(i) p(j))) / −log p(i,j),
//
// which lies in [−1, 1]. A pair that never co-occurs (D(i,j) = 0) scores −1;
// a pair present in every document (p(i,j) = 1) scores 1.
func (c *Cooccurrence) NPMI(i, j int) float64 {
	dij := c.pairCount(i, j)
	if dij == 0 {
		return -1
	}
	n := float64(c.docs)
	pij := float64(dij) / n
	if dij == c.docs {
		return 1
	}
	pi, pj := float64(len(c.postings[i]))/n, float64(len(c.postings[j]))/n
	return math.Log(pij/(pi*pj)) / -math.Log(pij)
}

// TopicNPMI returns the coherence of one topic: the mean NPMI over all
// pairs of its first NPMIWords terms (term indices, best first). A topic
// with fewer than two terms scores −1.
func (c *Cooccurrence) TopicNPMI(terms []int) float64 {
	terms = terms[:min(len(terms), NPMIWords)]
	if len(terms) < 2 {
		return -1
	}
	sum, pairs := 0.0, 0
	for a := range terms {
		for b := a + 1; b < len(terms); b++ {
			sum += c.NPMI(terms[a], terms[b])
			pairs++
		}
	}
	return sum / float64(pairs)
}

// MeanNPMI returns the mean of TopicNPMI over topics (0 without topics).
func (c *Cooccurrence) MeanNPMI(topics [][]int) float64 {
	if len(topics) == 0 {
		return 0
	}
	s := 0.0
	for _, t := range topics {
		s += c.TopicNPMI(t)
	}
	return s / float64(len(topics))
}

// Diversity returns the share of unique terms among the first
// DiversityWords terms of every topic: 1 when no two topics share a term,
// 1/T when all T topics list the same terms (0 without terms).
func Diversity(topics [][]int) float64 {
	seen := map[int]bool{}
	total := 0
	for _, t := range topics {
		for _, i := range t[:min(len(t), DiversityWords)] {
			seen[i] = true
			total++
		}
	}
	if total == 0 {
		return 0
	}
	return float64(len(seen)) / float64(total)
}

// TopicQuality is the coherence and diversity of a set of topics.
type TopicQuality struct {
	// NPMI is the mean topic coherence (see Cooccurrence.NPMI) and
	// Diversity the unique share of the top terms (see Diversity).
	NPMI, Diversity float64
}

// Quality measures topics (term indices, best first) against c.
func (c *Cooccurrence) Quality(topics [][]int) TopicQuality {
	return TopicQuality{NPMI: c.MeanNPMI(topics), Diversity: Diversity(topics)}
}

// NMF is a non-negative matrix factorisation X ≈ A H of the n x V input
// matrix of the training documents, with A (n x dim) the documents'
// weights and H (dim x V) the topics.
type NMF struct {
	v, dim int
	// H is the dim x V topic matrix (row-major).
	H []float64
	// Iterations is the number of sweeps run; Loss the final squared
	// Frobenius error ||X − A H||² / ||X||².
	Iterations int
	Loss       float64
}

// Topics returns, for each of the dim topics, the indices of its n terms
// with the largest weights in H (ties to the lower index).
func (f *NMF) Topics(n int) [][]int {
	out := make([][]int, f.dim)
	for k := range out {
		out[k] = topIndices(f.H[k*f.v:(k+1)*f.v], n)
	}
	return out
}

// topIndices returns the indices of the n largest values of row, largest
// first (ties to the lower index).
func topIndices(row []float64, n int) []int {
	idx := make([]int, len(row))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case row[a] > row[b]:
			return -1
		case row[a] < row[b]:
			return 1
		}
		return 0
	})
	return idx[:min(n, len(idx))]
}

// nmfEps keeps the factors strictly positive so that no coordinate gets
// stuck at zero.
const nmfEps = 1e-12

// FitNMF factorises the input vectors xs (n documents over v terms) into
// dim topics by hierarchical alternating least squares (HALS: exact
// coordinate updates of one factor row at a time, A then H, each sweep
// lowering ||X − A H||²), starting from uniform random factors drawn from
// seed and scaled to the data. It runs iters sweeps. The result is
// deterministic for a seed whatever the core count. It errors when xs is
// empty, a vector is malformed, dim is not in [1, v] or iters < 1.
func FitNMF(xs []kate.SparseVector, v, dim, iters int, seed uint64) (*NMF, error) {
	if len(xs) == 0 {
		return nil, errors.New("eval: NMF needs at least one document")
	}
	if v < 1 || v > kate.MaxVocabulary || dim < 1 || dim > v {
		return nil, fmt.Errorf("eval: NMF dimension %d must be in [1, %d] (the vocabulary size)", dim, v)
	}
	if iters < 1 {
		return nil, fmt.Errorf("eval: NMF needs at least one iteration, got %d", iters)
	}
	n := len(xs)
	norm2 := 0.0
	nnz := 0
	for d, x := range xs {
		if err := x.Validate(v); err != nil {
			return nil, fmt.Errorf("eval: document %d: %w", d, err)
		}
		for _, a := range x.Values {
			norm2 += float64(float64(a) * float64(a))
		}
		nnz += x.Nnz()
	}
	if norm2 == 0 {
		return nil, errors.New("eval: NMF of an all-zero matrix")
	}
	// Random start scaled so that A H has the data's mean value.
	mean := norm2 / float64(max(nnz, 1))
	scale := math.Sqrt(math.Sqrt(mean*float64(nnz)/float64(n*v)) / float64(dim))
	rng := rand.New(rand.NewPCG(seed, 0x6e6d66)) // "nmf"
	a := mat.NewDense(n, dim, nil)
	h := mat.NewDense(dim, v, nil)
	for _, m := range []*mat.Dense{a, h} {
		raw := m.RawMatrix().Data
		for i := range raw {
			raw[i] = scale * (0.5 + float64(rng.Float64()))
		}
	}
	xht := mat.NewDense(n, dim, nil) // X Hᵀ
	xta := mat.NewDense(v, dim, nil) // Xᵀ A
	var hht, ata mat.Dense           // H Hᵀ, Aᵀ A
	ht := mat.NewDense(v, dim, nil)  // Hᵀ, kept to update H by rows
	workers := runtime.GOMAXPROCS(0)
	f := &NMF{v: v, dim: dim}
	for it := 1; it <= iters; it++ {
		// A-step: rows of A are independent given H.
		ht.CloneFrom(h.T())
		sparseTimes(xht, xs, ht, false, workers)
		hht.Reset()
		hht.Mul(h, h.T())
		halsRows(a, xht, &hht, workers)
		// H-step: columns of H (rows of Hᵀ) are independent given A.
		sparseTimes(xta, xs, a, true, workers)
		ata.Reset()
		ata.Mul(a.T(), a)
		halsRows(ht, xta, &ata, workers)
		h.CloneFrom(ht.T())
		f.Iterations = it
	}
	// ||X − AH||² = ||X||² − 2 tr(Hᵀ AᵀX) + tr(H Hᵀ AᵀA).
	sparseTimes(xta, xs, a, true, workers)
	cross := mat.Dot(vecOf(xta), vecOf(ht))
	hht.Reset()
	hht.Mul(h, h.T())
	quad := 0.0
	for i := range dim {
		for j := range dim {
			quad += float64(hht.At(i, j) * ata.At(i, j))
		}
	}
	f.Loss = (norm2 - 2*cross + quad) / norm2
	f.H = h.RawMatrix().Data
	return f, nil
}

func vecOf(m *mat.Dense) *mat.VecDense {
	r := m.RawMatrix()
	return mat.NewVecDense(r.Rows*r.Cols, r.Data)
}

// sparseTimes sets dst = X B (B: V x dim, dst: n x dim) or, with transpose,
// dst = Xᵀ B (B: n x dim, dst: V x dim), for the sparse X of xs. Each
// destination row is a sum in document order, so the result does not
// depend on the number of workers.
func sparseTimes(dst *mat.Dense, xs []kate.SparseVector, b *mat.Dense, transpose bool, workers int) {
	dst.Zero()
	dr, br := dst.RawMatrix(), b.RawMatrix()
	dim := dr.Cols
	parallel.Run(workers, func(w int) {
		for d, x := range xs {
			if !transpose && d%workers != w {
				continue
			}
			for q, i := range x.Indices {
				if transpose && int(i)%workers != w {
					continue
				}
				val := float64(x.Values[q])
				var out, in []float64
				if transpose {
					out, in = dr.Data[int(i)*dr.Stride:][:dim], br.Data[d*br.Stride:][:dim]
				} else {
					out, in = dr.Data[d*dr.Stride:][:dim], br.Data[int(i)*br.Stride:][:dim]
				}
				for k, bv := range in {
					out[k] += float64(val * bv)
				}
			}
		}
	})
}

// halsRows updates every row u of f (rows x dim) to lower
// ||target − u G||-style residuals: for each coordinate k in turn,
// u_k ← max(ε, u_k + (c_k − (u G)_k) / G_kk), with c the row of cross
// (= X-side product) and G the dim x dim Gram matrix of the other factor.
func halsRows(f, cross *mat.Dense, g *mat.Dense, workers int) {
	fr, cr := f.RawMatrix(), cross.RawMatrix()
	dim := fr.Cols
	gr := g.RawMatrix()
	parallel.Run(workers, func(w int) {
		for r := w; r < fr.Rows; r += workers {
			u := fr.Data[r*fr.Stride:][:dim]
			c := cr.Data[r*cr.Stride:][:dim]
			for k := range dim {
				gk := gr.Data[k*gr.Stride:][:dim] // G symmetric: row k = column k
				s := 0.0
				for l, ul := range u {
					s += float64(ul * gk[l])
				}
				if gkk := gk[k]; gkk > 0 {
					u[k] = max(nmfEps, u[k]+(c[k]-s)/gkk)
				}
			}
		}
	})
}
