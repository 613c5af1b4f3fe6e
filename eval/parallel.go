package eval

import (
	"github.com/kate-web/kate/internal/parallel"
)

// parallelSum runs f(i) for i in [0, n) on all cores (internal/parallel)
// and adds the results, in index order, to *sum (so the total does not
// depend on the core count).
func parallelSum(n int, f func(i int) float64, sum *float64) {
	parts := make([]float64, n)
	workers := parallel.Workers(n)
	parallel.Run(workers, func(w int) {
		for i := w; i < n; i += workers {
			parts[i] = f(i)
		}
	})
	for _, p := range parts {
		*sum += p
	}
}
