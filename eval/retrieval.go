package eval

// Every product that is added or subtracted here is converted first,
// float32(a*b) + c or float64(a*b) + c, so that no compiler fuses it into
// one multiply-add (which rounds once, as arm64 and GOAMD64=v3 builds
// would): the same bits on every platform (docs/design.md §6).

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"

	"github.com/kate-web/kate/internal/parallel"
	"gonum.org/v1/gonum/mat"
)

// DefaultFractions are the fractions of the database at which
// RetrievalPrecision reports precision, as in the paper.
var DefaultFractions = []float64{0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0}

// Relevance reports whether database row d is relevant to query q.
type Relevance func(q, d int) bool

// SameLabel returns the relevance of single-label corpora: a database row
// is relevant when its label equals the query's.
func SameLabel(queryLabels, dbLabels []int) Relevance {
	return func(q, d int) bool { return queryLabels[q] == dbLabels[d] }
}

// SharedLabel returns the relevance of multi-label corpora: a database row
// is relevant when it shares at least one label with the query.
func SharedLabel(queryLabels, dbLabels [][]int) Relevance {
	return func(q, d int) bool {
		for _, a := range queryLabels[q] {
			if slices.Contains(dbLabels[d], a) {
				return true
			}
		}
		return false
	}
}

// Cutoff returns the number of database rows retrieved at fraction f of a
// database of n rows: floor(f·n) as in the paper's code, at least 1 and at
// most n.
func Cutoff(f float64, n int) int {
	return min(n, max(1, int(math.Floor(float64(f*float64(n))+1e-9))))
}

// RetrievalPrecision ranks the database rows db (row-major, m x dim) by
// cosine similarity to every query row of queries (q x dim), ties to the
// lower row, and returns, for each fraction f of fractions, the precision
// among the Cutoff(f, m) best rows (the share of relevant ones) averaged
// over the queries. A zero vector has cosine 0 with everything. The work is
// spread over all cores. It errors when the shapes disagree, the database
// or the queries are empty, a fraction is not in (0, 1], or ctx is
// cancelled.
func RetrievalPrecision(ctx context.Context, queries, db []float32, dim int, rel Relevance, fractions []float64) ([]float64, error) {
	if dim < 1 || len(queries)%dim != 0 || len(db)%dim != 0 {
		return nil, fmt.Errorf("eval: retrieval matrices of %d and %d values do not have %d columns", len(queries), len(db), dim)
	}
	nq, m := len(queries)/dim, len(db)/dim
	if nq == 0 || m == 0 {
		return nil, fmt.Errorf("eval: retrieval needs queries and a database (got %d and %d rows)", nq, m)
	}
	if m >= 1<<32 {
		return nil, fmt.Errorf("eval: database of %d rows is too large", m)
	}
	cut := make([]int, len(fractions))
	for i, f := range fractions {
		if !(f > 0 && f <= 1) {
			return nil, fmt.Errorf("eval: retrieval fraction %v must be in (0, 1]", f)
		}
		cut[i] = Cutoff(f, m)
	}
	Q := normalizedRows(queries, dim)
	D := normalizedRows(db, dim)

	// Queries are scored in blocks of at most 256 rows and 2^24 scores.
	block := max(1, min(256, (1<<24)/m))
	sums := make([]float64, len(fractions))
	workers := runtime.GOMAXPROCS(0)
	S := mat.NewDense(min(block, nq), m, nil)
	keys := make([][]uint64, workers)
	for w := range keys {
		keys[w] = make([]uint64, m)
	}
	partial := make([][]float64, workers)
	for w := range partial {
		partial[w] = make([]float64, len(fractions))
	}
	for lo := 0; lo < nq; lo += block {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		hi := min(nq, lo+block)
		s := S.Slice(0, hi-lo, 0, m).(*mat.Dense)
		s.Mul(Q.Slice(lo, hi, 0, dim), D.T())
		parallel.Run(workers, func(w int) {
			key := keys[w]
			for q := lo + w; q < hi; q += workers {
				row := s.RawRowView(q - lo)
				for d, v := range row {
					key[d] = uint64(^orderedBits(float32(v)))<<32 | uint64(d)
				}
				slices.Sort(key)
				counts := countRelevant(key, cut, func(d int) bool { return rel(q, d) })
				for i, c := range counts {
					partial[w][i] += float64(c) / float64(cut[i])
				}
			}
		})
	}
	for w := range partial {
		for i, v := range partial[w] {
			sums[i] += v
		}
	}
	for i := range sums {
		sums[i] /= float64(nq)
	}
	return sums, nil
}

// countRelevant returns, for every cutoff c of cut (any order), the number
// of relevant rows among the first c entries of the ranked keys (the row
// index is the low 32 bits of each key).
func countRelevant(key []uint64, cut []int, rel func(int) bool) []int {
	top := slices.Max(cut)
	prefix := make([]int, top+1)
	for r := range top {
		prefix[r+1] = prefix[r]
		if rel(int(uint32(key[r]))) {
			prefix[r+1]++
		}
	}
	out := make([]int, len(cut))
	for i, c := range cut {
		out[i] = prefix[c]
	}
	return out
}

// orderedBits maps a float32 to a uint32 with the same order (NaN aside).
func orderedBits(f float32) uint32 {
	b := math.Float32bits(f)
	if b&(1<<31) != 0 {
		return ^b
	}
	return b | 1<<31
}

// normalizedRows returns x (row-major, n x dim) as a float64 matrix with
// unit-length rows; zero rows stay zero.
func normalizedRows(x []float32, dim int) *mat.Dense {
	n := len(x) / dim
	out := make([]float64, len(x))
	for i := range n {
		row := x[i*dim : (i+1)*dim]
		s := 0.0
		for _, v := range row {
			s += float64(float64(v) * float64(v))
		}
		if s == 0 {
			continue
		}
		inv := 1 / math.Sqrt(s)
		for j, v := range row {
			out[i*dim+j] = float64(v) * inv
		}
	}
	return mat.NewDense(n, dim, out)
}
