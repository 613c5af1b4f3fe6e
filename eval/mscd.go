package eval

// Every product that is added or subtracted here is converted first,
// float32(a*b) + c or float64(a*b) + c, so that no compiler fuses it into
// one multiply-add (which rounds once, as arm64 and GOAMD64=v3 builds
// would): the same bits on every platform (docs/design.md §6).

import (
	"fmt"
	"math"
)

// MSCD returns the topic distinctness of a model: the mean squared cosine
// deviation among its topic vectors, as in the KATE paper,
//
//	MSCD = 2 / (K (K-1)) · Σ_{i<j} cos²(w_i, w_j),
//
// where w_1 … w_K are the K topic vectors (the columns of W, that is the
// rows of the K x V matrix wt returned by kate.Model.Weights). It is 0 when
// the topics are mutually orthogonal and 1 when they are all parallel:
// lower means more distinct topics. A zero topic vector has cosine 0 with
// every other. It errors when wt is not k x v with k >= 2.
func MSCD(wt []float32, k, v int) (float64, error) {
	if k < 2 || v < 1 || len(wt) != k*v {
		return 0, fmt.Errorf("eval: MSCD needs a k x v matrix with k >= 2 (got %d values for %d x %d)", len(wt), k, v)
	}
	norms := make([]float64, k)
	for i := range k {
		s := 0.0
		for _, x := range wt[i*v : (i+1)*v] {
			s += float64(float64(x) * float64(x))
		}
		norms[i] = math.Sqrt(s)
	}
	sum := 0.0
	parallelSum(k, func(i int) float64 {
		if norms[i] == 0 {
			return 0
		}
		a := wt[i*v : (i+1)*v]
		part := 0.0
		for j := i + 1; j < k; j++ {
			if norms[j] == 0 {
				continue
			}
			b := wt[j*v : (j+1)*v]
			dot := 0.0
			for t, x := range a {
				dot += float64(float64(x) * float64(b[t]))
			}
			c := dot / (norms[i] * norms[j])
			part += float64(c * c)
		}
		return part
	}, &sum)
	return 2 * sum / float64(k*(k-1)), nil
}
